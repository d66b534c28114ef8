"""Where everything goes: a pure function from the model's ranges to boxes, rows and labels.

One address axis, shared by every column, runs down the page (low addresses
at the top, as ``readelf`` lists them). The axis is cut at every range's
start and end into rows. A row some range covers is drawn to one scale
(pixels per byte, chosen so that most rows fit between :data:`MIN_H` and
:data:`MAX_H`); a row shorter than that is drawn :data:`MIN_H` tall, so its
label fits, and a longer one :data:`MAX_H` tall with a break mark
(``compressed``). Empty rows are gaps: to scale when small, else one short
row with a break mark and the gap's size. Inside a column, ranges that share
addresses (an image inside a segment, a vring inside a carveout, two
segments that overlap) go side by side in lanes; every label stays inside its
own box, so no two labels overlap (tests/map checks this with hypothesis).

Text is measured as monospace: :data:`CHAR_W` pixels a character at
:data:`FONT` pixels, what the SVG asks for (``font-family: monospace``).
"""

from __future__ import annotations

from bundler.memmap.model import KINDS, KIND_TITLES, MapModel, Range
from bundler.records import Factory, FrozenRecord, Record

FONT = 11
CHAR_W = 6.7              # monospace advance at FONT px, rounded up (DejaVu Sans Mono: 0.602 em)
LINE_H = 13
PAD = 4
MIN_H = 2 * LINE_H + 2 * PAD      # two lines: the name, then address and size
MAX_H = 6 * MIN_H
GAP_MIN = 14              # an axis label (FONT - 1 px) fits between two boundaries
GAP_MAX = 3 * GAP_MIN     # a gap longer than this at scale is broken
GAP_BREAK_H = 40          # room for the gap's size between the two boundary labels
LANE_W = 232
COL_GAP = 28
AXIS_W = 150
TOP = 16
HEAD_H = 46               # column title and subtitle
MARGIN = 16


class Label(FrozenRecord):
    """One line of text: its box (x, y top, w, h), the text and a style class."""

    x: float
    y: float
    w: float
    h: float
    text: str
    cls: str = "label"


class Box(FrozenRecord):
    index: int           # into the ranges given
    x: float
    y: float
    w: float
    h: float
    breaks: tuple = ()   # y of each break mark (a compressed row inside the box)


class Row(FrozenRecord):
    lo: int
    hi: int
    y: float
    h: float
    occupied: bool
    compressed: bool     # drawn shorter than its scale: a break mark


class Column(FrozenRecord):
    key: str
    x: float
    w: float
    lanes: int


class Layout(Record):
    width: float = 0
    height: float = 0
    scale: float = 0                          # pixels per byte of the rows drawn to scale
    columns: list = Factory(list)
    rows: list = Factory(list)
    boxes: list = Factory(list)
    labels: list = Factory(list)
    swatches: list = Factory(list)            # (x, y, kind) of the legend
    gap_breaks: list = Factory(list)          # y of each broken gap's mark
    body_top: float = 0
    body_bottom: float = 0


def text_w(text: str) -> float:
    return len(text) * CHAR_W


def fit_text(text: str, width: float) -> str:
    """``text`` cut to ``width`` pixels, with an ellipsis when cut."""
    room = int(width // CHAR_W)
    if len(text) <= room:
        return text
    return text[:max(room - 1, 0)] + "\u2026"


def human_size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            v = n / (1 << shift)
            return f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n} byte{'' if n == 1 else 's'}"


def hex_width(ranges) -> int:
    """Hex digits for addresses: 8, or 16 when any address needs more than 32 bits."""
    top = max((r.address + max(r.size, 1) for r in ranges if r.address is not None), default=0)
    return 16 if top > 1 << 32 else 8


def _extent(r: Range) -> tuple[int, int]:
    return r.address, r.address + max(r.size, 1)    # a 0-byte range still gets a row


def _lanes(ranges: list[tuple[int, Range]]) -> dict[int, int]:
    """Lane of each range of one view: the first lane whose last range ends before it starts."""
    order = sorted(ranges, key=lambda p: (p[1].address, -p[1].size, KINDS.index(p[1].kind), p[1].name, p[0]))
    ends: list[int] = []
    lane = {}
    for i, r in order:
        lo, hi = _extent(r)
        for n, end in enumerate(ends):
            if end <= lo:
                ends[n] = hi
                lane[i] = n
                break
        else:
            lane[i] = len(ends)
            ends.append(hi)
    return lane


def _scale(lengths: list[int]) -> float:
    """Pixels per byte: the scale that draws the most occupied rows between MIN_H and MAX_H."""
    if not lengths:
        return 1.0
    ratio = MAX_H / MIN_H
    best = None
    for low in sorted(set(lengths)):
        n = sum(1 for x in lengths if low <= x <= low * ratio)
        if best is None or n > best[0]:
            best = (n, low)
    return MIN_H / best[1]


def _rows(placed: list[Range], top: float) -> tuple[list[Row], float]:
    cuts = sorted({a for r in placed for a in _extent(r)})
    spans = [(lo, hi) for lo, hi in zip(cuts, cuts[1:])]
    at = {a: n for n, a in enumerate(cuts)}
    delta = [0] * (len(cuts) + 1)            # ranges open at each cut: one sweep, not rows x ranges
    for r in placed:
        lo, hi = _extent(r)
        delta[at[lo]] += 1
        delta[at[hi]] -= 1
    covered, open_now = [], 0
    for n in range(len(spans)):
        open_now += delta[n]
        covered.append(open_now > 0)
    scale = _scale([hi - lo for (lo, hi), c in zip(spans, covered) if c])
    rows, y = [], top
    for (lo, hi), occ in zip(spans, covered):
        at_scale = (hi - lo) * scale
        if occ:
            h, squeezed = min(max(round(at_scale), MIN_H), MAX_H), at_scale > MAX_H
        elif at_scale <= GAP_MAX:
            h, squeezed = max(round(at_scale), GAP_MIN), False
        else:
            h, squeezed = GAP_BREAK_H, True
        rows.append(Row(lo, hi, y, h, occ, squeezed))
        y += h
    return rows, scale


def layout(model: MapModel) -> Layout:
    """The whole picture's geometry for ``model`` (pure: the same model gives the same layout)."""
    out = Layout()
    placed = [(i, r) for i, r in enumerate(model.ranges) if r.address is not None]
    digits = hex_width([r for _, r in placed])
    body_top = TOP + HEAD_H
    rows, out.scale = _rows([r for _, r in placed], body_top)
    out.rows = rows
    y_of = {row.lo: row.y for row in rows}
    y_end = {row.hi: row.y + row.h for row in rows}
    body_bottom = rows[-1].y + rows[-1].h if rows else body_top + GAP_MIN

    # columns, each as wide as its lanes
    x = MARGIN + AXIS_W
    lanes_of = {}
    for view in model.views:
        mine = [(i, r) for i, r in placed if r.view == view.key]
        lane = _lanes(mine)
        lanes_of.update(lane)
        n = max(lane.values(), default=0) + 1
        w = n * LANE_W
        out.columns.append(Column(view.key, x, w, n))
        out.labels.append(Label(x, TOP, w, LINE_H + 2, fit_text(view.title, w), "title"))
        out.labels.append(Label(x, TOP + LINE_H + 4, w, LINE_H, fit_text(view.subtitle, w), "subtitle"))
        x += w + COL_GAP
    width = x - COL_GAP + MARGIN
    col = {c.key: c for c in out.columns}

    # boxes and their labels; findings are numbered as the list under the picture numbers them
    numbers = finding_numbers(model)
    for i, r in placed:
        c = col[r.view]
        lo, hi = _extent(r)
        bx, by = c.x + lanes_of[i] * LANE_W + 2, y_of[lo]
        bw, bh = LANE_W - 4, y_end[hi] - y_of[lo]
        breaks = tuple(row.y + row.h / 2 for row in rows if row.compressed and row.occupied and lo <= row.lo < hi)
        out.boxes.append(Box(i, bx, by, bw, bh, breaks))
        out.labels.extend(_box_labels(r, bx, by, bw, bh, breaks, digits, numbers.get(i, ())))

    # the axis: every boundary, and each broken gap's size
    for row in rows:
        out.labels.append(_axis_label(row.lo, row.y, digits))
        if not row.occupied and row.compressed:
            mid = row.y + row.h / 2
            text = f"\u2248 gap {human_size(row.hi - row.lo)}"
            out.gap_breaks.append(mid)
            out.labels.append(Label(MARGIN, mid - (FONT + 1) / 2, text_w(text), FONT + 1, text, "gap"))
    if rows:
        out.labels.append(_axis_label(rows[-1].hi, body_bottom, digits))

    y = _footer(out, model, body_bottom + 12, width, digits)
    out.width, out.height = width, y + MARGIN
    out.body_top, out.body_bottom = body_top, body_bottom
    return out


def _axis_label(address: int, y: float, digits: int) -> Label:
    text = f"0x{address:0{digits}x}"
    return Label(MARGIN + AXIS_W - 8 - text_w(text), y - (FONT - 1) / 2 - 1, text_w(text), FONT + 1, text, "axis")


def finding_numbers(model: MapModel) -> dict[int, tuple]:
    """Range index -> the numbers of the findings drawn on it (1, 2, ... in the list's order)."""
    out, n = {}, 0
    for i, r in enumerate(model.ranges):
        if r.finding:
            k = len(r.finding.split("\n"))
            out[i] = tuple(range(n + 1, n + k + 1))
            n += k
    return out


def _marks(numbers: tuple) -> str:
    return "[" + ",".join(str(n) for n in numbers) + "] " if numbers else ""


def _box_labels(r: Range, x: float, y: float, w: float, h: float, breaks: tuple, digits: int,
                numbers: tuple = ()) -> list[Label]:
    """The lines inside a box: its findings' numbers and name, address and size, then (if there is
    room before the first break mark) the end address and the finding's first words."""
    lines = [_marks(numbers) + r.name, f"0x{r.address:0{digits}x} \u00b7 {human_size(r.size)}"]
    lines.append(f"to 0x{r.address + r.size:0{digits}x} ({r.size:#x})")
    if r.finding:
        words = r.finding.split("\n")[0]
        stem = r.view.split(":", 1)[-1]             # the column names the image: not said again
        words = words.replace(f": {stem}: ", ": ", 1) if r.view != stem else words
        lines.extend(_wrap(words, int((w - 2 * PAD) // CHAR_W), 3))
    limit = min([y + h] + [b - 8 for b in breaks])
    room = max(int((limit - y - 2 * PAD) // LINE_H), 2)
    out = []
    for n, text in enumerate(lines[:room]):
        cls = ("finding" if numbers else "name") if n == 0 else ("finding" if n >= 3 else "label")
        out.append(Label(x + PAD, y + PAD + n * LINE_H, w - 2 * PAD, LINE_H, fit_text(text, w - 2 * PAD), cls))
    return out


def _wrap(text: str, width: int, most: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines[:most]


def _footer(out: Layout, model: MapModel, y: float, width: float, digits: int) -> float:
    """Below the columns: resources the host allocates, the legend, then every finding's words."""
    text_room = width - 2 * MARGIN
    chars = int(text_room // CHAR_W)
    if model.unplaced:
        out.labels.append(Label(MARGIN, y, text_room, LINE_H, "allocated by the host (da FW_RSC_ADDR_ANY):", "head"))
        y += LINE_H + 4
        for r in model.unplaced:
            text = f"{r.view.split(':', 1)[-1]}: {r.name} ({r.kind}), {human_size(r.size)}"
            out.labels.append(Label(MARGIN + 12, y, text_room - 12, LINE_H, fit_text(text, text_room - 12)))
            y += LINE_H
        y += 8
    kinds = [k for k in KINDS if any(r.kind == k for r in model.ranges)]
    out.labels.append(Label(MARGIN, y, text_room, LINE_H, "legend", "head"))
    y += LINE_H + 4
    x = MARGIN
    for k in kinds + ["break"]:
        title = KIND_TITLES.get(k, "\u2248 not to scale: longer than drawn")
        w = 18 + text_w(title) + 16
        if x + w > width - MARGIN and x > MARGIN:
            x, y = MARGIN, y + LINE_H + 6
        out.swatches.append((x, y, k))
        out.labels.append(Label(x + 18, y, text_w(title), LINE_H, title))
        x += w
    y += LINE_H + 10
    scale_note = (f"to scale ({1 / out.scale:.4g} bytes a pixel) where it fits; small ranges drawn "
                  f"{MIN_H} px tall; labels exact") if out.scale else ""
    for line in _wrap(scale_note, chars, 4):
        out.labels.append(Label(MARGIN, y, text_room, LINE_H, fit_text(line, text_room), "note"))
        y += LINE_H
    y += 6
    located = [r for r in model.ranges if r.finding]
    words = [f"[{n}] {w}" for n, w in enumerate([w for r in located for w in r.finding.split("\n")], 1)]
    words += list(model.notes)
    if words:
        out.labels.append(Label(MARGIN, y, text_room, LINE_H, f"findings ({len(words)})", "head"))
        y += LINE_H + 4
        for text in words:
            for n, line in enumerate(_wrap(text, chars - 2, 50)):
                cls = "finding" if "error: " in text[:12] else "label"
                indent = 0 if n == 0 else 12
                out.labels.append(Label(MARGIN + indent, y, text_room - indent, LINE_H,
                                        fit_text(line, text_room - indent), cls))
                y += LINE_H
    return y


__all__ = ["layout", "Layout", "Label", "Box", "Row", "Column", "human_size", "fit_text", "MIN_H", "MAX_H"]
