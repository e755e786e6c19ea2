# Written by hand (makemigrations could not run while another context's migrations were
# being rewritten); checked with `makemigrations --check` afterwards.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0003_no_index_beside_a_leading_one'),
    ]

    operations = [
        migrations.CreateModel(
            name='MigrationRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.CharField(max_length=300)),
                ('page_size', models.PositiveIntegerField()),
                ('started_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('next_page_token', models.CharField(blank=True, max_length=200)),
                ('pages', models.PositiveIntegerField(default=0)),
                ('customers_imported', models.PositiveIntegerField(default=0)),
                ('customers_rejected', models.PositiveIntegerField(default=0)),
                ('customers_skipped', models.PositiveIntegerField(default=0)),
                ('report', models.JSONField(blank=True, null=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(condition=models.Q(('finished_at__isnull', True)), fields=('url',), name='migration_run_one_open_per_url')],
            },
        ),
        migrations.CreateModel(
            name='MigratedRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('CUSTOMER', 'Customer'), ('ACCOUNT', 'Account'), ('SITE', 'Site'), ('METER_POINT', 'Meter point'), ('INVOICE', 'Open invoice'), ('BALANCE', 'Opening balance')], max_length=12)),
                ('legacy_id', models.CharField(max_length=40)),
                ('our_id', models.BigIntegerField()),
                ('amount_pence', models.BigIntegerField(blank=True, null=True)),
                ('run', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='integrations.migrationrun')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'legacy_id'), name='migrated_record_once')],
            },
        ),
        migrations.CreateModel(
            name='MigrationReject',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('legacy_customer_id', models.CharField(max_length=40)),
                ('reasons', models.JSONField(default=list)),
                ('accounts', models.PositiveIntegerField(default=0)),
                ('meter_points', models.PositiveIntegerField(default=0)),
                ('open_invoices', models.PositiveIntegerField(default=0)),
                ('debit_pence', models.BigIntegerField(default=0)),
                ('credit_pence', models.BigIntegerField(default=0)),
                ('outstanding_pence', models.BigIntegerField(default=0)),
                ('run', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='rejects', to='integrations.migrationrun')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('run', 'legacy_customer_id'), name='migration_reject_once_per_run')],
            },
        ),
    ]
