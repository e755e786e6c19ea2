"""Meter readings over HTTP: a customer or an agent gives one for a meter point they
may see, and reads the meter point's history. The read-exceptions queue is served by
metering's own router.

A photo of the meter travels inside the reading's JSON as base64 (``photo``, with an
optional ``photo_content_type``), so a reading stays one JSON body with one schema and
one set of 422 answers. A photo may be at most 5 MB once decoded, and must be a JPEG,
PNG or WebP by its bytes; the body as a whole at most 8 MB (``DATA_UPLOAD_MAX_MEMORY_SIZE``;
larger is answered 422 ``body``/``too_large`` before it is read). The photo is served
back as its own bytes at ``/meter-points/{identifier}/reads/{read_id}/photo``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import zoneinfo
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import BeforeValidator, WithJsonSchema

from kilowatt.accounts import operations, queries
from kilowatt.accounts.interfaces.api._shared import principal
from kilowatt.metering import operations as metering_operations
from kilowatt.platform import clock
from kilowatt.platform.api import READ, WRITE, rule_broken

router = Router(tags=["meter reads"])
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _from_base64(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]  # a data: URL, as a browser's FileReader gives it
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise rule_broken("not_base64", "send the photo's bytes as base64") from error


Base64Photo = Annotated[
    bytes,
    BeforeValidator(_from_base64),
    WithJsonSchema({"type": "string", "contentEncoding": "base64", "format": "byte"}),
]


class ReadIn(Schema):
    read_at: datetime.datetime = Field(
        description="When the meter was read; without an offset it is UK time. A date alone "
        "means midnight UK time."
    )
    value: Decimal = Field(
        description='What the register showed, for example "12345".',
        ge=0,
        lt=10**10,
        decimal_places=3,
    )
    meter_register: str = Field(
        "", description="The register read (1, 2 ...); needed on multi-rate meters."
    )
    meter_serial: str = Field(
        "", description="The meter's serial; empty for the meter on the meter point."
    )
    photo: Base64Photo | None = Field(
        None,
        description="A photo of the meter, base64 (a data: URL is accepted too): a JPEG, "
        "PNG or WebP of at most 5 MB. Refused with rule not_an_image, too_large or empty.",
    )
    photo_content_type: str = Field(
        "",
        description="Optional: image/jpeg, image/png or image/webp. The type is read from the "
        "photo's bytes; when given, it must agree (rule does_not_match_photo).",
    )


class ReadOutcomeOut(Schema):
    status: str = Field(
        description="ACCEPTED, DUPLICATE (we had it already) or HELD (we will check it)."
    )
    rule: str = Field(description="Why it is held, as a stable code; empty when accepted.")
    message: str = Field(description="Why it is held, in words for the customer.")
    read_id: int | None
    has_photo: bool = Field(
        description="A photo was kept with the reading (not for a reading we already had)."
    )


class ReadOut(Schema):
    id: int
    meter_point: str
    meter_serial: str
    meter_register: str = Field(alias="register")
    band: str
    read_at: datetime.datetime
    value: Decimal
    source: str = Field(description="CUSTOMER, AGENT, FIELD, SMART, INDUSTRY or ESTIMATE.")
    status: str = Field(description="ACCEPTED, HELD, REFUSED or WITHDRAWN.")
    advance: Decimal | None
    consumption_kwh: Decimal | None
    rolled_over: bool
    rule: str
    message: str
    has_photo: bool = Field(
        description="A photo came with it: GET /meter-points/{identifier}/reads/{id}/photo."
    )


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


@router.post(
    "/meter-points/{identifier}/reads",
    response={200: ReadOutcomeOut, 201: ReadOutcomeOut, **WRITE},
)
def submit_read(request: HttpRequest, identifier: str, payload: ReadIn) -> Any:
    """Give a meter reading. 201 when kept (accepted, or held for a person to check),
    200 when we already had it, 422 naming the field and rule when it cannot be right."""
    outcome = operations.submit_read(
        by=principal(request),
        identifier=identifier,
        read=metering_operations.ReadIn(
            meter_point=identifier,
            read_at=_aware(payload.read_at),
            value=payload.value,
            register=payload.meter_register,
            meter_serial=payload.meter_serial,
        ),
        photo=payload.photo,
        photo_content_type=payload.photo_content_type,
        as_at=clock.now(),
    )
    return Status(200 if outcome.status == "DUPLICATE" else 201, outcome)


@router.get("/meter-points/{identifier}/reads", response={200: list[ReadOut], **READ})
def list_reads(request: HttpRequest, identifier: str) -> Any:
    """List a meter point's readings of every status, newest first (the latest 100)."""
    return queries.reads_for(principal(request), identifier=identifier)


@router.get(
    "/meter-points/{identifier}/reads/{read_id}/photo",
    response={200: bytes, **READ},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The photo's bytes, as the type they are.",
                "content": {
                    content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in ("image/jpeg", "image/png", "image/webp")
                },
            }
        }
    },
)
def read_photo(request: HttpRequest, identifier: str, read_id: int) -> Any:
    """The photo of the meter given with a reading: a customer sees their own, staff
    those of meter points they may see; 404 alike for none, missing and not yours."""
    photo = queries.read_photo_for(principal(request), identifier=identifier, read_id=read_id)
    response = HttpResponse(photo.content, content_type=photo.content_type)
    response["Content-Length"] = str(photo.size_bytes)
    response["Content-Disposition"] = f'inline; filename="read-{photo.read_id}-photo"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["ETag"] = f'"{photo.sha256}"'
    return response
