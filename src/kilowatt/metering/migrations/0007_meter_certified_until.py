"""Meters carry the day their certification ends (``Meter.certified_until``).

Existing meters get it from their installation day and the default certification life
of their fuel (``metering.domain.certification`` when this was written: electricity 10
years, gas 20; 29 February becomes 28 February), in one set-based UPDATE. The years are
written here, not imported, so this migration means the same thing whatever the domain
says later.
"""

from django.db import migrations, models

ELECTRICITY_YEARS = 10
GAS_YEARS = 20

_POSTGRESQL = """
UPDATE metering_meter AS m
SET certified_until = (m.installed_date + make_interval(years =>
        CASE WHEN p.fuel = 'GAS' THEN %s ELSE %s END))::date
FROM metering_meterpoint AS p
WHERE p.id = m.meter_point_id AND m.certified_until IS NULL
"""
# SQLite's date() rolls 29 February over into March: step back a day first, as PostgreSQL
# (and the domain) do.
_SQLITE = """
UPDATE metering_meter
SET certified_until = date(
    installed_date,
    CASE WHEN strftime('%%m-%%d', installed_date) = '02-29' THEN '-1 day' ELSE '+0 days' END,
    '+' || (CASE WHEN (SELECT p.fuel FROM metering_meterpoint p
                       WHERE p.id = metering_meter.meter_point_id) = 'GAS'
                 THEN %s ELSE %s END) || ' years')
WHERE certified_until IS NULL
"""


def fill_certified_until(apps, schema_editor):
    sql = _POSTGRESQL if schema_editor.connection.vendor == "postgresql" else _SQLITE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, [GAS_YEARS, ELECTRICITY_YEARS])


class Migration(migrations.Migration):

    dependencies = [
        ("metering", "0006_settlement_log_unchecked"),
    ]

    operations = [
        migrations.AddField(
            model_name="meter",
            name="certified_until",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_certified_until, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="meter",
            index=models.Index(
                condition=models.Q(("removed_date__isnull", True)),
                fields=["certified_until", "meter_point"],
                name="meter_certified_until_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="meter",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("certified_until__isnull", True),
                    ("certified_until__gt", models.F("installed_date")),
                    _connector="OR",
                ),
                name="meter_certified_after_installed",
            ),
        ),
    ]
