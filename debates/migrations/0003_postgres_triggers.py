"""Rules that span rows, enforced by PostgreSQL itself so that no code path (a service,
the admin, a shell) can break them. SQLite, the embedded default, relies on the services.

- a session builds only on earlier sessions of its own dialogue, also when it moves;
- a delegation's party belongs to its session's dialogue;
- a position version is immutable: no UPDATE, no DELETE (the foreign keys that lead to
  it PROTECT, so deleting what holds a position is refused before it gets here).
"""

from django.db import migrations

from config.migrations import postgresql_only

FORWARD = r"""
CREATE FUNCTION trackbridge_check_session_link() RETURNS trigger AS $$
DECLARE
    later record;
    earlier record;
BEGIN
    SELECT dialogue_id, starts_at INTO later FROM debates_session WHERE id = NEW.session_id;
    SELECT dialogue_id, starts_at INTO earlier FROM debates_session WHERE id = NEW.earlier_id;
    IF later.dialogue_id <> earlier.dialogue_id THEN
        RAISE EXCEPTION 'session % may only build on sessions of its own dialogue',
            NEW.session_id USING ERRCODE = 'check_violation';
    END IF;
    IF earlier.starts_at >= later.starts_at THEN
        RAISE EXCEPTION 'session % may only build on sessions that start before it',
            NEW.session_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER session_link_valid BEFORE INSERT OR UPDATE ON debates_sessionlink
    FOR EACH ROW EXECUTE FUNCTION trackbridge_check_session_link();

-- Moving a session in time (or to another dialogue) must keep its links valid both ways.
CREATE FUNCTION trackbridge_check_session_move() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM debates_sessionlink link
        JOIN debates_session earlier ON earlier.id = link.earlier_id
        WHERE link.session_id = NEW.id
          AND (earlier.starts_at >= NEW.starts_at OR earlier.dialogue_id <> NEW.dialogue_id)
    ) OR EXISTS (
        SELECT 1 FROM debates_sessionlink link
        JOIN debates_session later ON later.id = link.session_id
        WHERE link.earlier_id = NEW.id
          AND (later.starts_at <= NEW.starts_at OR later.dialogue_id <> NEW.dialogue_id)
    ) THEN
        RAISE EXCEPTION 'session % would no longer build only on earlier sessions of its dialogue',
            NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER session_move_keeps_links AFTER UPDATE OF starts_at, dialogue_id ON debates_session
    FOR EACH ROW EXECUTE FUNCTION trackbridge_check_session_move();

CREATE FUNCTION trackbridge_check_delegation_party() RETURNS trigger AS $$
BEGIN
    IF (SELECT dialogue_id FROM debates_party WHERE id = NEW.party_id)
       <> (SELECT dialogue_id FROM debates_session WHERE id = NEW.session_id) THEN
        RAISE EXCEPTION 'delegation party must belong to the session''s dialogue'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER delegation_party_in_dialogue BEFORE INSERT OR UPDATE ON debates_delegation
    FOR EACH ROW EXECUTE FUNCTION trackbridge_check_delegation_party();

CREATE FUNCTION trackbridge_position_version_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'position versions are immutable' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER position_version_immutable BEFORE UPDATE OR DELETE ON debates_positionversion
    FOR EACH ROW EXECUTE FUNCTION trackbridge_position_version_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS position_version_immutable ON debates_positionversion;
DROP FUNCTION IF EXISTS trackbridge_position_version_immutable();
DROP TRIGGER IF EXISTS delegation_party_in_dialogue ON debates_delegation;
DROP FUNCTION IF EXISTS trackbridge_check_delegation_party();
DROP TRIGGER IF EXISTS session_move_keeps_links ON debates_session;
DROP FUNCTION IF EXISTS trackbridge_check_session_move();
DROP TRIGGER IF EXISTS session_link_valid ON debates_sessionlink;
DROP FUNCTION IF EXISTS trackbridge_check_session_link();
"""


class Migration(migrations.Migration):
    dependencies = [("debates", "0002_seed_topics")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
