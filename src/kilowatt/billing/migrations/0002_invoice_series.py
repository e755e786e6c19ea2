from django.db import migrations

SERIES = [
    ("KWE", "Kilowatt Energy Ltd"),  # homes
    ("KWB", "Kilowatt Business Energy Ltd"),  # businesses
]


def add_series(apps, schema_editor):
    InvoiceSeries = apps.get_model("billing", "InvoiceSeries")
    for code, legal_entity in SERIES:
        InvoiceSeries.objects.get_or_create(code=code, defaults={"legal_entity": legal_entity})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(add_series, migrations.RunPython.noop)]
