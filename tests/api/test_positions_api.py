"""Positions over HTTP (api.md): every read carries the version it shows as an ETag, and
every revision must name the version it revises in If-Match (428 without, 412 when it
is not the current one), so that no revision silently overwrites another."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from debates import services
from debates.models import Position, PositionVersion, Session, Visibility
from tests import factories

Status = Session.Status


@pytest.fixture
def open_world(make_world):
    """A world whose session accepts positions."""
    return make_world(status=Status.AGENDA_PUBLISHED)


def log(world, text="v1", visibility=Visibility.DELEGATION):
    return services.position_log(
        actor=world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text=text,
        visibility=visibility,
    )


def url(position) -> str:
    return f"/api/v1/positions/{position.pk}/"


def stored_versions(position) -> list[tuple[int, str]]:
    return list(
        PositionVersion.objects.filter(position=position)
        .order_by("number")
        .values_list("number", "text")
    )


def test_get_answers_the_current_version_with_its_etag(open_world, client_for):
    position = log(open_world, text="We favour shared red-teaming.")

    answer = client_for(open_world.member_a).get(url(position))

    assert answer.status_code == 200
    assert answer["ETag"] == '"1"'
    assert answer.json()["version"] == 1
    assert answer.json()["text"] == "We favour shared red-teaming."


def test_create_answers_201_with_etag_of_version_1(open_world, client_for):
    world = open_world

    answer = client_for(world.member_a).post(
        "/api/v1/positions/",
        {"delegation": world.delegation_a.pk, "agenda_item": world.item.pk, "text": "Ours"},
        format="json",
    )

    assert answer.status_code == 201, answer.content
    assert answer["ETag"] == '"1"'
    assert answer.json()["version"] == 1


def test_revision_without_if_match_is_428_and_adds_no_version(open_world, client_for):
    position = log(open_world)

    answer = client_for(open_world.member_a).patch(url(position), {"text": "v2"}, format="json")

    assert answer.status_code == 428
    assert "If-Match" in answer.json()["detail"]
    assert stored_versions(position) == [(1, "v1")]
    assert Position.objects.get(pk=position.pk).current_version == 1


def test_revision_of_a_stale_version_is_412_naming_the_current_one(open_world, client_for):
    world = open_world
    position = log(world)
    services.position_revise(actor=world.head_a, position=position, based_on=1, text="v2")

    answer = client_for(world.member_a).patch(
        url(position), {"text": "lost update"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert answer.status_code == 412
    assert answer.json()["current_version"] == 2
    assert answer.json()["detail"]
    assert stored_versions(position) == [(1, "v1"), (2, "v2")]


def test_revision_of_the_current_version_adds_an_immutable_version(open_world, client_for):
    world = open_world
    position = log(world)
    first = PositionVersion.objects.get(position=position, number=1)

    answer = client_for(world.member_a).patch(
        url(position), {"text": "v2", "summary": "shorter"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert answer.status_code == 200, answer.content
    assert answer["ETag"] == '"2"'
    assert answer.json()["version"] == 2
    assert answer.json()["text"] == "v2"
    assert answer.json()["summary"] == "shorter"
    assert stored_versions(position) == [(1, "v1"), (2, "v2")]
    unchanged = PositionVersion.objects.get(pk=first.pk)
    assert (unchanged.text, unchanged.summary, unchanged.created_at) == (
        "v1",
        "",
        first.created_at,
    )


def test_a_weak_etag_is_accepted_in_if_match(open_world, client_for):
    world = open_world
    position = log(world)
    services.position_revise(actor=world.head_a, position=position, based_on=1, text="v2")

    answer = client_for(world.member_a).patch(
        url(position), {"text": "v3"}, format="json", HTTP_IF_MATCH='W/"2"'
    )

    assert answer.status_code == 200, answer.content
    assert answer["ETag"] == '"3"'
    assert stored_versions(position) == [(1, "v1"), (2, "v2"), (3, "v3")]


def test_an_if_match_naming_no_version_is_412(open_world, client_for):
    position = log(open_world)

    answer = client_for(open_world.member_a).patch(
        url(position), {"text": "v2"}, format="json", HTTP_IF_MATCH='"abc"'
    )

    assert answer.status_code == 412
    assert answer.json()["current_version"] == 1
    assert stored_versions(position) == [(1, "v1")]


def test_versions_are_listed_oldest_first(open_world, client_for):
    world = open_world
    position = log(world)
    services.position_revise(actor=world.head_a, position=position, based_on=1, text="v2")
    services.position_revise(actor=world.member_a, position=position, based_on=2, text="v3")

    answer = client_for(world.member_a).get(f"{url(position)}versions/")

    assert answer.status_code == 200
    rows = [(v["version"], v["text"], v["author"]) for v in answer.json()["results"]]
    assert rows == [
        (1, "v1", world.member_a.pk),
        (2, "v2", world.head_a.pk),
        (3, "v3", world.member_a.pk),
    ]


def test_other_delegation_sees_only_shared_versions_and_their_number(open_world, client_for):
    world = open_world
    position = log(world, text="shared v1", visibility=Visibility.SESSION)
    services.position_revise(
        actor=world.member_a,
        position=position,
        based_on=1,
        text="internal v2",
        visibility=Visibility.DELEGATION,
    )
    other = client_for(world.member_b)

    answer = other.get(url(position))
    versions = other.get(f"{url(position)}versions/")

    assert answer.status_code == 200
    assert answer["ETag"] == '"1"'
    assert (answer.json()["version"], answer.json()["text"]) == (1, "shared v1")
    assert [v["version"] for v in versions.json()["results"]] == [1]
    # Their own delegation still reads the current version.
    own = client_for(world.head_a).get(url(position))
    assert (own["ETag"], own.json()["text"]) == ('"2"', "internal v2")


def test_other_delegation_gets_404_for_a_position_with_no_shared_version(open_world, client_for):
    position = log(open_world, visibility=Visibility.DELEGATION)
    other = client_for(open_world.member_b)

    assert other.get(url(position)).status_code == 404
    assert other.get(f"{url(position)}versions/").status_code == 404
    assert (
        other.patch(url(position), {"text": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code
        == 404
    )


THREADS = 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_revisions_through_the_api_let_exactly_one_win(make_world):
    # The threads need real commits to race against each other; serialized_rollback
    # restores the seeded topics that a transactional test's flush removes.
    world = make_world(status=Status.AGENDA_PUBLISHED)
    position = log(world)
    authors = [world.member_a, world.head_a] + [
        factories.DelegationMemberFactory(delegation=world.delegation_a).user
        for _ in range(THREADS - 2)
    ]
    barrier = threading.Barrier(THREADS)
    answers: list[object] = [None] * THREADS

    def revise(index: int) -> None:
        try:
            client = APIClient()
            client.force_authenticate(authors[index])
            barrier.wait(timeout=10)
            answers[index] = client.patch(
                url(position), {"text": f"v2 by {index}"}, format="json", HTTP_IF_MATCH='"1"'
            )
        except Exception as exc:  # kept to assert on below
            answers[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=revise, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    codes = sorted(getattr(a, "status_code", a) for a in answers)
    assert codes == [200] + [412] * (THREADS - 1), answers
    winner = next(a for a in answers if a.status_code == 200)
    assert winner["ETag"] == '"2"'
    assert {a.json()["current_version"] for a in answers if a.status_code == 412} == {2}
    assert PositionVersion.objects.filter(position=position).count() == 2
    assert stored_versions(position) == [(1, "v1"), (2, winner.json()["text"])]
    assert Position.objects.get(pk=position.pk).current_version == 2


def test_a_revision_runs_the_same_few_queries_however_long_its_history(
    open_world, client_for, django_assert_num_queries
):
    world = open_world
    position = log(world)
    for number in range(1, 30):
        services.position_revise(
            actor=world.head_a, position=position, based_on=number, text=f"v{number + 1}"
        )
    client = client_for(world.member_a)

    # The position with what its event names and the version revised, then one
    # statement: the conditional UPDATE, the new version, its audit event and its
    # outbox event.
    with django_assert_num_queries(2):
        answer = client.patch(
            url(position), {"summary": "Short."}, format="json", HTTP_IF_MATCH='"30"'
        )

    assert answer.status_code == 200, answer.content
    assert (answer.json()["version"], answer.json()["text"]) == (31, "v30")
