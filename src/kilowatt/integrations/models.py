"""Industry flow files we have received, and the readings in them we could not place."""

from __future__ import annotations

from django.db import models


class FlowFile(models.Model):
    """One inbound flow file, once: the hash of its content is unique, so a file that
    arrives twice is recognised and changes nothing. ``outcomes`` keeps the per-record
    report of the first import, to answer a repeat with it."""

    flow = models.CharField(max_length=10)  # "D0010"
    file_id = models.CharField(max_length=20)  # the ZHV header's file identifier
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()
    accepted = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    outcomes = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["flow", "file_id"], name="flowfile_flow_file_id")]

    def __str__(self) -> str:
        return f"{self.flow} {self.file_id}"


class UnmatchedReading(models.Model):
    """A reading for a meter point (or register) we do not know, kept as the file had it
    for a person to review; never dropped."""

    flow_file = models.ForeignKey(
        FlowFile, on_delete=models.PROTECT, related_name="unmatched", db_index=False
    )
    line = models.PositiveIntegerField()
    mpan_core = models.CharField(max_length=13)
    validation_status = models.CharField(max_length=1)
    meter_serial = models.CharField(max_length=20)
    reading_type = models.CharField(max_length=1)
    register = models.CharField(max_length=3)
    read_at = models.DateTimeField()
    value = models.DecimalField(max_digits=15, decimal_places=3)
    md_reset_at = models.DateTimeField(null=True, blank=True)
    md_resets = models.PositiveIntegerField(null=True, blank=True)
    reading_flag = models.CharField(max_length=1)
    reading_method = models.CharField(max_length=1, blank=True)
    rule = models.CharField(max_length=40)  # why it could not be placed
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flow_file", "line"], name="unmatched_once_per_line")
        ]


class OutboundFlow(models.Model):
    """One industry flow file we owe another party, kept as a row until it is sent.

    Queued by the reaction to what happened (a meter exchange: ``key``
    ``meter_exchange:<new meter id>:<flow>``), written out by ``kilowatt flows outbound``
    and marked sent then. ``key`` is unique, so the same happening never queues the same
    flow twice, however often its event is delivered.
    """

    flow = models.CharField(max_length=10)  # "D0150", "D0010", "ONUPD"
    key = models.CharField(max_length=80, unique=True)
    file_id = models.CharField(max_length=20)  # the file's own identifier (ZHV, HEADR)
    filename = models.CharField(max_length=100)
    recipient = models.CharField(max_length=20)  # role and participant: "D UDMS"
    content = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], name="outbound_pending_idx", condition=models.Q(sent_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.flow} {self.file_id}"
