"""Photos given with reads (``ReadPhoto``), and the settlement log's review and supersession.

- ``ReadPhoto``: the bytes of a meter photo (JPEG, PNG or WebP, at most 5 MB), one per
  read, the read reference unchecked by the database like the settlement log's.
- ``AnnualConsumptionChange.reviewed_at`` / ``reviewed_by``: a person acknowledged a
  flagged EAC/AQ change. ``superseded_at``: the change no longer stands (its read was
  withdrawn, or the register was recalculated over a period that included it), so the
  one-change-per-read rule now holds for standing changes only.

All three new columns are nullable without a default: adding them rewrites no rows, and
the batch writer's ``COPY`` (which names its columns) leaves them null.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

MAX_BYTES = 5 * 1024 * 1024  # domain.photos.MAX_BYTES when this was written
CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"]


class Migration(migrations.Migration):

    dependencies = [
        ("metering", "0007_meter_certified_until"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReadPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("content", models.BinaryField()),
                ("content_type", models.CharField(max_length=20)),
                ("size_bytes", models.PositiveIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("received_at", models.DateTimeField()),
                ("received_by", models.CharField(max_length=150)),
                (
                    "read",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="metering.read",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("read",), name="read_photo_once_per_read"),
                    models.CheckConstraint(
                        condition=models.Q(("content_type__in", CONTENT_TYPES)),
                        name="read_photo_content_type",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("size_bytes__gt", 0), ("size_bytes__lte", MAX_BYTES)),
                        name="read_photo_size",
                    ),
                    models.CheckConstraint(
                        condition=django.db.models.lookups.Exact(
                            django.db.models.functions.text.Length("content"),
                            models.F("size_bytes"),
                        ),
                        name="read_photo_size_is_content_length",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="annualconsumptionchange",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="annualconsumptionchange",
            name="reviewed_by",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="annualconsumptionchange",
            name="superseded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RemoveConstraint(
            model_name="annualconsumptionchange",
            name="annual_consumption_once_per_read",
        ),
        migrations.AddConstraint(
            model_name="annualconsumptionchange",
            constraint=models.UniqueConstraint(
                condition=models.Q(("superseded_at__isnull", True)),
                fields=("read",),
                name="annual_consumption_once_per_read",
            ),
        ),
        migrations.AddConstraint(
            model_name="annualconsumptionchange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("reviewed_at__isnull", True), ("reviewed_by__isnull", True)),
                    models.Q(("reviewed_at__isnull", False), ("reviewed_by__isnull", False)),
                    _connector="OR",
                ),
                name="annual_consumption_reviewed_by_whom",
            ),
        ),
    ]
