"""Record meter reads from any source through the one validation path, set-based.

``record_read_frame`` takes a batch (one reading typed by a customer or a million from
smart meters or a D0010 file), finds each reading's register in one query, its
register's accepted reads in another, judges them all with ``domain.reads.assess``,
writes every reading it can place (accepted, held and refused alike, so the customer
can be told why and a person can work the held ones), and recalculates the EAC or AQ
of every register that moved. One transaction: all of a batch is kept or none of it.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import zoneinfo
from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from django.db import connection, transaction

from kilowatt.metering import models, queries
from kilowatt.metering.domain import energy, settlement, supply
from kilowatt.metering.domain import reads as read_rules
from kilowatt.platform import bulk, events, frames, periods
from kilowatt.platform.errors import InvalidInput

UNKNOWN_METER_POINT = "unknown_meter_point"
SOURCES = tuple(models.Read.Source.values)

# The columns a batch brings: which register, when, and what it showed.
BATCH_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "meter_point": pl.String,  # MPAN core or full MPAN, or MPRN
    "meter_serial": pl.String,  # "" for the meter installed on the day
    "register": pl.String,  # "" for the meter's only register
    "read_at": pl.Datetime("us", "UTC"),
    "value_milli": pl.Int64,  # thousandths of the register's unit
}

# Each reading's meter point, meter and register, and the register's latest accepted read
# (the partial unique index on accepted reads answers it by one index probe) with the
# EAC/AQ in force: the latest read's, or before any the register's own.
_FACTS_SQL = """
SELECT k.row, p.id, m.id, r.id, p.fuel, m.units, m.digits, m.installed_date,
       m.removed_date, p.supply_start_date, p.supply_end_date,
       COALESCE(lr.annual_kwh, r.estimated_annual_kwh), lr.read_at, lr.value
FROM {stage} k
LEFT JOIN metering_meterpoint p ON p.identifier = k.identifier
LEFT JOIN metering_meter m ON m.meter_point_id = p.id AND (
    m.serial_number = k.serial
    OR (k.serial = '' AND m.installed_date <= k.read_date
        AND (m.removed_date IS NULL OR m.removed_date >= k.read_date)))
LEFT JOIN metering_register r ON r.meter_id = m.id
    AND (LTRIM(r.identifier, '0') = k.register OR k.register = '')
{latest}
"""
# SQLite has no LATERAL join.
_LATEST_JOIN = {
    "postgresql": """
LEFT JOIN LATERAL (
    SELECT x.read_at, x.value, x.annual_kwh FROM metering_read x
    WHERE x.register_id = r.id AND x.status = 'ACCEPTED'
    ORDER BY x.read_at DESC LIMIT 1) lr ON TRUE
""",
    "sqlite": """
LEFT JOIN metering_read lr ON lr.register_id = r.id AND lr.status = 'ACCEPTED'
 AND lr.read_at = (
    SELECT MAX(x.read_at) FROM metering_read x
    WHERE x.register_id = r.id AND x.status = 'ACCEPTED')
""",
}
_FACTS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "row": pl.Int64,
    "meter_point_id": pl.Int64,
    "meter_id": pl.Int64,
    "register_id": pl.Int64,
    "fuel": pl.String,
    "units": pl.String,
    "digits": pl.Int64,
    "meter_installed_date": pl.Date,
    "meter_removed_date": pl.Date,
    "supply_start_date": pl.Date,
    "supply_end_date": pl.Date,
    "annual_kwh": pl.Float64,
    "latest_at": pl.Datetime("us", "UTC"),
    "latest_value": pl.String,
}
_HISTORY_OF_SQL = """
SELECT rd.register_id, rd.read_at, rd.value FROM metering_read rd
WHERE rd.status = 'ACCEPTED' AND rd.register_id IN (SELECT register_id FROM _read_backdated)
"""
_READ_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "register_id": pl.Int64,
    "read_at": pl.Datetime("us", "UTC"),
    "value": pl.String,
}


@dataclasses.dataclass(frozen=True)
class ReadIn:
    """One reading as a person or a system offers it."""

    meter_point: str
    read_at: datetime.datetime
    value: Decimal
    meter_serial: str = ""
    register: str = ""


@dataclasses.dataclass(frozen=True)
class ReadOutcome:
    """What became of one reading: ``ACCEPTED``, ``DUPLICATE``, ``HELD`` or ``REFUSED``
    (with ``rule`` and ``message`` saying why); ``read_id`` when it was kept."""

    row: int
    status: str
    rule: str
    message: str
    read_id: int | None


def batch_from_reads(reads: Sequence[ReadIn]) -> pl.DataFrame:
    """Return readings as the frame ``record_read_frame`` takes."""
    return pl.DataFrame(
        [
            {
                "meter_point": read.meter_point,
                "meter_serial": read.meter_serial,
                "register": read.register,
                "read_at": read.read_at.astimezone(datetime.UTC),
                "value_milli": read_rules.to_milli(read.value),
            }
            for read in reads
        ],
        schema=BATCH_SCHEMA,  # type: ignore[arg-type]
    )


def _register_facts(batch: pl.DataFrame) -> pl.DataFrame:
    """Find each reading's meter point, meter and register, one row per reading, with a
    ``rule`` naming why one could not be placed."""
    keys = batch.select(
        pl.col("row"),
        identifier=supply.stored_identifier_expr("meter_point"),
        serial=pl.col("meter_serial").fill_null("").str.strip_chars().str.to_uppercase(),
        register=pl.col("register").fill_null("").str.strip_chars().str.strip_chars_start("0"),
        read_date=pl.col("read_at").dt.convert_time_zone(read_rules.LONDON).dt.date(),
    )
    # Joined against the whole book: staged where parallel workers can read it, under a
    # name of this connection's own (batches of other meter points run side by side).
    stage = f"metering_read_keys_{frames.session_tag()}"
    with frames.staging_table(
        stage,
        {
            "row": "bigint",
            "identifier": "varchar(32)",
            "serial": "varchar(40)",
            "register": "varchar(10)",
            "read_date": "date",
        },
    ):
        frames.write_temp(stage, keys)
        sql = _FACTS_SQL.format(stage=stage, latest=_LATEST_JOIN[frames.vendor()])
        found = frames.read_frame(sql, [], _FACTS_SCHEMA)
    if found.height == batch.height:
        # Every reading found one row (the joins keep each at least once): none is
        # ambiguous, so the facts line up with the batch by row, without joins. As in the
        # general case, a reading not placed on a register has no facts at all.
        found = found.sort("row").drop("row")
        placed_here = pl.col("register_id").is_not_null()
        return pl.concat(
            [
                batch.sort("row"),
                found.select(
                    *(
                        pl.when(placed_here).then(pl.col(name)).alias(name)
                        for name in found.columns
                    ),
                    _why=pl.when(pl.col("meter_point_id").is_null())
                    .then(pl.lit(UNKNOWN_METER_POINT))
                    .otherwise(pl.lit("")),
                ),
            ],
            how="horizontal",
        )
    placed = found.filter(pl.col("register_id").is_not_null())
    counts = placed.group_by("row").agg(matches=pl.len())
    placed = placed.join(counts, on="row").filter(pl.col("matches") == 1).drop("matches")
    why = (
        found.group_by("row")
        .agg(
            known_point=pl.col("meter_point_id").is_not_null().any(),
            registers=pl.col("register_id").is_not_null().sum(),
        )
        .select(
            "row",
            _why=pl.when(~pl.col("known_point"))
            .then(pl.lit(UNKNOWN_METER_POINT))
            .when(pl.col("registers") > 1)
            .then(pl.lit("register_ambiguous"))
            .otherwise(pl.lit("")),
        )
    )
    return batch.join(placed, on="row", how="left").join(why, on="row", how="left")


def _history(placed: pl.DataFrame) -> pl.DataFrame:
    """Return the accepted reads the batch's readings are judged against: each
    register's latest (found with its facts), and every one of a register that has a
    back-dated reading."""
    latest = (
        placed.filter(pl.col("latest_at").is_not_null())
        .unique("register_id")
        .select("register_id", read_at="latest_at", value="latest_value")
    )
    earliest = placed.group_by("register_id").agg(first_at=pl.col("read_at").min())
    backdated = (
        latest.join(earliest, on="register_id")
        .filter(pl.col("first_at") <= pl.col("read_at"))
        .select("register_id")
    )
    if not backdated.is_empty():
        frames.create_temp_table("_read_backdated", {"register_id": "bigint"})
        frames.write_temp("_read_backdated", backdated)
        full = frames.read_frame(_HISTORY_OF_SQL, [], _READ_SCHEMA)
        others = latest.filter(~pl.col("register_id").is_in(backdated["register_id"].implode()))
        latest = pl.concat([others, full])
    return latest.select("register_id", "read_at", value_milli=energy.milli_from_text_expr("value"))


def _calorific_values(batch: pl.DataFrame) -> pl.DataFrame:
    values = pl.DataFrame(
        [
            {
                "valid_from": row.valid_from,
                "cv_milli": read_rules.to_milli(row.megajoules_per_cubic_metre),
            }
            for row in models.CalorificValue.objects.order_by("valid_from")
        ],
        schema={"valid_from": pl.Date, "cv_milli": pl.Int64},
    )
    ordered = batch.with_columns(
        _day=pl.col("read_at").dt.convert_time_zone(read_rules.LONDON).dt.date()
    ).sort("_day")
    return ordered.join_asof(
        values, left_on="_day", right_on="valid_from", strategy="backward"
    ).drop("_day", "valid_from")


def _number_kept(judged: pl.DataFrame) -> pl.DataFrame:
    """Add ``read_id``: a fresh id for every reading that is stored (accepted, held and
    refused alike), null for duplicates, readings that could not be placed, and values no
    meter can show (those are only reported)."""
    storable = pl.col("value_milli").is_between(0, read_rules.STORABLE_MILLI, closed="left")
    kept = (
        pl.col("register_id").is_not_null() & (pl.col("status") != read_rules.DUPLICATE) & storable
    )
    count = judged.select(kept.sum()).item()
    judged = judged.sort("row").with_columns(_kept=kept)
    if not count:
        return judged.drop("_kept").with_columns(read_id=pl.lit(None, pl.Int64))
    ids = bulk.reserve_id_blocks(models.Read, count)
    numbered = judged.filter(pl.col("_kept")).select("row").with_columns(read_id=ids)
    return judged.drop("_kept").join(numbered, on="row", how="left")


def _annual_consumption(judged: pl.DataFrame, *, recalculate: bool) -> pl.DataFrame:
    """Add the settlement figures each accepted read leaves behind: ``annual_after`` (the
    register's EAC or AQ in force from it), ``annualised_kwh`` and ``flagged``.

    A register read several times in one batch (a month of daily smart reads) is
    recalculated once, over the whole period from the read before the first to the last:
    one annualised advance over the longer period, carried by the last read; the reads
    before it carry the figure that was in force. A back-dated read recalculates nothing
    (later reads already did); it is given the figure in force on its own date once
    written (``_restate_after_backdated``).
    """
    accepted = pl.col("status") == read_rules.ACCEPTED
    frame = judged.with_columns(
        annual_after=pl.when(accepted).then(pl.col("annual_kwh")),
        annualised_kwh=pl.lit(None, pl.Float64),
        flagged=pl.lit(""),
    )
    if not recalculate:
        return frame
    moved = judged.filter(
        accepted & pl.col("previous_date").is_not_null() & pl.col("next_at").is_null()
    )
    spans = (
        moved.sort("read_at")
        .group_by("register_id")
        .agg(
            pl.col("fuel").first(),
            pl.col("annual_kwh").first(),
            pl.col("previous_date").min(),
            pl.col("read_date").max(),
            pl.col("row").last(),
            pl.col("consumption_milli").sum(),
        )
    )
    changes = settlement.recalculate(spans).select(
        "row", _annualised="annualised_kwh", _new="new_kwh", _flagged="flagged"
    )
    return (
        frame.join(changes, on="row", how="left")
        .with_columns(
            annual_after=pl.coalesce("_new", "annual_after"),
            annualised_kwh=pl.col("_annualised"),
            flagged=pl.col("_flagged").fill_null(""),
        )
        .drop("_new", "_annualised", "_flagged")
    )


def _kwh_text(column: str) -> pl.Expr:
    """An EAC/AQ (kWh, one decimal place) as the text a NUMERIC column takes."""
    return pl.col(column).round(1).cast(pl.String)


@dataclasses.dataclass(frozen=True)
class _Receipt:
    """Who sent a batch, from where, and when: the same on every read it stores."""

    source: str
    received_by: str
    reference: str
    as_at: datetime.datetime


def _stored(judged: pl.DataFrame, receipt: _Receipt) -> pl.DataFrame:
    """Return the read rows to write: the readings given a ``read_id``."""
    kept = judged.filter(pl.col("read_id").is_not_null())
    # A held read keeps what it would advance by, for the person who decides it.
    judged_advance = pl.col("status").is_in([read_rules.ACCEPTED, read_rules.HELD])
    return kept.select(
        id="read_id",
        meter_point_id="meter_point_id",
        meter_id="meter_id",
        register_id="register_id",
        read_at="read_at",
        value=energy.milli_text_expr("value_milli"),
        source=pl.lit(receipt.source),
        status="status",
        advance=pl.when(judged_advance).then(energy.milli_text_expr("advance_milli")),
        consumption_kwh=pl.when(judged_advance).then(energy.milli_text_expr("consumption_milli")),
        rolled_over="rolled_over",
        annualised_kwh=_kwh_text("annualised_kwh"),
        annual_kwh=_kwh_text("annual_after"),
        rule="rule",
        message=pl.col("message").str.slice(0, 300),
        received_at=pl.lit(receipt.as_at).dt.convert_time_zone("UTC"),
        received_by=pl.lit(receipt.received_by[:150]),
        reference=pl.lit(receipt.reference[:100]),
        billed_reference=pl.lit(""),
    )


def _log_flagged(judged: pl.DataFrame, *, as_at: datetime.datetime) -> None:
    """Log the EAC/AQ changes of the stored reads that a person should review."""
    flagged = judged.filter(pl.col("read_id").is_not_null() & (pl.col("flagged") != ""))
    if flagged.is_empty():
        return
    frames.write_frame(
        models.AnnualConsumptionChange,
        flagged.select(  # ids left to the database: nothing refers to them yet
            register_id="register_id",
            read_id="read_id",
            effective_date="read_date",
            previous_kwh=_kwh_text("annual_kwh"),
            annualised_kwh=_kwh_text("annualised_kwh"),
            new_kwh=_kwh_text("annual_after"),
            flagged="flagged",
            recorded_at=pl.lit(as_at).dt.convert_time_zone("UTC"),
        ),
    )


_OFFERED_SQL = """
SELECT o.row FROM _read_offered o
JOIN metering_read r ON r.meter_point_id = o.meter_point_id AND r.read_at = o.read_at
 AND r.register_id = o.register_id AND r.value = o.value AND r.status IN ('HELD', 'REFUSED')
"""


def _already_offered(judged: pl.DataFrame) -> pl.DataFrame:
    """Answer a held or refused reading offered again (a re-sent file, a retried batch)
    as a duplicate, so the queue does not fill with copies."""
    offered = judged.filter(
        pl.col("status").is_in([read_rules.HELD, read_rules.REFUSED])
        & pl.col("register_id").is_not_null()
        & pl.col("value_milli").is_between(0, read_rules.STORABLE_MILLI, closed="left")
    )
    if offered.is_empty():
        return judged
    frames.create_temp_table(
        "_read_offered",
        {
            "row": "bigint",
            "meter_point_id": "bigint",
            "register_id": "bigint",
            "read_at": "timestamp with time zone" if bulk.is_postgresql() else "datetime",
            "value": "numeric(14, 3)",
        },
    )
    frames.write_temp(
        "_read_offered",
        offered.select(
            "row",
            "meter_point_id",
            "register_id",
            "read_at",
            value=energy.milli_text_expr("value_milli"),
        ),
    )
    repeats = frames.read_frame(_OFFERED_SQL, [], {"row": pl.Int64})["row"].implode()
    repeated = pl.col("row").is_in(repeats)
    return judged.with_columns(
        status=pl.when(repeated).then(pl.lit(read_rules.DUPLICATE)).otherwise(pl.col("status")),
        rule=pl.when(repeated).then(pl.lit("duplicate")).otherwise(pl.col("rule")),
        message=pl.when(repeated)
        .then(pl.lit("We already have this reading."))
        .otherwise(pl.col("message")),
    )


def settle_read(
    read: models.Read,
    *,
    facts: read_rules.RegisterFacts,
    previous_at: datetime.datetime | None,
    as_at: datetime.datetime,
) -> None:
    """Set the settlement figures of one accepted read as a batch of one would
    (``_annual_consumption``): recalculated from its period when it is the register's
    latest accepted read and has a previous one; else the EAC/AQ in force before it,
    carried (unless it already has a figure, which it keeps). A flagged change is logged for review. Call inside the transaction of the
    change that accepted or restated it; ``facts`` are the register's before the read."""
    is_latest = not models.Read.objects.filter(
        register_id=read.register_id, status="ACCEPTED", read_at__gt=read.read_at
    ).exists()
    if not is_latest and read.annual_kwh is not None:
        return  # a read with later ones keeps the figure it left (only the latest's counts)
    frame = pl.DataFrame(
        [
            {
                "row": 0,
                "status": read_rules.ACCEPTED,
                "register_id": read.register_id,
                "fuel": facts.fuel,
                "annual_kwh": None if facts.annual_kwh is None else float(facts.annual_kwh),
                "previous_date": None if previous_at is None else periods.london_date(previous_at),
                "next_at": None if is_latest else read.read_at,
                "read_at": read.read_at,
                "read_date": periods.london_date(read.read_at),
                "consumption_milli": None
                if read.consumption_kwh is None
                else read_rules.to_milli(read.consumption_kwh),
            }
        ],
        schema={
            "row": pl.Int64,
            "status": pl.String,
            "register_id": pl.Int64,
            "fuel": pl.String,
            "annual_kwh": pl.Float64,
            "previous_date": pl.Date,
            "next_at": pl.Datetime("us", "UTC"),
            "read_at": pl.Datetime("us", "UTC"),
            "read_date": pl.Date,
            "consumption_milli": pl.Int64,
        },
    )
    figures = _annual_consumption(
        frame, recalculate=read.source != models.Read.Source.ESTIMATE
    ).row(0, named=True)
    read.annualised_kwh = _kwh(figures["annualised_kwh"])
    read.annual_kwh = _kwh(figures["annual_after"])
    read.save(update_fields=["annualised_kwh", "annual_kwh"])
    models.AnnualConsumptionChange.objects.filter(
        read_id=read.id, superseded_at__isnull=True
    ).update(superseded_at=as_at)
    if figures["flagged"] and read.annualised_kwh is not None and read.annual_kwh is not None:
        models.AnnualConsumptionChange.objects.create(
            register_id=read.register_id,
            read_id=read.id,
            effective_date=figures["read_date"],
            previous_kwh=_kwh(figures["annual_kwh"]),
            annualised_kwh=read.annualised_kwh,
            new_kwh=read.annual_kwh,
            flagged=figures["flagged"],
            recorded_at=as_at,
        )


def _kwh(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 1)))


def restate_following(
    *, register_id: int, after: datetime.datetime, as_at: datetime.datetime
) -> None:
    """Recompute the advance, energy and settlement figures of the first accepted read of
    a register after a moment, whose previous read changed (one was accepted before it,
    withdrawn or replaced), and announce it (``metering.read.restated.v1``, with its
    ``billed_reference``) so a bill that used it is redone. Call inside the transaction
    of the change."""
    following = (
        models.Read.objects.select_for_update()
        .filter(register_id=register_id, status="ACCEPTED", read_at__gt=after)
        .order_by("read_at")
        .first()
    )
    if following is None:
        return
    history = queries.accepted_history(register_id=register_id, before=following.read_at)
    facts = queries.register_facts(register_id=register_id, on=following.read_at)
    outcome = read_rules.assess_one(
        facts=facts,
        read_at=following.read_at,
        value=following.value,
        history=history,
        today=datetime.date.max,  # only the advance is wanted here
    )
    before = (following.advance, following.consumption_kwh, following.rolled_over)
    following.advance = outcome.advance
    following.consumption_kwh = outcome.consumption_kwh
    following.rolled_over = outcome.rolled_over
    if before == (following.advance, following.consumption_kwh, following.rolled_over):
        return
    following.save(update_fields=["advance", "consumption_kwh", "rolled_over"])
    settle_read(
        following, facts=facts, previous_at=history[-1][0] if history else None, as_at=as_at
    )
    events.publish(
        name="metering.read.restated.v1",
        payload={
            "read_id": following.id,
            "meter_point_id": following.meter_point_id,
            "register_id": register_id,
            "read_date": periods.london_date(following.read_at).isoformat(),
            "billed_reference": following.billed_reference,
        },
        at=as_at,
    )


def _restate_after_backdated(judged: pl.DataFrame, *, as_at: datetime.datetime) -> None:
    """A reading accepted between two accepted reads carries the EAC/AQ in force on its
    own date (the batch found only the latest), and takes part of the later one's
    advance: restate each such later read once, after the batch is written (back-dated
    readings are few, so this goes read by read, in time order)."""
    backdated = judged.filter(
        (pl.col("status") == read_rules.ACCEPTED) & pl.col("next_at").is_not_null()
    ).sort("read_at")
    for register_id, read_id, read_at in backdated.select(
        "register_id", "read_id", "read_at"
    ).iter_rows():
        models.Read.objects.filter(id=read_id).update(
            annual_kwh=queries.annual_kwh_in_force(register_id=register_id, before=read_at)
        )
    latest_of_each = backdated.group_by("register_id", "next_at").agg(pl.col("read_at").max())
    for register_id, _next_at, read_at in latest_of_each.iter_rows():
        restate_following(register_id=register_id, after=read_at, as_at=as_at)


# A big batch is judged and stored in parts of about this many readings: the database
# stores one part while the next is judged, on the other core.
PART_READINGS = 125_000
MOST_PARTS = 8


def _judge(
    candidates: pl.DataFrame, history: pl.DataFrame, *, today: datetime.date, recalculate: bool
) -> pl.DataFrame:
    """Judge readings against their registers' history (``domain.reads.assess``), name
    the ones that could not be placed, and add the settlement figures they leave."""
    judged = read_rules.assess(candidates, history, today=today)
    judged = judged.with_columns(
        rule=pl.when(pl.col("_why").is_in([UNKNOWN_METER_POINT, "register_ambiguous"]))
        .then(pl.col("_why"))
        .otherwise(pl.col("rule")),
        message=pl.when(pl.col("_why") == UNKNOWN_METER_POINT)
        .then(pl.lit("We do not supply that meter point."))
        .when(pl.col("_why") == "register_ambiguous")
        .then(pl.lit("The meter has more than one register: say which one was read."))
        .otherwise(pl.col("message")),
    ).drop("_why")
    return _annual_consumption(judged, recalculate=recalculate)


def _parts(
    candidates: pl.DataFrame, history: pl.DataFrame
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Split readings and history into parts by ranges of register (a register's readings
    and history stay together, and each part's rows land in one stretch of the read
    indexes)."""
    count = max(1, min(MOST_PARTS, candidates.height // PART_READINGS))
    if count == 1:
        return [(candidates, history)]
    key = pl.col("register_id").fill_null(-1)
    registers = candidates.select(_key=key.unique().sort()).with_row_index("_place")
    ranges = registers.select(
        "_key", _part=(pl.col("_place") * count // registers.height).cast(pl.Int64)
    )
    candidates = candidates.with_columns(_key=key).join(ranges, on="_key").drop("_key")
    history = history.with_columns(_key=key).join(ranges, on="_key").drop("_key")
    split = candidates.partition_by("_part", as_dict=True, include_key=False)
    pasts = history.partition_by("_part", as_dict=True, include_key=False)
    return [
        (split[(part,)], pasts.get((part,), history.clear().drop("_part")))
        for part in range(count)
        if (part,) in split
    ]


def _judge_and_store(
    candidates: pl.DataFrame,
    history: pl.DataFrame,
    *,
    today: datetime.date,
    recalculate: bool,
    receipt: _Receipt,
) -> pl.DataFrame:
    """Judge the readings and store the ones to keep, part by part, judging the next part
    while the database stores this one; return every reading judged."""
    judge = functools.partial(_judge, today=today, recalculate=recalculate)
    parts = _parts(candidates, history)
    done: list[pl.DataFrame] = []
    judged = judge(*parts[0])
    for upcoming in [*parts[1:], None]:
        # Both ask the database, so they come between one part's COPY and the next.
        judged = _number_kept(_already_offered(judged))
        following = frames.write_frame_while(
            models.Read,
            _stored(judged, receipt),
            (lambda: None) if upcoming is None else functools.partial(judge, *upcoming),
        )
        done.append(judged)
        if following is not None:
            judged = following
    return pl.concat(done, how="vertical_relaxed")


# Writers of reads take turns per slice of the book, not for the whole table: a batch locks
# the slices of the meter points it names (in ascending order, so two batches never wait
# on each other in a circle) before it reads their latest reads, and holds them to the
# end of its transaction. Two batches of different meter points run side by side (a
# customer's reading does not wait behind a million-row flow of other meter points); two
# of the same meter point take turns, so they never judge against the same latest read.
READ_LOCK_CLASS = 4_104  # the advisory lock namespace of reads ("R" 4, ... any constant)
READ_LOCK_SLICES = 64


def _lock_slice_expr(identifier: pl.Expr) -> pl.Expr:
    """A stored meter point identifier's lock slice: its last six digits, modulo."""
    digits = identifier.str.slice(-6).cast(pl.Int64, strict=False).fill_null(0)
    return digits % READ_LOCK_SLICES


def lock_reads(identifiers: pl.Series) -> None:
    """Take the read locks of these meter points (stored identifiers) until the
    transaction ends (PostgreSQL; SQLite writers take turns anyway)."""
    if not bulk.is_postgresql():
        return
    slices = (
        identifiers.to_frame("identifier")
        .select(_lock_slice_expr(pl.col("identifier")).unique().sort())
        .to_series()
        .to_list()
    )
    with connection.cursor() as cursor:
        for number in slices:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [READ_LOCK_CLASS, number])


def lock_reads_of(*, meter_point_id: int) -> None:
    """Take the read lock of one meter point, for a person's decision on one of its
    reads (``lock_reads``)."""
    identifier = models.MeterPoint.objects.filter(id=meter_point_id).values_list(
        "identifier", flat=True
    )
    lock_reads(pl.Series(list(identifier), dtype=pl.String))


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise InvalidInput.one(
            field="source", rule="choice", message=f"must be one of {', '.join(SOURCES)}"
        )


@transaction.atomic
def record_read_frame(
    *,
    batch: pl.DataFrame,
    source: str,
    received_by: str,
    reference: str = "",
    as_at: datetime.datetime,
) -> pl.DataFrame:
    """Validate and record a batch of readings (columns ``BATCH_SCHEMA``) from one source.

    Returns one row per reading in batch order: ``row``, ``status`` (``ACCEPTED``,
    ``DUPLICATE``, ``HELD`` or ``REFUSED``), ``rule``, ``message`` and ``read_id`` (null
    for duplicates and for readings whose meter point or register is unknown: those
    come back ``REFUSED`` with rule ``unknown_meter_point`` or ``unknown_register``, for
    the caller to keep for review).

    :raises InvalidInput: ``source`` is not a read source.
    """
    _check_source(source)
    frames.tune_for_batch()
    batch = batch.cast(BATCH_SCHEMA)  # type: ignore[arg-type]
    lock_reads(batch.select(supply.stored_identifier_expr("meter_point")).to_series())
    batch = batch.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    facts = _register_facts(batch)
    placed = facts.filter(pl.col("register_id").is_not_null())
    history = _history(placed) if not placed.is_empty() else read_rules.empty_history()
    candidates = _calorific_values(facts)
    today = as_at.astimezone(zoneinfo.ZoneInfo(read_rules.LONDON)).date()
    judged = _judge_and_store(
        candidates,
        history,
        today=today,
        recalculate=source != models.Read.Source.ESTIMATE,
        receipt=_Receipt(source, received_by, reference, as_at),
    )
    _log_flagged(judged, as_at=as_at)
    _restate_after_backdated(judged, as_at=as_at)
    return judged.select("row", "status", "rule", "message", "read_id").sort("row")


def record_reads(
    *,
    reads: Sequence[ReadIn],
    source: str,
    received_by: str,
    reference: str = "",
    as_at: datetime.datetime,
) -> list[ReadOutcome]:
    """Validate and record readings from one source; return what became of each.

    :raises InvalidInput: ``source`` is not a read source.
    """
    result = record_read_frame(
        batch=batch_from_reads(reads),
        source=source,
        received_by=received_by,
        reference=reference,
        as_at=as_at,
    )
    return [ReadOutcome(**row) for row in result.iter_rows(named=True)]
