"""The double-entry ledger: immutable transactions whose lines sum to zero.

A customer's balance is the sum of their lines on the ``RECEIVABLE`` ledger (debit
positive: they owe us); the other ledgers are the company's (sales, VAT, levy, cash...).
The ledger sits below accounts, so a line names its billing account by id (``holder``)
without a foreign key: the ledger knows balances, not what an account is.
"""

from __future__ import annotations

from django.db import models


class Ledger(models.TextChoices):
    RECEIVABLE = "RECEIVABLE", "Customer balances"
    ENERGY_SALES = "ENERGY_SALES", "Energy sales"
    VAT_OUTPUT = "VAT_OUTPUT", "VAT due to HMRC"
    CLIMATE_CHANGE_LEVY = "CCL", "Climate Change Levy due to HMRC"
    CASH = "CASH", "Bank"
    BAD_DEBT = "BAD_DEBT", "Bad debt written off"
    COMPENSATION = "COMPENSATION", "Compensation paid to customers"
    MIGRATION = "MIGRATION", "Balances brought from the legacy ERP"


class Transaction(models.Model):
    """One posting: its lines sum to zero. Never edited; a correction is another posting
    that points at what it corrects (``reverses``)."""

    class Kind(models.TextChoices):
        CHARGE = "CHARGE", "Charge"
        CREDIT = "CREDIT", "Credit"
        PAYMENT = "PAYMENT", "Payment"
        REFUND = "REFUND", "Refund"
        WRITE_OFF = "WRITE_OFF", "Write-off"
        TRANSFER = "TRANSFER", "Transfer"
        COMPENSATION = "COMPENSATION", "Compensation"
        OPENING_BALANCE = "OPENING_BALANCE", "Opening balance"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What makes posting the same thing twice harmless: "invoice:KWE0000012", "billrun:7:3".
    reference = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200)
    effective_date = models.DateField()
    posted_at = models.DateTimeField()
    posted_by = models.CharField(max_length=150)
    # No index of its own: the unique constraint below leads with it.
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            # A transaction is reversed at most once.
            models.UniqueConstraint(
                fields=["reverses"],
                condition=models.Q(reverses__isnull=False),
                name="ledger_transaction_reversed_once",
            ),
        ]


class Line(models.Model):
    """One side of a transaction on one ledger: debit positive, credit negative, pence."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    ledger = models.CharField(max_length=16, choices=Ledger.choices)
    holder = models.BigIntegerField(null=True, blank=True)  # the billing account's id
    amount_pence = models.BigIntegerField()
    # The document the line belongs to (an invoice number, a payment reference), so a
    # statement can show it without knowing the context that made it.
    document = models.CharField(max_length=40, blank=True)
    effective_date = models.DateField()  # the transaction's, kept here for statements

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_pence=0), name="ledger_line_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(ledger="RECEIVABLE", holder__isnull=False)
                | (~models.Q(ledger="RECEIVABLE") & models.Q(holder__isnull=True)),
                name="ledger_line_holder_on_receivable_only",
            ),
        ]
        indexes = [
            models.Index(fields=["transaction"], name="ledger_line_transaction_idx"),
            models.Index(
                fields=["holder", "effective_date", "id"],
                name="ledger_line_holder_idx",
                condition=models.Q(holder__isnull=False),
            ),
        ]
