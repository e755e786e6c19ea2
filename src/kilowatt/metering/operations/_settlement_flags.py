"""A person acknowledges a flagged EAC/AQ change (a large swing, or a result that was not
positive and so not applied): the settlement flags page and its API."""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.metering import models, queries
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotFound


@transaction.atomic
def review_settlement_flag(
    *, change_id: int, note: str = "", actor: audit.Actor, as_at: datetime.datetime
) -> models.AnnualConsumptionChange:
    """Acknowledge a flagged EAC/AQ change: it leaves the flags queue, audited on the
    meter point's trail with who and when (and the note, if any).

    :raises NotFound: no such change, or it was not flagged.
    :raises InvalidInput: it was reviewed already (field ``change``, rule ``reviewed``),
        or it no longer stands (rule ``superseded``: its read was withdrawn).
    """
    change = (
        models.AnnualConsumptionChange.objects.select_for_update()
        .filter(id=change_id)
        .exclude(flagged="")
        .first()
    )
    if change is None:
        raise NotFound(f"settlement flag {change_id}")
    if change.reviewed_at is not None:
        raise InvalidInput.one(
            field="change",
            rule="reviewed",
            message=f"already reviewed by {change.reviewed_by} on {change.reviewed_at:%d %b %Y}",
        )
    if change.superseded_at is not None:
        raise InvalidInput.one(
            field="change",
            rule="superseded",
            message="this change no longer stands: its read was withdrawn or recalculated",
        )
    change.reviewed_at, change.reviewed_by = as_at, actor.name[:150]
    change.save(update_fields=["reviewed_at", "reviewed_by"])
    meter_point_id = (
        models.Register.objects.filter(id=change.register_id)
        .values_list("meter__meter_point_id", flat=True)
        .first()
    )
    if meter_point_id is not None:
        note = " ".join(note.split())
        audit.record(
            trail=queries.trail_key(meter_point_id),
            entity="annual_consumption_change",
            entity_id=change.id,
            action="UPDATED",
            changes={
                "action": [None, f"{change.flagged} flag reviewed"],
                **({"note": [None, note]} if note else {}),
            },
            actor=actor,
            at=as_at,
        )
    return change
