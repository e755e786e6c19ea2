"""A quote by email: priced now, rendered and queued in comms' outbox once."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from kilowatt import validation
from kilowatt.comms import operations as comms
from kilowatt.platform.errors import Problem, raise_if
from kilowatt.sales.domain import quotes as quote_rules
from kilowatt.sales.queries._quotes import quote

TEMPLATE = "sales/email/quote"
_FUEL_NAMES = {"ELECTRICITY": "Electricity", "GAS": "Gas"}
_BAND_NAMES = {"ANYTIME": "Unit rate", "DAY": "Day rate", "NIGHT": "Night rate"}


def quote_email_key(*, to: str, request: quote_rules.QuoteRequest, today: datetime.date) -> str:
    """Return the idempotency key of a quote's email: the same request, day and address
    is one email however often it is asked for."""

    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    facts = json.dumps(
        {
            "to": to.strip().lower(),
            "day": today.isoformat(),
            "request": dataclasses.asdict(request),
        },
        default=plain,
        sort_keys=True,
    )
    return f"sales.quote:{hashlib.sha256(facts.encode()).hexdigest()}"


def _pounds(pence: int) -> str:
    return f"£{Decimal(pence) / 100:,.2f}"


def _rate(pence: Decimal) -> str:
    return f"{pence.normalize():f}p" if pence == pence.quantize(Decimal("0.01")) else f"{pence}p"


def _context(result: quote_rules.Quote) -> dict[str, Any]:
    sites = []
    for site in result.sites:
        fuels = []
        for fuel in site.fuels:
            fuels.append(
                {
                    "name": _FUEL_NAMES.get(fuel.fuel, fuel.fuel),
                    "kwh": f"{fuel.annual_kwh:,.0f}",
                    "estimated": fuel.estimated,
                    "offers": [
                        {
                            "name": offer.tariff_name,
                            "code": offer.tariff_code,
                            "term": f"{offer.term_months} months fixed"
                            if offer.term_months
                            else "variable, no fixed term",
                            "exit_fee": _pounds(offer.exit_fee_pence)
                            if offer.exit_fee_pence
                            else "none",
                            "standing_charge": _rate(offer.standing_charge_pence_per_day),
                            "rates": [
                                {
                                    "name": _BAND_NAMES.get(line.band, line.band),
                                    "rate": _rate(line.rate_pence_per_kwh),
                                }
                                for line in offer.unit_rates
                            ],
                            "annual_cost": _pounds(offer.estimated_annual_cost_pence),
                            "vat": _pounds(offer.vat_pence),
                            "vat_rate": offer.vat_rate,
                            "total": _pounds(offer.total_pence),
                        }
                        for offer in fuel.offers
                    ],
                }
            )
        sites.append({"postcode": site.postcode, "fuels": fuels})
    return {
        "quoted_on": f"{result.quoted_on.day} {result.quoted_on:%B %Y}",
        "is_business": result.customer_kind == "BUSINESS",
        "with_vat": result.prices_include_vat,
        "payment_method": result.payment_method.replace("_", " ").lower(),
        "sites": sites,
        "many_sites": len(sites) > 1,
    }


def email_quote(
    *,
    to: str,
    request: quote_rules.QuoteRequest,
    today: datetime.date,
    as_at: datetime.datetime,
) -> int:
    """Price the quote for ``today`` and queue it by email to ``to``; return the email's id.

    The same request, day and address queue one email however often they are sent.

    :raises InvalidInput: the request breaks a rule (see ``queries.quote``), or ``to`` is
        not an email address (field ``email``, rule ``required`` or ``email_format``).
    """
    problems = quote_rules.quote_problems(request)
    if not to.strip():
        problems.append(Problem("email", "required", "an address to send the quote to"))
    elif (problem := validation.email_problem(to.strip())) is not None:
        problems.append(Problem("email", "email_format", f"{to!r} is {problem}"))
    raise_if(problems)
    return comms.queue_email(
        key=quote_email_key(to=to, request=request, today=today),
        to=to,
        template=TEMPLATE,
        context=_context(quote(request=request, today=today)),
        as_at=as_at,
    )
