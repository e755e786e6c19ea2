from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from kilowatt.accounts import models, queries
from kilowatt.accounts.domain import tariffs as tariff_rules
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotAllowed, Problem, raise_if


def _require_pricing(principal: Principal) -> None:
    if not principal.may(Permission.MANAGE_TARIFFS):
        raise NotAllowed(f"{principal.username} may not manage tariffs")


@transaction.atomic
def create_tariff(
    *, by: Principal, details: tariff_rules.TariffDetails, as_at: datetime.datetime
) -> models.Tariff:
    """Put a tariff on sale, checked against the price cap in force on its first day.

    :raises NotAllowed: ``by`` may not manage tariffs.
    :raises InvalidInput: the tariff breaks a rule, its code is taken, or a home
        customer's variable tariff is above the price cap.
    """
    _require_pricing(by)
    details = dataclasses.replace(
        details,
        code=details.code.strip().upper(),
        name=details.name.strip(),
        fuel=details.fuel.upper(),
        customer_kind=details.customer_kind.upper(),
        payment_method=details.payment_method.upper(),
        kind=details.kind.upper(),
        unit_rates=tuple((band.upper(), Decimal(rate)) for band, rate in details.unit_rates),
    )
    cap_row = queries.price_cap_in_force(
        region=details.region,
        fuel=details.fuel,
        payment_method=details.payment_method,
        on=details.valid_from,
    )
    cap = (
        tariff_rules.Cap(
            standing_charge_pence_per_day=cap_row.standing_charge_pence_per_day,
            unit_rate_pence_per_kwh=cap_row.unit_rate_pence_per_kwh,
            valid_from=cap_row.valid_from,
        )
        if cap_row
        else None
    )
    raise_if(tariff_rules.problems(details, cap=cap))
    try:
        with transaction.atomic():
            tariff = models.Tariff.objects.create(
                code=details.code,
                name=details.name,
                fuel=details.fuel,
                region=details.region,
                customer_kind=details.customer_kind,
                payment_method=details.payment_method,
                kind=details.kind,
                term_months=details.term_months,
                exit_fee_pence=details.exit_fee_pence,
                standing_charge_pence_per_day=details.standing_charge_pence_per_day,
                valid_from=details.valid_from,
                valid_to=details.valid_to,
            )
    except IntegrityError as error:
        raise InvalidInput.one(
            field="code", rule="unique", message="this tariff code is taken"
        ) from error
    models.TariffRate.objects.bulk_create(
        models.TariffRate(tariff=tariff, band=band, unit_rate_pence_per_kwh=rate)
        for band, rate in details.unit_rates
    )
    audit.record(
        trail=f"tariff:{tariff.code}",
        entity="tariff",
        entity_id=tariff.code,
        action="CREATED",
        changes=audit.created({"name": tariff.name, "region": tariff.region, "fuel": tariff.fuel}),
        actor=audit.Actor(id=by.user_id, name=by.username),
        at=as_at,
    )
    return queries.tariff_for(code=tariff.code)


@transaction.atomic
def record_price_cap(
    *,
    by: Principal,
    region: str,
    fuel: str,
    payment_method: str,
    standing_charge_pence_per_day: Decimal,
    unit_rate_pence_per_kwh: Decimal,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    as_at: datetime.datetime,
) -> models.PriceCap:
    """Record Ofgem's cap for a region, fuel and payment method over a period.

    :raises NotAllowed: ``by`` may not manage tariffs.
    :raises InvalidInput: a value is out of range or the period is empty.
    """
    _require_pricing(by)
    problems = []
    if valid_to is not None and valid_to <= valid_from:
        problems.append(Problem("valid_to", "after_valid_from", "must be after valid_from"))
    if standing_charge_pence_per_day < 0 or unit_rate_pence_per_kwh < 0:
        problems.append(Problem("rates", "not_negative", "caps cannot be negative"))
    raise_if(problems)
    cap, _created = models.PriceCap.objects.update_or_create(
        region=region,
        fuel=fuel.upper(),
        payment_method=payment_method.upper(),
        valid_from=valid_from,
        defaults={
            "standing_charge_pence_per_day": standing_charge_pence_per_day,
            "unit_rate_pence_per_kwh": unit_rate_pence_per_kwh,
            "valid_to": valid_to,
        },
    )
    return cap
