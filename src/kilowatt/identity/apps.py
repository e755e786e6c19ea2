from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kilowatt.identity"
    label = "identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kilowatt.identity.interfaces import admin  # noqa: F401
