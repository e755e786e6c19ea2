"""The composition root's URLs: the API under /api/v1/, the pages, and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from kilowatt.config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("", include("kilowatt.portals.interfaces.urls")),
]
