"""Business-agnostic records every context writes: the outbox of events and the audit trail."""

from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):
    """An event a lower context announces, written in the same transaction as the change.

    Named ``<context>.<entity>.<past-tense>.v<N>``; the payload carries ids and ISO dates.
    A dispatcher task hands undelivered rows to the higher contexts' handlers.
    """

    name = models.CharField(max_length=120)
    payload = models.JSONField()
    occurred_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # A handler that keeps failing: how often, why last, and when the dispatcher gave up
    # (the event then waits for a person instead of holding up the ones behind it).
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_pending_idx",
                condition=models.Q(dispatched_at__isnull=True, failed_at__isnull=True),
            )
        ]


class AuditEntry(models.Model):
    """Who changed what, and when: one row per created or changed record.

    ``trail`` groups the entries a person looks at together (for example every change
    under one customer: ``customer:42``), so the customer page reads one index range.
    """

    class Action(models.TextChoices):
        CREATED = "CREATED", "created"
        UPDATED = "UPDATED", "updated"
        DELETED = "DELETED", "deleted"

    trail = models.CharField(max_length=60)
    entity = models.CharField(max_length=60)
    entity_id = models.CharField(max_length=40)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["trail", "-at", "-id"], name="audit_trail_idx")]
