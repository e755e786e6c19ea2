"""Flows we send: queued as rows when something happens, written out and marked sent later.

A meter exchange (``metering.meter.exchanged.v1``) queues, for electricity, a D0150 (the
new meter's technical details and the old meter's removal) and a D0010 (the old meter's
final reads, reading type F, and the new meter's first reads, type I: the D0150 carries
no readings); for gas, one ONUPD-style exchange record for the transporters' agency. Each
row's key names the exchange (its new meter) and the flow, and is unique: the same event
delivered twice queues nothing more.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from kilowatt.integrations import models
from kilowatt.integrations.domain import d0010, d0150, dtc, gas_exchange
from kilowatt.metering import queries as metering_queries
from kilowatt.platform.errors import InvalidInput, NotFound

# Who we are and who we tell (participant ids). We act as our own meter operator (role
# M) towards the data collector (D), as the D0010 export does as supplier.
METER_OPERATOR = "KWLT"
DATA_COLLECTOR = "UDMS"
GAS_AGENCY = "XOSERVE"
FINAL_READING = "F"  # J0171 reading type: the removed meter's last reading
INITIAL_READING = "I"  # ... and the installed meter's first
SITE_VISIT = "P"  # reading method: viewed by an agent on a site visit
UNVALIDATED = "U"  # BSC validation status: the data collector validates it


@dataclasses.dataclass(frozen=True)
class MeterExchanged:
    """A recorded meter exchange as the industry hears of it (the event's ids and dates)."""

    meter_point_id: int
    old_meter_id: int
    new_meter_id: int
    exchanged_on: datetime.date
    final_read_ids: tuple[int, ...]
    first_read_ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class PendingFlow:
    """A queued flow handed to a transport: write ``content`` as ``filename``."""

    id: int
    flow: str
    file_id: str
    filename: str
    recipient: str
    content: str


def exchange_key(new_meter_id: int, flow: str) -> str:
    """Return the unique key of the ``flow`` that tells of the exchange to this meter."""
    return f"meter_exchange:{new_meter_id}:{flow}"


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if not number:
            return text


def _reads(ids: Sequence[int]) -> list[metering_queries.ReadRow]:
    return [metering_queries.read_by_id(read_id=read_id) for read_id in ids]


def _electricity(
    point: Any, old: Any, new: Any, exchange: MeterExchanged, *, created: datetime.datetime
) -> list[tuple[str, str, str, str, str]]:
    """Return the D0150 and D0010 rows (flow, file id, filename, recipient, content)."""
    recipient = f"{d0150.DATA_COLLECTOR_ROLE} {DATA_COLLECTOR}"
    registers = tuple(
        d0150.Register(register_id=register.identifier.zfill(2), digits=new.digits)
        for register in new.registers.all()
    )
    details = d0150.MeterTechnicalDetails(
        mpan_core=point.identifier,
        effective_from=exchange.exchanged_on,
        contractor=METER_OPERATOR,
        installed=(
            d0150.InstalledMeter(
                meter_id=new.serial_number,
                meter_type=d0150.METER_TYPES.get(new.type, "N"),
                installed_on=new.installed_date,
                certified_on=new.installed_date,
                certification_expires_on=new.certified_until,
                retrieval_method=d0150.RETRIEVAL_METHODS.get(new.type, "H"),
                registers=registers,
            ),
        ),
        removed=(d0150.RemovedMeter(meter_id=old.serial_number, removed_on=exchange.exchanged_on),),
    )
    mtd_id = f"M{exchange.new_meter_id:09d}"
    mtd = d0150.write(
        header=dtc.Header(
            file_id=mtd_id,
            from_role=d0150.METER_OPERATOR_ROLE,
            from_participant=METER_OPERATOR,
            to_role=d0150.DATA_COLLECTOR_ROLE,
            to_participant=DATA_COLLECTOR,
            created_local=created,
        ),
        details=[details],
    )
    readings = [
        d0010.Reading(
            mpan_core=point.identifier,
            meter_serial=read.meter_serial,
            register=read.register.zfill(2),
            read_local=d0010.to_local(read.read_at),
            value=read.value,
            validation_status=UNVALIDATED,
            reading_type=reading_type,
            reading_method=SITE_VISIT,
        )
        for ids, reading_type in (
            (exchange.final_read_ids, FINAL_READING),
            (exchange.first_read_ids, INITIAL_READING),
        )
        for read in sorted(_reads(ids), key=lambda r: r.register)
    ]
    reads_id = f"R{exchange.new_meter_id:09d}"
    reads = d0010.write(
        header=d0010.Header(
            file_id=reads_id,
            from_role=d0150.METER_OPERATOR_ROLE,
            from_participant=METER_OPERATOR,
            to_role=d0150.DATA_COLLECTOR_ROLE,
            to_participant=DATA_COLLECTOR,
            created_local=created,
        ),
        readings=readings,
    )
    return [
        (d0150.FLOW, mtd_id, f"{d0150.FLOW}_{mtd_id}.txt", recipient, mtd),
        (d0010.FLOW, reads_id, f"{d0010.FLOW}_{reads_id}.txt", recipient, reads),
    ]


def _gas(
    point: Any, old: Any, new: Any, exchange: MeterExchanged, *, created: datetime.datetime
) -> list[tuple[str, str, str, str, str]]:
    """Return the ONUPD-style row (flow, file id, filename, recipient, content)."""
    # A gas meter has one register: its final and first reads are one each.
    final = [read.value for read in _reads(exchange.final_read_ids)][:1] or [Decimal(0)]
    first = [read.value for read in _reads(exchange.first_read_ids)][:1] or [Decimal(0)]
    file_id = f"G{_base36(exchange.new_meter_id).rjust(7, '0')}"
    content = gas_exchange.write(
        header=gas_exchange.Header(
            file_id=file_id, originator=METER_OPERATOR, recipient=GAS_AGENCY, created_local=created
        ),
        exchanges=[
            gas_exchange.Exchange(
                mprn=point.identifier,
                exchanged_on=exchange.exchanged_on,
                removed_serial=old.serial_number,
                final_read=final[0],
                installed_serial=new.serial_number,
                meter_type=new.type,
                units=gas_exchange.UNITS.get(new.units, new.units[:1]),
                dials=new.digits,
                first_read=first[0],
                certification_expires_on=new.certified_until,
            )
        ],
    )
    recipient = f"{gas_exchange.AGENCY_ROLE} {GAS_AGENCY}"
    return [(gas_exchange.FLOW, file_id, f"{gas_exchange.FLOW}_{file_id}.csv", recipient, content)]


@transaction.atomic
def queue_meter_exchange_flows(
    *, exchange: MeterExchanged, as_at: datetime.datetime
) -> list[models.OutboundFlow]:
    """Queue the flows that tell the industry of a meter exchange (a D0150 and a D0010
    for electricity, an ONUPD-style record for gas); return them, oldest first.

    Idempotent: an exchange already queued queues nothing more (each flow's key is
    unique) and its flows are returned as they are.

    :raises NotFound: no such meter point, or the meters are not on it.
    :raises InvalidInput: the flow cannot carry a value (a meter serial over 10
        characters in a D0150, an MPAN that is not 13 digits).
    """
    fuel_flows = {
        "ELECTRICITY": (d0150.FLOW, d0010.FLOW),
        "GAS": (gas_exchange.FLOW,),
    }
    queued = list(
        models.OutboundFlow.objects.filter(
            key__in=[
                exchange_key(exchange.new_meter_id, flow)
                for flows in fuel_flows.values()
                for flow in flows
            ]
        ).order_by("id")
    )
    if queued:
        return queued
    found = metering_queries.meter_points_by_ids(ids=[exchange.meter_point_id])
    if not found:
        raise NotFound(f"meter point {exchange.meter_point_id}")
    point = found[0]
    meters = {meter.id: meter for meter in point.meters.all()}
    old, new = meters.get(exchange.old_meter_id), meters.get(exchange.new_meter_id)
    if old is None or new is None:
        raise NotFound(f"the exchanged meters of meter point {exchange.meter_point_id}")
    created = d0010.to_local(as_at).replace(microsecond=0)
    build = _electricity if point.fuel == "ELECTRICITY" else _gas
    rows = build(point, old, new, exchange, created=created)
    models.OutboundFlow.objects.bulk_create(
        [
            models.OutboundFlow(
                flow=flow,
                key=exchange_key(exchange.new_meter_id, flow),
                file_id=file_id,
                filename=filename,
                recipient=recipient,
                content=content,
                created_at=as_at,
            )
            for flow, file_id, filename, recipient, content in rows
        ],
        ignore_conflicts=True,  # a concurrent delivery of the same event queued them first
    )
    return list(
        models.OutboundFlow.objects.filter(
            key__in=[exchange_key(exchange.new_meter_id, row[0]) for row in rows]
        ).order_by("id")
    )


@transaction.atomic
def send_pending_flows(
    *, deliver: Callable[[PendingFlow], None], as_at: datetime.datetime, limit: int = 500
) -> list[PendingFlow]:
    """Hand up to ``limit`` queued flows, oldest first, to ``deliver`` (the transport: a
    directory, SFTP) and mark them sent; return what was sent.

    All or nothing: if ``deliver`` raises, none of this run's flows is marked sent (a
    file already written is written again, the same, next time). Rows another sender
    holds are skipped.

    :raises InvalidInput: ``limit`` is not positive.
    """
    if limit < 1:
        raise InvalidInput.one(field="limit", rule="positive", message="at least 1")
    rows = list(
        models.OutboundFlow.objects.select_for_update(skip_locked=True)
        .filter(sent_at__isnull=True)
        .order_by("id")[:limit]
    )
    sent = [
        PendingFlow(
            id=row.id,
            flow=row.flow,
            file_id=row.file_id,
            filename=row.filename,
            recipient=row.recipient,
            content=row.content,
        )
        for row in rows
    ]
    for flow in sent:
        deliver(flow)
    models.OutboundFlow.objects.filter(id__in=[flow.id for flow in sent]).update(sent_at=as_at)
    return sent
