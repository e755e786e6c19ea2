"""The outbox of messages to customers: an email is queued once (its ``idempotency_key``),
then sent by workers, retried with back-off, and marked sent once the server took it."""

from __future__ import annotations

from django.db import models


class OutboundEmail(models.Model):
    """One email to one address, rendered when queued; its attachments beside it."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "Queued"  # waiting for its next attempt (``next_attempt_at``)
        SENT = "SENT", "Sent"  # the SMTP server accepted it
        FAILED = "FAILED", "Failed"  # every attempt failed: a person looks at it

    idempotency_key = models.CharField(max_length=200, unique=True)
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=6, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    queued_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["QUEUED", "SENT", "FAILED"]),
                name="outbound_email_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="SENT", sent_at__isnull=False)
                | (~models.Q(status="SENT") & models.Q(sent_at__isnull=True)),
                name="outbound_email_sent_when_sent_at",
            ),
        ]
        indexes = [
            # The sender's one question: what is due now? Only queued rows are indexed.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbound_email_due_idx",
                condition=models.Q(status="QUEUED"),
            ),
        ]


class OutboundAttachment(models.Model):
    """A file sent with an email (an invoice's PDF), in its order."""

    email = models.ForeignKey(
        OutboundEmail, on_delete=models.CASCADE, related_name="attachments", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "position"], name="outbound_attachment_once")
        ]
