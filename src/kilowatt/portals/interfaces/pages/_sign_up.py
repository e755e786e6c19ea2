"""The public web sign-up, for homes and businesses, in steps: a quote (pick a tariff per
fuel), your details, supply address and meter point numbers, payment and consents, then
check and send. Anyone may open these pages; nothing is written until the last step
calls ``sales.operations.submit_order``, which takes the sign-up whole or refuses it
whole, naming each field.

Where the answers live between steps: in the session (server side), not in hidden
fields. Bank details and the like then never travel back and forth through the page,
any step can be revisited in any order, and the last step rebinds every form to the
answers and validates them together. The session holds ``sign_up`` (the draft: the
quote's answers and picks, the posted answers of each later step, the refusals the last
submission got, and the idempotency key) until the order is taken; then only
``sign_up_sent`` (that key and where the order went), so a second click of "Send" lands
where the first did.

The idempotency key is made when the check-and-send page is first shown and travels in
a hidden field; ``submit_order`` answers a repeat of the same key with the first order.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.identity import queries as identity_queries
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, Problem
from kilowatt.platform.money import format_pence
from kilowatt.portals.interfaces.pages import _sign_up_form as capture
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries
from kilowatt.sales.domain import quotes as quote_rules

DRAFT = "sign_up"
SENT = "sign_up_sent"

STEPS = (
    ("quote", "Quote"),
    ("details", "Your details"),
    ("supply", "Address and meters"),
    ("payment", "Payment"),
    ("review", "Check and send"),
)
# The answers each later step owns, by form prefix.
STEP_PREFIXES = {
    "details": ("customer-",),
    "supply": ("site-", "supply-"),
    "payment": ("payment-", "consents-"),
}
STEP_TITLES = dict(STEPS)
FUEL_LABELS = {"ELECTRICITY": "Electricity", "GAS": "Gas"}
METER_LABELS = {"STANDARD": "Standard meter", "ECONOMY_7": "Economy 7 meter"}
BAND_LABELS = {"ANYTIME": "Unit rate", "DAY": "Day rate", "NIGHT": "Night rate"}


# --- the draft in the session ----------------------------------------------------------


def _draft(request: HttpRequest) -> dict[str, Any] | None:
    draft = request.session.get(DRAFT)
    return draft if isinstance(draft, dict) and draft.get("quote") else None


def _save(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[DRAFT] = draft
    request.session.modified = True


def _answers(draft: Mapping[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in draft.get("answers", {}).items():
        data.setlist(key, list(values))
    return data


def _owns(step: str, key: str) -> bool:
    return key.startswith(STEP_PREFIXES[step])


def _merged(draft: Mapping[str, Any], step: str, posted: QueryDict) -> dict[str, list[str]]:
    """Return the draft's answers with this step's replaced by what was posted (a box
    left unticked is not posted, so the step's old answers go first)."""
    kept = {k: v for k, v in draft.get("answers", {}).items() if not _owns(step, k)}
    kept.update({k: posted.getlist(k) for k in posted if _owns(step, k)})
    return kept


def _forms(draft: Mapping[str, Any], *, bound: bool = True) -> capture.SignUpForms:
    quote = draft["quote"]
    return capture.sign_up_forms(
        kind=quote["kind"],
        payment_method=quote["payment_method"],
        choices=[capture.SupplyChoice.from_json(c) for c in quote["choices"]],
        postcodes=quote["postcodes"],
        data=_answers(draft) if bound else None,
    )


def _step_forms(forms_: capture.SignUpForms, step: str) -> list[forms.Form]:
    if step == "details":
        return [forms_.customer]
    if step == "supply":
        return [*forms_.addresses, *forms_.supplies]
    return [forms_.payment, forms_.consents]


def _problems(draft: Mapping[str, Any]) -> list[Problem]:
    return [Problem(*row) for row in draft.get("problems", [])]


def _step_of(forms_: capture.SignUpForms, field: str) -> str:
    """Return the step whose page shows a problem's field ("review": none does)."""
    found = capture.form_field_for(forms_, field)
    if found is None:
        return "review"
    return next((step for step in STEP_PREFIXES if found[0] in _step_forms(forms_, step)), "review")


def _progress(current: str, draft: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    done = set((draft or {}).get("done", []))
    return [
        {
            "step": step,
            "title": title,
            "number": number,
            "current": step == current,
            "url": reverse(f"portals:sign_up_{step}") if step == "quote" or step in done else "",
        }
        for number, (step, title) in enumerate(STEPS, start=1)
    ]


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"  # answers of a sign-up are never cached
    return response


# --- (a) the quote -----------------------------------------------------------------------


def _rates(offer: quote_rules.Offer) -> list[str]:
    return [
        f"{BAND_LABELS.get(line.band, line.band.title())} {line.rate_pence_per_kwh:.2f}p per kWh"
        for line in offer.unit_rates
    ]


def _offer(offer: quote_rules.Offer, *, checked: bool) -> dict[str, Any]:
    if offer.kind == "FIXED" and offer.term_months:
        kind = f"Fixed for {offer.term_months} months"
    else:
        kind = "Variable: prices may change, with notice"
    vat = "with VAT" if offer.prices_include_vat else f"before VAT ({offer.vat_rate}%)"
    return {
        "code": offer.tariff_code,
        "name": offer.tariff_name,
        "kind": kind,
        "annual": format_pence(offer.estimated_annual_cost_pence),
        "monthly": format_pence(round(offer.estimated_annual_cost_pence / 12)),
        "vat": vat,
        "standing": f"{offer.standing_charge_pence_per_day:.2f}p a day",
        "rates": _rates(offer),
        "exit_fee": format_pence(offer.exit_fee_pence) if offer.exit_fee_pence else "",
        "checked": checked,
    }


def _quote_shape(
    quote: quote_rules.Quote, posted: Mapping[str, Any], problems: Mapping[str, str]
) -> list[dict[str, Any]]:
    sites = []
    for index, site in enumerate(quote.sites):
        fuels = []
        for fuel in site.fuels:
            name = capture.offer_field(index, fuel.fuel)
            picked = str(posted.get(name, "")) or (
                fuel.offers[0].tariff_code if fuel.offers else ""
            )
            fuels.append(
                {
                    "fuel": fuel.fuel,
                    "label": FUEL_LABELS.get(fuel.fuel, fuel.fuel.title()),
                    "name": name,
                    "kwh": f"{fuel.annual_kwh:,.0f}",
                    "estimated": fuel.estimated,
                    "offers": [_offer(o, checked=o.tariff_code == picked) for o in fuel.offers],
                    "problem": problems.get(name, ""),
                }
            )
        sites.append(
            {
                "number": index + 1,
                "postcode": site.postcode,
                "meter": METER_LABELS.get(site.meter_type, site.meter_type),
                "fuels": fuels,
            }
        )
    return sites


def _site_count(posted: Mapping[str, Any], action: str) -> int:
    text = str(posted.get("quote-sites", "1"))
    count = int(text) if text.isdigit() else 1
    if action == "add_site":
        count += 1
    elif action == "remove_site":
        count -= 1
    return min(max(count, 1), capture.MAX_SITES_BY_HAND)


def _quote_page(
    request: HttpRequest,
    *,
    quote_form: capture.QuoteForm,
    site_forms: list[capture.QuoteSiteForm],
    priced: list[dict[str, Any]] | None,
    problems: Sequence[Problem] = (),
    status: int = 200,
) -> HttpResponse:
    kind = quote_form["customer_kind"].value() or "RESIDENTIAL"
    return _public(
        request,
        "portals/sign_up/quote.html",
        {
            "steps": _progress("quote", _draft(request)),
            "step_number": 1,
            "quote_form": quote_form,
            "site_forms": site_forms,
            "site_count": len(site_forms),
            "may_add_site": kind == "BUSINESS" and len(site_forms) < capture.MAX_SITES_BY_HAND,
            "is_business": kind == "BUSINESS",
            "usage_hints": capture.USAGE_HINTS.get(kind, capture.USAGE_HINTS["RESIDENTIAL"]),
            "priced": priced,
            "problems": [p.message for p in problems],
            "max_sites": capture.MAX_SITES_BY_HAND,
        },
        status=status,
    )


def _stored_quote_data(draft: Mapping[str, Any] | None) -> QueryDict | None:
    if draft is None:
        return None
    data = QueryDict(mutable=True)
    for key, values in draft["quote"]["data"].items():
        data.setlist(key, list(values))
    for choice in draft["quote"]["choices"]:
        data[capture.offer_field(choice["site"], choice["fuel"])] = choice["tariff_code"]
    return data


@require_http_methods(["GET", "HEAD", "POST"])
def sign_up_quote(request: HttpRequest) -> HttpResponse:
    """Ask what to quote for (GET), price it (POST ``action=price``), add or remove a
    business site, or take the tariffs picked and go on (``action=choose``)."""
    action = request.POST.get("action", "price") if request.method == "POST" else "show"
    posted: Mapping[str, Any] | None = request.POST if request.method == "POST" else None
    if posted is None:
        posted = _stored_quote_data(_draft(request))
        action = "price" if posted is not None else "show"
    if posted is None:
        return _quote_page(
            request,
            quote_form=capture.QuoteForm(),
            site_forms=capture.quote_site_forms(None, 1),
            priced=None,
        )
    count = _site_count(posted, action)
    data = posted.copy() if isinstance(posted, QueryDict) else QueryDict(mutable=True)
    data["quote-sites"] = str(count)
    if data.get("quote-customer_kind") == "RESIDENTIAL" and count > 1:
        count = 1  # a home is one site
        data["quote-sites"] = "1"
    quote_form = capture.QuoteForm(data)
    site_forms = capture.quote_site_forms(data, count)
    if action in ("add_site", "remove_site"):
        if action == "add_site":  # the new site starts empty, without "required" errors
            site_forms[-1] = capture.QuoteSiteForm(prefix=site_forms[-1].prefix)
        return _quote_page(request, quote_form=quote_form, site_forms=site_forms, priced=None)
    if not (quote_form.is_valid() and all([form.is_valid() for form in site_forms])):
        return _quote_page(
            request, quote_form=quote_form, site_forms=site_forms, priced=None, status=422
        )
    try:
        quote = sales_queries.quote(
            request=capture.quote_request_from(quote_form, site_forms), today=clock.today()
        )
    except InvalidInput as error:
        left = capture.quote_problems_to_form_errors(quote_form, site_forms, error)
        return _quote_page(
            request,
            quote_form=quote_form,
            site_forms=site_forms,
            priced=None,
            problems=left,
            status=422,
        )
    choices, pick_problems = capture.chosen_supplies(quote, data)
    if action != "choose" or pick_problems:
        shown = pick_problems if action == "choose" else {}
        return _quote_page(
            request,
            quote_form=quote_form,
            site_forms=site_forms,
            priced=_quote_shape(quote, data, shown),
            status=422 if shown else 200,
        )
    _start(request, quote_form, site_forms, quote, choices, data)
    return redirect("portals:sign_up_details")


def _start(
    request: HttpRequest,
    quote_form: capture.QuoteForm,
    site_forms: Sequence[capture.QuoteSiteForm],
    quote: quote_rules.Quote,
    choices: Sequence[capture.SupplyChoice],
    data: QueryDict,
) -> None:
    """Keep the quote's answers and picks in the draft; keep the later answers too unless
    the sign-up changed kind (the details asked differ)."""
    old = _draft(request) or {}
    kind = quote_form.cleaned_data["customer_kind"]
    same_kind = old.get("quote", {}).get("kind") == kind
    sites = [site.postcode for site in quote.sites]
    answers = dict(old.get("answers", {})) if same_kind else {}
    before = old.get("quote", {}).get("postcodes", [])
    for index, postcode in enumerate(sites):
        key = f"site-{index}-postcode"
        if key in answers and (index >= len(before) or before[index] != postcode):
            answers[key] = [postcode]  # the postcode quoted for changed: follow it
    quote_keys = [k for k in data if k.startswith("quote-")]
    _save(
        request,
        {
            "quote": {
                "kind": kind,
                "payment_method": quote_form.cleaned_data["payment_method"],
                "postcodes": sites,
                "choices": [choice.as_json() for choice in choices],
                "data": {k: data.getlist(k) for k in quote_keys},
            },
            "answers": answers,
            "done": ["quote", "details"]
            if same_kind and "details" in old.get("done", [])
            else ["quote"],
            "problems": [],
            "key": old.get("key") or "",
        },
    )
    request.session.pop(SENT, None)


# --- (b, c, d) the details, the supply, the payment ---------------------------------------


def _first_missing(draft: Mapping[str, Any], step: str) -> str | None:
    done = set(draft.get("done", []))
    for earlier, _title in STEPS:
        if earlier == step:
            return None
        if earlier not in done:
            return earlier
    return None


def _supply_rows(forms_: capture.SignUpForms) -> list[dict[str, Any]]:
    """Each site's address form with its meter points' forms, for the supply step."""
    rows = []
    for index, address in enumerate(forms_.addresses):
        rows.append(
            {
                "number": index + 1,
                "address": address,
                "supplies": [
                    {
                        "form": form,
                        "fuel": form.choice.fuel,
                        "fuel_label": FUEL_LABELS.get(form.choice.fuel, form.choice.fuel),
                        "tariff": form.choice.tariff_name,
                        "kwh": f"{form.choice.annual_kwh:,.0f}",
                    }
                    for form in forms_.supplies
                    if form.choice.site == index
                ],
            }
        )
    return rows


def _step_page(
    request: HttpRequest,
    draft: Mapping[str, Any],
    step: str,
    forms_: capture.SignUpForms,
    *,
    status: int = 200,
) -> HttpResponse:
    quote = draft["quote"]
    elsewhere = [
        {"step": s, "title": STEP_TITLES[s], "url": reverse(f"portals:sign_up_{s}")}
        for s in dict.fromkeys(_step_of(forms_, p.field) for p in _problems(draft))
        if s != step
    ]
    return _public(
        request,
        f"portals/sign_up/{step}.html",
        {
            "steps": _progress(step, draft),
            "step_number": [s for s, _t in STEPS].index(step) + 1,
            "forms": forms_,
            "is_business": quote["kind"] == "BUSINESS",
            "pays_by_direct_debit": quote["payment_method"] == "DIRECT_DEBIT",
            "payment_label": capture.PAYMENT_LABELS.get(quote["payment_method"], ""),
            "sites": _supply_rows(forms_) if step == "supply" else [],
            "has_problems": any(form.errors for form in _step_forms(forms_, step)),
            "elsewhere": elsewhere,
        },
        status=status,
    )


def _later_step(step: str) -> Callable[[HttpRequest], HttpResponse]:
    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request: HttpRequest) -> HttpResponse:
        draft = _draft(request)
        if draft is None:
            return redirect("portals:sign_up_quote")
        if (missing := _first_missing(draft, step)) is not None:
            return redirect(f"portals:sign_up_{missing}")
        if request.method == "POST":
            draft = {**draft, "answers": _merged(draft, step, request.POST)}
            forms_ = _forms(draft)
            if all([form.is_valid() for form in _step_forms(forms_, step)]):
                mine = {p for p in _problems(draft) if _step_of(forms_, p.field) == step}
                draft["problems"] = [
                    dataclasses.astuple(p) for p in _problems(draft) if p not in mine
                ]
                draft["done"] = sorted(set(draft.get("done", [])) | {step})
                _save(request, draft)
                following = [s for s, _t in STEPS][[s for s, _t in STEPS].index(step) + 1]
                return redirect(f"portals:sign_up_{following}")
            _save(request, draft)
            # The refusals this step got before were of what was posted then: drop them.
            capture.add_problems(
                forms_, [p for p in _problems(draft) if _step_of(forms_, p.field) != step]
            )
            return _step_page(request, draft, step, forms_, status=422)
        # Answered before: shown as answered (and what is missing now, say after a new
        # quote added a meter point, is marked); never answered: the empty form.
        seen = any(_owns(step, key) for key in draft.get("answers", {}))
        forms_ = _forms(draft, bound=seen)
        capture.add_problems(forms_, _problems(draft))
        return _step_page(request, draft, step, forms_)

    view.__name__ = f"sign_up_{step}"
    view.__doc__ = f"The sign-up's step '{STEP_TITLES[step]}': show it (GET), keep it (POST)."
    return view


sign_up_details = _later_step("details")
sign_up_supply = _later_step("supply")
sign_up_payment = _later_step("payment")


# --- (e) check and send ------------------------------------------------------------------


def _masked_account(number: str) -> str:
    digits = "".join(number.split())
    return f"ending {digits[-4:]}" if len(digits) >= 4 else ""


def _summary(forms_: capture.SignUpForms) -> dict[str, Any]:
    """The answers as the check-and-send page shows them (every form is valid)."""
    request = capture.order_request_from(forms_)
    customer = request.customer
    if customer.kind == "BUSINESS":
        who = [customer.company_name, f"Signing: {request.signer_name}"]
        if customer.company_number:
            who.append(f"Company number {customer.company_number}")
    else:
        name = " ".join(p for p in (customer.title, customer.first_name, customer.last_name) if p)
        who = [name] + (
            [f"Born {customer.date_of_birth:%-d %B %Y}"] if customer.date_of_birth else []
        )
    sites = []
    for index, site in enumerate(request.sites):
        lines = [site.address_line_1, site.address_line_2, site.town, site.county, site.postcode]
        sites.append(
            {
                "address": ", ".join(line for line in lines if line),
                "supplies": [
                    {
                        "fuel": FUEL_LABELS.get(form.choice.fuel, form.choice.fuel),
                        "identifier": form.cleaned_data["identifier"],
                        "tariff": form.choice.tariff_name,
                        "kwh": f"{form.choice.annual_kwh:,.0f}",
                        "cost": format_pence(form.choice.annual_cost_pence),
                    }
                    for form in forms_.supplies
                    if form.choice.site == index
                ],
            }
        )
    bank = request.bank
    return {
        "who": who,
        "email": customer.email,
        "phone": customer.phone,
        "sites": sites,
        "payment": capture.PAYMENT_LABELS.get(request.payment_method, request.payment_method),
        "bank": (
            f"{bank.account_holder}, sort code {bank.sort_code}, account {_masked_account(bank.account_number)}"
            if bank
            else ""
        ),
        "bills": "By email" if request.bill_delivery == "EMAIL" else "On paper, by post",
        "marketing": ", ".join(
            capture.MARKETING_LABELS.get(c, c) for c in request.consents.marketing
        )
        or "No thanks",
        "total": format_pence(sum(form.choice.annual_cost_pence for form in forms_.supplies)),
        "is_business": customer.kind == "BUSINESS",
    }


def _review_page(
    request: HttpRequest,
    draft: dict[str, Any],
    forms_: capture.SignUpForms,
    *,
    left: Sequence[Problem] = (),
    status: int = 200,
) -> HttpResponse:
    return _public(
        request,
        "portals/sign_up/review.html",
        {
            "steps": _progress("review", draft),
            "step_number": len(STEPS),
            "summary": _summary(forms_),
            "key": draft["key"],
            "problems": [p.message for p in left],
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def sign_up_review(request: HttpRequest) -> HttpResponse:
    """Show every answer to check (GET); send the sign-up (POST), then go to the signing
    page, or back to the step whose fields were refused, each problem beside its field."""
    sent = request.session.get(SENT)
    if request.method == "POST" and sent and request.POST.get("key") == sent.get("key"):
        return redirect(sent["url"])  # a second click after the first was taken
    draft = _draft(request)
    if draft is None:
        return redirect("portals:sign_up_quote")
    if (missing := _first_missing(draft, "review")) is not None:
        return redirect(f"portals:sign_up_{missing}")
    forms_ = _forms(draft)
    if not forms_.is_valid():
        step = next(
            s for s in STEP_PREFIXES if not all(f.is_valid() for f in _step_forms(forms_, s))
        )
        return redirect(f"portals:sign_up_{step}")
    if not draft.get("key"):
        draft["key"] = secrets.token_urlsafe(18)
        _save(request, draft)
    if request.method != "POST":
        return _review_page(request, draft, forms_)
    try:
        submitted = sales_operations.submit_order(
            by=identity_queries.principal_for(request.user),
            channel="WEB",
            request=capture.order_request_from(forms_),
            idempotency_key=request.POST.get("key", "") or draft["key"],
            as_at=clock.now(),
        )
    except NotAllowed:
        return _public(request, "portals/sign_up/refused.html", {}, status=403)
    except InvalidInput as error:
        draft["problems"] = [dataclasses.astuple(p) for p in error.problems]
        _save(request, draft)
        left = capture.problems_to_form_errors(forms_, error)
        steps = [_step_of(forms_, p.field) for p in error.problems]
        first = next((s for s, _t in STEPS if s in steps), "review")
        if first == "review":
            return _review_page(request, draft, forms_, left=left, status=422)
        return _step_page(request, draft, first, forms_, status=422)
    order = submitted.order
    if order.status in ("EXCEPTION", "CREDIT_CHECK"):  # a person or the credit check first
        url = reverse("portals:sign_up_received")
    else:
        url = reverse("portals:sign", args=[sales_operations.signing_token(order.contract.id)])
    request.session[SENT] = {
        "key": request.POST.get("key", ""),
        "url": url,
        "reference": order.reference,
    }
    request.session.pop(DRAFT, None)
    return redirect(url)


@require_http_methods(["GET", "HEAD"])
def sign_up_received(request: HttpRequest) -> HttpResponse:
    """Say a sign-up a person must check first was received, and what happens next."""
    sent = request.session.get(SENT)
    if not sent:
        return redirect("portals:sign_up_quote")
    return _public(request, "portals/sign_up/received.html", {"reference": sent["reference"]})
