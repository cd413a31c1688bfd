"""The audit table is append-only: PostgreSQL refuses UPDATE and DELETE of its rows.
(Verify still catches an edit made with the trigger disabled: the hashes break.)"""

from django.db import migrations

from config.migrations import postgresql_only

FORWARD = """
CREATE FUNCTION trackbridge_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION trackbridge_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS trackbridge_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
