"""Invoice and invoice-line ids are drawn in blocks of 1024 (``platform.bulk.
reserve_id_blocks``): a bill run's chunk of thousands of invoices takes a handful of draws,
and chunks billed side by side by several workers never wait on the sequence.
PostgreSQL only: SQLite's writers take turns and continue from the largest id."""

from django.db import migrations

BLOCK = 1024
TABLES = ("billing_invoice", "billing_invoiceline")


def _step(step: int):
    def change(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                (sequence,) = cursor.fetchone()
                cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY {step}")

    return change


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_invoice_series")]

    operations = [migrations.RunPython(_step(BLOCK), _step(1), elidable=False)]
