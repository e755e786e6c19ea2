"""Signing in and out of the back office (a session; the API has its own tokens)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

sign_in = auth_views.LoginView.as_view(
    template_name="portals/sign_in.html", redirect_authenticated_user=True
)
sign_out = auth_views.LogoutView.as_view(next_page="portals:sign_in")
