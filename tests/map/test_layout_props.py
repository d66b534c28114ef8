"""Properties of the layout and the SVG, for any ranges (hypothesis): every range given is
drawn exactly once, no two labels overlap, every label stays inside the picture (and a box's
labels inside its box), boxes of one column never overlap, and the same model gives the
same bytes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler import memmap
from bundler.memmap.layout import layout
from bundler.memmap.model import MapModel, Range, View

VIEWS = [View("host", "host", "load addresses (p_paddr)"), View("remote:r", "r", "device addresses"),
         View("memory", "memory (--memory)", "system addresses")]
KINDS = ("segment", "image", "carveout", "vring", "trace", "memory", "rsc_table", "finding")


@st.composite
def ranges(draw):
    bases = draw(st.lists(st.sampled_from([0, 0x1000, 0x2000_0000, 0x4000_0000, 0xFFFF_0000, 0x8_0000_0000,
                                           0xFFFF_FFFF_FFFF_0000]), min_size=1, max_size=3))
    n = draw(st.integers(1, 24))
    out = []
    for _ in range(n):
        base = draw(st.sampled_from(bases))
        address = base + draw(st.integers(0, 1 << draw(st.sampled_from([4, 12, 20, 28]))))
        size = draw(st.one_of(st.just(0), st.integers(1, 1 << draw(st.sampled_from([3, 10, 16, 24, 30])))))
        kind = draw(st.sampled_from(KINDS))
        view = draw(st.sampled_from(VIEWS)).key
        finding = draw(st.one_of(st.none(), st.text("abc xyz:[]-", min_size=1, max_size=200)))
        name = draw(st.text("abcdefghijklmnopqrstuvwxyz_-. 0123456789", min_size=1, max_size=60))
        out.append(Range(view, name, address, size, kind, finding, "error" if finding else None))
    return out


def overlap(a, b) -> bool:
    eps = 0.01
    return a.x < b.x + b.w - eps and b.x < a.x + a.w - eps and a.y < b.y + b.h - eps and b.y < a.y + a.h - eps


def check(model: MapModel) -> None:
    lay = layout(model)
    # every range drawn once: one box, one <g> in the SVG
    assert sorted(b.index for b in lay.boxes) == list(range(len(model.ranges)))
    svg = memmap.render(model)
    assert sorted(int(i) for i in re.findall(r'<g class="range[^"]*" data-i="(\d+)"', svg)) == \
        list(range(len(model.ranges)))
    assert svg == memmap.render(model)
    # labels: inside the picture, pairwise apart
    labels = lay.labels
    for lab in labels:
        assert 0 <= lab.x and lab.x + lab.w <= lay.width + 0.01 and 0 <= lab.y and lab.y + lab.h <= lay.height
        assert len(lab.text) * 6.7 <= lab.w + 0.01, (lab.text, lab.w)
    for n, a in enumerate(labels):
        for b in labels[n + 1:]:
            assert not overlap(a, b), (a, b)
    # a box's labels inside it; boxes of one column apart
    for box in lay.boxes:
        inside = [lab for lab in labels if box.x <= lab.x < box.x + box.w and box.y <= lab.y < box.y + box.h]
        assert len(inside) >= 2
        for lab in inside:
            assert lab.x + lab.w <= box.x + box.w and lab.y + lab.h <= box.y + box.h
    for n, a in enumerate(lay.boxes):
        for b in lay.boxes[n + 1:]:
            assert not overlap(a, b), (model.ranges[a.index], model.ranges[b.index])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ranges())
def test_every_range_drawn_once_labels_apart(rs):
    check(MapModel(title="t", views=list(VIEWS), ranges=rs))


@settings(max_examples=40, deadline=None)
@given(ranges(), st.lists(st.text("abc ", min_size=1, max_size=300), max_size=4))
def test_unplaced_and_notes_listed_once(rs, notes):
    unplaced = [Range("remote:r", f"vdev{i}vring0", None, 4230, "vring") for i in range(3)]
    model = MapModel(title="t", views=list(VIEWS), ranges=rs, unplaced=unplaced, notes=notes)
    check(model)
    texts = [lab.text for lab in layout(model).labels]
    for r in unplaced:
        assert sum(1 for t in texts if t.startswith(f"r: {r.name} ")) == 1


def test_crafted_edges():
    """What random draws rarely hit: a gap of 1 byte between two ranges (two axis labels close
    together), ranges of 0 bytes, the same range twice, nesting three deep, the top of the 64-bit space."""
    rs = [Range("host", "a", 0x1000, 0x100, "segment"), Range("host", "b", 0x1101, 0x100, "segment"),
          Range("host", "empty", 0x3000, 0, "segment"), Range("host", "twin", 0x1000, 0x100, "segment"),
          Range("remote:r", "outer", 0x2000_0000, 0x10_0000, "carveout"),
          Range("remote:r", "mid", 0x2000_1000, 0x1_0000, "segment"),
          Range("remote:r", "inner", 0x2000_1010, 0x10, "vring", "error: outside [mem-vring]", "error"),
          Range("memory", "top", 0xFFFF_FFFF_FFFF_F000, 0x1000, "memory")]
    check(MapModel(title="t", views=list(VIEWS), ranges=rs))
