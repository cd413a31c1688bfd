"""Who is told of each event (issue 4, "Events and recipients"): the real service of the
change records the event, the fan-out runs in-process, and the Notification rows it wrote
name exactly the people the rules give. Also what the messages may say (Chatham House),
which channels each person gets, and that a fan-out run twice adds nothing.

Roles are the names of World.roles(): admin (staff, in no session), facilitator, head and
member (delegation A), other_head and other_member (delegation B), observer, and outsider
(observer of another session of the same dialogue)."""

import json
from datetime import timedelta

import pytest
from django.utils import translation

from consensus import services as consensus
from consensus.models import Point
from debates import services as debates
from debates.models import Rule, Session, Visibility
from notifications.messages import describe, webhook_payload
from notifications.models import (
    Channel,
    Delivery,
    Event,
    EventKind,
    Notification,
    Preference,
    WebhookEndpoint,
)
from notifications.services import reminders_send
from tests import factories
from tests.notifications.helpers import emailed, fan_out, last_event, told

Status = Session.Status
SESSION_PEOPLE = {"facilitator", "head", "member", "other_head", "other_member", "observer"}


def publish(world, actor=None):
    debates.session_transition(
        actor=actor or world.facilitator, session=world.session, to=Status.AGENDA_PUBLISHED
    )
    return last_event(world.session, EventKind.AGENDA_PUBLISHED)


def log_position(world, visibility, actor=None):
    position = debates.position_log(
        actor=actor or world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text="We favour shared red-teaming.",
        visibility=visibility,
    )
    return position, last_event(world.session, EventKind.POSITION_LOGGED)


# Session-wide events ------------------------------------------------------------------


def test_agenda_published_tells_every_person_of_the_session_but_the_actor(world):
    event = publish(world)
    fan_out(event)

    # Not the facilitator who published; never the staff admin outside the session, nor
    # the outsider who observes another session of the same dialogue.
    assert told(world, event) == SESSION_PEOPLE - {"facilitator"}


def test_agenda_published_by_an_admin_tells_the_facilitators_too(world):
    event = publish(world, actor=world.admin)
    fan_out(event)

    assert told(world, event) == SESSION_PEOPLE


def test_session_concluded_tells_every_person_of_the_session_but_the_actor(make_world):
    world = make_world(status=Status.IN_PROGRESS)
    debates.session_transition(actor=world.facilitator, session=world.session, to=Status.CONCLUDED)
    event = last_event(world.session, EventKind.SESSION_CONCLUDED)
    fan_out(event)

    assert told(world, event) == SESSION_PEOPLE - {"facilitator"}


def test_point_recorded_and_changed_tell_every_person_of_the_session_but_the_actor(make_world):
    world = make_world(status=Status.IN_PROGRESS)
    point = consensus.point_record(
        actor=world.facilitator,
        session=world.session,
        agenda_item=world.item,
        kind=Point.Kind.AGREEMENT,
        statement="Shared incident reporting is worth piloting.",
    )
    recorded = last_event(world.session, EventKind.POINT_RECORDED)
    consensus.point_update(actor=world.admin, point=point, status=Point.Status.CONFIRMED)
    changed = last_event(world.session, EventKind.POINT_CHANGED)
    fan_out(recorded)
    fan_out(changed)

    assert told(world, recorded) == SESSION_PEOPLE - {"facilitator"}
    # Changed by the admin, who is in no session: the facilitator is told this time.
    assert told(world, changed) == SESSION_PEOPLE
    assert changed.payload["status"] == Point.Status.CONFIRMED


# Positions --------------------------------------------------------------------------

# The other delegations' heads hear of a version they may read: `session` or `public`.
# Their plain members, the observer, the outsider and the admin never do.
OTHER_DELEGATION_TOLD = [
    (Visibility.DELEGATION, set()),
    (Visibility.SESSION, {"other_head"}),
    (Visibility.PUBLIC, {"other_head"}),
]


@pytest.mark.parametrize(("visibility", "of_b"), OTHER_DELEGATION_TOLD)
def test_position_logged_tells_facilitators_own_delegation_and_heads_who_may_read_it(
    make_world, visibility, of_b
):
    world = make_world(status=Status.AGENDA_PUBLISHED)
    _, event = log_position(world, visibility)
    fan_out(event)

    assert told(world, event) == {"facilitator", "head"} | of_b


@pytest.mark.parametrize(("visibility", "of_b"), OTHER_DELEGATION_TOLD)
def test_position_revised_tells_by_the_new_versions_visibility(make_world, visibility, of_b):
    world = make_world(status=Status.AGENDA_PUBLISHED)
    # Version 1 has the opposite reach, so only version 2's visibility can explain B's
    # head being told or not.
    first = Visibility.PUBLIC if visibility == Visibility.DELEGATION else Visibility.DELEGATION
    position, _ = log_position(world, first)
    debates.position_revise(
        actor=world.head_a, position=position, based_on=1, visibility=visibility
    )
    event = last_event(world.session, EventKind.POSITION_REVISED)
    fan_out(event)

    assert event.payload["version"] == 2
    assert told(world, event) == {"facilitator", "member"} | of_b


# Reminders --------------------------------------------------------------------------


def test_reminder_tells_only_the_reminded_delegations_members(make_world):
    world = make_world(status=Status.AGENDA_PUBLISHED)
    factories.PositionFactory(delegation=world.delegation_a, agenda_item=world.item)
    starts_at = world.session.starts_at

    assert reminders_send(now=starts_at - timedelta(hours=30)) == 1
    event = last_event(world.session, EventKind.REMINDER)
    fan_out(event)

    assert event.delegation == world.delegation_b
    assert told(world, event) == {"other_head", "other_member"}


# What the messages say (Chatham House) ----------------------------------------------


@pytest.fixture
def chatham_world(make_world):
    world = make_world(rule=Rule.CHATHAM_HOUSE, status=Status.AGENDA_PUBLISHED)
    party = world.delegation_a.party
    party.code, party.name = "ZQX", "Zanzibar Quorum Union"
    party.save()
    return world


def test_position_messages_inside_the_session_may_name_the_party_under_chatham_house(
    chatham_world,
):
    world = chatham_world
    _, event = log_position(world, Visibility.SESSION)
    fan_out(event)

    with translation.override("en"):
        title, body = describe(event)
    # Everyone told sits in the session: the rule binds what leaves the room.
    assert told(world, event) == {"facilitator", "head", "other_head"}
    assert title == f"ZQX logged a position on {world.item.title}"
    assert body == f"Version 1, in {world.session.title}."


@pytest.mark.parametrize("visibility", [Visibility.DELEGATION, Visibility.SESSION])
def test_webhook_gets_nothing_of_a_position_that_is_not_public(chatham_world, visibility):
    world = chatham_world
    WebhookEndpoint.objects.create(
        dialogue=world.session.dialogue, url="http://127.0.0.1:9/hook", secret="s3cret"
    )
    position, logged = log_position(world, visibility)
    debates.position_revise(actor=world.head_a, position=position, based_on=1, text="Revised.")
    revised = last_event(world.session, EventKind.POSITION_REVISED)
    fan_out(logged)
    fan_out(revised)

    assert webhook_payload(logged) is None
    assert webhook_payload(revised) is None
    assert not Delivery.objects.filter(channel=Channel.WEBHOOK).exists()


def test_webhook_payload_of_a_public_position_under_chatham_house_names_no_party(
    chatham_world,
):
    world = chatham_world
    endpoint = WebhookEndpoint.objects.create(
        dialogue=world.session.dialogue, url="http://127.0.0.1:9/hook", secret="s3cret"
    )
    _, event = log_position(world, Visibility.PUBLIC)
    fan_out(event)

    payload = webhook_payload(event)
    assert payload is not None
    assert payload["position"] == {
        "agenda_item": world.item.title,
        "version": 1,
        "party": None,
    }
    text = json.dumps(payload, ensure_ascii=False)
    assert "ZQX" not in text
    assert "Zanzibar" not in text
    assert list(
        Delivery.objects.filter(channel=Channel.WEBHOOK).values_list("endpoint", "event")
    ) == [(endpoint.pk, event.pk)]


def test_webhook_payload_of_a_public_position_on_the_record_names_the_party(make_world):
    world = make_world(rule=Rule.ON_RECORD, status=Status.AGENDA_PUBLISHED)
    _, event = log_position(world, Visibility.PUBLIC)

    payload = webhook_payload(event)
    assert payload is not None
    assert payload["position"]["party"] == world.delegation_a.party.code


# Once, and by the channels each person chose ----------------------------------------


def test_fan_out_twice_creates_nothing_new(world):
    WebhookEndpoint.objects.create(
        dialogue=world.session.dialogue, url="http://127.0.0.1:9/hook", secret="s3cret"
    )
    event = publish(world)
    first = fan_out(event)
    rows = (Notification.objects.count(), Delivery.objects.count())
    fanned_out_at = Event.objects.get(pk=event.pk).fanned_out_at

    second = fan_out(event)
    # A crash after the inserts but before fanned_out_at was saved: the rerun inserts
    # again, and the unique constraints keep every row single.
    Event.objects.filter(pk=event.pk).update(fanned_out_at=None)
    third = fan_out(event)

    assert rows == (5, 6)  # five people told, five emails and one webhook call
    assert (Notification.objects.count(), Delivery.objects.count()) == rows
    assert sorted(first) == sorted(second) == sorted(third)
    assert Event.objects.get(pk=event.pk).fanned_out_at >= fanned_out_at


def test_email_goes_to_recipients_with_an_address_who_allow_it_for_this_kind(world):
    world.member_a.email = ""
    world.member_a.save()
    Preference.objects.create(user=world.head_b, kind=EventKind.AGENDA_PUBLISHED, email=False)
    # A choice for another kind of event changes nothing here.
    Preference.objects.create(user=world.observer, kind=EventKind.POINT_RECORDED, email=False)
    # Out of the inbox, but still by email.
    Preference.objects.create(
        user=world.member_b,
        kind=EventKind.AGENDA_PUBLISHED,
        in_app=False,
        email=True,
    )
    event = publish(world)
    fan_out(event)

    assert told(world, event) == SESSION_PEOPLE - {"facilitator"}
    assert emailed(world, event) == {"head", "other_member", "observer"}


def test_in_app_off_keeps_it_out_of_the_inbox_but_still_emails(world, client_for):
    Preference.objects.create(
        user=world.observer, kind=EventKind.AGENDA_PUBLISHED, in_app=False, email=True
    )
    event = publish(world)
    fan_out(event)

    observers = client_for(world.observer).get("/api/v1/notifications/").json()
    heads = client_for(world.head_a).get("/api/v1/notifications/").json()

    assert (observers["count"], observers["unread"]) == (0, 0)
    assert [n["kind"] for n in heads["results"]] == [EventKind.AGENDA_PUBLISHED]
    # The row is the record of what the observer was told, and carries their email.
    notification = Notification.objects.get(event=event, recipient=world.observer)
    assert notification.in_app is False
    assert notification.deliveries.get().channel == Channel.EMAIL


def test_a_change_records_its_event_in_its_transaction_and_fans_out_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = publish(world)

    # The outbox row exists with the change; the fan-out waits for the commit (its task
    # is what the notifications' captured callback would enqueue: not run here, no
    # worker needed). Other callbacks (the reports the transition starts) are not ours.
    assert event.fanned_out_at is None
    assert not Notification.objects.filter(event=event).exists()
    assert [c.__module__ for c in callbacks].count("notifications.services") == 1
