from django.apps import AppConfig


class PortalsConfig(AppConfig):
    name = "kilowatt.portals"
    label = "portals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from kilowatt.portals.interfaces import admin_site

        admin_site.guard(admin.site)
