from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q

from kilowatt.metering import models, queries
from kilowatt.metering.domain import certification, supply
from kilowatt.platform import audit, periods
from kilowatt.platform.errors import InvalidInput, NotFound, Problem, raise_if

_POINT_FIELDS = ("profile_class", "meter_timeswitch_code", "line_loss_factor_class", "region")


def _create_meter(
    point: models.MeterPoint,
    meter: supply.MeterDetails,
    *,
    certified_until: datetime.date | None = None,
) -> models.Meter:
    """Record a meter and its registers; a new meter is certified from its installation
    day for its fuel's certification life (``domain.certification``), unless the day its
    certification ends is known."""
    row = models.Meter.objects.create(
        meter_point=point,
        serial_number=meter.serial_number.strip().upper(),
        type=meter.type,
        units=meter.units,
        digits=meter.digits,
        installed_date=meter.installed_date,
        certified_until=certified_until
        or certification.certified_until(
            fuel=point.fuel, meter_type=meter.type, certified_on=meter.installed_date
        ),
    )
    models.Register.objects.bulk_create(
        models.Register(meter=row, identifier=register.identifier, band=register.band)
        for register in meter.registers
    )
    return row


@transaction.atomic
def register_meter_point(
    *,
    site_id: int,
    details: supply.MeterPointDetails,
    meters: tuple[supply.MeterDetails, ...] = (),
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> models.MeterPoint:
    """Record a meter point (MPAN or MPRN) at a site, with the meters on it.

    :raises InvalidInput: the identifier, region or a meter breaks a rule, or the meter
        point is already recorded (rule ``duplicate``).
    """
    details = supply.normalise(details)
    problems = supply.meter_point_problems(details)
    for index, meter in enumerate(meters):
        problems += supply.meter_problems(
            meter,
            fuel=details.fuel,
            profile_class=details.profile_class,
            today=periods.london_date(as_at),
            prefix=f"meters.{index}.",
        )
    raise_if(problems)
    if models.MeterPoint.objects.filter(identifier=details.identifier).exists():
        raise InvalidInput.one(
            field="identifier", rule="duplicate", message="this meter point is already recorded"
        )
    try:
        with transaction.atomic():
            point = models.MeterPoint.objects.create(
                identifier=details.identifier,
                fuel=details.fuel,
                site_id=site_id,
                region=details.region,
                profile_class=details.profile_class,
                meter_timeswitch_code=details.meter_timeswitch_code,
                line_loss_factor_class=details.line_loss_factor_class,
                created_at=as_at,
            )
    except IntegrityError as error:  # a concurrent registration of the same identifier
        raise InvalidInput.one(
            field="identifier", rule="duplicate", message="this meter point is already recorded"
        ) from error
    for meter in meters:
        _create_meter(point, meter)
    audit.record(
        trail=queries.trail_key(point.id),
        entity="meter_point",
        entity_id=point.identifier,
        action="CREATED",
        changes=audit.created(
            {
                "identifier": point.identifier,
                "fuel": point.fuel,
                "site_id": site_id,
                **{field: getattr(point, field) for field in _POINT_FIELDS},
                "meters": [meter.serial_number for meter in meters],
            }
        ),
        actor=actor,
        at=as_at,
    )
    return point


@transaction.atomic
def update_meter_point(
    *, identifier: str, changes: dict[str, str], actor: audit.Actor, as_at: datetime.datetime
) -> models.MeterPoint:
    """Correct a meter point's profile class, MTC, LLFC or region.

    :raises NotFound: no such meter point.
    :raises InvalidInput: the corrected meter point breaks a rule.
    """
    point = queries.meter_point_by_identifier(identifier=identifier)
    models.MeterPoint.objects.select_for_update().filter(id=point.id).get()
    unknown = set(changes) - set(_POINT_FIELDS)
    if unknown:
        raise InvalidInput.one(
            field=sorted(unknown)[0], rule="unknown_field", message="not a field that can change"
        )
    before = {field: getattr(point, field) for field in _POINT_FIELDS}
    details = supply.normalise(
        supply.MeterPointDetails(
            fuel=point.fuel,
            identifier=point.identifier,
            accept_mprn_check_warning=True,  # the identifier itself is not changing
            **{**before, **changes},
        )
    )
    raise_if(supply.meter_point_problems(details))
    after = {field: getattr(details, field) for field in _POINT_FIELDS}
    for field, value in after.items():
        setattr(point, field, value)
    point.save(update_fields=list(_POINT_FIELDS))
    if changed := audit.diff(before, after):
        audit.record(
            trail=queries.trail_key(point.id),
            entity="meter_point",
            entity_id=point.identifier,
            action="UPDATED",
            changes=changed,
            actor=actor,
            at=as_at,
        )
    return point


@transaction.atomic
def install_meter(
    *,
    identifier: str,
    meter: supply.MeterDetails,
    certified_on: datetime.date | None = None,
    certified_until: datetime.date | None = None,
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> models.Meter:
    """Record a meter installed on a meter point that has no meter in service (a meter
    that replaces another is an exchange: ``exchange_meter``, or ``remove_meter`` first).

    Its certification ends on ``certified_until`` when known (the meter operator said);
    else its fuel's certification life from ``certified_on``, or from its installation.

    :raises NotFound: no such meter point.
    :raises InvalidInput: the meter breaks a rule; another meter is in service (rule
        ``meter_in_service``); the certification ends on or before the installation
        (``certified_until``: ``after_installed``); ``certified_on`` is in the future
        (``not_in_future``).
    """
    point = (
        models.MeterPoint.objects.select_for_update()
        .filter(id__in=queries.meter_point_ids_for_identifier(identifier=identifier))
        .first()
    )
    if point is None:
        raise NotFound(f"meter point {identifier}")
    problems = supply.meter_problems(
        meter, fuel=point.fuel, profile_class=point.profile_class, today=periods.london_date(as_at)
    )
    if certified_on is not None and certified_on > periods.london_date(as_at):
        problems.append(Problem("certified_on", "not_in_future", "cannot be in the future"))
    if certified_until is None and certified_on is not None:
        certified_until = certification.certified_until(
            fuel=point.fuel, meter_type=meter.type, certified_on=certified_on
        )
    if certified_until is not None and certified_until <= meter.installed_date:
        problems.append(
            Problem(
                "certified_until", "after_installed", "the certification ends after installation"
            )
        )
    in_service = queries.current_meter(meter_point_id=point.id)
    if in_service is not None:
        problems.append(
            Problem(
                "meter",
                "meter_in_service",
                f"meter {in_service.serial_number} is in service: remove or exchange it first",
            )
        )
    raise_if(problems)
    row = _create_meter(point, meter, certified_until=certified_until)
    audit.record(
        trail=queries.trail_key(point.id),
        entity="meter",
        entity_id=row.serial_number,
        action="CREATED",
        changes=audit.created(
            {
                "serial_number": row.serial_number,
                "type": row.type,
                "digits": row.digits,
                "installed_date": row.installed_date.isoformat(),
                "certified_until": row.certified_until.isoformat() if row.certified_until else None,
                "registers": [f"{r.identifier} {r.band}" for r in meter.registers],
            }
        ),
        actor=actor,
        at=as_at,
    )
    return row


@transaction.atomic
def remove_meter(
    *,
    identifier: str,
    serial_number: str,
    removed_date: datetime.date,
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> models.Meter:
    """End a meter in service on a meter point: it was taken off on ``removed_date``
    (reads after that day are not its own). No reads are taken: a final read, if there is
    one, comes by its own path.

    :raises NotFound: no such meter point.
    :raises InvalidInput: no meter of that serial is in service there (``serial_number``:
        ``not_in_service``); the day is in the future (``removed_date``:
        ``not_in_future``) or not after its installation (``after_installed``).
    """
    point = (
        models.MeterPoint.objects.select_for_update()
        .filter(id__in=queries.meter_point_ids_for_identifier(identifier=identifier))
        .first()
    )
    if point is None:
        raise NotFound(f"meter point {identifier}")
    serial = serial_number.strip().upper()
    meter = models.Meter.objects.filter(
        meter_point=point, serial_number=serial, removed_date__isnull=True
    ).first()
    if meter is None:
        raise InvalidInput.one(
            field="serial_number",
            rule="not_in_service",
            message=f"no meter {serial} is in service on {point.identifier}",
        )
    problems = []
    if removed_date > periods.london_date(as_at):
        problems.append(Problem("removed_date", "not_in_future", "cannot be in the future"))
    if removed_date <= meter.installed_date:
        problems.append(
            Problem(
                "removed_date",
                "after_installed",
                f"the meter was installed on {meter.installed_date.isoformat()}",
            )
        )
    raise_if(problems)
    meter.removed_date = removed_date
    meter.save(update_fields=["removed_date"])
    audit.record(
        trail=queries.trail_key(point.id),
        entity="meter",
        entity_id=meter.serial_number,
        action="REMOVED",
        changes={"removed_date": [None, removed_date.isoformat()]},
        actor=actor,
        at=as_at,
    )
    return meter


def note_supply_from(*, meter_point_id: int, start: datetime.date) -> None:
    """Record that we supply a meter point from ``start`` (an agreement began then): the
    supply start is the earliest such day, and reads before it are not ours to take."""
    models.MeterPoint.objects.filter(id=meter_point_id).filter(
        Q(supply_start_date__isnull=True) | Q(supply_start_date__gt=start)
    ).update(supply_start_date=start)


def locked_point_and_meter(
    *, identifier: str, doing: str
) -> tuple[models.MeterPoint, models.Meter]:
    """Lock a meter point (by MPAN, MPRN or full MPAN) for a change to its meter and
    return it with the meter in service, for an exchange or a recertification.

    :raises NotFound: no such meter point.
    :raises InvalidInput: it has no meter in service (rule ``no_meter``; ``doing`` says
        what could not be done: "exchange", "recertify").
    """
    point = (
        models.MeterPoint.objects.select_for_update()
        .filter(id__in=queries.meter_point_ids_for_identifier(identifier=identifier))
        .first()
    )
    if point is None:
        raise NotFound(f"meter point {identifier}")
    meter = queries.current_meter(meter_point_id=point.id)
    if meter is None:
        raise InvalidInput.one(
            field="meter", rule="no_meter", message=f"the meter point has no meter to {doing}"
        )
    return point, meter
