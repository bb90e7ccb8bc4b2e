"""On PostgreSQL the database itself refuses UPDATE and DELETE on the revenue ledger, so
not even raw SQL or a future bug can rewrite booked revenue. (TRUNCATE, used by test
flushes, does not fire row triggers.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION paywall_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'paywall_ledgerentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER paywall_ledger_append_only
    BEFORE UPDATE OR DELETE ON paywall_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION paywall_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS paywall_ledger_append_only ON paywall_ledgerentry;
DROP FUNCTION IF EXISTS paywall_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("paywall", "0001_reader_accounts_plans_payments_ledger")]
    operations = [migrations.RunPython(forwards, backwards)]
