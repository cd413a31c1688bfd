"""Writes of points and stances (domain.md: facilitators record points of agreement and
divergence, and each delegation's stance on them)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from audit.services import audit_record, snapshot
from consensus.models import Point, Stance
from debates import rules
from debates.errors import InvalidInput, NotPermitted
from debates.models import AgendaItem, Delegation, Session
from debates.selectors import session_ancestor_ids
from debates.services import check_choice, require_manager, require_status
from notifications.models import EventKind
from notifications.services import point_event

Status = Session.Status

# Points and stances are recorded while the session runs; facilitators (and admins) may
# still record them after it concludes, until the report is published.
MANAGER_WINDOW = {Status.IN_PROGRESS, Status.CONCLUDED}
HEAD_WINDOW = {Status.IN_PROGRESS}

POINT_FIELDS = {"kind", "statement", "status", "carried_from", "carry_status", "agenda_item"}


def _check_lineage(
    session: Session,
    agenda_item: AgendaItem,
    carried_from: Point | None,
    carry_status: str | None,
) -> str:
    """Validate `carried_from` and return the carry status the point should have.

    A point continues one that the pre-session brief could show: a confirmed point on
    the same topic, from a session this one builds on."""
    if carried_from is None:
        if carry_status not in (None, Point.CarryStatus.NEW):
            raise InvalidInput(
                "Only a point carried from an earlier one has a carry status other than 'new'.",
                field="carry_status",
            )
        return Point.CarryStatus.NEW
    if carried_from.session_id not in session_ancestor_ids(session.pk):
        raise InvalidInput(
            "A point can be carried only from a session this session builds on.",
            field="carried_from",
        )
    if carried_from.status != Point.Status.CONFIRMED:
        raise InvalidInput("Only a confirmed point can be carried forward.", field="carried_from")
    if carried_from.agenda_item.topic_id != agenda_item.topic_id:
        raise InvalidInput(
            "A point can be carried only into an agenda item on the same topic.",
            field="carried_from",
        )
    if carry_status is None:
        return Point.CarryStatus.REAFFIRMED
    check_choice(carry_status, Point.CarryStatus, "carry_status")
    if carry_status == Point.CarryStatus.NEW:
        raise InvalidInput(
            "A carried point is reaffirmed, reopened or superseded, not new.",
            field="carry_status",
        )
    return carry_status


@transaction.atomic
def point_record(
    *,
    actor: User,
    session: Session,
    agenda_item: AgendaItem,
    kind: str,
    statement: str,
    status: str = Point.Status.PROPOSED,
    carried_from: Point | None = None,
    carry_status: str | None = None,
) -> Point:
    require_manager(actor, session, "record points")
    require_status(session, MANAGER_WINDOW, "record points")
    if agenda_item.session_id != session.pk:
        raise InvalidInput("The agenda item belongs to another session.", field="agenda_item")
    check_choice(kind, Point.Kind, "kind")
    check_choice(status, Point.Status, "status")
    if not statement.strip():
        raise InvalidInput("A point needs a statement.", field="statement")
    point = Point.objects.create(
        session=session,
        agenda_item=agenda_item,
        kind=kind,
        statement=statement,
        status=status,
        carried_from=carried_from,
        carry_status=_check_lineage(session, agenda_item, carried_from, carry_status),
        recorded_by=actor,
    )
    audit_record(
        actor=actor, action="point.record", obj=point, after=snapshot(point), session_id=session.pk
    )
    point_event(kind=EventKind.POINT_RECORDED, actor=actor, point=point)
    return point


@transaction.atomic
def point_update(*, actor: User, point: Point, **changes: Any) -> Point:
    session = point.session
    require_manager(actor, session, "change points")
    require_status(session, MANAGER_WINDOW, "change points")
    unknown = set(changes) - POINT_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "kind" in changes:
        check_choice(changes["kind"], Point.Kind, "kind")
    if "status" in changes:
        check_choice(changes["status"], Point.Status, "status")
    if "statement" in changes and not str(changes["statement"]).strip():
        raise InvalidInput("A point needs a statement.", field="statement")
    if "agenda_item" in changes and changes["agenda_item"].session_id != session.pk:
        raise InvalidInput("The agenda item belongs to another session.", field="agenda_item")
    if {"carried_from", "carry_status", "agenda_item"} & set(changes):
        carried_from = changes.get("carried_from", point.carried_from)
        carry_status = changes.get("carry_status")
        if carry_status is None and carried_from is not None and "carried_from" not in changes:
            carry_status = point.carry_status
        agenda_item = changes.get("agenda_item", point.agenda_item)
        changes["carry_status"] = _check_lineage(session, agenda_item, carried_from, carry_status)
        changes["carried_from"] = carried_from
    before = snapshot(point, list(changes))
    for name, value in changes.items():
        setattr(point, name, value)
    point.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action="point.update",
        obj=point,
        before=before,
        after=snapshot(point, list(changes)),
        session_id=session.pk,
    )
    point_event(kind=EventKind.POINT_CHANGED, actor=actor, point=point)
    return point


@transaction.atomic
def stance_set(
    *, actor: User, point: Point, delegation: Delegation, stance: str, note: str = ""
) -> Stance:
    """Record (or replace) `delegation`'s stance on `point`. Facilitators and admins may
    do so while points may change; the delegation's head only while the session runs."""
    session = point.session
    if delegation.session_id != session.pk:
        raise InvalidInput("This delegation is not at the point's session.", field="delegation")
    if rules.can_manage(actor, session):
        require_status(session, MANAGER_WINDOW, "record stances")
    elif rules.is_head(actor, delegation):
        require_status(session, HEAD_WINDOW, "record stances")
    else:
        raise NotPermitted(
            "Only a facilitator, an admin or the head of this delegation may record its stance."
        )
    check_choice(stance, Stance.Value, "stance")
    if point.status == Point.Status.WITHDRAWN:
        raise InvalidInput("This point was withdrawn: it takes no stances.", field="point")
    # update_or_create retries the lookup on IntegrityError, so two people setting the
    # same stance at once end with one row (the unique constraint decides).
    previous = Stance.objects.filter(point=point, delegation=delegation).first()
    row, _ = Stance.objects.update_or_create(
        point=point,
        delegation=delegation,
        defaults={"stance": stance, "note": note, "recorded_by": actor},
    )
    audit_record(
        actor=actor,
        action="stance.set",
        obj=row,
        before=snapshot(previous, ["stance", "note"]) if previous else None,
        after=snapshot(row, ["stance", "note"]),
        session_id=session.pk,
    )
    return row
