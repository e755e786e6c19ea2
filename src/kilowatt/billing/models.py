"""Bill runs and their chunks, invoices and credit notes, their lines, their PDFs.

An invoice is computed by a bill run as a ``DRAFT`` (or ``HELD`` by a bill-exception
rule); releasing the run issues the drafts: each gets the next number of its legal
entity's series (gapless) and its charge is posted to the ledger. An issued invoice is
never edited: a re-bill is a credit note for it plus a new invoice for the same period.
"""

from __future__ import annotations

from django.db import models


class InvoiceSeries(models.Model):
    """A legal entity's invoice numbers: ``prefix`` + a gapless sequence."""

    code = models.CharField(max_length=3, unique=True)  # "KWE" homes, "KWB" business
    legal_entity = models.CharField(max_length=100)
    next_number = models.PositiveBigIntegerField(default=1)


class BillRun(models.Model):
    """Every account due on ``run_date``, billed in chunks by workers."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "Running"
        COMPLETE = "COMPLETE", "Complete"  # every chunk done, waiting to be released
        RELEASED = "RELEASED", "Released"  # drafts issued, numbered and posted
        CANCELLED = "CANCELLED", "Cancelled"

    run_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    chunk_size = models.PositiveIntegerField()
    accounts_due = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    completed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run_date"],
                condition=~models.Q(status="CANCELLED"),
                name="bill_run_once_a_day",
            )
        ]


class BillRunChunk(models.Model):
    """A slice of a run's accounts by id, ``[first_account_id, last_account_id]``: one
    Celery task. ``DONE`` is written in the same transaction as the chunk's invoices, so
    a chunk killed part-way left nothing and runs again from the start."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        DONE = "DONE", "Done"

    run = models.ForeignKey(
        BillRun, on_delete=models.CASCADE, related_name="chunks", db_index=False
    )
    number = models.PositiveIntegerField()
    first_account_id = models.BigIntegerField()
    last_account_id = models.BigIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    invoices = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)  # how long the chunk's work took

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="bill_run_chunk_once")
        ]


class Invoice(models.Model):
    """A bill (or a credit note) for one account and period ``[period_start, period_end)``."""

    class Kind(models.TextChoices):
        INVOICE = "INVOICE", "Invoice"
        CREDIT_NOTE = "CREDIT_NOTE", "Credit note"

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"  # computed, waiting for the run's release
        HELD = "HELD", "Held"  # a bill-exception rule stopped it: a person decides
        ISSUED = "ISSUED", "Issued"
        CREDITED = "CREDITED", "Credited"  # issued, then reversed by a credit note
        CANCELLED = "CANCELLED", "Cancelled"  # never issued (a held bill re-billed)

    class Delivery(models.TextChoices):
        EMAIL = "EMAIL", "Email"
        PAPER = "PAPER", "Paper"

    number = models.CharField(max_length=16, null=True, blank=True, unique=True)
    series = models.CharField(max_length=3)
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # written by COPY in bill runs; accounts are never deleted
    )
    run = models.ForeignKey(
        BillRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    is_final = models.BooleanField(default=False)
    period_start = models.DateField()
    period_end = models.DateField()
    bill_date = models.DateField()
    net_pence = models.BigIntegerField()
    ccl_pence = models.BigIntegerField()
    vat_pence = models.BigIntegerField()
    total_pence = models.BigIntegerField()
    hold_rule = models.CharField(max_length=40, blank=True)
    hold_message = models.CharField(max_length=300, blank=True)
    delivery = models.CharField(max_length=6, choices=Delivery.choices)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)  # who released/cancelled a hold
    archive_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    sent_to_print_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lt=models.F("period_end")),
                name="invoice_period_start_before_end",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    total_pence=models.F("net_pence")
                    + models.F("ccl_pence")
                    + models.F("vat_pence")
                ),
                name="invoice_total_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True, status__in=["DRAFT", "HELD", "CANCELLED"])
                | models.Q(number__isnull=False, status__in=["ISSUED", "CREDITED"]),
                name="invoice_numbered_when_issued",
            ),
            # Billed exactly once: one live invoice per account and period start.
            models.UniqueConstraint(
                fields=["account", "period_start"],
                condition=models.Q(kind="INVOICE", status__in=["DRAFT", "HELD", "ISSUED"]),
                name="invoice_once_per_period",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "period_end"], name="invoice_account_idx"),
            models.Index(fields=["run", "status"], name="invoice_run_idx"),
            models.Index(
                fields=["status", "id"],
                name="invoice_held_idx",
                condition=models.Q(status="HELD"),
            ),
        ]


class InvoiceLine(models.Model):
    """One line of an invoice, with how it was computed: dates, quantity, rate, reads."""

    class Kind(models.TextChoices):
        STANDING_CHARGE = "STANDING_CHARGE", "Standing charge"
        ENERGY = "ENERGY", "Energy"
        CCL = "CCL", "Climate Change Levy"
        VAT = "VAT", "VAT"
        CREDIT = "CREDIT", "Credit"
        COMPENSATION = "COMPENSATION", "Compensation"
        ADJUSTMENT = "ADJUSTMENT", "Adjustment"
        BACK_BILLING = "BACK_BILLING", "Not charged: more than 12 months ago"

    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,  # written by COPY beside their invoices, in one transaction
    )
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    meter_point = models.CharField(max_length=13, blank=True)  # its MPAN or MPRN
    band = models.CharField(max_length=10, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)  # exclusive
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=6, blank=True)  # DAY, KWH, PCT
    rate_pence = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    amount_pence = models.BigIntegerField()
    vat_rate = models.PositiveSmallIntegerField(default=0)  # percent
    read_from = models.CharField(max_length=10, blank=True)  # source of the opening read
    read_to = models.CharField(max_length=10, blank=True)  # source of the closing read
    # The closing read (an energy line's), unchecked like every reference a bill run
    # writes by COPY: reads are never deleted, only withdrawn.
    read_id = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_once")
        ]


class InvoicePdf(models.Model):
    """An invoice's rendered document, kept once made (rendered after release or on first
    request, never inside a bill run)."""

    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField()
    renderer = models.CharField(max_length=20)
