"""A meter recertified where it is: its certification starts again from that day."""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.metering import models, queries
from kilowatt.metering.domain import certification
from kilowatt.metering.operations._meter_points import locked_point_and_meter
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput

RECERTIFIED = "metering.meter.recertified.v1"


@transaction.atomic
def recertify_meter(
    *,
    identifier: str,
    recertified_on: datetime.date,
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> models.Meter:
    """Record that the meter in service on a meter point was recertified in place on
    ``recertified_on``: its certification ends a full certification life later
    (``domain.certification``). Audited on the meter point's trail and announced as
    ``metering.meter.recertified.v1``.

    :raises NotFound: no such meter point.
    :raises InvalidInput: the meter point has no meter in service (rule ``no_meter``), or
        the day is before the meter was installed (``recertified_on``, ``after_installed``).
    """
    point, meter = locked_point_and_meter(identifier=identifier, doing="recertify")
    if recertified_on < meter.installed_date:
        raise InvalidInput.one(
            field="recertified_on",
            rule="after_installed",
            message="a meter is recertified after it was installed",
        )
    before = meter.certified_until
    meter.certified_until = certification.certified_until(
        fuel=point.fuel, meter_type=meter.type, certified_on=recertified_on
    )
    meter.save(update_fields=["certified_until"])
    audit.record(
        trail=queries.trail_key(point.id),
        entity="meter",
        entity_id=meter.serial_number,
        action="UPDATED",
        changes=audit.diff({"certified_until": before}, {"certified_until": meter.certified_until}),
        actor=actor,
        at=as_at,
    )
    events.publish(
        name=RECERTIFIED,
        payload={
            "meter_point_id": point.id,
            "identifier": point.identifier,
            "meter_id": meter.id,
            "serial": meter.serial_number,
            "recertified_on": recertified_on.isoformat(),
            "certified_until": meter.certified_until.isoformat(),
        },
        at=as_at,
    )
    return meter
