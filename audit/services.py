"""Appending to the audit chain. Every service that changes the record calls
audit_record inside its own transaction, so the change and its event commit together;
audit_seal then chains the events recorded since it last ran (a worker runs it after
each burst of changes and on a schedule, and verify runs it first). Chaining apart from
the change keeps the writes of the whole system from queueing on one lock, and their
requests from paying for the chain."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from config.sql import insert

GENESIS = "0" * 64
# Any constant: the key of the advisory lock that serialises sealers of the chain.
CHAIN_LOCK_KEY = 7_401_113


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical(value: Any) -> Any:
    """`value` as it will read back from the JSON column (dates as ISO strings, models as
    ids), so the hash computed now matches the one verify computes from the row."""
    return json.loads(json.dumps(value, default=_json_default))


def event_hash(event: AuditEvent) -> str:
    content = {
        "prev": event.prev_hash,
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "session": event.session_id,
        "before": event.before,
        "after": event.after,
        "at": event.created_at.isoformat(),
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


# Never copied into the trail, which admins read.
SECRET_FIELDS = {"password"}


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` (foreign keys as ids), JSON-ready."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        if fields is None or field.name in fields or field.attname in fields:
            values[field.name] = field.value_from_object(obj)
    return canonical(values)


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    session_id: int | None = None,
) -> AuditEvent:
    """Record one event, to be chained by audit_seal. Call inside the transaction of
    the change."""
    return insert(
        audit_event_build(
            actor=actor, action=action, obj=obj, before=before, after=after, session_id=session_id
        )
    )


def audit_event_build(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    session_id: int | None = None,
) -> AuditEvent:
    """The event audit_record records, unsaved: for a service that writes it in one
    statement with its change (see position_revise)."""
    return AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        session_id=session_id,
        before=canonical(before) if before is not None else None,
        after=canonical(after) if after is not None else None,
        created_at=timezone.now(),
    )


SEAL_BATCH = 2000


def audit_seal() -> int:
    """Chain every event recorded and committed since the last seal: each takes the
    next place (`seq`), the hash of the one before it, and its own hash. Returns how
    many it chained. Events take their place in the order they are found, so one whose
    transaction committed late simply comes later.

    One sealer at a time: a transaction-scoped advisory lock on PostgreSQL (SQLite
    serialises writers by itself); the last place is read after taking it."""
    sealed = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            last = (
                AuditEvent.objects.filter(seq__isnull=False)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            seq, prev = (last[0] or 0, last[1] or GENESIS) if last else (0, GENESIS)
            events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
            for event in events:
                seq += 1
                event.seq, event.prev_hash = seq, prev
                event.hash = prev = event_hash(event)
            AuditEvent.objects.bulk_update(events, ["seq", "prev_hash", "hash"])
        sealed += len(events)
        if len(events) < SEAL_BATCH:
            return sealed
