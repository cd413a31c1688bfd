"""The content of the two consensus documents, as one JSON-ready dict each
(domain.md, "Carry-over between tracks"; the README documents schema version 1).

Both are built for the session's whole audience: they show the position versions that
every person of the session may read (`session` or `public` in the session itself,
`public` from earlier sessions), and never a delegation-only one. Both read with a
fixed number of queries, whatever the number of points, stances, versions or sessions.

Tens of thousands of stances and versions go into one report, so rows are read as
tuples (values_list), never as model instances, and the small tables they point to
(sessions, agenda items, parties) are read once and looked up by id."""

from __future__ import annotations

import gc
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from accounts.models import User
from consensus.figures import RULE, agenda_item_levels, point_class, session_figures
from consensus.models import Point, Stance
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Expectation,
    Party,
    PositionVersion,
    Rule,
    Session,
    Visibility,
)
from debates.selectors import session_ancestor_ids
from reports.attribution import Attribution

SCHEMA_VERSION = 1
GROUPS = ("agreed", "divergent", "partial")

# A stance as the builders read it: (point id, delegation id, value, note, party id).
StanceRow = tuple[int, int, str, str, int]
# A position version as the builders read it (the columns of VERSION_COLUMNS).
VERSION_COLUMNS = (
    "pk",
    "position_id",
    "position__delegation__party_id",
    "position__delegation__session_id",
    "position__agenda_item_id",
    "number",
    "visibility",
    "summary",
    "text",
    "red_lines",
    "proposed_language",
    "created_at",
)


def _session_summary(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk,
        "title": session.title,
        "track": session.track,
        "rule": session.rule,
        "status": session.status,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "location": session.location,
    }


def _attribution(session: Session, session_ids: list[int], seed: str) -> Attribution:
    parties = Party.objects.filter(dialogue_id=session.dialogue_id).values_list(
        "pk", "code", "name"
    )
    people = User.objects.filter(
        Q(pk__in=DelegationMember.objects.filter(session_id__in=session_ids).values("user_id"))
        | Q(facilitated_sessions__in=session_ids)
        | Q(observed_sessions__in=session_ids)
    ).values_list("username", "display_name")
    return Attribution(
        seed=seed,
        parties=list(parties),
        people=[name for pair in people.distinct() for name in pair],
    )


def _agenda(items: list[AgendaItem]) -> list[dict[str, Any]]:
    ordered = sorted(items, key=lambda i: (-i.urgency, i.order, i.pk))
    return [
        {
            "agenda_item": item.pk,
            "title": item.title,
            "objective": item.objective,
            "urgency": item.urgency,
            "minutes": item.minutes,
            "topic": {
                "id": item.topic_id,
                "code": item.topic.code,
                "name": item.topic.name,
                "name_zh": item.topic.name_zh,
            },
        }
        for item in ordered
    ]


def _latest_visible_versions(
    session_ids: list[int], topic_ids: set[int], own_session_id: int
) -> list[tuple]:
    """For each position on these topics in these sessions, its latest version the
    session's audience may read, as VERSION_COLUMNS plus the topic. One query: the
    readable versions numbered from the latest within their position (a window), the
    first of each kept (a correlated subquery per position took seconds for 30,000)."""
    audience = Q(visibility=Visibility.PUBLIC) | Q(
        visibility=Visibility.SESSION, position__delegation__session_id=own_session_id
    )
    return list(
        PositionVersion.objects.filter(
            position__delegation__session_id__in=session_ids,
            position__agenda_item__topic_id__in=topic_ids,
        )
        .filter(audience)
        .annotate(
            from_latest=Window(
                RowNumber(), partition_by=F("position_id"), order_by=F("number").desc()
            )
        )
        .filter(from_latest=1)
        # The model's ordering, said out loud: the caller keeps the first of two
        # versions made at the same time.
        .order_by("position", "number")
        .values_list(*VERSION_COLUMNS, "position__agenda_item__topic_id")
    )


def _stances_by_point(stances: QuerySet[Stance]) -> dict[int, list[StanceRow]]:
    """These stances as StanceRow, by point. One query."""
    by_point: dict[int, list[StanceRow]] = defaultdict(list)
    for row in stances.order_by().values_list(
        "point_id", "delegation_id", "stance", "note", "delegation__party_id"
    ):
        by_point[row[0]].append(row)
    return by_point


class _Naming:
    """How one document names parties and shows free text under one rule (on the record
    or Chatham House), worked out once: a report names the same parties and scrubs text
    tens of thousands of times."""

    def __init__(self, who: Attribution, anonymous: bool):
        self.anonymous = anonymous
        # Attribution.who of each party of the dialogue. Shared by every row that names
        # the party: spread them, never change them.
        self.party = {party_id: who.who(party_id, anonymous=anonymous) for party_id in who.parties}
        # Each party's place when rows are listed by participant (label or code).
        by_participant = sorted(
            self.party, key=lambda party_id: self.party[party_id]["participant"]
        )
        self.place = {party_id: place for place, party_id in enumerate(by_participant)}
        self.text: Callable[[str], str] = who.scrubber() if anonymous else _as_it_is


def _as_it_is(value: str) -> str:
    return value


def _stance_rows(stances: list[StanceRow], naming: _Naming) -> list[dict]:
    """The stance rows of one point, by participant. (The services record a point's
    stances from delegations of its session, one per party: no two rows tie, and a
    stable sort keeps the order read for any that would.)"""
    party, place, text = naming.party, naming.place, naming.text
    return [
        {**party[s[4]], "stance": s[2], "note": text(s[3])}
        for s in sorted(stances, key=lambda s: place[s[4]])
    ]


def _position_row(
    version: tuple, naming: _Naming, at: str, title: str | None = None
) -> dict[str, Any]:
    """A version (VERSION_COLUMNS) as a document shows it, named as the rule of the
    version's session says; `at`: its time, as datetime.isoformat() gives it; `title`:
    its agenda item's, where the document shows it."""
    (
        _pk,
        position,
        party,
        session_id,
        item,
        number,
        visibility,
        summary,
        text,
        red_lines,
        proposed_language,
        _at,
    ) = version[:12]
    scrub = naming.text
    row = {
        **naming.party[party],
        "position": position,
        "session": session_id,
        "agenda_item": item,
        "version": number,
        "visibility": visibility,
        "summary": scrub(summary),
        "text": scrub(text),
        "red_lines": scrub(red_lines),
        "proposed_language": scrub(proposed_language),
        "at": at,
    }
    if title is not None:
        row["agenda_item_title"] = title
    return row


# Django's loader of a PostgreSQL timestamptz takes some 3 µs a value (it sets the zone
# in Python), a tenth of a report's build for its 20,000 versions: the report reads their
# times as the database's text of them and parses that with datetime.fromisoformat.
CREATED_AT_TEXT = Cast("created_at", output_field=CharField())


def _isoformat(stored: str) -> str:
    """A time read as CREATED_AT_TEXT (PostgreSQL: ISO 8601 with the offset of the
    connection's zone, UTC; SQLite: naive UTC), as datetime.isoformat() gives the
    ORM's value of it."""
    if len(stored) == 29 and stored.endswith("+00"):
        # PostgreSQL's usual 'YYYY-MM-DD HH:MM:SS.ffffff+00', rewritten without parsing.
        # It drops a fraction's trailing zeros, so this length means six digits, which
        # isoformat shows as they are.
        return f"{stored[:10]}T{stored[11:26]}+00:00"
    moment = datetime.fromisoformat(stored)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


@contextmanager
def _collector_paused():
    """The cyclic garbage collector off while a document is built. A report makes some
    200,000 dicts, lists and row tuples, none of them garbage before the build ends (and
    none in a cycle), and the collector would walk that growing heap again and again:
    a fifth of a median build at 50,000 stances, and most of the spread between builds.
    It is on again afterwards, however the build ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def build_brief(session: Session, *, seed: str) -> dict[str, Any]:
    """The pre-session brief of `session`: for each agenda item, every confirmed point on
    its topic from the sessions it builds on (followed transitively; a point carried on
    within the chain shows only as its latest form), grouped by its stances, with its
    source; the latest readable position of each party on the topic; the agenda by
    urgency; and the expectation gap."""
    ancestor_ids = session_ancestor_ids(session.pk)
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=[*ancestor_ids, session.pk])}
    who = _attribution(session, list(sessions), seed)
    naming = {anonymous: _Naming(who, anonymous) for anonymous in (False, True)}
    items = list(session.agenda_items.select_related("topic"))
    topic_ids = {item.topic_id for item in items}

    # Continued by a confirmed point of a later session of the chain: that one shows
    # instead. A proposed or withdrawn continuation replaces nothing.
    carried_on = Point.objects.filter(
        carried_from=OuterRef("pk"),
        session_id__in=ancestor_ids,
        status=Point.Status.CONFIRMED,
    )
    points = list(
        Point.objects.filter(
            session_id__in=ancestor_ids,
            status=Point.Status.CONFIRMED,
            agenda_item__topic_id__in=topic_ids,
        )
        .annotate(carried_on=Exists(carried_on))
        .filter(carried_on=False)
        .order_by("session__starts_at", "agenda_item__order", "pk")
        .values_list("pk", "session_id", "agenda_item__topic_id", "kind", "statement")
    )
    stances = _stances_by_point(Stance.objects.filter(point_id__in=[p[0] for p in points]))
    delegations_at = dict(
        Delegation.objects.filter(session_id__in=ancestor_ids)
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    carried: dict[int, dict[str, list]] = defaultdict(lambda: {g: [] for g in GROUPS})
    for point_id, session_id, topic_id, kind, statement in points:
        source = sessions[session_id]
        anonymous = source.is_chatham_house
        on_point = stances[point_id]
        agree = sum(s[2] == Stance.Value.AGREE for s in on_point)
        disagree = sum(s[2] == Stance.Value.DISAGREE for s in on_point)
        cls = point_class(agree, disagree, delegations_at.get(session_id, 0))
        group = {"consensus": "agreed", "divergent": "divergent"}.get(cls, "partial")
        carried[topic_id][group].append(
            {
                "point": point_id,
                "kind": kind,
                "statement": who.text(statement, anonymous=anonymous),
                "class": cls,
                "source": {
                    "session": source.pk,
                    "title": source.title,
                    "track": source.track,
                    "rule": source.rule,
                },
                "stances": _stance_rows(on_point, naming[anonymous]),
            }
        )

    # Per party and topic, the latest of its positions' latest readable versions.
    latest: dict[tuple[int, int], tuple] = {}
    for version in _latest_visible_versions(list(sessions), topic_ids, session.pk):
        key = (version[2], version[-1])
        if key not in latest or version[11] > latest[key][11]:
            latest[key] = version
    positions: dict[int, list[dict]] = defaultdict(list)
    for (_party, topic_id), version in sorted(latest.items(), key=lambda kv: kv[1][0]):
        anonymous = sessions[version[3]].is_chatham_house
        positions[topic_id].append(
            _position_row(version, naming[anonymous], version[11].isoformat())
        )

    agenda = _agenda(items)
    gap = _expectation_gap(session, who)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "pre_session_brief",
        "generated_at": timezone.now().isoformat(),
        "session": _session_summary(session),
        "builds_on": [
            _session_summary(sessions[sid])
            for sid in sorted(ancestor_ids, key=lambda i: sessions[i].starts_at)
        ],
        "attribution": _attribution_note(
            session, [sid for sid in ancestor_ids if sessions[sid].is_chatham_house]
        ),
        "agenda": agenda,
        "items": [
            {
                **entry,
                "carried": carried[entry["topic"]["id"]],
                "positions": sorted(
                    positions[entry["topic"]["id"]], key=lambda r: r["participant"]
                ),
            }
            for entry in agenda
        ],
        "expectation_gap": gap,
    }


def _expectation_gap(session: Session, who: Attribution) -> list[dict[str, Any]]:
    by_item: dict[int, list[tuple]] = defaultdict(list)
    expectations = (
        Expectation.objects.filter(delegation__session=session)
        .order_by("agenda_item__order", "delegation__party__code")
        .values_list(
            "agenda_item_id",
            "agenda_item__title",
            "agenda_item__order",
            "delegation__party_id",
            "outcome",
            "importance",
        )
    )
    for expectation in expectations:
        by_item[expectation[0]].append(expectation)
    anonymous = session.is_chatham_house
    gap = []
    for item_id, rows in by_item.items():
        if len({row[4] for row in rows}) < 2:
            continue
        _item, title, order = rows[0][:3]
        gap.append(
            {
                "agenda_item": item_id,
                "title": title,
                "order": order,
                "expectations": sorted(
                    (
                        {
                            **who.who(party, anonymous=anonymous),
                            "outcome": outcome,
                            "importance": importance,
                        }
                        for *_, party, outcome, importance in rows
                    ),
                    key=lambda r: r["participant"],
                ),
            }
        )
    return sorted(gap, key=lambda g: (g["order"], g["agenda_item"]))


def _attribution_note(session: Session, quoted: Iterable[int]) -> dict[str, Any]:
    """`quoted`: the ids of the Chatham House sessions whose statements the document
    quotes besides the session's own."""
    anonymised = sorted({*quoted, *([session.pk] if session.is_chatham_house else [])})
    note = (
        "Statements made under the Chatham House rule are shown without attribution: "
        "parties appear as neutral labels (Participant A, B, ...), the same within this "
        "document and shuffled between documents; names of parties and people are "
        "removed from their text. Statements made on the record name their party."
        if anonymised
        else "Every statement in this document was made on the record and names its party."
    )
    return {"rule": session.rule, "anonymised_sessions": anonymised, "note": note}


@_collector_paused()
def build_post_session_report(
    session: Session, *, seed: str, brief: dict[str, Any] | None
) -> dict[str, Any]:
    """The post-session report of `session`: every point with its stances and lineage,
    what changed against the brief, the positions that moved during the session, the
    consensus figures, the convergence of each topic along the chain of sessions, and
    the open items as the suggested agenda of the next session."""
    ancestor_ids = session_ancestor_ids(session.pk)
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=[*ancestor_ids, session.pk])}
    who = _attribution(session, list(sessions), seed)
    anonymous = session.is_chatham_house
    naming = _Naming(who, anonymous)
    items = list(session.agenda_items.select_related("topic"))

    stances = _stances_by_point(
        Stance.objects.filter(point__session=session).exclude(point__status=Point.Status.WITHDRAWN)
    )
    # The figures count the stances read above rather than reading them again.
    figures = session_figures(session, stances=itertools.chain.from_iterable(stances.values()))

    points = (
        Point.objects.filter(session=session)
        .exclude(status=Point.Status.WITHDRAWN)
        .order_by("agenda_item__order", "pk")
        .values_list(
            "pk",
            "agenda_item_id",
            "agenda_item__title",
            "kind",
            "status",
            "statement",
            "carry_status",
            "carried_from_id",
            "carried_from__statement",
            "carried_from__session_id",
            "carried_from__session__title",
            "carried_from__session__track",
            "carried_from__session__rule",
        )
    )
    level_of = {row["point"]: row for row in figures["points"]}
    point_rows = []
    quoted = set()
    for (
        point_id,
        item_id,
        item_title,
        kind,
        status,
        statement,
        carry_status,
        origin,
        origin_statement,
        origin_session,
        origin_title,
        origin_track,
        origin_rule,
    ) in points:
        origin_anonymous = origin_rule == Rule.CHATHAM_HOUSE
        if origin is not None and origin_anonymous:
            quoted.add(origin_session)
        point_rows.append(
            {
                "point": point_id,
                "agenda_item": item_id,
                "agenda_item_title": item_title,
                "kind": kind,
                "status": status,
                "statement": naming.text(statement),
                "level": level_of[point_id]["level"],
                "class": level_of[point_id]["class"],
                "carry_status": carry_status,
                "carried_from": None
                if origin is None
                else {
                    "point": origin,
                    "session": origin_session,
                    "title": origin_title,
                    "track": origin_track,
                    "statement": who.text(origin_statement, anonymous=origin_anonymous),
                },
                "stances": _stance_rows(stances[point_id], naming),
            }
        )

    positions = _readable_versions(session, naming, items)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "post_session_report",
        "generated_at": timezone.now().isoformat(),
        "session": _session_summary(session),
        "builds_on": [
            _session_summary(sessions[sid])
            for sid in sorted(ancestor_ids, key=lambda i: sessions[i].starts_at)
        ],
        # The lineage quotes the statements of earlier sessions (scrubbed where they
        # were made under the Chatham House rule).
        "attribution": _attribution_note(session, quoted),
        "agenda": _agenda(items),
        "points": point_rows,
        "changes_against_brief": _changes_against_brief(point_rows, brief),
        "moved_positions": _moved_positions(positions),
        "positions": positions,
        "figures": _labelled_figures(figures, stances, naming),
        "convergence": _convergence(items, sessions, figures),
        "suggested_agenda": _suggested_agenda(items, figures),
    }


def _changes_against_brief(point_rows: list[dict], brief: dict[str, Any] | None) -> dict:
    changes: dict[str, Any] = {s: [] for s in ("reaffirmed", "reopened", "superseded", "new")}
    taken_up = set()
    for row in point_rows:
        changes[row["carry_status"]].append(
            {
                "point": row["point"],
                "statement": row["statement"],
                "carried_from": row["carried_from"],
            }
        )
        if row["carried_from"]:
            taken_up.add(row["carried_from"]["point"])
    not_taken_up = []
    if brief:
        for item in brief.get("items", []):
            for group in GROUPS:
                for carried in item["carried"][group]:
                    if carried["point"] not in taken_up:
                        not_taken_up.append(
                            {
                                "point": carried["point"],
                                "statement": carried["statement"],
                                "group": group,
                                "source": carried["source"],
                            }
                        )
    changes["not_taken_up"] = not_taken_up
    changes["brief_available"] = brief is not None
    return changes


def _readable_versions(session: Session, naming: _Naming, items: list[AgendaItem]) -> list[dict]:
    """Every version of the session's positions that its audience may read, by agenda
    item, position and number, as the document shows it. One query. `items`: the
    session's agenda items (a position is on an agenda item of its delegation's session:
    position_log checks it)."""
    versions = list(
        PositionVersion.objects.filter(
            position__delegation__session=session,
            visibility__in=[Visibility.SESSION, Visibility.PUBLIC],
        )
        .order_by()
        .annotate(created_at_text=CREATED_AT_TEXT)
        .values_list(*VERSION_COLUMNS[:-1], "created_at_text")
    )
    # Sorted here rather than by the database: it would join the agenda items for
    # their order and sort 20,000 rows with their texts (on disk, past work_mem).
    order = {item.pk: item.order for item in items}
    versions.sort(key=lambda v: (order[v[4]], v[1], v[5]))
    titles = {item.pk: item.title for item in items}
    return [_position_row(v, naming, _isoformat(v[11]), titles[v[4]]) for v in versions]


def _moved_positions(readable: list[dict]) -> list[dict]:
    """Positions of the session that moved between versions the audience may read: the
    first and the latest such version of each, from the readable versions (by position
    and number), so no query."""
    first: dict[int, dict] = {}
    latest: dict[int, dict] = {}
    for row in readable:
        first.setdefault(row["position"], row)
        latest[row["position"]] = row
    moved = [
        {
            **after,
            "from_version": before["version"],
            "from_summary": before["summary"],
            "from_text": before["text"],
        }
        for position, after in latest.items()
        if (before := first[position]) is not after
    ]
    return sorted(moved, key=lambda r: (r["agenda_item"], r["participant"]))


def _labelled_figures(figures: dict, stances: dict[int, list[StanceRow]], naming: _Naming) -> dict:
    """session_figures, with delegations named as the document names parties, and listed
    by that name: in code order, the columns of an anonymous document would tell anyone
    who knows the dialogue's parties which label is whose."""
    names = {d["id"]: naming.party[d["party"]]["participant"] for d in figures["delegations"]}
    delegations = sorted(figures["delegations"], key=lambda d: names[d["id"]])
    return {
        "rule": RULE,
        "level": figures["level"],
        # Under the Chatham House rule a delegation's id would name its party to anyone
        # who can read the session through the API: the label is all a document gives.
        "delegations": [
            {"participant": names[d["id"]]}
            if naming.anonymous
            else {"delegation": d["id"], "participant": names[d["id"]]}
            for d in delegations
        ],
        "points": figures["points"],
        "agenda_items": figures["agenda_items"],
        "alignment": sorted(
            (
                {
                    "participants": sorted(names[a] for a in pair["delegations"]),
                    "alignment": pair["alignment"],
                    "shared": pair["shared"],
                    "equal": pair["equal"],
                }
                for pair in figures["alignment"]
            ),
            key=lambda pair: pair["participants"],
        ),
        "expectation_gap": [
            {
                "agenda_item": gap["agenda_item"],
                "title": gap["title"],
                "expectations": sorted(
                    (
                        {
                            "participant": names[e["delegation"]],
                            "outcome": e["outcome"],
                            "importance": e["importance"],
                        }
                        for e in gap["expectations"]
                    ),
                    key=lambda e: e["participant"],
                ),
            }
            for gap in figures["expectation_gap"]
        ],
        "heat_map": _heat_map(figures, stances, names, delegations),
    }


def heat_map_rows(
    figures: dict, stances: dict[int, list[Stance]], names: dict[int, str], delegations: list
) -> list[dict]:
    """Agenda items by delegations: each cell the delegation's share of `agree` over the
    item's confirmed points (None where the item has none), and its stances counted."""
    return _heat_map(
        figures,
        {
            point: [(s.point_id, s.delegation_id, s.stance) for s in on_point]
            for point, on_point in stances.items()
        },
        names,
        delegations,
    )


def _heat_map(
    figures: dict, stances: dict[int, list], names: dict[int, str], delegations: list
) -> list[dict]:
    """heat_map_rows, from stance rows that start (point id, delegation id, value)."""
    # Per agenda item and delegation, its stances counted by value, the values in the
    # order the item's points first show them.
    counted: dict[int, dict[int, dict[str, int]]] = defaultdict(dict)
    for point in figures["points"]:
        if point["status"] != "confirmed":
            continue
        on_item = counted[point["agenda_item"]]
        for row in stances.get(point["point"], ()):
            delegation_id, value = row[1], row[2]
            cell = on_item.get(delegation_id)
            if cell is None:
                cell = on_item[delegation_id] = {}
            cell[value] = cell.get(value, 0) + 1
    rows = []
    for item in figures["agenda_items"]:
        total = item["points"]
        on_item = counted.get(item["agenda_item"], {})
        cells = []
        for d in delegations:
            cell = on_item.get(d["id"], {})
            cells.append(
                {
                    "participant": names[d["id"]],
                    "agree_share": round(cell.get(Stance.Value.AGREE, 0) / total, 4)
                    if total
                    else None,
                    "stances": cell,
                }
            )
        rows.append({"agenda_item": item["agenda_item"], "title": item["title"], "cells": cells})
    return rows


def _convergence(
    items: list[AgendaItem], sessions: dict[int, Session], figures: dict[str, Any]
) -> list[dict]:
    """For each topic of the agenda, its consensus level in each session of the chain
    that had it on the agenda (oldest first), and the change from one to the next: the
    mean of the levels of its agenda items there. `figures`: the session's own."""
    chain = sorted(sessions.values(), key=lambda s: s.starts_at)
    item_levels = agenda_item_levels(sid for sid in sessions if sid != figures["session"])
    item_levels[figures["session"]] = [
        (row["agenda_item"], row["topic"], row["level"])
        for row in figures["agenda_items"]
        if row["level"] is not None
    ]
    levels: dict[int, list[dict]] = defaultdict(list)
    topics = {item.topic_id: item.topic for item in items}
    for chained in chain:
        topic_levels: dict[int, list[float]] = defaultdict(list)
        for _item, topic_id, level in item_levels.get(chained.pk, []):
            topic_levels[topic_id].append(level)
        for topic_id in topics:
            if topic_levels.get(topic_id):
                values = topic_levels[topic_id]
                levels[topic_id].append(
                    {
                        "session": chained.pk,
                        "title": chained.title,
                        "track": chained.track,
                        "level": round(sum(values) / len(values), 4),
                    }
                )
    result = []
    for topic_id, topic in topics.items():
        series = levels.get(topic_id, [])
        result.append(
            {
                "topic": {
                    "id": topic_id,
                    "code": topic.code,
                    "name": topic.name,
                    "name_zh": topic.name_zh,
                },
                "levels": series,
                "changes": [
                    round(b["level"] - a["level"], 4) for a, b in itertools.pairwise(series)
                ],
            }
        )
    return result


def _suggested_agenda(items: list[AgendaItem], figures: dict) -> list[dict]:
    """The items still open: no confirmed point reached consensus on all of them, or
    nothing was settled at all."""
    classes: dict[int, set[str]] = defaultdict(set)
    for point in figures["points"]:
        if point["status"] == "confirmed":
            classes[point["agenda_item"]].add(point["class"])
    open_items = []
    for item in sorted(items, key=lambda i: (-i.urgency, i.order)):
        found = classes.get(item.pk, set())
        if found and found <= {"consensus"}:
            continue
        open_items.append(
            {
                "agenda_item": item.pk,
                "title": item.title,
                "topic": {
                    "id": item.topic_id,
                    "code": item.topic.code,
                    "name": item.topic.name,
                    "name_zh": item.topic.name_zh,
                },
                "urgency": item.urgency,
                "reason": "unresolved points" if found else "no confirmed point",
                "open_classes": sorted(found - {"consensus"}),
            }
        )
    return open_items
