"""The Climate Change Levy on business supply: dated rates in pence per kWh, data not
code. A kWh takes the rate in force on its part's last day. Pure: no Django, no clock."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

# (in force from, {fuel: p/kWh}), oldest first. Extend with each Finance Act.
CCL_PENCE_PER_KWH: tuple[tuple[datetime.date, Mapping[str, Decimal]], ...] = (
    (
        datetime.date(2025, 4, 1),
        {"ELECTRICITY": Decimal("0.775"), "GAS": Decimal("0.672")},
    ),
    (
        datetime.date(2026, 4, 1),
        {"ELECTRICITY": Decimal("0.801"), "GAS": Decimal("0.801")},
    ),
)


def ccl_rate(*, fuel: str, on: datetime.date) -> Decimal:
    """Return the levy in pence per kWh of ``fuel`` in force on ``on``.

    :raises ValueError: ``on`` is before the first rate recorded, or the fuel is unknown.
    """
    found: Decimal | None = None
    for in_force_from, rates in CCL_PENCE_PER_KWH:
        if in_force_from > on:
            break
        if fuel not in rates:
            raise ValueError(f"no Climate Change Levy rate for fuel {fuel!r}")
        found = rates[fuel]
    if found is None:
        raise ValueError(f"no Climate Change Levy rate recorded for {on.isoformat()}")
    return found
