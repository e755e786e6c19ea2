"""Meter points (MPAN / MPRN), the meters on them and the meters' registers."""

from __future__ import annotations

from django.db import models


class Fuel(models.TextChoices):
    ELECTRICITY = "ELECTRICITY", "Electricity"
    GAS = "GAS", "Gas"


class MeterPoint(models.Model):
    """An electricity MPAN (stored as its 13-digit core) or a gas MPRN, at one site."""

    identifier = models.CharField(max_length=13, unique=True)
    fuel = models.CharField(max_length=12, choices=Fuel.choices)
    site = models.ForeignKey("properties.Site", on_delete=models.PROTECT, related_name="+")
    # Distributor ID (10-23) of the region: from the MPAN for electricity, given for gas.
    region = models.CharField(max_length=2)
    # Electricity only: the top line of the full MPAN.
    profile_class = models.CharField(max_length=2, blank=True)
    meter_timeswitch_code = models.CharField(max_length=3, blank=True)
    line_loss_factor_class = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fuel="GAS", profile_class="", meter_timeswitch_code="")
                | (models.Q(fuel="ELECTRICITY") & ~models.Q(profile_class="")),
                name="meter_point_fields_fit_fuel",
            ),
        ]
        indexes = [models.Index(fields=["site", "id"], name="meter_point_site_idx")]


class Meter(models.Model):
    class Type(models.TextChoices):
        CREDIT = "CREDIT", "Credit"
        PREPAYMENT = "PREPAYMENT", "Prepayment"
        SMART = "SMART", "Smart"

    class Units(models.TextChoices):
        KWH = "KWH", "kWh"
        METRIC = "METRIC", "Cubic metres"
        IMPERIAL = "IMPERIAL", "Hundreds of cubic feet"

    meter_point = models.ForeignKey(MeterPoint, on_delete=models.PROTECT, related_name="meters")
    serial_number = models.CharField(max_length=20)
    type = models.CharField(max_length=12, choices=Type.choices)
    units = models.CharField(max_length=10, choices=Units.choices)
    digits = models.PositiveSmallIntegerField()
    installed_date = models.DateField()
    removed_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digits__gte=4, digits__lte=10), name="meter_digits_4_to_10"
            ),
            models.CheckConstraint(
                condition=models.Q(removed_date__isnull=True)
                | models.Q(removed_date__gt=models.F("installed_date")),
                name="meter_removed_after_installed",
            ),
        ]
        indexes = [
            models.Index(fields=["meter_point", "id"], name="meter_meter_point_idx"),
            models.Index(fields=["serial_number"], name="meter_serial_idx"),
        ]


class Register(models.Model):
    """One register of a meter, recording one time-of-use band."""

    class Band(models.TextChoices):
        ANYTIME = "ANYTIME", "Anytime"
        DAY = "DAY", "Day"
        NIGHT = "NIGHT", "Night"
        PEAK = "PEAK", "Peak"
        OFF_PEAK = "OFF_PEAK", "Off-peak"

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="registers")
    identifier = models.CharField(max_length=3)
    band = models.CharField(max_length=10, choices=Band.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "identifier"], name="register_once_per_meter")
        ]
