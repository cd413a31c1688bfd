"""Events are chained after they are recorded (audit_seal): `seq` gives each its place
in the chain, and the hashes may be empty until then. The events already chained, in
id order, keep that order. The trigger now lets an event be sealed once, and nothing
else."""

from django.db import migrations, models

from config.migrations import postgresql_only

DROP_TRIGGER = "DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;"

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION trackbridge_audit_append_only() RETURNS trigger AS $$
BEGIN
    -- Sealing is the one update an event takes: from no place in the chain to one,
    -- its content untouched.
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (NEW.id, NEW.actor_id, NEW.actor_username, NEW.action, NEW.object_type,
            NEW.object_id, NEW.session_id, NEW.before, NEW.after, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.actor_id, OLD.actor_username, OLD.action, OLD.object_type,
            OLD.object_id, OLD.session_id, OLD.before, OLD.after, OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION trackbridge_audit_append_only();
"""

APPEND_ONLY_BEFORE = """
CREATE OR REPLACE FUNCTION trackbridge_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION trackbridge_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        postgresql_only(DROP_TRIGGER, APPEND_ONLY_BEFORE),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        # Chained so far in id order: that order is their place.
        migrations.RunSQL(
            "UPDATE audit_auditevent SET seq = id WHERE seq IS NULL", migrations.RunSQL.noop
        ),
        postgresql_only(APPEND_ONLY, DROP_TRIGGER),
    ]
