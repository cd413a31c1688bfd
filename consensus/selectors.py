"""Reads of points and stances, scoped to the person asking: the people of a session
read all of its points and stances; nobody else reads any."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from consensus.models import Point, Stance
from debates import rules
from debates.models import Session
from debates.selectors import session_people_q


def point_list(*, user: User, session: Session | None = None) -> QuerySet[Point]:
    points = Point.objects.select_related("agenda_item__topic", "session").prefetch_related(
        Prefetch("stances", queryset=Stance.objects.select_related("delegation__party"))
    )
    if not rules.is_admin(user):
        points = points.filter(session_people_q(user, "session_id"))
    if session is not None:
        points = points.filter(session=session)
    return points


def point_get(*, user: User, pk: int) -> Point:
    return point_list(user=user).get(pk=pk)
