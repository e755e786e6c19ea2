from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.field import models
from kilowatt.field.domain import slots as slot_rules
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, raise_if


@transaction.atomic
def plan_capacity(
    *,
    region: str,
    start: datetime.date,
    days: int,
    engineers: int,
    slots: tuple[str, ...] = slot_rules.SLOTS,
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> int:
    """Set how many appointments a region's engineers can take in each slot of ``days``
    days from ``start``, creating the slots that are not planned yet. Returns how many
    slots were planned or changed.

    :raises InvalidInput: the region, a slot or the number of engineers breaks a rule;
        ``days`` is not 1 to 366; or a slot already has more appointments booked than
        the new capacity (rule ``below_booked``).
    """
    problems = []
    for slot in slots:
        problems += slot_rules.capacity_problems(region=region, slot=slot, engineers=engineers)
    raise_if(problems)
    if not 1 <= days <= 366:
        raise InvalidInput.one(field="days", rule="range", message="plan 1 to 366 days")
    dates = [start + datetime.timedelta(days=offset) for offset in range(days)]
    existing = {
        (row.date, row.slot): row
        for row in models.Capacity.objects.select_for_update()
        .filter(region=region, date__in=dates, slot__in=slots)
        .order_by("date", "slot")
    }
    changed = 0
    new_rows = []
    for day in dates:
        for slot in slots:
            row = existing.get((day, slot))
            if row is None:
                new_rows.append(
                    models.Capacity(region=region, date=day, slot=slot, engineers=engineers)
                )
            elif row.engineers != engineers:
                if row.booked > engineers:
                    raise InvalidInput.one(
                        field="engineers",
                        rule="below_booked",
                        message=f"{day} {slot} already has {row.booked} appointments booked",
                    )
                row.engineers = engineers
                row.save(update_fields=["engineers"])
                changed += 1
    models.Capacity.objects.bulk_create(new_rows)
    changed += len(new_rows)
    audit.record(
        trail=f"field:capacity:{region}",
        entity="capacity",
        entity_id=region,
        action="PLANNED",
        changes={
            "from": [None, start.isoformat()],
            "days": [None, days],
            "slots": [None, ",".join(slots)],
            "engineers": [None, engineers],
        },
        actor=actor,
        at=as_at,
    )
    return changed
