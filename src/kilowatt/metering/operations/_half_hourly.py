"""Record half-hourly consumption, a day per meter point per row, set-based.

``record_half_hourly_days`` takes a batch of days (one meter point's day from a portal,
or a whole night's smart data: a hundred thousand meter points, 4.8 million values),
finds every meter point and any day already stored for it in one query, judges the days
with ``domain.half_hourly.assess``, and writes the accepted ones packed (see
``models.HalfHourlyDay``) with one ``COPY`` on PostgreSQL. Idempotent: a day stored
again with the same values is a ``DUPLICATE`` and changes nothing; with other values it
``REPLACED`` the stored day. One transaction: all of a batch is kept or none of it.
"""

from __future__ import annotations

import datetime
import sys
import zoneinfo
from array import array

import polars as pl
from django.db import connection, transaction

from kilowatt.metering import models
from kilowatt.metering.domain import half_hourly as rules
from kilowatt.metering.domain import supply
from kilowatt.platform import bulk, frames
from kilowatt.platform.errors import InvalidInput

# The columns a batch brings: which meter point, which local day, the day's values in Wh.
HALF_HOURLY_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "meter_point": pl.String,  # MPAN core (or full MPAN)
    "day": pl.Date,
    "values": pl.List(pl.Int64),  # Wh, in settlement-period order
}
_KEYS = "_half_hourly_keys"
_STORED_SQL = """
SELECT k.row, p.id, d.id, {packed}
FROM {keys} k
LEFT JOIN metering_meterpoint p ON p.identifier = k.identifier
LEFT JOIN metering_halfhourlyday d ON d.meter_point_id = p.id AND d.day = k.day
"""
_STORED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "row": pl.Int64,
    "meter_point_id": pl.Int64,
    "stored_id": pl.Int64,
    "stored_hex": pl.String,
}


def _stored(batch: pl.DataFrame) -> pl.DataFrame:
    """Return each day's meter point id and the day stored for it (id and packed values
    as lowercase hex), null where there is none: one query."""
    frames.create_temp_table(_KEYS, {"row": "bigint", "identifier": "varchar(32)", "day": "date"})
    frames.write_temp(
        _KEYS, batch.select("row", "day", identifier=supply.stored_identifier_expr("meter_point"))
    )
    packed = "encode(d.packed_wh, 'hex')" if bulk.is_postgresql() else "lower(hex(d.packed_wh))"
    return frames.read_frame(_STORED_SQL.format(packed=packed, keys=_KEYS), [], _STORED_SCHEMA)


def _packed(days: pl.DataFrame) -> tuple[list[bytes], list[str]]:
    """Pack each day's values (little-endian signed 32-bit Wh), in one pass over all of
    them; return the bytes and their hex, a day each."""
    flat = array("i", days["values"].explode().cast(pl.Int32).to_list())
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts only
        flat.byteswap()
    data = flat.tobytes()
    text = data.hex()
    ends = (days["periods"].cast(pl.Int64) * rules.BYTES_PER_PERIOD).cum_sum().to_list()
    starts = [0, *ends][:-1]
    return (
        [data[start:end] for start, end in zip(starts, ends, strict=True)],
        [text[2 * start : 2 * end] for start, end in zip(starts, ends, strict=True)],
    )


def _check_batch(batch: pl.DataFrame) -> None:
    missing = [name for name in HALF_HOURLY_SCHEMA if name not in batch.columns]
    if missing:
        raise InvalidInput.one(
            field="batch", rule="columns", message=f"needs the columns {', '.join(missing)}"
        )


@transaction.atomic
def record_half_hourly_days(
    *,
    batch: pl.DataFrame,
    received_by: str,
    reference: str = "",
    as_at: datetime.datetime,
    ceiling_wh: int | None = None,
) -> pl.DataFrame:
    """Validate and store a batch of half-hourly days (columns ``HALF_HOURLY_SCHEMA``).

    Returns one row per day in batch order: ``row``, ``meter_point``, ``day``,
    ``status`` (``ACCEPTED``: stored; ``REPLACED``: stored over a day with other values;
    ``DUPLICATE``: the same values are already stored, nothing changed; ``REFUSED``),
    ``rule`` and ``message`` (why it was refused; "" otherwise). A day is refused when
    its meter point is unknown, the day has not ended by ``as_at``, it has the wrong
    number of values for the day (46, 48 or 50), a value is missing, negative, or above
    ``ceiling_wh`` (Wh in a half hour, when given), or the same meter point and day came
    earlier in the batch.

    :raises InvalidInput: the batch lacks one of the columns ``meter_point``, ``day``,
        ``values``.
    """
    _check_batch(batch)
    batch = (
        batch.select(list(HALF_HOURLY_SCHEMA))
        .cast(HALF_HOURLY_SCHEMA)  # type: ignore[arg-type]
        .with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
    )
    if batch.is_empty():
        return _outcomes(batch.with_columns(status=pl.lit(""), rule=pl.lit(""), message=pl.lit("")))
    stored = _stored(batch)
    today = as_at.astimezone(zoneinfo.ZoneInfo(rules.LONDON)).date()
    judged = rules.assess(
        batch.join(stored, on="row", how="left"), today=today, ceiling_wh=ceiling_wh
    )
    accepted = judged.filter(pl.col("status") == rules.ACCEPTED)
    packed, hexes = _packed(accepted)
    accepted = accepted.with_columns(packed_hex=pl.Series(hexes, dtype=pl.String)).with_columns(
        status=pl.when(pl.col("stored_id").is_null())
        .then(pl.lit(rules.ACCEPTED))
        .when(pl.col("stored_hex") == pl.col("packed_hex"))
        .then(pl.lit(rules.DUPLICATE))
        .otherwise(pl.lit(rules.REPLACED))
    )
    kept = accepted.with_columns(packed_wh=pl.Series(packed, dtype=pl.Binary)).filter(
        pl.col("status") != rules.DUPLICATE
    )
    _delete(kept.filter(pl.col("status") == rules.REPLACED).select(id="stored_id"))
    _write(kept, received_by=received_by, reference=reference, as_at=as_at)
    judged = judged.update(accepted.select("row", "status"), on="row")
    return _outcomes(judged)


def _outcomes(judged: pl.DataFrame) -> pl.DataFrame:
    return judged.select("row", "meter_point", "day", "status", "rule", "message").sort("row")


def _delete(ids: pl.DataFrame) -> None:
    """Delete the stored days a batch replaces."""
    if ids.is_empty():
        return
    frames.create_temp_table("_half_hourly_replaced", {"id": "bigint"})
    frames.write_temp("_half_hourly_replaced", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {models.HalfHourlyDay._meta.db_table} "
            "WHERE id IN (SELECT id FROM _half_hourly_replaced)"
        )


def _write(
    kept: pl.DataFrame, *, received_by: str, reference: str, as_at: datetime.datetime
) -> None:
    """Store the accepted and replacing days: one COPY on PostgreSQL (``bytea`` as hex)."""
    if kept.is_empty():
        return
    packed = (
        pl.concat_str(pl.lit("\\x"), pl.col("packed_hex"))
        if bulk.is_postgresql()
        else pl.col("packed_wh")
    )
    rows = kept.select(
        "meter_point_id",
        "day",
        packed_wh=packed,
        periods="periods",
        total_wh="total_wh",
        received_at=pl.lit(as_at).dt.convert_time_zone("UTC"),
        received_by=pl.lit(received_by[:150]),
        reference=pl.lit(reference[:100]),
    )
    frames.write_frame(models.HalfHourlyDay, rows)
