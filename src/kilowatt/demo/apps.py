from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo book and its logins: a realistic, deterministic customer base to try."""

    name = "kilowatt.demo"
    label = "demo"
    verbose_name = "Demo data"
