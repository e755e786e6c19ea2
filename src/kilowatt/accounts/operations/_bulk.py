"""Load many tariffs, price caps, accounts and agreements at once, set-based (the demo
book, a migration). Rows are plain tuples in the column orders below with ids (and
account numbers, ``account_number(id)``) assigned by the caller; PostgreSQL gets one
``COPY`` per table.

Tariffs are checked against the same rules as ``create_tariff`` (including the price
cap in force on their first day, from the caps loaded with them or already recorded);
accounts' choices are checked; agreements are trusted to tie each meter point to a
tariff of its region and fuel (the caller builds them from the same rows). Call inside a
transaction: a refused batch raises ``InvalidInput`` naming the field, and nothing of it
is kept.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Sequence

from kilowatt.accounts import models, queries
from kilowatt.accounts.domain import tariffs as tariff_rules
from kilowatt.platform import bulk
from kilowatt.platform.errors import InvalidInput, Problem

TARIFF_COLUMNS = (
    "id",
    "code",
    "name",
    "fuel",
    "region",
    "customer_kind",
    "payment_method",
    "kind",
    "term_months",
    "exit_fee_pence",
    "standing_charge_pence_per_day",
    "valid_from",
    "valid_to",
)
TARIFF_RATE_COLUMNS = ("id", "tariff_id", "band", "unit_rate_pence_per_kwh")
PRICE_CAP_COLUMNS = (
    "id",
    "region",
    "fuel",
    "payment_method",
    "standing_charge_pence_per_day",
    "unit_rate_pence_per_kwh",
    "valid_from",
    "valid_to",
)
ACCOUNT_COLUMNS = (
    "id",
    "number",
    "customer_id",
    "status",
    "payment_method",
    "bill_delivery",
    "created_at",
)
AGREEMENT_COLUMNS = ("id", "account_id", "meter_point_id", "tariff_id", "valid_from", "valid_to")


def _named(columns: Sequence[str], row: tuple) -> dict:
    return dict(zip(columns, row, strict=True))


def _cap_in_force(
    caps: list[dict], *, region: str, fuel: str, payment_method: str, on: datetime.date
) -> tariff_rules.Cap | None:
    for cap in caps:
        if (
            (cap["region"], cap["fuel"], cap["payment_method"]) == (region, fuel, payment_method)
            and cap["valid_from"] <= on
            and (cap["valid_to"] is None or on < cap["valid_to"])
        ):
            return tariff_rules.Cap(
                cap["standing_charge_pence_per_day"],
                cap["unit_rate_pence_per_kwh"],
                cap["valid_from"],
            )
    recorded = queries.price_cap_in_force(
        region=region, fuel=fuel, payment_method=payment_method, on=on
    )
    if recorded is None:
        return None
    return tariff_rules.Cap(
        recorded.standing_charge_pence_per_day,
        recorded.unit_rate_pence_per_kwh,
        recorded.valid_from,
    )


def _check_tariffs(
    tariffs: Sequence[tuple], rates: Sequence[tuple], price_caps: Sequence[tuple]
) -> None:
    caps = [_named(PRICE_CAP_COLUMNS, row) for row in price_caps]
    rates_of: dict[int, list[tuple[str, object]]] = {}
    for _id, tariff_id, band, rate in rates:
        rates_of.setdefault(tariff_id, []).append((band, rate))
    for row in tariffs:
        values = _named(TARIFF_COLUMNS, row)
        details = tariff_rules.TariffDetails(
            code=values["code"],
            name=values["name"],
            fuel=values["fuel"],
            region=values["region"],
            customer_kind=values["customer_kind"],
            payment_method=values["payment_method"],
            kind=values["kind"],
            standing_charge_pence_per_day=values["standing_charge_pence_per_day"],
            unit_rates=tuple(rates_of.get(values["id"], ())),  # type: ignore[arg-type]
            valid_from=values["valid_from"],
            valid_to=values["valid_to"],
            term_months=values["term_months"],
            exit_fee_pence=values["exit_fee_pence"],
        )
        cap = _cap_in_force(
            caps,
            region=details.region,
            fuel=details.fuel,
            payment_method=details.payment_method,
            on=details.valid_from,
        )
        if problems := tariff_rules.problems(details, cap=cap):
            raise InvalidInput(
                [
                    Problem(f"tariff.{p.field}", p.rule, f"tariff {details.code}: {p.message}")
                    for p in problems
                ]
            )


def load_tariffs(
    *, tariffs: Sequence[tuple], rates: Sequence[tuple], price_caps: Sequence[tuple] = ()
) -> int:
    """Write tariffs with their unit rates, and price caps; return the rows written.

    :raises InvalidInput: a tariff breaks a rule of ``create_tariff`` (the field is
        named; nothing is written).
    """
    _check_tariffs(tariffs, rates, price_caps)
    return (
        bulk.write_rows(models.PriceCap, PRICE_CAP_COLUMNS, price_caps)
        + bulk.write_rows(models.Tariff, TARIFF_COLUMNS, tariffs)
        + bulk.write_rows(models.TariffRate, TARIFF_RATE_COLUMNS, rates)
    )


def _check_accounts(rows: Sequence[tuple]) -> None:
    allowed = {
        "status": frozenset(models.Account.Status.values),
        "payment_method": frozenset(models.PaymentMethod.values),
        "bill_delivery": frozenset(models.Account.BillDelivery.values),
    }
    positions = {field: ACCOUNT_COLUMNS.index(field) for field in allowed}
    for row in rows:
        for field, position in positions.items():
            if row[position] not in allowed[field]:
                raise InvalidInput.one(
                    field=f"account.{field}",
                    rule="choice",
                    message=f"account {row[0]}: {row[position]!r} is not one of {', '.join(sorted(allowed[field]))}",
                )


def load_accounts(*, accounts: Sequence[tuple], agreements: Sequence[tuple] = ()) -> int:
    """Write accounts and their agreements; return the rows written.

    :raises InvalidInput: an account's status, payment method or bill delivery is not
        one of its choices (the field is named; nothing is written).
    """
    _check_accounts(accounts)
    return bulk.write_rows(models.Account, ACCOUNT_COLUMNS, accounts) + bulk.write_rows(
        models.Agreement, AGREEMENT_COLUMNS, agreements
    )


def tariff_ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    """Return the ids of the tariffs already recorded among ``codes``, by code."""
    return dict(models.Tariff.objects.filter(code__in=list(codes)).values_list("code", "id"))


def recorded_price_caps(*, valid_from: datetime.date) -> set[tuple[str, str, str]]:
    """Return (region, fuel, payment method) of the caps already recorded from a day."""
    return set(
        models.PriceCap.objects.filter(valid_from=valid_from).values_list(
            "region", "fuel", "payment_method"
        )
    )


def next_account_ids() -> dict[str, int]:
    """Return the first free id of each accounts table (for a caller assigning ids)."""
    return {
        "tariff": bulk.next_id(models.Tariff),
        "tariff_rate": bulk.next_id(models.TariffRate),
        "price_cap": bulk.next_id(models.PriceCap),
        "account": bulk.next_id(models.Account),
        "agreement": bulk.next_id(models.Agreement),
    }


def finish_account_load() -> None:
    """After a load: move the id sequences past the ids it assigned, refresh the planner's statistics."""
    bulk.finish_load(
        models.Tariff, models.TariffRate, models.PriceCap, models.Account, models.Agreement
    )


def set_aside_account_indexes() -> contextlib.AbstractContextManager[None]:
    """Set the accounts and agreements tables' secondary indexes and constraints aside for a big load and
    rebuild them after it, inside the caller's transaction (``bulk.indexes_set_aside``)."""
    return bulk.indexes_set_aside(models.Account, models.Agreement)
