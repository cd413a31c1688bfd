"""Small SVG charts, readable in print: the consensus heat map (agenda items by
delegations), the alignment matrix of delegations, and the convergence of topics along
a chain of sessions. Plain strings, no plotting library; the web pages use them too."""

from __future__ import annotations

from html import escape


def _shade(value: float | None) -> str:
    """White-to-teal for a share from 0 to 1; grey where there is nothing to show."""
    if value is None:
        return "#e9ecef"
    # From #fdf0d5 (0, pale sand) to #1b7f79 (1, deep teal): readable in greyscale too.
    low, high = (253, 240, 213), (27, 127, 121)
    r, g, b = (round(lo + (hi - lo) * value) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _ink(value: float | None) -> str:
    return "#ffffff" if value is not None and value > 0.55 else "#1d2733"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def heat_map(rows: list[dict], *, title: str = "Consensus map") -> str:
    """rows: [{"title", "cells": [{"participant", "agree_share"}]}] as in the report."""
    if not rows or not rows[0]["cells"]:
        return ""
    columns = [cell["participant"] for cell in rows[0]["cells"]]
    label_w, cell_w, cell_h, head_h = 260, 90, 28, 40
    width = label_w + cell_w * len(columns)
    height = head_h + cell_h * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for j, column in enumerate(columns):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x}" y="{head_h - 12}" text-anchor="middle" font-weight="bold">'
            f"{escape(column)}</text>"
        )
    for i, row in enumerate(rows):
        y = head_h + i * cell_h
        parts.append(f'<text x="4" y="{y + 18}">{escape(_clip(row["title"], 40))}</text>')
        for j, cell in enumerate(row["cells"]):
            x = label_w + j * cell_w
            value = cell["agree_share"]
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{_shade(value)}" stroke="#ffffff"/>'
                f'<text x="{x + cell_w / 2}" y="{y + 18}" text-anchor="middle" '
                f'fill="{_ink(value)}">{_fmt(value)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def alignment_matrix(
    participants: list[str], pairs: list[dict], *, title: str = "Alignment"
) -> str:
    """participants in order; pairs: [{"participants": [a, b], "alignment"}]."""
    if len(participants) < 2:
        return ""
    value = {}
    for pair in pairs:
        a, b = pair["participants"]
        value[(a, b)] = value[(b, a)] = pair["alignment"]
    label_w, cell, head_h = 130, 70, 40
    size_w = label_w + cell * len(participants)
    size_h = head_h + cell * len(participants)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size_w}" height="{size_h}" '
        f'viewBox="0 0 {size_w} {size_h}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for j, name in enumerate(participants):
        parts.append(
            f'<text x="{label_w + j * cell + cell / 2}" y="{head_h - 12}" text-anchor="middle" '
            f'font-weight="bold">{escape(_clip(name, 12))}</text>'
        )
    for i, row in enumerate(participants):
        y = head_h + i * cell
        parts.append(
            f'<text x="4" y="{y + cell / 2 + 4}" font-weight="bold">{escape(_clip(row, 16))}</text>'
        )
        for j, col in enumerate(participants):
            x = label_w + j * cell
            v = 1.0 if i == j else value.get((row, col))
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{_shade(v)}" stroke="#ffffff"/>'
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                f'fill="{_ink(v)}">{"" if i == j else _fmt(v)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


PALETTE = ["#1b7f79", "#c8553d", "#3d5a80", "#8e6c8a", "#d4a017", "#588157", "#6c757d"]


def convergence_chart(series: list[dict], *, title: str = "Convergence") -> str:
    """series: [{"topic": {"name"}, "levels": [{"title", "level"}]}], one line per topic
    across the sessions of the chain (x) by consensus level (y, 0 to 100%)."""
    sessions: list[str] = []
    for topic in series:
        for point in topic["levels"]:
            if point["title"] not in sessions:
                sessions.append(point["title"])
    if not sessions:
        return ""
    left, top, plot_w, plot_h, legend_h = 110, 20, max(220, 200 * len(sessions)), 200, 18
    width = left + plot_w + 110
    height = top + plot_h + 50 + legend_h * len(series)
    step = plot_w / max(len(sessions) - 1, 1)

    def x_of(name: str) -> float:
        return left + (sessions.index(name) * step if len(sessions) > 1 else plot_w / 2)

    def y_of(level: float) -> float:
        return top + plot_h * (1 - level)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#dee2e6"/>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{round(tick * 100)}%</text>'
        )
    for name in sessions:
        parts.append(
            f'<text x="{x_of(name)}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{escape(_clip(name, 28))}</text>"
        )
    for k, topic in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [(x_of(p["title"]), y_of(p["level"])) for p in topic["levels"]]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
        legend_y = top + plot_h + 40 + k * legend_h
        parts.append(
            f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 18}" y="{legend_y}">{escape(topic["topic"]["name"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
