from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "kilowatt.properties"
    label = "properties"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kilowatt.properties.interfaces import admin  # noqa: F401
