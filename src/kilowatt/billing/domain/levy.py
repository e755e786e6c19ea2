"""The Climate Change Levy on business supply: dated rates in pence per kWh, data not
code. A kWh takes the rate in force on its part's last day. Pure: no Django, no clock."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

# (in force from, {fuel: p/kWh}), oldest first. Extend with each Finance Act.
# Source: HMRC, "Climate Change Levy rates" (gov.uk, rates-and-allowances-climate-change-
# levy), main rates in GBP per kWh: electricity 0.00775 from 1 April 2022 to 31 March 2026;
# gas 0.00568 (2022), 0.00672 (2023), 0.00775 (2024 and 2025, equalised with electricity);
# both 0.00801 from 1 April 2026 (RPI uprating announced 30 October 2024). The bill run's
# engine (``bill_frame``) reads this same table.
CCL_PENCE_PER_KWH: tuple[tuple[datetime.date, Mapping[str, Decimal]], ...] = (
    (
        datetime.date(2022, 4, 1),
        {"ELECTRICITY": Decimal("0.775"), "GAS": Decimal("0.568")},
    ),
    (
        datetime.date(2023, 4, 1),
        {"ELECTRICITY": Decimal("0.775"), "GAS": Decimal("0.672")},
    ),
    (
        datetime.date(2024, 4, 1),
        {"ELECTRICITY": Decimal("0.775"), "GAS": Decimal("0.775")},
    ),
    (
        datetime.date(2025, 4, 1),
        {"ELECTRICITY": Decimal("0.775"), "GAS": Decimal("0.775")},
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
