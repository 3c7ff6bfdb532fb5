"""Pictures generated from the graph, as standalone SVG: a file's lifecycle timeline and a chart of positions by
stance. Pure functions from rows to markup; every text is escaped. The network view is drawn in the browser
(vis-network) from the JSON that ``network_data`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

# Colour per lifecycle stage (colour-blind-safe palette), and a fallback.
STAGE_COLOURS = {
    "proposed": "#0072B2", "under-negotiation": "#56B4E9", "provisional-agreement": "#009E73",
    "adopted": "#E69F00", "published": "#D55E00", "in-force": "#CC79A7", "applies": "#000000",
    "negotiations-stopped": "#999999", "withdrawn": "#999999", "superseded": "#999999",
}


@dataclass(frozen=True)
class TimelinePoint:
    when: date
    stage: str          # lifecycle-status slug
    label: str
    # "official": an event an official record dates (EUR-Lex, OEIL, the institutions); "secondary": an event only
    # secondary sources date (pkg:SecondarySourcedEvent); "claim": what the source page states.
    kind: str = "official"
    precision: str = "day"  # "day", "month" or "year" for claims

    @property
    def is_event(self) -> bool:
        return self.kind != "claim"


#: What each kind of point says about its evidence, for the tooltip and the legend.
EVIDENCE = {"official": "Official record", "secondary": "Secondary sources only",
            "claim": "Claimed by the source page"}


def timeline_svg(title: str, points: list[TimelinePoint], *, width: int = 900) -> str:
    """Events above the axis (filled: dated by an official record; hollow: by secondary sources only), the page's
    claims below it (hatched, at their stated precision)."""
    if not points:
        return _empty_svg(title, width, "No dated events.")
    points = sorted(points, key=lambda p: (p.when, not p.is_event))
    start, end = points[0].when, points[-1].when
    span = max((end - start).days, 1)
    left, right, axis_y = 60, width - 60, 150
    height = 300

    def x(day: date) -> float:
        return left + (right - left) * (day - start).days / span

    parts = [_header(width, height, title),
             f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="#444" stroke-width="2"/>']
    for year in range(start.year, end.year + 1):
        tick = date(year, 1, 1)
        if start <= tick <= end:
            parts.append(f'<line x1="{x(tick):.1f}" y1="{axis_y - 5}" x2="{x(tick):.1f}" y2="{axis_y + 5}" '
                         f'stroke="#444"/>'
                         f'<text x="{x(tick):.1f}" y="{axis_y + 20}" font-size="11" text-anchor="middle">{year}</text>')
    above = below = 0
    for point in points:
        colour = STAGE_COLOURS.get(point.stage, "#666")
        px = x(point.when)
        if point.is_event:
            above += 1
            y = axis_y - 30 - (above % 4) * 22
            fill = colour if point.kind == "official" else "white"
            mark = f'<circle cx="{px:.1f}" cy="{axis_y}" r="6" fill="{fill}" stroke="{colour}" stroke-width="2"/>'
        else:
            below += 1
            y = axis_y + 45 + (below % 4) * 22
            mark = (f'<rect x="{px - 5:.1f}" y="{axis_y - 5}" width="10" height="10" fill="white" '
                    f'stroke="{colour}" stroke-width="2" stroke-dasharray="2,1"/>')
        text = f"{point.when.isoformat() if point.precision == 'day' else _period(point)} {point.label}"
        # Labels in the right third run leftwards so they stay inside the picture.
        anchor, tx = ("end", px - 4) if px > left + (right - left) * 0.66 else ("start", px + 4)
        parts.append(
            f'<g class="{"event" if point.is_event else "claim"}" data-evidence="{point.kind}" '
            f'data-stage="{escape(point.stage)}"><title>{escape(EVIDENCE[point.kind] + ": " + text)}</title>'
            f'<line x1="{px:.1f}" y1="{axis_y}" x2="{px:.1f}" y2="{y + 4}" stroke="{colour}" stroke-width="1"/>'
            f'{mark}<text x="{tx:.1f}" y="{y}" font-size="11" fill="{colour}" text-anchor="{anchor}">'
            f'{escape(_shorten(text))}</text></g>')
    parts.append(f'<text x="{left}" y="{height - 12}" font-size="11" fill="#444">● event dated by an official '
                 f'record (EUR-Lex, OEIL, institutions)   ○ event dated by secondary sources only   □ the source '
                 f'page\'s claim, at its stated precision</text>')
    parts.append("</svg>")
    return "".join(parts)


def stance_chart_svg(title: str, counts: list[tuple[str, int]], *, width: int = 600) -> str:
    """A horizontal bar chart: how many positions take each stance."""
    if not counts:
        return _empty_svg(title, width, "No positions.")
    bar_height, top, label_width = 28, 40, 190
    height = top + bar_height * len(counts) + 20
    largest = max(count for _, count in counts) or 1
    parts = [_header(width, height, title)]
    for row, (stance, count) in enumerate(counts):
        y = top + row * bar_height
        length = (width - label_width - 60) * count / largest
        parts.append(f'<g class="bar" data-stance="{escape(stance)}">'
                     f'<text x="{label_width - 8}" y="{y + 18}" font-size="13" text-anchor="end">'
                     f'{escape(stance)}</text>'
                     f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{bar_height - 8}" '
                     f'fill="#0072B2"/>'
                     f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="13">{count}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def network_data(edges: list[tuple[str, str, str, str, str, str]]) -> dict:
    """Nodes and edges for vis-network from (source IRI, source label, source kind, target IRI, target label,
    target kind) rows; kinds colour the nodes (file, instrument, group, position)."""
    nodes: dict[str, dict] = {}
    links = []
    for source, source_label, source_kind, target, target_label, target_kind in edges:
        for iri, label, kind in ((source, source_label, source_kind), (target, target_label, target_kind)):
            nodes.setdefault(iri, {"id": iri, "label": label, "group": kind})
        links.append({"from": source, "to": target})
    return {"nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": links}


def _period(point: TimelinePoint) -> str:
    return point.when.strftime("%Y-%m") if point.precision == "month" else str(point.when.year)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" font-family="sans-serif"><title>{escape(title)}</title>'
            f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)}</text>')


def _empty_svg(title: str, width: int, message: str) -> str:
    return _header(width, 60, title) + f'<text x="10" y="48" font-size="12">{escape(message)}</text></svg>'
