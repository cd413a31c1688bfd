"""Points and stances (domain.md, "Carry-over between tracks"): a point may continue one
of a session that its session builds on, transitively, and says what became of it."""

from datetime import timedelta

import pytest

from consensus import services
from consensus.models import Point, Stance
from debates.errors import InvalidInput
from debates.models import Session, SessionLink
from tests import factories

Status = Session.Status
DAY = timedelta(days=1)


@pytest.fixture
def running(make_world):
    """A running session (S3) that builds on S2, which builds on S1; S0 is an earlier
    session of the same dialogue that S3 does not build on. Each holds one point."""
    world = make_world(status=Status.IN_PROGRESS)
    s3 = world.session
    dialogue = s3.dialogue

    def earlier(days):
        session = factories.SessionFactory(
            dialogue=dialogue, status=Status.REPORT_PUBLISHED, starts_at=s3.starts_at - days * DAY
        )
        return session, factories.PointFactory(session=session)

    world.s0, world.p0 = earlier(30)
    world.s1, world.p1 = earlier(20)
    world.s2, world.p2 = earlier(10)
    SessionLink.objects.create(session=world.s2, earlier=world.s1)
    SessionLink.objects.create(session=s3, earlier=world.s2)
    return world


def record(world, **fields):
    fields.setdefault("kind", Point.Kind.AGREEMENT)
    fields.setdefault("statement", "Both sides back incident hotlines.")
    fields.setdefault("agenda_item", world.item)
    return services.point_record(actor=world.facilitator, session=world.session, **fields)


def points_of(world):
    return list(
        Point.objects.filter(session=world.session).values_list("carried_from_id", "carry_status")
    )


@pytest.mark.parametrize("source", ["p1", "p2"])
def test_point_carried_from_a_session_built_on_directly_or_transitively(running, source):
    carried = record(running, carried_from=getattr(running, source))

    assert carried.carried_from == getattr(running, source)
    assert carried.carry_status == Point.CarryStatus.REAFFIRMED
    assert carried.recorded_by == running.facilitator


@pytest.mark.parametrize("carry_status", ["reaffirmed", "reopened", "superseded"])
def test_carried_point_keeps_the_carry_status_given(running, carry_status):
    carried = record(running, carried_from=running.p1, carry_status=carry_status)

    assert carried.carry_status == carry_status


def test_point_that_continues_nothing_is_new(running):
    point = record(running)

    assert (point.carried_from, point.carry_status) == (None, Point.CarryStatus.NEW)


@pytest.mark.parametrize("source", ["p0", "own", "later"])
def test_point_cannot_be_carried_from_a_session_not_built_on(running, source):
    if source == "own":
        origin = factories.PointFactory(session=running.session, agenda_item=running.item)
    elif source == "later":
        later = factories.SessionFactory(
            dialogue=running.session.dialogue, starts_at=running.session.starts_at + DAY
        )
        SessionLink.objects.create(session=later, earlier=running.session)
        origin = factories.PointFactory(session=later)
    else:
        origin = running.p0
    before = points_of(running)

    with pytest.raises(InvalidInput) as refusal:
        record(running, carried_from=origin)

    assert refusal.value.field == "carried_from"
    assert points_of(running) == before


def test_carried_point_cannot_be_new(running):
    with pytest.raises(InvalidInput) as refusal:
        record(running, carried_from=running.p2, carry_status=Point.CarryStatus.NEW)

    assert refusal.value.field == "carry_status"
    assert points_of(running) == []


@pytest.mark.parametrize("carry_status", ["reaffirmed", "reopened", "superseded", "bogus"])
def test_only_a_carried_point_has_a_carry_status_other_than_new(running, carry_status):
    with pytest.raises(InvalidInput) as refusal:
        record(running, carry_status=carry_status)

    assert refusal.value.field == "carry_status"
    assert points_of(running) == []


def test_unknown_carry_status_is_refused(running):
    with pytest.raises(InvalidInput) as refusal:
        record(running, carried_from=running.p2, carry_status="forgotten")

    assert refusal.value.field == "carry_status"


def test_point_agenda_item_must_be_of_the_same_session(running):
    with pytest.raises(InvalidInput) as refusal:
        record(running, agenda_item=running.p2.agenda_item)

    assert refusal.value.field == "agenda_item"
    assert points_of(running) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "consensus"}, "kind"),
        ({"status": "adopted"}, "status"),
        ({"statement": " "}, "statement"),
    ],
)
def test_point_needs_known_kind_status_and_a_statement(running, fields, field):
    with pytest.raises(InvalidInput) as refusal:
        record(running, **fields)

    assert refusal.value.field == field


# point_update ------------------------------------------------------------------------


def test_update_changes_carry_status_of_a_carried_point(running):
    point = record(running, carried_from=running.p2)

    services.point_update(actor=running.facilitator, point=point, carry_status="reopened")

    point.refresh_from_db()
    assert (point.carried_from, point.carry_status) == (running.p2, "reopened")


def test_update_that_adds_lineage_defaults_to_reaffirmed(running):
    point = record(running)

    services.point_update(actor=running.facilitator, point=point, carried_from=running.p1)

    point.refresh_from_db()
    assert (point.carried_from, point.carry_status) == (running.p1, "reaffirmed")


def test_update_that_removes_lineage_makes_the_point_new(running):
    point = record(running, carried_from=running.p1, carry_status="superseded")

    services.point_update(actor=running.facilitator, point=point, carried_from=None)

    point.refresh_from_db()
    assert (point.carried_from, point.carry_status) == (None, "new")


@pytest.mark.parametrize(
    ("start", "changes", "field"),
    [
        ("carried", {"carry_status": "new"}, "carry_status"),
        ("carried", {"carried_from": "p0"}, "carried_from"),
        ("new", {"carry_status": "reopened"}, "carry_status"),
        ("new", {"carried_from": "p0"}, "carried_from"),
        ("new", {"agenda_item": "foreign"}, "agenda_item"),
        ("new", {"recorded_by": "someone"}, None),
    ],
)
def test_update_refuses_what_record_refuses(running, start, changes, field):
    point = record(running, carried_from=running.p2) if start == "carried" else record(running)
    before = points_of(running)
    if changes.get("carried_from") == "p0":
        changes["carried_from"] = running.p0
    if changes.get("agenda_item") == "foreign":
        changes["agenda_item"] = running.p2.agenda_item

    with pytest.raises(InvalidInput) as refusal:
        services.point_update(actor=running.facilitator, point=point, **changes)

    assert refusal.value.field == field
    assert points_of(running) == before
    point.refresh_from_db()
    assert point.agenda_item == running.item


# stance_set --------------------------------------------------------------------------


def test_stance_of_a_delegation_of_another_session_is_refused(running):
    point = record(running)
    stranger = factories.DelegationFactory(session=running.s2)

    with pytest.raises(InvalidInput) as refusal:
        services.stance_set(
            actor=running.facilitator, point=point, delegation=stranger, stance="agree"
        )

    assert refusal.value.field == "delegation"
    assert not Stance.objects.exists()


def test_stance_set_twice_keeps_one_row_with_the_latest_stance(running):
    point = record(running)
    services.stance_set(
        actor=running.facilitator,
        point=point,
        delegation=running.delegation_a,
        stance="disagree",
        note="First reading",
    )

    services.stance_set(
        actor=running.head_a,
        point=point,
        delegation=running.delegation_a,
        stance="agree",
        note="After consultation",
    )

    assert list(
        Stance.objects.filter(point=point).values_list(
            "delegation_id", "stance", "note", "recorded_by_id"
        )
    ) == [(running.delegation_a.pk, "agree", "After consultation", running.head_a.pk)]


def test_unknown_stance_is_refused(running):
    point = record(running)

    with pytest.raises(InvalidInput) as refusal:
        services.stance_set(
            actor=running.facilitator, point=point, delegation=running.delegation_a, stance="yes"
        )

    assert refusal.value.field == "stance"
    assert not Stance.objects.exists()


@pytest.mark.parametrize("status", [Point.Status.PROPOSED, Point.Status.WITHDRAWN])
def test_only_a_confirmed_point_can_be_carried_forward(running, status):
    running.p1.status = status
    running.p1.save(update_fields=["status"])

    with pytest.raises(InvalidInput) as refused:
        record(running, carried_from=running.p1)

    assert refused.value.field == "carried_from"
    assert points_of(running) == []


def test_point_is_carried_only_into_an_item_on_the_same_topic(running):
    other_topic_item = factories.AgendaItemFactory(
        session=running.session, topic=factories.topic("climate-governance")
    )

    with pytest.raises(InvalidInput) as refused:
        record(running, carried_from=running.p1, agenda_item=other_topic_item)

    assert refused.value.field == "carried_from"


def test_withdrawn_point_takes_no_stance(running):
    point = record(running, status=Point.Status.WITHDRAWN)

    with pytest.raises(InvalidInput):
        services.stance_set(
            actor=running.facilitator,
            point=point,
            delegation=running.delegation_a,
            stance=Stance.Value.AGREE,
        )

    assert not Stance.objects.filter(point=point).exists()
