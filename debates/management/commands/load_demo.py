"""`manage.py load_demo`: the demo dialogue of design/scenario.md.

Everything is written through the services, with the person each rule expects (the
admin sets up, the facilitator runs sessions and records points, heads set expectations,
members log positions), so the demo obeys every rule a real dialogue does. The whole
load is one transaction: a failure leaves nothing behind.

Idempotent: when the demo dialogue exists (by title) the story is not told again; the
demo people are only made usable again (password `demo`, active). Only this command
creates them, so a production database never holds a `demo` password.

The story is told one session step at a time (`agenda_publish`, `session_conclude`,
`report_publish`...). The briefs and reports that publishing an agenda and concluding a
session start are built right away, in the same transaction, rather than by a worker:
the story goes on from them (session 2 revises positions after its brief, and a report
must be ready to be published), and the demo must show them whatever the broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from consensus import services as consensus
from consensus.models import Point, Stance
from debates import services
from debates.models import (
    AgendaItem,
    Delegation,
    Dialogue,
    MemberRole,
    Outcome,
    Party,
    Position,
    Rule,
    Session,
    Topic,
    Visibility,
)
from reports import services as report_services
from reports.models import Report

DIALOGUE_TITLE = "China-US dialogue on AI safety and governance"
DIALOGUE_DESCRIPTION = (
    "A standing dialogue between China and the United States on AI safety and "
    "governance. Track II meetings prepare the intergovernmental sessions and review "
    "what they leave open."
)
PASSWORD = "demo"  # noqa: S105 - the demo's published password (design/scenario.md)
SITE_URL = "http://127.0.0.1:8000/"

Status = Session.Status
Kind = Point.Kind
Carry = Point.CarryStatus
AGREE, DISAGREE, RESERVE = Stance.Value.AGREE, Stance.Value.DISAGREE, Stance.Value.RESERVE

CN, US = "CN", "US"
RELIABILITY = "reliability-controllability"
MALICIOUS_USE = "malicious-use"
MILITARIZATION = "militarization"
CLIMATE = "climate-governance"
GOVERNANCE_GAPS = "governance-gaps"


# People -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    language: str
    role: str  # as the login table describes it
    admin: bool = False


PEOPLE = (
    Person("admin", "Administrator", "en", "admin (staff)", admin=True),
    Person("facilitator", "Facilitator", "en", "facilitator of every session"),
    Person("cn_head", "Li Wei", "zh-hans", "head of China's delegation"),
    Person("cn_member", "Wang Fang", "zh-hans", "member of China's delegation"),
    Person("us_head", "Jordan Smith", "en", "head of the United States' delegation"),
    Person("us_member", "Taylor Brown", "en", "member of the United States' delegation"),
    Person("observer", "Observer", "en", "observer of every session"),
)
HEADS = {CN: "cn_head", US: "us_head"}
MEMBERS = {CN: "cn_member", US: "us_member"}


def people_ensure() -> dict[str, User]:
    """Create the demo people, or make existing ones usable again: password `demo`,
    active, and the admin an admin (the set-up steps need one)."""
    people = {}
    for person in PEOPLE:
        user, _ = User.objects.get_or_create(
            username=person.username,
            defaults={
                "display_name": person.display_name,
                "email": f"{person.username}@example.org",
                "language": person.language,
            },
        )
        user.set_password(PASSWORD)
        user.is_active = True
        if person.admin:
            user.is_staff = user.is_superuser = True
        user.save(update_fields=["password", "is_active", "is_staff", "is_superuser"])
        people[person.username] = user
    return people


# What the story says ------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    topic: str
    objective: str
    urgency: int
    minutes: int = 45


def text(
    body: str,
    summary: str,
    visibility: str,
    red_lines: str = "",
    proposed_language: str = "",
) -> dict[str, str]:
    return {
        "text": body,
        "summary": summary,
        "visibility": visibility,
        "red_lines": red_lines,
        "proposed_language": proposed_language,
    }


SESSION_1_AGENDA = [
    Item(
        RELIABILITY,
        "Find common ground on testing and evaluating frontier models before deployment.",
        urgency=5,
        minutes=60,
    ),
    Item(MALICIOUS_USE, "Explore a shared channel for reporting incidents of misuse.", 4),
    Item(MILITARIZATION, "Identify where the two sides diverge on military uses of AI.", 4),
    Item(CLIMATE, "Exchange views on joint projects using AI for climate governance.", 2, 30),
]

SESSION_1_POSITIONS = {
    (CN, RELIABILITY): text(
        "Frontier models should be tested for reliability and controllability before "
        "deployment. Testing standards should be developed jointly and open to all countries.",
        "Joint, open testing standards",
        Visibility.SESSION,
    ),
    (US, RELIABILITY): text(
        "Developers of frontier models should evaluate them for dangerous capabilities "
        "before deployment, with results shared with national AI safety institutes.",
        "Pre-deployment evaluations through safety institutes",
        Visibility.PUBLIC,
    ),
    (CN, MALICIOUS_USE): text(
        "Misuse by non-state actors is a shared risk. An incident-reporting channel should "
        "be open to both governments and to developers.",
        "Incident channel for governments and developers",
        Visibility.DELEGATION,
        red_lines="The channel must not become a tool for unilateral sanctions.",
    ),
    (US, MALICIOUS_USE): text(
        "We support a channel for reporting serious incidents of misuse, starting with "
        "technical contacts and limited to non-state actors.",
        "Incident channel between technical contacts",
        Visibility.SESSION,
    ),
    (CN, MILITARIZATION): text(
        "Export controls on chips and models obstruct cooperation on AI safety; they belong "
        "on the agenda alongside military uses of AI.",
        "Export controls belong on the agenda",
        Visibility.SESSION,
    ),
    (US, MILITARIZATION): text(
        "Export controls are a national security matter and not for negotiation here. The "
        "discussion should focus on human control over the use of force.",
        "Export controls stay off the agenda",
        Visibility.DELEGATION,
        red_lines="No negotiation of export controls.",
    ),
    (CN, CLIMATE): text(
        "AI for climate modelling and grid management is a promising field for joint pilot "
        "projects.",
        "Joint pilot projects",
        Visibility.PUBLIC,
    ),
    (US, CLIMATE): text(
        "Open climate datasets and shared benchmarks would let researchers of both countries "
        "work together.",
        "Open datasets and benchmarks",
        Visibility.PUBLIC,
    ),
}

AGREEMENT = "Pre-deployment testing and evaluation of frontier models"
DIVERGENCE = "Whether export controls belong on the agenda"
PARTIAL = "A shared AI incident-reporting channel"
CHANNEL_AGREED = "A shared AI incident-reporting channel between designated technical contacts"

SESSION_2_AGENDA = [
    Item(
        RELIABILITY,
        "Adopt the Track II agreement on pre-deployment testing as a shared principle.",
        urgency=5,
        minutes=60,
    ),
    Item(MALICIOUS_USE, "Settle the scope of a shared incident-reporting channel.", 4),
    Item(MILITARIZATION, "Address the divergence on export controls carried from Track II.", 5),
    Item(CLIMATE, "Exchange views on joint climate projects.", 2, 30),
    Item(
        GOVERNANCE_GAPS,
        "Map where the two governance systems are incompatible and the gaps this leaves.",
        3,
    ),
]

# (outcome, importance) per agenda item: the two sides differ on militarization only.
SESSION_2_EXPECTATIONS = {
    CN: {
        RELIABILITY: (Outcome.JOINT_STATEMENT, 5),
        MALICIOUS_USE: (Outcome.AGREED_ACTION, 4),
        MILITARIZATION: (Outcome.JOINT_STATEMENT, 4),
        CLIMATE: (Outcome.EXCHANGE_VIEWS, 2),
        GOVERNANCE_GAPS: (Outcome.IDENTIFY_DIVERGENCE, 3),
    },
    US: {
        RELIABILITY: (Outcome.JOINT_STATEMENT, 4),
        MALICIOUS_USE: (Outcome.AGREED_ACTION, 5),
        MILITARIZATION: (Outcome.EXCHANGE_VIEWS, 3),
        CLIMATE: (Outcome.EXCHANGE_VIEWS, 2),
        GOVERNANCE_GAPS: (Outcome.IDENTIFY_DIVERGENCE, 3),
    },
}

# Version 1, logged when the agenda is published, and version 2, revised after the brief.
SESSION_2_POSITIONS = {
    (CN, RELIABILITY): (
        text(
            "Testing standards for frontier models should be joint and open to all countries, "
            "building on the Track II agreement.",
            "Joint, open testing standards",
            Visibility.SESSION,
        ),
        text(
            "Adopt the Track II agreement on pre-deployment testing as a shared principle; "
            "technical standards to follow through international standards bodies.",
            "Adopt pre-deployment testing as a principle",
            Visibility.PUBLIC,
        ),
    ),
    (US, RELIABILITY): (
        text(
            "Frontier models should be evaluated for dangerous capabilities before deployment "
            "by their developers, checked by national AI safety institutes.",
            "Developer evaluations checked by safety institutes",
            Visibility.SESSION,
        ),
        text(
            "Endorse pre-deployment testing and evaluation as a shared principle, which each "
            "side implements through its own institutions.",
            "Endorse pre-deployment testing as a principle",
            Visibility.PUBLIC,
        ),
    ),
    (CN, MALICIOUS_USE): (
        text(
            "An incident-reporting channel open to governments and developers of both countries.",
            "Channel for governments and developers",
            Visibility.DELEGATION,
            red_lines="The channel must not become a tool for unilateral sanctions.",
        ),
        text(
            "A channel between designated technical contacts of both governments, for "
            "serious incidents of misuse by non-state actors.",
            "Channel between technical contacts",
            Visibility.SESSION,
            red_lines="The channel must not become a tool for unilateral sanctions.",
        ),
    ),
    (US, MALICIOUS_USE): (
        text(
            "A channel limited to technical contacts; its scope and participants to be agreed "
            "before it opens.",
            "Scope first",
            Visibility.DELEGATION,
        ),
        text(
            "Accept a channel between designated technical contacts for serious incidents of "
            "misuse by non-state actors, with a review of its scope after one year.",
            "Channel between technical contacts, reviewed after a year",
            Visibility.SESSION,
        ),
    ),
    (CN, MILITARIZATION): (
        text(
            "Export controls on chips and models undermine cooperation on AI safety and belong "
            "on the agenda alongside military uses of AI.",
            "Export controls belong on the agenda",
            Visibility.SESSION,
        ),
        text(
            "Keep export controls on the agenda, and seek a joint statement on human control "
            "over military uses of AI.",
            "Export controls on the agenda; joint statement on human control",
            Visibility.SESSION,
            proposed_language=(
                "The two sides affirm the need to maintain human control over the decision "
                "to use nuclear weapons."
            ),
        ),
    ),
    (US, MILITARIZATION): (
        text(
            "Export controls are a national security measure and not open to negotiation in "
            "this dialogue.",
            "Export controls stay off the agenda",
            Visibility.DELEGATION,
            red_lines="No negotiation of export controls.",
        ),
        text(
            "Export controls stay off the agenda; we are open to an exchange of views on "
            "military uses of AI and human control over the use of force.",
            "Exchange of views on military AI, not export controls",
            Visibility.DELEGATION,
            red_lines="No negotiation of export controls.",
        ),
    ),
    (CN, CLIMATE): (
        text(
            "Propose joint pilot projects on AI for climate modelling and grid management.",
            "Joint pilot projects",
            Visibility.PUBLIC,
        ),
        text(
            "Propose two joint pilot projects, on climate modelling and on grid management, "
            "under an open data policy.",
            "Two pilot projects with open data",
            Visibility.PUBLIC,
        ),
    ),
    (US, CLIMATE): (
        text(
            "Support open climate datasets and shared benchmarks for researchers of both "
            "countries.",
            "Open datasets and benchmarks",
            Visibility.PUBLIC,
        ),
        text(
            "Support open climate datasets and shared benchmarks, with pilot projects run by "
            "universities and research institutes.",
            "Open data; pilots through research institutes",
            Visibility.PUBLIC,
        ),
    ),
    (CN, GOVERNANCE_GAPS): (
        text(
            "Incompatible governance systems leave regulatory gaps; both sides should support "
            "global AI governance centred on the United Nations.",
            "UN-centred global governance",
            Visibility.SESSION,
        ),
        text(
            "Map where the two regulatory systems diverge, and close the gaps through global AI "
            "governance centred on the United Nations.",
            "Map the gaps; UN-centred governance",
            Visibility.SESSION,
        ),
    ),
    (US, GOVERNANCE_GAPS): (
        text(
            "Different regulatory approaches can coexist; interoperability through shared "
            "technical standards matters most.",
            "Interoperability through standards",
            Visibility.SESSION,
        ),
        text(
            "Start with a joint mapping of the two regulatory systems, then pursue "
            "interoperability through shared technical standards.",
            "Map the systems; interoperable standards",
            Visibility.SESSION,
        ),
    ),
}


# The story ----------------------------------------------------------------------------


@dataclass
class Staged:
    """One session of the story and what has been built in it so far."""

    session: Session
    delegations: dict[str, Delegation]  # by party code
    items: dict[str, AgendaItem] = field(default_factory=dict)  # by topic code
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    points: dict[str, Point] = field(default_factory=dict)  # by role in the story


def day_at(days: int, hour: int) -> datetime:
    """`days` from today (negative: in the past), at `hour` in the current time zone."""
    now = timezone.localtime()
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


class Story:
    def __init__(self, people: dict[str, User]) -> None:
        self.people = people
        self.admin = people["admin"]
        self.facilitator = people["facilitator"]
        self.parties: dict[str, Party] = {}

    def tell(self) -> Dialogue:
        dialogue = self.dialogue_create()
        first = self.session_1(dialogue)
        second = self.session_2(dialogue, first)
        self.session_3(dialogue, second)
        return dialogue

    def dialogue_create(self) -> Dialogue:
        dialogue = services.dialogue_create(
            actor=self.admin,
            title=DIALOGUE_TITLE,
            description=DIALOGUE_DESCRIPTION,
            languages=("en", "zh-hans"),
            default_rule=Rule.CHATHAM_HOUSE,
        )
        for code, name in ((CN, "China"), (US, "United States")):
            self.parties[code] = services.party_create(
                actor=self.admin, dialogue=dialogue, name=name, code=code
            )
        return dialogue

    # The three sessions ---------------------------------------------------------------

    def session_1(self, dialogue: Dialogue) -> Staged:
        """Track II meets first: positions, then an agreement, a divergence and a
        partial point, each with both delegations' stances."""
        staged = self.session_open(
            dialogue,
            title="Track II preliminary meeting",
            track=Session.Track.TRACK_2,
            rule=Rule.CHATHAM_HOUSE,
            starts_at=day_at(-42, 9),
            days=2,
            location="Beijing",
        )
        self.agenda_build(staged, SESSION_1_AGENDA)
        self.agenda_publish(staged)
        self.positions_log(staged, SESSION_1_POSITIONS)
        self.session_start(staged)
        self.point_record(
            staged,
            "agreement",
            RELIABILITY,
            Kind.AGREEMENT,
            AGREEMENT,
            stances={
                CN: (AGREE, "Standards to be developed jointly."),
                US: (AGREE, "Evaluations through national AI safety institutes."),
            },
        )
        self.point_record(
            staged,
            "divergence",
            MILITARIZATION,
            Kind.DIVERGENCE,
            DIVERGENCE,
            stances={
                CN: (AGREE, "Export controls obstruct cooperation on AI safety."),
                US: (DISAGREE, "Export controls are a national security matter."),
            },
        )
        self.point_record(
            staged,
            "partial",
            MALICIOUS_USE,
            Kind.PARTIAL,
            PARTIAL,
            stances={
                CN: (AGREE, "Open to governments and developers."),
                US: (RESERVE, "Supports it in principle; scope and participants to be agreed."),
            },
        )
        self.session_conclude(staged)
        self.report_publish(staged)
        return staged

    def session_2(self, dialogue: Dialogue, first: Staged) -> Staged:
        """The governments meet on what Track II prepared: expectations differ on one
        item, positions are revised after the brief, and the three Track II points are
        carried over: reaffirmed, reopened, superseded."""
        staged = self.session_open(
            dialogue,
            title="First intergovernmental dialogue on AI",
            track=Session.Track.TRACK_1,
            rule=Rule.ON_RECORD,
            starts_at=day_at(-14, 10),
            days=1,
            location="Geneva",
            builds_on=[first.session],
        )
        self.agenda_build(staged, SESSION_2_AGENDA)
        self.expectations_set(staged, SESSION_2_EXPECTATIONS)
        self.agenda_publish(staged)
        self.positions_log(staged, {key: v1 for key, (v1, _) in SESSION_2_POSITIONS.items()})
        self.positions_revise(staged, {key: v2 for key, (_, v2) in SESSION_2_POSITIONS.items()})
        self.session_start(staged)
        self.point_record(
            staged,
            "agreement",
            RELIABILITY,
            Kind.AGREEMENT,
            AGREEMENT,
            carried_from=first.points["agreement"],
            carry_status=Carry.REAFFIRMED,
            stances={
                CN: (AGREE, "Adopted as a shared principle."),
                US: (AGREE, "Adopted as a shared principle."),
            },
        )
        self.point_record(
            staged,
            "divergence",
            MILITARIZATION,
            Kind.DIVERGENCE,
            DIVERGENCE,
            carried_from=first.points["divergence"],
            carry_status=Carry.REOPENED,
            stances={
                CN: (AGREE, "Export controls must be discussed."),
                US: (DISAGREE, "Export controls are not open to negotiation."),
            },
        )
        self.point_record(
            staged,
            "channel",
            MALICIOUS_USE,
            Kind.AGREEMENT,
            CHANNEL_AGREED,
            carried_from=first.points["partial"],
            carry_status=Carry.SUPERSEDED,
            stances={
                CN: (AGREE, "For serious incidents of misuse by non-state actors."),
                US: (AGREE, "Scope reviewed after one year."),
            },
        )
        self.session_conclude(staged)
        self.report_publish(staged)
        return staged

    def session_3(self, dialogue: Dialogue, second: Staged) -> Staged:
        """Track II reviews what the governments left open; left in draft for the user."""
        staged = self.session_open(
            dialogue,
            title="Track II review",
            track=Session.Track.TRACK_2,
            rule=Rule.CHATHAM_HOUSE,
            starts_at=day_at(28, 9),
            days=2,
            location="Washington, D.C.",
            builds_on=[second.session],
        )
        open_topic = second.points["divergence"].agenda_item.topic.code
        self.agenda_build(
            staged,
            [
                Item(
                    open_topic,
                    "Review the divergence the intergovernmental dialogue left open, and "
                    "prepare options for its next round.",
                    urgency=5,
                    minutes=90,
                )
            ],
        )
        return staged

    # Session steps ----------------------------------------------------------------------

    def session_open(
        self,
        dialogue: Dialogue,
        *,
        title: str,
        track: str,
        rule: str,
        starts_at: datetime,
        days: int,
        location: str,
        builds_on: list[Session] | None = None,
    ) -> Staged:
        """Create a session in draft with its facilitator, observer and a delegation per
        party (its head and one member)."""
        session = services.session_create(
            actor=self.admin,
            dialogue=dialogue,
            title=title,
            track=track,
            rule=rule,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(days=days - 1, hours=8),
            location=location,
            builds_on=builds_on or [],
            facilitators=[self.facilitator],
            observers=[self.people["observer"]],
        )
        delegations = {}
        for code, party in self.parties.items():
            delegation = services.delegation_create(actor=self.admin, session=session, party=party)
            people = ((HEADS[code], MemberRole.HEAD), (MEMBERS[code], MemberRole.MEMBER))
            for username, role in people:
                services.delegation_member_add(
                    actor=self.admin, delegation=delegation, user=self.people[username], role=role
                )
            delegations[code] = delegation
        return Staged(session=session, delegations=delegations)

    def agenda_build(self, staged: Staged, items: list[Item]) -> None:
        topics = Topic.objects.in_bulk([item.topic for item in items], field_name="code")
        for item in items:
            staged.items[item.topic] = services.agenda_item_create(
                actor=self.facilitator,
                session=staged.session,
                topic=topics[item.topic],
                objective=item.objective,
                urgency=item.urgency,
                minutes=item.minutes,
            )

    def expectations_set(
        self, staged: Staged, expectations: dict[str, dict[str, tuple[str, int]]]
    ) -> None:
        for code, by_topic in expectations.items():
            services.expectations_set(
                actor=self.people[HEADS[code]],
                delegation=staged.delegations[code],
                items=[
                    {"agenda_item": staged.items[topic], "outcome": outcome, "importance": weight}
                    for topic, (outcome, weight) in by_topic.items()
                ],
            )

    def agenda_publish(self, staged: Staged) -> None:
        # Publishing the agenda starts the pre-session brief (domain.md).
        self.transition(staged, Status.AGENDA_PUBLISHED)
        self.reports_build(staged)

    def positions_log(self, staged: Staged, texts: dict[tuple[str, str], dict[str, Any]]) -> None:
        for (code, topic), fields in texts.items():
            staged.positions[code, topic] = services.position_log(
                actor=self.people[MEMBERS[code]],
                delegation=staged.delegations[code],
                agenda_item=staged.items[topic],
                **fields,
            )

    def positions_revise(
        self, staged: Staged, texts: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        for (code, topic), fields in texts.items():
            position = staged.positions[code, topic]
            services.position_revise(
                actor=self.people[MEMBERS[code]],
                position=position,
                based_on=position.current_version,
                **fields,
            )

    def session_start(self, staged: Staged) -> None:
        self.transition(staged, Status.IN_PROGRESS)

    def point_record(
        self,
        staged: Staged,
        name: str,
        topic: str,
        kind: str,
        statement: str,
        *,
        stances: dict[str, tuple[str, str]],
        carried_from: Point | None = None,
        carry_status: str | None = None,
    ) -> Point:
        """Record a confirmed point on the agenda item of `topic`, and each delegation's
        stance on it."""
        point = consensus.point_record(
            actor=self.facilitator,
            session=staged.session,
            agenda_item=staged.items[topic],
            kind=kind,
            statement=statement,
            status=Point.Status.CONFIRMED,
            carried_from=carried_from,
            carry_status=carry_status,
        )
        for code, (stance, note) in stances.items():
            consensus.stance_set(
                actor=self.facilitator,
                point=point,
                delegation=staged.delegations[code],
                stance=stance,
                note=note,
            )
        staged.points[name] = point
        return point

    def session_conclude(self, staged: Staged) -> None:
        # Concluding starts the post-session report (domain.md).
        self.transition(staged, Status.CONCLUDED)
        self.reports_build(staged)

    def reports_build(self, staged: Staged) -> None:
        """Build the session's requested reports now (the worker's task, when it comes
        after commit, finds them built and does nothing)."""
        pending = Report.objects.filter(session=staged.session, status=Report.Status.PENDING)
        for report_id in pending.values_list("pk", flat=True):
            if report_services.report_build(report_id=report_id) != Report.Status.READY:
                failed = Report.objects.get(pk=report_id)
                raise RuntimeError(f"The demo's {failed} did not build: {failed.error}")

    def report_publish(self, staged: Staged) -> None:
        self.transition(staged, Status.REPORT_PUBLISHED)

    def transition(self, staged: Staged, to: str) -> None:
        services.session_transition(actor=self.facilitator, session=staged.session, to=to)


# The command --------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Load the demo dialogue (design/scenario.md) and print its logins; safe to rerun."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            people = people_ensure()
            loaded = Dialogue.objects.filter(title=DIALOGUE_TITLE).exists()
            if not loaded:
                Story(people).tell()
        if loaded:
            self.stdout.write(
                f'The demo dialogue "{DIALOGUE_TITLE}" is already loaded; its logins are reset.'
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f'Loaded the demo dialogue "{DIALOGUE_TITLE}": 3 sessions.')
            )
        width = max(len(person.username) for person in PEOPLE)
        lines = [
            "",
            f"Trackbridge:  {SITE_URL}",
            f"Admin:        {SITE_URL}admin/",
            "",
            f"  {'username':<{width}}  password  role",
            *(f"  {p.username:<{width}}  {PASSWORD:<8}  {p.role}" for p in PEOPLE),
        ]
        self.stdout.write("\n".join(lines))
