"""``bundle map``: one picture of the address space (docs/map.md).

:mod:`.model` turns what the readers already report (``bundle inspect``'s
document, ``bundle verify``'s findings, the memory map) into named ranges,
one view each; :mod:`.layout` places them (a pure function); :mod:`.svg`
draws them; :mod:`.html` wraps the same SVG with a table and a tip.
:func:`draw` is the whole pipeline on those inputs, bytes in, text out.
"""

from __future__ import annotations

from bundler.memmap import html, svg
from bundler.memmap.layout import hex_width, layout
from bundler.memmap.model import MapModel, Range, View, build

FORMATS = ("svg", "html")


def render(model: MapModel, format: str = "svg") -> str:
    """The picture of ``model`` as SVG or HTML text."""
    digits = hex_width(model.ranges)
    picture = svg.render(model, layout(model), digits)
    return picture if format == "svg" else html.render(model, picture, digits)


def draw(report: dict, title: str, findings=(), memory=None, format: str = "svg", remote_view: bool = False) -> str:
    """The picture of one input from ``bundle inspect``'s ``report`` and verify's ``findings``."""
    return render(build(report, title, findings, memory, remote_view), format)


__all__ = ["FORMATS", "MapModel", "Range", "View", "build", "draw", "layout", "render"]
