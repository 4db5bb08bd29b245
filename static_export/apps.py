from django.apps import AppConfig


class StaticExportConfig(AppConfig):
    name = "static_export"
    verbose_name = "Static archive export"
