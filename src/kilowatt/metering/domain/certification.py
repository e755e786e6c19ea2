"""How long a meter stays certified, and when its recertification is due. Pure: no Django.

A meter used to bill a customer must be certified (electricity: Schedule 7 of the
Electricity Act 1989 and the Meters (Certification) Regulations 1998, SI 1998/1566; gas:
section 17 of the Gas Act 1986, a stamped meter), and each approved meter type is given a
certification life: how long a meter may stay on the wall from its certification. When
the life ends the supplier must replace the meter, or have it recertified.

Defaults, one place (``certification_years``):

- **Electricity: 10 years.** OPSS guidance "Electricity meter certification" (gov.uk):
  lives are 10 years for newly approved induction (electromechanical) meters and between
  10 and 20 years for static (electronic, smart) meters, a life above 10 years needing a
  reliability model, and the national sample survey may extend or shorten a type's life.
  We do not hold a meter's approved type (make and model), only credit, prepayment or
  smart, so every electricity meter takes the floor of both ranges: a job raised early
  is a visit too soon, one raised late is a meter billed out of certification.
- **Gas: 20 years.** The usual stamped life of a domestic diaphragm meter, an assumption
  (no life per type is published in a form we hold).

A meter is certified on the day it is installed (the regulations count from certification,
which for a new meter is within weeks of installation: an assumption), and a meter
recertified in place is certified again from that day for the same period.
"""

from __future__ import annotations

import datetime

ELECTRICITY_YEARS = 10
GAS_YEARS = 20
# How long before a certification ends the recertification job is raised: a visit must
# be booked and kept within it.
DEFAULT_LEAD_DAYS = 90


def certification_years(*, fuel: str, meter_type: str) -> int:
    """Return the certification life, in years, of a meter of ``fuel`` and ``meter_type``
    (CREDIT, PREPAYMENT or SMART): the documented defaults above."""
    del meter_type  # the floor of every type's range; see the module's note
    return GAS_YEARS if fuel == "GAS" else ELECTRICITY_YEARS


def add_years(day: datetime.date, years: int) -> datetime.date:
    """Return the same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year that has none
        return day.replace(year=day.year + years, day=28)


def certified_until(*, fuel: str, meter_type: str, certified_on: datetime.date) -> datetime.date:
    """Return the day the certification of a meter certified on ``certified_on`` ends:
    the meter must be replaced or recertified by then."""
    return add_years(certified_on, certification_years(fuel=fuel, meter_type=meter_type))


def recertification_due_by(*, today: datetime.date, lead_days: int) -> datetime.date:
    """Return the day up to which (inclusive) a certification ending makes a meter due
    for a recertification job raised on ``today``."""
    return today + datetime.timedelta(days=lead_days)


def is_recertification_due(
    *, certified_until: datetime.date | None, today: datetime.date, lead_days: int
) -> bool:
    """Return whether a meter whose certification ends on ``certified_until`` needs a
    recertification job raised on ``today`` (already expired counts; unknown does not)."""
    if certified_until is None:
        return False
    return certified_until <= recertification_due_by(today=today, lead_days=lead_days)
