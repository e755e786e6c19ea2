"""Django admin registrations: for system administrators only (see config.admin)."""

from django.apps import apps
from django.contrib import admin

for model in apps.get_app_config("identity").get_models():
    admin.site.register(model)
