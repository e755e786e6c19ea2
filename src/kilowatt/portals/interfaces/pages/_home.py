"""The front door (``/``, where signing in lands): customers go to their own meter
readings, staff to the customer search, anonymous visitors to sign in."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.identity import queries as identity_queries
from kilowatt.portals.interfaces.pages._access import is_customer


@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work starts."""
    principal = identity_queries.principal_for(request.user)
    if principal.is_anonymous:
        return redirect_to_login(request.get_full_path())
    if is_customer(principal):
        return HttpResponseRedirect(reverse("portals:my_meter_readings"))
    return HttpResponseRedirect(reverse("portals:search"))
