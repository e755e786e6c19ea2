from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kilowatt.customers"
    label = "customers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kilowatt.customers.interfaces import admin  # noqa: F401
