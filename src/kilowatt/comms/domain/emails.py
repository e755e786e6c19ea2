"""Rules of the email outbox, as plain functions: what a queued email must be, and when
a failed send is tried again."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from kilowatt.platform.errors import Problem
from kilowatt.validation.contact import email_problem

MAX_ATTEMPTS = 10
# The wait after the n-th failed attempt (n = 1 ... 9); the tenth failure is final.
RETRY_DELAYS = tuple(
    datetime.timedelta(minutes=minutes) for minutes in (1, 5, 30, 60, 120, 240, 480, 720, 1440)
)
# How long a sender holds a message it took before another sender may take it again (a
# sender that died between claiming and recording the outcome).
CLAIM_FOR = datetime.timedelta(minutes=10)
MAX_KEY = 200
MAX_SUBJECT = 300
MAX_ATTACHMENT_NAME = 200
MESSAGE_ID_DOMAIN = "mail.kilowatt.energy"


@dataclasses.dataclass(frozen=True)
class Attachment:
    """A file to send with an email."""

    name: str
    content_type: str
    content: bytes


def email_problems(
    *, key: str, to: str, attachments: tuple[Attachment, ...] | list[Attachment]
) -> list[Problem]:
    """Return what is wrong with an email to be queued (the fields as ``queue_email``
    names them)."""
    problems: list[Problem] = []
    if not key.strip():
        problems.append(Problem("key", "required", "An email needs an idempotency key."))
    elif len(key) > MAX_KEY:
        problems.append(Problem("key", "too_long", f"At most {MAX_KEY} characters."))
    if not to.strip():
        problems.append(Problem("to", "required", "An email needs an address to go to."))
    elif (problem := email_problem(to)) is not None:
        problems.append(Problem("to", "email_format", f"{to!r} is {problem}."))
    for position, attachment in enumerate(attachments):
        name = attachment.name
        if not name or len(name) > MAX_ATTACHMENT_NAME or any(c in name for c in '/\\\r\n"'):
            problems.append(
                Problem(
                    f"attachments.{position}.name",
                    "file_name",
                    f"A file name of 1 to {MAX_ATTACHMENT_NAME} characters, without "
                    "slashes, quotes or line breaks.",
                )
            )
        if "/" not in attachment.content_type:
            problems.append(
                Problem(
                    f"attachments.{position}.content_type",
                    "media_type",
                    "A media type such as application/pdf.",
                )
            )
    return problems


def one_line_subject(rendered: str) -> str:
    """Return a rendered subject as one line (a header cannot hold a line break)."""
    return " ".join(rendered.split())[:MAX_SUBJECT]


def retry_at(*, attempts: int, failed_at: datetime.datetime) -> datetime.datetime | None:
    """Return when to try again after ``attempts`` failed attempts, or None when that was
    the last one (``MAX_ATTEMPTS``)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return failed_at + RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def message_id_for(key: str) -> str:
    """Return the Message-ID of the email queued under ``key``: the same on every attempt,
    so a message sent twice (a sender lost after the server took it) is one message to
    the mail systems that notice."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"
