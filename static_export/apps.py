from django.apps import AppConfig


class StaticExportConfig(AppConfig):
    name = "static_export"
    verbose_name = "Static archive export"

    def ready(self):
        from . import signals  # Imports models: only once the apps are ready.

        signals.connect()
