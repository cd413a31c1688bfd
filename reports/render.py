"""Every export format, rendered from a report's JSON content alone: what a document
says is decided once, when its content is built (attribution included), and each
format only lays it out."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from reports import charts

FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "pdf": ("application/pdf", "pdf"),
}

TITLES = {"pre_session_brief": "Pre-session brief", "post_session_report": "Post-session report"}


def render(content: dict[str, Any], fmt: str) -> bytes:
    return {"json": to_json, "csv": to_csv, "md": to_markdown, "pdf": to_pdf}[fmt](content)


def to_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, indent=2).encode()


CSV_COLUMNS = [
    "record",
    "session",
    "agenda_item",
    "point",
    "kind",
    "status",
    "statement",
    "source_session",
    "participant",
    "stance",
    "note",
    "position",
    "version",
    "visibility",
    "summary",
    "text",
]


def csv_rows(content: dict[str, Any]):
    """One row per point and stance, and one per position version."""
    session = content["session"]["id"]
    if content["kind"] == "post_session_report":
        points = [(p, session) for p in content["points"]]
        versions = content.get("positions", [])
    else:
        points = [
            (p, p["source"]["session"])
            for item in content["items"]
            for group in ("agreed", "divergent", "partial")
            for p in item["carried"][group]
        ]
        versions = [v for item in content["items"] for v in item["positions"]]
    for point, source in points:
        base = {
            "record": "stance",
            "session": session,
            "agenda_item": point.get("agenda_item", ""),
            "point": point["point"],
            "kind": point["kind"],
            "status": point.get("status", point.get("class", "")),
            "statement": point["statement"],
            "source_session": source,
        }
        if not point["stances"]:
            yield {**base, "participant": "", "stance": "", "note": ""}
        for stance in point["stances"]:
            yield {
                **base,
                "participant": stance["participant"],
                "stance": stance["stance"],
                "note": stance["note"],
            }
    for version in versions:
        yield {
            "record": "position_version",
            "session": session,
            "agenda_item": version["agenda_item"],
            "source_session": version["session"],
            "participant": version["participant"],
            "position": version["position"],
            "version": version["version"],
            "visibility": version["visibility"],
            "summary": version["summary"],
            "text": version["text"],
        }


def to_csv(content: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(csv_rows(content))
    return out.getvalue().encode()


def _md_cell(value: Any) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def to_markdown(content: dict[str, Any]) -> bytes:
    s = content["session"]
    lines = [
        f"# {TITLES[content['kind']]}: {s['title']}",
        "",
        f"Track `{s['track']}`, rule `{s['rule']}`, {s['starts_at'][:10]}"
        + (f", {s['location']}" if s["location"] else ""),
        "",
        f"> {content['attribution']['note']}",
        "",
        "## Agenda (by urgency)",
        "",
        "| urgency | item | topic |",
        "| --- | --- | --- |",
    ]
    for item in content["agenda"]:
        lines.append(
            f"| {item['urgency']} | {_md_cell(item['title'])} | "
            f"{_md_cell(item['topic']['name'])} / {_md_cell(item['topic']['name_zh'])} |"
        )
    if content["kind"] == "pre_session_brief":
        lines += _markdown_brief(content)
    else:
        lines += _markdown_report(content)
    return ("\n".join(lines) + "\n").encode()


def _md_stances(stances: list[dict]) -> str:
    return "; ".join(
        f"{st['participant']}: {st['stance']}" + (f" ({st['note']})" if st["note"] else "")
        for st in stances
    )


def _markdown_brief(content: dict[str, Any]) -> list[str]:
    lines = ["", "## Carried from earlier sessions", ""]
    for item in content["items"]:
        lines += [f"### {item['title']}", ""]
        for group, heading in (
            ("agreed", "Agreed (candidate for adoption)"),
            ("divergent", "Divergent (to resolve)"),
            ("partial", "Partial or reserved (to clarify)"),
        ):
            if item["carried"][group]:
                lines.append(f"**{heading}**")
                lines.append("")
                for p in item["carried"][group]:
                    lines.append(
                        f"- {_md_cell(p['statement'])} ({p['source']['title']}, "
                        f"{p['source']['track']}): {_md_stances(p['stances'])}"
                    )
                lines.append("")
        if item["positions"]:
            lines.append("**Positions**")
            lines.append("")
            for v in item["positions"]:
                lines.append(
                    f"- {v['participant']} (v{v['version']}): {_md_cell(v['summary'] or v['text'])}"
                )
            lines.append("")
    lines += ["## Expectation gap", ""]
    if not content["expectation_gap"]:
        lines.append("The delegations expect the same outcomes.")
    for gap in content["expectation_gap"]:
        expected = "; ".join(f"{e['participant']}: {e['outcome']}" for e in gap["expectations"])
        lines.append(f"- {_md_cell(gap['title'])}: {expected}")
    return lines


def _markdown_report(content: dict[str, Any]) -> list[str]:
    figures = content["figures"]
    lines = ["", "## Points", "", "| item | kind | statement | stances | level | lineage |"]
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for p in content["points"]:
        lineage = p["carry_status"]
        if p["carried_from"]:
            lineage += f" from {p['carried_from']['title']}"
        stances = _md_cell(_md_stances(p["stances"]))
        lines.append(
            f"| {_md_cell(p['agenda_item_title'])} | {p['kind']} | {_md_cell(p['statement'])} | "
            f"{stances} | {_pct(p['level'])} ({p['class']}) | {lineage} |"
        )
    changes = content["changes_against_brief"]
    lines += ["", "## Changes against the brief", ""]
    for key in ("reaffirmed", "reopened", "superseded", "new"):
        lines.append(f"- {key}: {len(changes[key])}")
    for p in changes["not_taken_up"]:
        lines.append(f"- not taken up: {_md_cell(p['statement'])}")
    lines += ["", "## Positions that moved", ""]
    for m in content["moved_positions"]:
        lines.append(
            f"- {m['participant']} on {_md_cell(m['agenda_item_title'])}: v{m['from_version']} "
            f'"{_md_cell(m["from_summary"] or m["from_text"])}" -> v{m["version"]} '
            f'"{_md_cell(m["summary"] or m["text"])}"'
        )
    lines += ["", "## Consensus figures", "", f"Session level: {_pct(figures['level'])}", ""]
    lines.append(f"_{figures['rule']}_")
    lines += ["", "| agenda item | level | confirmed points |", "| --- | --- | --- |"]
    for item in figures["agenda_items"]:
        lines.append(f"| {_md_cell(item['title'])} | {_pct(item['level'])} | {item['points']} |")
    lines += ["", "| pair | alignment | shared |", "| --- | --- | --- |"]
    for pair in figures["alignment"]:
        lines.append(
            f"| {' / '.join(pair['participants'])} | {_pct(pair['alignment'])} | {pair['shared']} |"
        )
    lines += ["", "## Convergence along the chain", ""]
    for topic in content["convergence"]:
        steps = " -> ".join(f"{lv['title']}: {_pct(lv['level'])}" for lv in topic["levels"]) or "-"
        lines.append(f"- {topic['topic']['name']}: {steps}")
    lines += ["", "## Suggested agenda for the next session", ""]
    for item in content["suggested_agenda"]:
        lines.append(f"- {_md_cell(item['title'])} ({item['reason']})")
    return lines


def to_html(content: dict[str, Any]) -> str:
    context: dict[str, Any] = {"c": content, "title": TITLES[content["kind"]]}
    if content["kind"] == "post_session_report":
        figures = content["figures"]
        participants = [d["participant"] for d in figures["delegations"]]
        context["heat_map"] = mark_safe(charts.heat_map(figures["heat_map"]))  # noqa: S308 (built with html.escape)
        context["alignment"] = mark_safe(  # noqa: S308
            charts.alignment_matrix(participants, figures["alignment"])
        )
        context["convergence"] = mark_safe(charts.convergence_chart(content["convergence"]))  # noqa: S308
    return render_to_string("reports/document.html", context)


def to_pdf(content: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only PDFs need

    return HTML(string=to_html(content)).write_pdf()
