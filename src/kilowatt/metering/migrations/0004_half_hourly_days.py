"""Half-hourly consumption, a row a meter point and local day (``HalfHourlyDay``)."""

import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0003_baseline_calorific_value"),
    ]

    operations = [
        migrations.CreateModel(
            name="HalfHourlyDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("packed_wh", models.BinaryField()),
                ("periods", models.PositiveSmallIntegerField()),
                ("total_wh", models.BigIntegerField()),
                ("received_at", models.DateTimeField()),
                ("received_by", models.CharField(max_length=150)),
                ("reference", models.CharField(blank=True, max_length=100)),
                (
                    "meter_point",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="metering.meterpoint",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("meter_point", "day"), name="half_hourly_day_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("periods__in", [46, 48, 50])),
                        name="half_hourly_day_periods",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("total_wh__gte", 0)),
                        name="half_hourly_day_total_not_negative",
                    ),
                    models.CheckConstraint(
                        condition=django.db.models.lookups.Exact(
                            django.db.models.functions.text.Length("packed_wh"),
                            django.db.models.expressions.CombinedExpression(
                                models.F("periods"), "*", models.Value(4)
                            ),
                        ),
                        name="half_hourly_day_packed_fits_periods",
                    ),
                ],
            },
        ),
    ]
