from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kilowatt.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kilowatt.accounts.interfaces import admin  # noqa: F401
