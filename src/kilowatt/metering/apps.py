from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "kilowatt.metering"
    label = "metering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kilowatt.metering.interfaces import admin  # noqa: F401
