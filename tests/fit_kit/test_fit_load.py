"""remote_fw_fit_load on FITs made by the real mkimage and dtc.

The kit is built natively (x86-64) for arm64 FITs and loads into a 32 MiB
region at a fixed address between guard pages, filled with a pattern before
each call: the loaded kernel, ramdisk and device tree are compared with the
files mkimage was given, the loaded tree is read back with `dtc -I dtb`, and
every byte outside the pieces must still hold the pattern. Each bad FIT is
refused with its own code and, when refused before writing, leaves the whole
region untouched.
"""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from tests.fit_kit import fit_build as fb
from tests.fit_kit.fit_native import FILL, E

pytestmark = pytest.mark.toolchain

KERNEL_AT, RAMDISK_AT, FDT_AT, SPARE_AT = 0, 8 * fb.MIB, 12 * fb.MIB, 20 * fb.MIB


@pytest.fixture(autouse=True)
def tools(need):
    need("mkimage", "dtc", "gcc")


def standard(tmp, base, *, kernel=None, kcomp="none", dt=None, rd=None, kernel_over=None,
             fdt_over=None, rd_over=None, configs=None, default="conf-1", cells=1):
    """The usual three-piece FIT: kernel at +0, ramdisk at +8 MiB, fdt at +12 MiB."""
    kernel = fb.arm64_image() if kernel is None else kernel
    dt = fb.dtb(tmp) if dt is None else dt
    rd = fb.payload(40_000, 7) if rd is None else rd
    kdata = fb.gz(kernel) if kcomp == "gzip" else kernel
    k = {"type": "kernel", "load": base + KERNEL_AT, "entry": base + KERNEL_AT, "compression": kcomp}
    f = {"type": "flat_dt", "load": base + FDT_AT, "os": None}
    r = {"type": "ramdisk", "load": base + RAMDISK_AT}
    images = [fb.Image("kernel-1", kdata, **(k | (kernel_over or {}))),
              fb.Image("fdt-1", dt, **(f | (fdt_over or {}))),
              fb.Image("ramdisk-1", rd, **(r | (rd_over or {})))]
    if configs is None:
        configs = {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"}}
    return fb.Fit(images, configs, default=default, cells=cells), kernel, dt, rd


def untouched(region, keep=()) -> bool:
    """Every byte of the region outside the ranges (offset, length) in keep is FILL."""
    data = region.read()
    pos = 0
    for off, n in sorted(keep):
        if data[pos:off].count(FILL) != off - pos:
            return False
        pos = max(pos, off + n)
    return data[pos:].count(FILL) == len(data) - pos


def chosen_initrd(dts: str) -> tuple[int, int]:
    def cells(name):
        m = re.search(rf"{name} = <([^>]*)>;", dts)
        assert m, f"no {name} in the loaded tree:\n{dts}"
        v = 0
        for c in m.group(1).split():
            v = (v << 32) | int(c, 16)
        return v
    return cells("linux,initrd-start"), cells("linux,initrd-end")


def without_initrd(dts: str) -> str:
    """The tree's text with the initrd properties (and an empty /chosen) taken out."""
    dts = re.sub(r"\s*linux,initrd-(start|end) = <[^>]*>;", "", dts)
    return re.sub(r"\s*chosen \{\s*\};", "", dts)


# ---- the building blocks against Python's own ---------------------------------------

@pytest.mark.parametrize("n", [0, 1, 55, 56, 63, 64, 65, 119, 120, 4096, 100_003])
def test_sha256_and_crc32_match_hashlib_and_zlib(fitkit, n):
    import hashlib
    data = fb.payload(n, n)
    assert fitkit.sha256(data) == hashlib.sha256(data).digest()
    assert fitkit.crc32(data) == zlib.crc32(data)


@pytest.mark.parametrize("strategy", ["default", "filtered", "huffman", "rle", "fixed", "stored"])
@pytest.mark.parametrize("n", [0, 1, 300, 70_000, 400_000])
def test_inflate_matches_zlib(fitkit, strategy, n):
    data = fb.payload(n, n + 11)
    level = 0 if strategy == "stored" else 9
    strat = {"default": zlib.Z_DEFAULT_STRATEGY, "filtered": zlib.Z_FILTERED,
             "huffman": zlib.Z_HUFFMAN_ONLY, "rle": zlib.Z_RLE, "fixed": zlib.Z_FIXED,
             "stored": zlib.Z_DEFAULT_STRATEGY}[strategy]
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strat)
    raw = c.compress(data) + c.flush()
    rc, used, out = fitkit.inflate(raw + b"trailing", n)
    assert (rc, used, out) == (0, len(raw), data)
    if n:
        rc, _, _ = fitkit.inflate(raw, n - 1)            # one byte short of room
        assert rc == E["EINFLATE"]


def test_inflate_refuses_every_truncation(fitkit):
    data = fb.payload(3000, 5)
    raw = zlib.compress(data, 9)[2:-4]
    for cut in range(len(raw)):
        rc, _, _ = fitkit.inflate(raw[:cut], len(data))
        assert rc == E["EINFLATE"], cut


def gzip_member(data: bytes, *, name=b"", comment=b"", extra=b"", hcrc=False) -> bytes:
    flg = (0x02 if hcrc else 0) | (0x04 if extra else 0) | (0x08 if name else 0) | (0x10 if comment else 0)
    hdr = bytes([0x1F, 0x8B, 8, flg, 0, 0, 0, 0, 2, 3])
    if extra:
        hdr += struct.pack("<H", len(extra)) + extra
    if name:
        hdr += name + b"\0"
    if comment:
        hdr += comment + b"\0"
    if hcrc:
        hdr += struct.pack("<H", zlib.crc32(hdr) & 0xFFFF)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return hdr + c.compress(data) + c.flush() + struct.pack("<II", zlib.crc32(data), len(data))


def test_gunzip_header_fields_and_trailer(fitkit):
    data = fb.payload(20_000, 3)
    member = gzip_member(data, name=b"Image", comment=b"c", extra=b"ab\x02\x00xy", hcrc=True)
    assert fitkit.gunzip(member, len(data)) == (0, data)
    bad = {
        "crc": member[:-8] + struct.pack("<I", zlib.crc32(data) ^ 1) + member[-4:],
        "size": member[:-4] + struct.pack("<I", len(data) + 1),
        "hcrc": member.replace(b"Image\0", b"Imagf\0", 1),
        "trailing": member + b"\0",
        "short": member[:-1],
        "magic": b"\x1f\x8c" + member[2:],
    }
    for why, blob in bad.items():
        assert fitkit.gunzip(blob, len(data) + 8)[0] == E["EINFLATE"], why


# ---- good FITs ---------------------------------------------------------------------------

LAYOUTS = {"embedded": {}, "external": {"external": True},
           "external-aligned": {"external": True, "align": 0x1000},
           "position": {"external": True, "position": 0x10000}}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("kcomp", ["none", "gzip"])
def test_loads_kernel_fdt_ramdisk(fitkit, region, tmp_path, layout, kcomp):
    base = region.start
    fit, kernel, dt, rd = standard(tmp_path, base, kcomp=kcomp)
    blob = fit.build(tmp_path, **LAYOUTS[layout])
    rc, boot = fitkit.load(blob, regions=[(base, region.size)])
    assert rc == 0, fitkit.strerror(rc)
    assert (boot.entry, boot.fdt) == (base + KERNEL_AT, base + FDT_AT)
    assert (boot.initrd_start, boot.initrd_end) == (base + RAMDISK_AT, base + RAMDISK_AT + len(rd))
    assert region.read(KERNEL_AT, len(kernel)) == kernel
    assert region.read(RAMDISK_AT, len(rd)) == rd
    loaded = region.read(FDT_AT, len(dt))
    dts = fb.dts_of(loaded, tmp_path)
    assert chosen_initrd(dts) == (boot.initrd_start, boot.initrd_end)
    assert without_initrd(dts) == without_initrd(fb.dts_of(dt, tmp_path, "orig"))
    assert untouched(region, [(KERNEL_AT, len(kernel)), (RAMDISK_AT, len(rd)), (FDT_AT, len(dt))])


@pytest.mark.parametrize("chosen,cells,width", [("plain", 2, 2), ("plain", 1, 1), ("props", 2, 2),
                                                 ("props32", 2, 1), ("none", 2, 2), ("none", 1, 1)])
def test_chosen_patched_or_added(fitkit, region, tmp_path, chosen, cells, width):
    """In place where the properties exist (their width kept), added otherwise
    (as wide as the root's #address-cells), /chosen created when missing."""
    base = region.start
    dt = fb.dtb(tmp_path, chosen=chosen, cells=cells, pad=0 if chosen.startswith("props") else 256)
    fit, _, _, rd = standard(tmp_path, base, dt=dt)
    rc, boot = fitkit.load(fit.build(tmp_path), regions=[(base, region.size)])
    assert rc == 0, fitkit.strerror(rc)
    dts = fb.dts_of(region.read(FDT_AT, len(dt)), tmp_path)
    assert chosen_initrd(dts) == (base + RAMDISK_AT, base + RAMDISK_AT + len(rd))
    start = re.search(r"linux,initrd-start = <([^>]*)>;", dts).group(1).split()
    assert len(start) == width
    assert without_initrd(dts) == without_initrd(fb.dts_of(dt, tmp_path, "orig"))


def test_no_room_for_chosen(fitkit, region, tmp_path):
    base = region.start
    dt = fb.dtb(tmp_path, chosen="plain", pad=0)
    fit, *_ = standard(tmp_path, base, dt=dt)
    rc, _ = fitkit.load(fit.build(tmp_path), regions=[(base, region.size)])
    assert rc == E["ENOROOM"]


def several_configs(tmp, base):
    k1, k2 = fb.arm64_image(seed=1), fb.arm64_image(128 * 1024, seed=2)
    dt = fb.dtb(tmp)
    rd = fb.payload(30_000, 9)
    images = [fb.Image("kernel-1", k1, "kernel", base, entry=base),
              fb.Image("kernel-2", fb.gz(k2), "kernel", base + 2 * fb.MIB, compression="gzip",
                       hashes=("crc32",)),
              fb.Image("fdt-1", dt, "flat_dt", base + FDT_AT, os=None, hashes=("sha256",)),
              fb.Image("ramdisk-1", rd, "ramdisk", base + RAMDISK_AT),
              fb.Image("blob-1", b"loadable!" * 100, "firmware", base + SPARE_AT, os=None)]
    configs = {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"},
               "conf-2": {"kernel": "kernel-2", "fdt": "fdt-1", "loadables": ["blob-1"]},
               "conf-3": {"kernel": "kernel-2"}}
    return fb.Fit(images, configs, default="conf-2"), k1, k2, dt, rd


@pytest.mark.parametrize("external", [False, True])
def test_configuration_selection(fitkit, region, tmp_path, external):
    base = region.start
    fit, k1, k2, dt, rd = several_configs(tmp_path, base)
    blob = fit.build(tmp_path, external=external)
    regions = [(base, region.size)]

    rc, boot = fitkit.load(blob, regions=regions)          # default: conf-2
    assert rc == 0, fitkit.strerror(rc)
    assert (boot.entry, boot.fdt, boot.initrd_start, boot.initrd_end) == (base + 2 * fb.MIB, base + FDT_AT, 0, 0)
    assert region.read(2 * fb.MIB, len(k2)) == k2
    assert region.read(SPARE_AT, 900) == b"loadable!" * 100
    assert region.read(FDT_AT, len(dt)) == dt                # no ramdisk: the tree is not touched
    assert untouched(region, [(2 * fb.MIB, len(k2)), (SPARE_AT, 900), (FDT_AT, len(dt))])

    region.fill(FILL)
    rc, boot = fitkit.load(blob, config="conf-1", regions=regions)
    assert rc == 0 and boot.entry == base and boot.initrd_end == base + RAMDISK_AT + len(rd)
    assert region.read(0, len(k1)) == k1 and region.read(RAMDISK_AT, len(rd)) == rd

    region.fill(FILL)
    rc, boot = fitkit.load(blob, config="conf-3", regions=regions)
    assert rc == 0 and (boot.fdt, boot.initrd_start) == (0, 0)
    assert untouched(region, [(2 * fb.MIB, len(k2))])

    region.fill(FILL)
    assert fitkit.load(blob, config="conf-9", regions=regions)[0] == E["ENOCONF"]
    assert untouched(region)


@pytest.mark.parametrize("hashes", [("sha1",), ("crc32", "sha1", "sha256"), ("sha256",), ("crc32",)])
def test_hash_algorithms(fitkit, region, tmp_path, hashes):
    """sha1 too (older FITs); each is checked, a flipped byte in any is refused."""
    base = region.start
    h = {"hashes": hashes}
    fit, kernel, *_ = standard(tmp_path, base, kernel_over=h, fdt_over=h, rd_over=h)
    blob = fit.build(tmp_path)
    assert fitkit.load(blob, regions=[(base, region.size)])[0] == 0
    region.fill(FILL)
    start, size = fb.prop_value_offset(blob, "kernel-1", "data")
    bad = bytearray(blob)
    bad[start + size // 3] ^= 0x10
    refused(fitkit, region, bytes(bad), "EHASH")
    assert untouched(region)


def test_two_cell_addresses_and_entry(fitkit, region, tmp_path):
    base = region.start
    fit, kernel, *_ = standard(tmp_path, base, cells=2,
                               kernel_over={"entry": base + KERNEL_AT + 0x40})
    rc, boot = fitkit.load(fit.build(tmp_path), regions=[(base, region.size)])
    assert rc == 0 and boot.entry == base + 0x40


def test_pieces_in_separate_regions(fitkit, region, tmp_path):
    base = region.start
    fit, *_ = standard(tmp_path, base)
    blob = fit.build(tmp_path)
    regions = [(base, 2 * fb.MIB), (base + RAMDISK_AT, 1 * fb.MIB), (base + FDT_AT, 4096)]
    assert fitkit.load(blob, regions=regions)[0] == 0
    region.fill(FILL)
    # the kernel's image_size (its .bss) must fit too
    assert fitkit.load(blob, regions=[(base, 96 * 1024)] + regions[1:])[0] == E["EREGION"]
    assert untouched(region)


# ---- bad FITs: refused with their code, nothing written ---------------------------------

def refused(fitkit, region, blob, code, config=None, regions=None):
    rc, boot = fitkit.load(blob, config=config,
                           regions=[(region.start, region.size)] if regions is None else regions)
    assert rc == E[code], f"{rc} ({fitkit.strerror(rc)}), expected {code}"
    assert (boot.entry, boot.fdt, boot.initrd_start, boot.initrd_end) == (0xB0B0, 0xB1B1, 0xB2B2, 0xB3B3)
    return rc


BAD = {
    "wrong arch": ({"kernel_over": {"arch": "arm"}}, "EARCH"),
    "no kernel arch": ({"kernel_over": {"arch": None}}, "EARCH"),
    "ramdisk arch": ({"rd_over": {"arch": "riscv"}}, "EARCH"),
    "unknown compression": ({"kernel_over": {"compression": "lzma"}}, "ECOMP"),
    "kernel os": ({"kernel_over": {"os": "u-boot"}}, "ETYPE"),
    "kernel type": ({"kernel_over": {"type": "standalone"}}, "ETYPE"),
    "fdt type": ({"fdt_over": {"type": "ramdisk"}}, "ETYPE"),
    "unknown hash": ({"kernel_over": {"hashes": ("sha256", "md5")}}, "EALGO"),
    "no hash": ({"rd_over": {"hashes": ()}}, "ENOHASH"),
    "no load": ({"rd_over": {"load": None}}, "EFIT"),
    "missing default": ({"default": "conf-7"}, "ENOCONF"),
    "no default": ({"default": None}, "ENOCONF"),
    "missing image": ({"configs": {"conf-1": {"kernel": "kernel-1", "ramdisk": "nope"}}}, "ENOIMAGE"),
    "no kernel": ({"configs": {"conf-1": {"fdt": "fdt-1"}}}, "ENOIMAGE"),
    "bad magic": ({"kernel": fb.arm64_image(magic=b"ARM\x65")}, "EKERNEL"),
    "text_offset": ({"kernel": fb.arm64_image(text_offset=0x1000)}, "EKERNEL"),
    "image_size too big": ({"kernel": fb.arm64_image(image_size=64 * fb.MIB)}, "EREGION"),
    "image_size over ramdisk": ({"kernel": fb.arm64_image(image_size=9 * fb.MIB)}, "EPIECES"),
    "tiny kernel": ({"kernel": b"\0" * 32}, "EKERNEL"),
    "fdt not a tree": ({"dt": b"\xd0\x0d\xfe\xed" + b"\0" * 60}, "EFDT"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_fit_refused(fitkit, region, tmp_path, case):
    over, code = BAD[case]
    fit, *_ = standard(tmp_path, region.start, **over)
    for external in (False, True):
        refused(fitkit, region, fit.build(tmp_path, external=external), code)
        assert untouched(region)


@pytest.mark.parametrize("case,code", [("kernel misaligned", "EKERNEL"), ("entry outside", "EENTRY"),
                                       ("load outside", "EREGION"), ("ramdisk on fdt", "EPIECES"),
                                       ("fdt on kernel", "EPIECES"), ("above 4 GiB", "EREGION")])
def test_bad_placement_refused(fitkit, region, tmp_path, case, code):
    base = region.start
    over = {"kernel misaligned": {"kernel_over": {"load": base + 0x1000, "entry": base + 0x1000}},
            "entry outside": {"kernel_over": {"entry": base + 200 * 1024}},
            "load outside": {"rd_over": {"load": base + region.size - 100}},
            "ramdisk on fdt": {"rd_over": {"load": base + FDT_AT - 1000}},
            "fdt on kernel": {"fdt_over": {"load": base + 100 * 1024}},
            "above 4 GiB": {"cells": 2, "rd_over": {"load": (1 << 40) + RAMDISK_AT}}}[case]
    fit, *_ = standard(tmp_path, base, **over)
    refused(fitkit, region, fit.build(tmp_path), code)
    assert untouched(region)


def test_fit_inside_the_region_is_not_overwritten(fitkit, region, tmp_path):
    base = region.start
    fit, *_ = standard(tmp_path, base)
    blob = fit.build(tmp_path)
    region.write(RAMDISK_AT - 1000, blob)        # the ramdisk would land on the FIT itself
    rc, _ = fitkit.load(base + RAMDISK_AT - 1000, len(blob), regions=[(base, region.size)])
    assert rc == E["EOVERLAP"]
    assert region.read(RAMDISK_AT - 1000, len(blob)) == blob
    assert untouched(region, [(RAMDISK_AT - 1000, len(blob))])
    region.fill(FILL)
    region.write(SPARE_AT, blob)                 # elsewhere in the region: fine
    rc, _ = fitkit.load(base + SPARE_AT, len(blob), regions=[(base, region.size)])
    assert rc == 0


@pytest.mark.parametrize("external", [False, True])
def test_every_hash_flipped(fitkit, region, tmp_path, external):
    """A flipped byte in each image's data, and in each hash value, is refused."""
    base = region.start
    fit, kernel, dt, rd = standard(tmp_path, base)
    blob = fit.build(tmp_path, external=external)
    h = fb.header(blob)
    for node in ("kernel-1", "fdt-1", "ramdisk-1"):
        if external:
            pos = fb.prop_value_offset(blob, node, "data-offset")[0]
            start = struct.unpack_from(">I", blob, pos)[0] + ((h["totalsize"] + 3) & ~3)
            size = struct.unpack_from(">I", blob, fb.prop_value_offset(blob, node, "data-size")[0])[0]
        else:
            start, size = fb.prop_value_offset(blob, node, "data")
        for at in (start, start + size // 2, start + size - 1):
            bad = bytearray(blob)
            bad[at] ^= 0x40
            refused(fitkit, region, bytes(bad), "EHASH")
            assert untouched(region), (node, at)
        # each hash node's value, found in order under this image
        in_node, depth_names = False, []
        for _off, tok, name, voff, vlen in fb.tokens(blob):
            if tok == 1:
                depth_names.append(name)
            elif tok == 2:
                depth_names.pop()
            elif tok == 3 and name == "value" and node in depth_names:
                bad = bytearray(blob)
                bad[voff + vlen - 1] ^= 1
                refused(fitkit, region, bytes(bad), "EHASH")
                in_node = True
        assert in_node
    assert untouched(region)


def test_bad_gzip_trailer(fitkit, region, tmp_path):
    """The hashes pass (they cover the bad member) but the trailer does not match:
    a wrong size is refused before writing (the region check uses it), a wrong
    CRC after inflating, inside the kernel's range only."""
    base = region.start
    kernel = fb.arm64_image()
    member = fb.gz(kernel)
    for why, bad, code in [
            ("crc", member[:-8] + struct.pack("<I", zlib.crc32(kernel) ^ 4) + member[-4:], "EINFLATE"),
            ("size+1", member[:-4] + struct.pack("<I", len(kernel) + 1), "EINFLATE"),
            ("size-1", member[:-4] + struct.pack("<I", len(kernel) - 1), "EINFLATE"),
            ("size huge", member[:-4] + struct.pack("<I", 0xFFFFFF00), "EREGION"),
            ("trailing byte", member + b"\0", "EINFLATE"),
            ("cut stream", member[:-9] + member[-8:], "EINFLATE")]:
        region.fill(FILL)
        fit = fb.Fit([fb.Image("kernel-1", bad, "kernel", base, entry=base, compression="gzip")],
                     {"conf-1": {"kernel": "kernel-1"}})
        refused(fitkit, region, fit.build(tmp_path), code)
        assert untouched(region, [(0, len(kernel) + 1)]), why


def test_truncated_everywhere(fitkit, region, tmp_path):
    """A small FIT cut at every length (header, structure, strings, external
    data) is refused and nothing is written."""
    base = region.start
    kernel = fb.arm64_image(4096)
    dt = fb.dtb(tmp_path, pad=128)
    for external in (False, True):
        fit, *_ = standard(tmp_path, base, kernel=kernel, dt=dt, rd=b"initrd" * 50)
        blob = fit.build(tmp_path, external=external)
        assert fitkit.load(blob, regions=[(base, region.size)])[0] == 0
        region.fill(FILL)
        codes = set()
        for cut in range(len(blob)):
            rc, _ = fitkit.load(blob[:cut], regions=[(base, region.size)])
            assert rc < 0, cut
            codes.add(rc)
        assert untouched(region)
        assert E["EFDT"] in codes and (not external or E["EBOUNDS"] in codes)


@pytest.mark.parametrize("field,value", [
    ("magic", 0xD00DFEEE), ("totalsize", 0x7FFFFFFF), ("totalsize", 39),
    ("off_dt_struct", 0xFFFFFFF0), ("off_dt_struct", 2), ("off_dt_strings", 0xFFFFFFFF),
    ("size_dt_struct", 0xFFFFFFFC), ("size_dt_strings", 0x80000000), ("off_mem_rsvmap", 0xFFFFFFF8),
    ("off_mem_rsvmap", 41), ("version", 16), ("last_comp_version", 18), ("size_dt_struct", 8)])
def test_hostile_fdt_header(fitkit, region, tmp_path, field, value):
    fit, *_ = standard(tmp_path, region.start, kernel=fb.arm64_image(4096))
    blob = fb.set_header(fit.build(tmp_path), **{field: value})
    refused(fitkit, region, blob, "EFDT")
    assert untouched(region)


def test_hostile_fdt_tokens(fitkit, region, tmp_path):
    """Every token of the structure block replaced by a bad one, every property's
    length and name offset made huge, every node name unterminated: EFDT."""
    fit, *_ = standard(tmp_path, region.start, kernel=fb.arm64_image(4096))
    blob = fit.build(tmp_path)
    toks = list(fb.tokens(blob))
    for off, tok, name, _voff, _vlen in toks:
        mutants = [struct.pack(">I", 0x0000000A)] + ([struct.pack(">I", 9)] if tok != 9 else [])
        if tok == 2:
            mutants.append(struct.pack(">I", 1) + b"\xff\xff\xff\xff")
        for m in mutants:
            bad = bytearray(blob)
            bad[off:off + len(m)] = m
            rc, _ = fitkit.load(bytes(bad), regions=[(region.start, region.size)])
            assert rc < 0 and rc != E["EINVAL"], (off, tok, m)
        if tok == 3:
            for rel, v in ((4, 0xFFFFFFF0), (8, 0x7FFFFFFF)):
                bad = bytearray(blob)
                struct.pack_into(">I", bad, off + rel, v)
                refused(fitkit, region, bytes(bad), "EFDT")
        if tok == 1 and name:
            bad = bytearray(blob)
            h = fb.header(blob)
            end = h["off_dt_struct"] + h["size_dt_struct"]
            bad[off + 4:end] = b"x" * (end - off - 4)
            refused(fitkit, region, bytes(bad), "EFDT")
    assert untouched(region)


def test_deep_nesting_refused(fitkit, region, tmp_path):
    body = "".join(f"n{i} {{ " for i in range(40)) + "".join("}; " for _ in range(40))
    src = tmp_path / "deep.dts"
    src.write_text(f"/dts-v1/;\n/ {{ images {{ }}; {body} }};\n")
    blob = fb.run(["dtc", "-I", "dts", "-O", "dtb", src])
    refused(fitkit, region, blob, "EFDT")


def test_strerror_names_every_new_code(fitkit):
    for name, code in E.items():
        if code <= -20:
            text = fitkit.strerror(code)
            assert text != "unknown error" and text, name
    assert fitkit.strerror(min(E.values()) - 1) == "unknown error"


def test_invalid_arguments(fitkit, region):
    assert fitkit.load(b"", regions=[])[0] == E["EFDT"]
    rc = fitkit.lib.remote_fw_fit_load(None, 100, None, None, 0, None)
    assert rc == E["EINVAL"]
