"""Import and export D0010 meter-reading files.

An import parses the whole file first (a bad file raises before anything is written),
then offers every reading to metering's one validation path in a single batch, keeps
the readings for meter points we do not know as ``UnmatchedReading`` rows, and records
the file once by the hash of its content: the same file again changes nothing and
answers with the first import's report.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from django.db import transaction

from kilowatt.integrations import models
from kilowatt.integrations.domain import d0010
from kilowatt.integrations.operations import _flow_files as flow_files
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.platform.errors import InvalidInput

ACCEPTED = "ACCEPTED"
HELD = "HELD"
REFUSED = "REFUSED"
DUPLICATE = "DUPLICATE"
UNKNOWN = "UNKNOWN"  # the meter point is not one we know: kept for review
STATUSES = (ACCEPTED, HELD, REFUSED, DUPLICATE, UNKNOWN)

FAILED_INDUSTRY_VALIDATION = "failed_industry_validation"
UNKNOWN_REGISTER = "unknown_register"

# The D0010 reading type (J0171) of an exported read, by the read's source.
_READING_TYPES = {"CUSTOMER": "C", "SMART": "X", "FIELD": "R", "AGENT": "C", "INDUSTRY": "R"}


@dataclasses.dataclass(frozen=True)
class RecordOutcome:
    """What became of one reading of a file."""

    line: int
    mpan_core: str
    meter_serial: str
    register: str
    read_at: datetime.datetime  # UTC
    value: Decimal
    status: str  # one of STATUSES
    rule: str = ""
    message: str = ""
    read_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            **dataclasses.asdict(self),
            "read_at": self.read_at.isoformat(),
            "value": str(self.value),
        }

    @classmethod
    def from_json(cls, data: dict) -> RecordOutcome:
        return cls(
            **{
                **data,
                "read_at": datetime.datetime.fromisoformat(data["read_at"]),
                "value": Decimal(data["value"]),
            }
        )


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """What an import did, record by record; ``repeat`` when the file had been imported
    before (and this import changed nothing)."""

    flow_file_id: int
    file_id: str
    filename: str
    records: tuple[RecordOutcome, ...]
    repeat: bool = False
    flow: str = d0010.FLOW

    def count(self, status: str) -> int:
        return sum(1 for record in self.records if record.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUSES}


def _report(flow_file: models.FlowFile, *, repeat: bool) -> ImportReport:
    return ImportReport(
        flow_file_id=flow_file.id,
        file_id=flow_file.file_id,
        filename=flow_file.filename,
        records=tuple(RecordOutcome.from_json(item) for item in flow_file.outcomes),
        repeat=repeat,
    )


def _batch(readings: Sequence[d0010.Reading]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "meter_point": reading.mpan_core,
                "meter_serial": reading.meter_serial,
                "register": reading.register,
                "read_at": d0010.to_utc(reading.read_local),
                "value_milli": int(reading.value * 1000),
            }
            for reading in readings
        ],
        schema=metering_operations.BATCH_SCHEMA,  # type: ignore[arg-type]
    )


def _outcome(reading: d0010.Reading, **result: object) -> RecordOutcome:
    return RecordOutcome(
        line=reading.line,
        mpan_core=reading.mpan_core,
        meter_serial=reading.meter_serial,
        register=reading.register,
        read_at=d0010.to_utc(reading.read_local),
        value=reading.value,
        **result,  # type: ignore[arg-type]
    )


def _record(
    readings: tuple[d0010.Reading, ...], *, file_id: str, as_at: datetime.datetime
) -> list[RecordOutcome]:
    """Offer the readings the industry judged valid to metering; return every outcome."""
    valid = [r for r in readings if r.validation_status != "F" and r.reading_flag == "T"]
    valid_lines = {reading.line for reading in valid}
    outcomes: dict[int, RecordOutcome] = {
        reading.line: _outcome(
            reading,
            status=REFUSED,
            rule=FAILED_INDUSTRY_VALIDATION,
            message="The data collector marked this reading as failing validation.",
        )
        for reading in readings
        if reading.line not in valid_lines
    }
    if valid:
        result = metering_operations.record_read_frame(
            batch=_batch(valid),
            source="INDUSTRY",
            received_by=f"D0010 {file_id}",
            reference=file_id,
            as_at=as_at,
        )
        for reading, row in zip(valid, result.iter_rows(named=True), strict=True):
            unknown = row["rule"] == metering_operations.UNKNOWN_METER_POINT
            outcomes[reading.line] = _outcome(
                reading,
                status=UNKNOWN if unknown else row["status"],
                rule=row["rule"] or "",
                message=row["message"] or "",
                read_id=row["read_id"],
            )
    return [outcomes[reading.line] for reading in readings]


def _keep_unmatched(
    flow_file: models.FlowFile,
    readings: tuple[d0010.Reading, ...],
    outcomes: list[RecordOutcome],
) -> None:
    unplaced = {UNKNOWN_REGISTER, metering_operations.UNKNOWN_METER_POINT}
    models.UnmatchedReading.objects.bulk_create(
        models.UnmatchedReading(
            flow_file=flow_file,
            line=reading.line,
            mpan_core=reading.mpan_core,
            validation_status=reading.validation_status,
            meter_serial=reading.meter_serial,
            reading_type=reading.reading_type,
            register=reading.register,
            read_at=d0010.to_utc(reading.read_local),
            value=reading.value,
            md_reset_at=(d0010.to_utc(reading.md_reset_local) if reading.md_reset_local else None),
            md_resets=reading.md_resets,
            reading_flag=reading.reading_flag,
            reading_method=reading.reading_method,
            rule=outcome.rule,
        )
        for reading, outcome in zip(readings, outcomes, strict=True)
        if outcome.rule in unplaced and outcome.read_id is None
    )


def import_one(*, content: bytes, filename: str, as_at: datetime.datetime) -> ImportReport:
    """Import one D0010 file (inside the caller's transaction); see ``import_d0010``."""
    digest = flow_files.digest_of(content)
    if (existing := flow_files.recorded(digest)) is not None:
        return _report(existing, repeat=True)
    text = flow_files.ascii_text(content, filename=filename)
    parsed = d0010.parse(text)
    flow_file = flow_files.claim(
        flow=d0010.FLOW,
        file_id=parsed.header.file_id,
        filename=filename,
        digest=digest,
        as_at=as_at,
    )
    if flow_file is None:  # the same file, imported by another process meanwhile
        return _report(models.FlowFile.objects.get(sha256=digest), repeat=True)
    outcomes = _record(parsed.readings, file_id=parsed.header.file_id, as_at=as_at)
    _keep_unmatched(flow_file, parsed.readings, outcomes)
    counts = Counter(outcome.status for outcome in outcomes)
    flow_file.accepted = counts[ACCEPTED]
    flow_file.held = counts[HELD]
    flow_file.refused = counts[REFUSED]
    flow_file.duplicate = counts[DUPLICATE]
    flow_file.unknown = counts[UNKNOWN]
    flow_file.outcomes = [outcome.as_json() for outcome in outcomes]
    flow_file.save()
    return _report(flow_file, repeat=False)


@transaction.atomic
def import_d0010(*, content: bytes, filename: str, as_at: datetime.datetime) -> ImportReport:
    """Import a D0010 file: record every reading through metering's validation, keep the
    ones for meter points we do not know for review, and report on every record.

    The same content again changes nothing and returns the first import's report with
    ``repeat`` set.

    :raises InvalidInput: the file is not ASCII, or breaks the D0010 layout (the problem
        names the line, field and rule); nothing is written.
    """
    return import_one(content=content, filename=filename, as_at=as_at)


@transaction.atomic
def import_d0010_files(
    *, files: Sequence[tuple[str, bytes]], as_at: datetime.datetime
) -> list[ImportReport]:
    """Import several D0010 files (``(filename, content)``) all or none: one bad file and
    none is imported.

    :raises InvalidInput: a file is not ASCII or breaks the D0010 layout; the problem's
        field starts with the file's name.
    """
    reports = []
    for filename, content in files:
        try:
            reports.append(import_one(content=content, filename=filename, as_at=as_at))
        except InvalidInput as error:
            raise InvalidInput(
                [dataclasses.replace(p, field=f"{filename}: {p.field}") for p in error.problems]
            ) from None
    return reports


def export_d0010(
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    as_at: datetime.datetime,
    meter_point_ids: list[int] | None = None,
    from_participant: str = "KWLT",
    to_participant: str = "UDMS",
) -> bytes:
    """Return a D0010 file of the accepted electricity reads taken in ``[since, until)``
    (of these meter points, or of all), from us as supplier to a data collector. Its
    file id is the creation time, ``YYMMDDHHMM`` (UK clock).

    :raises InvalidInput: ``until`` is not after ``since``.
    """
    if not since < until:
        raise InvalidInput.one(field="until", rule="period", message="must be after since")
    reads = metering_queries.accepted_reads_for_export(
        since=since, until=until, meter_point_ids=meter_point_ids
    )
    created = d0010.to_local(as_at).replace(microsecond=0)
    header = d0010.Header(
        file_id=created.strftime("%y%m%d%H%M"),
        from_role=d0010.SUPPLIER_ROLE,
        from_participant=from_participant,
        to_role=d0010.DATA_COLLECTOR_ROLE,
        to_participant=to_participant,
        created_local=created,
    )
    readings = [
        d0010.Reading(
            mpan_core=read.meter_point,
            meter_serial=read.meter_serial,
            register=read.register.zfill(2),
            read_local=d0010.to_local(read.read_at),
            value=read.value,
            reading_type=_READING_TYPES.get(read.source, "R"),
            reading_method="N",
        )
        for read in reads
    ]
    return d0010.write(header=header, readings=readings).encode("ascii")
