"""The picture as SVG text: a pure function of the model and its layout.

Same model, same bytes: no ids from memory addresses, no timestamps, numbers
printed with one rule (:func:`num`), elements in the layout's order. Every
range is one ``<g class="range">`` with ``data-i`` (its index in the model,
which the HTML page's table and tip use) and an SVG ``<title>`` (the tip a
plain SVG viewer shows). Styles are inline; nothing is fetched.
"""

from __future__ import annotations

from html import escape

from bundler.memmap.layout import FONT, LINE_H, Layout, human_size
from bundler.memmap.model import MapModel, Range

COLOURS = {   # kind -> (fill, stroke)
    "segment": ("#dce8f5", "#2f5f95"), "image": ("#d5efcd", "#3a7f2f"), "rsc_table": ("#ececec", "#6b6b6b"),
    "carveout": ("#fde3c0", "#b86e0c"), "devmem": ("#f3d9ef", "#8f3784"), "trace": ("#d2efec", "#1f7d75"),
    "vring": ("#e3dbf6", "#5b43a3"), "kernel": ("#d9e2fb", "#3450a8"), "ramdisk": ("#f8e7d2", "#9a6225"),
    "fdt": ("#e2f1d6", "#4f7d22"), "loadable": ("#ececf6", "#555a8a"), "memory": ("#f1f1e2", "#7d7d50"),
    "finding": ("url(#hatch-error)", "#c62828"), "break": ("#ffffff", "#555555"),
}
RED, AMBER = "#c62828", "#b26a00"


def num(v: float) -> str:
    """A coordinate: an integer when it is one, else one decimal."""
    r = round(v, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def tip_text(r: Range, digits: int = 8) -> str:
    """The details of one range, one line each (the SVG title, the HTML tip)."""
    lines = [f"{r.name} ({r.kind})"]
    if r.address is not None:
        lines.append(f"0x{r.address:0{digits}x} .. 0x{r.address + r.size:0{digits}x}, "
                     f"{r.size} bytes ({human_size(r.size)})")
    else:
        lines.append(f"address chosen by the host, {r.size} bytes")
    lines.extend(f"{k}: {v}" for k, v in r.details)
    if r.finding:
        lines.extend(r.finding.split("\n"))
    return "\n".join(lines)


def _style() -> str:
    rules = [".bg{fill:#ffffff}", ".col{fill:#f7f8fa;stroke:#e1e4e8}", ".grid{stroke:#e4e6ea;stroke-width:1}",
             "text{fill:#1f2328;white-space:pre}", ".title{font-weight:bold}",
             ".subtitle{fill:#57606a;font-size:10px}", ".axis{fill:#57606a;font-size:10px}",
             ".head{font-weight:bold}", ".note{fill:#57606a}", ".name{font-weight:bold}",
             f".finding{{fill:{RED}}}", ".gap{fill:#57606a;font-size:10px}",
             ".range rect{stroke-width:1.2}", f".range.sev-error rect{{stroke:{RED};stroke-width:2.5}}",
             f".range.sev-warning rect{{stroke:{AMBER};stroke-width:2.5}}", ".brk{fill:#ffffff;stroke:#555555}"]
    return "".join(rules)


def _zigzag(x0: float, x1: float, y: float) -> str:
    """A break mark: a white band between two zigzags, from x0 to x1 at y."""
    step, amp, gap = 8, 3, 3
    n = max(int((x1 - x0) // step), 1)
    xs = [x0 + (x1 - x0) * k / n for k in range(n + 1)]
    top = [(x, y - gap + (amp if k % 2 else -amp)) for k, x in enumerate(xs)]
    bottom = [(x, y + gap + (amp if k % 2 else -amp)) for k, x in reversed(list(enumerate(xs)))]
    pts = " ".join(f"{num(px)},{num(py)}" for px, py in top + bottom)
    return f'<polygon class="brk" points="{pts}"/>'


def _text(label) -> str:
    return (f'<text x="{num(label.x)}" y="{num(label.y + LINE_H - 3)}" class="{label.cls}">'
            f'{escape(label.text, quote=False)}</text>')


def render(model: MapModel, lay: Layout, digits: int = 8) -> str:
    """The SVG document for ``model`` laid out as ``lay``."""
    w, h = num(lay.width), num(lay.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           f'font-family="DejaVu Sans Mono, monospace" font-size="{FONT}" role="img">',
           f"<title>{escape(model.title, quote=False)}: memory map</title>",
           f"<style>{_style()}</style>",
           '<defs><pattern id="hatch-error" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde4e4"/>'
           f'<line x1="0" y1="0" x2="0" y2="6" stroke="{RED}" stroke-width="1.5" stroke-opacity="0.45"/>'
           '</pattern></defs>',
           f'<rect class="bg" width="{w}" height="{h}"/>']
    top, bottom = lay.body_top, lay.body_bottom
    for c in lay.columns:
        out.append(f'<rect class="col" data-view="{escape(c.key)}" x="{num(c.x)}" y="{num(top)}" '
                   f'width="{num(c.w)}" height="{num(bottom - top)}"/>')
    x_left = lay.columns[0].x if lay.columns else 0
    x_right = lay.columns[-1].x + lay.columns[-1].w if lay.columns else 0
    for row in lay.rows:
        out.append(f'<line class="grid" x1="{num(x_left - 6)}" y1="{num(row.y)}" x2="{num(x_right)}" '
                   f'y2="{num(row.y)}"/>')
    for box in lay.boxes:
        r = model.ranges[box.index]
        fill, stroke = COLOURS[r.kind]
        if r.kind == "finding" and r.severity == "warning":
            fill, stroke = "#fff1cc", AMBER
        sev = f" sev-{r.severity}" if r.severity else ""
        out.append(f'<g class="range k-{r.kind}{sev}" data-i="{box.index}" data-view="{escape(r.view)}">'
                   f"<title>{escape(tip_text(r, digits), quote=False)}</title>"
                   f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.w)}" height="{num(box.h)}" '
                   f'rx="3" fill="{fill}" stroke="{stroke}"/>')
        out.extend(_zigzag(box.x - 2, box.x + box.w + 2, y) for y in box.breaks)
        out.append("</g>")
    out.extend(_zigzag(x_left - 6, x_right, y) for y in lay.gap_breaks)
    for x, y, kind in lay.swatches:
        fill, stroke = COLOURS[kind]
        if kind == "break":
            out.append(_zigzag(x, x + 14, y + LINE_H / 2))
        else:
            out.append(f'<rect x="{num(x)}" y="{num(y + 1)}" width="14" height="{LINE_H - 2}" rx="2" '
                       f'fill="{fill}" stroke="{stroke}"/>')
    out.extend(_text(label) for label in lay.labels)
    out.append("</svg>")
    return "\n".join(out) + "\n"


__all__ = ["render", "tip_text", "COLOURS", "num"]
