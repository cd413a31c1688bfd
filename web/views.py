"""The web pages: server-rendered, on the same selectors and services as the API, so a
page can never show what the API would refuse. Forms work without JavaScript."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consensus import selectors as consensus_selectors
from consensus import services as consensus_services
from consensus.figures import session_figures
from consensus.models import Point, Stance
from debates import rules, selectors, services
from debates.errors import DomainError, StaleVersion
from debates.models import MemberRole, Outcome, Session
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.messages import describe
from reports import charts
from reports import selectors as report_selectors
from reports import services as report_services
from reports.content import heat_map_rows
from reports.models import Report
from reports.render import FORMATS
from web.diff import side_by_side
from web.forms import AgendaItemForm, PointForm, PositionForm

Status = Session.Status

# What each transition starts, told on the confirmation page before it happens.
TRANSITION_EFFECTS = {
    Status.AGENDA_PUBLISHED: gettext_lazy(
        "The agenda is frozen; every member and observer is told; the pre-session brief "
        "is built; delegations can log positions."
    ),
    Status.IN_PROGRESS: gettext_lazy("The session opens: points and stances can be recorded."),
    Status.CONCLUDED: gettext_lazy(
        "Positions close; heads can no longer record stances; the post-session report is built."
    ),
    Status.REPORT_PUBLISHED: gettext_lazy(
        "The latest post-session report is published and everyone is told; nothing in "
        "the session can change any more."
    ),
}


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The person's language, chosen once, follows them to every device.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.get_user().language)
        return response


@require_POST
def language_set(request):
    """Switch the interface language; remembered on the person and in a cookie."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    target = request.POST.get("next") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)
    translation.activate(language)
    return response


def _fail(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _session_or_404(request, pk: int) -> Session:
    try:
        return selectors.session_get(user=request.user, pk=pk)
    except Session.DoesNotExist:
        raise Http404 from None


@login_required
def home(request):
    """The sessions the person belongs to, by dialogue and track, with what awaits them."""
    user = request.user
    sessions = list(selectors.session_list(user=user).order_by("dialogue__title", "starts_at"))
    roles = selectors.user_session_roles(user=user)
    session_ids = [s.pk for s in sessions]
    # What awaits a delegation member: agenda items their delegation has no position on.
    missing: dict[int, int] = defaultdict(int)
    memberships = {
        m.session_id: m.delegation_id for m in user.memberships.filter(session_id__in=session_ids)
    }
    if memberships:
        items = selectors.agenda_item_list(user=user).filter(
            session_id__in=[s.pk for s in sessions if s.status in services.POSITION_WINDOW]
        )
        logged = set(
            selectors.position_list(user=user)
            .filter(delegation_id__in=memberships.values())
            .values_list("agenda_item_id", flat=True)
        )
        for item in items:
            if item.session_id in memberships and item.pk not in logged:
                missing[item.session_id] += 1
    ready = defaultdict(list)
    for report in (
        report_selectors.report_list(user=user)
        .filter(session_id__in=session_ids, status=Report.Status.READY)
        .defer("content")
    ):
        ready[report.session_id].append(report)
    by_dialogue: dict = defaultdict(list)
    for session in sessions:
        session.my_roles = sorted(roles.get(session.pk, [])) or (["admin"] if user.is_staff else [])
        session.missing_positions = missing.get(session.pk, 0)
        session.ready_reports = ready.get(session.pk, [])
        by_dialogue[session.dialogue].append(session)
    return render(request, "web/home.html", {"by_dialogue": dict(by_dialogue)})


def _latest_reports(session: Session, user) -> dict[str, Report]:
    latest: dict[str, Report] = {}
    for report in (
        report_selectors.report_list(user=user, session_id=session.pk)
        .defer("content")
        .order_by("kind", "-version")
    ):
        latest.setdefault(report.kind, report)
    return latest


@login_required
def session_detail(request, pk: int):
    """One page for everyone in the session, showing what the reader may see."""
    user = request.user
    session = _session_or_404(request, pk)
    agenda = list(selectors.agenda_by_urgency(user=user, session=session))
    delegations = list(selectors.delegation_list(user=user, session=session))
    points = list(
        consensus_selectors.point_list(user=user, session=session).exclude(
            status=Point.Status.WITHDRAWN
        )
    )
    figures = session_figures(session)
    stances = {p.pk: list(p.stances.all()) for p in points}
    names = {d["id"]: d["code"] for d in figures["delegations"]}
    heat = heat_map_rows(figures, stances, names, figures["delegations"])
    own = {m.delegation_id for d in delegations for m in d.members.all() if m.user_id == user.pk}
    positions = list(selectors.position_list(user=user).filter(delegation__session=session))
    reports = _latest_reports(session, user)
    convergence = None
    post = reports.get(Report.Kind.POST_SESSION_REPORT)
    if post and post.status == Report.Status.READY:
        convergence = Report.objects.values_list("content", flat=True).get(pk=post.pk)
        convergence = charts.convergence_chart(convergence.get("convergence", []))
    is_head = any(
        m.user_id == user.pk and m.role == MemberRole.HEAD
        for d in delegations
        for m in d.members.all()
    )
    return render(
        request,
        "web/session.html",
        {
            "session": session,
            "agenda": agenda,
            "delegations": delegations,
            "points": points,
            "figures": figures,
            "heat_map": charts.heat_map(heat, title=_("Consensus map")),
            "alignment": charts.alignment_matrix(
                [d["code"] for d in figures["delegations"]],
                [
                    {"participants": [names[a] for a in pair["delegations"]], **pair}
                    for pair in figures["alignment"]
                ],
                title=_("Alignment"),
            ),
            "convergence": convergence,
            "reports": reports,
            "positions_by_item": _positions_by_item(positions),
            "own_delegations": own,
            "can_manage": rules.can_manage(user, session),
            "is_head": is_head,
            "next_status": services.NEXT_STATUS.get(session.status),
            "position_window": session.status in services.POSITION_WINDOW,
            "agenda_window": session.status in services.AGENDA_WINDOW,
            "building": any(r.status in ("pending", "running") for r in reports.values()),
        },
    )


def _positions_by_item(positions) -> dict[int, list]:
    by_item: dict[int, list] = defaultdict(list)
    for position in positions:
        by_item[position.agenda_item_id].append(position)
    return by_item


@login_required
def position_edit(request, pk: int, item_id: int):
    """Log or revise one's delegation's position on an agenda item. A revision names the
    version it started from; if someone revised first, both texts are shown and the
    person chooses what to keep: nothing is lost."""
    user = request.user
    session = _session_or_404(request, pk)
    item = get_object_or_404(selectors.agenda_item_list(user=user, session=session), pk=item_id)
    membership = user.memberships.filter(session_id=session.pk).select_related("delegation").first()
    if membership is None:
        raise PermissionDenied
    delegation = membership.delegation
    position = delegation.positions.filter(agenda_item=item).first()
    current = position.versions.order_by("-number").first() if position else None
    conflict = None
    if request.method == "POST":
        form = PositionForm(request.POST)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "based_on"}
            try:
                if position is None:
                    services.position_log(
                        actor=user, delegation=delegation, agenda_item=item, **fields
                    )
                else:
                    services.position_revise(
                        actor=user,
                        position=position,
                        based_on=form.cleaned_data["based_on"] or 0,
                        **fields,
                    )
            except StaleVersion as exc:
                current = position.versions.order_by("-number").first()
                conflict = {"message": exc.message, "current": current, "mine": fields}
                # The form now revises the current version, still holding this text.
                form = PositionForm(initial={**fields, "based_on": current.number})
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("Your delegation's position is saved."))
                return redirect("web:session", pk=session.pk)
    else:
        initial = {"based_on": current.number if current else 0}
        if current:
            initial.update(
                text=current.text,
                summary=current.summary,
                red_lines=current.red_lines,
                proposed_language=current.proposed_language,
                visibility=current.visibility,
            )
        form = PositionForm(initial=initial)
    return render(
        request,
        "web/position_form.html",
        {
            "session": session,
            "item": item,
            "delegation": delegation,
            "position": position,
            "current": current,
            "form": form,
            "conflict": conflict,
            "open": session.status in services.POSITION_WINDOW,
        },
    )


@login_required
def position_history(request, pk: int):
    """Every version the reader may see, and a side-by-side difference of two."""
    user = request.user
    try:
        position = selectors.position_get(user=user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    versions = list(selectors.position_version_list(user=user, position=position))
    numbers = [v.number for v in versions]
    try:
        a = int(request.GET.get("a", numbers[-2] if len(numbers) > 1 else numbers[0]))
        b = int(request.GET.get("b", numbers[-1]))
    except ValueError:
        a, b = numbers[0], numbers[-1]
    by_number = {v.number: v for v in versions}
    old, new = by_number.get(a, versions[0]), by_number.get(b, versions[-1])
    diff_old, diff_new = side_by_side(old.text, new.text)
    return render(
        request,
        "web/position_history.html",
        {
            "position": position,
            "versions": versions,
            "old": old,
            "new": new,
            "diff_old": diff_old,
            "diff_new": diff_new,
            "session": position.delegation.session,
        },
    )


@login_required
def expectations_edit(request, pk: int):
    """The head sets what their delegation expects of each agenda item."""
    user = request.user
    try:
        delegation = selectors.delegation_list(user=user).get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    if not rules.is_head(user, delegation):
        raise PermissionDenied
    session = delegation.session
    items = list(selectors.agenda_by_urgency(user=user, session=session))
    current = {e.agenda_item_id: e for e in delegation.expectations.all()}
    if request.method == "POST":
        rows = []
        for item in items:
            outcome = request.POST.get(f"outcome-{item.pk}", "")
            if outcome:
                rows.append(
                    {
                        "agenda_item": item,
                        "outcome": outcome,
                        "importance": int(request.POST.get(f"importance-{item.pk}") or 3),
                    }
                )
        try:
            services.expectations_set(actor=user, delegation=delegation, items=rows)
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("Expectations saved."))
            return redirect("web:session", pk=session.pk)
    return render(
        request,
        "web/expectations.html",
        {
            "session": session,
            "delegation": delegation,
            "items": items,
            "current": current,
            "outcomes": Outcome.choices,
            "importance_range": range(1, 6),
        },
    )


@login_required
def agenda_edit(request, pk: int):
    """Facilitators build the agenda from the taxonomy while the session is a draft."""
    user = request.user
    session = _session_or_404(request, pk)
    if not rules.can_manage(user, session):
        raise PermissionDenied
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            item = get_object_or_404(session.agenda_items, pk=request.POST["delete"])
            try:
                services.agenda_item_delete(actor=user, item=item)
                messages.success(request, _("Agenda item removed."))
            except DomainError as exc:
                _fail(request, exc)
            return redirect("web:agenda", pk=session.pk)
        if form.is_valid():
            try:
                services.agenda_item_create(actor=user, session=session, **form.cleaned_data)
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("Agenda item added."))
                return redirect("web:agenda", pk=session.pk)
    return render(
        request,
        "web/agenda.html",
        {
            "session": session,
            "agenda": selectors.agenda_by_urgency(user=user, session=session),
            "form": form,
            "open": session.status in services.AGENDA_WINDOW,
        },
    )


@login_required
def transition(request, pk: int):
    """Move the session forward, after saying what the next status changes."""
    user = request.user
    session = _session_or_404(request, pk)
    if not rules.can_manage(user, session):
        raise PermissionDenied
    target = services.NEXT_STATUS.get(session.status)
    if request.method == "POST":
        try:
            services.session_transition(actor=user, session=session, to=request.POST.get("to", ""))
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(
                request,
                _("The session is now: %(status)s.") % {"status": session.get_status_display()},
            )
        return redirect("web:session", pk=session.pk)
    return render(
        request,
        "web/transition.html",
        {
            "session": session,
            "target": target,
            "target_label": Status(target).label if target else "",
            "effect": TRANSITION_EFFECTS.get(target, ""),
        },
    )


@login_required
def points_grid(request, pk: int):
    """Facilitators record points, and every delegation's stance on one grid of points
    by delegations."""
    user = request.user
    session = _session_or_404(request, pk)
    if not rules.can_manage(user, session):
        raise PermissionDenied
    delegations = list(selectors.delegation_list(user=user, session=session))
    point_form = PointForm(session=session, data=request.POST if "record" in request.POST else None)
    if request.method == "POST":
        if "record" in request.POST:
            if point_form.is_valid():
                try:
                    consensus_services.point_record(
                        actor=user, session=session, **point_form.cleaned()
                    )
                except DomainError as exc:
                    _fail(request, exc)
                else:
                    messages.success(request, _("Point recorded."))
                    return redirect("web:points", pk=session.pk)
        else:
            saved = _save_grid(request, session, delegations)
            if saved is not None:
                messages.success(request, _("%(count)s stances saved.") % {"count": saved})
                return redirect("web:points", pk=session.pk)
    points = list(consensus_selectors.point_list(user=user, session=session))
    for point in points:
        point.by_delegation = {s.delegation_id: s for s in point.stances.all()}
    return render(
        request,
        "web/points.html",
        {
            "session": session,
            "delegations": delegations,
            "points": points,
            "form": point_form,
            "stance_choices": Stance.Value.choices,
            "open": session.status in consensus_services.MANAGER_WINDOW,
        },
    )


def _save_grid(request, session: Session, delegations) -> int | None:
    """Save every changed cell of the grid; on the first refusal, say why and stop."""
    points = {p.pk: p for p in session.points.all()}
    # The stored stances, read once, to skip the cells that did not change.
    stored = {
        (s.point_id, s.delegation_id): s for s in Stance.objects.filter(point__session=session)
    }
    saved = 0
    for key, value in request.POST.items():
        if not key.startswith("stance-") or not value:
            continue
        _, point_id, delegation_id = key.split("-")
        point = points.get(int(point_id))
        delegation = next((d for d in delegations if d.pk == int(delegation_id)), None)
        if point is None or delegation is None:
            continue
        note = request.POST.get(f"note-{point_id}-{delegation_id}", "")
        existing = stored.get((point.pk, delegation.pk))
        if existing and existing.stance == value and existing.note == note:
            continue
        try:
            consensus_services.stance_set(
                actor=request.user, point=point, delegation=delegation, stance=value, note=note
            )
        except DomainError as exc:
            _fail(request, exc)
            return None
        saved += 1
    return saved


@login_required
def report_detail(request, pk: int):
    """A ready brief or report, laid out as its PDF is."""
    try:
        report = report_selectors.report_get(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    from reports.render import to_html

    document = None
    if report.status == Report.Status.READY:
        # The document's body only: its own <style> is for the PDF and would restyle the
        # whole page.
        html = to_html(report.content)
        document = mark_safe(html.split("<body>", 1)[1].rsplit("</body>", 1)[0])  # noqa: S308
    return render(
        request,
        "web/report.html",
        {
            "report": report,
            "session": report.session,
            "document": document,
            "can_export": rules.can_manage(request.user, report.session),
            "formats": FORMATS,
        },
    )


@login_required
def report_export(request, pk: int, fmt: str):
    try:
        report = report_selectors.report_get(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    if not rules.can_manage(request.user, report.session):
        raise PermissionDenied
    try:
        stream, mime, name = report_services.export_file(report, fmt)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("web:report", pk=report.pk)
    return FileResponse(stream, content_type=mime, as_attachment=True, filename=name)


@login_required
def report_request(request, pk: int):
    session = _session_or_404(request, pk)
    if request.method == "POST":
        if not rules.can_manage(request.user, session):
            raise PermissionDenied
        try:
            report_services.report_request(
                actor=request.user, session=session, kind=request.POST.get("kind", "")
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("The build has started."))
    return redirect("web:session", pk=session.pk)


@login_required
def reports_index(request):
    """Every report the person may export (admins: all), with a download per format."""
    user = request.user
    reports = report_selectors.report_list(user=user).defer("content").order_by("-created_at")
    if not rules.is_admin(user):
        reports = reports.filter(session_id__in=selectors.facilitated_session_ids(user))
    return render(request, "web/reports.html", {"reports": reports[:500], "formats": FORMATS})


@login_required
def inbox(request):
    notifications = list(notification_selectors.inbox(user=request.user)[:100])
    for notification in notifications:
        notification.title, notification.body = describe(notification.event)
    return render(request, "web/inbox.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(notification_selectors.inbox(user=request.user), pk=pk)
    notification_services.notification_mark_read(user=request.user, notification=notification)
    target = reverse("web:session", args=[notification.event.session_id])
    return redirect(request.POST.get("next") or target)
