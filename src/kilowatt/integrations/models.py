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


class MigrationRun(models.Model):
    """One migration from the legacy ERP (``kilowatt erp migrate``), page by page.

    Each page of customers is written in one transaction with ``next_page_token`` and the
    counts, so a run killed part-way resumes after the last page it kept. At most one
    unfinished run per ERP address. ``report`` keeps the reconciliation made at the end.
    """

    url = models.CharField(max_length=300)
    page_size = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    next_page_token = models.CharField(max_length=200, blank=True)
    pages = models.PositiveIntegerField(default=0)
    customers_imported = models.PositiveIntegerField(default=0)
    customers_rejected = models.PositiveIntegerField(default=0)
    customers_skipped = models.PositiveIntegerField(default=0)  # migrated by a run before
    report = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=models.Q(finished_at__isnull=True),
                name="migration_run_one_open_per_url",
            )
        ]

    def __str__(self) -> str:
        return f"migration {self.pk} from {self.url}"


class MigratedRecord(models.Model):
    """A record of the ERP we hold, once: ``(kind, legacy_id)`` is unique, so a run that
    meets it again skips it. ``our_id`` is what became of it (a customer, account, site,
    meter point or invoice id; for a balance, the ledger transaction's id)."""

    class Kind(models.TextChoices):
        CUSTOMER = "CUSTOMER", "Customer"
        ACCOUNT = "ACCOUNT", "Account"
        SITE = "SITE", "Site"
        METER_POINT = "METER_POINT", "Meter point"
        INVOICE = "INVOICE", "Open invoice"
        BALANCE = "BALANCE", "Opening balance"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    legacy_id = models.CharField(max_length=40)
    our_id = models.BigIntegerField()
    # A balance's pence (debit positive), an open invoice's outstanding pence.
    amount_pence = models.BigIntegerField(null=True, blank=True)
    run = models.ForeignKey(
        MigrationRun, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # no index: records are found by their legacy id, never by run

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "legacy_id"], name="migrated_record_once")
        ]


class MigrationReject(models.Model):
    """A customer of the ERP a run refused, with every reason (legacy id of the record,
    field, rule, message) and what it holds, so the reconciliation can account for it."""

    run = models.ForeignKey(
        MigrationRun, on_delete=models.PROTECT, related_name="rejects", db_index=False
    )  # the unique constraint leads with it
    legacy_customer_id = models.CharField(max_length=40)
    reasons = models.JSONField(default=list)
    accounts = models.PositiveIntegerField(default=0)
    meter_points = models.PositiveIntegerField(default=0)
    open_invoices = models.PositiveIntegerField(default=0)
    debit_pence = models.BigIntegerField(default=0)
    credit_pence = models.BigIntegerField(default=0)
    outstanding_pence = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "legacy_customer_id"], name="migration_reject_once_per_run"
            )
        ]
