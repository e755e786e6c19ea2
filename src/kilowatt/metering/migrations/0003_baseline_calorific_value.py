"""A baseline gas calorific value, so gas reads convert to kWh out of the box; the
retailer loads the published daily values over it (``CalorificValue`` is dated data)."""

import datetime
from decimal import Decimal

from django.db import migrations


def add_baseline(apps, schema_editor):
    CalorificValue = apps.get_model("metering", "CalorificValue")
    CalorificValue.objects.get_or_create(
        valid_from=datetime.date(2000, 1, 1),
        defaults={"megajoules_per_cubic_metre": Decimal("39.200")},
    )


class Migration(migrations.Migration):
    dependencies = [("metering", "0002_reads_and_settlement")]
    operations = [migrations.RunPython(add_baseline, migrations.RunPython.noop)]
