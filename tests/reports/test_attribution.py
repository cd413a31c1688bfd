"""Chatham House in every export (domain.md, "Confidentiality"): what was said under the
rule names no party, delegation or person, in its own session's report and when an
on-record Track I brief carries it; parties get neutral labels, the same throughout one
document and shuffled between documents; delegation-only positions show nowhere.

Each export is read back as a reader gets it: the stored file of every format, the PDF
through `pdftotext`. S1's statements, notes and positions name parties and people in
free text (tests/reports/chain.py), so the scrubbing is checked too."""

from __future__ import annotations

import csv
import io
import json
import random
import re

from reports import content as builders
from reports import services as report_services
from reports.attribution import Attribution
from reports.models import Report
from reports.render import FORMATS, render
from tests.reports.chain import (
    NAMES,
    P1_NOTE_SCRUBBED,
    P2_SCRUBBED,
    PARTIES,
    PEOPLE,
    SECRET_SUMMARIES,
    SECRETS,
    ZR_A2_V1,
    Chain,
    pdf_text,
)

LABELS = ["Participant A", "Participant B", "Participant C"]
PEOPLE_NAMES = [*PEOPLE, *PEOPLE.values()]
S1_TITLE = "Track II workshop on AI risk"


def flat(text: str) -> str:
    """Whitespace collapsed: a PDF line break may fall inside a name."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """Without whitespace and hyphens: pdftotext drops the hyphen where a line breaks
    after one ("open-" / "weight" comes out "openweight")."""
    return re.sub(r"[\s-]", "", text)


def leaks(text: str, names=NAMES, codes=tuple(PARTIES)) -> list[str]:
    """The names (however the lines break), and the party codes as words, in `text`."""
    return [n for n in names if squash(n) in squash(text)] + [
        c for c in codes if re.search(rf"(?<!\w){c}(?!\w)", flat(text))
    ]


def said(text: str, sentence: str) -> bool:
    return squash(sentence) in squash(text)


def build(report: Report) -> Report:
    assert report_services.report_build(report_id=report.pk) == "ready"
    report.refresh_from_db()
    return report


def exports(report: Report, tmp_path) -> dict[str, str]:
    """Every format of a ready report as its reader gets it, as text."""
    texts = {}
    for fmt in FORMATS:
        stream, _mime, _name = report_services.export_file(report, fmt)
        with stream:
            data = stream.read()
        if fmt == "pdf":
            assert data.startswith(b"%PDF")
            texts[fmt] = pdf_text(data, tmp_path)
        else:
            texts[fmt] = data.decode()
    return texts


def labels_from_p2(stances: list[dict]) -> dict[str, str]:
    """P2's stances tell the parties apart: ZR agreed, QF disagreed, KV abstained."""
    by_stance = {row["stance"]: row["participant"] for row in stances}
    labels = {"ZR": by_stance["agree"], "QF": by_stance["disagree"], "KV": by_stance["abstain"]}
    assert sorted(labels.values()) == LABELS
    return labels


def s1_report_labels(content: dict, chain: Chain) -> dict[str, str]:
    (p2,) = [p for p in content["points"] if p["point"] == chain.points["P2"].pk]
    return labels_from_p2(p2["stances"])


def s2_brief_labels(content: dict, chain: Chain) -> dict[str, str]:
    (p2,) = [
        p
        for item in content["items"]
        for p in item["carried"]["divergent"]
        if p["point"] == chain.points["P2"].pk
    ]
    return labels_from_p2(p2["stances"])


# (a) The post-session report of a Chatham House session ---------------------------------


def test_chatham_house_report_names_no_party_or_person_in_any_format(chain, tmp_path):
    report = build(chain.report(chain.s1, "post_session_report"))
    texts = exports(report, tmp_path)
    labels = s1_report_labels(report.content, chain)

    p2 = f"{labels['ZR']} proposed open-weight release of frontier models; {labels['QF']} objected."
    p1_note = f"{labels['ZR']} and {labels['KV']} asked for a 72-hour window, said a participant."
    zr_v2 = f"{labels['ZR']}, through a participant, now asks for a 48-hour window."

    for fmt, text in texts.items():
        assert leaks(text) == [], fmt
        # What was said is there, with its names replaced by the parties' labels (the
        # same labels as the stances'), and people's by "a participant".
        assert said(text, p2), fmt
        assert said(text, p1_note), fmt
        assert all(label in flat(text) for label in LABELS), fmt
    assert P2_SCRUBBED.search(texts["json"])
    assert said(texts["csv"], zr_v2)
    assert said(texts["json"], f"{labels['ZR']} asks for 48 hours")
    for secret in [*SECRETS, *SECRET_SUMMARIES]:
        assert not any(said(text, secret) for text in texts.values()), secret
    # S1's own people may read its session-visible positions: there, unattributed.
    assert f"{labels['ZR']} wants a moratorium on autonomous weapons." in texts["json"]


def test_chatham_house_report_gives_each_party_one_label_in_every_section(chain):
    content = report_services.build_content(chain.report(chain.s1, "post_session_report"))
    labels = s1_report_labels(content, chain)
    positions = {key: chain.positions[key].pk for key in ("zr_a1", "qf_a1", "zr_a2", "kv_a2")}

    # Stances, point by point.
    stances = {
        p["point"]: {(s["participant"], s["stance"]) for s in p["stances"]}
        for p in content["points"]
    }
    L = labels
    assert stances[chain.points["P1"].pk] == {
        (L["ZR"], "agree"),
        (L["QF"], "agree"),
        (L["KV"], "agree"),
    }
    assert stances[chain.points["P3"].pk] == {(L["ZR"], "agree"), (L["QF"], "reserve")}
    assert stances[chain.points["P5"].pk] == {
        (L["ZR"], "agree"), (L["QF"], "agree"), (L["KV"], "reserve"),
    }  # fmt: skip
    assert stances[chain.points["P6"].pk] == {
        (L["ZR"], "agree"), (L["QF"], "disagree"), (L["KV"], "agree"),
    }  # fmt: skip
    # Positions (every readable version), and the one that moved (ZR's, v1 -> v2).
    assert {(r["position"], r["participant"]) for r in content["positions"]} == {
        (positions["zr_a1"], L["ZR"]),
        (positions["qf_a1"], L["QF"]),
        (positions["zr_a2"], L["ZR"]),
        (positions["kv_a2"], L["KV"]),
    }
    assert [(r["position"], r["participant"]) for r in content["moved_positions"]] == [
        (positions["zr_a1"], L["ZR"])
    ]
    assert all("party" not in r for r in content["positions"] + content["moved_positions"])
    # Free text: ZR's first version names KV and QF.
    (zr_v1,) = [
        r for r in content["positions"] if r["position"] == positions["zr_a1"] and r["version"] == 1
    ]
    assert zr_v1["text"] == (
        f"{L['ZR']} supports sharing incident reports with {L['KV']} and {L['QF']}."
    )
    assert zr_v1["red_lines"] == f"No sharing of model weights with {L['QF']}."
    # Figures: delegations, heat map, alignment and expectation gap.
    figures = content["figures"]
    # Only labels: a delegation id would name its party to anyone who can read S1.
    assert figures["delegations"] == [{"participant": label} for label in sorted(L.values())]
    (a1_row,) = [r for r in figures["heat_map"] if r["agenda_item"] == chain.items["A1"].pk]
    # A1's confirmed points P1-P3: ZR agreed with all; QF agree, disagree, reserve; KV
    # agree, abstain (no stance on P3).
    assert {c["participant"]: (c["agree_share"], c["stances"]) for c in a1_row["cells"]} == {
        L["ZR"]: (1.0, {"agree": 3}),
        L["QF"]: (0.3333, {"agree": 1, "disagree": 1, "reserve": 1}),
        L["KV"]: (0.3333, {"agree": 1, "abstain": 1}),
    }
    # Equal stances over the confirmed points both took a stance on (P1-P6): ZR/QF 3 of
    # 6 (P1, P4, P5); ZR/KV 3 of 5 (P1, P4, P6); QF/KV 2 of 5 (P1, P4).
    assert {frozenset(a["participants"]): a["alignment"] for a in figures["alignment"]} == {
        frozenset((L["ZR"], L["QF"])): 0.5,
        frozenset((L["ZR"], L["KV"])): 0.6,
        frozenset((L["QF"], L["KV"])): 0.4,
    }
    (gap,) = figures["expectation_gap"]
    assert {e["participant"]: e["outcome"] for e in gap["expectations"]} == {
        L["ZR"]: "joint_statement",
        L["QF"]: "exchange_views",
        L["KV"]: "identify_divergence",
    }


def test_chatham_house_report_lists_participants_in_label_order_not_by_party_code(chain):
    """Listed by party code, the columns of the heat map or the rows of the alignment
    would tell who is who to anyone who knows the dialogue's parties."""
    content = report_services.build_content(chain.report(chain.s1, "post_session_report"))
    figures = content["figures"]

    assert [d["participant"] for d in figures["delegations"]] == LABELS
    for row in figures["heat_map"]:
        assert [c["participant"] for c in row["cells"]] == LABELS
    assert [a["participants"] for a in figures["alignment"]] == [
        ["Participant A", "Participant B"],
        ["Participant A", "Participant C"],
        ["Participant B", "Participant C"],
    ]
    for gap in figures["expectation_gap"]:
        assert [e["participant"] for e in gap["expectations"]] == LABELS
    for point in content["points"]:
        names = [s["participant"] for s in point["stances"]]
        assert names == sorted(names)


# (b) An on-record brief that carries Chatham House content ----------------------------


def test_on_record_brief_attributes_none_of_the_chatham_house_content_it_carries(chain, tmp_path):
    brief = build(chain.report(chain.s2, "pre_session_brief"))
    content = brief.content
    labels = s2_brief_labels(content, chain)
    texts = exports(brief, tmp_path)
    p2 = f"{labels['ZR']} proposed open-weight release of frontier models; {labels['QF']} objected."
    p1_note = f"{labels['ZR']} and {labels['KV']} asked for a 72-hour window, said a participant."

    # JSON: every carried point comes from S1 and names nobody; S1's positions are
    # unattributed; S2's own (on the record) name their party.
    carried = [p for item in content["items"] for g in item["carried"].values() for p in g]
    assert len(carried) == 5
    for point in carried:
        assert point["source"]["session"] == chain.s1.pk
        assert leaks(json.dumps(point, ensure_ascii=False)) == [], point
        assert all(set(s) == {"participant", "stance", "note"} for s in point["stances"])
        assert {s["participant"] for s in point["stances"]} <= set(LABELS)
    positions = [p for item in content["items"] for p in item["positions"]]
    from_s1 = [p for p in positions if p["session"] == chain.s1.pk]
    from_s2 = [p for p in positions if p["session"] == chain.s2.pk]
    assert {(p["position"], p["participant"]) for p in from_s1} == {
        (chain.positions["qf_a1"].pk, labels["QF"]),
        (chain.positions["kv_a2"].pk, labels["KV"]),
    }
    for position in from_s1:
        assert "party" not in position
        assert leaks(json.dumps(position, ensure_ascii=False)) == [], position
    assert {(p["participant"], p["party"]) for p in from_s2} == {
        ("ZR", "Zanzibar Republic"),
        ("QF", "Quillon Federation"),
    }
    # The expectation gap is S2's own, on the record: named.
    assert [e["participant"] for e in content["expectation_gap"][0]["expectations"]] == [
        "QF",
        "ZR",
    ]

    for fmt, text in texts.items():
        # Nobody's name anywhere, nor KV's (in S1 only, so only in carried content).
        assert leaks(text, names=[*PEOPLE_NAMES, "Kestrel Valley"], codes=["KV"]) == [], fmt
        # S1's free text is there, scrubbed with this document's labels.
        assert said(text, p2), fmt
        assert said(text, p1_note), fmt
        assert not said(text, "Zanzibar Republic proposed"), fmt
        assert not said(text, "QF objected"), fmt
        # S2's on-record parts still name S2's parties.
        assert re.search(r"(?<!\w)ZR(?!\w)", text), fmt

    for secret in [*SECRETS, *SECRET_SUMMARIES]:
        assert not any(said(text, secret) for text in texts.values()), secret

    # CSV: no row from S1 names anyone.
    rows = list(csv.DictReader(io.StringIO(texts["csv"])))
    s1_rows = [r for r in rows if r["source_session"] == str(chain.s1.pk)]
    assert len(s1_rows) == 14 + 2  # 3+3+2 stances on A1's points, 3+3 on A2's; 2 positions
    for row in s1_rows:
        assert leaks(" ".join(row.values())) == [], row
    # Markdown: every line with an unattributed statement or position names nobody.
    anonymous_lines = [
        line for line in texts["md"].splitlines() if "Participant" in line or S1_TITLE in line
    ]
    assert len(anonymous_lines) >= 7
    for line in anonymous_lines:
        assert leaks(line, names=NAMES) == [], line


def test_on_record_brief_gives_each_chatham_house_party_one_label_in_every_section(chain):
    content = report_services.build_content(chain.report(chain.s2, "pre_session_brief"))
    L = s2_brief_labels(content, chain)
    carried = {
        p["point"]: p for item in content["items"] for g in item["carried"].values() for p in g
    }
    p = chain.points

    assert {(s["participant"], s["stance"]) for s in carried[p["P5"].pk]["stances"]} == {
        (L["ZR"], "agree"), (L["QF"], "agree"), (L["KV"], "reserve"),
    }  # fmt: skip
    assert {(s["participant"], s["stance"]) for s in carried[p["P3"].pk]["stances"]} == {
        (L["ZR"], "agree"), (L["QF"], "reserve"),
    }  # fmt: skip
    match = P1_NOTE_SCRUBBED.fullmatch(
        next(s["note"] for s in carried[p["P1"].pk]["stances"] if s["note"])
    )
    assert (match[1], match[2]) == (L["ZR"], L["KV"])
    (qf_note,) = [s["note"] for s in carried[p["P3"].pk]["stances"] if s["note"]]
    assert qf_note == f"{L['QF']} reserves pending legal review, wrote a participant."


def test_labels_are_shuffled_between_versions_of_a_document(chain):
    """Eight builds of each document, each its own version: the parties' labels are not
    the same in all of them (with three parties, eight equal shuffles in a row would
    happen about once in 280,000 runs)."""
    for session, kind, labels_of in (
        (chain.s1, Report.Kind.POST_SESSION_REPORT, s1_report_labels),
        (chain.s2, Report.Kind.PRE_SESSION_BRIEF, s2_brief_labels),
    ):
        first = chain.report(session, kind)
        versions = [first]
        for _ in range(7):
            versions.append(report_services.report_rebuild(actor=chain.facilitator, report=first))
        assert [r.version for r in versions] == list(range(1, 9))
        mappings = {
            tuple(sorted(labels_of(report_services.build_content(r), chain).items()))
            for r in versions
        }
        assert len(mappings) >= 2, (kind, mappings)


def test_delegation_only_positions_appear_in_no_document(chain):
    """Every document of the chain, each format rendered from its content (the PDF's
    text is checked in the tests above, on the stored files)."""
    contents = {
        "S1 brief": builders.build_brief(chain.s1, seed="1"),
        "S1 report": builders.build_post_session_report(chain.s1, seed="2", brief=None),
        "S2 brief": builders.build_brief(chain.s2, seed="3"),
        "S2 report": builders.build_post_session_report(
            chain.s2, seed="4", brief=builders.build_brief(chain.s2, seed="5")
        ),
        "S3 brief": builders.build_brief(chain.s3, seed="6"),
    }
    for name, content in contents.items():
        for fmt in ("json", "csv", "md"):
            text = render(content, fmt).decode()
            for secret in [*SECRETS, *SECRET_SUMMARIES]:
                assert secret not in text, (name, fmt, secret)
    # S1's session-visible position is for S1's own people: in S1's documents, in no
    # document of a later session.
    moratorium = "wants a moratorium on autonomous weapons"
    assert [name for name, c in contents.items() if moratorium in str(c)] == [
        "S1 brief",
        "S1 report",
    ]
    assert ZR_A2_V1.endswith(f"{moratorium}.")


# The scrubber against a plain scan -------------------------------------------------------
#
# Attribution scrubs with one regular expression built as a trie, whose test that no word
# character comes before a name sits after the name's first character (so that the regex
# engine can skip places where no name starts). Checked here against the rule said the
# plain way, on random texts made of awkward names: at each place not preceded by a word
# character, the longest name that ends where no word character follows is replaced, and
# the scan goes on after it.

AWKWARD_PARTIES = [
    (1, "US", "United States"),
    (2, "U.S.", "U.S. of Nowhere"),
    (3, "CN", "中华人民共和国"),
    (4, "(A)", "a+b|c [x]"),
]
AWKWARD_PEOPLE = ["Un", "united", "J. Doe", "o'neil", "-dash-", "x", "张伟", ".dot", "US"]
PIECES = [
    *[name for _pid, code, name in AWKWARD_PARTIES for name in (code, name)],
    *AWKWARD_PEOPLE,
    *[" ", "\n", ",", ".", "-", "(", ")", "_", "a", "Z", "9", "é", "United", "State", "S"],
]


def plain_scrub(text: str, labels: dict[str, str]) -> str:
    def word(char: str) -> bool:
        return bool(re.match(r"\w", char))

    out, i = [], 0
    while i < len(text):
        found = None
        if i == 0 or not word(text[i - 1]):
            for name in sorted(labels, key=len, reverse=True):
                end = i + len(name)
                if text.startswith(name, i) and (end == len(text) or not word(text[end])):
                    found = name
                    break
        if found:
            out.append(labels[found])
            i += len(found)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_scrubbing_replaces_what_a_plain_scan_for_the_longest_name_replaces():
    who = Attribution(seed="scan", parties=AWKWARD_PARTIES, people=AWKWARD_PEOPLE)
    # A party's name or code takes the party's label, also where a person has it too.
    labels = dict.fromkeys(AWKWARD_PEOPLE, "a participant")
    for pid, code, name in AWKWARD_PARTIES:
        labels[code] = labels[name] = who.labels[pid]
    scrub = who.scrubber()
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        expected = plain_scrub(text, labels)
        assert who.scrub(text) == expected, text
        assert scrub(text) == expected, text
        assert who.text(text, anonymous=True) == expected, text
        assert who.text(text, anonymous=False) == text
    assert who.scrub("US-United States, x.") == (f"{who.labels[1]}-{who.labels[1]}, a participant.")
