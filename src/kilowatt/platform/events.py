"""The outbox: a lower context announces an event in its own transaction.

Higher contexts react in their ``interfaces/handlers.py``; nothing imports upward. Which
handlers react to which event is wired in the composition root (``config/events.py``,
named by the ``KILOWATT_EVENT_HANDLERS`` setting); ``dispatch`` hands undelivered events
to them (the ``kilowatt events dispatch`` command and the ``platform.dispatch_events``
task, every minute on Celery beat).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from kilowatt.platform import models

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Event:
    """An announced event as a handler receives it."""

    id: int
    name: str
    payload: dict[str, Any]
    occurred_at: datetime.datetime


# A handler reacts to one event inside the dispatcher's transaction for that event.
Handler = Callable[..., None]  # handler(event: Event, *, as_at: datetime.datetime) -> None


def publish(*, name: str, payload: Mapping[str, Any], at: datetime.datetime) -> None:
    """Write an event row; call inside the transaction of the change it announces."""
    models.OutboxEvent.objects.create(name=name, payload=dict(payload), occurred_at=at)


def wired_handlers() -> Mapping[str, Sequence[Handler]]:
    """Return the composition root's handlers by event name (``KILOWATT_EVENT_HANDLERS``)."""
    path = getattr(settings, "KILOWATT_EVENT_HANDLERS", "")
    return import_string(path) if path else {}


def dispatch(
    *,
    as_at: datetime.datetime,
    limit: int = 100,
    handlers: Mapping[str, Sequence[Handler]] | None = None,
) -> int:
    """Hand up to ``limit`` undelivered events, oldest first, to the handlers wired to
    their names (``handlers``, by default ``wired_handlers()``); return how many were
    delivered.

    Each event is one transaction: its row is locked (skipping one another dispatcher
    holds), every handler runs, and the row is marked dispatched, all or nothing. An
    event no handler wants is marked too. A handler that raises rolls its event back and
    leaves it for the next run (logged, counted, the error kept); after
    ``MAX_ATTEMPTS`` the event is marked failed and waits for a person, so it cannot hold
    up the events behind it. The run goes on with the next event.
    """
    wired = wired_handlers() if handlers is None else handlers
    pending = list(
        models.OutboxEvent.objects.filter(dispatched_at__isnull=True, failed_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    delivered = 0
    for event_id in pending:
        try:
            with transaction.atomic():
                row = (
                    models.OutboxEvent.objects.select_for_update(skip_locked=True)
                    .filter(id=event_id, dispatched_at__isnull=True)
                    .first()
                )
                if row is None:
                    continue  # another dispatcher delivered it, or holds it
                event = Event(
                    id=row.id, name=row.name, payload=row.payload, occurred_at=row.occurred_at
                )
                for handler in wired.get(row.name, ()):
                    handler(event, as_at=as_at)
                row.dispatched_at = as_at
                row.save(update_fields=["dispatched_at"])
                delivered += 1
        except Exception as error:
            logger.exception("event %s was not delivered", event_id)
            _note_failure(event_id, error, as_at=as_at)
    return delivered


MAX_ATTEMPTS = 10


def _note_failure(event_id: int, error: Exception, *, as_at: datetime.datetime) -> None:
    """Count a failed delivery and keep why; give up after ``MAX_ATTEMPTS``."""
    with transaction.atomic():
        row = models.OutboxEvent.objects.select_for_update().filter(id=event_id).first()
        if row is None:
            return
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at = as_at
        row.save(update_fields=["attempts", "last_error", "failed_at"])


def close_history(*, as_at: datetime.datetime) -> int:
    """Mark every undelivered event delivered without handing it to anyone; return how
    many. For a loaded history (the demo's months of bills): its effects were made by the
    load itself, and replaying it would email years of bills."""
    return models.OutboxEvent.objects.filter(
        dispatched_at__isnull=True, failed_at__isnull=True
    ).update(dispatched_at=as_at)
