"""The rules that tie a meter point to an account and tariff. Pure: no Django."""

from __future__ import annotations

import dataclasses
import datetime

from kilowatt.platform.errors import Problem
from kilowatt.platform.periods import DatePeriod


@dataclasses.dataclass(frozen=True)
class TariffFacts:
    fuel: str
    region: str
    customer_kind: str
    payment_method: str
    valid_from: datetime.date
    valid_to: datetime.date | None


@dataclasses.dataclass(frozen=True)
class MeterPointFacts:
    fuel: str
    region: str


def problems(
    *,
    period: DatePeriod,
    tariff: TariffFacts,
    meter_point: MeterPointFacts,
    customer_kind: str,
    payment_method: str,
    existing: list[DatePeriod],
) -> list[Problem]:
    """Return every rule a new agreement over ``period`` breaks.

    ``existing`` are the periods of the meter point's other agreements: a meter point is
    supplied under one agreement at a time.
    """
    found: list[Problem] = []
    if tariff.fuel != meter_point.fuel:
        found.append(
            Problem(
                "tariff",
                "fuel_matches",
                f"a {tariff.fuel.lower()} tariff cannot supply a {meter_point.fuel.lower()} meter point",
            )
        )
    if tariff.region != meter_point.region:
        found.append(
            Problem(
                "tariff",
                "region_matches",
                f"the tariff is for region {tariff.region}, the meter point is in {meter_point.region}",
            )
        )
    if tariff.customer_kind != customer_kind:
        found.append(
            Problem(
                "tariff",
                "customer_kind_matches",
                f"the tariff is for {tariff.customer_kind.lower()} customers",
            )
        )
    if tariff.payment_method != payment_method:
        found.append(
            Problem(
                "tariff",
                "payment_method_matches",
                f"the tariff is for {tariff.payment_method} accounts; this account pays by {payment_method}",
            )
        )
    on_sale = DatePeriod(tariff.valid_from, tariff.valid_to)
    if not on_sale.contains(period.start):
        found.append(
            Problem("valid_from", "tariff_on_sale", "the tariff is not on sale on this date")
        )
    if any(period.overlaps(other) for other in existing):
        found.append(
            Problem(
                "valid_from",
                "no_overlap",
                "the meter point already has an agreement over these dates",
            )
        )
    return found
