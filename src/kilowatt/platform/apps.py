from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "kilowatt.platform"
    label = "platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kilowatt.platform.interfaces import admin  # noqa: F401
