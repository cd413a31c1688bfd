"""A dialogue of three sessions built through the services, as a dialogue runs:

- S1, Track II under the Chatham House rule, three delegations (ZR, QF, KV);
- S2, Track I on the record, building on S1, two delegations (ZR, QF);
- S3, Track II under the Chatham House rule, building on S2 (and so on S1), three.

Parties and people have names found nowhere else, so a test can look for them in any
export. S1's free text (statements, notes, positions) names parties and people, which a
document must scrub; S2's free text names nobody. Every hand-checked figure in the tests
is worked out from the tables below.

S1 (D = 3): agenda A1 malicious-use (urgency 4), A2 militarization (5), A3 climate (2).
    P1 A1 agreement   ZR agree, QF agree, KV agree        consensus 1
    P2 A1 divergence  ZR agree, QF disagree, KV abstain   divergent 1/3
    P3 A1 partial     ZR agree, QF reserve, KV -          open      1/3
    P4 A2 agreement   ZR agree, QF agree, KV agree        consensus 1
    P5 A2 partial     ZR agree, QF agree, KV reserve      broad     2/3
    P6 A3 agreement   ZR agree, QF disagree, KV agree     divergent 2/3
    withdrawn_s1 (A1, ZR agreed before it was withdrawn), proposed_s1 (A1, ZR agree)
  positions: ZR A1 v1 public -> v2 public; QF A1 v1 public -> v2 delegation;
             KV A1 v1 delegation; ZR A2 v1 session; KV A2 v1 public.
S2 (D = 2): agenda B1 malicious-use (urgency 3), B2 militarization (5), B3 tech gap (4).
    Q2 B1 divergence  from P2, reopened    ZR agree, QF disagree  divergent 1/2
    Q3 B1 partial     from P3, superseded  ZR agree, QF reserve   open      1/2
    Q4 B1 agreement   new (Chinese)        ZR agree, QF abstain   open      1/2
    Q1 B2 agreement   from P4, reaffirmed  ZR agree, QF agree     consensus 1
    withdrawn_s2 (B1, from P1, withdrawn), proposed_s2 (B2, ZR agree)
  positions: ZR B1 v1 session -> v2 session; QF B1 v1 delegation;
             QF B2 v1 public -> v2 public.
  expectations: B1 ZR joint_statement (5) / QF exchange_views (2); B2 both agreed_action.
S3 (D = 3): agenda C1 malicious-use (urgency 2), C2 militarization (4); no points."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from consensus import services as consensus
from consensus.models import Point, Stance
from debates import services
from debates.models import (
    AgendaItem,
    Delegation,
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
from tests import factories

AGREE, DISAGREE, RESERVE, ABSTAIN = Stance.Value.values
PUBLIC, SESSION, DELEGATION = Visibility.PUBLIC, Visibility.SESSION, Visibility.DELEGATION
Status = Session.Status

PARTIES = {"ZR": "Zanzibar Republic", "QF": "Quillon Federation", "KV": "Kestrel Valley"}
PEOPLE = {
    "aaldersgate": "Augustin Aldersgate",  # admin, in no session
    "pmarchbanks": "Perpetua Marchbanks",  # facilitator of the three sessions
    "cpennyfeather": "Cornelius Pennyfeather",  # observer of S1
    "tvanterpool": "Thaddeus Vanterpool",  # ZR head at S1 and S3
    "ewhitlock": "Eudora Whitlock",  # ZR member at S1
    "obrackenbury": "Ottoline Brackenbury",  # QF head at S1 and S3
    "iquarrie": "Ignatius Quarrie",  # KV head at S1 and S3
    "lstrandquist": "Leopold Strandquist",  # ZR head at S2
    "mfeatherstonhaugh": "Mirabel Featherstonhaugh",  # QF head at S2
}
# Every string no Chatham House statement may carry: party names, codes, usernames and
# display names.
NAMES = [*PARTIES.values(), *PEOPLE, *PEOPLE.values()]

# S1's free text, naming parties and people (scrubbed in every document).
P1_STATEMENT = "Share incident reports on misuse within 72 hours."
P2_STATEMENT = "Zanzibar Republic proposed open-weight release of frontier models; QF objected."
P2_SCRUBBED = re.compile(
    r"(Participant [A-C]) proposed open-weight release of frontier models; "
    r"(Participant [A-C]) objected\."
)
P1_NOTE_ZR = "ZR and KV asked for a 72-hour window, said Thaddeus Vanterpool."
P1_NOTE_SCRUBBED = re.compile(
    r"(Participant [A-C]) and (Participant [A-C]) asked for a 72-hour window, "
    r"said a participant\."
)
P2_NOTE_QF = "Ottoline Brackenbury: not before evaluations exist."
P3_NOTE_QF = "Quillon Federation reserves pending legal review, wrote obrackenbury."
P5_NOTE_KV = "Kestrel Valley reserves until Ignatius Quarrie consults the ministry."
ZR_A1_V1 = "Zanzibar Republic supports sharing incident reports with Kestrel Valley and QF."
ZR_A1_V2 = "Zanzibar Republic, through Eudora Whitlock, now asks for a 48-hour window."
ZR_A1_V2_SUMMARY = "Zanzibar Republic asks for 48 hours"
ZR_A1_RED_LINES = "No sharing of model weights with Quillon Federation."
QF_A1_V1 = "Quillon Federation wants reports limited to non-state actors."
KV_A2_V1 = "Kestrel Valley (iquarrie) calls for human control over launch decisions."
KV_A2_SUMMARY = "Kestrel Valley: human control"
# S1's session-visible version: for S1's own people only.
ZR_A2_V1 = "Zanzibar Republic wants a moratorium on autonomous weapons."
# Delegation-only versions: in no document, ever.
SECRETS = [
    "QF secret: we could accept a 96-hour window.",
    "KV secret: no channel at all.",
    "QF secret: ministries are split on testing.",
]
SECRET_SUMMARIES = ["Secret fallback", "Secret refusal", "Secretly split"]
# S2's free text, on the record and naming nobody.
Q4_STATEMENT = "预部署测试与评估 (pre-deployment testing and evaluation)"
ZR_B1_V1 = "A channel between designated technical contacts."
ZR_B1_V2 = "A channel between designated contacts, open to developers after a year."
QF_B2_V1 = "Human control over the use of force, to be defined case by case."
QF_B2_V2 = "Human control over every decision to use nuclear weapons."


TITLES = {
    "S1": "Track II workshop on AI risk",
    "S2": "Intergovernmental round on AI risk",
    "S3": "Track II review of the round",
}


@dataclass
class Chain:
    admin: User
    facilitator: User
    people: dict[str, User]
    parties: dict[str, Party]
    s1: Session
    s2: Session
    s3: Session
    items: dict[str, AgendaItem] = field(default_factory=dict)
    delegations: dict[tuple[str, str], Delegation] = field(default_factory=dict)
    points: dict[str, Point] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)

    def report(self, session: Session, kind: str) -> Report:
        """The latest version of `session`'s report of `kind`."""
        return Report.objects.filter(session=session, kind=kind).order_by("-version").first()


class ChainBuilder:
    def __init__(self, build_reports: tuple[str, ...] = ()):
        """build_reports: the sessions ("S1", "S2", "S3") whose requested documents are
        built (every format) as soon as requested; the others stay pending."""
        self.build_reports = build_reports
        self.people = {
            username: factories.UserFactory(username=username, display_name=name)
            for username, name in PEOPLE.items()
        }
        self.admin = self.people["aaldersgate"]
        self.admin.is_staff = True
        self.admin.save(update_fields=["is_staff"])
        self.facilitator = self.people["pmarchbanks"]
        dialogue = services.dialogue_create(actor=self.admin, title="Ocean dialogue on AI risk")
        self.dialogue = dialogue
        self.parties = {
            code: services.party_create(actor=self.admin, dialogue=dialogue, name=name, code=code)
            for code, name in PARTIES.items()
        }
        self.start = timezone.now().replace(microsecond=0) + timedelta(days=1)
        self.chain: Chain | None = None
        self.keys: dict[int, str] = {}  # session id -> "S1", "S2", "S3"

    # Steps ------------------------------------------------------------------------

    def session(self, key, title, track, rule, days, builds_on=(), observers=()):
        starts = self.start + timedelta(days=days)
        session = services.session_create(
            actor=self.admin,
            dialogue=self.dialogue,
            title=title,
            track=track,
            rule=rule,
            starts_at=starts,
            ends_at=starts + timedelta(hours=8),
            location="Port Louis",
            builds_on=builds_on,
            facilitators=[self.facilitator],
            observers=observers,
        )
        self.keys[session.pk] = key
        return session

    def item(self, key, session, topic, title, urgency, order):
        self.chain.items[key] = services.agenda_item_create(
            actor=self.facilitator,
            session=session,
            topic=Topic.objects.get(code=topic),
            title=title,
            objective=f"Objective of {title}",
            urgency=urgency,
            order=order,
        )

    def delegation(self, session_key, session, code, head, members=()):
        delegation = services.delegation_create(
            actor=self.admin, session=session, party=self.parties[code]
        )
        services.delegation_member_add(
            actor=self.admin, delegation=delegation, user=self.people[head], role="head"
        )
        for member in members:
            services.delegation_member_add(
                actor=self.admin, delegation=delegation, user=self.people[member]
            )
        self.chain.delegations[session_key, code] = delegation
        return delegation

    def expect(self, session_key, code, *rows):
        delegation = self.chain.delegations[session_key, code]
        head = delegation.members.get(role="head").user
        services.expectations_set(
            actor=head,
            delegation=delegation,
            items=[
                {"agenda_item": self.chain.items[item], "outcome": outcome, "importance": imp}
                for item, outcome, imp in rows
            ],
        )

    def position(self, key, session_key, code, item, author, versions):
        """versions: [(text, summary, visibility, extra fields)], logged then revised."""
        delegation = self.chain.delegations[session_key, code]
        actor = self.people[author]
        text, summary, visibility, extra = versions[0]
        position = services.position_log(
            actor=actor,
            delegation=delegation,
            agenda_item=self.chain.items[item],
            text=text,
            summary=summary,
            visibility=visibility,
            **extra,
        )
        for number, (text, summary, visibility, extra) in enumerate(versions[1:], start=1):
            services.position_revise(
                actor=actor,
                position=position,
                based_on=number,
                text=text,
                summary=summary,
                visibility=visibility,
                **extra,
            )
        self.chain.positions[key] = position

    def point(self, key, session_key, item, kind, statement, stances, **options):
        session = getattr(self.chain, session_key.lower())
        point = consensus.point_record(
            actor=self.facilitator,
            session=session,
            agenda_item=self.chain.items[item],
            kind=kind,
            statement=statement,
            status=options.pop("status", Point.Status.CONFIRMED),
            **options,
        )
        for code, value in stances.items():
            stance, note = value if isinstance(value, tuple) else (value, "")
            consensus.stance_set(
                actor=self.facilitator,
                point=point,
                delegation=self.chain.delegations[session_key, code],
                stance=stance,
                note=note,
            )
        self.chain.points[key] = point
        return point

    def withdraw(self, key):
        consensus.point_update(
            actor=self.facilitator, point=self.chain.points[key], status=Point.Status.WITHDRAWN
        )

    def move(self, session, to):
        services.session_transition(actor=self.facilitator, session=session, to=to)
        if self.keys[session.pk] in self.build_reports:
            # What the worker does after commit (as load_demo does it, synchronously).
            for report in Report.objects.filter(session=session, status="pending"):
                assert report_services.report_build(report_id=report.pk) == "ready", (
                    Report.objects.get(pk=report.pk).error
                )

    # The story ----------------------------------------------------------------------

    def build(self) -> Chain:
        s1 = self.session(
            "S1",
            TITLES["S1"],
            Session.Track.TRACK_2,
            Rule.CHATHAM_HOUSE,
            0,
            observers=[self.people["cpennyfeather"]],
        )
        s2 = self.session(
            "S2", TITLES["S2"], Session.Track.TRACK_1, Rule.ON_RECORD,
            10, builds_on=[s1],
        )  # fmt: skip
        s3 = self.session(
            "S3", TITLES["S3"], Session.Track.TRACK_2, Rule.CHATHAM_HOUSE,
            20, builds_on=[s2],
        )  # fmt: skip
        self.chain = Chain(self.admin, self.facilitator, self.people, self.parties, s1, s2, s3)
        self.s1()
        self.s2()
        self.s3()
        for session in (s1, s2, s3):
            session.refresh_from_db()
        return self.chain

    def s1(self):
        s1 = self.chain.s1
        self.item("A1", s1, "malicious-use", "Misuse by non-state actors", 4, 1)
        self.item("A2", s1, "militarization", "Military uses of AI", 5, 2)
        self.item("A3", s1, "climate-governance", "AI for the climate", 2, 3)
        self.delegation("S1", s1, "ZR", "tvanterpool", ["ewhitlock"])
        self.delegation("S1", s1, "QF", "obrackenbury")
        self.delegation("S1", s1, "KV", "iquarrie")
        self.expect("S1", "ZR", ("A1", Outcome.JOINT_STATEMENT, 5))
        self.expect("S1", "QF", ("A1", Outcome.EXCHANGE_VIEWS, 2))
        self.expect("S1", "KV", ("A1", Outcome.IDENTIFY_DIVERGENCE, 3))
        self.move(s1, Status.AGENDA_PUBLISHED)

        red_lines = {"red_lines": ZR_A1_RED_LINES}
        self.position("zr_a1", "S1", "ZR", "A1", "ewhitlock", [
            (ZR_A1_V1, "Share incident reports", PUBLIC, red_lines),
            (ZR_A1_V2, ZR_A1_V2_SUMMARY, PUBLIC, red_lines),
        ])  # fmt: skip
        self.position("qf_a1", "S1", "QF", "A1", "obrackenbury", [
            (QF_A1_V1, "Non-state actors only", PUBLIC, {}),
            (SECRETS[0], SECRET_SUMMARIES[0], DELEGATION, {}),
        ])  # fmt: skip
        self.position("kv_a1", "S1", "KV", "A1", "iquarrie", [
            (SECRETS[1], SECRET_SUMMARIES[1], DELEGATION, {}),
        ])  # fmt: skip
        self.position("zr_a2", "S1", "ZR", "A2", "tvanterpool", [
            (ZR_A2_V1, "", SESSION, {}),
        ])  # fmt: skip
        self.position("kv_a2", "S1", "KV", "A2", "iquarrie", [
            (KV_A2_V1, KV_A2_SUMMARY, PUBLIC, {}),
        ])  # fmt: skip
        self.move(s1, Status.IN_PROGRESS)

        self.point("P1", "S1", "A1", "agreement", P1_STATEMENT,
                   {"ZR": (AGREE, P1_NOTE_ZR), "QF": AGREE, "KV": AGREE})  # fmt: skip
        self.point("P2", "S1", "A1", "divergence", P2_STATEMENT,
                   {"ZR": AGREE, "QF": (DISAGREE, P2_NOTE_QF), "KV": ABSTAIN})  # fmt: skip
        self.point("P3", "S1", "A1", "partial", "Joint red-teaming exercises.",
                   {"ZR": AGREE, "QF": (RESERVE, P3_NOTE_QF)})  # fmt: skip
        self.point("P4", "S1", "A2", "agreement", "Human control over nuclear launch decisions.",
                   {"ZR": AGREE, "QF": AGREE, "KV": AGREE})  # fmt: skip
        self.point("P5", "S1", "A2", "partial", "A ban on autonomous targeting of people.",
                   {"ZR": AGREE, "QF": AGREE, "KV": (RESERVE, P5_NOTE_KV)})  # fmt: skip
        self.point("P6", "S1", "A3", "agreement", "Climate models are shared openly.",
                   {"ZR": AGREE, "QF": DISAGREE, "KV": AGREE})  # fmt: skip
        self.point("withdrawn_s1", "S1", "A1", "agreement", "A registry of misuse incidents.",
                   {"ZR": AGREE}, status=Point.Status.PROPOSED)  # fmt: skip
        self.withdraw("withdrawn_s1")
        self.point("proposed_s1", "S1", "A1", "agreement", "A hotline between laboratories.",
                   {"ZR": AGREE}, status=Point.Status.PROPOSED)  # fmt: skip
        self.move(s1, Status.CONCLUDED)

    def s2(self):
        s2, p = self.chain.s2, self.chain.points
        self.item("B1", s2, "malicious-use", "An incident channel for misuse", 3, 1)
        self.item("B2", s2, "militarization", "Human control of military AI", 5, 2)
        self.item("B3", s2, "technology-gap", "Bridging the technology gap", 4, 3)
        self.delegation("S2", s2, "ZR", "lstrandquist")
        self.delegation("S2", s2, "QF", "mfeatherstonhaugh")
        self.expect("S2", "ZR", ("B1", Outcome.JOINT_STATEMENT, 5),
                    ("B2", Outcome.AGREED_ACTION, 4),
                    ("B3", Outcome.EXCHANGE_VIEWS, 3))  # fmt: skip
        self.expect("S2", "QF", ("B1", Outcome.EXCHANGE_VIEWS, 2),
                    ("B2", Outcome.AGREED_ACTION, 4))  # fmt: skip
        self.move(s2, Status.AGENDA_PUBLISHED)

        self.position("zr_b1", "S2", "ZR", "B1", "lstrandquist", [
            (ZR_B1_V1, "Technical contacts", SESSION, {}),
            (ZR_B1_V2, "Contacts, then developers", SESSION, {}),
        ])  # fmt: skip
        self.position("qf_b1", "S2", "QF", "B1", "mfeatherstonhaugh", [
            (SECRETS[2], SECRET_SUMMARIES[2], DELEGATION, {}),
        ])  # fmt: skip
        self.position("qf_b2", "S2", "QF", "B2", "mfeatherstonhaugh", [
            (QF_B2_V1, "Case by case", PUBLIC, {}),
            (QF_B2_V2, "Every nuclear decision", PUBLIC, {}),
        ])  # fmt: skip
        self.move(s2, Status.IN_PROGRESS)

        self.point("Q2", "S2", "B1", "divergence",
                   "Open-weight release of frontier models: governments to consult first.",
                   {"ZR": AGREE, "QF": DISAGREE},
                   carried_from=p["P2"], carry_status="reopened")  # fmt: skip
        self.point("Q3", "S2", "B1", "partial",
                   "A shared evaluation protocol replaces joint red-teaming.",
                   {"ZR": AGREE, "QF": (RESERVE, "Pending review by the ministries.")},
                   carried_from=p["P3"], carry_status="superseded")  # fmt: skip
        self.point("Q4", "S2", "B1", "agreement", Q4_STATEMENT,
                   {"ZR": AGREE, "QF": ABSTAIN})  # fmt: skip
        self.point("withdrawn_s2", "S2", "B1", "agreement",
                   "Incident reports within 72 hours, between governments.",
                   {}, carried_from=p["P1"], status=Point.Status.PROPOSED)  # fmt: skip
        self.withdraw("withdrawn_s2")
        self.point("Q1", "S2", "B2", "agreement",
                   "Human control over nuclear launch decisions, reaffirmed by governments.",
                   {"ZR": AGREE, "QF": AGREE}, carried_from=p["P4"])  # fmt: skip
        self.point("proposed_s2", "S2", "B2", "agreement",
                   "Notify each other of military AI tests.",
                   {"ZR": AGREE}, status=Point.Status.PROPOSED)  # fmt: skip
        self.move(s2, Status.CONCLUDED)

    def s3(self):
        s3 = self.chain.s3
        self.item("C1", s3, "malicious-use", "Misuse, after the round", 2, 1)
        self.item("C2", s3, "militarization", "Military AI, after the round", 4, 2)
        self.delegation("S3", s3, "ZR", "tvanterpool")
        self.delegation("S3", s3, "QF", "obrackenbury")
        self.delegation("S3", s3, "KV", "iquarrie")
        self.expect("S3", "ZR", ("C2", Outcome.AGREED_ACTION, 4))
        self.expect("S3", "QF", ("C2", Outcome.AGREED_ACTION, 3))
        self.expect("S3", "KV", ("C2", Outcome.EXCHANGE_VIEWS, 2))
        self.move(s3, Status.AGENDA_PUBLISHED)


def pdf_text(data: bytes, tmp_path) -> str:
    """The text of a PDF, as `pdftotext` (poppler) extracts it."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed"
    result = subprocess.run(  # noqa: S603 - a fixed program on a file of our own
        [pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode()
