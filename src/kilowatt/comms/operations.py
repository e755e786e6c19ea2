"""Comms' public writes: queue an email once, and send what is due over SMTP.

An email is rendered when it is queued (``queue_email``) and written to the outbox with
its attachments in one transaction; a unique ``idempotency_key`` makes queueing the same
message twice one message. Workers send what is due (``send_queued_emails``, the
``comms.send_queued_emails`` task every minute, ``kilowatt comms send`` by hand), one
message at a time over Django's SMTP backend (``EMAIL_HOST``/``EMAIL_PORT``): a message
is claimed by a conditional update (so two senders never take the same one), sent, and
marked sent in its own transaction once the server accepted it. A failure is kept
(``last_error``) and the message waits longer before each attempt (1, 5, 30 minutes ...);
after ``MAX_ATTEMPTS`` it is failed and waits for a person. A sender lost between the
server's acceptance and the mark may send a message twice; it keeps its Message-ID.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from kilowatt.comms import models
from kilowatt.comms.domain.emails import (
    CLAIM_FOR,
    MAX_ATTEMPTS,
    Attachment,
    email_problems,
    message_id_for,
    one_line_subject,
    retry_at,
)
from kilowatt.platform.errors import InvalidInput, raise_if

logger = logging.getLogger(__name__)

__all__ = ["MAX_ATTEMPTS", "Attachment", "queue_email", "send_queued_emails"]

_QUEUED = models.OutboundEmail.Status.QUEUED


def _existing(key: str) -> int | None:
    return (
        models.OutboundEmail.objects.filter(idempotency_key=key)
        .values_list("id", flat=True)
        .first()
    )


def _render(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``_body.txt`` and, if there is one,
    ``_body.html``."""
    try:
        subject = render_to_string(f"{template}_subject.txt", dict(context))
        text = render_to_string(f"{template}_body.txt", dict(context))
    except TemplateDoesNotExist as missing:
        raise InvalidInput.one(
            field="template",
            rule="unknown",
            message=f"No email template {missing} (a subject and a text body are needed).",
        ) from None
    html = ""
    with contextlib.suppress(TemplateDoesNotExist):  # an HTML body is optional
        html = str(render_to_string(f"{template}_body.html", dict(context)))
    return one_line_subject(subject), str(text), html


def queue_email(
    *,
    key: str,
    to: str,
    template: str,
    context: Mapping[str, Any],
    attachments: Sequence[Attachment] = (),
    as_at: datetime.datetime,
) -> int:
    """Render an email from templates and queue it to be sent now; return its id.

    ``template`` names the templates ``<template>_subject.txt``, ``<template>_body.txt``
    and, optionally, ``<template>_body.html``, rendered with ``context``. Queued under
    ``key`` once: queueing the same key again (also two at once) writes nothing and
    returns the first email's id.

    :raises InvalidInput: ``to``/``required`` or ``email_format``, ``key``/``required`` or
        ``too_long``, ``attachments.N.name``/``file_name``,
        ``attachments.N.content_type``/``media_type``, ``template``/``unknown``;
        nothing is written.
    """
    to = to.strip()
    raise_if(email_problems(key=key, to=to, attachments=list(attachments)))
    if (found := _existing(key)) is not None:
        return found
    subject, text, html = _render(template, context)
    try:
        with transaction.atomic():
            email = models.OutboundEmail.objects.create(
                idempotency_key=key,
                to_address=to,
                subject=subject,
                text_body=text,
                html_body=html,
                status=_QUEUED,
                queued_at=as_at,
                next_attempt_at=as_at,
                message_id=message_id_for(key),
            )
            models.OutboundAttachment.objects.bulk_create(
                models.OutboundAttachment(
                    email=email,
                    position=position,
                    filename=attachment.name,
                    content_type=attachment.content_type,
                    content=attachment.content,
                )
                for position, attachment in enumerate(attachments)
            )
    except IntegrityError:
        # Another caller queued the same key first: theirs is the email.
        if (found := _existing(key)) is None:
            raise
        return found
    return email.id


def _claim(email_id: int, as_at: datetime.datetime) -> bool:
    """Take a due message for this sender: count the attempt and hold it for
    ``CLAIM_FOR``; False if another sender took it (or sent it) first."""
    return bool(
        models.OutboundEmail.objects.filter(
            id=email_id, status=_QUEUED, next_attempt_at__lte=as_at
        ).update(attempts=F("attempts") + 1, next_attempt_at=as_at + CLAIM_FOR)
    )


def _message(email_id: int, connection: Any) -> mail.EmailMultiAlternatives:
    row = models.OutboundEmail.objects.get(id=email_id)
    message = mail.EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        connection=connection,
        headers={"Message-ID": row.message_id},
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    for filename, content_type, content in (
        models.OutboundAttachment.objects.filter(email_id=email_id)
        .order_by("position")
        .values_list("filename", "content_type", "content")
    ):
        message.attach(filename, bytes(content), content_type)
    return message


def _sent(email_id: int, as_at: datetime.datetime) -> None:
    with transaction.atomic():
        models.OutboundEmail.objects.filter(id=email_id).update(
            status=models.OutboundEmail.Status.SENT, sent_at=as_at, last_error=""
        )


def _failed(email_id: int, error: BaseException, as_at: datetime.datetime) -> None:
    """Keep why an attempt failed and when to try again; fail it after the last."""
    with transaction.atomic():
        row = models.OutboundEmail.objects.select_for_update().filter(id=email_id).first()
        if row is None or row.status != _QUEUED:
            return
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        retry = retry_at(attempts=row.attempts, failed_at=as_at)
        if retry is None:
            row.status = models.OutboundEmail.Status.FAILED
            logger.error("email %s failed for good after %s attempts", email_id, row.attempts)
        else:
            row.next_attempt_at = retry
        row.save(update_fields=["last_error", "status", "next_attempt_at"])


def _open(connection: Any) -> BaseException | None:
    """Open the SMTP connection; return why it could not be opened."""
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning(
            "the SMTP server %s:%s is unreachable (%s); due emails wait",
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            error,
        )
        return error
    return None


def _close(connection: Any) -> None:
    # A connection that broke is as good as closed.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.close()


def send_queued_emails(*, as_at: datetime.datetime, limit: int = 100) -> int:
    """Send up to ``limit`` queued emails whose next attempt is due at ``as_at``, oldest
    first, one at a time over SMTP; return how many the server accepted.

    Each is marked sent in its own transaction once accepted. A refusal or a broken
    connection keeps the error and backs the message off (``RETRY_DELAYS``), failing it
    after ``MAX_ATTEMPTS``; an unreachable server backs off every due message of this
    run and sends nothing. Raises nothing for a failed send: it is logged and kept.
    """
    due = list(
        models.OutboundEmail.objects.filter(status=_QUEUED, next_attempt_at__lte=as_at)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not due:
        return 0
    connection = mail.get_connection(fail_silently=False)
    unreachable = _open(connection)
    sent = 0
    try:
        for email_id in due:
            if not _claim(email_id, as_at):
                continue  # another sender has it
            if unreachable is not None:
                _failed(email_id, unreachable, as_at)
                continue
            try:
                accepted = connection.send_messages([_message(email_id, connection)])
                if not accepted:
                    raise smtplib.SMTPException("the server accepted no recipient")
            except (OSError, smtplib.SMTPException, ValueError) as error:
                logger.warning("email %s was not sent: %s", email_id, error)
                _failed(email_id, error, as_at)
                _close(connection)
                unreachable = _open(connection)
                continue
            _sent(email_id, as_at)
            sent += 1
    finally:
        _close(connection)
    return sent
