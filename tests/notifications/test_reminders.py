"""Reminders (issue 4, "Reminders"): 48 and 24 hours before a session starts, each
delegation without a position on some agenda item is reminded, once per window, however
often beat runs the sweep. `now` is passed in, so the hours are the test's."""

from datetime import timedelta

import pytest
from django.utils import translation

from debates.models import Session
from notifications.messages import describe
from notifications.models import Event, EventKind
from notifications.services import reminders_send
from tests import factories
from tests.notifications.helpers import fan_out, told

Status = Session.Status


def hours_before(session, hours: float):
    return session.starts_at - timedelta(hours=hours)


def reminders(session) -> list[tuple[str, int]]:
    """(party code, window hours) of every reminder recorded for `session`, in order."""
    return [
        (event.delegation.party.code, event.payload["hours"])
        for event in Event.objects.filter(session=session, kind=EventKind.REMINDER)
        .select_related("delegation__party")
        .order_by("id")
    ]


@pytest.fixture
def published(make_world):
    """A published session with two agenda items; A has a position on the first only,
    B on neither."""
    world = make_world(status=Status.AGENDA_PUBLISHED)
    world.second_item = factories.AgendaItemFactory(session=world.session, title="Compute caps")
    factories.PositionFactory(delegation=world.delegation_a, agenda_item=world.item)
    world.a = world.delegation_a.party.code
    world.b = world.delegation_b.party.code
    return world


def test_47_hours_before_each_delegation_lacking_a_position_is_reminded_once(published):
    world = published

    assert reminders_send(now=hours_before(world.session, 47)) == 2
    assert reminders(world.session) == [(world.a, 48), (world.b, 48)]


def test_running_the_sweep_again_and_again_sends_each_window_once(published):
    world = published
    session = world.session
    assert reminders_send(now=hours_before(session, 47)) == 2

    # Beat runs the sweep every few minutes: nothing more until the 24-hour window...
    for hours in (47, 47, 46.9, 36, 24.01):
        assert reminders_send(now=hours_before(session, hours)) == 0
    # ... which reminds once, and then never again before the start.
    assert reminders_send(now=hours_before(session, 23)) == 2
    for hours in (23, 22.9, 12, 1, 0.01):
        assert reminders_send(now=hours_before(session, hours)) == 0

    assert reminders(session) == [(world.a, 48), (world.b, 48), (world.a, 24), (world.b, 24)]


def test_a_delegation_with_a_position_on_every_item_is_not_reminded(published):
    world = published
    factories.PositionFactory(delegation=world.delegation_a, agenda_item=world.second_item)

    assert reminders_send(now=hours_before(world.session, 47)) == 1
    assert reminders_send(now=hours_before(world.session, 23)) == 1
    assert reminders(world.session) == [(world.b, 48), (world.b, 24)]


def test_a_session_first_seen_inside_24_hours_gets_only_the_24_hour_reminder(published):
    world = published

    assert reminders_send(now=hours_before(world.session, 10)) == 2
    assert reminders_send(now=hours_before(world.session, 9)) == 0
    assert reminders(world.session) == [(world.a, 24), (world.b, 24)]


def test_nothing_before_48_hours_nor_once_the_session_has_started(published):
    world = published

    assert reminders_send(now=hours_before(world.session, 49)) == 0
    assert reminders_send(now=hours_before(world.session, 0)) == 0
    assert reminders_send(now=hours_before(world.session, -1)) == 0
    assert reminders(world.session) == []


@pytest.mark.parametrize("status", [Status.DRAFT, Status.CONCLUDED, Status.REPORT_PUBLISHED])
def test_sessions_not_open_for_positions_get_no_reminder(make_world, status):
    world = make_world(status=status)

    for hours in (47, 23, 10):
        assert reminders_send(now=hours_before(world.session, hours)) == 0
    assert reminders(world.session) == []


def test_the_reminder_lists_the_missing_item_titles_to_the_delegation_only(published):
    world = published
    third = factories.AgendaItemFactory(session=world.session, title="Incident reporting")
    reminders_send(now=hours_before(world.session, 23))
    to_a = Event.objects.get(kind=EventKind.REMINDER, delegation=world.delegation_a)
    to_b = Event.objects.get(kind=EventKind.REMINDER, delegation=world.delegation_b)
    fan_out(to_a)
    fan_out(to_b)

    # In agenda order; A's first item has its position, so it is not listed for A.
    assert to_a.payload["items"] == ["Compute caps", "Incident reporting"]
    assert to_b.payload["items"] == [world.item.title, "Compute caps", third.title]
    assert to_a.payload["hours"] == 24
    assert told(world, to_a) == {"head", "member"}
    assert told(world, to_b) == {"other_head", "other_member"}
    with translation.override("en"):
        title, body = describe(to_a)
    assert title == f"24 hours to {world.session.title}: positions missing"
    assert body == "Your delegation has no position yet on: Compute caps; Incident reporting."
