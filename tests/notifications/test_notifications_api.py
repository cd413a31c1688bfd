# ruff: noqa: RUF001 - Simplified Chinese punctuation is full-width, as the catalogue has it
"""The in-app channel (issue 4, "Channels"): GET /api/v1/notifications/ is the caller's
inbox, newest first, in the request's language, with an `unread` count; POST
/api/v1/notifications/{id}/read/ marks one read."""

import pytest

from debates import services as debates
from debates.models import Session, Visibility
from notifications.models import EventKind, Notification, Preference
from notifications.services import event_record
from tests.notifications.helpers import fan_out, last_event

Status = Session.Status
INBOX = "/api/v1/notifications/"


def remind(world, delegation, items=("Compute caps",)):
    """A reminder to `delegation`'s members, recorded and fanned out."""
    event = event_record(
        kind=EventKind.REMINDER,
        session=world.session,
        actor=None,
        obj=delegation,
        delegation=delegation,
        payload={"hours": 24, "items": list(items)},
    )
    fan_out(event)
    return event


def read_path(notification) -> str:
    return f"{INBOX}{notification.pk}/read/"


@pytest.fixture
def inbox_world(world):
    """head_a is told of the agenda (1) and reminded (2); a position logged by member_a
    (3) reaches head_a too, but head_a keeps that kind out of the inbox; B's reminder
    (4) is not head_a's at all."""
    Preference.objects.create(user=world.head_a, kind=EventKind.POSITION_LOGGED, in_app=False)
    debates.session_transition(
        actor=world.facilitator, session=world.session, to=Status.AGENDA_PUBLISHED
    )
    world.agenda = last_event(world.session, EventKind.AGENDA_PUBLISHED)
    fan_out(world.agenda)
    world.reminder = remind(world, world.delegation_a)
    debates.position_log(
        actor=world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text="We favour shared red-teaming.",
        visibility=Visibility.DELEGATION,
    )
    fan_out(last_event(world.session, EventKind.POSITION_LOGGED))
    remind(world, world.delegation_b)
    return world


def test_inbox_lists_only_the_callers_in_app_notifications_newest_first(inbox_world, client_for):
    world = inbox_world
    response = client_for(world.head_a).get(INBOX, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["unread"]) == (2, 2)
    assert [(n["kind"], n["read_at"]) for n in body["results"]] == [
        (EventKind.REMINDER, None),
        (EventKind.AGENDA_PUBLISHED, None),
    ]
    reminder, agenda = body["results"]
    assert reminder["title"] == f"24 hours to {world.session.title}: positions missing"
    assert reminder["body"] == "Your delegation has no position yet on: Compute caps."
    assert (reminder["object_type"], reminder["object_id"]) == (
        "debates.delegation",
        str(world.delegation_a.pk),
    )
    assert agenda["title"] == f"Agenda published: {world.session.title}"
    assert agenda["session"] == world.session.pk
    # The position notification exists (the record of what head_a was told), hidden.
    assert Notification.objects.filter(recipient=world.head_a).count() == 3


def test_inbox_speaks_the_requests_language(inbox_world, client_for):
    world = inbox_world
    response = client_for(world.head_a).get(INBOX, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200, response.content
    assert response["Content-Language"] == "zh-hans"
    reminder, agenda = response.json()["results"]
    session = world.session.title
    assert reminder["title"] == f"距 {session} 还有 24 小时：尚有立场未提交"
    assert reminder["body"] == "贵代表团尚未就以下议程项提交立场：Compute caps。"
    assert agenda["title"] == f"议程已发布：{session}"


def test_marking_read_sets_read_at_once_and_the_unread_count_drops_by_one(inbox_world, client_for):
    world = inbox_world
    client = client_for(world.head_a)
    notification = Notification.objects.get(event=world.reminder, recipient=world.head_a)

    first = client.post(read_path(notification))
    second = client.post(read_path(notification))

    assert first.status_code == 200, first.content
    assert second.status_code == 200, second.content
    assert first.json()["read_at"] is not None
    assert second.json()["read_at"] == first.json()["read_at"]
    notification.refresh_from_db()
    assert notification.read_at is not None
    body = client.get(INBOX).json()
    assert (body["count"], body["unread"]) == (2, 1)
    assert [n["read_at"] is not None for n in body["results"]] == [True, False]


def test_someone_elses_notification_is_not_found_and_stays_unread(inbox_world, client_for):
    world = inbox_world
    heads = Notification.objects.get(event=world.reminder, recipient=world.head_a)

    # The head of B, and the member of A reminded by the very same event.
    for user in (world.head_b, world.member_a):
        response = client_for(user).post(read_path(heads))
        assert response.status_code == 404, response.content

    heads.refresh_from_db()
    assert heads.read_at is None


def test_anonymous_is_refused_with_401(inbox_world, client_for):
    notification = Notification.objects.filter(recipient=inbox_world.head_a).first()
    anonymous = client_for(None)

    assert anonymous.get(INBOX).status_code == 401
    assert anonymous.post(read_path(notification)).status_code == 401


@pytest.mark.parametrize("rows", [1, 50])
def test_inbox_runs_three_queries_whatever_its_length(
    world, client_for, django_assert_num_queries, rows
):
    for _ in range(rows):
        remind(world, world.delegation_a)
    client = client_for(world.head_a)  # force-authenticated: no sign-in query

    # 1. count, 2. the page with its events (one JOIN; titles come from the payloads),
    # 3. the unread count
    with django_assert_num_queries(3):
        response = client.get(INBOX)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["unread"], len(body["results"])) == (rows, rows, rows)
