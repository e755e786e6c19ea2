"""Engineer capacity by region, day and slot; field jobs; compensation owed for them."""

from __future__ import annotations

from django.db import models

from kilowatt.field.domain import jobs, slots

_OPEN = [jobs.RAISED, jobs.BOOKED, jobs.EN_ROUTE]


class Slot(models.TextChoices):
    AM = "AM", "Morning, 08:00 to 12:00"
    PM = "PM", "Afternoon, 12:00 to 18:00"


class Capacity(models.Model):
    """How many appointments a region's engineers can take in one slot of one day."""

    region = models.CharField(max_length=2)
    date = models.DateField()
    slot = models.CharField(max_length=2, choices=Slot.choices)
    engineers = models.PositiveSmallIntegerField()  # appointments the slot can take
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "date", "slot"], name="capacity_once"),
            models.CheckConstraint(
                condition=models.Q(booked__gte=0) & models.Q(booked__lte=models.F("engineers")),
                name="capacity_booked_within_engineers",
            ),
            models.CheckConstraint(
                condition=models.Q(slot__in=list(slots.SLOTS)), name="capacity_slot_choice"
            ),
        ]


class Job(models.Model):
    class Kind(models.TextChoices):
        SMART_INSTALL = jobs.SMART_INSTALL, "Smart meter installation"
        METER_EXCHANGE = jobs.METER_EXCHANGE, "Meter exchange"
        MUST_READ = jobs.MUST_READ, "Must-read visit"
        RECERTIFICATION = jobs.RECERTIFICATION, "Meter recertification"

    class Status(models.TextChoices):
        RAISED = jobs.RAISED, "Raised, not yet booked"
        BOOKED = jobs.BOOKED, "Booked"
        EN_ROUTE = jobs.EN_ROUTE, "Engineer en route"
        COMPLETED = jobs.COMPLETED, "Completed"
        ABORTED = jobs.ABORTED, "Aborted"
        MISSED = jobs.MISSED, "Missed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    meter_point = models.ForeignKey(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    capacity = models.ForeignKey(
        Capacity, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    abort_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One open job of a kind per meter point: raising and booking are idempotent.
            models.UniqueConstraint(
                fields=["meter_point", "kind"],
                condition=models.Q(status__in=_OPEN),
                name="job_open_once_per_meter_point_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=jobs.ABORTED) | ~models.Q(abort_reason=""),
                name="job_aborted_names_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status=jobs.RAISED, capacity__isnull=True)
                | models.Q(status=jobs.ABORTED)
                | (~models.Q(status=jobs.RAISED) & models.Q(capacity__isnull=False)),
                name="job_booked_has_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="job_status_idx"),
            models.Index(fields=["meter_point", "id"], name="job_meter_point_idx"),
        ]


class Compensation(models.Model):
    """A guaranteed-standard payment owed to the customer, one per job.

    Paid when it is owed, in the same transaction: a ``COMPENSATION`` ledger transaction
    credits ``account`` (the account supplying the meter point on the appointment day), so
    the account's balance falls at once and its next bill shows the credit through the
    ledger balance ("Other credits and charges", then "Balance now"). ``account`` and
    ``paid_at`` stay empty when no account supplied the meter point that day: the payment
    is owed but unpaid, for a person to settle.
    """

    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="+")
    meter_point = models.ForeignKey(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="+"
    )
    amount_pence = models.PositiveIntegerField()
    reason = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gt=0), name="compensation_amount_positive"
            ),
            # Paid means paid to an account: the two are set together or not at all.
            models.CheckConstraint(
                condition=models.Q(account__isnull=True, paid_at__isnull=True)
                | models.Q(account__isnull=False, paid_at__isnull=False),
                name="compensation_paid_to_an_account",
            ),
        ]
