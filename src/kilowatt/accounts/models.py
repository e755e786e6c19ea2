"""Tariffs and the price cap (products), accounts and the agreements that supply them."""

from __future__ import annotations

from django.db import models


class Fuel(models.TextChoices):
    ELECTRICITY = "ELECTRICITY", "Electricity"
    GAS = "GAS", "Gas"


class PaymentMethod(models.TextChoices):
    DIRECT_DEBIT = "DIRECT_DEBIT", "Direct debit"
    ON_RECEIPT = "ON_RECEIPT", "Pay on receipt of bill"
    PREPAYMENT = "PREPAYMENT", "Prepayment"


class BillCycle(models.TextChoices):
    MONTHLY = "MONTHLY", "Monthly"
    QUARTERLY = "QUARTERLY", "Quarterly"


class CustomerKind(models.TextChoices):
    RESIDENTIAL = "RESIDENTIAL", "Home"
    BUSINESS = "BUSINESS", "Business"


def _valid_period(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(valid_to__isnull=True) | models.Q(valid_from__lt=models.F("valid_to")),
        name=f"{prefix}_valid_from_before_to",
    )


class Tariff(models.Model):
    """A product on sale over ``[valid_from, valid_to)`` in one region, for one fuel."""

    class Kind(models.TextChoices):
        FIXED = "FIXED", "Fixed"
        VARIABLE = "VARIABLE", "Variable"

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    fuel = models.CharField(max_length=12, choices=Fuel.choices)
    region = models.CharField(max_length=2)
    customer_kind = models.CharField(max_length=12, choices=CustomerKind.choices)
    payment_method = models.CharField(max_length=12, choices=PaymentMethod.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    exit_fee_pence = models.PositiveIntegerField(default=0)
    standing_charge_pence_per_day = models.DecimalField(max_digits=9, decimal_places=4)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            _valid_period("tariff"),
            models.CheckConstraint(
                condition=models.Q(kind="VARIABLE", term_months__isnull=True, exit_fee_pence=0)
                | models.Q(kind="FIXED", term_months__gt=0),
                name="tariff_term_fits_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(standing_charge_pence_per_day__gte=0),
                name="tariff_standing_charge_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "fuel", "valid_from"], name="tariff_region_fuel_idx")
        ]


class TariffRate(models.Model):
    """The unit rate of one time-of-use band of a tariff."""

    class Band(models.TextChoices):
        ANYTIME = "ANYTIME", "Anytime"
        DAY = "DAY", "Day"
        NIGHT = "NIGHT", "Night"
        PEAK = "PEAK", "Peak"
        OFF_PEAK = "OFF_PEAK", "Off-peak"

    tariff = models.ForeignKey(
        Tariff, on_delete=models.CASCADE, related_name="rates", db_index=False
    )
    band = models.CharField(max_length=10, choices=Band.choices)
    unit_rate_pence_per_kwh = models.DecimalField(max_digits=9, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tariff", "band"], name="tariff_rate_once_per_band"),
            models.CheckConstraint(
                condition=models.Q(unit_rate_pence_per_kwh__gte=0), name="tariff_rate_not_negative"
            ),
        ]


class PriceCap(models.Model):
    """Ofgem's default tariff cap for one region, fuel and payment method over a quarter.

    Dated data, not code: a new quarter is a new row.
    """

    region = models.CharField(max_length=2)
    fuel = models.CharField(max_length=12, choices=Fuel.choices)
    payment_method = models.CharField(max_length=12, choices=PaymentMethod.choices)
    standing_charge_pence_per_day = models.DecimalField(max_digits=9, decimal_places=4)
    unit_rate_pence_per_kwh = models.DecimalField(max_digits=9, decimal_places=4)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            _valid_period("price_cap"),
            models.UniqueConstraint(
                fields=["region", "fuel", "payment_method", "valid_from"], name="price_cap_once"
            ),
        ]


class Account(models.Model):
    """What we bill: one customer's supply at one or many sites."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        ACTIVE = "ACTIVE", "Active"
        CLOSED = "CLOSED", "Closed"

    class BillDelivery(models.TextChoices):
        EMAIL = "EMAIL", "Email"
        PAPER = "PAPER", "Paper"

    number = models.CharField(max_length=12, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    payment_method = models.CharField(max_length=12, choices=PaymentMethod.choices)
    bill_delivery = models.CharField(max_length=6, choices=BillDelivery.choices)
    created_at = models.DateTimeField()
    # When bills fall due: on this day of the month (1-28, so every month has it), every
    # month or every third month counted from the month the account opened.
    bill_day = models.PositiveSmallIntegerField(db_default=1)
    bill_cycle = models.CharField(max_length=10, choices=BillCycle.choices, db_default="MONTHLY")
    # An occupier's account: whoever moved in to a site we supply, on a deemed contract
    # until they sign up properly (their sign-up takes the supply over, no switch needed).
    is_occupier = models.BooleanField(db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "id"], name="account_customer_idx"),
            # Account -> customer without visiting the table: the search by postcode or
            # MPAN walks site -> meter point -> agreement -> account -> customer, each step
            # an index-only scan once the pages are all-visible.
            models.Index(fields=["id", "customer"], name="account_to_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bill_day__gte=1, bill_day__lte=28),
                name="account_bill_day_in_month",
            )
        ]


class Agreement(models.Model):
    """Ties a meter point to an account and a tariff over ``[valid_from, valid_to)``."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="agreements", db_index=False
    )
    meter_point = models.ForeignKey(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [_valid_period("agreement")]
        indexes = [
            models.Index(fields=["account", "id"], name="agreement_account_idx"),
            # With the account, so the search's step from a meter point to its accounts
            # reads the index alone.
            models.Index(
                fields=["meter_point", "valid_from", "account"], name="agreement_meter_point_idx"
            ),
        ]
