"""What the database itself refuses, whatever code path writes: rows are created with the
ORM directly, bypassing the services. Each refusal is tried in a savepoint, next to a
control that the same kind of row is otherwise accepted."""

from datetime import timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from consensus.models import Point, Stance
from debates import services
from debates.errors import InvalidInput
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Expectation,
    Position,
    Session,
    SessionLink,
)
from tests import factories

DAY = timedelta(days=1)


def assert_db_refused(refusal, constraint=None, sqlstate=None):
    """Assert that `refusal` (a pytest.raises result) is the database refusing the row,
    naming `constraint` or carrying `sqlstate`."""
    cause = refusal.value.__cause__
    assert isinstance(cause, psycopg.errors.IntegrityError)
    if constraint is not None:
        assert cause.diag.constraint_name == constraint
    if sqlstate is not None:
        assert cause.sqlstate == sqlstate


CHECK_VIOLATION = "23514"


# Uniqueness --------------------------------------------------------------------------


def test_one_position_per_delegation_and_agenda_item(world):
    Position.objects.create(delegation=world.delegation_a, agenda_item=world.item)
    Position.objects.create(delegation=world.delegation_b, agenda_item=world.item)

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Position.objects.create(delegation=world.delegation_a, agenda_item=world.item)

    assert_db_refused(refusal, "position_unique")
    assert Position.objects.filter(agenda_item=world.item).count() == 2


def test_one_stance_per_point_and_delegation(world):
    point = factories.PointFactory(session=world.session, agenda_item=world.item)
    recorder = world.facilitator
    Stance.objects.create(
        point=point, delegation=world.delegation_a, stance="agree", recorded_by=recorder
    )
    Stance.objects.create(
        point=point, delegation=world.delegation_b, stance="agree", recorded_by=recorder
    )

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Stance.objects.create(
            point=point, delegation=world.delegation_a, stance="disagree", recorded_by=recorder
        )

    assert_db_refused(refusal, "stance_unique")
    assert point.stances.count() == 2


def test_one_delegation_per_party_and_session(world):
    party = world.delegation_a.party
    later = factories.SessionFactory(dialogue=world.session.dialogue)
    Delegation.objects.create(session=later, party=party)

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Delegation.objects.create(session=world.session, party=party)

    assert_db_refused(refusal, "delegation_unique")


def test_one_delegation_per_person_per_session(world):
    # member_a already sits in delegation A; B of the same session is refused, while a
    # delegation of another session is fine.
    elsewhere = factories.DelegationFactory(session=factories.SessionFactory())
    DelegationMember.objects.create(
        delegation=elsewhere, session=elsewhere.session, user=world.member_a
    )

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        DelegationMember.objects.create(
            delegation=world.delegation_b, session=world.session, user=world.member_a
        )

    assert_db_refused(refusal, "one_delegation_per_session")


def test_one_head_per_delegation(world):
    advisor = DelegationMember.objects.create(
        delegation=world.delegation_a,
        session=world.session,
        user=factories.UserFactory(),
        role="advisor",
    )

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        DelegationMember.objects.create(
            delegation=world.delegation_a,
            session=world.session,
            user=factories.UserFactory(),
            role="head",
        )
    assert_db_refused(refusal, "one_head_per_delegation")

    advisor.role = "head"
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        advisor.save(update_fields=["role"])
    assert_db_refused(refusal, "one_head_per_delegation")


# Ranges ------------------------------------------------------------------------------


@pytest.mark.parametrize("urgency", [1, 5])
def test_urgency_from_1_to_5_is_accepted(world, urgency):
    item = AgendaItem.objects.create(
        session=world.session, topic=factories.topic(), title="t", urgency=urgency
    )
    assert item.pk


@pytest.mark.parametrize("urgency", [0, 6])
def test_urgency_outside_1_to_5_is_refused(world, urgency):
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        AgendaItem.objects.create(
            session=world.session, topic=factories.topic(), title="t", urgency=urgency
        )
    assert_db_refused(refusal, "agenda_item_urgency_1_5")


def test_agenda_item_needs_at_least_a_minute(world):
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        AgendaItem.objects.create(
            session=world.session, topic=factories.topic(), title="t", minutes=0
        )
    assert_db_refused(refusal, "agenda_item_minutes_positive")


@pytest.mark.parametrize(("importance", "accepted"), [(0, False), (1, True), (5, True), (6, False)])
def test_importance_from_1_to_5(world, importance, accepted):
    def create():
        return Expectation.objects.create(
            delegation=world.delegation_a,
            agenda_item=world.item,
            outcome="exchange_views",
            importance=importance,
        )

    if accepted:
        assert create().importance == importance
    else:
        with pytest.raises(IntegrityError) as refusal, transaction.atomic():
            create()
        assert_db_refused(refusal, "expectation_importance_1_5")


def test_one_expectation_per_delegation_and_item(world):
    Expectation.objects.create(
        delegation=world.delegation_a, agenda_item=world.item, outcome="exchange_views"
    )
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Expectation.objects.create(
            delegation=world.delegation_a, agenda_item=world.item, outcome="joint_statement"
        )
    assert_db_refused(refusal, "expectation_unique")


@pytest.mark.parametrize(("length", "accepted"), [(-DAY, False), (timedelta(0), True)])
def test_session_ends_at_or_after_its_start(db, length, accepted):
    dialogue = factories.DialogueFactory()
    start = factories.SessionFactory.build().starts_at

    def create():
        return Session.objects.create(
            dialogue=dialogue,
            title="s",
            track="track_2",
            rule="on_record",
            starts_at=start,
            ends_at=start + length,
        )

    if accepted:
        assert create().ends_at == start
    else:
        with pytest.raises(IntegrityError) as refusal, transaction.atomic():
            create()
        assert_db_refused(refusal, "session_ends_after_start")


# Cross-row rules enforced by triggers (migration 0003) -------------------------------


@pytest.fixture
def chain(db):
    """Three sessions of one dialogue, a day apart, and one of another dialogue."""
    first = factories.SessionFactory()
    start = first.starts_at
    second = factories.SessionFactory(dialogue=first.dialogue, starts_at=start + DAY)
    third = factories.SessionFactory(dialogue=first.dialogue, starts_at=start + 2 * DAY)
    foreign = factories.SessionFactory(starts_at=start - DAY)
    return first, second, third, foreign


def test_session_builds_on_earlier_session_of_its_dialogue(chain):
    first, second, third, _ = chain

    SessionLink.objects.create(session=third, earlier=first)
    SessionLink.objects.create(session=third, earlier=second)

    assert set(third.builds_on.all()) == {first, second}


@pytest.mark.parametrize(
    ("later", "earlier", "message"),
    [
        pytest.param(2, 3, "own dialogue", id="other-dialogue"),
        pytest.param(0, 1, "start before", id="later-session"),
        pytest.param(1, 1, "start before", id="itself"),
    ],
)
def test_database_refuses_a_session_link_against_time_or_dialogue(chain, later, earlier, message):
    with pytest.raises(IntegrityError, match=message) as refusal, transaction.atomic():
        SessionLink.objects.create(session=chain[later], earlier=chain[earlier])

    assert_db_refused(refusal, sqlstate=CHECK_VIOLATION)
    assert not SessionLink.objects.exists()


def test_constraint_refuses_a_session_link_to_itself_even_without_the_trigger(chain):
    # The trigger refuses a self-link first (a session does not start before itself);
    # the check constraint is the second line. The ALTER is rolled back with the test.
    first = chain[0]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE debates_sessionlink DISABLE TRIGGER session_link_valid")

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        SessionLink.objects.create(session=first, earlier=first)
    assert_db_refused(refusal, "session_link_not_self")


def test_session_builds_on_another_session_once(chain):
    first, second, _, _ = chain
    SessionLink.objects.create(session=second, earlier=first)

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        SessionLink.objects.create(session=second, earlier=first)
    assert_db_refused(refusal, "session_link_unique")


def test_database_refuses_turning_a_session_link_around(chain):
    first, second, _, _ = chain
    link = SessionLink.objects.create(session=second, earlier=first)

    with pytest.raises(IntegrityError, match="start before"), transaction.atomic():
        SessionLink.objects.filter(pk=link.pk).update(session=first, earlier=second)

    link.refresh_from_db()
    assert (link.session, link.earlier) == (second, first)


def test_database_refuses_a_delegation_of_a_party_of_another_dialogue(world):
    foreign_party = factories.PartyFactory()
    own_party = factories.PartyFactory(dialogue=world.session.dialogue)
    Delegation.objects.create(session=world.session, party=own_party)

    with pytest.raises(IntegrityError, match="dialogue") as refusal, transaction.atomic():
        Delegation.objects.create(session=world.session, party=foreign_party)
    assert_db_refused(refusal, sqlstate=CHECK_VIOLATION)

    with pytest.raises(IntegrityError, match="dialogue"), transaction.atomic():
        Delegation.objects.filter(pk=world.delegation_a.pk).update(party=foreign_party)
    assert Delegation.objects.get(pk=world.delegation_a.pk).party != foreign_party


# Point lineage -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("carried", "carry_status", "accepted"),
    [
        (False, "new", True),
        (False, "reaffirmed", False),
        (False, "superseded", False),
        (True, "new", False),
        (True, "reaffirmed", True),
        (True, "reopened", True),
        (True, "superseded", True),
    ],
)
def test_point_carry_status_matches_its_lineage(world, carried, carry_status, accepted):
    earlier = factories.PointFactory(session=world.session, agenda_item=world.item)

    def create():
        return Point.objects.create(
            session=world.session,
            agenda_item=world.item,
            kind="agreement",
            statement="s",
            carried_from=earlier if carried else None,
            carry_status=carry_status,
            recorded_by=world.facilitator,
        )

    if accepted:
        assert create().carry_status == carry_status
    else:
        with pytest.raises(IntegrityError) as refusal, transaction.atomic():
            create()
        assert_db_refused(refusal, "point_carry_status_matches_lineage")


# The same rules at the service level -------------------------------------------------


def create_session(admin, dialogue, starts_at, builds_on=()):
    return services.session_create(
        actor=admin,
        dialogue=dialogue,
        title="New session",
        track="track_1",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=8),
        builds_on=builds_on,
    )


def test_session_create_links_to_earlier_sessions(chain):
    first, _, third, _ = chain
    admin = factories.AdminFactory()

    later = create_session(admin, first.dialogue, third.starts_at + DAY, [first, third])

    assert set(later.builds_on.all()) == {first, third}


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param(3, id="other-dialogue"),
        pytest.param(2, id="later"),
        pytest.param(1, id="same-start"),
    ],
)
def test_session_create_refuses_builds_on_other_dialogue_or_not_earlier(chain, earlier):
    second = chain[1]
    admin = factories.AdminFactory()
    sessions_before = Session.objects.count()

    with pytest.raises(InvalidInput) as refusal:
        create_session(admin, second.dialogue, second.starts_at, [chain[earlier]])

    assert refusal.value.field == "builds_on"
    # session_create is atomic: the half-made session is rolled back with the error.
    assert Session.objects.count() == sessions_before


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param(3, id="other-dialogue"),
        pytest.param(2, id="later"),
        pytest.param(1, id="itself"),
    ],
)
def test_session_update_refuses_builds_on_other_dialogue_later_or_itself(chain, earlier):
    first, second, _, _ = chain
    SessionLink.objects.create(session=second, earlier=first)
    admin = factories.AdminFactory()

    with pytest.raises(InvalidInput) as refusal:
        services.session_update(actor=admin, session=second, builds_on=[chain[earlier]])

    assert refusal.value.field == "builds_on"
    assert list(second.builds_on.all()) == [first]


def test_session_update_replaces_builds_on(chain):
    first, second, third, _ = chain
    SessionLink.objects.create(session=third, earlier=first)

    services.session_update(actor=factories.AdminFactory(), session=third, builds_on=[second])

    assert list(third.builds_on.all()) == [second]


def test_session_cannot_move_before_a_session_it_builds_on(chain):
    first, second, _, _ = chain
    SessionLink.objects.create(session=second, earlier=first)

    with pytest.raises(InvalidInput) as refusal:
        services.session_update(
            actor=factories.AdminFactory(),
            session=second,
            starts_at=first.starts_at - DAY,
            ends_at=first.starts_at,
        )

    assert refusal.value.field == "builds_on"
    second.refresh_from_db()
    assert second.starts_at == first.starts_at + DAY


@pytest.mark.parametrize("with_builds_on", [False, True])
def test_session_cannot_move_after_a_session_that_builds_on_it(chain, with_builds_on):
    # Moving `second` past `third`, which builds on it, must be refused whether or not
    # the same update also replaces second's own builds_on.
    first, second, third, _ = chain
    SessionLink.objects.create(session=third, earlier=second)
    extra = {"builds_on": [first]} if with_builds_on else {}

    with pytest.raises(InvalidInput) as refusal:
        services.session_update(
            actor=factories.AdminFactory(),
            session=second,
            starts_at=third.starts_at + DAY,
            ends_at=third.starts_at + 2 * DAY,
            **extra,
        )

    assert refusal.value.field == "builds_on"
    second.refresh_from_db()
    assert second.starts_at == first.starts_at + DAY


@pytest.mark.parametrize("moved", ["earlier_past_later", "later_before_earlier", "dialogue"])
def test_database_refuses_moving_a_session_out_of_order_with_its_links(chain, moved):
    first, second, _, foreign = chain
    SessionLink.objects.create(session=second, earlier=first)
    if moved == "earlier_past_later":
        query = Session.objects.filter(pk=first.pk)
        changes = {"starts_at": second.starts_at, "ends_at": second.ends_at}
    elif moved == "later_before_earlier":
        query, changes = Session.objects.filter(pk=second.pk), {"starts_at": first.starts_at}
    else:
        query, changes = Session.objects.filter(pk=second.pk), {"dialogue": foreign.dialogue}

    with pytest.raises(IntegrityError, match="earlier sessions") as refusal, transaction.atomic():
        query.update(**changes)

    assert_db_refused(refusal, sqlstate=CHECK_VIOLATION)
