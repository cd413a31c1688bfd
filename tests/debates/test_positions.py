"""Positions are chains of immutable versions (domain.md, "Entities"): a revision adds a
version, never changes one, and two revisions of the same version cannot both win."""

import threading

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from debates import selectors, services
from debates.errors import InvalidInput, NotPermitted, StaleVersion
from debates.models import Position, PositionVersion, Session, Visibility
from tests import factories

Status = Session.Status


@pytest.fixture
def open_world(make_world):
    """A world whose session accepts positions."""
    return make_world(status=Status.AGENDA_PUBLISHED)


def log(world, **fields):
    fields.setdefault("text", "We favour shared red-teaming.")
    return services.position_log(
        actor=world.member_a, delegation=world.delegation_a, agenda_item=world.item, **fields
    )


def version_rows(position):
    return list(
        PositionVersion.objects.filter(position=position)
        .order_by("number")
        .values("number", "text", "summary", "red_lines", "proposed_language", "visibility")
    )


def test_revisions_add_numbered_versions_oldest_first_carrying_fields_over(open_world):
    world = open_world
    position = log(
        world,
        text="T1",
        summary="S1",
        red_lines="R1",
        proposed_language="L1",
        visibility=Visibility.SESSION,
    )
    v2 = services.position_revise(actor=world.head_a, position=position, based_on=1, text="T2")
    v3 = services.position_revise(
        actor=world.member_a,
        position=position,
        based_on=2,
        summary="S3",
        visibility=Visibility.DELEGATION,
    )

    assert (v2.number, v3.number) == (2, 3)
    assert position.current_version == 3
    assert Position.objects.get(pk=position.pk).current_version == 3
    versions = list(selectors.position_version_list(user=world.member_a, position=position))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.author for v in versions] == [world.member_a, world.head_a, world.member_a]
    assert version_rows(position) == [
        {
            "number": 1,
            "text": "T1",
            "summary": "S1",
            "red_lines": "R1",
            "proposed_language": "L1",
            "visibility": "session",
        },
        {
            "number": 2,
            "text": "T2",
            "summary": "S1",
            "red_lines": "R1",
            "proposed_language": "L1",
            "visibility": "session",
        },
        {
            "number": 3,
            "text": "T2",
            "summary": "S3",
            "red_lines": "R1",
            "proposed_language": "L1",
            "visibility": "delegation",
        },
    ]


@pytest.mark.parametrize("based_on", [1, 3, 0])
def test_revising_anything_but_the_current_version_is_stale(open_world, based_on):
    world = open_world
    position = log(world, text="T1")
    services.position_revise(actor=world.member_a, position=position, based_on=1, text="T2")
    before = version_rows(position)

    with pytest.raises(StaleVersion) as stale:
        services.position_revise(
            actor=world.head_a, position=position, based_on=based_on, text="Lost"
        )

    assert stale.value.current_version == 2
    assert version_rows(position) == before
    assert Position.objects.get(pk=position.pk).current_version == 2


def assert_immutable_violation(refusal):
    """The trigger's error, as Django hands it over: django.db.IntegrityError (not
    InternalError) wrapping psycopg's RestrictViolation, SQLSTATE 23001, with the
    trigger's message."""
    cause = refusal.value.__cause__
    assert type(refusal.value) is IntegrityError
    assert type(cause) is psycopg.errors.RestrictViolation
    assert cause.sqlstate == "23001"
    assert "position versions are immutable" in str(cause)


def test_database_refuses_to_update_a_position_version(open_world):
    position = log(open_world, text="Original")
    version = position.versions.get()

    version.text = "Rewritten"
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        version.save(update_fields=["text"])
    assert_immutable_violation(refused)

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        PositionVersion.objects.filter(pk=version.pk).update(visibility=Visibility.PUBLIC)
    assert_immutable_violation(refused)

    assert version_rows(position)[0]["text"] == "Original"
    assert version_rows(position)[0]["visibility"] == "delegation"


def test_database_refuses_to_delete_a_position_version(open_world):
    position = log(open_world)
    version = position.versions.get()

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        version.delete()
    assert_immutable_violation(refused)

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        PositionVersion.objects.filter(position=position).delete()
    assert_immutable_violation(refused)

    assert PositionVersion.objects.filter(pk=version.pk).exists()


def test_second_position_for_same_delegation_and_item_is_refused(open_world):
    world = open_world
    first = log(world, text="First")

    with pytest.raises(InvalidInput) as refused:
        services.position_log(
            actor=world.head_a,
            delegation=world.delegation_a,
            agenda_item=world.item,
            text="Second",
        )

    assert refused.value.field == "agenda_item"
    # The refusal happened in a savepoint: the surrounding transaction still works.
    assert list(Position.objects.filter(delegation=world.delegation_a)) == [first]
    assert version_rows(first)[0]["text"] == "First"


def test_other_delegation_may_log_its_own_position_on_the_same_item(open_world):
    world = open_world
    log(world)

    theirs = services.position_log(
        actor=world.member_b, delegation=world.delegation_b, agenda_item=world.item, text="Ours"
    )

    assert theirs.delegation == world.delegation_b
    assert Position.objects.filter(agenda_item=world.item).count() == 2


NON_MEMBERS = ["admin", "facilitator", "other_head", "other_member", "observer", "outsider"]


@pytest.mark.parametrize("role", NON_MEMBERS)
def test_non_member_cannot_log_a_delegations_position(open_world, role):
    world = open_world

    with pytest.raises(NotPermitted):
        services.position_log(
            actor=world.roles()[role],
            delegation=world.delegation_a,
            agenda_item=world.item,
            text="Not ours to say.",
        )

    assert not Position.objects.exists()


@pytest.mark.parametrize("role", NON_MEMBERS)
def test_non_member_cannot_revise_a_delegations_position(open_world, role):
    world = open_world
    position = log(world, text="T1")

    with pytest.raises(NotPermitted):
        services.position_revise(
            actor=world.roles()[role], position=position, based_on=1, text="Hijacked"
        )

    assert [row["text"] for row in version_rows(position)] == ["T1"]


def test_advisor_may_log_a_position(open_world):
    world = open_world
    advisor = factories.DelegationMemberFactory(delegation=world.delegation_a, role="advisor").user

    position = services.position_log(
        actor=advisor, delegation=world.delegation_a, agenda_item=world.item, text="Advice"
    )

    assert position.versions.get().author == advisor


def test_position_on_another_sessions_agenda_item_is_refused(open_world):
    world = open_world
    foreign_item = factories.AgendaItemFactory()

    with pytest.raises(InvalidInput) as refused:
        services.position_log(
            actor=world.member_a, delegation=world.delegation_a, agenda_item=foreign_item, text="x"
        )

    assert refused.value.field == "agenda_item"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "ok", "visibility": "everyone"}, "visibility"),
    ],
)
def test_position_needs_text_and_a_known_visibility(open_world, fields, field):
    with pytest.raises(InvalidInput) as refused:
        log(open_world, **fields)

    assert refused.value.field == field
    assert not Position.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"visibility": "everyone"}, "visibility"),
        ({"author": "someone"}, None),
    ],
)
def test_revision_with_bad_fields_is_refused_without_using_up_the_version(
    open_world, changes, field
):
    world = open_world
    position = log(world)

    with pytest.raises(InvalidInput) as refused:
        services.position_revise(actor=world.member_a, position=position, based_on=1, **changes)

    assert refused.value.field == field
    assert Position.objects.get(pk=position.pk).current_version == 1
    # The version is still current: a good revision of it goes through.
    assert (
        services.position_revise(
            actor=world.member_a, position=position, based_on=1, text="Good"
        ).number
        == 2
    )


THREADS = 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_revisions_of_one_version_let_exactly_one_win(make_world):
    # serialized_rollback restores the seeded topics that a transactional test's flush
    # removes; the threads need real commits to race against each other.
    world = make_world(status=Status.AGENDA_PUBLISHED)
    position = log(world, text="v1")
    authors = [world.member_a, world.head_a] + [
        factories.DelegationMemberFactory(delegation=world.delegation_a).user
        for _ in range(THREADS - 2)
    ]
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = [None] * THREADS

    def revise(index: int) -> None:
        try:
            own = Position.objects.select_related("delegation__session").get(pk=position.pk)
            barrier.wait(timeout=10)
            outcomes[index] = services.position_revise(
                actor=authors[index], position=own, based_on=1, text=f"v2 by {index}"
            )
        except Exception as exc:  # kept to assert on below
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=revise, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    winners = [o for o in outcomes if isinstance(o, PositionVersion)]
    losers = [o for o in outcomes if isinstance(o, StaleVersion)]
    assert len(winners) == 1, outcomes
    assert len(losers) == THREADS - 1, outcomes
    assert {loser.current_version for loser in losers} == {2}
    position.refresh_from_db()
    assert position.current_version == 2
    rows = list(position.versions.order_by("number").values_list("number", "text", "author"))
    winner = winners[0]
    assert rows == [(1, "v1", world.member_a.pk), (2, winner.text, winner.author_id)]
