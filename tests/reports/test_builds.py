"""Report builds on the worker: a failure ends `failed` with its reason and a rebuild
makes a new version; a build runs once; the relay hands a build whose worker died back
to a worker; and building a document runs a fixed number of queries, whatever the size
of the session."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from consensus.models import Point, Stance
from debates.errors import WrongStatus
from debates.models import Outcome, Rule, Session, SessionLink, Topic, Visibility
from notifications.models import Event, EventKind
from reports import content as builders
from reports import services as report_services
from reports.models import Report
from reports.render import FORMATS
from tests import factories


def ready_events(report: Report) -> int:
    return Event.objects.filter(
        kind=EventKind.REPORT_READY, object_id=str(report.pk), session=report.session
    ).count()


def test_a_build_that_cannot_store_its_exports_ends_failed_with_the_reason(chain, settings):
    report = chain.report(chain.s2, "post_session_report")
    # A storage the worker cannot write to (no directory can be made under /proc).
    settings.MEDIA_ROOT = "/proc/trackbridge-reports"

    assert report_services.report_build(report_id=report.pk) == "failed"

    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error.startswith("FileNotFoundError: ")
    assert "/proc/trackbridge-reports" in report.error
    assert report.finished_at is not None
    # Nothing half-done is kept: no content, no exports, nobody told it is ready.
    assert report.content is None
    assert report.exports == {}
    assert ready_events(report) == 0
    with pytest.raises(WrongStatus, match="This report is failed"):
        report_services.export_file(report, "pdf")
    # A failed build is not tried again by running it again.
    assert report_services.report_build(report_id=report.pk) == "skipped"


def test_a_failed_build_is_rebuilt_as_a_new_version_and_the_old_one_is_kept(
    chain, settings, tmp_path
):
    failed = chain.report(chain.s2, "post_session_report")
    settings.MEDIA_ROOT = "/proc/trackbridge-reports"
    assert report_services.report_build(report_id=failed.pk) == "failed"
    settings.MEDIA_ROOT = str(tmp_path / "media")

    rebuilt = report_services.report_rebuild(actor=chain.facilitator, report=failed)
    assert (rebuilt.version, rebuilt.status, rebuilt.requested_by) == (
        2,
        "pending",
        chain.facilitator,
    )
    assert report_services.report_build(report_id=rebuilt.pk) == "ready"

    rebuilt.refresh_from_db()
    failed.refresh_from_db()
    assert (rebuilt.status, rebuilt.error) == ("ready", "")
    assert rebuilt.content["kind"] == "post_session_report"
    assert set(rebuilt.exports) == set(FORMATS)
    assert all(default_storage.exists(path) for path in rebuilt.exports.values())
    assert ready_events(rebuilt) == 1
    # The old version stays as it ended.
    assert (failed.version, failed.status) == (1, "failed")
    assert failed.error.startswith("FileNotFoundError")
    assert list(
        Report.objects.filter(session=chain.s2, kind="post_session_report").values_list(
            "version", "status"
        )
    ) == [(2, "ready"), (1, "failed")]


def test_a_build_run_twice_does_nothing_the_second_time(chain):
    report = chain.report(chain.s1, "post_session_report")
    assert report_services.report_build(report_id=report.pk) == "ready"
    report.refresh_from_db()
    first = (report.content, report.exports, report.started_at, report.finished_at)

    # The twin task (a redelivered message, the relay) finds it built.
    assert report_services.report_build(report_id=report.pk) == "skipped"

    report.refresh_from_db()
    assert (report.content, report.exports, report.started_at, report.finished_at) == first
    assert ready_events(report) == 1
    assert Report.objects.filter(session=chain.s1, kind="post_session_report").count() == 1


@pytest.fixture
def tasks_run_at_once():
    """Celery as the project runs it without a broker (CELERY_TASK_ALWAYS_EAGER in
    config/settings.py): a task handed over runs at once, in this process."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_the_relay_hands_a_build_whose_worker_died_back_to_a_worker(
    chain, settings, tasks_run_at_once
):
    settings.REPORT_BUILD_TIMEOUT_SECONDS = 1800
    settings.NOTIFY_RELAY_GRACE_SECONDS = 600
    now = timezone.now()
    # S2's report: claimed 31 minutes ago by a worker that never finished.
    stale = chain.report(chain.s2, "post_session_report")
    Report.objects.filter(pk=stale.pk).update(
        status="running",
        created_at=now - timedelta(minutes=40),
        started_at=now - timedelta(minutes=31),
    )
    # S1's report: running for a minute, within the timeout.
    busy = chain.report(chain.s1, "post_session_report")
    Report.objects.filter(pk=busy.pk).update(
        status="running",
        created_at=now - timedelta(minutes=40),
        started_at=now - timedelta(minutes=1),
    )
    # The briefs: pending, but just requested (their message may still be on its way).

    assert report_services.reports_relay() == 1

    stale.refresh_from_db()
    busy.refresh_from_db()
    assert stale.status == "ready"
    assert stale.started_at > now - timedelta(minutes=1)
    assert stale.content["kind"] == "post_session_report"
    assert busy.status == "running"
    assert set(
        Report.objects.filter(
            kind="pre_session_brief", session__dialogue=chain.s1.dialogue
        ).values_list("status", flat=True)
    ) == {"pending"}


# Query budget ---------------------------------------------------------------------------

AGREE, DISAGREE, RESERVE, ABSTAIN = Stance.Value.values


def session_of_size(n: int) -> Session:
    """A concluded on-record session with n delegations, building on a concluded Chatham
    House session of the same n parties. Each session has 2n confirmed points on the
    topic (and a proposed and a withdrawn one), every delegation's stance on each, and
    each delegation's position in three versions; the later session carries on half of
    the earlier one's points; expectations differ on the item."""
    dialogue = factories.DialogueFactory()
    by = factories.UserFactory()
    parties = [factories.PartyFactory(dialogue=dialogue) for _ in range(n)]
    earlier = factories.SessionFactory(
        dialogue=dialogue, rule=Rule.CHATHAM_HOUSE, status=Session.Status.REPORT_PUBLISHED
    )
    session = factories.SessionFactory(
        dialogue=dialogue,
        rule=Rule.ON_RECORD,
        status=Session.Status.CONCLUDED,
        track=Session.Track.TRACK_1,
        starts_at=earlier.starts_at + timedelta(days=30),
        ends_at=earlier.starts_at + timedelta(days=31),
    )
    SessionLink.objects.create(session=session, earlier=earlier)
    carried = []
    for current in (earlier, session):
        current.facilitators.add(by)
        item = factories.AgendaItemFactory(session=current, topic=factories.topic())
        factories.AgendaItemFactory(
            session=current, topic=Topic.objects.get(code="militarization"), urgency=5
        )
        delegations = [factories.DelegationFactory(session=current, party=p) for p in parties]
        for i, delegation in enumerate(delegations):
            member = factories.DelegationMemberFactory(delegation=delegation).user
            factories.ExpectationFactory(
                delegation=delegation,
                agenda_item=item,
                outcome=[Outcome.JOINT_STATEMENT, Outcome.EXCHANGE_VIEWS][i % 2],
            )
            position = factories.PositionFactory(
                delegation=delegation, agenda_item=item, current_version=3
            )
            for number, visibility in enumerate(
                [Visibility.SESSION, Visibility.PUBLIC, Visibility.DELEGATION], start=1
            ):
                factories.PositionVersionFactory(
                    position=position, number=number, visibility=visibility, author=member
                )
        points = []
        for j in range(2 * n):
            origin = carried[j] if current is session and j < n else None
            point = factories.PointFactory(
                session=current,
                agenda_item=item,
                recorded_by=by,
                statement=f"Point {j} names {parties[j % n].name}",
                carried_from=origin,
                carry_status="reaffirmed" if origin else "new",
            )
            points.append(point)
            for k, delegation in enumerate(delegations):
                factories.StanceFactory(
                    point=point,
                    delegation=delegation,
                    stance=[AGREE, DISAGREE, RESERVE, ABSTAIN][(j + k) % 4],
                    note=f"Note of {parties[k].code}",
                    recorded_by=by,
                )
        for status in (Point.Status.PROPOSED, Point.Status.WITHDRAWN):
            factories.PointFactory(session=current, agenda_item=item, status=status, recorded_by=by)
        carried = points
    return session


# What building a document reads, whatever the number of points, stances, versions,
# delegations or sessions in the chain:
# the brief: the ancestors, their sessions, the parties, the people (for scrubbing), the
# agenda, the carried points, their stances, the delegations per session, the latest
# readable versions and the expectations;
BRIEF_QUERIES = 10
# the report: the ancestors, sessions, parties, people and agenda (5); the stances of the
# session's points (1); the session's figures, which count those stances (4: delegations,
# agenda items, points, expectations); its points with their lineage (1); the readable
# versions, which give the moved positions too (1); and the agenda items' levels in the
# earlier sessions of the chain, for the convergence (3: delegations per session,
# confirmed points per item, `agree` stances per item; none without earlier sessions).
REPORT_QUERIES = 5 + 1 + 4 + 1 + 1 + 3


@pytest.mark.parametrize("size", [2, 10])
def test_building_a_document_runs_the_same_queries_whatever_the_size_of_the_session(
    db, size, django_assert_num_queries
):
    session = session_of_size(size)
    assert Point.objects.filter(session=session).count() == 2 * size + 2
    assert Stance.objects.filter(point__session=session).count() == 2 * size * size

    with django_assert_num_queries(BRIEF_QUERIES):
        brief = builders.build_brief(session, seed="budget")
    with django_assert_num_queries(REPORT_QUERIES):
        report = builders.build_post_session_report(session, seed="budget", brief=brief)

    # Everything was read: every carried point, every point, moved position and party.
    (item,) = [i for i in brief["items"] if i["carried"]["agreed"] or i["carried"]["partial"]
               or i["carried"]["divergent"]]  # fmt: skip
    assert sum(len(g) for g in item["carried"].values()) == 2 * size
    assert len(item["positions"]) == size
    assert len(report["points"]) == 2 * size + 1  # and the proposed one
    assert len(report["moved_positions"]) == size
    assert len(report["figures"]["delegations"]) == size


def test_a_report_runs_the_same_queries_whatever_the_length_of_the_chain(
    chain, django_assert_num_queries
):
    # S2 builds on S1; S3 on S2 and so on S1.
    for session in (chain.s2, chain.s3):
        with django_assert_num_queries(REPORT_QUERIES):
            report = builders.build_post_session_report(session, seed="budget", brief=None)
        assert len(report["builds_on"]) == {chain.s2: 1, chain.s3: 2}[session]
