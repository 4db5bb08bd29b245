"""The archive's screens in the Wagtail admin (registered from wagtail_hooks.py)."""
