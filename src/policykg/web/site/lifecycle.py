"""The whole field at once: every policy file on one time axis, a row each, as standalone SVG.

A row shows the stages its dated events put the file in, as bands from each event to the next and the last until
the file's own evidence date (``pkg:statusAsOf``): solid where an official record dates the event, hatched where
only secondary sources do. Events are marks on the band (filled: official record; hollow: secondary sources);
under it, the source page's claims (dashed squares, at their stated period) and the dates from which provisions
apply (diamonds). Every mark has its full text as a tooltip; the only texts drawn are the file names (wrapped,
never cut without the full name in the tooltip), the years, the stage names inside bands wide enough to hold
them, and the legend, so no two overlap. Pure functions from :class:`FileLine` values to markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from policykg.web.site.label_layout import text_width, wrap
from policykg.web.site.pictures import EVIDENCE, STAGE_COLOURS, TimelinePoint, year_marks

LABEL_COLUMN = 300      # the file names
ROW = 44                # a row's height
TOP = 78                # the first row's top (title, subtitle, years above)
STAGE_NAMES = {slug: slug.replace("-", " ") for slug in STAGE_COLOURS}


@dataclass(frozen=True)
class Application:
    """The day from which provisions of one of the file's acts apply."""

    when: date
    text: str


@dataclass
class FileLine:
    """One policy file's row."""

    slug: str
    label: str
    href: str
    status: str = ""
    as_of: date | None = None
    points: list[TimelinePoint] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    areas: set[str] = field(default_factory=set)     # slugs of work areas
    groups: set[str] = field(default_factory=set)    # slugs of affected groups

    @property
    def events(self) -> list[TimelinePoint]:
        return sorted((p for p in self.points if p.is_event), key=lambda p: p.when)

    @property
    def claims(self) -> list[TimelinePoint]:
        return sorted((p for p in self.points if not p.is_event), key=lambda p: p.when)

    def dates(self) -> list[date]:
        found = [p.when for p in self.points] + [a.when for a in self.applications]
        return found + ([self.as_of] if self.as_of else [])


def select(lines: list[FileLine], *, area: str | None = None, group: str | None = None) -> list[FileLine]:
    """The rows of the files in work area ``area`` that affect ``group`` (either may be None: no condition)."""
    return [line for line in lines if (not area or area in line.areas) and (not group or group in line.groups)]


def lifecycle_svg(title: str, lines: list[FileLine], *, width: int = 1200, note: str = "") -> str:
    """Every row on one axis, with years above and below, and the legend."""
    plot_left, plot_right = LABEL_COLUMN + 10, width - 20
    dates = [day for line in lines for day in line.dates()]
    parts = [_header(width, title, note)]
    if not dates:
        height = TOP + 30
        parts.append(f'<text x="10" y="{TOP}" font-size="12">No policy file matches these filters.</text></svg>')
        return parts[0].replace("__HEIGHT__", str(height)) + "".join(parts[1:])
    start = date(min(dates).year, 1, 1)
    end = date(max(dates).year + 1, 1, 1)
    span = (end - start).days

    def x(day: date) -> float:
        return plot_left + (plot_right - plot_left) * (day - start).days / span

    bottom = TOP + ROW * len(lines)
    year_width = (plot_right - plot_left) / span * 365.25
    grid = ['<g class="years">']
    for tick, labelled in year_marks(start, end, year_width):
        grid.append(f'<line x1="{x(tick):.1f}" y1="{TOP - 6}" x2="{x(tick):.1f}" y2="{bottom + 6}" '
                    f'stroke="#ddd" stroke-width="1"/>')
        if labelled:
            for y in (TOP - 10, bottom + 20):
                grid.append(f'<text class="year" x="{x(tick):.1f}" y="{y}" font-size="11" text-anchor="middle" '
                            f'fill="#444">{tick.year}</text>')
    grid.append("</g>")
    parts.append(_patterns())
    parts.extend(f'<rect x="0" y="{TOP + ROW * row}" width="{width}" height="{ROW}" fill="#f5f7fa"/>'
                 for row in range(0, len(lines), 2))
    parts.extend(grid)   # over the row shading, under the rows
    for row, line in enumerate(lines):
        parts.append(_row(line, TOP + ROW * row, x, plot_right))
    legend, legend_height = _legend(bottom + 36, width)
    parts.append(legend)
    parts.append("</svg>")
    height = int(bottom + 36 + legend_height + 10)
    return parts[0].replace("__HEIGHT__", str(height)) + "".join(parts[1:])


def _header(width: int, title: str, note: str) -> str:
    # A group, not an image: the file names inside are links a reader can reach.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-label="{escape(title)}" '
            f'viewBox="0 0 {width} __HEIGHT__" width="{width}" height="__HEIGHT__" font-family="sans-serif" '
            f'class="lifecycle">'
            f'<title>{escape(title)}</title>'
            f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)}</text>'
            + (f'<text x="10" y="42" font-size="11" fill="#444">{escape(note)}</text>' if note else ""))


def _patterns() -> str:
    """The hatching of a band opened by an event that only secondary sources date, one per stage colour."""
    return "<defs>" + "".join(
        f'<pattern id="secondary-{slug}" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/>'
        f'<rect width="3" height="6" fill="{colour}" fill-opacity="0.55"/></pattern>'
        for slug, colour in STAGE_COLOURS.items()) + "</defs>"


def _row(line: FileLine, top: float, x, plot_right: float) -> str:
    band_y, band_h = top + 6, 16
    mid = band_y + band_h / 2
    under = top + 34
    parts = [f'<g class="file-row" data-file="{escape(line.slug)}" data-areas="{escape(" ".join(sorted(line.areas)))}" '
             f'data-groups="{escape(" ".join(sorted(line.groups)))}">']
    names, cut = wrap(line.label, 12, LABEL_COLUMN - 16, 2)
    tooltip = line.label + (f" — {line.status}" if line.status else "") + (
        f" (status as of {line.as_of.isoformat()})" if line.as_of else "")
    parts.append(f'<a href="{escape(line.href)}"><title>{escape(tooltip)}</title>'
                 f'<text class="file-name" font-size="12" fill="#0b5394" data-cut="{str(cut).lower()}">'
                 + "".join(f'<tspan x="8" y="{top + 16 + 14 * index}">{escape(name)}</tspan>'
                           for index, name in enumerate(names))
                 + "</text></a>")
    events = line.events
    for index, event in enumerate(events):
        start = x(event.when)
        stop = x(events[index + 1].when) if index + 1 < len(events) else (
            x(line.as_of) if line.as_of and line.as_of > event.when else start + 3)
        stop = min(stop, plot_right)
        if stop - start < 0.5:
            continue
        colour = STAGE_COLOURS.get(event.stage, "#666")
        fill = f"url(#secondary-{event.stage})" if event.kind == "secondary" and event.stage in STAGE_COLOURS \
            else colour
        name = STAGE_NAMES.get(event.stage, event.stage)
        parts.append(f'<rect class="band" data-stage="{escape(event.stage)}" data-evidence="{event.kind}" '
                     f'x="{start:.1f}" y="{band_y}" width="{stop - start:.1f}" height="{band_h}" fill="{fill}" '
                     f'fill-opacity="{0.45 if event.kind == "official" else 1}" stroke="{colour}" '
                     f'stroke-width="0.5"><title>{escape(f"{name} from {event.when.isoformat()}")}</title></rect>')
        if stop - start >= text_width(name, 10) + 18:   # clear of the marks at both ends
            parts.append(f'<text class="stage-name" x="{start + 9:.1f}" y="{band_y + 12}" font-size="10" '
                         f'fill="#1f1f1f" stroke="white" stroke-width="3" paint-order="stroke" pointer-events="none">'
                         f'{escape(name)}</text>')
    for event in events:
        colour = STAGE_COLOURS.get(event.stage, "#666")
        fill = colour if event.kind == "official" else "white"
        text = f"{EVIDENCE[event.kind]}: {event.when.isoformat()} {event.label}"
        parts.append(f'<circle class="event" data-evidence="{event.kind}" data-stage="{escape(event.stage)}" '
                     f'data-date="{event.when.isoformat()}" cx="{x(event.when):.1f}" cy="{mid}" r="5" '
                     f'fill="{fill}" stroke="{colour}" stroke-width="2"><title>{escape(text)}</title></circle>')
    for claim in line.claims:
        colour = STAGE_COLOURS.get(claim.stage, "#666")
        when = claim.when.isoformat() if claim.precision == "day" else (
            claim.when.strftime("%Y-%m") if claim.precision == "month" else str(claim.when.year))
        period_end = _period_end(claim)
        text = f"{EVIDENCE['claim']}: {when} {claim.label}"
        parts.append(f'<g class="claim" data-evidence="claim" data-stage="{escape(claim.stage)}" '
                     f'data-date="{when}"><title>{escape(text)}</title>')
        if period_end > claim.when:   # a month or a year: the stated period as a dashed bracket
            parts.append(f'<line x1="{x(claim.when):.1f}" y1="{under}" x2="{x(period_end):.1f}" y2="{under}" '
                         f'stroke="{colour}" stroke-width="2" stroke-dasharray="3,2"/>')
        parts.append(f'<rect x="{x(claim.when) - 4:.1f}" y="{under - 4}" width="8" height="8" fill="white" '
                     f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="2,1"/></g>')
    for application in line.applications:
        px = x(application.when)
        text = f"Applies from {application.when.isoformat()}: {application.text}"
        parts.append(f'<path class="application" data-date="{application.when.isoformat()}" '
                     f'd="M{px:.1f},{under - 5} l5,5 l-5,5 l-5,-5 z" fill="{STAGE_COLOURS["applies"]}">'
                     f'<title>{escape(text)}</title></path>')
    parts.append("</g>")
    return "".join(parts)


def _period_end(claim: TimelinePoint) -> date:
    if claim.precision == "year":
        return date(claim.when.year, 12, 31)
    if claim.precision == "month":
        following = date(claim.when.year + claim.when.month // 12, claim.when.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return claim.when


def _legend(top: float, width: int) -> tuple[str, float]:
    """Stage colours, then the kinds of evidence, in rows that fit the width."""
    items: list[tuple[str, str]] = [(f"stage:{slug}", name) for slug, name in STAGE_NAMES.items()
                                    if slug not in ("withdrawn", "superseded")]
    items[-1] = ("stage:negotiations-stopped", "stopped, withdrawn or superseded")
    items += [("official", "event dated by an official record"), ("secondary", "dated by secondary sources only "
                                                                               "(hollow mark, hatched band)"),
              ("claim", "the source page's claim, over its stated period"), ("application", "provisions apply from")]
    parts, x, y = ['<g class="legend">'], 10.0, top + 12
    for key, text in items:
        needed = 20 + text_width(text, 11) + 16
        if x > 10 and x + needed > width - 10:
            x, y = 10.0, y + 20
        if key.startswith("stage:"):
            colour = STAGE_COLOURS[key[6:]]
            parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="14" height="12" fill="{colour}" '
                         f'fill-opacity="0.45" stroke="{colour}"/>')
        elif key == "official":
            parts.append(f'<circle cx="{x + 6:.1f}" cy="{y - 4}" r="5" fill="#444" stroke="#444" stroke-width="2"/>')
        elif key == "secondary":
            parts.append(f'<circle cx="{x + 6:.1f}" cy="{y - 4}" r="5" fill="white" stroke="#444" '
                         f'stroke-width="2"/>')
        elif key == "claim":
            parts.append(f'<rect x="{x + 2:.1f}" y="{y - 8}" width="8" height="8" fill="white" stroke="#444" '
                         f'stroke-width="1.5" stroke-dasharray="2,1"/>')
        else:
            parts.append(f'<path d="M{x + 6:.1f},{y - 9} l5,5 l-5,5 l-5,-5 z" fill="#000"/>')
        parts.append(f'<text x="{x + 20:.1f}" y="{y}" font-size="11" fill="#333">{escape(text)}</text>')
        x += needed
    parts.append("</g>")
    return "".join(parts), y - top + 8
