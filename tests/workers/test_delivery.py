"""Delivery on the real thing (issue 4): a real `celery -A config worker` process on a
private redis-server, the test database, a file email backend and a local HTTP server
receiving webhooks (tests/workers/conftest.py). Nothing is mocked; the faults are real:
the broker process is stopped, the worker is killed with SIGKILL, the receiver answers
500 or is not listening.

Every wait polls the database (or the receiver) for a condition, bounded by
WAIT_SECONDS; nothing asserts how long anything took.

The world (tests/conftest.py): one session with a facilitator, an observer, delegations
A (head_a, member_a) and B (head_b, member_b); an admin and an outsider who are not in
it. Everyone has an email address, and nobody has set preferences: in-app and email."""

from __future__ import annotations

import hmac
import time
from collections import Counter

import pytest
from rest_framework.test import APIClient

from debates.models import Session, Visibility
from notifications.models import Channel, Delivery, Event, EventKind, Notification
from notifications.models import WebhookEndpoint as Endpoint
from notifications.services import webhook_signature
from notifications.tasks import outbox_relay as outbox_relay_task
from tests import factories
from tests.conftest import build_world
from tests.workers.conftest import (
    MAX_ATTEMPTS,
    VISIBILITY_TIMEOUT,
    WAIT_SECONDS,
    emails_sent,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

API = "/api/v1"
SENT = Delivery.Status.SENT
FAILED = Delivery.Status.FAILED


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def publish(world) -> Event:
    """The facilitator publishes the agenda through the API; its event."""
    answer = api(world.facilitator).post(
        f"{API}/sessions/{world.session.pk}/transition/", {"to": "agenda_published"}
    )
    assert answer.status_code == 200, answer.content
    return Event.objects.get(kind=EventKind.AGENDA_PUBLISHED, session=world.session)


def position(world, delegation, author):
    """Version 1 of `delegation`'s position on the world's item, visible to its own
    delegation only (built directly: no event of its own)."""
    row = factories.PositionFactory(delegation=delegation, agenda_item=world.item)
    factories.PositionVersionFactory(position=row, author=author, visibility=Visibility.DELEGATION)
    return row


def log_public_position(world) -> Event:
    """A's member logs a public position through the API; its event, which reaches the
    facilitator, A's head and B's head, and the dialogue's webhooks."""
    answer = api(world.member_a).post(
        f"{API}/positions/",
        {
            "delegation": world.delegation_a.pk,
            "agenda_item": world.item.pk,
            "text": "We propose shared red-teaming of frontier models.",
            "visibility": Visibility.PUBLIC,
        },
    )
    assert answer.status_code == 201, answer.content
    return Event.objects.get(kind=EventKind.POSITION_LOGGED, object_id=str(answer.json()["id"]))


def all_delivered(worker, *events: Event) -> None:
    """Wait until `events` are fanned out and none of their deliveries is pending."""

    def done() -> bool:
        ids = [event.pk for event in events]
        return not (
            Event.objects.filter(pk__in=ids, fanned_out_at__isnull=True).exists()
            or Delivery.objects.filter(event__in=ids, status=Delivery.Status.PENDING).exists()
        )

    wait_until(done, what="every event fanned out and every delivery done", details=worker.log_tail)


def header(request, name: str) -> str:
    return request.headers[name.lower()]


def signed_by(request, secret: str) -> bool:
    """The receiver's check: HMAC-SHA256 of "<timestamp>.<body>" under the shared secret
    equals the signature header (after "sha256=")."""
    timestamp = header(request, "X-Trackbridge-Timestamp")
    expected = webhook_signature(secret, timestamp, request.body)
    scheme, _, signature = header(request, "X-Trackbridge-Signature").partition("=")
    return scheme == "sha256" and hmac.compare_digest(expected, signature)


def test_with_the_broker_down_every_write_succeeds_and_each_notification_arrives_once_it_is_back(
    broker, worker, mailbox, make_receiver
):
    world = build_world(status=Session.Status.DRAFT)
    receiver = make_receiver()
    Endpoint.objects.create(dialogue=world.session.dialogue, url=receiver.url(), secret="s3cret")
    position_a = position(world, world.delegation_a, world.member_a)
    position_b = position(world, world.delegation_b, world.member_b)

    broker.stop()

    published = publish(world)
    revised_a = api(world.member_a).patch(
        f"{API}/positions/{position_a.pk}/",
        {"visibility": Visibility.SESSION},
        HTTP_IF_MATCH='"1"',
    )
    revised_b = api(world.head_b).patch(
        f"{API}/positions/{position_b.pk}/",
        {"text": "We accept the text as amended.", "visibility": Visibility.PUBLIC},
        HTTP_IF_MATCH='"1"',
    )

    assert revised_a.status_code == 200, revised_a.content
    assert revised_b.status_code == 200, revised_b.content
    # Committed with the changes, in the outbox, and nothing fanned out: the broker that
    # would have carried the fan-out was down.
    events = list(Event.objects.order_by("id"))
    assert [(e.kind, e.object_id, e.fanned_out_at) for e in events] == [
        (EventKind.AGENDA_PUBLISHED, str(world.session.pk), None),
        (EventKind.POSITION_REVISED, str(position_a.pk), None),
        (EventKind.POSITION_REVISED, str(position_b.pk), None),
    ]
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()

    broker.start()  # same port, and empty: what was lost does not come back by itself
    # The worker retries its connection at growing intervals (2, 4, 6 ... s), so it may
    # take a while longer than the outage to be back: a longer bound than other waits.
    wait_until(
        worker.answers,
        what="the worker back on the broker",
        timeout=2 * WAIT_SECONDS,
        details=worker.log_tail,
    )
    # What beat does every NOTIFY_RELAY_EVERY_SECONDS, done once here so that the test
    # knows when: the relay, run by the worker, finds the events in the outbox.
    outbox_relay_task.delay()
    all_delivered(worker, *events)

    revision_a, revision_b = events[1], events[2]
    told = {
        # Agenda published: everyone in the session but the facilitator who published.
        published.pk: {world.observer, world.head_a, world.member_a, world.head_b, world.member_b},
        # A's position, now visible to the session: the facilitator, A's own delegation
        # and B's head (not B's member, who may read it but is not told).
        revision_a.pk: {world.facilitator, world.head_a, world.head_b},
        # B's position, now public: the facilitator, B's other member and A's head.
        revision_b.pk: {world.facilitator, world.member_b, world.head_a},
    }
    ours = [event.pk for event in events]
    notified = Notification.objects.filter(event__in=ours)
    assert Counter(notified.values_list("event_id", "recipient_id")) == Counter(
        (event, user.pk) for event, users in told.items() for user in users
    )
    emails = Delivery.objects.filter(event__in=ours, channel=Channel.EMAIL)
    assert emails.count() == 11
    assert set(emails.values_list("status", "attempts")) == {(SENT, 1)}
    assert Counter(m for m in emails_sent(mailbox) if m[0] in ours) == Counter(
        (event, user.email) for event, users in told.items() for user in users
    )
    # Webhooks carry what anyone outside may read: the agenda and the public revision.
    webhooks = Delivery.objects.filter(event__in=ours, channel=Channel.WEBHOOK)
    assert sorted(webhooks.values_list("event_id", "status", "attempts")) == [
        (published.pk, SENT, 1),
        (revision_b.pk, SENT, 1),
    ]
    calls = [int(header(r, "X-Trackbridge-Event-Id")) for r in receiver.received()]
    assert sorted(event for event in calls if event in ours) == [published.pk, revision_b.pk]


def test_a_worker_killed_mid_delivery_is_replaced_and_every_delivery_arrives_none_twice(
    broker, worker, mailbox, make_receiver
):
    world = build_world(status=Session.Status.AGENDA_PUBLISHED)
    # The receiver holds its first request (10 s, far longer than the test takes to kill
    # the worker): the worker is then mid-delivery, inside the transaction that would
    # mark the delivery sent, its task not yet acknowledged.
    receiver = make_receiver(hold_first=10)
    secrets = {f"/hook/{n}": f"secret-{n}" for n in range(3)}
    for path, secret in secrets.items():
        Endpoint.objects.create(
            dialogue=world.session.dialogue, url=receiver.url(path), secret=secret
        )

    event = log_public_position(world)
    wait_until(
        receiver.first_arrived.is_set, what="the first webhook call", details=worker.log_tail
    )
    worker.kill()

    # Late acknowledgement: the task the worker died in is still the broker's, unacked.
    # Once it is older than the visibility timeout, the next worker to start takes it
    # back. Nothing else hands it over: no beat runs here, and the test runs no relay.
    def unacked_and_timed_out() -> bool:
        due = time.time() - VISIBILITY_TIMEOUT
        return bool(broker.client().zrangebyscore("unacked_index", "-inf", due))

    wait_until(unacked_and_timed_out, what="the unacknowledged task to time out")
    worker.start()
    all_delivered(worker, event)

    recipients = {world.facilitator, world.head_a, world.head_b}
    assert Counter(
        Notification.objects.filter(event=event).values_list("event_id", "recipient_id")
    ) == Counter((event.pk, user.pk) for user in recipients)
    assert set(Delivery.objects.filter(event=event).values_list("status", flat=True)) == {SENT}
    # The kill fell inside a webhook call, after the emails (queued first, one task at a
    # time) were committed as sent: none of them went out twice.
    assert Counter(m for m in emails_sent(mailbox) if m[0] == event.pk) == Counter(
        (event.pk, user.email) for user in recipients
    )
    # Webhooks are delivered at least once, with an idempotency key: the call cut short
    # by the kill had reached the receiver, and was made again by the next worker.
    # Deduplicated by X-Trackbridge-Delivery-Id, the receiver has each delivery once,
    # each signed with its endpoint's secret.
    webhooks = {d.pk: d for d in Delivery.objects.filter(event=event, channel=Channel.WEBHOOK)}
    assert len(webhooks) == len(secrets)
    requests = receiver.received()
    held = int(header(requests[0], "X-Trackbridge-Delivery-Id"))
    assert held in webhooks
    calls = Counter(int(header(r, "X-Trackbridge-Delivery-Id")) for r in requests)
    assert {pk: calls[pk] for pk in webhooks} == {pk: 2 if pk == held else 1 for pk in webhooks}
    for request in requests:
        delivery = webhooks.get(int(header(request, "X-Trackbridge-Delivery-Id")))
        if delivery is not None:
            assert receiver.url(request.path) == delivery.endpoint.url
            assert signed_by(request, secrets[request.path])
            assert header(request, "X-Trackbridge-Event-Id") == str(event.pk)


def test_deliveries_lost_with_the_worker_and_the_broker_are_sent_by_the_relay(
    broker, worker, mailbox, make_receiver
):
    world = build_world(status=Session.Status.AGENDA_PUBLISHED)
    receiver = make_receiver(hold_first=10)
    Endpoint.objects.create(dialogue=world.session.dialogue, url=receiver.url(), secret="s")

    event = log_public_position(world)
    wait_until(
        receiver.first_arrived.is_set, what="the first webhook call", details=worker.log_tail
    )
    worker.kill()
    # Redis restarts too, empty: the unacknowledged task is gone with it, and the
    # database alone knows the delivery is pending.
    broker.stop()
    broker.start()
    worker.start()
    outbox_relay_task.delay()
    all_delivered(worker, event)

    recipients = {world.facilitator, world.head_a, world.head_b}
    assert Counter(
        Notification.objects.filter(event=event).values_list("event_id", "recipient_id")
    ) == Counter((event.pk, user.pk) for user in recipients)
    assert Counter(m for m in emails_sent(mailbox) if m[0] == event.pk) == Counter(
        (event.pk, user.email) for user in recipients
    )
    delivery = Delivery.objects.get(event=event, channel=Channel.WEBHOOK)
    assert (delivery.status, delivery.attempts) == (SENT, 1)
    # At least once: the call cut short by the kill, and the relay's.
    calls = [header(r, "X-Trackbridge-Delivery-Id") for r in receiver.received()]
    assert calls == [str(delivery.pk), str(delivery.pk)]


def test_a_webhook_answered_500_twice_is_delivered_signed_on_the_third_attempt(
    worker, make_receiver
):
    world = build_world(status=Session.Status.AGENDA_PUBLISHED)
    receiver = make_receiver(failures=2)
    endpoint = Endpoint.objects.create(
        dialogue=world.session.dialogue, url=receiver.url(), secret="a-shared-secret"
    )
    before = int(time.time())

    event = log_public_position(world)
    all_delivered(worker, event)

    delivery = Delivery.objects.get(event=event, channel=Channel.WEBHOOK)
    assert (delivery.endpoint, delivery.status, delivery.attempts) == (endpoint, SENT, 3)
    assert delivery.last_error == "HTTPError: HTTP Error 500: Internal Server Error"
    requests = [
        r for r in receiver.received() if header(r, "X-Trackbridge-Delivery-Id") == str(delivery.pk)
    ]
    assert len(requests) == 3
    for request in requests:
        assert header(request, "Content-Type") == "application/json"
        assert header(request, "X-Trackbridge-Event-Id") == str(event.pk)
        assert before <= int(header(request, "X-Trackbridge-Timestamp")) <= int(time.time())
        assert signed_by(request, "a-shared-secret")
        body = request.json()
        assert (body["event"], body["kind"]) == (event.pk, EventKind.POSITION_LOGGED)
        assert body["position"] == {
            "agenda_item": world.item.title,
            "version": 1,
            "party": world.delegation_a.party.code,
        }
    # The signature covers the body: a receiver rejects a changed one.
    tampered = requests[-1]
    tampered.body = tampered.body.replace(b'"version": 1', b'"version": 2')
    assert not signed_by(tampered, "a-shared-secret")


def test_a_webhook_to_a_receiver_that_is_down_fails_and_the_admin_retry_delivers_it_once(
    worker, make_receiver, client
):
    world = build_world(status=Session.Status.AGENDA_PUBLISHED)
    receiver = make_receiver(up=False)
    Endpoint.objects.create(dialogue=world.session.dialogue, url=receiver.url(), secret="s")

    event = log_public_position(world)
    all_delivered(worker, event)

    delivery = Delivery.objects.get(event=event, channel=Channel.WEBHOOK)
    assert (delivery.status, delivery.attempts, delivery.sent_at) == (FAILED, MAX_ATTEMPTS, None)
    assert "Connection refused" in delivery.last_error

    receiver.start()
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    answer = client.post(
        "/admin/notifications/delivery/",
        {"action": "retry", "_selected_action": [delivery.pk], "index": 0},
    )
    assert answer.status_code == 302, answer.content

    wait_until(
        lambda: Delivery.objects.filter(pk=delivery.pk, status=SENT).exists(),
        what="the retried delivery to be sent",
        details=worker.log_tail,
    )
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    calls = [header(r, "X-Trackbridge-Delivery-Id") for r in receiver.received()]
    assert calls.count(str(delivery.pk)) == 1


def test_healthz_reports_the_worker_while_it_runs_and_503_once_it_stopped(worker, client, settings):
    # Time for a worker on a busy test machine to answer; healthz waits all of it.
    settings.HEALTHZ_WORKER_TIMEOUT = 2.0

    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok: 1"}

    worker.stop()
    settings.HEALTHZ_WORKER_TIMEOUT = 0.5
    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "ok",
        "worker": "down: no worker answered",
    }
