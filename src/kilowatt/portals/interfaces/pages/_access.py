"""The doors: who may open a staff page or a customer's own page, and the answers for
those who may not.

Whether someone is staff (the permission ``USE_BACK_OFFICE``) or a customer (who reaches
only their own accounts, ``Reach.OWN``) is decided by ``identity.domain.roles``; this
module only turns that answer into HTTP.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Permission, Principal, Reach
from kilowatt.portals.interfaces.pages import _shapes

StaffView = Callable[..., HttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    """Return whether HTMX asked for a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def page(
    request: HttpRequest,
    principal: Principal,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render a back-office template with the top bar's signed-in person."""
    response = render(
        request,
        template,
        {"signed_in": _shapes.signed_in(principal), **(context or {})},
        status=status,
    )
    # The same URL answers HTMX with a fragment and a browser with a page: keep caches apart.
    response["Vary"] = "HX-Request"
    return response


def not_found(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Answer 404 alike for a thing that is missing and one this person may not see."""
    return page(request, principal, "portals/not_found.html", status=404)


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    if is_htmx(request):
        # A fragment request after the session ended: send the whole window to the
        # sign-in page instead of swapping it into the page.
        response = HttpResponse()
        response["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
        return response
    return redirect_to_login(request.get_full_path())


def staff_page(view: StaffView) -> StaffView:
    """Let only back-office staff in: anonymous visitors sign in first, others get 403.

    The view is called as ``view(request, principal, **kwargs)``.
    """

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = identity_queries.principal_for(request.user)
        if principal.is_anonymous:
            return _to_sign_in(request)
        if not principal.may(Permission.USE_BACK_OFFICE):
            return page(request, principal, "portals/refused.html", status=403)
        return view(request, principal, *args, **kwargs)

    return guarded


def is_customer(principal: Principal) -> bool:
    """Return whether this person is a customer (they reach their own accounts only)."""
    return not principal.is_anonymous and principal.reach is Reach.OWN


def customer_page(view: StaffView) -> StaffView:
    """Let only customers into their own pages (``/my/...``): anonymous visitors sign in
    first, staff get 403 (they look customers up in the back office instead).

    The view is called as ``view(request, principal, **kwargs)``.
    """

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = identity_queries.principal_for(request.user)
        if principal.is_anonymous:
            return _to_sign_in(request)
        if not is_customer(principal):
            return page(request, principal, "portals/my/refused.html", status=403)
        return view(request, principal, *args, **kwargs)

    return guarded
