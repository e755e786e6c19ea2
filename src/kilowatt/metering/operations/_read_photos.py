"""A photo of the meter kept with a read: checked by its bytes, stored beside the read.

Called inside the transaction that recorded the read (``accounts.operations.submit_read``),
so a read and its photo are kept together or not at all.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.metering import models
from kilowatt.metering.domain import photos
from kilowatt.platform.errors import InvalidInput, NotFound


def check_read_photo(*, content: bytes, declared_type: str = "") -> None:
    """Check a photo before anything is recorded with it.

    :raises InvalidInput: field ``photo``: ``empty``, ``too_large`` (over 5 MB) or
        ``not_an_image`` (not a JPEG, PNG or WebP by its bytes); field
        ``photo_content_type``: ``does_not_match_photo`` when a declared type differs.
    """
    problems = photos.problems(content, declared_type=declared_type)
    if problems:
        raise InvalidInput(problems)


@transaction.atomic
def attach_read_photo(
    *,
    read_id: int,
    content: bytes,
    declared_type: str = "",
    received_by: str,
    as_at: datetime.datetime,
) -> models.ReadPhoto:
    """Keep a photo of the meter with a read, typed by its bytes (JPEG, PNG or WebP).

    :raises NotFound: no such read.
    :raises InvalidInput: the photo is refused (as ``check_read_photo``), or the read has
        a photo already (field ``photo``, rule ``already_attached``).
    """
    check_read_photo(content=content, declared_type=declared_type)
    if not models.Read.objects.filter(id=read_id).exists():
        raise NotFound(f"read {read_id}")
    if models.ReadPhoto.objects.filter(read_id=read_id).exists():
        raise InvalidInput.one(
            field="photo", rule="already_attached", message="this reading has a photo already"
        )
    return models.ReadPhoto.objects.create(
        read_id=read_id,
        content=content,
        content_type=photos.image_type(content) or "",  # checked above: never empty
        size_bytes=len(content),
        sha256=photos.sha256(content),
        received_at=as_at,
        received_by=received_by[:150],
    )
