"""Journeys as durable state: a move out, a move in, a loss to another supplier. Each row
is one journey; the daily task (``operations.advance_journeys``) moves it on a step at a
time, and every step it took is a timestamp on the row.

Dates are half-open like every period here: ``moving_out_on``, ``moving_in_on`` and
``supply_end_date`` are each the first day that belongs to the next party.
"""

from __future__ import annotations

from django.db import models


class MoveOut(models.Model):
    """A customer leaving a home (or the occupier we knew of, when a new one moved in)."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Waiting for the final bill"
        COMPLETED = "COMPLETED", "Account closed"

    class Origin(models.TextChoices):
        CUSTOMER = "CUSTOMER", "Told us themselves"
        STAFF = "STAFF", "Recorded by staff"
        MOVE_IN = "MOVE_IN", "A new occupier moved in"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    moving_out_on = models.DateField()  # the first day no longer theirs (the agreements' end)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    forwarding_address_line_1 = models.CharField(max_length=100, blank=True)
    forwarding_address_line_2 = models.CharField(max_length=100, blank=True)
    forwarding_town = models.CharField(max_length=60, blank=True)
    forwarding_county = models.CharField(max_length=60, blank=True)
    forwarding_postcode = models.CharField(max_length=8, blank=True)
    recorded_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    reading_requested_at = models.DateTimeField(null=True, blank=True)
    final_reading_at = models.DateTimeField(null=True, blank=True)
    reading_reminded_at = models.DateTimeField(null=True, blank=True)
    final_invoice_id = models.BigIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account"], name="move_out_once_per_account"),
            models.CheckConstraint(
                condition=models.Q(status="OPEN", completed_at__isnull=True)
                | models.Q(status="COMPLETED", completed_at__isnull=False),
                name="move_out_completed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "moving_out_on"], name="move_out_due_idx")]


class MoveIn(models.Model):
    """A new occupier at a site we supply: an occupier account opened at once on the
    deemed tariff, a greeting and an invitation to sign up properly."""

    class Status(models.TextChoices):
        INVITED = "INVITED", "Greeted and invited to sign up"
        LETTER_DUE = "LETTER_DUE", "No email: a greeting letter is due"
        SIGNED_UP = "SIGNED_UP", "Signed up"
        REMINDED = "REMINDED", "Reminded once; left on the deemed contract"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    site = models.ForeignKey(
        "properties.Site", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    moving_in_on = models.DateField()  # the first day theirs (the agreements' start)
    occupier_name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    recorded_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    signed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account"], name="move_in_once_per_account"),
            models.CheckConstraint(
                condition=~models.Q(status="INVITED") | models.Q(invited_at__isnull=False),
                name="move_in_invited_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "invited_at"], name="move_in_due_idx")]


class Loss(models.Model):
    """Another supplier taking one of our meter points: a retention offer while the
    switch is pending, then on the day the agreement ends and the final-bill path runs."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Switch pending"
        ENDED = "ENDED", "Supply ended: waiting for the final bill"
        COMPLETED = "COMPLETED", "Account closed"
        CANCELLED = "CANCELLED", "Switch cancelled"
        NOT_SUPPLIED = "NOT_SUPPLIED", "Nothing of ours to end"

    meter_point = models.ForeignKey(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    identifier = models.CharField(max_length=13)
    supply_end_date = models.DateField()  # the gaining supplier's first day
    registration_id = models.CharField(max_length=40, blank=True)
    gaining_supplier = models.CharField(max_length=20, blank=True)
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        null=True,
        blank=True,
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    created_at = models.DateTimeField()
    offer_tariff_code = models.CharField(max_length=40, blank=True)
    offer_annual_pence = models.IntegerField(null=True, blank=True)
    current_annual_pence = models.IntegerField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    final_invoice_id = models.BigIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration_id"],
                condition=~models.Q(registration_id=""),
                name="loss_once_per_registration",
            ),
            models.UniqueConstraint(
                fields=["meter_point", "supply_end_date"], name="loss_once_per_meter_point_day"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "supply_end_date"], name="loss_due_idx"),
            models.Index(fields=["account", "id"], name="loss_account_idx"),
        ]
