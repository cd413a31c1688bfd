"""Writes of reports: request a build (recorded with the change that asks for it, run by
a worker after commit), build it, publish it, and pick up builds a lost message or a
dead worker left behind."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from debates.errors import InvalidInput, WrongStatus
from debates.models import Session
from notifications.models import EventKind
from notifications.services import enqueue, event_record
from reports import content as builders
from reports.models import Report
from reports.render import FORMATS, render

log = logging.getLogger(__name__)
Status = Session.Status

# When each kind of document may be built: a brief once there is an agenda to brief
# on, a report once the session has run (and again, as a new version, later).
BUILD_WINDOW = {
    Report.Kind.PRE_SESSION_BRIEF: {
        Status.AGENDA_PUBLISHED,
        Status.IN_PROGRESS,
        Status.CONCLUDED,
        Status.REPORT_PUBLISHED,
    },
    Report.Kind.POST_SESSION_REPORT: {Status.IN_PROGRESS, Status.CONCLUDED},
}


def report_request(*, actor: User | None, session: Session, kind: str) -> Report:
    """Ask for a new version of a document; a worker builds it after commit. Callers
    check who may ask (facilitators and admins); the session's status is checked here."""
    from debates.services import require_status  # debates.services imports this module
    from reports import tasks

    if kind not in Report.Kind.values:
        raise InvalidInput(f"'{kind}' is not a kind of report.", field="kind")
    require_status(session, BUILD_WINDOW[kind], f"build a {Report.Kind(kind).label.lower()}")
    for _attempt in range(3):
        latest = Report.objects.filter(session=session, kind=kind).aggregate(v=Max("version"))
        try:
            # A savepoint: two requests racing for the same version number retry with
            # the next one instead of failing the caller's transaction.
            with transaction.atomic():
                report = Report.objects.create(
                    session=session,
                    kind=kind,
                    version=(latest["v"] or 0) + 1,
                    requested_by=actor if actor is not None and actor.pk else None,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - three lost races in a row
        raise WrongStatus("Another build of this report was requested at the same time.")
    audit_record(
        actor=actor,
        action="report.request",
        obj=report,
        after={"kind": kind, "version": report.version},
        session_id=session.pk,
    )
    transaction.on_commit(lambda: enqueue(tasks.report_build, report.pk))
    return report


def _claim(report_id: int) -> Report | None:
    """Move a pending report to running, once: a twin task finds it claimed."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(skip_locked=True)
            .select_related("session__dialogue")
            .filter(pk=report_id, status=Report.Status.PENDING)
            .first()
        )
        if report is None:
            return None
        report.status = Report.Status.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["status", "started_at"])
        return report


def report_build(*, report_id: int) -> str:
    """Build a pending report: its content, then every export format. Ends `ready`
    (and tells the session's people), or `failed` with the reason. Safe to run twice."""
    report = _claim(report_id)
    if report is None:
        return "skipped"
    try:
        with transaction.atomic():
            content = build_content(report)
            exports = {}
            for fmt, (_mime, extension) in FORMATS.items():
                name = (
                    f"reports/{report.session_id}/{report.kind}-v{report.version}-"
                    f"{uuid.uuid4().hex[:8]}.{extension}"
                )
                exports[fmt] = default_storage.save(name, ContentFile(render(content, fmt)))
            report.content = content
            report.exports = exports
            report.status = Report.Status.READY
            report.error = ""
            report.finished_at = timezone.now()
            report.save(update_fields=["content", "exports", "status", "error", "finished_at"])
            event_record(
                kind=EventKind.REPORT_READY,
                session=report.session,
                actor=None,
                obj=report,
                payload={
                    "report_title": str(report),
                    "report_kind": report.kind,
                    "report_version": report.version,
                },
            )
    except Exception as exc:
        log.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:4000],
            finished_at=timezone.now(),
        )
        return Report.Status.FAILED
    return Report.Status.READY


def build_content(report: Report) -> dict:
    """The report's content. Each version gets its own seed, so the neutral labels of a
    Chatham House document are shuffled afresh in every document."""
    seed = f"{report.pk}:{report.version}:{uuid.uuid4().hex}"
    if report.kind == Report.Kind.PRE_SESSION_BRIEF:
        return builders.build_brief(report.session, seed=seed)
    brief = (
        Report.objects.filter(
            session=report.session,
            kind=Report.Kind.PRE_SESSION_BRIEF,
            status=Report.Status.READY,
        )
        .order_by("-version")
        .values_list("content", flat=True)
        .first()
    )
    return builders.build_post_session_report(report.session, seed=seed, brief=brief)


def report_publish(*, actor: User, session: Session) -> Report:
    """Called by the transition to `report_published`, in its transaction: the latest
    ready post-session report becomes the published one, and everyone is told."""
    report = (
        Report.objects.select_for_update()
        .filter(
            session=session,
            kind=Report.Kind.POST_SESSION_REPORT,
            status=Report.Status.READY,
        )
        .order_by("-version")
        .first()
    )
    if report is None:
        raise WrongStatus(
            "Cannot publish the report: no post-session report is ready yet. Build one "
            "(or wait for the build started when the session concluded)."
        )
    report.published_at = timezone.now()
    report.save(update_fields=["published_at"])
    event_record(
        kind=EventKind.REPORT_PUBLISHED,
        session=session,
        actor=actor,
        obj=report,
        payload={
            "report_title": str(report),
            "report_kind": report.kind,
            "report_version": report.version,
        },
    )
    return report


def reports_relay() -> int:
    """Hand over builds whose message was lost (pending too long) or whose worker died
    (running past REPORT_BUILD_TIMEOUT_SECONDS: back to pending first)."""
    from reports import tasks

    now = timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_BUILD_TIMEOUT_SECONDS)
    Report.objects.filter(status=Report.Status.RUNNING, started_at__lt=stale).update(
        status=Report.Status.PENDING
    )
    grace = now - timedelta(seconds=settings.NOTIFY_RELAY_GRACE_SECONDS)
    pending = list(
        Report.objects.filter(status=Report.Status.PENDING, created_at__lt=grace).values_list(
            "pk", flat=True
        )
    )
    for report_id in pending:
        enqueue(tasks.report_build, report_id)
    return len(pending)


def report_rebuild(*, actor: User | None, report: Report) -> Report:
    """A new version of the same document (the old one is kept)."""
    with transaction.atomic():
        return report_request(actor=actor, session=report.session, kind=report.kind)


def export_file(report: Report, fmt: str):
    """(open file, content type, download name) of a ready report's export."""
    if fmt not in FORMATS:
        raise InvalidInput(f"Choose a format: {', '.join(FORMATS)}.", field="format")
    if report.status != Report.Status.READY or fmt not in report.exports:
        raise WrongStatus(f"This report is {report.status}: there is nothing to export yet.")
    mime, extension = FORMATS[fmt]
    name = f"{report.kind}-session{report.session_id}-v{report.version}.{extension}"
    return default_storage.open(report.exports[fmt], "rb"), mime, name
