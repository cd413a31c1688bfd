"""Reading and checking the audit chain (admins only; the API enforces who asks)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from audit.models import AuditEvent
from audit.services import GENESIS, event_hash


def audit_event_list() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.all()


def audit_chain_verify(*, chunk_size: int = 2000) -> dict[str, Any]:
    """Walk the chain in order and name the first event whose link or content does not
    match: `{"ok": True, "checked": n, "unsealed": m}` or `{"ok": False, "checked": n,
    "unsealed": m, "first_broken": {"id", "reason"}}`, where `unsealed` counts the
    events not chained yet (audit_seal). Streams the rows, so memory stays flat on a
    long chain."""
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
    prev = GENESIS
    checked = 0
    chain = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in chain.iterator(chunk_size=chunk_size):
        checked += 1
        if event.prev_hash != prev:
            return _broken(
                checked, unsealed, event, "its prev_hash is not the previous event's hash"
            )
        if event_hash(event) != event.hash:
            return _broken(checked, unsealed, event, "its content does not match its hash")
        prev = event.hash
    return {"ok": True, "checked": checked, "unsealed": unsealed}


def _broken(checked: int, unsealed: int, event: AuditEvent, reason: str) -> dict[str, Any]:
    return {
        "ok": False,
        "checked": checked,
        "unsealed": unsealed,
        "first_broken": {"id": event.pk, "action": event.action, "reason": reason},
    }
