"""Write and read the audit trail: who changed what, when.

Operations call ``record`` inside their own transaction, so a change and its audit entry
land together or not at all.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from kilowatt.platform import models


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who acts: a user (id and name) or the system itself (``id=None``)."""

    id: int | None
    name: str


SYSTEM = Actor(id=None, name="system")


@dataclasses.dataclass(frozen=True)
class AuditRecord:
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Any]
    actor_name: str
    at: datetime.datetime


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for the fields whose value changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def record(
    *,
    trail: str,
    entity: str,
    entity_id: object,
    action: str,
    changes: Mapping[str, Any],
    actor: Actor,
    at: datetime.datetime,
) -> None:
    """Append one entry to the audit trail (call inside the operation's transaction)."""
    models.AuditEntry.objects.create(
        trail=trail,
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        changes={key: value for key, value in changes.items()},
        actor_id=actor.id,
        actor_name=actor.name,
        at=at,
    )


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return the changes of a newly created record: every field from nothing."""
    return {key: [None, _jsonable(value)] for key, value in values.items()}


def trail_for(*, trails: list[str], limit: int = 200) -> list[AuditRecord]:
    """Return the newest entries of some trails together, newest first."""
    rows = models.AuditEntry.objects.filter(trail__in=trails).order_by("-at", "-id")[:limit]
    return [
        AuditRecord(
            entity=row.entity,
            entity_id=row.entity_id,
            action=row.action,
            changes=row.changes,
            actor_name=row.actor_name,
            at=row.at,
        )
        for row in rows
    ]


@dataclasses.dataclass(frozen=True)
class Entry:
    """One entry for ``record_many``: the arguments of ``record`` but the actor and time."""

    trail: str
    entity: str
    entity_id: object
    action: str
    changes: Mapping[str, Any]


def record_many(*, entries: list[Entry], actor: Actor, at: datetime.datetime) -> None:
    """Append many entries by one actor at one moment in one insert (set-based work)."""
    models.AuditEntry.objects.bulk_create(
        [
            models.AuditEntry(
                trail=entry.trail,
                entity=entry.entity,
                entity_id=str(entry.entity_id),
                action=entry.action,
                changes=dict(entry.changes),
                actor_id=actor.id,
                actor_name=actor.name,
                at=at,
            )
            for entry in entries
        ],
        batch_size=1000,
    )
