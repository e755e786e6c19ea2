"""Meter points (MPAN / MPRN), the meters on them and the meters' registers."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from kilowatt.metering.domain import photos


class Fuel(models.TextChoices):
    ELECTRICITY = "ELECTRICITY", "Electricity"
    GAS = "GAS", "Gas"


class MeterPoint(models.Model):
    """An electricity MPAN (stored as its 13-digit core) or a gas MPRN, at one site."""

    identifier = models.CharField(max_length=13, unique=True)
    fuel = models.CharField(max_length=12, choices=Fuel.choices)
    site = models.ForeignKey(
        "properties.Site", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Distributor ID (10-23) of the region: from the MPAN for electricity, given for gas.
    region = models.CharField(max_length=2)
    # Electricity only: the top line of the full MPAN.
    profile_class = models.CharField(max_length=2, blank=True)
    meter_timeswitch_code = models.CharField(max_length=3, blank=True)
    line_loss_factor_class = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField()
    # The day we became (or become) the registered supplier: no read before it is ours to take.
    supply_start_date = models.DateField(null=True, blank=True)
    supply_end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fuel="GAS", profile_class="", meter_timeswitch_code="")
                | (models.Q(fuel="ELECTRICITY") & ~models.Q(profile_class="")),
                name="meter_point_fields_fit_fuel",
            ),
            models.CheckConstraint(
                condition=models.Q(supply_end_date__isnull=True)
                | models.Q(supply_start_date__lt=models.F("supply_end_date")),
                name="meter_point_supply_start_before_end",
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

    meter_point = models.ForeignKey(
        MeterPoint, on_delete=models.PROTECT, related_name="meters", db_index=False
    )
    serial_number = models.CharField(max_length=20)
    type = models.CharField(max_length=12, choices=Type.choices)
    units = models.CharField(max_length=10, choices=Units.choices)
    digits = models.PositiveSmallIntegerField()
    installed_date = models.DateField()
    removed_date = models.DateField(null=True, blank=True)
    # The day the meter's certification ends (``domain.certification``): it must be
    # replaced or recertified by then. Null only for a meter recorded before it was kept.
    certified_until = models.DateField(null=True, blank=True)

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
            models.CheckConstraint(
                condition=models.Q(certified_until__isnull=True)
                | models.Q(certified_until__gt=models.F("installed_date")),
                name="meter_certified_after_installed",
            ),
        ]
        indexes = [
            models.Index(fields=["meter_point", "id"], name="meter_meter_point_idx"),
            models.Index(fields=["serial_number"], name="meter_serial_idx"),
            # Meters in service by the end of their certification: the recertification run.
            models.Index(
                fields=["certified_until", "meter_point"],
                name="meter_certified_until_idx",
                condition=models.Q(removed_date__isnull=True),
            ),
        ]


class Register(models.Model):
    """One register of a meter, recording one time-of-use band."""

    class Band(models.TextChoices):
        ANYTIME = "ANYTIME", "Anytime"
        DAY = "DAY", "Day"
        NIGHT = "NIGHT", "Night"
        PEAK = "PEAK", "Peak"
        OFF_PEAK = "OFF_PEAK", "Off-peak"

    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="registers", db_index=False
    )
    identifier = models.CharField(max_length=3)
    band = models.CharField(max_length=10, choices=Band.choices)
    # The settlement estimate of a year's consumption through this register: the EAC for
    # electricity, the AQ for gas. Recalculated on every accepted actual read.
    estimated_annual_kwh = models.DecimalField(
        max_digits=12, decimal_places=1, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "identifier"], name="register_once_per_meter")
        ]


class Read(models.Model):
    """One reading of one register, from any source, with what validation made of it.

    Every reading offered is kept, refused and held ones too, so a customer can be told
    why and a person can work the held ones. ``value`` is in the register's units (kWh,
    cubic metres, or hundreds of cubic feet); ``advance`` is the register's movement since
    the previous accepted read (past a rollover when ``rolled_over``), ``consumption_kwh``
    the energy it stands for.

    An accepted read also carries the settlement figures it leaves behind:
    ``annualised_kwh`` (the Annualised Advance or the period's AQ, when this read
    recalculated them) and ``annual_kwh``, the register's EAC or AQ in force from this read
    on. The register's current EAC/AQ is therefore its latest accepted read's (or, before
    any, ``Register.estimated_annual_kwh``): a withdrawn read takes its figure with it, and
    a million reads a batch recalculate settlement without rewriting a million registers.
    """

    class Source(models.TextChoices):
        CUSTOMER = "CUSTOMER", "Customer"
        AGENT = "AGENT", "Agent, by phone"
        FIELD = "FIELD", "Field agent"
        SMART = "SMART", "Smart meter"
        INDUSTRY = "INDUSTRY", "Industry flow"
        ESTIMATE = "ESTIMATE", "Estimated"

    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED", "Accepted"
        HELD = "HELD", "Held for review"
        REFUSED = "REFUSED", "Refused"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"

    # The meter and meter point are the register's own, copied so a meter point's history
    # reads one index. The database checks none of these references: at a million reads a
    # batch every checked reference is a trigger run at commit (4-8 s a million here).
    # Reads are written only by this context's operations, which place every reading on a
    # register that exists, under the read lock; registers are never deleted (a meter
    # point's meters are protected), so the check would never fail.
    # No index of its own: ``read_meter_point_idx`` leads with it (every index costs each of
    # a million inserts a batch).
    meter_point = models.ForeignKey(
        MeterPoint, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    read_at = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=3)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    advance = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    consumption_kwh = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    rolled_over = models.BooleanField(default=False)
    annualised_kwh = models.DecimalField(max_digits=14, decimal_places=1, null=True, blank=True)
    annual_kwh = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    # Why a read was held or refused: a stable rule code and a sentence for the customer.
    rule = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField()
    received_by = models.CharField(max_length=150)
    # Where it came from: a flow file's id, a smart message id, a photo's name.
    reference = models.CharField(max_length=100, blank=True)
    # Set by billing when a bill used this read, so a withdrawal can flag that bill.
    billed_reference = models.CharField(max_length=40, blank=True)
    # Set on the rare withdrawn read; never searched by (no index to keep up).
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    # When it was withdrawn: a bill made before then may have charged it.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One accepted reading per register and moment: a repeat is a duplicate.
            models.UniqueConstraint(
                fields=["register", "read_at"],
                condition=models.Q(status="ACCEPTED"),
                name="read_accepted_once_per_register_moment",
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="read_value_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["HELD", "REFUSED"]) | ~models.Q(rule=""),
                name="read_held_or_refused_names_rule",
            ),
        ]
        indexes = [
            # Accepted reads of a register are found through the unique constraint's index.
            models.Index(fields=["meter_point", "read_at"], name="read_meter_point_idx"),
            models.Index(fields=["id"], name="read_held_idx", condition=models.Q(status="HELD")),
        ]


class AnnualConsumptionChange(models.Model):
    """A recalculation of a register's EAC (electricity) or AQ (gas) that a person should
    review: a large change, or a result that was not positive (and so not applied).

    Every recalculation's figures are on the read itself (``Read.annualised_kwh``,
    ``Read.annual_kwh``); this log keeps the ones flagged for review.
    """

    # Written beside the reads it follows from, in batches: the references are not
    # checked by the database (each would be a trigger at commit).
    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    read = models.ForeignKey(Read, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    effective_date = models.DateField()
    previous_kwh = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    annualised_kwh = models.DecimalField(max_digits=14, decimal_places=1)
    new_kwh = models.DecimalField(max_digits=12, decimal_places=1)
    flagged = models.CharField(max_length=40, blank=True)  # the rule a reviewer should check
    recorded_at = models.DateTimeField()
    # A person acknowledged a flagged change (the settlement flags page): when, and who.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=150, null=True, blank=True)
    # The change no longer stands: its read was withdrawn, or the register was recalculated
    # over a period that included it. The row stays, as the log of what was applied.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One standing change per read: a recalculation supersedes, then logs anew.
            models.UniqueConstraint(
                fields=["read"],
                condition=models.Q(superseded_at__isnull=True),
                name="annual_consumption_once_per_read",
            ),
            models.CheckConstraint(
                condition=models.Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | models.Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="annual_consumption_reviewed_by_whom",
            ),
        ]
        indexes = [
            models.Index(fields=["register", "effective_date"], name="annual_consumption_reg_idx"),
            models.Index(
                fields=["id"], name="annual_consumption_flag_idx", condition=~models.Q(flagged="")
            ),
        ]


class ReadPhoto(models.Model):
    """A photo of the meter given with a read (by the customer, or an agent taking it on the
    phone), for the person who decides a held read and for the customer to see again.

    The bytes are kept in the database (``bytea`` on PostgreSQL, a BLOB on SQLite), so
    there is no file store to deploy, back up or keep in step with the rows, and a read
    and its photo are written in one transaction. At most ``domain.photos.MAX_BYTES``
    (5 MB): PostgreSQL compresses and stores values this size out of line (TOAST), so
    the table's own pages stay small and a query that does not ask for ``content`` never
    reads it. The type is told by the bytes (JPEG, PNG or WebP), never the client.
    """

    # Unchecked like the settlement log: reads are written a million at a time, and every
    # checked reference is a trigger at commit. The unique index leads with it.
    read = models.ForeignKey(
        Read, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    content = models.BinaryField()
    content_type = models.CharField(max_length=20)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    received_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["read"], name="read_photo_once_per_read"),
            models.CheckConstraint(
                condition=models.Q(content_type__in=photos.CONTENT_TYPES),
                name="read_photo_content_type",
            ),
            models.CheckConstraint(
                condition=models.Q(size_bytes__gt=0, size_bytes__lte=photos.MAX_BYTES),
                name="read_photo_size",
            ),
            models.CheckConstraint(
                condition=Exact(Length("content"), models.F("size_bytes")),
                name="read_photo_size_is_content_length",
            ),
        ]


class CalorificValue(models.Model):
    """The gas calorific value (MJ/m3) in force from a day: dated data, not code."""

    valid_from = models.DateField(unique=True)
    megajoules_per_cubic_metre = models.DecimalField(max_digits=6, decimal_places=3)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(megajoules_per_cubic_metre__gt=30)
                & models.Q(megajoules_per_cubic_metre__lt=50),
                name="calorific_value_plausible",
            )
        ]


class HalfHourlyDay(models.Model):
    """A meter point's half-hourly consumption for one UK local day: a row a day.

    Storage: ``packed_wh`` holds the day's values in settlement-period order as
    little-endian signed 32-bit integers of watt-hours (``domain.half_hourly.pack``), 4
    bytes a period: 192 bytes for 48 periods (184 or 200 on clock-change days). A
    ``BinaryField`` is ``bytea`` on PostgreSQL and a BLOB on SQLite, so the same code
    and tests run on both; it stays inline in the row (well under the TOAST threshold),
    costs a quarter of an ``integer[]`` of the same values with its header and none of
    JSON's parsing, and whole-watt-hour integers keep every sum exact. A row a day (not
    a row a period) is 48 times fewer rows and index entries: the day is what arrives,
    is replaced, and is charted. ``total_wh`` is the day's sum, kept beside the values
    so daily and monthly consumption is one range scan of the unique (meter point,
    day) index without unpacking anything; ``periods`` says how many values (46, 48 or
    50) and a check holds the packed length to it.

    Not partitioned by month (yet): a PostgreSQL partitioned table needs the partition
    key in its primary key (here ``id`` alone, which Django and foreign keys expect),
    and a partition made ahead of every month by a scheduled job; the migration would
    diverge from SQLite's. At 100,000 meter points a year is 36.5 million rows of
    about 260 bytes (~10 GB with the index), which one table and its (meter point, day)
    index serve for per-meter charts; partitioning pays when old months are detached
    or archived, and can be added then with a ``RunSQL`` on PostgreSQL only.
    """

    # No index of its own: the unique (meter point, day) index leads with it.
    meter_point = models.ForeignKey(
        MeterPoint, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    day = models.DateField()  # the UK local day
    packed_wh = models.BinaryField()
    periods = models.PositiveSmallIntegerField()
    total_wh = models.BigIntegerField()
    received_at = models.DateTimeField()
    received_by = models.CharField(max_length=150)
    # Where it came from: a flow file's name, a smart data collector's batch id.
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            # One stored day per meter point; its index answers every range query.
            models.UniqueConstraint(fields=["meter_point", "day"], name="half_hourly_day_once"),
            models.CheckConstraint(
                condition=models.Q(periods__in=[46, 48, 50]), name="half_hourly_day_periods"
            ),
            models.CheckConstraint(
                condition=models.Q(total_wh__gte=0), name="half_hourly_day_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Exact(Length("packed_wh"), models.F("periods") * 4),
                name="half_hourly_day_packed_fits_periods",
            ),
        ]
