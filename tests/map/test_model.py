"""The model: which view each range and each finding goes to, built from the real readers'
documents of a sample bundle (bundler.inspect) and findings of registered codes."""

from __future__ import annotations

import bundler
from bundler.findings import finding
from bundler.memmap.model import build
from tests.support.map_pictures import bundled


def test_findings_go_where_their_addresses_are(tmp_path):
    elf = bundled("cortex-m3", "remote.elf", tmp_path)
    report = bundler.inspect(elf)
    image = report["images"][0]
    seg0 = image["image"]["segments"][0]
    found = [
        # the host's address space, though about the image: drawn on the host's image range
        finding("image-not-in-load", "not in the file bytes", "remote_elf", image["address"], image["size"]),
        # two host segments sharing bytes: a range of its own in the host's column
        finding("segment-overlap", "segments 0 and 1 overlap", None, 0x100, 0x20),
        # the remote's device address: on the remote's segment
        finding("mem-load", "outside the memory", "remote_elf", seg0["p_paddr"], seg0["p_memsz"]),
        # no address: listed under the picture
        finding("descriptor-missing", "no descriptor", "remote_elf"),
    ]
    model = build(report, "combined.elf", found)
    by_finding = {r.finding.split(": ")[-1].split(" [")[0]: r for r in model.ranges if r.finding}
    assert (by_finding["not in the file bytes"].view, by_finding["not in the file bytes"].kind) == ("host", "image")
    assert (by_finding["segments 0 and 1 overlap"].view, by_finding["segments 0 and 1 overlap"].kind) == \
        ("host", "finding")
    assert (by_finding["outside the memory"].view, by_finding["outside the memory"].kind) == \
        ("remote:remote_elf", "segment")
    assert model.notes == [str(found[3])]
    assert all(r.severity == "error" for r in by_finding.values())
    # every PT_LOAD of host and remote is a range, once
    loads = [(s["p_paddr"], s["p_memsz"]) for s in report["segments"] if s["type"] == "LOAD"]
    assert sorted((r.address, r.size) for r in model.ranges if r.view == "host" and r.kind == "segment") == \
        sorted(loads)


def test_system_column_when_the_map_translates(tmp_path):
    """A memory map that knows each range's system address (a device tree's dma-ranges, a driver's
    table: MemoryRange.system) adds a system column: the memory, and every remote range inside it,
    at the addresses they translate to. Without one, no such column (device = system)."""
    from types import SimpleNamespace as NS
    elf = bundled("cortex-m3", "remote.elf", tmp_path)
    report = bundler.inspect(elf)
    ram = NS(start=0x20200000, size=0x40000, name="retram", system=0x10200000, end=0x20240000)
    ram.holds = lambda a, n: ram.start <= a and a + n <= ram.end
    shm = NS(start=0x20300000, size=0x10000, name="shm", system=None, end=0x20310000)
    shm.holds = lambda a, n: False
    model = build(report, "combined.elf", (), NS(ranges=[ram, shm], source="device tree node /m3@0"))
    assert [v.key for v in model.views] == ["host", "remote:remote_elf", "memory", "system"]
    system = {r.name: r.address for r in model.ranges if r.view == "system"}
    seg0 = report["images"][0]["image"]["segments"][0]
    assert system["retram"] == 0x10200000
    assert system["remote_elf: segment 0 R-X"] == 0x10200000 + seg0["p_paddr"] - 0x20200000
    assert system["remote_elf: remote-ram"] == 0x10200000                 # the carveout
    assert not any(name.endswith("vring0") for name in system)            # in shm: not translated
    plain = build(report, "combined.elf", (), NS(ranges=[shm], source="--memory"))
    assert [v.key for v in plain.views] == ["host", "remote:remote_elf", "memory"]


def test_a_finding_without_size_lands_on_the_segment_it_names():
    """A loader's "truncated fw" finding gives an address and no size; at an address several empty
    PT_LOADs share (as Qualcomm's split images have), it goes on the segment its words name."""
    def seg(i, paddr, memsz):
        return {"index": i, "type": "LOAD", "flags": "---", "p_paddr": paddr, "p_vaddr": paddr, "p_filesz": 0,
                "p_memsz": memsz, "p_offset": 0}
    report = {"elf": {}, "images": [], "resource_table": None,
              "segments": [seg(1, 0x1000, 0x100), seg(2, 0x8000, 0), seg(3, 0x8000, 0), seg(4, 0x8000, 0)]}
    found = [finding("linux-segment-truncated", "segment 3 (PT_LOAD at p_paddr 0x8000): file bytes run past the end",
                     None, 0x8000, 0),
             finding("linux-segment-truncated", "segment 1 (PT_LOAD at p_paddr 0x1000): file bytes run past the end",
                     None, 0x1000, 0)]
    model = build(report, "split.mbn", found)
    marked = {r.name: r.finding for r in model.ranges if r.finding}
    assert set(marked) == {"segment 3 ---", "segment 1 ---"}
    assert "segment 3 (" in marked["segment 3 ---"] and "segment 1 (" in marked["segment 1 ---"]
    assert not any(r.kind == "finding" for r in model.ranges)
