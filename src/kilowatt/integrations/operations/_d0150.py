"""Import D0150 (meter technical details) files: the meters a meter operator installed on,
or removed from, the metering systems we supply.

A gained meter point is recorded at sign-up from its MPAN alone; the meter operator's
D0150 after the switch tells us its meter and registers. An import parses the whole file
first (a bad file raises before anything is written), then takes each 288 group (one
metering system) whole or not at all: its removed meters (08A) are ended through
``metering.operations.remove_meter``, then its installed meters (290 with their 293
registers) recorded through ``metering.operations.install_meter``. A group for a meter
point we do not know, or one a record of which is refused, is kept as a
``MeterDetailsForReview`` row for a person. The file is recorded once by the hash of its
content: the same file again changes nothing and answers with the first import's report.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections import Counter
from typing import Any

from django.db import transaction

from kilowatt.integrations import models
from kilowatt.integrations.domain import d0150
from kilowatt.integrations.operations import _flow_files as flow_files
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.metering.domain import supply
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotFound

ACCEPTED = "ACCEPTED"
REFUSED = "REFUSED"
DUPLICATE = "DUPLICATE"  # already so: nothing changed
UNKNOWN = "UNKNOWN"  # the meter point is not one we know: kept for review
STATUSES = (ACCEPTED, REFUSED, DUPLICATE, UNKNOWN)

INSTALL = "INSTALL"
REMOVE = "REMOVE"
NOTHING = "NOTHING"  # a 288 group with no meter installed or removed

UNKNOWN_METER_POINT = "unknown_meter_point"
GROUP_REFUSED = "group_refused"


@dataclasses.dataclass(frozen=True)
class MeterRecordOutcome:
    """What became of one record of a D0150: a meter installed (290) or removed (08A)."""

    line: int
    mpan_core: str
    action: str  # INSTALL, REMOVE, NOTHING
    meter_serial: str
    status: str  # one of STATUSES
    rule: str = ""
    message: str = ""
    meter_id: int | None = None
    registers: str = ""  # "1 DAY, 2 NIGHT": what was (or would have been) recorded

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class MeterDetailsReport:
    """What a D0150 import did, record by record; ``repeat`` when the file had been
    imported before (and this import changed nothing)."""

    flow_file_id: int
    file_id: str
    filename: str
    records: tuple[MeterRecordOutcome, ...]
    repeat: bool = False
    flow: str = d0150.FLOW

    def count(self, status: str) -> int:
        return sum(1 for record in self.records if record.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUSES}


def _report(flow_file: models.FlowFile, *, repeat: bool) -> MeterDetailsReport:
    return MeterDetailsReport(
        flow_file_id=flow_file.id,
        file_id=flow_file.file_id,
        filename=flow_file.filename,
        records=tuple(MeterRecordOutcome(**item) for item in flow_file.outcomes),
        repeat=repeat,
    )


def _bands(registers: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{identifier} {band}" for identifier, band in registers)


class _Refused(Exception):
    """A record of a group was refused: the group's savepoint is rolled back."""


@dataclasses.dataclass
class _Group:
    """One 288 group on its way through: its point and the outcomes so far."""

    system: d0150.MeterTechnicalDetails
    point: Any  # metering.models.MeterPoint, with meters and registers
    actor: audit.Actor
    as_at: datetime.datetime
    outcomes: list[MeterRecordOutcome] = dataclasses.field(default_factory=list)

    def add(self, line: int, action: str, serial: str, status: str, **more: Any) -> None:
        self.outcomes.append(
            MeterRecordOutcome(
                line=line,
                mpan_core=self.system.mpan_core,
                action=action,
                meter_serial=serial,
                status=status,
                **more,
            )
        )
        if status == REFUSED:
            raise _Refused


def _first_problem(error: InvalidInput) -> tuple[str, str]:
    problem = error.problems[0]
    return problem.rule, f"{problem.field}: {problem.message}"


def _remove(group: _Group, removed: d0150.RemovedMeter) -> None:
    serial = removed.meter_id.strip().upper()
    add = functools.partial(group.add, removed.line, REMOVE, serial)
    held = [meter for meter in group.point.meters.all() if meter.serial_number == serial]
    if not held:
        add(
            REFUSED,
            rule="removed_meter_unknown",
            message=f"meter {serial} is not one we hold on this meter point",
        )
        return
    meter = held[-1]
    if meter.removed_date == removed.removed_on:
        add(DUPLICATE, meter_id=meter.id, message="already removed that day")
        return
    if meter.removed_date is not None:
        add(
            REFUSED,
            rule="already_removed",
            meter_id=meter.id,
            message=f"meter {serial} was removed on {meter.removed_date.isoformat()}",
        )
        return
    try:
        metering_operations.remove_meter(
            identifier=group.point.identifier,
            serial_number=serial,
            removed_date=removed.removed_on,
            actor=group.actor,
            as_at=group.as_at,
        )
    except InvalidInput as error:
        rule, message = _first_problem(error)
        add(REFUSED, rule=rule, message=message, meter_id=meter.id)
        return
    add(ACCEPTED, meter_id=meter.id)


def _same(meter: Any, ours: d0150.OurMeter) -> bool:
    return (
        meter.installed_date == ours.installed_on
        and meter.type == ours.type
        and meter.digits == ours.digits
        and sorted((r.identifier, r.band) for r in meter.registers.all()) == sorted(ours.registers)
    )


def _refusal_before_install(
    group: _Group, ours: d0150.OurMeter, held: list[Any]
) -> tuple[str, str] | None:
    """Return (rule, message) if the meter cannot be installed as the file has it."""
    if held and held[-1].removed_date is None:
        return "details_differ", (
            f"meter {ours.serial_number} is recorded here with other details "
            "(installed, type, digits or registers): a correction is for a person"
        )
    if held:
        return "meter_removed", (
            f"meter {ours.serial_number} was removed from here on "
            f"{held[-1].removed_date.isoformat()}"
        )
    late = [r for r in group.system.removed if r.removed_on > ours.installed_on]
    if late:
        return "installed_before_removal", (
            f"installed on {ours.installed_on.isoformat()}, before meter {late[0].meter_id} "
            f"was removed on {late[0].removed_on.isoformat()}"
        )
    return None


def _install(group: _Group, installed: d0150.InstalledMeter) -> None:
    serial = installed.meter_id.strip().upper()
    add = functools.partial(group.add, installed.line, INSTALL, serial)
    ours = d0150.our_meter(installed, profile_class=group.point.profile_class)
    if isinstance(ours, d0150.Refusal):
        add(REFUSED, rule=ours.rule, message=f"{ours.field}: {ours.message}")
        return
    bands = _bands(ours.registers)
    held = [meter for meter in group.point.meters.all() if meter.serial_number == serial]
    if held and held[-1].removed_date is None and _same(held[-1], ours):
        add(DUPLICATE, meter_id=held[-1].id, registers=bands, message="already recorded")
        return
    if refusal := _refusal_before_install(group, ours, held):
        add(REFUSED, rule=refusal[0], message=refusal[1], registers=bands)
        return
    try:
        meter = metering_operations.install_meter(
            identifier=group.point.identifier,
            meter=supply.MeterDetails(
                serial_number=serial,
                type=ours.type,
                digits=ours.digits,
                installed_date=ours.installed_on,
                units="KWH",
                registers=tuple(
                    supply.RegisterDetails(identifier=identifier, band=band)
                    for identifier, band in ours.registers
                ),
            ),
            certified_on=ours.certified_on,
            certified_until=ours.certified_until,
            actor=group.actor,
            as_at=group.as_at,
        )
    except InvalidInput as error:
        rule, message = _first_problem(error)
        if rule == "meter_in_service":
            message += (
                " (the file removes no meter in service: an exchange needs the old meter's"
                " final and the new meter's first reads, so a person must make it)"
            )
        add(REFUSED, rule=rule, message=message, registers=bands)
        return
    add(ACCEPTED, meter_id=meter.id, registers=bands)


def _group_text(lines: list[str], system: d0150.MeterTechnicalDetails) -> str:
    return "\n".join(lines[system.line - 1 : system.last_line]) + "\n"


def _keep(
    flow_file: models.FlowFile,
    system: d0150.MeterTechnicalDetails,
    lines: list[str],
    *,
    status: str,
    rule: str,
    message: str,
) -> None:
    models.MeterDetailsForReview.objects.create(
        flow_file=flow_file,
        line=system.line,
        mpan_core=system.mpan_core,
        status=status,
        rule=rule,
        message=message[:300],
        content=_group_text(lines, system),
    )


def _records(system: d0150.MeterTechnicalDetails) -> list[tuple[int, str, str]]:
    """Every record of a group as (line, action, serial), in the file's order."""
    found = [(m.line, INSTALL, m.meter_id.strip().upper()) for m in system.installed]
    found += [(m.line, REMOVE, m.meter_id.strip().upper()) for m in system.removed]
    return sorted(found) or [(system.line, NOTHING, "")]


def _apply(
    system: d0150.MeterTechnicalDetails,
    *,
    flow_file: models.FlowFile,
    lines: list[str],
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> list[MeterRecordOutcome]:
    """Record one 288 group whole, or report why not and keep it for review."""
    try:
        point = metering_queries.meter_point_by_identifier(identifier=system.mpan_core)
    except NotFound:
        message = f"{system.mpan_core} is not a meter point we hold: kept for review"
        _keep(flow_file, system, lines, status=UNKNOWN, rule=UNKNOWN_METER_POINT, message=message)
        return [
            MeterRecordOutcome(line, system.mpan_core, action, serial, UNKNOWN,
                               rule=UNKNOWN_METER_POINT, message=message)
            for line, action, serial in _records(system)
        ]  # fmt: skip
    group = _Group(system=system, point=point, actor=actor, as_at=as_at)
    try:
        with transaction.atomic():  # a savepoint: the group whole or not at all
            if point.fuel != "ELECTRICITY":
                group.add(
                    system.line,
                    NOTHING,
                    "",
                    REFUSED,
                    rule="not_electricity",
                    message=f"{system.mpan_core} is a {point.fuel.lower()} meter point",
                )
            for removed in system.removed:  # the old meter goes before the new one comes
                _remove(group, removed)
            for installed in system.installed:
                _install(group, installed)
            if not system.removed and not system.installed:
                group.add(
                    system.line, NOTHING, "", DUPLICATE, message="no meter installed or removed"
                )
    except _Refused:
        refused = group.outcomes[-1]
        _keep(flow_file, system, lines, status=REFUSED, rule=refused.rule, message=refused.message)
        done = {outcome.line: outcome for outcome in group.outcomes}
        rule = GROUP_REFUSED
        message = (
            f"not recorded: line {refused.line} of this meter point was refused ({refused.rule})"
        )
        for line, action, serial in _records(system):
            if line not in done:
                done[line] = MeterRecordOutcome(
                    line, system.mpan_core, action, serial, REFUSED, rule=rule, message=message
                )
            elif done[line].status == ACCEPTED:  # rolled back with the group
                done[line] = dataclasses.replace(
                    done[line], status=REFUSED, rule=rule, message=message
                )
        return [done[line] for line in sorted(done)]
    return sorted(group.outcomes, key=lambda outcome: outcome.line)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def import_one(*, content: bytes, filename: str, as_at: datetime.datetime) -> MeterDetailsReport:
    """Import one D0150 file (inside the caller's transaction); see ``import_d0150``."""
    digest = flow_files.digest_of(content)
    if (existing := flow_files.recorded(digest)) is not None:
        return _report(existing, repeat=True)
    text = flow_files.ascii_text(content, filename=filename)
    parsed = d0150.parse(text)
    flow_file = flow_files.claim(
        flow=d0150.FLOW,
        file_id=parsed.header.file_id,
        filename=filename,
        digest=digest,
        as_at=as_at,
    )
    if flow_file is None:  # the same file, imported by another process meanwhile
        return _report(models.FlowFile.objects.get(sha256=digest), repeat=True)
    actor = audit.Actor(id=None, name=f"D0150 {parsed.header.file_id}")
    lines = _lines(text)
    outcomes = [
        outcome
        for system in parsed.details
        for outcome in _apply(system, flow_file=flow_file, lines=lines, actor=actor, as_at=as_at)
    ]
    counts = Counter(outcome.status for outcome in outcomes)
    flow_file.accepted = counts[ACCEPTED]
    flow_file.refused = counts[REFUSED]
    flow_file.duplicate = counts[DUPLICATE]
    flow_file.unknown = counts[UNKNOWN]
    flow_file.outcomes = [outcome.as_json() for outcome in outcomes]
    flow_file.save()
    return _report(flow_file, repeat=False)


@transaction.atomic
def import_d0150(*, content: bytes, filename: str, as_at: datetime.datetime) -> MeterDetailsReport:
    """Import a D0150 file: for each metering system we hold, end the meters it removed and
    record the meters (and registers) it installed through metering; keep the groups for
    meter points we do not know, or with a refused record, for review; report on every
    record.

    A group is taken whole or not at all. An installation on a meter point with another
    meter in service that the group does not remove is refused (``meter_in_service``):
    an exchange needs reads the D0150 does not carry. The same content again changes
    nothing and returns the first import's report with ``repeat`` set.

    :raises InvalidInput: the file is not ASCII, or breaks the D0150 layout (the problem
        names the line, field and rule); nothing is written.
    """
    return import_one(content=content, filename=filename, as_at=as_at)
