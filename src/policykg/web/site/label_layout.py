"""Where the labels of a picture go, so that no two overlap: text measured without a browser, wrapped at word
boundaries, and packed into lanes with leader lines from each label to its mark.

Widths are estimated from the advance widths of DejaVu Sans (the widest of the common sans-serif faces a browser
falls back to), with a margin, so a label takes at most the room reserved for it whatever face draws it.
:func:`pack` is a greedy interval packing: labels, from the rightmost anchor leftwards, take the lane nearest the axis
where their box is free of other boxes and of the leaders already drawn (right to left, see :func:`pack`). Every
label gets a place (a new lane if need be).
"""

from __future__ import annotations

from dataclasses import dataclass

# Advance widths in em (DejaVu Sans), by character; anything else counts as a wide letter.
_WIDTHS: dict[str, float] = {}
for _chars, _width in (
        (" ,.·", 0.318), ("!", 0.40), ("\"", 0.46), ("'", 0.275), ("()", 0.39), ("*", 0.5), ("-", 0.361),
        ("/:;", 0.337), ("0123456789$", 0.636), ("#+<=>~", 0.838), ("%", 0.95), ("&", 0.78), ("?", 0.53),
        ("@", 1.0), ("ijl", 0.278), ("IJ", 0.295), ("f", 0.352), ("t", 0.392), ("r", 0.411), ("s", 0.521),
        ("z", 0.525), ("c", 0.55), ("L", 0.557), ("k", 0.579), ("F", 0.575), ("vxy", 0.592), ("PTY", 0.611),
        ("aeo", 0.615), ("bdghnpqu", 0.635), ("ES", 0.635), ("K", 0.656), ("AVXZ", 0.685), ("BR", 0.695),
        ("C", 0.698), ("U", 0.732), ("HN", 0.752), ("DG", 0.775), ("OQ", 0.787), ("w", 0.818), ("M", 0.863),
        ("m", 0.974), ("W", 0.989), ("…—", 1.0), ("–", 0.5)):
    for _char in _chars:
        _WIDTHS[_char] = _width
_OTHER = 0.70
_MARGIN = 1.06     # faces differ; hinting rounds up


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width ``text`` takes at font size ``size`` (pixels), at most."""
    em = sum(_WIDTHS.get(char, _OTHER) for char in text)
    return em * size * _MARGIN * (1.1 if bold else 1.0)


def wrap(text: str, size: float, max_width: float, max_lines: int) -> tuple[list[str], bool]:
    """``text`` broken at spaces into lines no wider than ``max_width``; at most ``max_lines`` lines, the last
    ending in "…" when words were left out (a word longer than a line is cut, with "…"). Returns the lines and
    whether anything was left out."""
    lines: list[str] = []
    current = ""
    words = text.split()
    for index, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        if len(lines) == max_lines:
            break
        if text_width(word, size) > max_width:   # one word wider than a line: cut it
            current = _fit(word, size, max_width)
            if len(lines) == max_lines - 1:
                lines.append(current)
                return lines, True
            lines.append(current)
            current = ""
            if index == len(words) - 1:
                return lines, True
    else:
        if current:
            lines.append(current)
        return lines, False
    # Out of lines: the last one keeps what fits and says that more follows.
    last = lines[max_lines - 1]
    while last and text_width(last + " …", size) > max_width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[max_lines - 1] = f"{last} …" if last else "…"
    return lines[:max_lines], True


def _fit(word: str, size: float, max_width: float) -> str:
    while len(word) > 1 and text_width(word + "…", size) > max_width:
        word = word[:-1]
    return word + "…"


@dataclass
class Label:
    """A label to place: its anchor's x, its box's width and height; ``x`` and ``lane`` once placed."""

    anchor: float
    width: float
    height: float
    x: float = 0.0
    lane: int = -1


def pack(labels: list[Label], *, left: float, right: float, gap: float = 6.0, leader: float = 3.0) -> int:
    """Give every label a lane (0 nearest the axis) and a left edge ``x`` inside [left, right]; the box sits to
    the right of its anchor, or to its left where the right edge would pass ``right``. Returns the number of
    lanes. The list is changed in place.

    Labels are placed from the rightmost anchor leftwards, so a box (which mostly extends rightwards) meets the
    leaders already drawn and keeps off them, rather than a later leader running through it. A label tries both
    sides of its anchor, in each the nearest lane where its box is free of boxes and leaders, and keeps the side
    with the fewer crossings (boxes its own leader would cross, anchors still to come its box would cover), then
    the nearer lane. Crossings only arise next to a box pushed left of its anchor at the right edge (a caller
    that ends its axis a label's width before ``right`` has none). Boxes never overlap."""
    occupied: list[list[tuple[float, float]]] = []   # per lane: taken intervals (boxes with gaps, leaders)
    boxes: list[list[tuple[float, float]]] = []      # per lane: the boxes alone, without gaps (what a leader crosses)

    def free(lane: int, start: float, end: float) -> bool:
        return lane >= len(occupied) or all(end <= a or start >= b for a, b in occupied[lane])

    def crossed(anchor: float, lane: int) -> int:
        return sum(any(a <= anchor <= b for a, b in boxes[nearer]) for nearer in range(min(lane, len(boxes))))

    order = sorted(labels, key=lambda item: -item.anchor)
    for done, label in enumerate(order):
        pending = [item.anchor for item in order[done + 1:]]
        # Where the box may sit: right of its anchor, else left of it; kept inside [left, right].
        places = [label.anchor + 4, label.anchor - 4 - label.width]
        if places[0] + label.width > right:
            places.reverse()
        choices = []
        for x in places:
            x = max(left, min(x, right - label.width))
            # The nearest free lane is the best for this place: a farther one makes the leader cross more lanes.
            lane = next(n for n in range(len(occupied) + 1) if free(n, x - gap / 2, x + label.width + gap / 2))
            # A box over an anchor still to come would stand in the way of its leader.
            covers = sum(x <= anchor <= x + label.width for anchor in pending)
            choices.append((crossed(label.anchor, lane) + covers, lane, x))
        _, lane, x = min(choices, key=lambda choice: choice[:2])
        if lane == len(occupied):
            occupied.append([])
            boxes.append([])
        label.x, label.lane = x, lane
        occupied[lane].append((x - gap / 2, x + label.width + gap / 2))
        boxes[lane].append((x, x + label.width))
        for nearer in range(lane):
            occupied[nearer].append((label.anchor - leader, label.anchor + leader))
    return len(occupied)


def lane_offsets(labels: list[Label], lanes: int, spacing: float) -> list[float]:
    """The distance of each lane's near edge from the axis: each lane as tall as its tallest label."""
    heights = [0.0] * lanes
    for label in labels:
        heights[label.lane] = max(heights[label.lane], label.height)
    offsets, total = [], 0.0
    for height in heights:
        offsets.append(total)
        total += height + spacing
    return offsets
