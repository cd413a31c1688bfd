"""Who is told of an event, and what a person's inbox holds."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from debates.models import DelegationMember, MemberRole, Session, Visibility
from notifications.models import Event, EventKind, Notification, Preference

SESSION_WIDE = {
    EventKind.AGENDA_PUBLISHED,
    EventKind.POINT_RECORDED,
    EventKind.POINT_CHANGED,
    EventKind.SESSION_CONCLUDED,
    EventKind.REPORT_READY,
    EventKind.REPORT_PUBLISHED,
}
POSITION_EVENTS = {EventKind.POSITION_LOGGED, EventKind.POSITION_REVISED}


def recipients(event: Event) -> QuerySet[User]:
    """The people `event` must reach, as one query (the fan-out inserts from it).

    - session-wide events: every person of the session (facilitators, observers and
      delegation members), each of whom may read what the event is about;
    - a position logged or revised: the session's facilitators and its own delegation,
      and the other delegations' heads when the version is visible to the session;
    - a reminder: the members of the delegation reminded.
    Whoever caused the event is not told of it."""
    session_id = event.session_id
    facilitators = Q(
        pk__in=Session.facilitators.through.objects.filter(session_id=session_id).values("user_id")
    )
    observers = Q(
        pk__in=Session.observers.through.objects.filter(session_id=session_id).values("user_id")
    )
    members = DelegationMember.objects.filter(session_id=session_id)
    if event.kind in SESSION_WIDE:
        who = facilitators | observers | Q(pk__in=members.values("user_id"))
    elif event.kind in POSITION_EVENTS:
        own = Q(pk__in=members.filter(delegation_id=event.delegation_id).values("user_id"))
        who = facilitators | own
        if event.payload.get("visibility") in (Visibility.SESSION, Visibility.PUBLIC):
            other_heads = members.exclude(delegation_id=event.delegation_id).filter(
                role=MemberRole.HEAD
            )
            who |= Q(pk__in=other_heads.values("user_id"))
    elif event.kind == EventKind.REMINDER:
        who = Q(pk__in=members.filter(delegation_id=event.delegation_id).values("user_id"))
    else:  # pragma: no cover - every kind is listed above
        raise ValueError(f"no recipients rule for {event.kind}")
    people = User.objects.filter(who, is_active=True)
    if event.actor_id:
        people = people.exclude(pk=event.actor_id)
    return people


def inbox(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, in_app=True).select_related("event")


def unread_count(*, user: User) -> int:
    return inbox(user=user).filter(read_at__isnull=True).count()


def preferences(*, user: User) -> list[dict]:
    """The person's channels for every kind of event (in-app and email unless chosen
    otherwise). One query."""
    chosen = {p.kind: p for p in Preference.objects.filter(user=user)}
    return [
        {
            "kind": kind,
            "in_app": chosen[kind].in_app if kind in chosen else True,
            "email": chosen[kind].email if kind in chosen else True,
        }
        for kind in EventKind.values
    ]
