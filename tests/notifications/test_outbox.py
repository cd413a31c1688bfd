"""Waking the workers for the outbox: a burst of events wakes them once, the drain
fans out everything pending, and nothing is lost when Redis is down (the relay's
job). Against the real Redis of the test run; each test uses its own flag key so that
the other xdist worker's tests never touch it."""

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
    redis_client(url).delete(key)


def pending_events(world, count: int) -> list[Event]:
    """`count` recorded events, not fanned out yet: the test's transaction never
    commits, so no kick runs."""
    events = [
        services.event_record(kind="agenda_published", session=world.session, actor=world.admin)
        for _ in range(count)
    ]
    assert all(e.fanned_out_at is None for e in events)
    return events


def test_a_burst_of_events_wakes_the_workers_once_until_a_drain_runs(world, own_kick_key):
    assert services.outbox_kick() is True
    assert [services.outbox_kick() for _ in range(5)] == [False] * 5
    assert redis_client(settings.REDIS_URL).exists(own_kick_key)

    services.outbox_drain()

    assert not redis_client(settings.REDIS_URL).exists(own_kick_key)
    assert services.outbox_kick() is True


def test_the_flag_expires_so_a_lost_wake_up_holds_the_next_ones_back_briefly(own_kick_key):
    services.outbox_kick()
    ttl = redis_client(settings.REDIS_URL).ttl(own_kick_key)
    assert 0 < ttl <= services.OUTBOX_KICK_SECONDS


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


def test_a_drain_beyond_one_batch_wakes_another_for_the_rest(world, monkeypatch, own_kick_key):
    monkeypatch.setattr(services, "OUTBOX_DRAIN_BATCH", 2)
    events = pending_events(world, 3)

    services.outbox_drain()

    fanned = [Event.objects.get(pk=e.pk).fanned_out_at is not None for e in events]
    assert fanned == [True, True, False]
    assert redis_client(settings.REDIS_URL).exists(own_kick_key)  # the next drain is due

    services.outbox_drain()
    assert Event.objects.filter(pk__in=[e.pk for e in events], fanned_out_at=None).count() == 0


def test_with_redis_down_the_kick_says_so_and_the_change_stands(world, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    assert services.outbox_kick() is False
    assert "left to the relay" in caplog.text
    assert Session.objects.filter(pk=world.session.pk).exists()
