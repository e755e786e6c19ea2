"""Industry flow files we have received, and the readings in them we could not place."""

from __future__ import annotations

from django.db import models


class FlowFile(models.Model):
    """One inbound flow file, once: the hash of its content is unique, so a file that
    arrives twice is recognised and changes nothing. ``outcomes`` keeps the per-record
    report of the first import, to answer a repeat with it."""

    flow = models.CharField(max_length=10)  # "D0010", "D0150"
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


class MeterDetailsForReview(models.Model):
    """A 288 group of a received D0150 (a metering system's meter technical details) that
    was not recorded: its meter point is not one we know (``UNKNOWN``), or a record of it
    was refused (``REFUSED``: ``rule`` says why). Kept as the file had it, group lines and
    all, for a person to review; never dropped."""

    class Status(models.TextChoices):
        UNKNOWN = "UNKNOWN", "Meter point not known"
        REFUSED = "REFUSED", "Refused"

    flow_file = models.ForeignKey(
        FlowFile, on_delete=models.PROTECT, related_name="meter_details", db_index=False
    )
    line = models.PositiveIntegerField()  # the 288 group's line
    mpan_core = models.CharField(max_length=13)
    status = models.CharField(max_length=10, choices=Status.choices)
    rule = models.CharField(max_length=40)
    message = models.CharField(max_length=300, blank=True)
    content = models.TextField()  # the group's lines, as received
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["flow_file", "line"], name="meter_details_once_per_line"
            )
        ]
        indexes = [
            models.Index(
                fields=["id"],
                name="meter_details_open_idx",
                condition=models.Q(resolved_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.mpan_core} line {self.line}: {self.rule}"


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


class SwitchingMessage(models.Model):
    """One message exchanged with the Central Switching Service, once.

    Outbound (a switch request, a withdrawal, an annulment): queued in the transaction of
    what caused it, with its whole JSON document and ``message_id`` fixed there, then sent
    (``SENT``) at least once and always the same bytes; the CSS knows a repeat by its id.
    ``key`` (``<type>:<supply id>``) is unique, so the same cause never queues it twice.
    Inbound (validations, status changes, cancellations, losses): ``message_id`` is unique,
    so a message fetched twice is applied once; ``FAILED`` ones are applied again on the
    next fetch, ``REFUSED`` ones (bad format, or a change the owner would not take) wait
    for a person with ``last_error``. ``supply_id`` is the sales order supply it concerns
    (an id, not a foreign key: the log outlives what it names).
    """

    class Direction(models.TextChoices):
        OUTBOUND = "OUTBOUND", "To the CSS"
        INBOUND = "INBOUND", "From the CSS"

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "Queued"  # outbound, not sent yet
        SENT = "SENT", "Sent"  # outbound, acknowledged by the CSS
        CANCELLED = "CANCELLED", "Cancelled before sending"
        APPLIED = "APPLIED", "Applied"  # inbound
        REFUSED = "REFUSED", "Refused"  # a person looks at it
        FAILED = "FAILED", "Failed"  # inbound: tried again; outbound: gave up, a person looks

    direction = models.CharField(max_length=8, choices=Direction.choices)
    message_id = models.CharField(max_length=64, unique=True)
    message_type = models.CharField(max_length=30)
    key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    identifier = models.CharField(max_length=13, blank=True)  # MPAN core or MPRN
    supply_id = models.BigIntegerField(null=True, blank=True)
    registration_id = models.CharField(max_length=40, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()  # queued, or received
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=["OUTBOUND", "INBOUND"]),
                name="switching_message_direction_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["QUEUED", "SENT", "CANCELLED", "APPLIED", "REFUSED", "FAILED"]
                ),
                name="switching_message_status_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["id"],
                name="switching_outbound_queued_idx",
                condition=models.Q(status="QUEUED"),
            ),
            models.Index(
                fields=["supply_id"],
                name="switching_message_supply_idx",
                condition=models.Q(supply_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_type} {self.message_id}"


class CreditCheck(models.Model):
    """A business sign-up's credit check at the credit reference agency, once per order.

    ``order_reference`` is unique, so the same order announced twice asks once; the
    request (its ``request_id`` and JSON) is fixed when the check is first recorded and
    sent as the same bytes every time, which the agency answers as the same check.
    ``PENDING`` until the agency answers (``next_attempt_at``: when to ask again after a
    failure to reach it); ``DECIDED`` once its answer was given to the order;
    ``ABANDONED`` when no answer could be had (a request the agency refused, or it was
    unreachable ``MAX_ATTEMPTS`` times): the order is then referred to a person with
    ``last_error``; ``SKIPPED`` when the order no longer waited for a check. The order is
    named by its reference, not a foreign key: the log outlives what it names.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Waiting for the agency"
        DECIDED = "DECIDED", "Decided"
        ABANDONED = "ABANDONED", "No answer: referred to a person"
        SKIPPED = "SKIPPED", "Not needed any more"

    class Decision(models.TextChoices):
        PASS = "PASS", "Pass"
        REFER = "REFER", "Refer"
        FAIL = "FAIL", "Fail"

    order_reference = models.CharField(max_length=12, unique=True)
    request_id = models.CharField(max_length=64, unique=True)
    request = models.JSONField(default=dict)  # the document sent, fixed when first recorded
    status = models.CharField(max_length=10, choices=Status.choices)
    decision = models.CharField(max_length=5, choices=Decision.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    agency_reference = models.CharField(max_length=40, blank=True)  # the agency's check id
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)  # by the agency's clock
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["PENDING", "DECIDED", "ABANDONED", "SKIPPED"]),
                name="credit_check_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=["", "PASS", "REFER", "FAIL"]),
                name="credit_check_decision_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="DECIDED") | ~models.Q(decision=""),
                name="credit_check_decided_has_decision",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="credit_check_pending_idx",
                condition=models.Q(status="PENDING"),
            )
        ]

    def __str__(self) -> str:
        return f"credit check {self.order_reference} {self.status}"
