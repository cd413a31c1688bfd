"""Consensus figures of a session (domain.md, "Consensus figures"), computed from the
stored stances.

Query budget: five queries whatever the number of points, stances, delegations or agenda
items: the delegations, the agenda items, the points, the stances (point, delegation and
value only; none when the caller passes the stances it has read already) and the
expectations on the items where they differ.

Python walks each stance row once, and compares the pairs of delegations as bitsets:
per delegation and stance value, one int with a bit for each confirmed point, so a
pair's shared and equal points are a few popcounts. The database's alternative, a
self-join of the stances on the point, makes |D|^2/2 rows per point (1.2 million for
1,000 points and 50 delegations) and was the slowest part of a report.

The queries are separate statements: under PostgreSQL's default READ COMMITTED each
sees its own snapshot, so a caller that needs figures consistent with a concurrent write
(a report build) runs this inside a REPEATABLE READ transaction or after the session's
points are frozen."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from itertools import combinations
from typing import Any

from django.db.models import Count, F

from consensus.models import Point, Stance
from debates.models import AgendaItem, Delegation, Expectation, Session

RULE = (
    "Figures are computed from the stances stored for D, the delegations of the session. "
    "A point's consensus level is the number of delegations of D whose stance is 'agree' "
    "divided by the number of delegations in D; a delegation without a stance counts as "
    "not agreeing and is reported under 'none'; with no delegation the level is undefined "
    "and the point is open. A point is 'consensus' when every delegation agrees, "
    "'divergent' when any delegation disagrees, 'broad' when at least two thirds of the "
    "delegations agree (agree x 3 >= 2 x |D|, in whole numbers) and none disagrees, and "
    "'open' otherwise. Withdrawn points count nowhere; proposed points are listed with "
    "their figures but count in no agenda item, session or alignment figure. An agenda "
    "item's level is the mean of the levels of its confirmed points (undefined when it has "
    "none), and the session's level is the mean of the levels of the agenda items that "
    "have confirmed points. The alignment of two delegations is the share, among the "
    "confirmed points on which both took a stance, of those where their stances are equal "
    "(undefined when they share none). An expectation gap is an agenda item on which the "
    "delegations that stated an expectation expect different outcomes. Levels and shares "
    "are computed exactly and rounded half up to four decimals only when reported."
)


def point_class(agree: int, disagree: int, delegations: int) -> str:
    """The class of a point that `agree` of `delegations` delegations agree with and
    `disagree` disagree with. Whole-number arithmetic, so no float decides a boundary:
    4 of 6 is broad, 3 of 5 is not."""
    if delegations == 0:
        return "open"
    if agree == delegations:
        return "consensus"
    if disagree:
        return "divergent"
    if agree * 3 >= 2 * delegations:
        return "broad"
    return "open"


def _reported(value: Fraction | None) -> float | None:
    """Round half up to four decimals (values are never negative)."""
    return None if value is None else _rounded(value)


def _rounded(value: Fraction) -> float:
    # floor(n/d x 10,000 + 1/2) in whole numbers: the same result as math.floor of the
    # Fraction, without the Fraction arithmetic (thousands of figures in a report).
    return (value.numerator * 20_000 + value.denominator) // (2 * value.denominator) / 10_000


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def session_figures(
    session: Session, *, stances: Iterable[Sequence[Any]] | None = None
) -> dict[str, Any]:
    """The consensus figures of `session`, JSON-ready, with the rule they follow.

    `stances`: rows starting (point id, delegation id, stance value), for a caller that
    has read the stances of the session's points already (a report, for its stance
    rows); rows of other points or of delegations outside D are left out here, so they
    may be there. Without it, they are read (the fourth query).

    Means are taken over exact fractions and rounded once, so an item's level is the
    mean of its points' exact levels, not of their rounded ones."""
    delegations = list(
        Delegation.objects.filter(session=session)
        .order_by("party__code", "id")
        .values("id", "party_id", "party__code")
    )
    size = len(delegations)
    code = {d["id"]: d["party__code"] for d in delegations}

    items = list(
        AgendaItem.objects.filter(session=session)
        .order_by("order", "id")
        .values("id", "title", "topic_id")
    )

    points = list(
        Point.objects.filter(session=session)
        .exclude(status=Point.Status.WITHDRAWN)
        .order_by("agenda_item__order", "agenda_item_id", "id")
        .values("id", "agenda_item_id", "kind", "status")
    )
    if stances is None:
        stances = (
            Stance.objects.filter(point__session=session)
            .order_by()
            .values_list("point_id", "delegation_id", "stance")
        )
    tally, held = _tally(stances, points, code)

    differing = (
        Expectation.objects.filter(delegation__session=session)
        .order_by()
        .values("agenda_item_id")
        .annotate(outcomes=Count("outcome", distinct=True))
        .filter(outcomes__gte=2)
        .values("agenda_item_id")
    )
    expectations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for expectation in (
        Expectation.objects.filter(delegation__session=session, agenda_item_id__in=differing)
        .order_by("delegation__party__code", "delegation_id")
        .values("agenda_item_id", "delegation_id", "outcome", "importance")
    ):
        expectations[expectation["agenda_item_id"]].append(
            {
                "delegation": expectation["delegation_id"],
                "code": code.get(expectation["delegation_id"]),
                "outcome": expectation["outcome"],
                "importance": expectation["importance"],
            }
        )

    point_rows = []
    confirmed: dict[int, list[Fraction | None]] = defaultdict(list)
    for row in points:
        counted = tally[row["id"]]
        agree = counted[Stance.Value.AGREE]
        level = Fraction(agree, size) if size else None
        point_rows.append(
            {
                "point": row["id"],
                "agenda_item": row["agenda_item_id"],
                "kind": row["kind"],
                "status": row["status"],
                "level": _reported(level),
                "class": point_class(agree, counted[Stance.Value.DISAGREE], size),
                **counted,
                "none": size - sum(counted.values()),
            }
        )
        if row["status"] == Point.Status.CONFIRMED:
            confirmed[row["agenda_item_id"]].append(level)

    item_rows = []
    item_levels = []
    for item in items:
        levels = [level for level in confirmed[item["id"]] if level is not None]
        level = _mean(levels)
        if level is not None:
            item_levels.append(level)
        item_rows.append(
            {
                "agenda_item": item["id"],
                "title": item["title"],
                "topic": item["topic_id"],
                "level": _reported(level),
                "points": len(confirmed[item["id"]]),
            }
        )

    # Per delegation, the confirmed points it took a stance on (any value).
    took = {d: _union(by_value.values()) for d, by_value in held.items()}
    alignment = []
    for a, b in combinations(delegations, 2):
        of_a, of_b = held[a["id"]], held[b["id"]]
        shared = (took[a["id"]] & took[b["id"]]).bit_count()
        equal = sum((bits & of_b.get(value, 0)).bit_count() for value, bits in of_a.items())
        alignment.append(
            {
                "delegations": [a["id"], b["id"]],
                "codes": [a["party__code"], b["party__code"]],
                "alignment": _reported(Fraction(equal, shared)) if shared else None,
                "shared": shared,
                "equal": equal,
            }
        )

    return {
        "session": session.pk,
        "rule": RULE,
        "delegations": [
            {"id": d["id"], "party": d["party_id"], "code": d["party__code"]} for d in delegations
        ],
        "level": _reported(_mean(item_levels)),
        "points": point_rows,
        "agenda_items": item_rows,
        "alignment": alignment,
        "expectation_gap": [
            {
                "agenda_item": item["id"],
                "title": item["title"],
                "expectations": expectations[item["id"]],
            }
            for item in items
            if item["id"] in expectations
        ],
    }


def _tally(
    stances: Iterable[Sequence[Any]], points: Sequence[Mapping[str, Any]], code: dict[int, str]
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """One walk over the stance rows. Returns, per point, its stances of D counted by
    value (in Stance.Value order; a value outside it counts as none), and, per delegation
    of D and stance value, the bitset of the confirmed points it took that stance on (bit
    i is the i-th confirmed point)."""
    values = Stance.Value.values  # a property that makes a new list each time
    tally = {point["id"]: dict.fromkeys(values, 0) for point in points}
    bit: dict[int, int] = {}
    for point in points:
        if point["status"] == Point.Status.CONFIRMED:
            bit[point["id"]] = 1 << len(bit)
    held: dict[int, dict[str, int]] = {d: {} for d in code}
    for stance in stances:
        point_id, delegation_id, value = stance[0], stance[1], stance[2]
        counted = tally.get(point_id)
        by_value = held.get(delegation_id)
        # A withdrawn point, a point of another session, or a delegation outside D.
        if counted is None or by_value is None:
            continue
        if value in counted:
            counted[value] += 1
        if point_id in bit:
            by_value[value] = by_value.get(value, 0) | bit[point_id]
    return tally, held


def _union(bitsets: Iterable[int]) -> int:
    union = 0
    for bits in bitsets:
        union |= bits
    return union


def agenda_item_levels(session_ids: Iterable[int]) -> dict[int, list[tuple[int, int, float]]]:
    """Per session, (agenda item, topic, level) of each agenda item that has a level, by
    order: the `agenda_items` levels of session_figures, for a chain of sessions at
    once (a report's convergence needs nothing else of their figures). Three queries
    whatever the number of sessions (none for none): the delegations per session, the
    confirmed points per agenda item, and the `agree` stances of the delegations of
    their session per agenda item.

    An item's level, the mean of its points' levels agree_i / |D|, is computed as
    sum(agree_i) / (|D| x points): the same exact fraction, so the same rounding."""
    session_ids = list(session_ids)
    if not session_ids:
        return defaultdict(list)
    size = dict(
        Delegation.objects.filter(session_id__in=session_ids)
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    points = (
        Point.objects.filter(session_id__in=session_ids, status=Point.Status.CONFIRMED)
        .order_by()
        .values_list(
            "session_id",
            "agenda_item__session_id",
            "agenda_item__order",
            "agenda_item_id",
            "agenda_item__topic_id",
        )
        .annotate(n=Count("pk"))
    )
    agree = {
        (item_id, session_id): n
        for item_id, session_id, n in Stance.objects.filter(
            point__session_id__in=session_ids,
            point__status=Point.Status.CONFIRMED,
            stance=Stance.Value.AGREE,
            delegation__session_id=F("point__session_id"),
        )
        .order_by()
        .values_list("point__agenda_item_id", "point__session_id")
        .annotate(n=Count("pk"))
    }
    levels: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for session_id, item_session_id, _order, item_id, topic_id, count in sorted(points):
        # As in session_figures: a session's items count only its own points, and a
        # session without delegations has no levels.
        if item_session_id != session_id or not size.get(session_id):
            continue
        agreeing = agree.get((item_id, session_id), 0)
        level = _rounded(Fraction(agreeing, size[session_id] * count))
        levels[session_id].append((item_id, topic_id, level))
    return levels
