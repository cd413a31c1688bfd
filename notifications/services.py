"""Writes of the notification pipeline: record an event with the change (the outbox),
fan it out to notifications and deliveries, attempt a delivery, relay what a lost
message left behind, send reminders. Each step is safe to run twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import random
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from audit.services import audit_seal
from config.connections import redis_client
from config.sql import insert
from debates.errors import InvalidInput
from debates.models import AgendaItem, Delegation, Position, Session
from notifications.messages import describe, webhook_payload
from notifications.models import Channel, Delivery, Event, EventKind, Notification, Preference
from notifications.selectors import recipients

log = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None) -> None:
    """Hand a task to the broker; if the broker is down, say so and carry on: the
    relay (outbox_relay, on a schedule) picks the work up from the database later.
    (Without a broker, in development, the task runs here and now: what it raises is
    logged with its traceback, and the change that queued it stands.)"""
    try:
        task.apply_async(args=args, retry=False, countdown=countdown)
    except Exception as exc:  # the broker's connection errors vary by transport
        log.warning(
            "%s(%s) not handed to the workers, left to the relay: %s",
            task.name,
            args,
            exc,
            exc_info=settings.CELERY_TASK_ALWAYS_EAGER,
        )


def _enqueue_after_commit(task, *args) -> None:
    transaction.on_commit(lambda: enqueue(task, *args))


# Waking the workers for the outbox ------------------------------------------------

# Time runs in ticks. The first event committed in a tick, in any process, sets the
# tick's key and wakes one drain, due just after the tick ends: every event committed in
# the tick is there to read by then. The margin covers a worker's clock running ahead.
OUTBOX_KICK_KEY = "trackbridge:outbox-kick"
OUTBOX_TICK_SECONDS = 0.1
OUTBOX_KICK_MARGIN_SECONDS = 0.1
OUTBOX_DRAIN_BATCH = 500
# The key of the tick this process last kicked for: its later events of it ask no one.
_last_kick: str | None = None


def outbox_kick(now: float | None = None) -> bool:
    """Wake a worker to fan out the outbox: once per tick for all the events committed
    in it, not once per event, and one Redis command per tick in each process at most.
    Called after commit (`now`: the time, for tests); says whether it woke a worker.
    With the broker down the relay fans the events out later."""
    global _last_kick
    from notifications import tasks

    if not settings.REDIS_URL:  # development: tasks run eagerly, in this process
        enqueue(tasks.outbox_drain)
        return True
    now = time.time() if now is None else now
    tick = math.floor(now / OUTBOX_TICK_SECONDS)
    key = f"{OUTBOX_KICK_KEY}:{tick}"
    if key == _last_kick:
        return False  # the drain at the end of this tick reads this event too
    try:
        first = redis_client(settings.REDIS_URL).set(key, 1, nx=True, ex=60)
    except redis.RedisError as exc:
        log.warning("broker unavailable, the outbox is left to the relay: %s", exc)
        return False
    _last_kick = key
    if first:
        due = (tick + 1) * OUTBOX_TICK_SECONDS + OUTBOX_KICK_MARGIN_SECONDS
        enqueue(tasks.outbox_drain, countdown=max(due - now, 0))
    return bool(first)


def outbox_drain() -> list[int]:
    """Fan out every event not yet fanned out, oldest first, then chain the audit
    events recorded since the last seal; return the ids of the deliveries to attempt.
    Safe to run twice or at once on two workers: sealers take turns, and each event's
    fan-out locks the event row."""
    from notifications import tasks

    pending = Event.objects.filter(fanned_out_at__isnull=True).order_by("id")
    event_ids = list(pending.values_list("pk", flat=True)[:OUTBOX_DRAIN_BATCH])
    delivery_ids: list[int] = []
    for event_id in event_ids:
        delivery_ids += event_fan_out(event_id=event_id)
    audit_seal()  # the changes behind these events, and any other since the last run
    if len(event_ids) == OUTBOX_DRAIN_BATCH:
        enqueue(tasks.outbox_drain)  # more may wait: carry on in a fresh task
    return delivery_ids


# Recording events (called by the services of the change, inside their transaction) --


def event_record(
    *,
    kind: str,
    session: Session,
    actor: User | None,
    obj: models.Model | None = None,
    delegation: Delegation | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Event:
    """Record what must be told, in the caller's transaction; fan it out after commit."""
    return _record(
        event_build(
            kind=kind,
            session=session,
            actor=actor,
            obj=obj,
            delegation=delegation,
            payload=payload,
            dedupe_key=dedupe_key,
        )
    )


def _record(event: Event) -> Event:
    insert(event)
    outbox_kick_on_commit()
    return event


def event_build(
    *,
    kind: str,
    session: Session,
    actor: User | None,
    obj: models.Model | None = None,
    delegation: Delegation | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Event:
    """The event event_record records, unsaved: for a service that writes it in one
    statement with its change, then calls outbox_kick_on_commit (see position_revise)."""
    return Event(
        kind=kind,
        session=session,
        delegation=delegation,
        actor=actor if actor is not None and actor.pk else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        payload={
            "dialogue": session.dialogue_id,
            "session_title": session.title,
            "chatham_house": session.is_chatham_house,
            **(payload or {}),
        },
        dedupe_key=dedupe_key,
    )


def outbox_kick_on_commit() -> None:
    """Wake the outbox once the caller's transaction commits (now, outside one)."""
    transaction.on_commit(outbox_kick)


def position_event(*, kind: str, actor: User, position: Position, version) -> Event:
    return _record(position_event_build(kind=kind, actor=actor, position=position, version=version))


def position_event_build(*, kind: str, actor: User, position: Position, version) -> Event:
    """The event of a position logged or revised, unsaved (see event_build)."""
    delegation = position.delegation
    return event_build(
        kind=kind,
        session=delegation.session,
        actor=actor,
        obj=position,
        delegation=delegation,
        payload={
            "party": delegation.party.code,
            "agenda_item": position.agenda_item_id,
            "agenda_item_title": position.agenda_item.title,
            "version": version.number,
            "visibility": version.visibility,
        },
    )


def point_event(*, kind: str, actor: User, point) -> Event:
    return event_record(
        kind=kind,
        session=point.session,
        actor=actor,
        obj=point,
        payload={
            "agenda_item": point.agenda_item_id,
            "agenda_item_title": point.agenda_item.title,
            "kind": point.kind,
            "status": point.status,
            "statement": point.statement,
        },
    )


# Fan-out --------------------------------------------------------------------------


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def event_fan_out(*, event_id: int) -> list[int]:
    """Create the event's notifications and deliveries, set-based, once; return the ids
    of the deliveries to attempt.

    Two INSERT ... SELECT statements, whatever the number of recipients: one row per
    recipient and one email delivery per recipient who wants email. The event row is
    locked, so a second run (the relay, a redelivered task) waits and then finds it
    done; ON CONFLICT DO NOTHING keeps a crash half-way from producing duplicates."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            return []
        if event.fanned_out_at is None:
            _insert_notifications(event)
            _insert_email_deliveries(event)
            _insert_webhook_deliveries(event)
            event.fanned_out_at = timezone.now()
            event.save(update_fields=["fanned_out_at"])
        return list(
            event.deliveries.filter(status=Delivery.Status.PENDING).values_list("pk", flat=True)
        )


def _insert_notifications(event: Event) -> None:
    people = recipients(event).values(person=F("pk"))
    people_sql, people_params = people.query.sql_with_params()
    now = timezone.now()
    # Table names come from the models and the SELECT from the ORM: no input in the SQL.
    # Portable: the subquery names its column itself (SQLite has no column list after
    # the alias), and the SELECT has a WHERE (SQLite reads ON CONFLICT after a bare
    # FROM as a join constraint).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_table(Notification)} (event_id, recipient_id, created_at, in_app)
            SELECT %s, people.person, %s, COALESCE(
                (SELECT pref.in_app FROM {_table(Preference)} pref
                 WHERE pref.user_id = people.person AND pref.kind = %s), TRUE)
            FROM ({people_sql}) AS people
            WHERE TRUE
            ON CONFLICT DO NOTHING
            """,  # noqa: S608
            [event.pk, now, event.kind, *people_params],
        )


def _insert_email_deliveries(event: Event) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_table(Delivery)}
                (event_id, channel, notification_id, status, attempts, last_error,
                 next_attempt_at)
            SELECT n.event_id, %s, n.id, %s, 0, '', %s
            FROM {_table(Notification)} n
            JOIN {_table(User)} u ON u.id = n.recipient_id
            LEFT JOIN {_table(Preference)} pref ON pref.user_id = u.id AND pref.kind = %s
            WHERE n.event_id = %s AND u.email <> '' AND COALESCE(pref.email, TRUE)
            ON CONFLICT DO NOTHING
            """,  # noqa: S608
            [Channel.EMAIL, Delivery.Status.PENDING, timezone.now(), event.kind, event.pk],
        )


def _insert_webhook_deliveries(event: Event) -> None:
    if webhook_payload(event) is None:
        return
    endpoints = event.session.dialogue.webhooks.filter(active=True)
    Delivery.objects.bulk_create(
        [
            Delivery(
                event=event,
                channel=Channel.WEBHOOK,
                endpoint=endpoint,
                next_attempt_at=timezone.now(),
            )
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )


# Delivery attempts ----------------------------------------------------------------


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: exponential, with full jitter in its upper
    half, and never beyond the cap (which stays under the broker's visibility timeout,
    so a scheduled retry is never redelivered early)."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS * (2 ** (attempts - 1))
    capped = min(base, settings.NOTIFY_RETRY_MAX_SECONDS)
    return capped / 2 + random.uniform(0, capped / 2)  # jitter, not secrecy


def delivery_attempt(*, delivery_id: int) -> str:
    """Attempt one delivery if it is pending and due; return its status afterwards.

    The row is locked for the attempt (SKIP LOCKED: a twin task running right now makes
    this one a no-op), so two workers never send it at once. A crash between sending
    and committing leaves it pending: an email or webhook may then arrive twice, which
    is why webhook bodies carry the event id for receivers to drop replays."""
    from notifications import tasks

    with transaction.atomic():
        delivery = (
            # Only the delivery row: PostgreSQL refuses FOR UPDATE on the nullable side of
            # the outer joins (notification, endpoint), and the rest needs no lock.
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event__session", "notification__recipient", "endpoint")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        if delivery.next_attempt_at > timezone.now() + timedelta(seconds=1):
            return "not_due"  # a retry is already scheduled for later
        try:
            if delivery.channel == Channel.EMAIL:
                _send_email(delivery)
            else:
                _send_webhook(delivery)
        except Exception as exc:
            delivery.attempts += 1
            delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            else:
                delay = retry_delay(delivery.attempts)
                delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
                transaction.on_commit(
                    lambda: enqueue(tasks.delivery_send, delivery_id, countdown=delay)
                )
        else:
            delivery.attempts += 1
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
        delivery.save(
            update_fields=["attempts", "last_error", "status", "next_attempt_at", "sent_at"]
        )
        return delivery.status


def _send_email(delivery: Delivery) -> None:
    recipient = delivery.notification.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        title, body = describe(delivery.event)
        context = {"title": title, "body": body, "recipient": recipient}
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(
        subject=f"[Trackbridge] {title}",
        body=text,
        to=[recipient.email],
        headers={"X-Trackbridge-Event": str(delivery.event_id)},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what X-Trackbridge-Signature carries."""
    signed = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _send_webhook(delivery: Delivery) -> None:
    payload = webhook_payload(delivery.event)
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    timestamp = str(int(timezone.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 (an admin-registered http(s) URL)
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Trackbridge-Webhook/1",
            "X-Trackbridge-Event-Id": str(delivery.event_id),
            "X-Trackbridge-Delivery-Id": str(delivery.pk),
            "X-Trackbridge-Timestamp": timestamp,
            "X-Trackbridge-Signature": "sha256="
            + webhook_signature(delivery.endpoint.secret, timestamp, body),
        },
    )
    with urllib.request.urlopen(  # noqa: S310
        request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT
    ) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(
                delivery.endpoint.url, response.status, "not a 2xx answer", response.headers, None
            )


@transaction.atomic
def deliveries_retry(*, actor: User, deliveries: models.QuerySet[Delivery]) -> int:
    """An admin's retry of failed (or stuck) deliveries: pending again, due now, with
    one more round of attempts."""
    from notifications import tasks

    ids = list(deliveries.exclude(status=Delivery.Status.SENT).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for delivery_id in ids:
        _enqueue_after_commit(tasks.delivery_send, delivery_id)
    return len(ids)


# The relay: what the broker lost, the database still knows -------------------------


def outbox_relay() -> dict[str, int]:
    """Re-enqueue events not yet fanned out and deliveries pending past their time.
    Runs on a schedule (beat); anything it enqueues twice is a no-op the second time."""
    from notifications import tasks

    audit_seal()  # changes that told nobody woke no drain: chained here at the latest
    grace = timezone.now() - timedelta(seconds=settings.NOTIFY_RELAY_GRACE_SECONDS)
    events = list(
        Event.objects.filter(fanned_out_at__isnull=True, created_at__lt=grace)
        .order_by("id")
        .values_list("pk", flat=True)[:1000]
    )
    for event_id in events:
        enqueue(tasks.event_fan_out, event_id)
    deliveries = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lt=grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:5000]
    )
    for delivery_id in deliveries:
        enqueue(tasks.delivery_send, delivery_id)
    return {"events": len(events), "deliveries": len(deliveries)}


# Reminders ------------------------------------------------------------------------

REMINDER_HOURS = (48, 24)


def reminders_send(*, now=None) -> int:
    """Remind each delegation that lacks a position on some agenda item, 48 and 24 hours
    before its session starts: once per delegation and window (Event.dedupe_key is
    unique), however often the schedule runs. A session already inside the 24-hour
    window gets only the 24-hour reminder."""
    now = now or timezone.now()
    sent = 0
    horizon = now + timedelta(hours=max(REMINDER_HOURS))
    delegations = (
        Delegation.objects.filter(
            session__status__in=[Session.Status.AGENDA_PUBLISHED, Session.Status.IN_PROGRESS],
            session__starts_at__gt=now,
            session__starts_at__lte=horizon,
        )
        .select_related("session", "party")
        .order_by("id")
    )
    for delegation in delegations:
        hours_left = (delegation.session.starts_at - now).total_seconds() / 3600
        window = min(h for h in REMINDER_HOURS if hours_left <= h)
        key = f"reminder:{window}:{delegation.pk}"
        if Event.objects.filter(dedupe_key=key).exists():
            continue
        missing = list(
            AgendaItem.objects.filter(session_id=delegation.session_id)
            .exclude(positions__delegation=delegation)
            .order_by("order", "id")
            .values_list("title", flat=True)
        )
        if not missing:
            continue
        # The unique key decides between two beats racing: the loser's insert fails
        # inside its savepoint and it moves on.
        try:
            with transaction.atomic():
                event_record(
                    kind=EventKind.REMINDER,
                    session=delegation.session,
                    actor=None,
                    obj=delegation,
                    delegation=delegation,
                    payload={"hours": window, "items": missing},
                    dedupe_key=key,
                )
        except IntegrityError:
            continue
        sent += 1
    return sent


# Reading ----------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise InvalidInput("This is not your notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def preferences_set(*, user: User, items: list[dict[str, Any]]) -> list[Preference]:
    """Set the person's channels for the kinds of event listed (others keep theirs)."""
    rows = []
    for item in items:
        if item["kind"] not in EventKind.values:
            raise InvalidInput(f"'{item['kind']}' is not an event kind.", field="kind")
        row, _ = Preference.objects.update_or_create(
            user=user,
            kind=item["kind"],
            defaults={"in_app": item.get("in_app", True), "email": item.get("email", True)},
        )
        rows.append(row)
    return rows
