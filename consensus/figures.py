"""Consensus figures of a session (domain.md, "Consensus figures"), computed from the
stored stances by the database.

Query budget: five queries whatever the number of points, stances, delegations or agenda
items: the delegations, the agenda items, the points with their stance counts (one grouped
query), the pairwise comparison of stances (one grouped self-join) and the expectations on
the items where they differ. Python walks only those aggregate rows, never a stance row.

The five queries are separate statements: under PostgreSQL's default READ COMMITTED each
sees its own snapshot, so a caller that needs figures consistent with a concurrent write
(a report build) runs this inside a REPEATABLE READ transaction or after the session's
points are frozen."""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction
from itertools import combinations
from typing import Any

from django.db import connection
from django.db.models import Count, Q

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

# Every confirmed point on which both delegations of a pair took a stance, grouped by
# the pair: one row per pair (a < b by id) with the points shared and the equal stances.
# Raw SQL because the ORM has no plain way to say a self-join on the same point; it is
# portable between PostgreSQL and SQLite.
PAIRS_SQL = """
    SELECT a.delegation_id, b.delegation_id, COUNT(*),
           SUM(CASE WHEN a.stance = b.stance THEN 1 ELSE 0 END)
    FROM consensus_stance a
    JOIN consensus_stance b ON b.point_id = a.point_id AND b.delegation_id > a.delegation_id
    JOIN consensus_point p ON p.id = a.point_id
    WHERE p.session_id = %s AND p.status = %s
    GROUP BY a.delegation_id, b.delegation_id
"""


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
    if value is None:
        return None
    return math.floor(value * 10_000 + Fraction(1, 2)) / 10_000


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def session_figures(session: Session) -> dict[str, Any]:
    """The consensus figures of `session`, JSON-ready, with the rule they follow.

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

    # A stance counts only if its delegation is one of D, so `none` is never negative.
    of_session = Q(stances__delegation__session_id=session.pk)
    counts = {
        value: Count("stances", filter=of_session & Q(stances__stance=value))
        for value in Stance.Value.values
    }
    points = list(
        Point.objects.filter(session=session)
        .exclude(status=Point.Status.WITHDRAWN)
        .values("id", "agenda_item_id", "kind", "status")
        .annotate(**counts)
        .order_by("agenda_item__order", "agenda_item_id", "id")
    )

    with connection.cursor() as cursor:
        cursor.execute(PAIRS_SQL, [session.pk, Point.Status.CONFIRMED])
        pairs = {(a, b): (shared, equal) for a, b, shared, equal in cursor.fetchall()}

    differing = (
        Expectation.objects.filter(delegation__session=session)
        .order_by()
        .values("agenda_item_id")
        .annotate(outcomes=Count("outcome", distinct=True))
        .filter(outcomes__gte=2)
        .values("agenda_item_id")
    )
    expectations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Expectation.objects.filter(delegation__session=session, agenda_item_id__in=differing)
        .order_by("delegation__party__code", "delegation_id")
        .values("agenda_item_id", "delegation_id", "outcome", "importance")
    ):
        expectations[row["agenda_item_id"]].append(
            {
                "delegation": row["delegation_id"],
                "code": code.get(row["delegation_id"]),
                "outcome": row["outcome"],
                "importance": row["importance"],
            }
        )

    point_rows = []
    confirmed: dict[int, list[Fraction | None]] = defaultdict(list)
    for row in points:
        agree = row["agree"]
        level = Fraction(agree, size) if size else None
        point_rows.append(
            {
                "point": row["id"],
                "agenda_item": row["agenda_item_id"],
                "kind": row["kind"],
                "status": row["status"],
                "level": _reported(level),
                "class": point_class(agree, row["disagree"], size),
                **{value: row[value] for value in Stance.Value.values},
                "none": size - sum(row[value] for value in Stance.Value.values),
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

    alignment = []
    for a, b in combinations(delegations, 2):
        shared, equal = pairs.get((min(a["id"], b["id"]), max(a["id"], b["id"])), (0, 0))
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
