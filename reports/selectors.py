"""Reports, as the person asking may see them: the people of a session read its reports."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from debates import rules
from debates.selectors import session_people_q
from reports.models import Report


def report_list(*, user: User, session_id: int | None = None) -> QuerySet[Report]:
    reports = Report.objects.select_related("session")
    if not rules.is_admin(user):
        reports = reports.filter(session_people_q(user, "session_id"))
    if session_id is not None:
        reports = reports.filter(session_id=session_id)
    return reports


def report_get(*, user: User, pk: int) -> Report:
    return report_list(user=user).get(pk=pk)
