"""The resource table decoder: every entry kind by name, every Linux/OpenAMP rule
as its own problem code, and no traceback on any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.remoteproc import rsc_table as R
from tests.support.rsc import carveout, raw_entry, rsc_table_bytes, sample_table, trace, vdev


def codes(table) -> list[str]:
    return sorted(p.code for p in table.problems)


def test_sample_table_decodes_every_field():
    t = R.decode(sample_table())
    assert t.is_valid and t.problems == []
    assert t.header == {"ver": 1, "num": 3, "reserved": [0, 0], "offset": [28, 84, 132]}
    co, tr, vd = t.entries
    assert co == {"index": 0, "offset": 28, "type": 0, "kind": "carveout", "da": 0x20200000,
                  "pa": 0x20200000, "len": 0x40000, "flags": 0, "reserved": 0, "name": "remote-ram"}
    assert tr == {"index": 1, "offset": 84, "type": 2, "kind": "trace", "da": 0x20200300, "len": 0x400,
                  "reserved": 0, "name": "remote-trace"}
    assert vd["kind"] == "vdev" and (vd["id"], vd["notifyid"], vd["dfeatures"], vd["gfeatures"]) == (7, 0, 1, 0)
    assert (vd["config_len"], vd["status"], vd["num_of_vrings"], vd["reserved"], vd["config"]) == (0, 0, 2, [0, 0], "")
    assert vd["vrings"] == [{"da": 0x20300000, "align": 0x1000, "num": 16, "notifyid": 1, "pa": 0},
                            {"da": 0x20304000, "align": 0x1000, "num": 16, "notifyid": 2, "pa": 0}]


def test_big_endian_table():
    t = R.decode(sample_table(e=">"), "big")
    assert t.is_valid and t.entries[0]["da"] == 0x20200000 and t.entries[2]["vrings"][1]["notifyid"] == 2


def test_devmem_vendor_and_config_space():
    table = rsc_table_bytes([carveout(rtype=R.RSC_DEVMEM, name="regs"), raw_entry(200, b"\x01\x02\x03\x04"),
                             vdev(vrings=((0x1000, 16, 4, 5, 0),), config=b"\xaa\xbb")])
    t = R.decode(table)
    assert t.is_valid, t.problems
    assert t.entries[0]["kind"] == "devmem" and t.entries[0]["name"] == "regs"
    assert t.entries[1] == {"index": 1, "offset": t.header["offset"][1], "type": 200, "kind": "vendor",
                            "raw": "01020304"}
    assert t.entries[2]["config"] == "aabb" and len(t.entries[2]["vrings"]) == 1


def test_empty_table_is_valid():
    t = R.decode(rsc_table_bytes([]))
    assert t.is_valid and t.entries == [] and t.header["num"] == 0


def test_header_rules():
    assert codes(R.decode(b"\x01\x00\x00\x00")) == ["rsc-truncated"]
    assert R.decode(b"\x01\x00\x00\x00").header is None
    assert codes(R.decode(rsc_table_bytes([], ver=2))) == ["rsc-version"]
    assert codes(R.decode(rsc_table_bytes([], reserved=(0, 1)))) == ["rsc-reserved"]
    # num larger than the offsets the table has room for
    t = R.decode(rsc_table_bytes([trace()], num=40))
    assert "rsc-truncated" in codes(t)
    assert t.entries[0]["kind"] == "trace"          # decoded as far as valid


def test_truncated_table_keeps_what_fits():
    table = sample_table()
    t = R.decode(table[:-10])
    assert codes(t) == ["rsc-truncated"] and not t.is_valid
    assert [e["kind"] for e in t.entries] == ["carveout", "trace", "vdev"]
    assert t.entries[2]["truncated"] is True
    assert len(t.entries[2]["vrings"]) == 1         # the first vring still fits
    p = t.problems[0]
    assert (p.entry, p.offset) == (2, t.header["offset"][2])


def test_entry_offset_outside_table():
    table = bytearray(rsc_table_bytes([trace()]))
    table[R.HDR_SIZE:R.HDR_SIZE + 4] = (len(table) + 100).to_bytes(4, "little")
    t = R.decode(bytes(table))
    assert codes(t) == ["rsc-truncated"] and t.entries[0]["kind"] is None


def test_entry_reserved_fields():
    t = R.decode(rsc_table_bytes([carveout(reserved=1), trace(reserved=2), vdev(reserved=(0, 3))]))
    assert codes(t) == ["rsc-reserved"] * 3
    assert sorted(p.entry for p in t.problems) == [0, 1, 2]


def test_vdev_rules():
    too_many = vdev(vrings=((0x1000, 16, 4, 1, 0), (0x2000, 16, 4, 2, 0), (0x3000, 16, 4, 3, 0)))
    assert codes(R.decode(rsc_table_bytes([too_many]))) == ["rsc-vdev-vrings"]
    zero = vdev(vrings=((0x1000, 0, 4, 1, 0), (0x2000, 16, 0, 2, 0)))
    assert codes(R.decode(rsc_table_bytes([zero]))) == ["rsc-vring", "rsc-vring"]
    odd = vdev(vrings=((0x1000, 16, 6, 1, 0),))
    assert codes(R.decode(rsc_table_bytes([odd]))) == ["rsc-vring"]
    # config space past the end
    t = R.decode(rsc_table_bytes([vdev(config=b"\0" * 8)])[:-4])
    assert codes(t) == ["rsc-truncated"]


def test_notify_ids_unique_and_below_32():
    dup = vdev(vrings=((0x1000, 16, 4, 1, 0), (0x2000, 16, 4, 1, 0)))
    t = R.decode(rsc_table_bytes([dup]))
    assert codes(t) == ["rsc-notifyid-duplicate"]
    assert "as vdev entry 0 vring 0 has: Linux assigns the vrings' ids itself" in t.problems[0].message
    assert t.problems[0].severity == "note" and t.is_valid         # Linux loads it (issue 17)
    # the vdev's own id against another vdev's vring
    t = R.decode(rsc_table_bytes([vdev(notifyid=5, vrings=((0x1000, 16, 4, 1, 0),)),
                                  vdev(notifyid=6, vrings=((0x1000, 16, 4, 5, 0),))]))
    assert codes(t) == ["rsc-notifyid-duplicate"]
    assert codes(R.decode(rsc_table_bytes([vdev(notifyid=32)]))) == ["rsc-notifyid-range"]
    # "any" is neither a duplicate nor out of range
    anyid = vdev(notifyid=R.FW_RSC_ADDR_ANY, vrings=((0x1000, 16, 4, R.FW_RSC_ADDR_ANY, 0),
                                                     (0x2000, 16, 4, R.FW_RSC_ADDR_ANY, 0)))
    assert R.decode(rsc_table_bytes([anyid])).is_valid


def test_unknown_type_is_kept_raw():
    t = R.decode(rsc_table_bytes([raw_entry(9, b"\x11" * 8), trace()]))
    assert codes(t) == ["rsc-unknown-type"]
    assert t.entries[0] == {"index": 0, "offset": 24, "type": 9, "kind": "unknown", "raw": "11" * 8}
    assert t.entries[1]["kind"] == "trace"


def test_to_dict_shape():
    d = R.decode(rsc_table_bytes([vdev(notifyid=40)])).to_dict()
    assert set(d) == {"size", "valid", "header", "entries", "problems"}
    assert d["valid"] is True           # Linux loads it; OpenAMP's refusal is --loader openamp's error
    assert d["problems"] == [{"severity": "warning", "code": "rsc-notifyid-range", "entry": 0, "offset": 20,
                              "message": "vdev entry 0 has notify id 40: OpenAMP needs ids below 32 "
                                         "(Linux assigns its own)"}]
    d = R.decode(rsc_table_bytes([vdev(notifyid=0, vrings=((0x1000, 16, 4, 0, 0),))])).to_dict()
    assert d["valid"] is True and d["problems"][0]["severity"] == "note"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["little", "big"]))
def test_any_bytes_decode_without_raising(data, byteorder):
    t = R.decode(data, byteorder)
    assert t.size == len(data)
    assert t.is_valid == (not [p for p in t.problems if p.severity == "error"])
    t.to_dict()


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(sample_table()) - 1))
def test_every_truncation_is_reported(cut):
    t = R.decode(sample_table()[:cut])
    assert not t.is_valid and "rsc-truncated" in codes(t)


def test_truncated_fixed_entry_keeps_the_whole_fields():
    t = R.decode(rsc_table_bytes([carveout()])[:-40])        # 16 of 56 bytes left: type, da, pa, len
    (e,) = t.entries
    assert e == {"index": 0, "offset": 20, "type": 0, "kind": "carveout", "da": 0x20200000,
                 "pa": 0x20200000, "len": 0x40000, "truncated": True}
    assert codes(t) == ["rsc-truncated"]
