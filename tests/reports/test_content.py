"""The content of the pre-session brief and the post-session report (domain.md,
"Carry-over between tracks", "Consensus figures"), hand-checked on the three-session
chain of tests/reports/chain.py: S1 Track II (Chatham House) -> S2 Track I (on the
record) -> S3 Track II (Chatham House).

Chatham House content carries neutral labels shuffled per document, so each test reads
the label of each party off one point whose stances tell the parties apart, and then
expects that same label everywhere else in the document."""

from datetime import UTC, datetime
from unittest import mock

from consensus.figures import RULE, session_figures
from debates.models import Visibility
from reports import content as builders
from reports.models import Report
from tests import factories
from tests.reports.chain import (
    P1_NOTE_SCRUBBED,
    P2_SCRUBBED,
    Q4_STATEMENT,
    QF_B2_V1,
    QF_B2_V2,
    ZR_B1_V1,
    ZR_B1_V2,
    Chain,
)

S1_TITLE = "Track II workshop on AI risk"
S2_TITLE = "Intergovernmental round on AI risk"


# Helpers ----------------------------------------------------------------------------


def s1_source(chain: Chain) -> dict:
    return {"session": chain.s1.pk, "title": S1_TITLE, "track": "track_2", "rule": "chatham_house"}


def s2_source(chain: Chain) -> dict:
    return {"session": chain.s2.pk, "title": S2_TITLE, "track": "track_1", "rule": "on_record"}


def anonymous(labels: dict[str, str], **stances) -> list[dict]:
    """Stance rows of a Chatham House point, as the document sorts them (by label)."""
    rows = []
    for code, value in stances.items():
        stance, note = value if isinstance(value, tuple) else (value, "")
        rows.append({"participant": labels[code], "stance": stance, "note": note})
    return sorted(rows, key=lambda r: r["participant"])


NAMES = {"ZR": "Zanzibar Republic", "QF": "Quillon Federation", "KV": "Kestrel Valley"}


def named(**stances) -> list[dict]:
    """Stance rows of an on-record point: code and name."""
    rows = []
    for code, value in stances.items():
        stance, note = value if isinstance(value, tuple) else (value, "")
        rows.append({"participant": code, "party": NAMES[code], "stance": stance, "note": note})
    return sorted(rows, key=lambda r: r["participant"])


def labels_from_p2(stances: list[dict]) -> dict[str, str]:
    """P2's stances tell the parties apart: ZR agreed, QF disagreed, KV abstained."""
    by_stance = {row["stance"]: row["participant"] for row in stances}
    labels = {"ZR": by_stance["agree"], "QF": by_stance["disagree"], "KV": by_stance["abstain"]}
    assert sorted(labels.values()) == ["Participant A", "Participant B", "Participant C"]
    return labels


def item_of(content: dict, agenda_item) -> dict:
    (item,) = [i for i in content["items"] if i["agenda_item"] == agenda_item.pk]
    return item


def ids(rows: list[dict]) -> list[int]:
    return [row["point"] for row in rows]


def version_row(chain, key, number, participant: dict, *, text, summary, **fields) -> dict:
    """A position version as a document shows it."""
    position = chain.positions[key]
    version = position.versions.get(number=number)
    return {
        **participant,
        "position": position.pk,
        "session": position.delegation.session_id,
        "agenda_item": position.agenda_item_id,
        "version": number,
        "visibility": version.visibility,
        "summary": summary,
        "text": text,
        "red_lines": fields.get("red_lines", ""),
        "proposed_language": "",
        "at": version.created_at.isoformat(),
    }


def s2_brief(chain: Chain, seed: str = "s2-brief") -> dict:
    return builders.build_brief(chain.s2, seed=seed)


def s2_report(chain: Chain, seed: str = "s2-report") -> dict:
    return builders.build_post_session_report(chain.s2, seed=seed, brief=s2_brief(chain))


# The pre-session brief of S2 ----------------------------------------------------------


def test_brief_groups_each_carried_point_by_its_stances_with_source_and_stances(chain):
    brief = s2_brief(chain)
    p, items = chain.points, chain.items
    malicious = item_of(brief, items["B1"])
    labels = labels_from_p2(malicious["carried"]["divergent"][0]["stances"])
    source = s1_source(chain)

    assert malicious["carried"] == {
        # P1: all three agreed.
        "agreed": [
            {
                "point": p["P1"].pk,
                "kind": "agreement",
                "statement": "Share incident reports on misuse within 72 hours.",
                "class": "consensus",
                "source": source,
                "stances": anonymous(
                    labels,
                    ZR=(
                        "agree",
                        f"{labels['ZR']} and {labels['KV']} asked for a 72-hour window, "
                        "said a participant.",
                    ),
                    QF="agree",
                    KV="agree",
                ),
            }
        ],
        # P2: QF disagreed.
        "divergent": [
            {
                "point": p["P2"].pk,
                "kind": "divergence",
                "statement": f"{labels['ZR']} proposed open-weight release of frontier "
                f"models; {labels['QF']} objected.",
                "class": "divergent",
                "source": source,
                "stances": anonymous(
                    labels,
                    ZR="agree",
                    QF=("disagree", "a participant: not before evaluations exist."),
                    KV="abstain",
                ),
            }
        ],
        # P3: one of three agreed, QF reserved, KV took no stance: open.
        "partial": [
            {
                "point": p["P3"].pk,
                "kind": "partial",
                "statement": "Joint red-teaming exercises.",
                "class": "open",
                "source": source,
                "stances": anonymous(
                    labels,
                    ZR="agree",
                    QF=(
                        "reserve",
                        f"{labels['QF']} reserves pending legal review, wrote a participant.",
                    ),
                ),
            }
        ],
    }
    military = item_of(brief, items["B2"])
    assert military["carried"] == {
        "agreed": [
            {
                "point": p["P4"].pk,
                "kind": "agreement",
                "statement": "Human control over nuclear launch decisions.",
                "class": "consensus",
                "source": source,
                "stances": anonymous(labels, ZR="agree", QF="agree", KV="agree"),
            }
        ],
        "divergent": [],
        # P5: two of three agreed and KV reserved: broad, so partial or reserved.
        "partial": [
            {
                "point": p["P5"].pk,
                "kind": "partial",
                "statement": "A ban on autonomous targeting of people.",
                "class": "broad",
                "source": source,
                "stances": anonymous(
                    labels,
                    ZR="agree",
                    QF="agree",
                    KV=(
                        "reserve",
                        f"{labels['KV']} reserves until a participant consults the ministry.",
                    ),
                ),
            }
        ],
    }
    # Nothing from S1 on the technology gap; P6 (climate) is on no item of S2's agenda;
    # S1's withdrawn and proposed points are carried nowhere.
    assert item_of(brief, items["B3"])["carried"] == {"agreed": [], "divergent": [], "partial": []}
    carried = [pt for item in brief["items"] for g in item["carried"].values() for pt in g]
    assert sorted(ids(carried)) == sorted(p[k].pk for k in ("P1", "P2", "P3", "P4", "P5"))


def test_brief_shows_the_latest_version_of_each_partys_position_that_the_session_may_read(chain):
    """From S1 (Chatham House, another session) only public versions, unattributed; from
    S2 itself session and public ones, named. One position per party and topic: the
    latest readable one, whichever session it comes from."""
    brief = s2_brief(chain)
    labels = labels_from_p2(item_of(brief, chain.items["B1"])["carried"]["divergent"][0]["stances"])

    # Malicious use: ZR's S2 v2 (session) is newer than its S1 v2 (public); QF's S2
    # position is delegation-only, so its S1 v1 (public; its S1 v2 is delegation-only);
    # KV's only position (S1) is delegation-only: none.
    assert item_of(brief, chain.items["B1"])["positions"] == [
        version_row(
            chain, "qf_a1", 1, {"participant": labels["QF"]},
            text=f"{labels['QF']} wants reports limited to non-state actors.",
            summary="Non-state actors only",
        ),
        version_row(
            chain, "zr_b1", 2, {"participant": "ZR", "party": "Zanzibar Republic"},
            text=ZR_B1_V2, summary="Contacts, then developers",
        ),
    ]  # fmt: skip
    # Militarization: ZR's S1 position was for S1's people only (session): none; KV's
    # public S1 v1, unattributed; QF's public S2 v2.
    assert item_of(brief, chain.items["B2"])["positions"] == [
        version_row(
            chain, "kv_a2", 1, {"participant": labels["KV"]},
            text=f"{labels['KV']} (a participant) calls for human control over launch decisions.",
            summary=f"{labels['KV']}: human control",
        ),
        version_row(
            chain, "qf_b2", 2, {"participant": "QF", "party": "Quillon Federation"},
            text=QF_B2_V2, summary="Every nuclear decision",
        ),
    ]  # fmt: skip
    assert item_of(brief, chain.items["B3"])["positions"] == []


def test_brief_orders_the_agenda_by_urgency(chain):
    brief = s2_brief(chain)
    b1, b2, b3 = (chain.items[k] for k in ("B1", "B2", "B3"))

    # Urgency 5, 4, 3, whatever the order of the items.
    assert [(a["agenda_item"], a["urgency"]) for a in brief["agenda"]] == [
        (b2.pk, 5),
        (b3.pk, 4),
        (b1.pk, 3),
    ]
    assert [i["agenda_item"] for i in brief["items"]] == [b2.pk, b3.pk, b1.pk]
    assert brief["agenda"][1] == {
        "agenda_item": b3.pk,
        "title": "Bridging the technology gap",
        "objective": "Objective of Bridging the technology gap",
        "urgency": 4,
        "minutes": 30,
        "topic": {
            "id": b3.topic_id,
            "code": "technology-gap",
            "name": "Bridging the technology gap between countries",
            "name_zh": "弥合国家间技术鸿沟",
        },
    }


def test_brief_names_the_expectation_gap_with_what_each_side_expects(chain):
    brief = s2_brief(chain)

    # B1: ZR expects a joint statement, QF an exchange of views. B2: both expect an
    # agreed action. B3: only ZR stated an expectation. S2 is on the record: named.
    assert brief["expectation_gap"] == [
        {
            "agenda_item": chain.items["B1"].pk,
            "title": "An incident channel for misuse",
            "order": 1,
            "expectations": [
                {
                    "participant": "QF",
                    "party": "Quillon Federation",
                    "outcome": "exchange_views",
                    "importance": 2,
                },
                {
                    "participant": "ZR",
                    "party": "Zanzibar Republic",
                    "outcome": "joint_statement",
                    "importance": 5,
                },
            ],
        }
    ]


def test_brief_states_what_it_builds_on_and_which_sessions_it_anonymises(chain):
    brief = s2_brief(chain)

    assert brief["schema_version"] == 1
    assert brief["kind"] == "pre_session_brief"
    assert brief["session"]["id"] == chain.s2.pk
    assert (brief["session"]["track"], brief["session"]["rule"]) == ("track_1", "on_record")
    assert [s["id"] for s in brief["builds_on"]] == [chain.s1.pk]
    assert brief["attribution"]["rule"] == "on_record"
    assert brief["attribution"]["anonymised_sessions"] == [chain.s1.pk]
    assert "Participant A" in brief["attribution"]["note"]


# The post-session report of S2 --------------------------------------------------------


def test_report_lists_every_point_with_stances_and_lineage(chain):
    report = s2_report(chain)
    p, items = chain.points, chain.items
    b1 = (items["B1"].pk, "An incident channel for misuse")
    b2 = (items["B2"].pk, "Human control of military AI")

    def row(key, item, kind, statement, level, cls, carry, origin, stances, status="confirmed"):
        return {
            "point": p[key].pk,
            "agenda_item": item[0],
            "agenda_item_title": item[1],
            "kind": kind,
            "status": status,
            "statement": statement,
            "level": level,
            "class": cls,
            "carry_status": carry,
            "carried_from": origin,
            "stances": stances,
        }

    def origin(key, statement):
        return {
            "point": p[key].pk,
            "session": chain.s1.pk,
            "title": S1_TITLE,
            "track": "track_2",
            "statement": statement,
        }

    # The statement of P2 came from S1 (Chatham House): scrubbed, with this document's
    # labels, which it shows nowhere else.
    p2_statement = report["points"][0]["carried_from"]["statement"]
    match = P2_SCRUBBED.fullmatch(p2_statement)
    assert match and match[1] != match[2], p2_statement

    # Item order, then recording order; the withdrawn point is not listed.
    assert report["points"] == [
        row("Q2", b1, "divergence",
            "Open-weight release of frontier models: governments to consult first.",
            0.5, "divergent", "reopened", origin("P2", p2_statement),
            named(QF="disagree", ZR="agree")),
        row("Q3", b1, "partial", "A shared evaluation protocol replaces joint red-teaming.",
            0.5, "open", "superseded", origin("P3", "Joint red-teaming exercises."),
            named(QF=("reserve", "Pending review by the ministries."), ZR="agree")),
        row("Q4", b1, "agreement", Q4_STATEMENT, 0.5, "open", "new", None,
            named(QF="abstain", ZR="agree")),
        row("Q1", b2, "agreement",
            "Human control over nuclear launch decisions, reaffirmed by governments.",
            1.0, "consensus", "reaffirmed",
            origin("P4", "Human control over nuclear launch decisions."),
            named(QF="agree", ZR="agree")),
        row("proposed_s2", b2, "agreement", "Notify each other of military AI tests.",
            0.5, "open", "new", None, named(ZR="agree"), status="proposed"),
    ]  # fmt: skip


def test_report_sets_the_session_against_its_brief_with_the_points_nobody_took_up(chain):
    report = s2_report(chain)
    p = chain.points
    changes = report["changes_against_brief"]

    assert {k: ids(v) for k, v in changes.items() if k in ("reaffirmed", "reopened")} == {
        "reaffirmed": [p["Q1"].pk],
        "reopened": [p["Q2"].pk],
    }
    assert ids(changes["superseded"]) == [p["Q3"].pk]
    assert ids(changes["new"]) == [p["Q4"].pk, p["proposed_s2"].pk]
    assert changes["reaffirmed"][0]["carried_from"]["point"] == p["P4"].pk
    assert changes["new"][0] == {
        "point": p["Q4"].pk,
        "statement": Q4_STATEMENT,
        "carried_from": None,
    }
    # The brief carried P1..P5; S2 continued P2, P3 and P4. P1 was taken up only by a
    # point later withdrawn, so nobody took it up either. In the brief's order (agenda by
    # urgency: militarization first).
    assert changes["not_taken_up"] == [
        {
            "point": p["P5"].pk,
            "statement": "A ban on autonomous targeting of people.",
            "group": "partial",
            "source": s1_source(chain),
        },
        {
            "point": p["P1"].pk,
            "statement": "Share incident reports on misuse within 72 hours.",
            "group": "agreed",
            "source": s1_source(chain),
        },
    ]
    assert changes["brief_available"] is True

    without = builders.build_post_session_report(chain.s2, seed="x", brief=None)
    assert without["changes_against_brief"]["not_taken_up"] == []
    assert without["changes_against_brief"]["brief_available"] is False


def test_report_shows_the_positions_that_moved_from_their_first_to_their_latest_version(chain):
    report = s2_report(chain)
    zr = {"participant": "ZR", "party": "Zanzibar Republic"}
    qf = {"participant": "QF", "party": "Quillon Federation"}

    # ZR moved on B1 (session versions), QF on B2 (public). QF's B1 position has one
    # delegation-only version: it shows nowhere.
    assert report["moved_positions"] == [
        {
            **version_row(
                chain, "zr_b1", 2, zr, text=ZR_B1_V2, summary="Contacts, then developers"
            ),
            "agenda_item_title": "An incident channel for misuse",
            "from_version": 1,
            "from_summary": "Technical contacts",
            "from_text": ZR_B1_V1,
        },
        {
            **version_row(chain, "qf_b2", 2, qf, text=QF_B2_V2, summary="Every nuclear decision"),
            "agenda_item_title": "Human control of military AI",
            "from_version": 1,
            "from_summary": "Case by case",
            "from_text": QF_B2_V1,
        },
    ]
    assert [(r["position"], r["version"]) for r in report["positions"]] == [
        (chain.positions["zr_b1"].pk, 1),
        (chain.positions["zr_b1"].pk, 2),
        (chain.positions["qf_b2"].pk, 1),
        (chain.positions["qf_b2"].pk, 2),
    ]


def test_report_figures_are_the_session_figures_and_check_by_hand(chain):
    report = s2_report(chain)
    figures = report["figures"]
    stored = session_figures(chain.s2)
    p, items = chain.points, chain.items
    zr, qf = chain.delegations["S2", "ZR"], chain.delegations["S2", "QF"]

    # The same numbers as consensus.figures, with the rule that made them.
    assert figures["rule"] == RULE
    assert figures["points"] == stored["points"]
    assert figures["agenda_items"] == stored["agenda_items"]
    assert figures["level"] == stored["level"]

    # By hand, D = {QF, ZR}: Q2 (1 of 2 agree, QF disagrees), Q3 (QF reserves), Q4 (QF
    # abstains) 0.5; Q1 (both) 1; the proposed point 0.5, counted in no item.
    assert {row["point"]: (row["level"], row["class"]) for row in figures["points"]} == {
        p["Q2"].pk: (0.5, "divergent"),
        p["Q3"].pk: (0.5, "open"),
        p["Q4"].pk: (0.5, "open"),
        p["Q1"].pk: (1.0, "consensus"),
        p["proposed_s2"].pk: (0.5, "open"),
    }
    # B1: mean of 0.5, 0.5, 0.5; B2: 1; B3: no point. Session: (0.5 + 1) / 2.
    assert [(r["agenda_item"], r["level"], r["points"]) for r in figures["agenda_items"]] == [
        (items["B1"].pk, 0.5, 3),
        (items["B2"].pk, 1.0, 1),
        (items["B3"].pk, None, 0),
    ]
    assert figures["level"] == 0.75
    # Both took a stance on the 4 confirmed points; equal only on Q1.
    assert figures["delegations"] == [
        {"delegation": qf.pk, "participant": "QF"},
        {"delegation": zr.pk, "participant": "ZR"},
    ]
    assert figures["alignment"] == [
        {"participants": ["QF", "ZR"], "alignment": 0.25, "shared": 4, "equal": 1}
    ]
    assert figures["expectation_gap"] == [
        {
            "agenda_item": items["B1"].pk,
            "title": "An incident channel for misuse",
            "expectations": [
                {"participant": "QF", "outcome": "exchange_views", "importance": 2},
                {"participant": "ZR", "outcome": "joint_statement", "importance": 5},
            ],
        }
    ]
    # The heat map: each delegation's share of `agree` over the item's confirmed points.
    assert figures["heat_map"] == [
        {
            "agenda_item": items["B1"].pk,
            "title": "An incident channel for misuse",
            "cells": [
                {
                    "participant": "QF",
                    "agree_share": 0.0,
                    "stances": {"disagree": 1, "reserve": 1, "abstain": 1},
                },
                {"participant": "ZR", "agree_share": 1.0, "stances": {"agree": 3}},
            ],
        },
        {
            "agenda_item": items["B2"].pk,
            "title": "Human control of military AI",
            "cells": [
                {"participant": "QF", "agree_share": 1.0, "stances": {"agree": 1}},
                {"participant": "ZR", "agree_share": 1.0, "stances": {"agree": 1}},
            ],
        },
        {
            "agenda_item": items["B3"].pk,
            "title": "Bridging the technology gap",
            "cells": [
                {"participant": "QF", "agree_share": None, "stances": {}},
                {"participant": "ZR", "agree_share": None, "stances": {}},
            ],
        },
    ]


def test_report_traces_the_convergence_of_each_topic_along_the_chain(chain):
    report = s2_report(chain)
    s1 = {"session": chain.s1.pk, "title": S1_TITLE, "track": "track_2"}
    s2 = {"session": chain.s2.pk, "title": S2_TITLE, "track": "track_1"}

    # Malicious use: S1 A1 = (1 + 1/3 + 1/3) / 3 = 5/9; S2 B1 = 0.5.
    # Militarization: S1 A2 = (1 + 2/3) / 2 = 5/6; S2 B2 = 1.
    # Technology gap: on no agenda before S2, and no point at S2.
    assert [
        (t["topic"]["code"], [(lv["session"], lv["level"]) for lv in t["levels"]], t["changes"])
        for t in report["convergence"]
    ] == [
        ("malicious-use", [(chain.s1.pk, 0.5556), (chain.s2.pk, 0.5)], [-0.0556]),
        ("militarization", [(chain.s1.pk, 0.8333), (chain.s2.pk, 1.0)], [0.1667]),
        ("technology-gap", [], []),
    ]
    assert report["convergence"][1]["levels"] == [{**s1, "level": 0.8333}, {**s2, "level": 1.0}]
    assert report["convergence"][1]["topic"] == {
        "id": chain.items["B2"].topic_id,
        "code": "militarization",
        "name": "Militarization of AI",
        "name_zh": "人工智能军事化",
    }


def test_report_suggests_the_open_items_as_the_next_agenda(chain):
    report = s2_report(chain)

    # B2 reached consensus on its only confirmed point; B3 has none; B1 has a divergent
    # and two open points. By urgency.
    assert [
        (i["agenda_item"], i["urgency"], i["reason"], i["open_classes"])
        for i in report["suggested_agenda"]
    ] == [
        (chain.items["B3"].pk, 4, "no confirmed point", []),
        (chain.items["B1"].pk, 3, "unresolved points", ["divergent", "open"]),
    ]
    assert report["suggested_agenda"][0]["topic"]["name_zh"] == "弥合国家间技术鸿沟"


def test_report_on_record_names_parties_and_says_it_anonymised_the_carried_statements(chain):
    report = s2_report(chain)

    assert report["kind"] == "post_session_report"
    assert report["schema_version"] == 1
    assert [s["id"] for s in report["builds_on"]] == [chain.s1.pk]
    # Its own statements are on the record; the statements it quotes from S1 (lineage)
    # were not, and were scrubbed.
    assert report["attribution"]["rule"] == "on_record"
    assert report["attribution"]["anonymised_sessions"] == [chain.s1.pk]


# The pre-session brief of S3 ----------------------------------------------------------


def test_next_brief_follows_the_chain_and_shows_a_carried_point_only_in_its_latest_form(chain):
    """S3 builds on S2 only, so on S1 through S2. P2, P3 and P4 were continued at S2 (by
    Q2, Q3 and Q1): only those show. P1 was continued only by a point S2 withdrew: it
    still shows, from S1. S1's points are unattributed, S2's named."""
    brief = builders.build_brief(chain.s3, seed="s3-brief")
    p, items = chain.points, chain.items
    c1, c2 = item_of(brief, items["C1"]), item_of(brief, items["C2"])
    # Labels: KV reserved on P5; ZR's stance on P1 carries its note; QF is the third.
    (kv,) = [r["participant"] for r in c2["carried"]["partial"][0]["stances"] if r["note"]]
    (zr,) = [r["participant"] for r in c1["carried"]["agreed"][0]["stances"] if r["note"]]
    (qf,) = {"Participant A", "Participant B", "Participant C"} - {kv, zr}
    labels = {"ZR": zr, "QF": qf, "KV": kv}
    s1, s2 = s1_source(chain), s2_source(chain)

    assert [i["agenda_item"] for i in brief["items"]] == [items["C2"].pk, items["C1"].pk]
    assert [s["id"] for s in brief["builds_on"]] == [chain.s1.pk, chain.s2.pk]
    assert brief["attribution"]["anonymised_sessions"] == [chain.s1.pk, chain.s3.pk]

    def carried(group):
        return [(pt["point"], pt["class"], pt["source"], pt["stances"]) for pt in group]

    assert carried(c2["carried"]["agreed"]) == [
        (p["Q1"].pk, "consensus", s2, named(QF="agree", ZR="agree")),
    ]
    assert c2["carried"]["divergent"] == []
    assert carried(c2["carried"]["partial"]) == [
        (p["P5"].pk, "broad", s1, anonymous(
            labels, ZR="agree", QF="agree",
            KV=("reserve", f"{kv} reserves until a participant consults the ministry."),
        )),
    ]  # fmt: skip
    assert carried(c1["carried"]["agreed"]) == [
        (p["P1"].pk, "consensus", s1, anonymous(
            labels, QF="agree", KV="agree",
            ZR=("agree", f"{zr} and {kv} asked for a 72-hour window, said a participant."),
        )),
    ]  # fmt: skip
    assert carried(c1["carried"]["divergent"]) == [
        (p["Q2"].pk, "divergent", s2, named(QF="disagree", ZR="agree")),
    ]
    assert carried(c1["carried"]["partial"]) == [
        (p["Q3"].pk, "open", s2, named(QF=("reserve", "Pending review by the ministries."),
                                       ZR="agree")),
        (p["Q4"].pk, "open", s2, named(QF="abstain", ZR="agree")),
    ]  # fmt: skip
    assert c1["carried"]["partial"][1]["statement"] == Q4_STATEMENT


def test_next_brief_shows_only_public_positions_of_earlier_sessions(chain):
    brief = builders.build_brief(chain.s3, seed="s3-brief")
    c1, c2 = item_of(brief, chain.items["C1"]), item_of(brief, chain.items["C2"])
    # Labels: P2 is not in this brief; P1's stance with a note is ZR's, and its note
    # names ZR then KV.
    match = P1_NOTE_SCRUBBED.fullmatch(
        next(r["note"] for r in c1["carried"]["agreed"][0]["stances"] if r["note"])
    )
    zr, kv = match[1], match[2]
    (qf,) = {"Participant A", "Participant B", "Participant C"} - {kv, zr}

    def rows(item):
        return [(r["participant"], r["position"], r["version"], "party" in r) for r in item]

    # Malicious use: ZR's S2 versions were for S2's people (session): its S1 public v2;
    # QF's S1 public v1; both unattributed. Militarization: KV's S1 public v1,
    # unattributed; QF's S2 public v2, on the record.
    assert rows(c1["positions"]) == sorted(
        [(zr, chain.positions["zr_a1"].pk, 2, False), (qf, chain.positions["qf_a1"].pk, 1, False)]
    )
    assert rows(c2["positions"]) == [
        (kv, chain.positions["kv_a2"].pk, 1, False),
        ("QF", chain.positions["qf_b2"].pk, 2, True),
    ]
    # S3 is under the Chatham House rule: its expectation gap is unattributed too.
    (gap,) = brief["expectation_gap"]
    assert gap["agenda_item"] == chain.items["C2"].pk
    assert sorted(e["outcome"] for e in gap["expectations"]) == [
        "agreed_action",
        "agreed_action",
        "exchange_views",
    ]
    assert all(set(e) == {"participant", "outcome", "importance"} for e in gap["expectations"])


# The documents the transitions asked for ------------------------------------------------


def test_transitions_request_the_documents_and_the_report_is_set_against_the_stored_brief(
    chain_s2_built,
):
    chain = chain_s2_built
    requested = {
        (r.session_id, r.kind, r.version, r.status)
        for r in Report.objects.filter(session__in=[chain.s1, chain.s2, chain.s3])
    }
    # Publishing each agenda asked for a brief, concluding S1 and S2 for a report; the
    # worker built S2's as they were asked for (the others wait for theirs).
    assert requested == {
        (chain.s1.pk, "pre_session_brief", 1, "pending"),
        (chain.s1.pk, "post_session_report", 1, "pending"),
        (chain.s2.pk, "pre_session_brief", 1, "ready"),
        (chain.s2.pk, "post_session_report", 1, "ready"),
        (chain.s3.pk, "pre_session_brief", 1, "pending"),
    }
    brief = chain.report(chain.s2, "pre_session_brief").content
    report = chain.report(chain.s2, "post_session_report").content
    labels = labels_from_p2(item_of(brief, chain.items["B1"])["carried"]["divergent"][0]["stances"])

    # The brief was built when S2's agenda was published, before S2's positions: S1's
    # public ones only, all unattributed.
    assert [
        (r["participant"], r["position"], r["version"])
        for r in item_of(brief, chain.items["B1"])["positions"]
    ] == sorted(
        [
            (labels["ZR"], chain.positions["zr_a1"].pk, 2),
            (labels["QF"], chain.positions["qf_a1"].pk, 1),
        ]
    )
    assert ZR_B1_V1 not in str(brief)
    # Its carried points are those of a brief built now.
    rebuilt = s2_brief(chain)
    assert [{g: ids(pts) for g, pts in i["carried"].items()} for i in brief["items"]] == [
        {g: ids(pts) for g, pts in i["carried"].items()} for i in rebuilt["items"]
    ]
    # The report was built against that stored brief.
    assert report["changes_against_brief"]["brief_available"] is True
    assert ids(report["changes_against_brief"]["not_taken_up"]) == [
        chain.points["P5"].pk,
        chain.points["P1"].pk,
    ]


def test_a_session_that_builds_on_nothing_has_nothing_carried(chain):
    brief = builders.build_brief(chain.s1, seed="s1-brief")

    assert brief["builds_on"] == []
    assert [i["agenda_item"] for i in brief["items"]] == [
        chain.items["A2"].pk,
        chain.items["A1"].pk,
        chain.items["A3"].pk,
    ]
    assert all(
        item["carried"] == {"agreed": [], "divergent": [], "partial": []} for item in brief["items"]
    )


def test_report_gives_each_version_its_time_as_isoformat_gives_it(db):
    # The report reads version times as the database's text of them (tens of thousands
    # of timestamptz are slow to load), so the times that PostgreSQL writes differently
    # are checked: no fraction, a fraction with trailing zeros, six digits.
    session = factories.SessionFactory()
    delegation = factories.DelegationFactory(session=session)
    position = factories.PositionFactory(delegation=delegation, current_version=3)
    times = [
        datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 0, 0, 500000, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 0, 0, 123457, tzinfo=UTC),
    ]
    for number, moment in enumerate(times, start=1):
        # auto_now_add stamps the time of the save.
        with mock.patch("django.utils.timezone.now", return_value=moment):
            factories.PositionVersionFactory(
                position=position, number=number, visibility=Visibility.SESSION
            )

    report = builders.build_post_session_report(session, seed="times", brief=None)

    stored = [v.created_at.isoformat() for v in position.versions.order_by("number")]
    assert stored == [
        "2026-03-01T09:00:00+00:00",
        "2026-03-01T09:00:00.500000+00:00",
        "2026-03-01T09:00:00.123457+00:00",
    ]
    assert [row["at"] for row in report["positions"]] == stored
    (moved,) = report["moved_positions"]
    assert (moved["from_version"], moved["version"], moved["at"]) == (1, 3, stored[2])
