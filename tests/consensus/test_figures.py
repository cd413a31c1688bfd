"""Consensus figures (domain.md, "Consensus figures"): levels, classes, alignment and
expectation gaps, computed from stored stances. Every expected number below is worked
out by hand in the comment next to it."""

import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import pytest

from consensus.figures import agenda_item_levels, point_class, session_figures
from consensus.models import Point, Stance
from debates.models import AgendaItem, Delegation, Outcome, Session
from tests import factories

AGREE, DISAGREE, RESERVE, ABSTAIN = (
    Stance.Value.AGREE,
    Stance.Value.DISAGREE,
    Stance.Value.RESERVE,
    Stance.Value.ABSTAIN,
)
CONFIRMED, PROPOSED, WITHDRAWN = (
    Point.Status.CONFIRMED,
    Point.Status.PROPOSED,
    Point.Status.WITHDRAWN,
)


def delegation_of(session: Session, code: str) -> Delegation:
    party = factories.PartyFactory(dialogue=session.dialogue, code=code)
    return factories.DelegationFactory(session=session, party=party)


def point_on(item: AgendaItem, by, stances=None, *, status=CONFIRMED, kind="agreement") -> Point:
    point = factories.PointFactory(
        session=item.session, agenda_item=item, status=status, kind=kind, recorded_by=by
    )
    for delegation, value in (stances or {}).items():
        factories.StanceFactory(point=point, delegation=delegation, stance=value, recorded_by=by)
    return point


def counts(agree=0, disagree=0, reserve=0, abstain=0, none=0):
    return {
        "agree": agree,
        "disagree": disagree,
        "reserve": reserve,
        "abstain": abstain,
        "none": none,
    }


@dataclass
class Table:
    """A session with three delegations (CN, EU, US) and four agenda items.

    Item A (order 1): p1 consensus, p2 broad (US reserves), p3 divergent, a proposed
    point all agree with and a withdrawn point all disagree with. Item B (order 2): p4
    broad (US took no stance), p5 open. Item C (order 3): no points. Item D (order 4):
    only a proposed point. Delegations, items and points are created out of their
    reporting order, so the ordering is the function's and not the ids'."""

    session: Session
    cn: Delegation
    eu: Delegation
    us: Delegation
    item_a: AgendaItem
    item_b: AgendaItem
    item_c: AgendaItem
    item_d: AgendaItem
    p1: Point
    p2: Point
    p3: Point
    p4: Point
    p5: Point
    proposed: Point
    withdrawn: Point
    proposed_d: Point


@pytest.fixture
def table(db) -> Table:
    session = factories.SessionFactory(status=Session.Status.IN_PROGRESS)
    by = factories.UserFactory()
    us = delegation_of(session, "US")
    cn = delegation_of(session, "CN")
    eu = delegation_of(session, "EU")
    item = factories.AgendaItemFactory
    item_b = item(session=session, order=2, topic=factories.topic("climate-governance"))
    item_a = item(session=session, order=1)
    item_d = item(session=session, order=4)
    item_c = item(session=session, order=3)

    p4 = point_on(item_b, by, {cn: AGREE, eu: AGREE})
    p5 = point_on(item_b, by, {cn: ABSTAIN, eu: AGREE})
    p1 = point_on(item_a, by, {cn: AGREE, eu: AGREE, us: AGREE})
    p2 = point_on(item_a, by, {cn: AGREE, eu: AGREE, us: RESERVE}, kind="partial")
    p3 = point_on(item_a, by, {cn: AGREE, eu: DISAGREE, us: DISAGREE}, kind="divergence")
    proposed = point_on(item_a, by, {cn: AGREE, eu: AGREE, us: AGREE}, status=PROPOSED)
    withdrawn = point_on(item_a, by, {cn: DISAGREE, eu: DISAGREE, us: DISAGREE}, status=WITHDRAWN)
    proposed_d = point_on(item_d, by, {cn: AGREE, us: DISAGREE}, status=PROPOSED)

    expect = factories.ExpectationFactory
    expect(delegation=cn, agenda_item=item_a, outcome=Outcome.JOINT_STATEMENT, importance=5)
    expect(delegation=us, agenda_item=item_a, outcome=Outcome.EXCHANGE_VIEWS, importance=2)
    expect(delegation=eu, agenda_item=item_a, outcome=Outcome.JOINT_STATEMENT, importance=4)
    for delegation in (cn, eu, us):
        expect(delegation=delegation, agenda_item=item_b, outcome=Outcome.AGREED_ACTION)
    expect(delegation=cn, agenda_item=item_c, outcome=Outcome.IDENTIFY_DIVERGENCE)
    return Table(
        session, cn, eu, us, item_a, item_b, item_c, item_d,
        p1, p2, p3, p4, p5, proposed, withdrawn, proposed_d,
    )  # fmt: skip


def test_delegations_are_listed_by_party_code_with_the_rule(table):
    figures = session_figures(table.session)

    assert figures["session"] == table.session.pk
    assert figures["delegations"] == [
        {"id": d.pk, "party": d.party_id, "code": d.party.code}
        for d in (table.cn, table.eu, table.us)
    ]
    assert "two thirds" in figures["rule"]
    assert "Withdrawn points count nowhere" in figures["rule"]


def test_point_level_is_the_share_of_delegations_agreeing_and_class_follows(table):
    t = table
    figures = session_figures(t.session)

    def row(point, level, klass, **stances):
        return {
            "point": point.pk,
            "agenda_item": point.agenda_item_id,
            "kind": point.kind,
            "status": point.status,
            "level": level,
            "class": klass,
            **counts(**stances),
        }

    # Item A first (order 1) though its points were created after item B's; the
    # withdrawn point is not listed; the proposed ones are, with their figures.
    assert figures["points"] == [
        row(t.p1, 1.0, "consensus", agree=3),  # 3/3
        row(t.p2, 0.6667, "broad", agree=2, reserve=1),  # 2/3, nobody disagrees
        row(t.p3, 0.3333, "divergent", agree=1, disagree=2),  # 1/3
        row(t.proposed, 1.0, "consensus", agree=3),
        row(t.p4, 0.6667, "broad", agree=2, none=1),  # no stance is not a disagreement
        row(t.p5, 0.3333, "open", agree=1, abstain=1, none=1),  # 1/3 < 2/3
        row(t.proposed_d, 0.3333, "divergent", agree=1, disagree=1, none=1),
    ]


def test_item_level_is_the_mean_of_its_confirmed_points_only(table):
    t = table
    figures = session_figures(t.session)

    assert figures["agenda_items"] == [
        # (1 + 2/3 + 1/3) / 3 = 2/3; with the proposed point it would be 0.75, with the
        # withdrawn one 0.5.
        {
            "agenda_item": t.item_a.pk,
            "title": t.item_a.title,
            "topic": t.item_a.topic_id,
            "level": 0.6667,
            "points": 3,
        },
        # (2/3 + 1/3) / 2
        {
            "agenda_item": t.item_b.pk,
            "title": t.item_b.title,
            "topic": t.item_b.topic_id,
            "level": 0.5,
            "points": 2,
        },
        {
            "agenda_item": t.item_c.pk,
            "title": t.item_c.title,
            "topic": t.item_c.topic_id,
            "level": None,
            "points": 0,
        },
        # Only a proposed point: nothing confirmed, no level.
        {
            "agenda_item": t.item_d.pk,
            "title": t.item_d.title,
            "topic": t.item_d.topic_id,
            "level": None,
            "points": 0,
        },
    ]
    assert t.item_a.topic_id != t.item_b.topic_id


def test_session_level_is_the_mean_over_items_with_confirmed_points(table):
    # (2/3 + 1/2) / 2 = 7/12 = 0.58333...; the mean over all five confirmed points would
    # be 3/5, and counting items C and D as 0 would give 7/24.
    assert session_figures(table.session)["level"] == 0.5833


def test_alignment_is_the_share_of_equal_stances_on_confirmed_points_both_took(table):
    t = table
    figures = session_figures(t.session)

    # Confirmed points p1..p5:  CN a a a | a abstain;  EU a a d | a a;  US a r d | - -.
    # The proposed and withdrawn points would change every pair if they counted.
    assert figures["alignment"] == [
        # Both on p1..p5, equal on p1, p2, p4.
        {
            "delegations": [t.cn.pk, t.eu.pk],
            "codes": ["CN", "EU"],
            "alignment": 0.6,
            "shared": 5,
            "equal": 3,
        },
        # Both on p1..p3, equal on p1 (US was created first: the pair still reads CN, US).
        {
            "delegations": [t.cn.pk, t.us.pk],
            "codes": ["CN", "US"],
            "alignment": 0.3333,
            "shared": 3,
            "equal": 1,
        },
        # Both on p1..p3, equal on p1 and p3.
        {
            "delegations": [t.eu.pk, t.us.pk],
            "codes": ["EU", "US"],
            "alignment": 0.6667,
            "shared": 3,
            "equal": 2,
        },
    ]


def test_delegations_sharing_no_confirmed_point_have_no_alignment(db):
    session = factories.SessionFactory()
    by = factories.UserFactory()
    cn, us = delegation_of(session, "CN"), delegation_of(session, "US")
    item = factories.AgendaItemFactory(session=session)
    point_on(item, by, {cn: AGREE})
    point_on(item, by, {us: AGREE})
    point_on(item, by, {cn: AGREE, us: AGREE}, status=PROPOSED)
    point_on(item, by, {cn: RESERVE, us: RESERVE}, status=WITHDRAWN)

    assert session_figures(session)["alignment"] == [
        {
            "delegations": [cn.pk, us.pk],
            "codes": ["CN", "US"],
            "alignment": None,
            "shared": 0,
            "equal": 0,
        }
    ]


def test_expectation_gap_names_items_where_expected_outcomes_differ(table):
    t = table

    # Item B: everyone expects an agreed action; item C: a single expectation.
    assert session_figures(t.session)["expectation_gap"] == [
        {
            "agenda_item": t.item_a.pk,
            "title": t.item_a.title,
            "expectations": [
                {
                    "delegation": t.cn.pk,
                    "code": "CN",
                    "outcome": "joint_statement",
                    "importance": 5,
                },
                {
                    "delegation": t.eu.pk,
                    "code": "EU",
                    "outcome": "joint_statement",
                    "importance": 4,
                },
                {"delegation": t.us.pk, "code": "US", "outcome": "exchange_views", "importance": 2},
            ],
        }
    ]


def test_session_without_delegations_has_no_levels(db):
    session = factories.SessionFactory()
    item = factories.AgendaItemFactory(session=session, order=1)
    empty = factories.AgendaItemFactory(session=session, order=2)
    point = factories.PointFactory(session=session, agenda_item=item)

    assert session_figures(session) | {"rule": ""} == {
        "session": session.pk,
        "rule": "",
        "delegations": [],
        "level": None,
        "points": [
            {
                "point": point.pk,
                "agenda_item": item.pk,
                "kind": "agreement",
                "status": "confirmed",
                "level": None,
                "class": "open",
                **counts(),
            }
        ],
        "agenda_items": [
            {
                "agenda_item": item.pk,
                "title": item.title,
                "topic": item.topic_id,
                "level": None,
                "points": 1,
            },
            {
                "agenda_item": empty.pk,
                "title": empty.title,
                "topic": empty.topic_id,
                "level": None,
                "points": 0,
            },
        ],
        "alignment": [],
        "expectation_gap": [],
    }


@pytest.mark.parametrize(
    ("agree", "disagree", "delegations", "expected"),
    [
        (3, 0, 3, "consensus"),
        (1, 0, 1, "consensus"),
        (2, 0, 3, "broad"),
        (4, 0, 6, "broad"),  # exactly two thirds
        (7, 0, 10, "broad"),
        (3, 0, 5, "open"),  # 0.6 < 2/3
        (1, 0, 3, "open"),
        (0, 0, 3, "open"),
        (2, 1, 3, "divergent"),
        (0, 3, 3, "divergent"),
        (0, 0, 0, "open"),
    ],
)
def test_point_class_boundaries(agree, disagree, delegations, expected):
    assert point_class(agree, disagree, delegations) == expected


def build_small(by) -> Session:
    session = factories.SessionFactory()
    cn = delegation_of(session, "CN")
    item = factories.AgendaItemFactory(session=session)
    point_on(item, by, {cn: AGREE})
    return session


def build_large(by) -> Session:
    session = factories.SessionFactory()
    delegations = [delegation_of(session, code) for code in ("CN", "EU", "US")]
    items = [factories.AgendaItemFactory(session=session, order=n) for n in range(5)]
    values = [AGREE, DISAGREE, RESERVE, ABSTAIN]
    for n in range(50):
        stances = {d: values[(n + i) % 4] for i, d in enumerate(delegations)}
        point_on(items[n % 5], by, stances, status=PROPOSED if n % 7 == 0 else CONFIRMED)
    for item in items:
        for i, delegation in enumerate(delegations):
            outcome = Outcome.JOINT_STATEMENT if i else Outcome.EXCHANGE_VIEWS
            factories.ExpectationFactory(delegation=delegation, agenda_item=item, outcome=outcome)
    return session


@pytest.mark.parametrize("build", [build_small, build_large], ids=["1x1", "50x3"])
def test_figures_take_a_fixed_number_of_queries(db, django_assert_num_queries, build):
    session = build(factories.UserFactory())

    # 1. the session's delegations with their party codes
    # 2. its agenda items
    # 3. its non-withdrawn points
    # 4. the stances of its points (point, delegation, value)
    # 5. the expectations on items where outcomes differ (with a GROUP BY subquery)
    with django_assert_num_queries(5):
        figures = session_figures(session)

    assert len(figures["points"]) in (1, 50)

    # Given the stances (as a report, which reads them for its rows), the fourth is not
    # run.
    stances = Stance.objects.filter(point__session=session).values_list(
        "point_id", "delegation_id", "stance"
    )
    stances = list(stances)
    with django_assert_num_queries(4):
        assert session_figures(session, stances=stances) == figures


# The figures against a straightforward count -------------------------------------------
#
# session_figures counts each stance once in Python and compares the pairs of delegations
# as bitsets (one int per delegation and stance value, a bit per confirmed point); a
# report's convergence takes the agenda items' levels of a chain of sessions from
# agenda_item_levels, which counts in the database. Both are checked here against the
# definitions of domain.md, counted the plain way over every stance, on random sessions:
# points of every status, stances missing, and a stance by a delegation of another
# session (which counts nowhere: it is not one of D).


def random_session(rng: random.Random, by, dialogue, *, delegations: int, items: int):
    session = factories.SessionFactory(dialogue=dialogue)
    parties = [factories.PartyFactory(dialogue=dialogue) for _ in range(delegations)]
    members = [factories.DelegationFactory(session=session, party=p) for p in parties]
    topics = [factories.topic(), factories.topic("climate-governance")]
    agenda = [
        factories.AgendaItemFactory(
            session=session, order=rng.randint(1, 3), topic=rng.choice(topics)
        )
        for _ in range(items)
    ]
    statuses = [CONFIRMED] * 6 + [PROPOSED, WITHDRAWN]
    stances = []
    for _ in range(items * 6):
        point = factories.PointFactory(
            session=session,
            agenda_item=rng.choice(agenda),
            status=rng.choice(statuses),
            recorded_by=by,
        )
        for delegation in members:
            if rng.random() < 0.8:
                value = rng.choice([AGREE, AGREE, DISAGREE, RESERVE, ABSTAIN])
                stances.append(
                    Stance(point=point, delegation=delegation, stance=value, recorded_by=by)
                )
    Stance.objects.bulk_create(stances)
    return session, members


def half_up(exact: Fraction) -> float:
    """Rounded half up to four decimals, as the rule says figures are reported."""
    return int(exact * 10_000 + Fraction(1, 2)) / 10_000


def plain_figures(session, members) -> dict:
    """Per point its stances of D counted, per pair (by ids) shared and equal points,
    per agenda item (order, id) its level: domain.md's definitions, counted one stance
    and one pair at a time."""
    ids = {d.pk for d in members}
    points = Point.objects.filter(session=session).exclude(status=WITHDRAWN)
    of_point = {p.pk: {} for p in points}
    for stance in Stance.objects.filter(point__in=points, delegation_id__in=ids):
        of_point[stance.point_id][stance.delegation_id] = stance.stance
    confirmed = [p for p in points if p.status == CONFIRMED]
    pairs = {}
    for a, b in combinations(sorted(ids), 2):
        both = [of_point[p.pk] for p in confirmed if a in of_point[p.pk] and b in of_point[p.pk]]
        pairs[(a, b)] = (len(both), sum(s[a] == s[b] for s in both))
    levels = []
    for item in AgendaItem.objects.filter(session=session).order_by("order", "id"):
        on_item = [p for p in confirmed if p.agenda_item_id == item.pk]
        if on_item and members:
            agree = sum(list(of_point[p.pk].values()).count(AGREE) for p in on_item)
            exact = Fraction(agree, len(members) * len(on_item))
            levels.append((item.pk, item.topic_id, half_up(exact)))
    counted = {pk: Counter(stances.values()) for pk, stances in of_point.items()}
    return {"counted": counted, "pairs": pairs, "levels": levels}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_equal_a_straightforward_count_on_a_random_session(db, seed):
    rng = random.Random(seed)
    by = factories.UserFactory()
    dialogue = factories.DialogueFactory()
    session, members = random_session(rng, by, dialogue, delegations=7, items=4)
    # A stance by a delegation of another session of the dialogue, on a confirmed point.
    other = factories.DelegationFactory(
        session=factories.SessionFactory(dialogue=dialogue), party=members[0].party
    )
    point = Point.objects.filter(session=session, status=CONFIRMED).first()
    factories.StanceFactory(point=point, delegation=other, stance=DISAGREE, recorded_by=by)

    figures = session_figures(session)
    plain = plain_figures(session, members)

    for row in figures["points"]:
        assert {v: row[v] for v in (AGREE, DISAGREE, RESERVE, ABSTAIN)} == {
            v: plain["counted"][row["point"]][v] for v in (AGREE, DISAGREE, RESERVE, ABSTAIN)
        }
        assert row["none"] == len(members) - sum(plain["counted"][row["point"]].values())
    assert len(figures["alignment"]) == 21  # 7 x 6 / 2
    for pair in figures["alignment"]:
        shared, equal = plain["pairs"][tuple(sorted(pair["delegations"]))]
        assert (pair["shared"], pair["equal"]) == (shared, equal)
        assert pair["alignment"] == (half_up(Fraction(equal, shared)) if shared else None)
    assert [
        (row["agenda_item"], row["topic"], row["level"])
        for row in figures["agenda_items"]
        if row["level"] is not None
    ] == plain["levels"]


def test_item_levels_of_a_chain_are_those_of_each_sessions_figures(db):
    rng = random.Random(7)
    by = factories.UserFactory()
    dialogue = factories.DialogueFactory()
    sessions = [random_session(rng, by, dialogue, delegations=n, items=5)[0] for n in (3, 6, 4)]
    # A session with points but no delegations has no levels.
    empty = factories.SessionFactory(dialogue=dialogue)
    factories.PointFactory(session=empty, recorded_by=by)
    sessions.append(empty)

    levels = agenda_item_levels(s.pk for s in sessions)

    for session in sessions:
        assert levels.get(session.pk, []) == [
            (row["agenda_item"], row["topic"], row["level"])
            for row in session_figures(session)["agenda_items"]
            if row["level"] is not None
        ]
    assert empty.pk not in levels
    assert all(levels[s.pk] for s in sessions[:3])
