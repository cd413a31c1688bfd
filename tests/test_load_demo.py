"""`manage.py load_demo` tells the story of design/scenario.md, and telling it twice
leaves one copy."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from consensus.models import Point
from debates.models import Dialogue, Expectation, Position, Session

TITLE = "China-US dialogue on AI safety and governance"
DEMO_USERS = ["admin", "facilitator", "cn_head", "cn_member", "us_head", "us_member", "observer"]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db) -> Dialogue:
    """The demo, loaded twice."""
    load_demo()
    load_demo()
    return Dialogue.objects.get(title=TITLE)


def sessions(dialogue: Dialogue) -> list[Session]:
    return list(dialogue.sessions.order_by("starts_at"))


def stances(point: Point) -> dict[str, str]:
    rows = point.stances.select_related("delegation__party")
    return {row.delegation.party.code: row.stance for row in rows}


def test_loading_twice_leaves_one_copy_of_the_demo(demo):
    assert Dialogue.objects.filter(title=TITLE).count() == 1
    assert demo.sessions.count() == 3
    assert sorted(demo.parties.values_list("code", flat=True)) == ["CN", "US"]
    assert User.objects.filter(username__in=DEMO_USERS).count() == len(DEMO_USERS)
    assert Point.objects.filter(session__dialogue=demo).count() == 6


def test_sessions_follow_the_scenario_table(demo):
    first, second, third = sessions(demo)
    assert [(s.title, s.track, s.rule, s.status) for s in (first, second, third)] == [
        ("Track II preliminary meeting", "track_2", "chatham_house", "report_published"),
        ("First intergovernmental dialogue on AI", "track_1", "on_record", "report_published"),
        ("Track II review", "track_2", "chatham_house", "draft"),
    ]
    assert list(first.builds_on.all()) == []
    assert list(second.builds_on.all()) == [first]
    assert list(third.builds_on.all()) == [second]


def test_every_session_has_its_people(demo):
    for session in sessions(demo):
        assert list(session.facilitators.values_list("username", flat=True)) == ["facilitator"]
        assert list(session.observers.values_list("username", flat=True)) == ["observer"]
        members = {
            (m.delegation.party.code, m.user.username, m.role)
            for d in session.delegations.all()
            for m in d.members.select_related("delegation__party", "user")
        }
        assert members == {
            ("CN", "cn_head", "head"),
            ("CN", "cn_member", "member"),
            ("US", "us_head", "head"),
            ("US", "us_member", "member"),
        }


def test_agendas_carry_the_scenario_topics(demo):
    topics = [list(s.agenda_items.values_list("topic__code", flat=True)) for s in sessions(demo)]
    four = ["reliability-controllability", "malicious-use", "militarization", "climate-governance"]
    assert topics[0] == four
    assert topics[1] == [*four, "governance-gaps"]
    left_open = Point.objects.get(session=sessions(demo)[1], kind="divergence")
    assert topics[2] == [left_open.agenda_item.topic.code]


def test_first_session_records_an_agreement_a_divergence_and_a_partial_point(demo):
    first = sessions(demo)[0]
    points = {p.kind: p for p in first.points.all()}
    assert set(points) == {"agreement", "divergence", "partial"}
    assert all(p.status == "confirmed" and p.carry_status == "new" for p in points.values())
    assert points["agreement"].statement.startswith("Pre-deployment testing and evaluation")
    assert stances(points["agreement"]) == {"CN": "agree", "US": "agree"}
    assert stances(points["divergence"]) == {"CN": "agree", "US": "disagree"}
    assert stances(points["partial"]) == {"CN": "agree", "US": "reserve"}
    positions = Position.objects.filter(agenda_item__session=first)
    assert positions.count() == 8
    assert {p.current_version for p in positions} == {1}


def test_second_session_carries_the_three_points_over(demo):
    first, second = sessions(demo)[:2]
    earlier = {p.kind: p for p in first.points.all()}
    carried = {p.carried_from_id: p for p in second.points.all()}
    assert set(carried) == {p.pk for p in earlier.values()}

    reaffirmed = carried[earlier["agreement"].pk]
    assert (reaffirmed.kind, reaffirmed.carry_status) == ("agreement", "reaffirmed")
    assert stances(reaffirmed) == {"CN": "agree", "US": "agree"}

    reopened = carried[earlier["divergence"].pk]
    assert (reopened.kind, reopened.carry_status) == ("divergence", "reopened")
    assert stances(reopened) == {"CN": "agree", "US": "disagree"}

    superseded = carried[earlier["partial"].pk]
    assert (superseded.kind, superseded.carry_status) == ("agreement", "superseded")
    assert stances(superseded) == {"CN": "agree", "US": "agree"}

    for point in carried.values():
        assert point.agenda_item.topic_id == point.carried_from.agenda_item.topic_id


def test_second_session_positions_are_at_version_two(demo):
    second = sessions(demo)[1]
    positions = Position.objects.filter(agenda_item__session=second).prefetch_related("versions")
    assert positions.count() == 10
    for position in positions:
        assert position.current_version == 2
        assert [v.number for v in position.versions.all()] == [1, 2]


def test_second_session_expectations_differ_on_exactly_one_item(demo):
    second = sessions(demo)[1]
    by_item: dict[str, dict[str, str]] = {}
    for e in Expectation.objects.filter(agenda_item__session=second).select_related(
        "agenda_item__topic", "delegation__party"
    ):
        by_item.setdefault(e.agenda_item.topic.code, {})[e.delegation.party.code] = e.outcome
    assert len(by_item) == 5
    differing = [outcomes for outcomes in by_item.values() if len(set(outcomes.values())) > 1]
    assert len(differing) == 1
    assert set(differing[0].values()) == {"joint_statement", "exchange_views"}


def test_demo_people_sign_in_with_demo(demo):
    for username in DEMO_USERS:
        assert authenticate(username=username, password="demo") is not None, username
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="cn_head").language == "zh-hans"
    assert User.objects.get(username="us_head").language == "en"


def test_rerun_resets_a_changed_password_and_reactivates(demo):
    user = User.objects.get(username="us_member")
    user.set_password("something else")
    user.is_active = False
    user.save()

    out = load_demo()

    assert "already loaded" in out
    assert authenticate(username="us_member", password="demo") is not None
    assert Dialogue.objects.filter(title=TITLE).count() == 1


def test_output_prints_the_urls_and_every_login(db):
    out = load_demo()
    assert "http://127.0.0.1:8000/" in out
    assert "http://127.0.0.1:8000/admin/" in out
    logins = [line.split()[:2] for line in out.splitlines() if line.strip()]
    for username in DEMO_USERS:
        assert [username, "demo"] in logins
