"""The session life cycle (domain.md, "Session life cycle"): draft -> agenda_published
-> in_progress -> concluded -> report_published, one step forward at a time, moved only
by a facilitator of the session or an admin."""

import pytest

from debates import services
from debates.errors import InvalidInput, NotPermitted, WrongStatus
from debates.models import Session
from tests import factories

Status = Session.Status

STEPS = [
    (Status.DRAFT, Status.AGENDA_PUBLISHED),
    (Status.AGENDA_PUBLISHED, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.CONCLUDED),
    (Status.CONCLUDED, Status.REPORT_PUBLISHED),
]
NEXT = dict(STEPS)

MANAGERS = ["admin", "facilitator"]
NON_MANAGERS = ["head", "member", "other_head", "other_member", "observer", "outsider"]

# Every move that is not the next step: staying put, skipping ahead, going back, and
# anything at all from report_published.
WRONG_MOVES = [
    pytest.param(start, to, id=f"{start}->{to}")
    for start in Status.values
    for to in Status.values
    if NEXT.get(start) != to
]


def stored_status(session: Session) -> str:
    return Session.objects.values_list("status", flat=True).get(pk=session.pk)


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize(("start", "to"), STEPS)
def test_manager_moves_session_one_step_forward(make_world, role, start, to):
    world = make_world(status=start)
    if to == Status.REPORT_PUBLISHED:
        factories.ReportFactory(session=world.session)  # a ready post-session report

    moved = services.session_transition(actor=world.roles()[role], session=world.session, to=to)

    assert moved.status == to
    assert world.session.status == to
    assert stored_status(world.session) == to


@pytest.mark.parametrize("role", NON_MANAGERS)
@pytest.mark.parametrize(("start", "to"), STEPS)
def test_only_facilitator_or_admin_may_move_session(make_world, role, start, to):
    world = make_world(status=start)

    with pytest.raises(NotPermitted):
        services.session_transition(actor=world.roles()[role], session=world.session, to=to)

    assert stored_status(world.session) == start


def test_facilitator_of_another_session_cannot_move_this_one(world):
    elsewhere = factories.UserFactory()
    factories.SessionFactory(dialogue=world.session.dialogue).facilitators.add(elsewhere)

    with pytest.raises(NotPermitted):
        services.session_transition(
            actor=elsewhere, session=world.session, to=Status.AGENDA_PUBLISHED
        )

    assert stored_status(world.session) == Status.DRAFT


def test_inactive_admin_cannot_move_session(world):
    world.admin.is_active = False
    world.admin.save(update_fields=["is_active"])

    with pytest.raises(NotPermitted):
        services.session_transition(
            actor=world.admin, session=world.session, to=Status.AGENDA_PUBLISHED
        )


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize(("start", "to"), WRONG_MOVES)
def test_session_moves_only_to_the_next_status(make_world, role, start, to):
    world = make_world(status=start)

    with pytest.raises(WrongStatus) as refused:
        services.session_transition(actor=world.roles()[role], session=world.session, to=to)

    expected = NEXT.get(start)
    reason = f"the next status is '{expected}'" if expected else "it is already final"
    assert reason in refused.value.message
    assert stored_status(world.session) == start


@pytest.mark.parametrize("to", Status.values)
def test_nothing_moves_a_session_whose_report_is_published(make_world, to):
    world = make_world(status=Status.REPORT_PUBLISHED)

    with pytest.raises(WrongStatus, match="already final"):
        services.session_transition(actor=world.admin, session=world.session, to=to)

    assert stored_status(world.session) == Status.REPORT_PUBLISHED


@pytest.mark.parametrize(
    "existing", [None, "pending", "failed", "ready_brief"], ids=lambda e: f"report={e}"
)
def test_publishing_the_report_needs_a_ready_post_session_report(make_world, existing):
    world = make_world(status=Status.CONCLUDED)
    if existing == "ready_brief":
        factories.ReportFactory(session=world.session, kind="pre_session_brief")
    elif existing:
        factories.ReportFactory(session=world.session, status=existing)

    with pytest.raises(WrongStatus, match="no post-session report is ready"):
        services.session_transition(
            actor=world.facilitator, session=world.session, to=Status.REPORT_PUBLISHED
        )

    assert stored_status(world.session) == Status.CONCLUDED


def test_publishing_the_report_marks_the_latest_ready_one_published(make_world):
    world = make_world(status=Status.CONCLUDED)
    older = factories.ReportFactory(session=world.session, version=1)
    latest = factories.ReportFactory(session=world.session, version=2)
    factories.ReportFactory(session=world.session, version=3, status="failed")

    services.session_transition(
        actor=world.facilitator, session=world.session, to=Status.REPORT_PUBLISHED
    )

    older.refresh_from_db()
    latest.refresh_from_db()
    assert older.published_at is None
    assert latest.published_at is not None


@pytest.mark.parametrize("role", MANAGERS)
def test_publishing_an_empty_agenda_is_refused(world, role):
    world.item.delete()

    with pytest.raises(WrongStatus, match="empty agenda"):
        services.session_transition(
            actor=world.roles()[role], session=world.session, to=Status.AGENDA_PUBLISHED
        )

    assert stored_status(world.session) == Status.DRAFT


@pytest.mark.parametrize("start", Status.values)
@pytest.mark.parametrize("role", MANAGERS)
def test_unknown_status_is_invalid_input(make_world, role, start):
    world = make_world(status=start)

    with pytest.raises(InvalidInput) as refused:
        services.session_transition(actor=world.roles()[role], session=world.session, to="closed")

    assert refused.value.field == "to"
    assert stored_status(world.session) == start


def test_stale_instance_cannot_repeat_a_transition(world):
    # Two facilitators holding the same draft: the second "publish" finds the stored
    # status already moved on.
    stale = Session.objects.get(pk=world.session.pk)
    services.session_transition(
        actor=world.facilitator, session=world.session, to=Status.AGENDA_PUBLISHED
    )

    with pytest.raises(WrongStatus):
        services.session_transition(actor=world.admin, session=stale, to=Status.AGENDA_PUBLISHED)

    assert stored_status(world.session) == Status.AGENDA_PUBLISHED
