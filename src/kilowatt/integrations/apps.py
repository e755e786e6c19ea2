from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "kilowatt.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
