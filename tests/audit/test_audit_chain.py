"""The audit trail (domain.md, "AuditEvent"; api.md, `/audit/`): every change to the
record appends one event in the change's own transaction, the seal chains the events
(each event's hash covers the previous one), the database refuses to edit or delete an
event beyond sealing it once, and verify names the first event that no longer matches
its chain."""

from datetime import timedelta
from html.parser import HTMLParser
from itertools import pairwise

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User
from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import GENESIS, audit_seal, event_hash
from consensus import services as consensus_services
from debates import services
from debates.errors import InvalidInput, NotPermitted, StaleVersion, WrongStatus
from debates.models import AgendaItem, DelegationMember, Dialogue, Party, Session
from tests import factories

Status = Session.Status


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def events() -> list[AuditEvent]:
    """The trail, chained: what a worker's seal makes of it after the changes commit."""
    audit_seal()
    return list(AuditEvent.objects.order_by("seq"))


# One event per service write ------------------------------------------------------------
#
# Each case runs one service call on a world in the status it needs and answers what the
# event must say: (actor, object id, session id).


def _dialogue_create(w):
    dialogue = services.dialogue_create(actor=w.admin, title="New dialogue")
    return w.admin, dialogue.pk, None


def _dialogue_update(w):
    services.dialogue_update(actor=w.admin, dialogue=w.session.dialogue, title="Renamed")
    return w.admin, w.session.dialogue_id, None


def _party_create(w):
    party = services.party_create(
        actor=w.admin, dialogue=w.session.dialogue, name="Brazil", code="br"
    )
    return w.admin, party.pk, None


def _session_create(w):
    session = services.session_create(
        actor=w.admin,
        dialogue=w.session.dialogue,
        title="Government round",
        track=Session.Track.TRACK_1,
        starts_at=w.session.starts_at + timedelta(days=30),
        ends_at=w.session.starts_at + timedelta(days=31),
        builds_on=[w.session],
        facilitators=[w.facilitator],
    )
    return w.admin, session.pk, session.pk


def _session_update(w):
    services.session_update(actor=w.admin, session=w.session, location="Geneva")
    return w.admin, w.session.pk, w.session.pk


def _session_transition(w):
    # From agenda_published: publishing the agenda also requests the brief (its own event).
    services.session_transition(actor=w.facilitator, session=w.session, to="in_progress")
    return w.facilitator, w.session.pk, w.session.pk


def _agenda_item_create(w):
    item = services.agenda_item_create(
        actor=w.facilitator, session=w.session, topic=factories.topic("militarization")
    )
    return w.facilitator, item.pk, w.session.pk


def _agenda_item_update(w):
    services.agenda_item_update(actor=w.facilitator, item=w.item, urgency=5)
    return w.facilitator, w.item.pk, w.session.pk


def _agenda_item_delete(w):
    pk = w.item.pk
    services.agenda_item_delete(actor=w.admin, item=w.item)
    return w.admin, pk, w.session.pk


def _delegation_create(w):
    party = factories.PartyFactory(dialogue=w.session.dialogue)
    delegation = services.delegation_create(actor=w.admin, session=w.session, party=party)
    return w.admin, delegation.pk, w.session.pk


def _member_add(w):
    member = services.delegation_member_add(
        actor=w.admin, delegation=w.delegation_a, user=factories.UserFactory()
    )
    return w.admin, member.pk, w.session.pk


def _member_remove(w):
    pk = DelegationMember.objects.get(user=w.member_a).pk
    services.delegation_member_remove(actor=w.admin, delegation=w.delegation_a, user=w.member_a)
    return w.admin, pk, w.session.pk


def _expectations_set(w):
    services.expectations_set(
        actor=w.head_a,
        delegation=w.delegation_a,
        items=[{"agenda_item": w.item, "outcome": "joint_statement", "importance": 4}],
    )
    return w.head_a, w.delegation_a.pk, w.session.pk


def _position_log(w):
    position = services.position_log(
        actor=w.member_a, delegation=w.delegation_a, agenda_item=w.item, text="Ours"
    )
    return w.member_a, position.pk, w.session.pk


def _point_record(w):
    point = consensus_services.point_record(
        actor=w.facilitator, session=w.session, agenda_item=w.item, kind="agreement", statement="S"
    )
    return w.facilitator, point.pk, w.session.pk


def _point_update(w):
    point = factories.PointFactory(session=w.session, agenda_item=w.item)
    consensus_services.point_update(actor=w.facilitator, point=point, statement="Reworded")
    return w.facilitator, point.pk, w.session.pk


def _stance_set(w):
    point = factories.PointFactory(session=w.session, agenda_item=w.item)
    stance = consensus_services.stance_set(
        actor=w.head_b, point=point, delegation=w.delegation_b, stance="reserve"
    )
    return w.head_b, stance.pk, w.session.pk


def _user_create(w):
    user = account_services.user_create(
        actor=w.admin, username="newcomer", password="Long-enough-pass-77"
    )
    return w.admin, user.pk, None


WRITES = [
    ("dialogue.create", "debates.dialogue", Status.DRAFT, _dialogue_create),
    ("dialogue.update", "debates.dialogue", Status.DRAFT, _dialogue_update),
    ("party.create", "debates.party", Status.DRAFT, _party_create),
    ("session.create", "debates.session", Status.DRAFT, _session_create),
    ("session.update", "debates.session", Status.DRAFT, _session_update),
    ("session.transition", "debates.session", Status.AGENDA_PUBLISHED, _session_transition),
    ("agenda_item.create", "debates.agendaitem", Status.DRAFT, _agenda_item_create),
    ("agenda_item.update", "debates.agendaitem", Status.DRAFT, _agenda_item_update),
    ("agenda_item.delete", "debates.agendaitem", Status.DRAFT, _agenda_item_delete),
    ("delegation.create", "debates.delegation", Status.DRAFT, _delegation_create),
    ("delegation.member_add", "debates.delegationmember", Status.DRAFT, _member_add),
    ("delegation.member_remove", "debates.delegationmember", Status.DRAFT, _member_remove),
    ("expectations.set", "debates.delegation", Status.DRAFT, _expectations_set),
    ("position.log", "debates.position", Status.AGENDA_PUBLISHED, _position_log),
    ("point.record", "consensus.point", Status.IN_PROGRESS, _point_record),
    ("point.update", "consensus.point", Status.IN_PROGRESS, _point_update),
    ("stance.set", "consensus.stance", Status.IN_PROGRESS, _stance_set),
    ("user.create", "accounts.user", Status.DRAFT, _user_create),
]


@pytest.mark.parametrize(
    ("action", "object_type", "status", "write"), WRITES, ids=[w[0] for w in WRITES]
)
def test_every_service_write_records_one_event(make_world, action, object_type, status, write):
    world = make_world(status=status)
    assert not AuditEvent.objects.exists()

    actor, object_id, session_id = write(world)

    [event] = events()
    assert (event.action, event.object_type, event.object_id) == (
        action,
        object_type,
        str(object_id),
    )
    assert (event.actor_id, event.actor_username) == (actor.pk, actor.username)
    assert event.session_id == session_id
    assert event.hash == event_hash(event)


def test_user_creation_keeps_the_password_hash_out_of_the_trail(world):
    account_services.user_create(actor=world.admin, username="newcomer", password="Long-pass-77x")

    event = AuditEvent.objects.get(action="user.create")
    assert event.after["username"] == "newcomer"
    assert "password" not in event.after


def test_position_revise_records_the_versions_before_and_after(make_world):
    world = make_world(status=Status.AGENDA_PUBLISHED)
    position = services.position_log(
        actor=world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text="v1",
        red_lines="none",
    )

    services.position_revise(actor=world.head_a, position=position, based_on=1, text="v2")

    event = AuditEvent.objects.get(action="position.revise")
    assert (event.object_type, event.object_id) == ("debates.position", str(position.pk))
    assert event.actor_id == world.head_a.pk
    assert (event.before["number"], event.before["text"], event.before["author"]) == (
        1,
        "v1",
        world.member_a.pk,
    )
    assert (event.after["number"], event.after["text"], event.after["author"]) == (
        2,
        "v2",
        world.head_a.pk,
    )
    assert event.after["red_lines"] == "none"  # carried over, and recorded as such


def test_session_transition_records_the_status_it_left_and_reached(world):
    services.session_transition(
        actor=world.facilitator, session=world.session, to="agenda_published"
    )

    event = AuditEvent.objects.get(action="session.transition")
    assert (event.before, event.after) == (
        {"status": "draft"},
        {"status": "agenda_published"},
    )


# Refusals record nothing -----------------------------------------------------------------


def _publish_then_add_item(w):
    w.session.status = Status.AGENDA_PUBLISHED
    w.session.save()
    return lambda: services.agenda_item_create(
        actor=w.facilitator, session=w.session, topic=factories.topic()
    )


def _stale_revision(w):
    w.session.status = Status.AGENDA_PUBLISHED
    w.session.save()
    position = factories.PositionFactory(delegation=w.delegation_a, agenda_item=w.item)
    factories.PositionVersionFactory(position=position, author=w.member_a)
    position.current_version = 2
    factories.PositionVersionFactory(position=position, number=2, author=w.member_a)
    position.save()
    return lambda: services.position_revise(
        actor=w.member_a, position=position, based_on=1, text="lost"
    )


def _session_building_on_a_later_one(w):
    # The session row is inserted before the link is checked: the refusal must roll
    # both back, the row and anything recorded.
    return lambda: services.session_create(
        actor=w.admin,
        dialogue=w.session.dialogue,
        title="Backwards",
        track=Session.Track.TRACK_1,
        starts_at=w.session.starts_at - timedelta(days=10),
        ends_at=w.session.starts_at - timedelta(days=9),
        builds_on=[w.session],
    )


def _skipping_a_step(w):
    return lambda: services.session_transition(
        actor=w.facilitator, session=w.session, to="in_progress"
    )


def _stance_by_someone_else(w):
    w.session.status = Status.IN_PROGRESS
    w.session.save()
    point = factories.PointFactory(session=w.session, agenda_item=w.item)
    return lambda: consensus_services.stance_set(
        actor=w.member_a, point=point, delegation=w.delegation_a, stance="agree"
    )


def _second_head(w):
    return lambda: services.delegation_member_add(
        actor=w.admin, delegation=w.delegation_a, user=w.member_a, role="head"
    )


REFUSALS = [
    ("agenda_after_draft", WrongStatus, _publish_then_add_item),
    ("stale_revision", StaleVersion, _stale_revision),
    ("session_builds_on_later", InvalidInput, _session_building_on_a_later_one),
    ("skipped_transition", WrongStatus, _skipping_a_step),
    ("stance_by_member", NotPermitted, _stance_by_someone_else),
    ("second_head", InvalidInput, _second_head),
]


@pytest.mark.parametrize(
    ("error", "prepare"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_refused_service_call_records_no_event(world, error, prepare):
    call = prepare(world)
    sessions = Session.objects.count()

    with pytest.raises(error):
        call()

    assert not AuditEvent.objects.exists()
    assert Session.objects.count() == sessions
    assert audit_chain_verify() == {"ok": True, "checked": 0, "unsealed": 0}


def test_event_is_rolled_back_with_the_change_it_records(world):
    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        services.dialogue_create(actor=world.admin, title="Never happened")
        assert AuditEvent.objects.filter(action="dialogue.create").exists()
        raise Abandoned

    assert not Dialogue.objects.filter(title="Never happened").exists()
    assert not AuditEvent.objects.exists()


def test_a_refused_api_call_records_no_event(world):
    answer = api_as(world.facilitator).post(
        f"/api/v1/sessions/{world.session.pk}/transition/", {"to": "concluded"}, format="json"
    )

    assert answer.status_code == 409
    assert not AuditEvent.objects.exists()


# The hash chain ----------------------------------------------------------------------------


def five_events(world) -> list[AuditEvent]:
    """Five writes of different kinds, through the services: six events, as publishing
    the agenda also requests the pre-session brief (`report.request`)."""
    session = world.session
    services.dialogue_update(actor=world.admin, dialogue=session.dialogue, title="Renamed")
    services.agenda_item_update(actor=world.facilitator, item=world.item, urgency=5)
    services.session_update(actor=world.admin, session=session, location="Geneva")
    services.session_transition(actor=world.facilitator, session=session, to="agenda_published")
    services.position_log(
        actor=world.member_a, delegation=world.delegation_a, agenda_item=world.item, text="v1"
    )
    chain = events()
    assert [e.action for e in chain] == [
        "dialogue.update",
        "agenda_item.update",
        "session.update",
        "report.request",
        "session.transition",
        "position.log",
    ]
    return chain


def test_each_event_hashes_over_the_previous_one(world):
    chain = five_events(world)

    assert chain[0].prev_hash == GENESIS == "0" * 64
    for previous, event in pairwise(chain):
        assert event.prev_hash == previous.hash
    for event in chain:
        assert event.hash == event_hash(event)
        assert len(event.hash) == 64
    assert len({event.hash for event in chain}) == len(chain) == 6


def test_verify_walks_an_intact_chain(world):
    chain = five_events(world)

    answer = api_as(world.admin).get("/api/v1/audit/verify/")

    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "checked": len(chain), "unsealed": 0}


def test_an_event_is_recorded_unchained_and_the_seal_chains_it_once(world):
    services.dialogue_update(actor=world.admin, dialogue=world.session.dialogue, title="One")
    recorded = AuditEvent.objects.get()
    assert (recorded.seq, recorded.prev_hash, recorded.hash) == (None, None, None)
    assert audit_chain_verify() == {"ok": True, "checked": 0, "unsealed": 1}

    assert audit_seal() == 1
    assert audit_seal() == 0

    sealed = AuditEvent.objects.get()
    assert (sealed.seq, sealed.prev_hash, sealed.hash) == (1, GENESIS, event_hash(sealed))
    assert audit_chain_verify() == {"ok": True, "checked": 1, "unsealed": 0}


def test_later_events_continue_the_chain_from_the_last_sealed_one(world):
    services.dialogue_update(actor=world.admin, dialogue=world.session.dialogue, title="One")
    [first] = events()
    services.session_update(actor=world.admin, session=world.session, location="Geneva")
    services.session_update(actor=world.admin, session=world.session, location="Vienna")

    chain = events()

    assert [e.seq for e in chain] == [1, 2, 3]
    assert chain[0].hash == first.hash
    assert [e.prev_hash for e in chain[1:]] == [chain[0].hash, chain[1].hash]
    assert audit_chain_verify()["ok"] is True


def test_sealing_in_batches_keeps_one_chain(world, monkeypatch):
    monkeypatch.setattr("audit.services.SEAL_BATCH", 2)
    for n in range(5):
        services.session_update(actor=world.admin, session=world.session, location=f"Room {n}")

    assert audit_seal() == 5

    assert audit_chain_verify() == {"ok": True, "checked": 5, "unsealed": 0}


# Reading the trail -----------------------------------------------------------------------


def test_admin_lists_the_trail_oldest_first(world):
    old_title = world.session.dialogue.title
    chain = five_events(world)

    answer = api_as(world.admin).get("/api/v1/audit/")

    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 6
    assert [e["id"] for e in body["results"]] == [e.pk for e in chain]
    first = body["results"][0]
    assert first["action"] == "dialogue.update"
    assert first["actor"] == world.admin.pk
    assert first["actor_username"] == world.admin.username
    assert first["before"] == {"title": old_title}
    assert first["after"] == {"title": "Renamed"}
    assert first["prev_hash"] == GENESIS
    assert first["hash"] == chain[0].hash


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=session.update", [("session.update", "this"), ("session.update", "other")]),
        ("object_type=debates.agendaitem", [("agenda_item.update", "this")]),
        ("object_type=debates.dialogue", [("dialogue.update", None)]),
        (
            "object_type=debates.session",
            [
                ("session.update", "this"),
                ("session.transition", "this"),
                ("session.update", "other"),
            ],
        ),
        (
            "session={this}",
            [
                ("agenda_item.update", "this"),
                ("session.update", "this"),
                ("report.request", "this"),
                ("session.transition", "this"),
                ("position.log", "this"),
            ],
        ),
        ("session={other}", [("session.update", "other")]),
        ("session={this}&action=position.log", [("position.log", "this")]),
        ("action=point.record", []),
    ],
)
def test_admin_filters_the_trail_by_action_session_and_object_type(world, query, expected):
    five_events(world)
    other = factories.SessionFactory()
    services.session_update(actor=world.admin, session=other, location="Elsewhere")
    sessions = {"this": world.session.pk, "other": other.pk, None: None}

    answer = api_as(world.admin).get(f"/api/v1/audit/?{query.format(**sessions)}")

    assert answer.status_code == 200
    found = [(e["action"], e["session_id"]) for e in answer.json()["results"]]
    assert found == [(action, sessions[which]) for action, which in expected]
    assert answer.json()["count"] == len(expected)


@pytest.mark.parametrize("role", ["facilitator", "head", "member", "observer", "outsider"])
def test_only_admins_read_or_verify_the_trail(world, role):
    five_events(world)
    client = api_as(world.roles()[role])

    assert client.get("/api/v1/audit/").status_code == 403
    assert client.get("/api/v1/audit/verify/").status_code == 403


def test_anonymous_cannot_read_the_trail(world):
    assert api_as(None).get("/api/v1/audit/").status_code == 401
    assert api_as(None).get("/api/v1/audit/verify/").status_code == 401


# The database keeps the trail append-only ---------------------------------------------------


def assert_append_only_refusal(refusal):
    """The trigger's error as Django hands it over: IntegrityError wrapping psycopg's
    RestrictViolation, SQLSTATE 23001."""
    cause = refusal.value.__cause__
    assert type(refusal.value) is IntegrityError
    assert type(cause) is psycopg.errors.RestrictViolation
    assert cause.sqlstate == "23001"
    assert "append-only" in str(cause)


def test_database_refuses_to_update_an_event(world):
    event = five_events(world)[2]

    event.after = {"location": "Forged"}
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        event.save(update_fields=["after"])
    assert_append_only_refusal(refused)

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_username="someone")
    assert_append_only_refusal(refused)

    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    assert_append_only_refusal(refused)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.after["location"], stored.action) == ("Geneva", "session.update")
    assert stored.actor_username == world.admin.username


def test_database_refuses_a_second_seal_or_a_seal_that_edits_the_event(world):
    services.dialogue_update(actor=world.admin, dialogue=world.session.dialogue, title="One")
    unsealed = AuditEvent.objects.get()

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        AuditEvent.objects.filter(pk=unsealed.pk).update(
            seq=1, prev_hash=GENESIS, hash="f" * 64, action="forged"
        )
    assert_append_only_refusal(refused)

    [sealed] = events()
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        AuditEvent.objects.filter(pk=sealed.pk).update(seq=7, hash="f" * 64)
    assert_append_only_refusal(refused)
    assert AuditEvent.objects.get().hash == sealed.hash


def test_database_refuses_to_delete_an_event(world):
    event = five_events(world)[2]

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        event.delete()
    assert_append_only_refusal(refused)

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        AuditEvent.objects.all().delete()
    assert_append_only_refusal(refused)

    assert AuditEvent.objects.count() == 6


# Tampering, with the trigger out of the way -------------------------------------------------


def tamper(sql: str, params: list) -> None:
    """Run `sql` with the append-only trigger disabled. ALTER TABLE is transactional in
    PostgreSQL: the test's transaction rolls the disabling back with the rest."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_append_only")


def verify(world) -> dict:
    answer = api_as(world.admin).get("/api/v1/audit/verify/")
    assert answer.status_code == 200
    return answer.json()


def test_verify_names_an_event_whose_content_was_changed(world):
    chain = five_events(world)
    third = chain[2]

    tamper(
        "UPDATE audit_auditevent SET after = %s::jsonb WHERE id = %s",
        ['{"location": "Forged"}', third.pk],
    )

    result = verify(world)
    assert result["ok"] is False
    assert result["first_broken"]["id"] == third.pk
    assert result["first_broken"]["action"] == "session.update"
    assert "content" in result["first_broken"]["reason"]
    assert result["checked"] == 3


def test_verify_names_an_event_whose_prev_hash_was_changed(world):
    chain = five_events(world)
    fourth = chain[3]

    tamper("UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", ["f" * 64, fourth.pk])

    result = verify(world)
    assert result["ok"] is False
    assert result["first_broken"]["id"] == fourth.pk
    assert "prev_hash" in result["first_broken"]["reason"]


def test_a_forged_event_with_a_recomputed_hash_breaks_the_next_link(world):
    chain = five_events(world)
    third = chain[2]
    third.after = {"location": "Forged"}
    forged_hash = event_hash(third)

    tamper(
        "UPDATE audit_auditevent SET after = %s::jsonb, hash = %s WHERE id = %s",
        ['{"location": "Forged"}', forged_hash, third.pk],
    )

    result = verify(world)
    assert result["ok"] is False
    assert result["first_broken"]["id"] == chain[3].pk
    assert "prev_hash" in result["first_broken"]["reason"]


def test_verify_names_the_event_after_a_deleted_one(world):
    chain = five_events(world)

    tamper("DELETE FROM audit_auditevent WHERE id = %s", [chain[2].pk])

    result = verify(world)
    assert result["ok"] is False
    assert result["first_broken"]["id"] == chain[3].pk


def test_the_trigger_is_back_after_tampering(world):
    event = five_events(world)[0]
    tamper("SELECT 1", [])

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert_append_only_refusal(refused)


# Changes made in the Django admin ------------------------------------------------------------


class AdminFormReader(HTMLParser):
    """What a browser would submit from the admin's change form (`<model>_form`): its
    inputs, checked boxes, textareas and selected options, not its submit buttons."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.select_multiple = False
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.add(a["name"], a.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select" and a.get("name"):
            self.select, self.select_first, self.select_chosen = a["name"], None, False
            self.select_multiple = "multiple" in a
        elif tag == "option" and self.select:
            value = a.get("value") or ""
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.add(self.select, value)
                self.select_chosen = True
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.add(self.textarea, "")

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if (
                not self.select_chosen
                and not self.select_multiple
                and self.select_first is not None
            ):
                self.add(self.select, self.select_first)
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def admin_form(client, url: str, form_id: str) -> dict[str, object]:
    page = client.get(url)
    assert page.status_code == 200
    reader = AdminFormReader(form_id)
    reader.feed(page.content.decode())
    assert reader.data, f"no form {form_id} at {url}"
    # Textareas start with a newline the browser drops.
    return {
        name: values[0].removeprefix("\n") if len(values) == 1 else values
        for name, values in reader.data.items()
    }


@pytest.fixture
def superuser(db):
    return factories.AdminFactory(is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_changing_a_dialogue_in_the_admin_is_audited(admin_client, superuser):
    dialogue = factories.DialogueFactory(title="Old title")
    factories.PartyFactory(dialogue=dialogue, code="CN", name="China")
    url = f"/admin/debates/dialogue/{dialogue.pk}/change/"
    form = admin_form(admin_client, url, "dialogue_form")
    assert form["parties-TOTAL_FORMS"] == "1"
    assert form["parties-INITIAL_FORMS"] == "1"

    # Rename the dialogue and add a party through the inline.
    form.update(
        {
            "title": "AI safety dialogue",
            "parties-TOTAL_FORMS": "2",
            "parties-1-name": "United States",
            "parties-1-code": "US",
            "parties-1-dialogue": str(dialogue.pk),
        }
    )
    answer = admin_client.post(url, form)

    assert answer.status_code == 302, answer.context and answer.context["errors"]
    dialogue.refresh_from_db()
    assert dialogue.title == "AI safety dialogue"
    changed = AuditEvent.objects.get(action="dialogue.admin_change")
    assert (changed.object_type, changed.object_id) == ("debates.dialogue", str(dialogue.pk))
    assert changed.actor_id == superuser.pk
    assert changed.before["title"] == "Old title"
    assert changed.after["title"] == "AI safety dialogue"
    us = Party.objects.get(dialogue=dialogue, code="US")
    added = AuditEvent.objects.get(action="party.admin_add")
    assert (added.object_type, added.object_id) == ("debates.party", str(us.pk))
    assert (added.after["name"], added.after["dialogue"]) == ("United States", dialogue.pk)
    audit_seal()
    assert audit_chain_verify() == {"ok": True, "checked": 2, "unsealed": 0}


def test_adding_an_agenda_item_in_the_admin_is_audited(admin_client, superuser):
    session = factories.SessionFactory()
    topic = factories.topic("militarization")
    url = "/admin/debates/agendaitem/add/"
    form = admin_form(admin_client, url, "agendaitem_form")
    form.update(
        {
            "session": str(session.pk),
            "topic": str(topic.pk),
            "title": "Military uses of AI",
            "objective": "Map the red lines.",
            "urgency": "5",
            "order": "1",
            "minutes": "60",
        }
    )

    answer = admin_client.post(url, form)

    assert answer.status_code == 302, answer.context and answer.context["errors"]
    item = AgendaItem.objects.get(session=session)
    event = AuditEvent.objects.get(action="agendaitem.admin_add")
    assert (event.object_type, event.object_id) == ("debates.agendaitem", str(item.pk))
    assert event.actor_id == superuser.pk
    assert event.session_id == session.pk
    assert event.before is None
    assert {k: event.after[k] for k in ("session", "topic", "title", "urgency", "minutes")} == {
        "session": session.pk,
        "topic": topic.pk,
        "title": "Military uses of AI",
        "urgency": 5,
        "minutes": 60,
    }


def test_deleting_an_agenda_item_in_the_admin_is_audited(admin_client, superuser):
    item = factories.AgendaItemFactory(title="To go")
    pk = item.pk

    answer = admin_client.post(f"/admin/debates/agendaitem/{pk}/delete/", {"post": "yes"})

    assert answer.status_code == 302
    assert not AgendaItem.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="agendaitem.admin_delete")
    assert (event.object_type, event.object_id) == ("debates.agendaitem", str(pk))
    assert (event.before["title"], event.after) == ("To go", None)
