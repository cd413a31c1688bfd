"""The content of the two consensus documents, as one JSON-ready dict each
(domain.md, "Carry-over between tracks"; the README documents schema version 1).

Both are built for the session's whole audience: they show the position versions that
every person of the session may read (`session` or `public` in the session itself,
`public` from earlier sessions), and never a delegation-only one. Both read with a
fixed number of queries, whatever the number of points, stances or versions."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User
from consensus.figures import RULE, point_class, session_figures
from consensus.models import Point, Stance
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Expectation,
    Party,
    Position,
    PositionVersion,
    Session,
    Visibility,
)
from debates.selectors import session_ancestor_ids
from reports.attribution import Attribution

SCHEMA_VERSION = 1
GROUPS = ("agreed", "divergent", "partial")


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
) -> list[PositionVersion]:
    """For each position on these topics in these sessions, its latest version the
    session's audience may read. One query."""
    audience = Q(visibility=Visibility.PUBLIC) | Q(
        visibility=Visibility.SESSION, position__delegation__session_id=own_session_id
    )
    latest = (
        PositionVersion.objects.filter(position=OuterRef("pk"))
        .filter(audience)
        .order_by("-number")
        .values("pk")[:1]
    )
    version_ids = (
        Position.objects.filter(
            delegation__session_id__in=session_ids, agenda_item__topic_id__in=topic_ids
        )
        .annotate(visible=Subquery(latest))
        .filter(visible__isnull=False)
        .values("visible")
    )
    return list(
        PositionVersion.objects.filter(pk__in=version_ids).select_related(
            "position__delegation__party",
            "position__delegation__session",
            "position__agenda_item",
        )
    )


def _stances_by_point(point_ids: list[int]) -> dict[int, list[Stance]]:
    stances: dict[int, list[Stance]] = defaultdict(list)
    for stance in (
        Stance.objects.filter(point_id__in=point_ids)
        .select_related("delegation")
        .order_by("delegation__party__code")
    ):
        stances[stance.point_id].append(stance)
    return stances


def _stance_rows(stances: list[Stance], who: Attribution, anonymous: bool) -> list[dict]:
    rows = [
        {
            **who.who(s.delegation.party_id, anonymous=anonymous),
            "stance": s.stance,
            "note": who.text(s.note, anonymous=anonymous),
        }
        for s in stances
    ]
    return sorted(rows, key=lambda row: row["participant"])


def _position_row(version: PositionVersion, who: Attribution, sessions: dict) -> dict:
    delegation = version.position.delegation
    source = sessions[delegation.session_id]
    anonymous = source.is_chatham_house
    return {
        **who.who(delegation.party_id, anonymous=anonymous),
        "position": version.position_id,
        "session": delegation.session_id,
        "agenda_item": version.position.agenda_item_id,
        "version": version.number,
        "visibility": version.visibility,
        "summary": who.text(version.summary, anonymous=anonymous),
        "text": who.text(version.text, anonymous=anonymous),
        "red_lines": who.text(version.red_lines, anonymous=anonymous),
        "proposed_language": who.text(version.proposed_language, anonymous=anonymous),
        "at": version.created_at.isoformat(),
    }


def build_brief(session: Session, *, seed: str) -> dict[str, Any]:
    """The pre-session brief of `session`: for each agenda item, every confirmed point on
    its topic from the sessions it builds on (followed transitively; a point carried on
    within the chain shows only as its latest form), grouped by its stances, with its
    source; the latest readable position of each party on the topic; the agenda by
    urgency; and the expectation gap."""
    ancestor_ids = session_ancestor_ids(session.pk)
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=[*ancestor_ids, session.pk])}
    who = _attribution(session, list(sessions), seed)
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
        .select_related("agenda_item")
        .order_by("session__starts_at", "agenda_item__order", "pk")
    )
    stances = _stances_by_point([p.pk for p in points])
    delegations_at = dict(
        Delegation.objects.filter(session_id__in=ancestor_ids)
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    carried: dict[int, dict[str, list]] = defaultdict(lambda: {g: [] for g in GROUPS})
    for point in points:
        source = sessions[point.session_id]
        anonymous = source.is_chatham_house
        agree = sum(s.stance == Stance.Value.AGREE for s in stances[point.pk])
        disagree = sum(s.stance == Stance.Value.DISAGREE for s in stances[point.pk])
        cls = point_class(agree, disagree, delegations_at.get(point.session_id, 0))
        group = {"consensus": "agreed", "divergent": "divergent"}.get(cls, "partial")
        carried[point.agenda_item.topic_id][group].append(
            {
                "point": point.pk,
                "kind": point.kind,
                "statement": who.text(point.statement, anonymous=anonymous),
                "class": cls,
                "source": {
                    "session": source.pk,
                    "title": source.title,
                    "track": source.track,
                    "rule": source.rule,
                },
                "stances": _stance_rows(stances[point.pk], who, anonymous),
            }
        )

    latest: dict[tuple[int, int], PositionVersion] = {}
    for version in _latest_visible_versions(list(sessions), topic_ids, session.pk):
        key = (version.position.delegation.party_id, version.position.agenda_item.topic_id)
        if key not in latest or version.created_at > latest[key].created_at:
            latest[key] = version
    positions: dict[int, list[dict]] = defaultdict(list)
    for (_party, topic_id), version in sorted(latest.items(), key=lambda kv: kv[1].pk):
        positions[topic_id].append(_position_row(version, who, sessions))

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
        "attribution": _attribution_note(session, [sessions[s] for s in ancestor_ids]),
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
    by_item: dict[int, list[Expectation]] = defaultdict(list)
    expectations = Expectation.objects.filter(delegation__session=session).select_related(
        "delegation", "agenda_item"
    )
    for expectation in expectations:
        by_item[expectation.agenda_item_id].append(expectation)
    anonymous = session.is_chatham_house
    gap = []
    for rows in by_item.values():
        if len({e.outcome for e in rows}) < 2:
            continue
        item = rows[0].agenda_item
        gap.append(
            {
                "agenda_item": item.pk,
                "title": item.title,
                "order": item.order,
                "expectations": sorted(
                    (
                        {
                            **who.who(e.delegation.party_id, anonymous=anonymous),
                            "outcome": e.outcome,
                            "importance": e.importance,
                        }
                        for e in rows
                    ),
                    key=lambda r: r["participant"],
                ),
            }
        )
    return sorted(gap, key=lambda g: (g["order"], g["agenda_item"]))


def _attribution_note(session: Session, sources: list[Session]) -> dict[str, Any]:
    anonymised = sorted({s.pk for s in [session, *sources] if s.is_chatham_house})
    note = (
        "Statements made under the Chatham House rule are shown without attribution: "
        "parties appear as neutral labels (Participant A, B, ...), the same within this "
        "document and shuffled between documents; names of parties and people are "
        "removed from their text. Statements made on the record name their party."
        if anonymised
        else "Every statement in this document was made on the record and names its party."
    )
    return {"rule": session.rule, "anonymised_sessions": anonymised, "note": note}


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
    items = list(session.agenda_items.select_related("topic"))
    figures = session_figures(session)

    points = list(
        Point.objects.filter(session=session)
        .exclude(status=Point.Status.WITHDRAWN)
        .select_related("agenda_item", "carried_from__session")
        .order_by("agenda_item__order", "pk")
    )
    stances = _stances_by_point([p.pk for p in points])
    level_of = {row["point"]: row for row in figures["points"]}
    point_rows = []
    for point in points:
        origin = point.carried_from
        point_rows.append(
            {
                "point": point.pk,
                "agenda_item": point.agenda_item_id,
                "agenda_item_title": point.agenda_item.title,
                "kind": point.kind,
                "status": point.status,
                "statement": who.text(point.statement, anonymous=anonymous),
                "level": level_of[point.pk]["level"],
                "class": level_of[point.pk]["class"],
                "carry_status": point.carry_status,
                "carried_from": None
                if origin is None
                else {
                    "point": origin.pk,
                    "session": origin.session_id,
                    "title": origin.session.title,
                    "track": origin.session.track,
                    "statement": who.text(
                        origin.statement, anonymous=origin.session.is_chatham_house
                    ),
                },
                "stances": _stance_rows(stances[point.pk], who, anonymous),
            }
        )

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
        "attribution": _attribution_note(
            session, [p.carried_from.session for p in points if p.carried_from]
        ),
        "agenda": _agenda(items),
        "points": point_rows,
        "changes_against_brief": _changes_against_brief(point_rows, brief),
        "moved_positions": _moved_positions(session, who, sessions),
        "positions": _readable_versions(session, who, sessions),
        "figures": _labelled_figures(figures, stances, who, anonymous),
        "convergence": _convergence(session, items, sessions),
        "suggested_agenda": _suggested_agenda(items, figures),
    }


def _changes_against_brief(point_rows: list[dict], brief: dict[str, Any] | None) -> dict:
    changes: dict[str, list] = {s: [] for s in ("reaffirmed", "reopened", "superseded", "new")}
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


def _moved_positions(session: Session, who: Attribution, sessions: dict) -> list[dict]:
    """Positions of the session that moved between versions the audience may read: the
    first and the latest such version of each. Two queries."""
    readable = Q(visibility__in=[Visibility.SESSION, Visibility.PUBLIC])
    versions = PositionVersion.objects.filter(position=OuterRef("pk")).filter(readable)
    positions = (
        Position.objects.filter(delegation__session=session)
        .annotate(
            first=Subquery(versions.order_by("number").values("pk")[:1]),
            last=Subquery(versions.order_by("-number").values("pk")[:1]),
        )
        .exclude(first=None)
        .values_list("first", "last")
    )
    pairs = [(first, last) for first, last in positions if first != last]
    fetched = PositionVersion.objects.filter(
        pk__in=[pk for pair in pairs for pk in pair]
    ).select_related("position__delegation__session", "position__agenda_item")
    by_id = {v.pk: v for v in fetched}
    moved = []
    for first, last in pairs:
        before, after = by_id[first], by_id[last]
        moved.append(
            {
                **_position_row(after, who, sessions),
                "agenda_item_title": after.position.agenda_item.title,
                "from_version": before.number,
                "from_summary": who.text(before.summary, anonymous=session.is_chatham_house),
                "from_text": who.text(before.text, anonymous=session.is_chatham_house),
            }
        )
    return sorted(moved, key=lambda r: (r["agenda_item"], r["participant"]))


def _readable_versions(session: Session, who: Attribution, sessions: dict) -> list[dict]:
    """Every version of the session's positions that its audience may read. One query."""
    versions = (
        PositionVersion.objects.filter(
            position__delegation__session=session,
            visibility__in=[Visibility.SESSION, Visibility.PUBLIC],
        )
        .select_related("position__delegation", "position__agenda_item")
        .order_by("position__agenda_item__order", "position_id", "number")
    )
    return [
        {**_position_row(v, who, sessions), "agenda_item_title": v.position.agenda_item.title}
        for v in versions
    ]


def _labelled_figures(
    figures: dict, stances: dict[int, list[Stance]], who: Attribution, anonymous: bool
) -> dict:
    """session_figures, with delegations named as the document names parties, and listed
    by that name: in code order, the columns of an anonymous document would tell anyone
    who knows the dialogue's parties which label is whose."""
    names = {
        d["id"]: who.who(d["party"], anonymous=anonymous)["participant"]
        for d in figures["delegations"]
    }
    delegations = sorted(figures["delegations"], key=lambda d: names[d["id"]])
    return {
        "rule": RULE,
        "level": figures["level"],
        # Under the Chatham House rule a delegation's id would name its party to anyone
        # who can read the session through the API: the label is all a document gives.
        "delegations": [
            {"participant": names[d["id"]]}
            if anonymous
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
        "heat_map": heat_map_rows(figures, stances, names, delegations),
    }


def heat_map_rows(
    figures: dict, stances: dict[int, list[Stance]], names: dict[int, str], delegations: list
) -> list[dict]:
    """Agenda items by delegations: each cell the delegation's share of `agree` over the
    item's confirmed points (None where the item has none), and its stances counted."""
    agree: dict[tuple[int, int], int] = defaultdict(int)
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for point in figures["points"]:
        if point["status"] != "confirmed":
            continue
        for stance in stances.get(point["point"], []):
            key = (point["agenda_item"], stance.delegation_id)
            agree[key] += stance.stance == Stance.Value.AGREE
            counts[key][stance.stance] += 1
    rows = []
    for item in figures["agenda_items"]:
        total = item["points"]
        cells = []
        for d in delegations:
            key = (item["agenda_item"], d["id"])
            cells.append(
                {
                    "participant": names[d["id"]],
                    "agree_share": round(agree[key] / total, 4) if total else None,
                    "stances": dict(counts[key]),
                }
            )
        rows.append({"agenda_item": item["agenda_item"], "title": item["title"], "cells": cells})
    return rows


def _convergence(session: Session, items: list[AgendaItem], sessions: dict) -> list[dict]:
    """For each topic of the agenda, its consensus level in each session of the chain
    that had it on the agenda (oldest first), and the change from one to the next."""
    chain = sorted(sessions.values(), key=lambda s: s.starts_at)
    levels: dict[int, list[dict]] = defaultdict(list)
    topics = {item.topic_id: item.topic for item in items}
    for chained in chain:
        figures = session_figures(chained)
        topic_levels: dict[int, list[float]] = defaultdict(list)
        topic_of_item = dict(
            AgendaItem.objects.filter(session=chained).values_list("pk", "topic_id")
        )
        for row in figures["agenda_items"]:
            if row["level"] is not None:
                topic_levels[topic_of_item[row["agenda_item"]]].append(row["level"])
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
