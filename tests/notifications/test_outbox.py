"""Waking the workers for the outbox: the events of one tick wake one drain, due after
the tick, the drain fans out everything pending, and nothing is lost when Redis is down
(the relay's job). Against the real Redis and broker of the test run; each test uses
its own key so that the other xdist worker's tests never touch it."""

import math
import uuid

import pytest
from django.conf import settings

from config.connections import redis_client
from debates.models import Session
from notifications import services
from notifications.models import Event, Notification


@pytest.fixture(autouse=True)
def own_kick_key(monkeypatch):
    key = f"test-outbox-kick-{uuid.uuid4().hex}"
    url = settings.REDIS_URL  # a test may point REDIS_URL elsewhere
    monkeypatch.setattr(services, "OUTBOX_KICK_KEY", key)
    yield key
    client = redis_client(url)
    for tick_key in client.scan_iter(f"{key}:*"):
        client.delete(tick_key)


def pending_events(world, count: int) -> list[Event]:
    """`count` recorded events, not fanned out yet: the test's transaction never
    commits, so no kick runs."""
    events = [
        services.event_record(kind="agenda_published", session=world.session, actor=world.admin)
        for _ in range(count)
    ]
    assert all(e.fanned_out_at is None for e in events)
    return events


@pytest.fixture
def enqueued(monkeypatch):
    """The tasks handed to the broker (they still are), with their countdowns."""
    calls = []
    real = services.enqueue

    def spy(task, *args, countdown=None):
        calls.append((task.name, countdown))
        real(task, *args, countdown=countdown)

    monkeypatch.setattr(services, "enqueue", spy)
    return calls


TICK = services.OUTBOX_TICK_SECONDS


def test_the_events_of_one_tick_wake_one_drain_due_after_it(own_kick_key, enqueued):
    start = 4000.1 * TICK  # a little into tick 4000
    assert math.floor(start / TICK) == 4000

    assert services.outbox_kick(now=start) is True
    assert [services.outbox_kick(now=start + i * TICK / 10) for i in range(1, 9)] == [False] * 8
    # Within the tick this process asks Redis no more: even with the key gone, no kick.
    redis_client(settings.REDIS_URL).delete(f"{own_kick_key}:4000")
    assert services.outbox_kick(now=start + TICK / 2) is False
    assert services.outbox_kick(now=start + TICK) is True  # the next tick

    # Each drain is due at the end of its tick, whatever the moment in it of the kick.
    due = 4001 * TICK + services.OUTBOX_KICK_MARGIN_SECONDS
    assert enqueued == [("notifications.tasks.outbox_drain", pytest.approx(due - start))] * 2
    assert redis_client(settings.REDIS_URL).exists(f"{own_kick_key}:4001")


def test_another_process_finds_the_tick_woken_and_wakes_no_second_drain(
    own_kick_key, enqueued, monkeypatch
):
    start = 5000.2 * TICK
    assert services.outbox_kick(now=start) is True
    monkeypatch.setattr(services, "_last_kick", None)  # as a process that has not kicked

    assert services.outbox_kick(now=start + TICK / 2) is False
    assert len(enqueued) == 1


def test_the_key_of_a_tick_expires(own_kick_key):
    services.outbox_kick(now=6000.5 * TICK)
    assert 0 < redis_client(settings.REDIS_URL).ttl(f"{own_kick_key}:6000") <= 60


def test_the_drain_fans_out_every_pending_event_and_returns_their_deliveries(world):
    events = pending_events(world, 3)

    delivery_ids = services.outbox_drain()

    for event in events:
        event.refresh_from_db()
        assert event.fanned_out_at is not None
        assert Notification.objects.filter(event=event).exists()
    assert set(delivery_ids) == set(
        services.Delivery.objects.filter(event__in=events).values_list("pk", flat=True)
    )
    assert services.outbox_drain() == []  # run again: nothing new


def test_a_drain_beyond_one_batch_wakes_another_for_the_rest(world, monkeypatch, enqueued):
    monkeypatch.setattr(services, "OUTBOX_DRAIN_BATCH", 2)
    events = pending_events(world, 3)

    services.outbox_drain()

    fanned = [Event.objects.get(pk=e.pk).fanned_out_at is not None for e in events]
    assert fanned == [True, True, False]
    assert enqueued == [("notifications.tasks.outbox_drain", None)]  # the next drain, now

    services.outbox_drain()
    assert Event.objects.filter(pk__in=[e.pk for e in events], fanned_out_at=None).count() == 0


def test_with_redis_down_the_kick_says_so_and_the_change_stands(world, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    assert services.outbox_kick() is False
    assert "left to the relay" in caplog.text
    assert Session.objects.filter(pk=world.session.pk).exists()
