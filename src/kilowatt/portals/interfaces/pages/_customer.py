"""One customer's page, and the small form staff use to correct contact details."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.accounts import queries as account_queries
from kilowatt.customers import operations as customer_operations
from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.portals.interfaces.pages import _contact_form, _shapes
from kilowatt.portals.interfaces.pages._access import is_htmx, not_found, page, staff_page


@require_http_methods(["GET", "HEAD"])
@staff_page
def customer(request: HttpRequest, principal: Principal, number: str) -> HttpResponse:
    """Show everything about one customer the signed-in person may see."""
    try:
        view = account_queries.customer_view(principal, number=number.upper())
    except NotFound:
        return not_found(request, principal)
    return page(
        request,
        principal,
        "portals/customer/page.html",
        {
            "customer": _shapes.customer_page(view, today=clock.today()),
            "may_edit": principal.may(Permission.EDIT_CUSTOMERS),
        },
    )


def _form(
    request: HttpRequest,
    principal: Principal,
    form: _contact_form.ContactForm,
    *,
    status: int = 200,
) -> HttpResponse:
    template = (
        "portals/customer/_contact_form.html"
        if is_htmx(request)
        else "portals/customer/contact_form_page.html"
    )
    return page(request, principal, template, {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def contact_details(request: HttpRequest, principal: Principal, number: str) -> HttpResponse:
    """Show (GET) or save (POST) a customer's email, phone and marketing consent.

    A saved change goes back to the customer page, whose audit trail now shows it; a
    refused one comes back with each problem beside its field (422), or says the person
    may not change customers (403).
    """
    number = number.upper()
    if request.method == "POST":
        return _save_contact_details(request, principal, number)
    try:
        current = customer_queries.customer_for(principal, number=number)
    except NotFound:
        return not_found(request, principal)
    return _form(request, principal, _contact_form.contact_form(current))


def _save_contact_details(request: HttpRequest, principal: Principal, number: str) -> HttpResponse:
    try:
        customer_operations.update_customer(
            by=principal,
            number=number,
            changes=_contact_form.changes_from(request.POST),
            as_at=clock.now(),
        )
    except NotFound:
        return not_found(request, principal)
    except NotAllowed:
        template = (
            "portals/customer/_edit_refused.html" if is_htmx(request) else "portals/refused.html"
        )
        return page(request, principal, template, {"number": number}, status=403)
    except InvalidInput as error:
        form = _contact_form.refilled_form(number, request.POST, error.problems)
        return _form(request, principal, form, status=422)
    messages.success(request, "Contact details saved. The change is at the top of the audit trail.")
    customer_page = reverse("portals:customer", kwargs={"number": number})
    if is_htmx(request):
        response = HttpResponse()
        response["HX-Redirect"] = customer_page
        return response
    return HttpResponseRedirect(customer_page, status=303)
