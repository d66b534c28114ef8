"""Board-true addresses (bundler.remoteproc.addressing): property tests on device trees built in memory.

Round trip through a node's windows, nested buses composing their dma-ranges, empty and absent
dma-ranges, and ranges for reg (empty: identity, absent: not CPU-visible)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.fit.fdt import parse_fdt
from bundler.remoteproc.addressing import dma_windows, to_device, to_system, translate_reg
from tests.support.fdt import build, cells

PAGE = 0x1000
addr = st.integers(0, 0xFFFF).map(lambda n: n * PAGE)           # page-aligned 28-bit addresses
size = st.integers(1, 0xFF).map(lambda n: n * PAGE)


def tree(outer_dma, inner_dma, *, outer_ranges=b"", inner_ranges=b"", reg=(0x1000, 0x100)):
    """/outer { /inner { remote } }, all one address and one size cell; ``*_dma`` None = absent."""
    def props(dma, ranges):
        out = [("#address-cells", cells(1)), ("#size-cells", cells(1))]
        if ranges is not None:
            out.append(("ranges", ranges))
        if dma is not None:
            out.append(("dma-ranges", dma))
        return out
    remote = ([("reg", cells(*reg))], [])
    inner = (props(inner_dma, inner_ranges), [("remote@0", remote)])
    outer = (props(outer_dma, outer_ranges), [("inner", inner)])
    blob = build(([("#address-cells", cells(1)), ("#size-cells", cells(1))], [("outer", outer)]))[0]
    return parse_fdt(blob).find_node("/outer/inner/remote@0")


@settings(max_examples=150, deadline=None)
@given(child=addr, parent=addr, n=size, offset=st.integers(0, 0xFF * PAGE - 1))
def test_round_trip_through_one_window(child, parent, n, offset):
    node = tree(None, cells(child, parent, n))
    windows = dma_windows(node)
    d = child + offset % n
    s = to_system(windows, d)
    assert s == parent + offset % n
    assert to_device(windows, s) == d
    assert to_system(windows, child + n) is None                    # one past the window: no translation


@settings(max_examples=150, deadline=None)
@given(c1=addr, p1=addr, c2=addr, n=size, offset=st.integers(0, 0xFF * PAGE - 1))
def test_nested_buses_compose(c1, p1, c2, n, offset):
    # inner maps [c2, c2+n) onto outer's [c1, c1+n); outer maps that onto the root's [p1, p1+n)
    node = tree(cells(c1, p1, n), cells(c2, c1, n))
    d = c2 + offset % n
    assert to_system(dma_windows(node), d) == p1 + offset % n


@settings(max_examples=100, deadline=None)
@given(c=addr, p=addr, n=size)
def test_empty_dma_ranges_is_identity_and_the_walk_goes_on(c, p, n):
    node = tree(cells(c, p, n), b"")                                 # inner empty: outer's windows apply
    assert to_system(dma_windows(node), c) == p
    assert to_system(dma_windows(tree(None, b"")), c) == c          # empty all the way: identity


def test_absent_dma_ranges_means_no_translation():
    node = tree(cells(0x0, 0x38000000, 0x10000), None)               # inner has none: Linux stops there
    assert to_system(dma_windows(node), 0x1000) == 0x1000


@settings(max_examples=100, deadline=None)
@given(c=addr, p=addr, n=size, offset=st.integers(0, 0xFF * PAGE - 1))
def test_reg_goes_up_through_ranges(c, p, n, offset):
    at = c + offset % n
    node = tree(None, None, inner_ranges=cells(c, p, n), reg=(at, 0x10))
    assert translate_reg(node, at) == p + offset % n
    assert translate_reg(tree(None, None, inner_ranges=b"", reg=(at, 0x10)), at) == at
    assert translate_reg(tree(None, None, inner_ranges=None, reg=(at, 0x10)), at) is None
