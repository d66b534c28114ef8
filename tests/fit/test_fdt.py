"""The FDT reader: dtc-built trees read back as fdtget reads them; phandles and reg
decoded per #address-cells/#size-cells; every hostile blob refused with one
BadInputError line (never another exception); random trees round-trip."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.errors import BadInputError
from bundler.fit.fdt import FDT_MAGIC, is_fdt, parse_fdt
from tests.support.fdt import build, cells, header_field_offset, put_u32, string
from tests.support.tools import in_ci, need_tool

BOARD_DTS = """/dts-v1/;
/memreserve/ 0x48000000 0x100000;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    model = "rproc test board";
    compatible = "rproc,test", "arm,virt";
    memory@40000000 {
        device_type = "memory";
        reg = <0x0 0x40000000 0x0 0x20000000>;
    };
    reserved-memory {
        #address-cells = <2>;
        #size-cells = <2>;
        ranges;
        rproc_mem: rproc@70000000 {
            reg = <0x0 0x70000000 0x0 0x1000000>;
            no-map;
        };
        vdev0buffer: vdev0buffer@71000000 {
            compatible = "shared-dma-pool";
            reg = <0x0 0x71000000 0x0 0x100000>;
            no-map;
        };
        high: high@100000000 {
            reg = <0x1 0x00000000 0x0 0x200000>;
        };
    };
    soc {
        #address-cells = <1>;
        #size-cells = <1>;
        ranges;
        remoteproc@ff9a0000 {
            compatible = "xlnx,zynqmp-r5f";
            reg = <0xff9a0000 0x100>, <0xffe00000 0x10000>;
            memory-region = <&rproc_mem &vdev0buffer &high>;
            empty;
        };
    };
};
"""


@pytest.fixture(scope="module")
def board_dtb(tmp_path_factory):
    need_tool("dtc")
    d = tmp_path_factory.mktemp("fdt")
    (d / "board.dts").write_text(BOARD_DTS)
    subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", str(d / "board.dtb"), str(d / "board.dts")],
                   check=True, capture_output=True)
    return d / "board.dtb"


@pytest.mark.toolchain
def test_board_lookups(board_dtb):
    fdt = parse_fdt(board_dtb.read_bytes())
    assert fdt.header.magic == FDT_MAGIC and fdt.header.version == 17
    assert [(r.address, r.size) for r in fdt.reserved] == [(0x48000000, 0x100000)]
    assert fdt.root.find_string("model") == "rproc test board"
    assert fdt.root.find_strings("compatible") == ["rproc,test", "arm,virt"]
    rp = fdt.find_node("/soc/remoteproc@ff9a0000")
    assert rp is not None and fdt.find_node("/soc/remoteproc") is rp
    assert [(r.address, r.size) for r in rp.iter_reg()] == [(0xFF9A0000, 0x100), (0xFFE00000, 0x10000)]
    targets = fdt.resolve_phandles(rp, "memory-region")
    assert [t.path for t in targets] == ["/reserved-memory/rproc@70000000",
                                         "/reserved-memory/vdev0buffer@71000000",
                                         "/reserved-memory/high@100000000"]
    assert [[r.astuple() for r in t.iter_reg()] for t in targets] == [[(0x70000000, 0x1000000)], [(0x71000000, 0x100000)],
                                                     [(0x100000000, 0x200000)]]
    for t in targets:
        assert fdt.find_by_phandle(t.phandle) is t
    assert rp.find_property("empty").is_empty() and rp.has_property("empty")
    assert fdt.find_node("/nonexistent") is None and fdt.find_node("soc") is None
    assert rp.find_property("absent") is None and rp.find_u32("absent") is None
    assert list(rp.iter_phandles("absent")) == []


def _fdtget(dtb, *args) -> str:
    return subprocess.run(["fdtget", str(dtb), *args], check=True, capture_output=True, text=True).stdout


@pytest.mark.toolchain
def test_every_property_matches_fdtget(board_dtb):
    """Differential: node list, property names and every value byte as fdtget (libfdt) reads them."""
    need_tool("fdtget")
    fdt = parse_fdt(board_dtb.read_bytes())
    for node in fdt.iter_nodes():
        assert _fdtget(board_dtb, "-l", node.path).split() == [c.name for c in node.children]
        assert _fdtget(board_dtb, "-p", node.path).split() == list(node.properties)
        for prop in node.iter_properties():
            if prop.is_empty():
                continue
            raw = bytes(int(x, 16) for x in _fdtget(board_dtb, "-t", "bx", node.path, prop.name).split())
            assert raw == prop.value, f"{node.path} {prop.name}"


@pytest.mark.toolchain
def test_truncated_dtc_blob_every_length(board_dtb):
    blob = board_dtb.read_bytes()
    for n in range(len(blob)):
        with pytest.raises(BadInputError) as exc:
            parse_fdt(blob[:n])
        assert "\n" not in str(exc.value)
    assert parse_fdt(blob + b"\xff" * 64).totalsize == len(blob)     # trailing bytes (mkimage -E data) allowed


def _simple():
    tree = ([("#address-cells", cells(1)), ("#size-cells", cells(1)), ("model", string("m"))],
            [("a@10", ([("reg", cells(0x10, 0x20)), ("phandle", cells(1))], [])),
             ("b", ([("memory-region", cells(1))], []))])
    return build(tree)


def test_builder_tree_reads_back():
    blob, _ = _simple()
    fdt = parse_fdt(blob)
    assert [n.path for n in fdt.iter_nodes()] == ["/", "/a@10", "/b"]
    assert [r.astuple() for r in fdt.find_node("/a").iter_reg()] == [(0x10, 0x20)]
    assert fdt.resolve_phandles(fdt.find_node("/b"), "memory-region") == [fdt.find_node("/a@10")]
    assert is_fdt(blob) and not is_fdt(b"\0" * 8) and not is_fdt(b"")
    assert parse_fdt(memoryview(blob)).root.find_string("model") == "m"
    assert parse_fdt(bytearray(blob)).root.find_string("model") == "m"


def _hdr(blob, field, value):
    return put_u32(blob, header_field_offset(field), value)


def _hostile_cases():
    blob, lay = _simple()
    st_off, str_off = lay["off_dt_struct"], lay["off_dt_strings"]
    size_struct = str_off - st_off
    reg = lay["props"]["/a@10/reg"]
    return [
        ("magic", _hdr(blob, "magic", 0xFEEDD00D), "bad magic"),
        ("old version", _hdr(blob, "version", 16), "version 16"),
        ("future comp", _hdr(blob, "last_comp_version", 18), "not supported"),
        ("totalsize big", _hdr(blob, "totalsize", len(blob) + 1), "bytes missing"),
        ("totalsize small", _hdr(blob, "totalsize", 8), "smaller than"),
        ("struct off unaligned", _hdr(blob, "off_dt_struct", st_off + 2), "not 4-byte aligned"),
        ("struct off huge", _hdr(blob, "off_dt_struct", 0xFFFFFFFC), "outside"),
        ("struct in header", _hdr(blob, "off_dt_struct", 4), "outside"),
        ("struct size huge", _hdr(blob, "size_dt_struct", 0xFFFFFFF0), "runs past totalsize"),
        ("struct size short", _hdr(blob, "size_dt_struct", size_struct - 4), "without an FDT_END"),
        ("strings size huge", _hdr(blob, "size_dt_strings", 0x7FFFFFFF), "runs past totalsize"),
        ("strings overlap", _hdr(blob, "off_dt_strings", st_off), "overlaps"),
        ("rsvmap unaligned", _hdr(blob, "off_mem_rsvmap", 44), "not 8-byte aligned"),
        ("rsvmap unterminated", put_u32(_hdr(blob, "off_mem_rsvmap", st_off - 8), st_off - 8, 1), "terminator"),
        ("bad token", put_u32(blob, st_off, 0x77), "unknown token 0x77"),
        ("prop len huge", put_u32(blob, reg + 4, 0x7FFFFFF0), "only"),
        ("nameoff huge", put_u32(blob, reg + 8, 0x10000), "nameoff 0x10000"),
        ("end node first", put_u32(blob, st_off, 2), "closes no open node"),
        ("end early", put_u32(blob, reg, 9), "still open"),
        ("prop outside", put_u32(blob, st_off, 3), "outside any node"),
    ]


@pytest.mark.parametrize("name,blob,message", _hostile_cases(), ids=[c[0] for c in _hostile_cases()])
def test_hostile_blob_refused(name, blob, message):
    with pytest.raises(BadInputError) as exc:
        parse_fdt(blob)
    text = str(exc.value)
    assert message in text and text.startswith("FDT: ") and "\n" not in text


def test_structural_rules():
    def refused(tree, message):
        with pytest.raises(BadInputError, match=message):
            parse_fdt(build(tree)[0])
    refused(([], [("a", ([], [])), ("a", ([], []))]), "appears twice")
    refused(([("x", b""), ("x", b"")], []), "appears twice")
    refused(([], [("a", ([("phandle", cells(5))], [])), ("b", ([("phandle", cells(5))], []))]),
            "phandle 0x5 is on both /a and /b")
    refused(([], [("a", ([("phandle", cells(0))], []))]), "invalid phandle")
    refused(([], [("a", ([("phandle", b"\0\0")], []))]), "not one 32-bit cell")
    refused(([], [("", ([], []))]), "invalid name")
    refused(([], [("a/b", ([], []))]), "invalid name")
    refused(([], [("n" * 256, ([], []))]), "longer than 255 bytes")
    refused(([("p" * 256, b"")], []), "longer than 255 bytes")
    assert parse_fdt(build(([("p" * 255, b"")], [("n" * 255, ([], []))]))[0]).root.find_child("n" * 255)
    deep = ([], [])
    for i in range(70):
        deep = ([], [(f"n{i}", deep)])
    refused(deep, "deeper than 64")
    with pytest.raises(BadInputError, match="comes after a subnode"):
        parse_fdt(build(([], [("a", ([], []))]), late=[("x", cells(1))])[0])


def test_value_decoders_name_the_property():
    blob, _ = build(([("#address-cells", cells(1)), ("#size-cells", cells(1))],
                     [("a", ([("reg", cells(1, 2, 3)), ("s", b"abc"), ("c", cells(9))], [])),
                      ("b", ([("#address-cells", cells(7))], [("c", ([("reg", cells(1))], []))])),
                      ("d", ([("memory-region", cells(0x42))], []))]))
    fdt = parse_fdt(blob)
    a = fdt.find_node("/a")
    with pytest.raises(BadInputError, match=r"/a/reg at 0x[0-9a-f]+ is 12 bytes, not a multiple of 8"):
        list(a.iter_reg())
    with pytest.raises(BadInputError, match="/a/s .* not one NUL-terminated string"):
        a.find_string("s")
    with pytest.raises(BadInputError, match="not a 64-bit value"):
        a.find_property("c").as_u64()
    with pytest.raises(BadInputError, match="#address-cells = 7"):
        list(fdt.find_node("/b/c").iter_reg())
    with pytest.raises(BadInputError, match="phandle 0x42, which no node has"):
        fdt.resolve_phandles(fdt.find_node("/d"), "memory-region")


# -- property tests -----------------------------------------------------------------------------------------

# phandle values are checked as they are read, so random trees leave those names out
_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789,._+-", min_size=1, max_size=12).filter(
    lambda n: n not in ("phandle", "linux,phandle"))


def _trees(depth):
    props = st.lists(st.tuples(_names, st.binary(max_size=24)), max_size=4, unique_by=lambda p: p[0])
    if depth == 0:
        return st.tuples(props, st.just([]))
    return st.tuples(props, st.lists(st.tuples(_names, _trees(depth - 1)), max_size=3, unique_by=lambda c: c[0]))


def _model(node):
    return ([(p.name, p.value) for p in node.iter_properties()], [(c.name, _model(c)) for c in node.children])


EXAMPLES = 60 if in_ci() else 200


@settings(max_examples=EXAMPLES, deadline=None)
@given(tree=_trees(3), reserved=st.lists(st.tuples(st.integers(1, 2**64 - 1), st.integers(0, 2**64 - 1)),
                                         max_size=3))
def test_random_trees_round_trip(tree, reserved):
    blob, _ = build(tree, reserved)
    fdt = parse_fdt(blob)
    assert _model(fdt.root) == tree
    assert [(r.address, r.size) for r in fdt.reserved] == reserved


@settings(max_examples=EXAMPLES * 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_trees(2), data=st.data())
def test_corrupted_blob_refused_or_read_never_crashes(tree, data):
    """Overwrite any aligned word (or truncate) of a valid blob: a model or a BadInputError, nothing else."""
    blob, _ = build(tree)
    at = data.draw(st.integers(0, len(blob) // 4 - 1)) * 4
    word = data.draw(st.one_of(st.integers(0, 16), st.integers(0, 2**32 - 1),
                               st.sampled_from([len(blob), len(blob) - 4, 2**31, 2**32 - 4])))
    bad = put_u32(blob, at, word)
    cut = data.draw(st.one_of(st.just(len(bad)), st.integers(0, len(bad))))
    try:
        fdt = parse_fdt(bad[:cut])
    except BadInputError as exc:
        assert "\n" not in str(exc)
        return
    for node in fdt.iter_nodes():            # whatever was accepted is walkable
        for prop in node.iter_properties():
            assert prop.offset + len(prop.value) <= fdt.totalsize
        try:
            list(node.iter_reg())
        except BadInputError:
            pass
