"""What a notification says, in the active language. Rendered from the event's payload
alone, so a page of notifications or a batch of emails needs no query per message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from notifications.models import Event, EventKind


def describe(event: Event) -> tuple[str, str]:
    """(title, body) of `event` in the active language."""
    p: dict[str, Any] = {**event.payload}
    session = p.get("session_title", "")
    kind = event.kind
    if kind == EventKind.AGENDA_PUBLISHED:
        return (
            _("Agenda published: %(session)s") % {"session": session},
            _("The agenda of %(session)s is published, with %(items)s items.")
            % {"session": session, "items": p.get("items", 0)},
        )
    if kind in (EventKind.POSITION_LOGGED, EventKind.POSITION_REVISED):
        values = {"party": p.get("party", ""), "item": p.get("agenda_item_title", "")}
        title = (
            _("%(party)s logged a position on %(item)s")
            if kind == EventKind.POSITION_LOGGED
            else _("%(party)s revised its position on %(item)s")
        ) % values
        body = _("Version %(version)s, in %(session)s.") % {
            "version": p.get("version"),
            "session": session,
        }
        return title, body
    if kind in (EventKind.POINT_RECORDED, EventKind.POINT_CHANGED):
        title = (
            _("Point recorded in %(session)s")
            if kind == EventKind.POINT_RECORDED
            else _("Point changed in %(session)s")
        ) % {"session": session}
        return title, f"{p.get('agenda_item_title', '')}: {p.get('statement', '')}"
    if kind == EventKind.SESSION_CONCLUDED:
        return (
            _("Session concluded: %(session)s") % {"session": session},
            _("The post-session report is being prepared."),
        )
    if kind in (EventKind.REPORT_READY, EventKind.REPORT_PUBLISHED):
        title = (
            _("Report ready: %(session)s")
            if kind == EventKind.REPORT_READY
            else _("Report published: %(session)s")
        )
        return title % {"session": session}, _report_label(p)
    if kind == EventKind.REMINDER:
        return (
            _("%(hours)s hours to %(session)s: positions missing")
            % {"hours": p.get("hours"), "session": session},
            _("Your delegation has no position yet on: %(items)s.")
            % {"items": "; ".join(p.get("items", []))},
        )
    return kind, ""


def _report_label(payload: dict[str, Any]) -> str:
    """ "Pre-session brief v2", in the active language."""
    from reports.models import Report

    kind = payload.get("report_kind")
    if kind not in Report.Kind.values:
        return payload.get("report_title", "")
    return f"{Report.Kind(kind).label} v{payload.get('report_version', '')}".strip()


def webhook_payload(event: Event) -> dict[str, Any] | None:
    """What a dialogue's webhook receives: what anyone outside the session may read. A
    position is sent only when its version is public, and never with its party when the
    session runs under the Chatham House rule. None: nothing to send."""
    p = event.payload
    body: dict[str, Any] = {
        "event": event.pk,
        "kind": event.kind,
        "created_at": event.created_at.isoformat(),
        "dialogue": p.get("dialogue"),
        "session": event.session_id,
        "session_title": p.get("session_title", ""),
        "object": {"type": event.object_type, "id": event.object_id},
    }
    if event.kind in (EventKind.POSITION_LOGGED, EventKind.POSITION_REVISED):
        if p.get("visibility") != "public":
            return None
        body["position"] = {
            "agenda_item": p.get("agenda_item_title"),
            "version": p.get("version"),
            "party": None if p.get("chatham_house") else p.get("party"),
        }
    elif event.kind in (EventKind.POINT_RECORDED, EventKind.POINT_CHANGED):
        body["point"] = {
            "agenda_item": p.get("agenda_item_title"),
            "kind": p.get("kind"),
            "status": p.get("status"),
            "statement": p.get("statement"),
        }
    elif event.kind == EventKind.REMINDER:
        return None  # addressed to one delegation only
    return body
