"""Signing a contract in the browser, and cancelling a sign-up in its cooling-off period.

Public pages opened from the links emailed to the customer: the link's signed token is
the gate (``sales.operations.contract_id_for_token`` and
``order_id_for_cancellation_token``); a forged, altered or expired one is answered 404,
like a contract that does not exist.

The signer is identified by a one-time code emailed to them
(``send_signing_code``), then signs with it (``sign_contract``, given the request's
IP address and user agent, which go on the sealed contract's audit page).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.platform.periods import LONDON
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries
from kilowatt.sales.domain import links

_SIGNED = "SIGNED"
_AWAITING = "AWAITING_SIGNATURE"


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the token is in the URL: keep it here
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return _public(request, "portals/sign_up/not_found.html", {}, status=404)


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***{local[-1:] if len(local) > 1 else ''}@{domain}"


def _when(moment: datetime.datetime | None) -> str:
    return f"{moment.astimezone(LONDON):%-d %B %Y at %H:%M}" if moment else ""


def _contract(token: str) -> Any:
    """Return the contract a signing link names. :raises NotFound: a bad link."""
    return sales_queries.contract_by_id(contract_id=sales_operations.contract_id_for_token(token))


def _shape(contract: Any, token: str) -> dict[str, Any]:
    order = contract.order
    open_now = links.signer_screen_open(signed_at=contract.signed_at, as_at=clock.now())
    return {
        "token": token,
        "reference": order.reference,
        "signer_name": contract.signer_name,
        "email": _masked(contract.signer_email),
        "status": contract.status,
        "awaiting": contract.status == _AWAITING,
        "cancelled": contract.status not in (_AWAITING, _SIGNED),
        "issued": _when(contract.issued_at),
        "signed": _when(contract.signed_at),
        "code_sent": contract.code_sent_at is not None,
        "cooling_off_ends": contract.cooling_off_ends,
        "is_business": order.customer_kind == "BUSINESS",
        "pdf_url": reverse("portals:sign_contract_pdf", args=[token]),
        # Once the signer's moment has passed, the link no longer opens these: the
        # customer has them in their email (``sales.domain.links``).
        "signed_pdf_url": (
            reverse("portals:signed_contract_pdf", args=[token]) if open_now else ""
        ),
        "cancel_url": (
            reverse("portals:sign_up_cancel", args=[sales_operations.cancellation_token(order.id)])
            if open_now
            else ""
        ),
    }


def _sign_page(
    request: HttpRequest, contract: Any, token: str, *, problems: dict[str, str], status: int
) -> HttpResponse:
    return _public(
        request,
        "portals/sign_up/sign.html",
        {
            "contract": _shape(contract, token),
            "problems": problems,
            "code": request.POST.get("code", ""),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def sign(request: HttpRequest, token: str) -> HttpResponse:
    """Show the contract to sign (GET); sign it with the emailed code (POST ``code``)."""
    try:
        if request.method == "POST":
            sales_operations.sign_contract(
                contract_id=sales_operations.contract_id_for_token(token),
                code=request.POST.get("code", ""),
                ip_address=request.META.get("REMOTE_ADDR", "") or "",
                user_agent=request.META.get("HTTP_USER_AGENT", "") or "",
                as_at=clock.now(),
            )
            return redirect("portals:signed", token=token)
        contract = _contract(token)
    except NotFound:
        return _not_found(request)
    except InvalidInput as error:
        try:
            contract = _contract(token)
        except NotFound:
            return _not_found(request)
        if contract.status == _SIGNED:
            return redirect("portals:signed", token=token)
        problems = {p.field: p.message for p in error.problems}
        return _sign_page(request, contract, token, problems=problems, status=422)
    if contract.status == _SIGNED:
        return redirect("portals:signed", token=token)
    return _sign_page(request, contract, token, problems={}, status=200)


@require_http_methods(["POST"])
def send_code(request: HttpRequest, token: str) -> HttpResponse:
    """Email the signer a one-time code, then back to the signing page."""
    try:
        sent_to = sales_operations.send_signing_code(
            contract_id=sales_operations.contract_id_for_token(token), as_at=clock.now()
        )
    except NotFound:
        return _not_found(request)
    except InvalidInput as error:
        try:
            contract = _contract(token)
        except NotFound:
            return _not_found(request)
        if contract.status == _SIGNED:
            return redirect("portals:signed", token=token)
        problems = {p.field: p.message for p in error.problems}
        return _sign_page(request, contract, token, problems=problems, status=422)
    messages.success(
        request, f"We have emailed a 6-digit code to {sent_to}. It works for 30 minutes."
    )
    return redirect(reverse("portals:sign", args=[token]) + "#code")


@require_http_methods(["GET", "HEAD"])
def signed(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a signed contract: the sealed PDF to keep, and the cooling-off period."""
    try:
        contract = _contract(token)
    except NotFound:
        return _not_found(request)
    if contract.status != _SIGNED:
        return redirect("portals:sign", token=token)
    return _public(request, "portals/sign_up/signed.html", {"contract": _shape(contract, token)})


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@xframe_options_sameorigin  # shown inside the signing page
@require_http_methods(["GET", "HEAD"])
def contract_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """Return the contract to sign, exactly as it will be signed (PDF)."""
    try:
        contract = _contract(token)
    except NotFound:
        return _not_found(request)
    return _pdf(bytes(contract.document), f"contract-{contract.order.reference}.pdf")


@require_http_methods(["GET", "HEAD"])
def signed_contract_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """Return the signed contract, sealed with the company's certificate (PDF)."""
    try:
        contract = _contract(token)
    except NotFound:
        return _not_found(request)
    if contract.status != _SIGNED or not contract.signed_document:
        return _not_found(request)
    if not links.signer_screen_open(signed_at=contract.signed_at, as_at=clock.now()):
        return _not_found(request)  # the email the customer was sent has it
    return _pdf(bytes(contract.signed_document), f"contract-{contract.order.reference}-signed.pdf")


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Explain cooling-off and ask for a reason (GET); cancel the sign-up (POST)."""
    reason = request.POST.get("reason", "")[:300]
    try:
        if request.method != "POST":
            sales_operations.order_id_for_cancellation_token(token)
            return _public(request, "portals/sign_up/cancel.html", {"token": token, "problems": []})
        order = sales_operations.cancel_order_by_link(token=token, reason=reason, as_at=clock.now())
    except NotFound:
        return _not_found(request)
    except InvalidInput as error:
        return _public(
            request,
            "portals/sign_up/cancel.html",
            {"token": token, "problems": [p.message for p in error.problems], "reason": reason},
            status=422,
        )
    return _public(request, "portals/sign_up/cancelled.html", {"reference": order.reference})
