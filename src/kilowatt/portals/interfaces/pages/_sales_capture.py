"""A staff member enters a new customer (a shop agent at the counter, a telesales agent on
the phone) on the one sign-up form every channel shares (``_sign_up_form``), in two
steps on one address:

1. ``step=quote``: home or business, how they pay, the postcode, fuels, meter and usage;
   the tariffs on sale are quoted (``sales.queries.quote``);
2. ``step=details``: a tariff picked for each fuel, then the customer, the address, the
   meter point numbers, the bank and the consents; ``sales.operations.submit_order``
   takes the sign-up whole or answers every problem, each shown beside its field.

The quote's answers travel in hidden fields, so the second step quotes again (the prices
are those on sale when the sign-up is taken). An idempotency key made with the second
step's form makes a double click one sign-up.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, Problem
from kilowatt.platform.money import format_pence
from kilowatt.portals.interfaces.pages import _sign_up_form as sign_up
from kilowatt.portals.interfaces.pages._access import page
from kilowatt.portals.interfaces.pages._sales_common import refused
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries
from kilowatt.sales.domain import orders as order_rules
from kilowatt.sales.domain import quotes as quote_rules

SITES = 1  # a shop or a phone sign-up is one site; a business with more signs up with a person


def may_capture(principal: Principal, *, channel: str) -> bool:
    """Return whether ``principal`` may enter sign-ups on ``channel`` (of either kind)."""
    return order_rules.may_submit(
        principal, channel=channel, is_business=False
    ) or order_rules.may_submit(principal, channel=channel, is_business=True)


@dataclasses.dataclass(frozen=True)
class OfferChoice:
    value: str
    name: str
    kind: str
    cost: str  # a year, estimated
    checked: bool


@dataclasses.dataclass(frozen=True)
class FuelOffers:
    group: str  # the radio group's name
    fuel: str
    annual_kwh: str
    estimated: bool
    offers: tuple[OfferChoice, ...]
    problem: str


def _offers(
    quote: quote_rules.Quote, posted: dict[str, Any], problems: dict[str, str]
) -> list[FuelOffers]:
    found = []
    for index, site in enumerate(quote.sites):
        for fuel in site.fuels:
            group = sign_up.offer_field(index, fuel.fuel)
            picked = str(posted.get(group, ""))
            found.append(
                FuelOffers(
                    group=group,
                    fuel=fuel.fuel.title(),
                    annual_kwh=f"{fuel.annual_kwh:,.0f}",
                    estimated=fuel.estimated,
                    offers=tuple(
                        OfferChoice(
                            value=offer.tariff_code,
                            name=offer.tariff_name,
                            kind=(
                                f"Fixed {offer.term_months} months"
                                if offer.kind == "FIXED" and offer.term_months
                                else offer.kind.title()
                            ),
                            cost=format_pence(offer.estimated_annual_cost_pence),
                            checked=picked == offer.tariff_code
                            or (not picked and len(fuel.offers) == 1),
                        )
                        for offer in fuel.offers
                    ),
                    problem=problems.get(group, ""),
                )
            )
    return found


def _placeholders(quote: quote_rules.Quote) -> tuple[sign_up.SupplyChoice, ...]:
    """One supply per site and fuel quoted, whatever is picked (for the meter point fields
    before a tariff is chosen, so each keeps its place)."""
    return tuple(
        sign_up.SupplyChoice(
            site=index,
            fuel=fuel.fuel,
            tariff_code=fuel.offers[0].tariff_code if fuel.offers else "",
            tariff_name=fuel.offers[0].tariff_name if fuel.offers else "",
            annual_kwh=fuel.annual_kwh,
            meter_type=site.meter_type if fuel.fuel == "ELECTRICITY" else "STANDARD",
            annual_cost_pence=fuel.offers[0].estimated_annual_cost_pence if fuel.offers else 0,
        )
        for index, site in enumerate(quote.sites)
        for fuel in site.fuels
    )


def capture(
    request: HttpRequest,
    principal: Principal,
    *,
    channel: str,
    template: str,
    context: dict[str, Any],
    on_submitted: Callable[[sales_operations.SubmittedOrder], HttpResponse],
) -> HttpResponse:
    """Answer the capture page for ``channel``: the quote step, the details step, or the
    submitted sign-up (``on_submitted``). 403 for whoever may not take sign-ups there."""
    if not may_capture(principal, channel=channel):
        return refused(request, principal)
    data = request.POST if request.method == "POST" else None
    step = request.POST.get("step", "") if data is not None else ""
    quote_form = sign_up.QuoteForm(data)
    site_forms = sign_up.quote_site_forms(data, SITES)
    left: list[Problem] = []
    if step == "edit":  # back from the details to the answers, as they were
        return _render(
            request,
            principal,
            template,
            context,
            step="quote",
            quote_form=quote_form,
            site_forms=site_forms,
        )
    if step not in ("quote", "details") or not (
        quote_form.is_valid() and all([form.is_valid() for form in site_forms])
    ):
        if step not in ("quote", "details"):
            quote_form, site_forms = sign_up.QuoteForm(), sign_up.quote_site_forms(None, SITES)
        return _render(
            request,
            principal,
            template,
            context,
            step="quote",
            quote_form=quote_form,
            site_forms=site_forms,
            status=422 if data is not None and step else 200,
        )
    try:
        quote = sales_queries.quote(
            request=sign_up.quote_request_from(quote_form, site_forms), today=clock.today()
        )
    except InvalidInput as error:
        left = sign_up.quote_problems_to_form_errors(quote_form, site_forms, error)
        return _render(
            request,
            principal,
            template,
            context,
            step="quote",
            quote_form=quote_form,
            site_forms=site_forms,
            left=left,
            status=422,
        )
    kind = quote_form.cleaned_data["customer_kind"]
    method = quote_form.cleaned_data["payment_method"]
    postcodes = [form.cleaned_data["postcode"] for form in site_forms]
    if step == "quote":
        forms_ = sign_up.sign_up_forms(
            kind=kind, payment_method=method, choices=_placeholders(quote), postcodes=postcodes
        )
        return _render(
            request,
            principal,
            template,
            context,
            step="details",
            quote_form=quote_form,
            site_forms=site_forms,
            quote=quote,
            forms_=forms_,
            key=secrets.token_urlsafe(16),
        )
    choices, offer_problems = sign_up.chosen_supplies(quote, request.POST)
    complete = not offer_problems
    forms_ = sign_up.sign_up_forms(
        kind=kind,
        payment_method=method,
        choices=choices if complete else _placeholders(quote),
        postcodes=postcodes,
        data=request.POST,
    )
    key = request.POST.get("idempotency_key", "")[:100] or secrets.token_urlsafe(16)
    if complete and forms_.is_valid():
        try:
            submitted = sales_operations.submit_order(
                by=principal,
                channel=channel,
                request=sign_up.order_request_from(forms_),
                idempotency_key=key,
                as_at=clock.now(),
            )
        except NotAllowed:
            return refused(request, principal)
        except InvalidInput as error:
            left = sign_up.problems_to_form_errors(forms_, error)
        else:
            return on_submitted(submitted)
    return _render(
        request,
        principal,
        template,
        context,
        step="details",
        quote_form=quote_form,
        site_forms=site_forms,
        quote=quote,
        forms_=forms_,
        key=key,
        offer_problems=offer_problems,
        left=left,
        status=422,
    )


def _render(
    request: HttpRequest,
    principal: Principal,
    template: str,
    context: dict[str, Any],
    *,
    step: str,
    quote_form: sign_up.QuoteForm,
    site_forms: list[sign_up.QuoteSiteForm],
    quote: quote_rules.Quote | None = None,
    forms_: sign_up.SignUpForms | None = None,
    key: str = "",
    offer_problems: dict[str, str] | None = None,
    left: list[Problem] | None = None,
    status: int = 200,
) -> HttpResponse:
    posted = request.POST if request.method == "POST" else {}
    return page(
        request,
        principal,
        template,
        {
            **context,
            "step": step,
            "quote_form": quote_form,
            "site_forms": site_forms,
            "offers": _offers(quote, dict(posted.items()), offer_problems or {}) if quote else [],
            "forms": forms_,
            "is_business": forms_ is not None and forms_.kind == "BUSINESS",
            "idempotency_key": key,
            "left": [problem.message for problem in left or []],
        },
        status=status,
    )
