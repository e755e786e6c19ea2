"""What every inbound industry file shares before its own records: ASCII text, and one
``FlowFile`` row per file content (its SHA-256), so the same file twice changes nothing."""

from __future__ import annotations

import datetime
import hashlib

from django.db import IntegrityError, transaction

from kilowatt.integrations import models
from kilowatt.platform.errors import InvalidInput


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def recorded(digest: str) -> models.FlowFile | None:
    """Return the file of this content imported before, if any."""
    return models.FlowFile.objects.filter(sha256=digest).first()


def ascii_text(content: bytes, *, filename: str) -> str:
    """Return a flow file's text.

    :raises InvalidInput: ``file``/``encoding``: it is not ASCII.
    """
    try:
        return content.decode("ascii")
    except UnicodeDecodeError as error:
        raise InvalidInput.one(
            field="file", rule="encoding", message=f"{filename} is not ASCII text ({error.reason})"
        ) from None


def claim(
    *, flow: str, file_id: str, filename: str, digest: str, as_at: datetime.datetime
) -> models.FlowFile | None:
    """Record the file as received; None when another process recorded the same content
    meanwhile (its import is theirs)."""
    try:
        with transaction.atomic():
            return models.FlowFile.objects.create(
                flow=flow,
                file_id=file_id,
                filename=filename[:255],
                sha256=digest,
                received_at=as_at,
            )
    except IntegrityError:
        return None
