"""Read ids are drawn in blocks of 1024 (``platform.bulk.reserve_id_blocks``): a batch of
a million reads takes a thousand draws, and batches of different meter points write side
by side without locking each other out of the id sequence. PostgreSQL only: SQLite's
writers take turns and continue from the largest id."""

from django.db import migrations

BLOCK = 1024


def _step(step: int):
    def change(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence('metering_read', 'id')")
            (sequence,) = cursor.fetchone()
            cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY {step}")

    return change


class Migration(migrations.Migration):
    dependencies = [("metering", "0009_read_carries_annual_consumption")]

    operations = [migrations.RunPython(_step(BLOCK), _step(1), elidable=False)]
