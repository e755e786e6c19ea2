"""A transaction is reversed at most once (a partial unique index on ``reverses``, which
also serves the foreign key), and on PostgreSQL the database itself holds the ledger's
two promises:

- every statement that inserts lines leaves each transaction it touches summing to zero
  (a statement-level trigger over the inserted rows, so a ``COPY`` of a million lines is
  checked by one aggregate, not a trigger a row);
- lines and transactions are never updated or deleted (corrections are new postings).

``TRUNCATE`` is left alone: the tests empty tables that way between transactional tests.
SQLite keeps the rules in the operations only.
"""

import django.db.models.deletion
from django.db import migrations, models

_GUARDS = """
CREATE FUNCTION ledger_lines_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced bigint;
BEGIN
    SELECT transaction_id INTO unbalanced
    FROM ledger_new_lines
    GROUP BY transaction_id
    HAVING SUM(amount_pence) <> 0
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: its lines must sum to zero',
            unbalanced USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER ledger_line_balances
    AFTER INSERT ON ledger_line
    REFERENCING NEW TABLE AS ledger_new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_balance();

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is immutable: post a correction instead of %', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER ledger_line_immutable
    BEFORE UPDATE OR DELETE ON ledger_line
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_transaction_immutable
    BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
"""

_DROP_GUARDS = """
DROP TRIGGER IF EXISTS ledger_transaction_immutable ON ledger_transaction;
DROP TRIGGER IF EXISTS ledger_line_immutable ON ledger_line;
DROP TRIGGER IF EXISTS ledger_line_balances ON ledger_line;
DROP FUNCTION IF EXISTS ledger_refuse_change();
DROP FUNCTION IF EXISTS ledger_lines_balance();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="transaction",
            name="reverses",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.transaction",
            ),
        ),
        migrations.AddConstraint(
            model_name="transaction",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", False)),
                fields=("reverses",),
                name="ledger_transaction_reversed_once",
            ),
        ),
        migrations.RunPython(
            _on_postgresql(_GUARDS), _on_postgresql(_DROP_GUARDS), elidable=False
        ),
    ]
