"""A photo of a meter given with a reading: which images we keep, told by their bytes.

The type a client declares is not trusted: a photo is a JPEG, PNG or WebP only if its
first bytes (the format's signature) say so, and that is the type it is stored and
served as. Pure: no Django, no I/O.
"""

from __future__ import annotations

import hashlib

from kilowatt.platform.errors import Problem

MAX_BYTES = 5 * 1024 * 1024  # 5 MB: a phone's photo of a meter, with room to spare

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
CONTENT_TYPES = (JPEG, PNG, WEBP)

TOO_LARGE = "too_large"
NOT_AN_IMAGE = "not_an_image"
EMPTY = "empty"
DOES_NOT_MATCH = "does_not_match_photo"


def image_type(content: bytes) -> str | None:
    """Return the type the bytes' signature names (JPEG, PNG or WebP), or None."""
    if content[:3] == b"\xff\xd8\xff":
        return JPEG
    if content[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    return None


def problems(content: bytes, *, declared_type: str = "", field: str = "photo") -> list[Problem]:
    """Return what is wrong with a photo (empty, too large, not a JPEG, PNG or WebP, or not
    the type the client declared), naming ``field``; an empty list when it may be kept."""
    if not content:
        return [Problem(field=field, rule=EMPTY, message="the photo is empty")]
    if len(content) > MAX_BYTES:
        return [
            Problem(
                field=field,
                rule=TOO_LARGE,
                message=f"the photo is {len(content) / 1024 / 1024:.1f} MB; at most "
                f"{MAX_BYTES // 1024 // 1024} MB",
            )
        ]
    kind = image_type(content)
    if kind is None:
        return [Problem(field=field, rule=NOT_AN_IMAGE, message="send a JPEG, PNG or WebP photo")]
    declared = declared_type.strip().lower()
    if declared and declared != kind:
        return [
            Problem(
                field=f"{field}_content_type",
                rule=DOES_NOT_MATCH,
                message=f"the photo is {kind}, not {declared}",
            )
        ]
    return []


def sha256(content: bytes) -> str:
    """Return the photo's SHA-256 as 64 hex digits."""
    return hashlib.sha256(content).hexdigest()
