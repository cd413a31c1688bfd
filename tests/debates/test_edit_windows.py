"""What may change when (domain.md, "What may change when"): each write is tried in
every status of the life cycle, by the people who may make it and by those who may not."""

from datetime import timedelta

import pytest

from consensus import services as consensus_services
from consensus.models import Point, Stance
from debates import services
from debates.errors import InvalidInput, NotPermitted, WrongStatus
from debates.models import AgendaItem, Expectation, Outcome, Position, Session
from tests import factories

Status = Session.Status
ALL = Status.values

MANAGERS = ["admin", "facilitator"]
NON_MANAGERS = ["head", "member", "other_head", "other_member", "observer", "outsider"]


def split(allowed):
    """(allowed statuses, refused statuses) as parameter lists."""
    return sorted(allowed), [s for s in ALL if s not in allowed]


# Agenda items ------------------------------------------------------------------------


def change_agenda(action, actor, world):
    if action == "create":
        services.agenda_item_create(actor=actor, session=world.session, topic=factories.topic())
    elif action == "update":
        services.agenda_item_update(actor=actor, item=world.item, title="Renamed", urgency=5)
    else:
        services.agenda_item_delete(actor=actor, item=world.item)


AGENDA_ACTIONS = ["create", "update", "delete"]


def agenda_snapshot(world):
    return list(
        AgendaItem.objects.filter(session=world.session).values_list("id", "title", "urgency")
    )


@pytest.mark.parametrize("action", AGENDA_ACTIONS)
@pytest.mark.parametrize("role", MANAGERS)
def test_manager_changes_agenda_in_draft(world, role, action):
    before = agenda_snapshot(world)

    change_agenda(action, world.roles()[role], world)

    after = agenda_snapshot(world)
    if action == "create":
        assert len(after) == len(before) + 1
    elif action == "update":
        assert after == [(world.item.pk, "Renamed", 5)]
    else:
        assert after == []


@pytest.mark.parametrize("action", AGENDA_ACTIONS)
@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize("status", split({Status.DRAFT})[1])
def test_agenda_is_frozen_once_published(make_world, status, role, action):
    world = make_world(status=status)
    before = agenda_snapshot(world)

    with pytest.raises(WrongStatus):
        change_agenda(action, world.roles()[role], world)

    assert agenda_snapshot(world) == before


@pytest.mark.parametrize("action", AGENDA_ACTIONS)
@pytest.mark.parametrize("role", NON_MANAGERS)
def test_only_manager_changes_agenda(world, role, action):
    before = agenda_snapshot(world)

    with pytest.raises(NotPermitted):
        change_agenda(action, world.roles()[role], world)

    assert agenda_snapshot(world) == before


# Positions ---------------------------------------------------------------------------

POSITION_ALLOWED, POSITION_REFUSED = split({Status.AGENDA_PUBLISHED, Status.IN_PROGRESS})


def existing_position(world):
    """A position of delegation A with one version, built directly (any status)."""
    position = factories.PositionFactory(delegation=world.delegation_a, agenda_item=world.item)
    factories.PositionVersionFactory(position=position, author=world.member_a)
    return position


@pytest.mark.parametrize("role", ["head", "member"])
@pytest.mark.parametrize("status", POSITION_ALLOWED)
def test_member_logs_and_revises_position_while_positions_are_open(make_world, status, role):
    world = make_world(status=status)
    actor = world.roles()[role]

    position = services.position_log(
        actor=actor, delegation=world.delegation_a, agenda_item=world.item, text="First"
    )
    version = services.position_revise(actor=actor, position=position, based_on=1, text="Second")

    assert version.number == 2
    assert list(position.versions.values_list("text", flat=True)) == ["First", "Second"]


@pytest.mark.parametrize("status", POSITION_REFUSED)
def test_position_cannot_be_logged_outside_its_window(make_world, status):
    world = make_world(status=status)

    with pytest.raises(WrongStatus):
        services.position_log(
            actor=world.member_a, delegation=world.delegation_a, agenda_item=world.item, text="x"
        )

    assert not Position.objects.filter(delegation=world.delegation_a).exists()


@pytest.mark.parametrize("status", POSITION_REFUSED)
def test_position_cannot_be_revised_outside_its_window(make_world, status):
    world = make_world(status=status)
    position = existing_position(world)

    with pytest.raises(WrongStatus):
        services.position_revise(actor=world.member_a, position=position, based_on=1, text="x")

    position.refresh_from_db()
    assert position.current_version == 1
    assert position.versions.count() == 1


# Points ------------------------------------------------------------------------------

POINT_ALLOWED, POINT_REFUSED = split({Status.IN_PROGRESS, Status.CONCLUDED})


def record_point(actor, world):
    return consensus_services.point_record(
        actor=actor,
        session=world.session,
        agenda_item=world.item,
        kind=Point.Kind.AGREEMENT,
        statement="Both sides back incident hotlines.",
    )


def existing_point(world):
    return factories.PointFactory(
        session=world.session, agenda_item=world.item, statement="Original"
    )


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize("status", POINT_ALLOWED)
def test_manager_records_and_updates_points_while_session_runs_or_after(make_world, status, role):
    world = make_world(status=status)
    actor = world.roles()[role]

    point = record_point(actor, world)
    consensus_services.point_update(actor=actor, point=point, statement="Amended")

    point.refresh_from_db()
    assert point.statement == "Amended"
    assert point.recorded_by == actor


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize("status", POINT_REFUSED)
def test_points_cannot_be_recorded_before_session_runs_or_after_report(make_world, status, role):
    world = make_world(status=status)

    with pytest.raises(WrongStatus):
        record_point(world.roles()[role], world)

    assert not Point.objects.filter(session=world.session).exists()


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize("status", POINT_REFUSED)
def test_points_cannot_be_updated_before_session_runs_or_after_report(make_world, status, role):
    world = make_world(status=status)
    point = existing_point(world)

    with pytest.raises(WrongStatus):
        consensus_services.point_update(actor=world.roles()[role], point=point, statement="New")

    point.refresh_from_db()
    assert point.statement == "Original"


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_only_manager_records_or_updates_points(make_world, role):
    world = make_world(status=Status.IN_PROGRESS)
    point = existing_point(world)
    actor = world.roles()[role]

    with pytest.raises(NotPermitted):
        record_point(actor, world)
    with pytest.raises(NotPermitted):
        consensus_services.point_update(actor=actor, point=point, statement="New")

    point.refresh_from_db()
    assert point.statement == "Original"
    assert Point.objects.filter(session=world.session).count() == 1


# Stances -----------------------------------------------------------------------------


def stances(world):
    return list(
        Stance.objects.filter(point__session=world.session).values_list("delegation_id", "stance")
    )


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize("status", POINT_ALLOWED)
def test_manager_sets_any_delegations_stance_while_session_runs_or_after(make_world, status, role):
    world = make_world(status=status)
    point = existing_point(world)
    actor = world.roles()[role]

    for delegation in (world.delegation_a, world.delegation_b):
        consensus_services.stance_set(
            actor=actor, point=point, delegation=delegation, stance=Stance.Value.AGREE
        )

    assert sorted(stances(world)) == sorted(
        [(world.delegation_a.pk, "agree"), (world.delegation_b.pk, "agree")]
    )


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize("status", POINT_REFUSED)
def test_manager_cannot_set_stance_before_session_runs_or_after_report(make_world, status, role):
    world = make_world(status=status)
    point = existing_point(world)

    with pytest.raises(WrongStatus):
        consensus_services.stance_set(
            actor=world.roles()[role], point=point, delegation=world.delegation_a, stance="agree"
        )

    assert stances(world) == []


def test_head_sets_own_delegations_stance_while_session_runs(make_world):
    world = make_world(status=Status.IN_PROGRESS)
    point = existing_point(world)

    stance = consensus_services.stance_set(
        actor=world.head_a, point=point, delegation=world.delegation_a, stance="reserve"
    )

    assert stance.recorded_by == world.head_a
    assert stances(world) == [(world.delegation_a.pk, "reserve")]


@pytest.mark.parametrize("status", split({Status.IN_PROGRESS})[1])
def test_head_cannot_set_stance_outside_the_running_session(make_world, status):
    # Unlike a facilitator, a head has no grace period after the session concludes.
    world = make_world(status=status)
    point = existing_point(world)

    with pytest.raises(WrongStatus):
        consensus_services.stance_set(
            actor=world.head_a, point=point, delegation=world.delegation_a, stance="agree"
        )

    assert stances(world) == []


@pytest.mark.parametrize(
    ("role", "delegation"),
    [
        ("head", "delegation_b"),
        ("other_head", "delegation_a"),
        ("member", "delegation_a"),
        ("other_member", "delegation_b"),
        ("observer", "delegation_a"),
        ("outsider", "delegation_a"),
    ],
)
def test_only_manager_or_own_head_sets_a_delegations_stance(make_world, role, delegation):
    world = make_world(status=Status.IN_PROGRESS)
    point = existing_point(world)

    with pytest.raises(NotPermitted):
        consensus_services.stance_set(
            actor=world.roles()[role],
            point=point,
            delegation=getattr(world, delegation),
            stance="agree",
        )

    assert stances(world) == []


# Expectations ------------------------------------------------------------------------

EXPECTATION_ALLOWED, EXPECTATION_REFUSED = split({Status.DRAFT, Status.AGENDA_PUBLISHED})


def set_expectations(actor, world):
    return services.expectations_set(
        actor=actor,
        delegation=world.delegation_a,
        items=[{"agenda_item": world.item, "outcome": Outcome.JOINT_STATEMENT, "importance": 4}],
    )


def expectations(world):
    return list(
        Expectation.objects.filter(delegation=world.delegation_a).values_list(
            "agenda_item_id", "outcome", "importance"
        )
    )


@pytest.mark.parametrize("status", EXPECTATION_ALLOWED)
def test_head_sets_expectations_before_session_runs(make_world, status):
    world = make_world(status=status)

    set_expectations(world.head_a, world)

    assert expectations(world) == [(world.item.pk, "joint_statement", 4)]


@pytest.mark.parametrize("status", EXPECTATION_REFUSED)
def test_expectations_are_frozen_once_session_runs(make_world, status):
    world = make_world(status=status)

    with pytest.raises(WrongStatus):
        set_expectations(world.head_a, world)

    assert expectations(world) == []


@pytest.mark.parametrize(
    "role", ["admin", "facilitator", "member", "other_head", "other_member", "observer", "outsider"]
)
def test_only_the_delegations_head_sets_its_expectations(world, role):
    with pytest.raises(NotPermitted):
        set_expectations(world.roles()[role], world)

    assert expectations(world) == []


@pytest.mark.parametrize("missing", ["agenda_item", "outcome"])
def test_expectation_missing_a_field_is_refused_and_keeps_the_old_ones(world, missing):
    set_expectations(world.head_a, world)
    item = {"agenda_item": world.item, "outcome": "exchange_views", "importance": 2}
    del item[missing]

    with pytest.raises(InvalidInput, match=missing):
        services.expectations_set(actor=world.head_a, delegation=world.delegation_a, items=[item])

    assert expectations(world) == [(world.item.pk, "joint_statement", 4)]


# Set-up ------------------------------------------------------------------------------


def test_nothing_about_the_session_changes_once_report_is_published(make_world):
    world = make_world(status=Status.REPORT_PUBLISHED)
    party = factories.PartyFactory(dialogue=world.session.dialogue)
    newcomer = factories.UserFactory()

    with pytest.raises(WrongStatus):
        services.session_update(actor=world.admin, session=world.session, title="Renamed")
    with pytest.raises(WrongStatus):
        services.delegation_create(actor=world.admin, session=world.session, party=party)
    with pytest.raises(WrongStatus):
        services.delegation_member_add(
            actor=world.admin, delegation=world.delegation_a, user=newcomer
        )
    with pytest.raises(WrongStatus):
        services.delegation_member_remove(
            actor=world.admin, delegation=world.delegation_a, user=world.member_a
        )

    world.session.refresh_from_db()
    assert world.session.title != "Renamed"
    assert world.session.delegations.count() == 2
    assert world.delegation_a.members.filter(user=world.member_a).exists()


def test_a_new_session_may_build_on_one_whose_report_is_published(make_world):
    world = make_world(status=Status.REPORT_PUBLISHED)

    later = services.session_create(
        actor=world.admin,
        dialogue=world.session.dialogue,
        title="Follow-up",
        track=Session.Track.TRACK_1,
        starts_at=world.session.ends_at + timedelta(days=30),
        ends_at=world.session.ends_at + timedelta(days=31),
        builds_on=[world.session],
    )

    assert list(later.builds_on.all()) == [world.session]
