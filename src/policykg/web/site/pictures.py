"""Pictures generated from the graph, as standalone SVG: a file's lifecycle timeline and a chart of positions by
stance. Pure functions from rows to markup; every text is escaped. The network view is drawn in the browser
(vis-network) from the JSON that ``network_data`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from policykg.web.site.label_layout import Label, lane_offsets, pack, text_width, wrap

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


def timeline_svg(title: str, points: list[TimelinePoint], *, width: int = 1100) -> str:
    """Events above the axis (filled: dated by an official record; hollow, dashed: by secondary sources only), the
    page's claims below it (dashed squares, italic, at their stated precision), each label in a lane of its own
    side with a leader line to its mark (:mod:`.label_layout`: no two labels overlap). A band along the axis
    shows the stage each event put the file in, until the next."""
    if not points:
        return _empty_svg(title, width, "No dated events.")
    points = sorted(points, key=lambda p: (p.when, not p.is_event))
    start, end = points[0].when, points[-1].when
    span = max((end - start).days, 1)
    # The axis ends a label's width before the picture does: every label fits to the right of its mark, so no box
    # stands over a mark further left and no leader crosses a label.
    left, right = 70, width - 12 - LABEL_WIDTH

    def x(day: date) -> float:
        return left + (right - left) * (day - start).days / span

    events = [p for p in points if p.is_event]
    claims = [p for p in points if not p.is_event]
    above = [_point_label(p, x(p.when)) for p in events]
    below = [_point_label(p, x(p.when)) for p in claims]
    lanes_above = pack([label for label, _ in above], left=8, right=width - 8)
    lanes_below = pack([label for label, _ in below], left=8, right=width - 8)
    offsets_above = lane_offsets([label for label, _ in above], lanes_above, 8)
    offsets_below = lane_offsets([label for label, _ in below], lanes_below, 8)
    tallest_above = max((o + la.height for (la, _), o in
                         ((item, offsets_above[item[0].lane]) for item in above)), default=0.0)
    tallest_below = max((o + la.height for (la, _), o in
                         ((item, offsets_below[item[0].lane]) for item in below)), default=0.0)
    axis_y = 44 + tallest_above + 22
    below_top = axis_y + 40
    legend_y = below_top + tallest_below + (24 if below else 4)
    legend, legend_height = _timeline_legend(legend_y, width)
    height = int(legend_y + legend_height + 8)

    parts = [_header(width, height, title), _stage_band(events, x, axis_y, right),
             f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="#444" stroke-width="2"/>']
    parts += _year_ticks(start, end, x, axis_y, (right - left) / span * 365.25)
    for (label, (point, lines)), offset in ((item, offsets_above[item[0].lane]) for item in above):
        parts.append(_point_mark(point, label, lines, x(point.when), axis_y, axis_y - 18 - offset - label.height,
                                 up=True))
    for (label, (point, lines)), offset in ((item, offsets_below[item[0].lane]) for item in below):
        parts.append(_point_mark(point, label, lines, x(point.when), axis_y, below_top + offset, up=False))
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


LINE = 13           # line height of an 11 px label
BOLD = ' font-weight="bold"'
LABEL_WIDTH = 230   # a label's widest line


def _point_label(point: TimelinePoint, anchor: float) -> tuple[Label, tuple[TimelinePoint, list[str]]]:
    """A point's label box: its date (bold) on the first line, then its text on at most two lines."""
    head = _when(point) + (" · page claim" if not point.is_event else "")
    lines, _ = wrap(point.label, 11, LABEL_WIDTH, 2) if point.label else ([], False)
    box_width = max([text_width(head, 11, bold=True)] + [text_width(line, 11) for line in lines])
    return Label(anchor, box_width, LINE * (1 + len(lines)) + 2), (point, [head, *lines])


def _when(point: TimelinePoint) -> str:
    return point.when.isoformat() if point.precision == "day" else _period(point)


def _point_mark(point: TimelinePoint, label: Label, lines: list[str], px: float, axis_y: float, top: float,
                *, up: bool) -> str:
    colour = STAGE_COLOURS.get(point.stage, "#666")
    if point.kind == "claim":
        mark = (f'<rect x="{px - 5:.1f}" y="{axis_y - 5}" width="10" height="10" fill="white" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="2,1"/>')
        dash = ' stroke-dasharray="1,2"'
    else:
        fill = colour if point.kind == "official" else "white"
        mark = f'<circle cx="{px:.1f}" cy="{axis_y}" r="6" fill="{fill}" stroke="{colour}" stroke-width="2"/>'
        dash = "" if point.kind == "official" else ' stroke-dasharray="4,2"'
    leader_end = top + label.height if up else top
    full = f"{_when(point)} {point.label}".strip()
    tspans = "".join(
        f'<tspan x="{label.x:.1f}" y="{top + LINE * (row + 1) - 2:.1f}"'
        f'{BOLD if row == 0 else ""}>{escape(line)}</tspan>'
        for row, line in enumerate(lines))
    style = ' font-style="italic"' if point.kind == "claim" else ""
    return (f'<g class="{"event" if point.is_event else "claim"}" data-evidence="{point.kind}" '
            f'data-stage="{escape(point.stage)}"><title>{escape(EVIDENCE[point.kind] + ": " + full)}</title>'
            f'<line x1="{px:.1f}" y1="{axis_y}" x2="{px:.1f}" y2="{leader_end:.1f}" stroke="{colour}" '
            f'stroke-width="1"{dash}/>'
            f'<line x1="{min(px, label.x):.1f}" y1="{leader_end:.1f}" x2="{max(px, label.x + label.width):.1f}" '
            f'y2="{leader_end:.1f}" stroke="{colour}" stroke-width="1"{dash}/>'
            f'{mark}<text font-size="11" fill="#1f1f1f"{style}>{tspans}</text></g>')


def _stage_band(events: list[TimelinePoint], x, axis_y: float, right: float) -> str:
    """The stage each event put the file in, as a band under the axis until the next event."""
    parts = []
    for index, event in enumerate(events):
        x0 = x(event.when)
        x1 = x(events[index + 1].when) if index + 1 < len(events) else right
        if x1 - x0 < 0.5:
            continue
        parts.append(f'<rect class="stage-band" data-stage="{escape(event.stage)}" x="{x0:.1f}" y="{axis_y - 4}" '
                     f'width="{x1 - x0:.1f}" height="8" fill="{STAGE_COLOURS.get(event.stage, "#666")}" '
                     f'fill-opacity="0.35"/>')
    return "".join(parts)


def year_marks(start: date, end: date, year_width: float) -> list[tuple[date, bool]]:
    """1 January of each year between ``start`` and ``end``, and whether it is labelled: every n years, so that
    labels ``year_width`` pixels apart keep 16 px between them."""
    step = next(n for n in (1, 2, 5, 10, 20, 50, 100) if n * year_width >= text_width("2000", 11) + 16)
    return [(date(year, 1, 1), year % step == 0) for year in range(start.year, end.year + 1)
            if start <= date(year, 1, 1) <= end]


def _year_ticks(start: date, end: date, x, axis_y: float, year_width: float) -> list[str]:
    parts = []
    for tick, labelled in year_marks(start, end, year_width):
        parts.append(f'<line x1="{x(tick):.1f}" y1="{axis_y - 5}" x2="{x(tick):.1f}" y2="{axis_y + 5}" '
                     f'stroke="#444"/>')
        if labelled:
            parts.append(f'<text class="year" x="{x(tick):.1f}" y="{axis_y + 20}" font-size="11" '
                         f'text-anchor="middle">{tick.year}</text>')
    return parts


def _timeline_legend(top: float, width: int) -> tuple[str, float]:
    """The three kinds of mark, each with its meaning, in rows that fit the width."""
    items = [("official", "event dated by an official record (EUR-Lex, OEIL, institutions)"),
             ("secondary", "event dated by secondary sources only"),
             ("claim", "the source page's claim, at its stated precision")]
    parts, x, y = ['<g class="legend">'], 10.0, top + 12
    for kind, text in items:
        needed = 18 + text_width(text, 11) + 18
        if x > 10 and x + needed > width - 10:
            x, y = 10.0, y + 18
        if kind == "claim":
            parts.append(f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" fill="white" stroke="#444" '
                         f'stroke-width="2" stroke-dasharray="2,1"/>')
        else:
            fill = "#444" if kind == "official" else "white"
            parts.append(f'<circle cx="{x + 5:.1f}" cy="{y - 4}" r="5" fill="{fill}" stroke="#444" stroke-width="2"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y}" font-size="11" fill="#444">{escape(text)}</text>')
        x += needed
    parts.append("</g>")
    return "".join(parts), y - top + 6


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
