"""remote_fw_load: segments copied to p_paddr, bss zeroed, entry returned, and
every refusal, with nothing written to target memory on a refusal."""

from __future__ import annotations

import ctypes
import sys

import pytest

from tests.support.kit_elf import PHENTSIZE, PN_XNUM, PT_NOTE, PT_NULL, Segment, build_elf, patch_field
from tests.kit.kit_native import CHECK_OPENAMP, E, Image, Region

FILL = 0xAA
FLAVOURS = [(32, False), (32, True), (64, False), (64, True)]
FLAVOUR_IDS = ["elf32le", "elf32be", "elf64le", "elf64be"]


@pytest.fixture
def mem(region):
    region.fill(FILL)
    return region


def whole(region):
    return [(region.start, region.size)]


def load(kit, region, data, regions=None, misalign=0):
    return kit.load(kit.image(data, misalign), whole(region) if regions is None else regions)


def untouched(region) -> bool:
    return region.read() == bytes([FILL]) * region.size


@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
@pytest.mark.parametrize("misalign", [0, 1, 3])
def test_segments_copied_bss_zeroed_entry_returned(kit, mem, bits, msb, misalign):
    text = bytes(range(1, 200))
    data = b"DATA" * 9
    img = build_elf(bits, msb, entry=mem.start + 0x101, segments=[
        Segment(mem.start + 0x100, text, memsz=len(text)),
        Segment(mem.start + 0x2001, data, memsz=len(data) + 77),   # .data + .bss, odd address
    ])
    assert kit.check(kit.image(img.data, misalign), whole(mem)) == (0, mem.start + 0x101)
    assert untouched(mem), "remote_fw_check wrote to target memory"
    err, entry = load(kit, mem, img.data, misalign=misalign)
    assert (err, entry) == (0, mem.start + 0x101)
    out = mem.read()
    assert out[0x100:0x100 + len(text)] == text
    assert out[0x2001:0x2001 + len(data)] == data
    assert out[0x2001 + len(data):0x2001 + len(data) + 77] == bytes(77)
    # Nothing else written.
    rest = out[:0x100] + out[0x100 + len(text):0x2001] + out[0x2001 + len(data) + 77:]
    assert rest == bytes([FILL]) * len(rest)


@pytest.mark.parametrize("dst_off", range(0, 8))
@pytest.mark.parametrize("filesz,memsz", [(0, 1), (1, 1), (3, 9), (4, 4), (5, 13), (8, 8),
                                          (9, 31), (0, 17), (16, 16)])
def test_word_and_byte_paths_agree(kit, mem, dst_off, filesz, memsz):
    payload = bytes((0x11 * (i + 1)) & 0xFF for i in range(filesz))
    img = build_elf(32, False, 0, [Segment(mem.start + 0x400 + dst_off, payload, memsz=memsz,
                                           align=1)])
    for misalign in range(4):
        mem.fill(FILL)
        assert load(kit, mem, img.data, misalign=misalign)[0] == 0
        out = mem.read(0x400, 0x40)
        expect = bytearray([FILL]) * 0x40
        expect[dst_off:dst_off + memsz] = payload + bytes(memsz - filesz)
        assert out == bytes(expect)


def test_non_load_headers_are_skipped(kit, mem):
    img = build_elf(32, False, 0x10, [
        Segment(0, b"", p_type=PT_NULL),
        Segment(mem.start, b"code"),
        Segment(0xFFFFFFF0, b"", memsz=0x100, p_type=PT_NOTE),
    ])
    # A PT_NOTE whose offset and size point far outside the image: still skipped.
    data = patch_field(img, "phdr", "p_offset", 0xFFFFFF00, index=2)
    data = patch_field(img, "phdr", "p_filesz", 0xFFFF, index=2, data=data)
    assert load(kit, mem, data) == (0, 0x10)
    assert mem.read(0, 4) == b"code"


def test_empty_pt_load_needs_no_region(kit, mem):
    img = build_elf(64, False, 0, [Segment(0xDEAD0000, b"", memsz=0),
                                   Segment(mem.start + 8, b"x")])
    assert load(kit, mem, img.data)[0] == 0
    assert mem.read(8, 1) == b"x"


def test_extended_program_header_count(kit, mem):
    """e_phnum == PN_XNUM: the real count is section 0's sh_info."""
    img = build_elf(32, False, 4, [Segment(mem.start, b"abcd"), Segment(mem.start + 16, b"efgh")],
                    sections=[])
    data = patch_field(img, "ehdr", "e_phnum", PN_XNUM)
    data = patch_field(img, "shdr", "sh_info", 2, index=0, data=data)
    assert load(kit, mem, data) == (0, 4)
    assert mem.read(0, 20) == b"abcd" + bytes([FILL]) * 12 + b"efgh"


def test_segment_filling_the_region_exactly(kit, mem):
    img = build_elf(32, True, 0, [Segment(mem.start + 0x1000, b"\x01" * 0x100, memsz=0x1000)])
    assert load(kit, mem, img.data, regions=[(mem.start + 0x1000, 0x1000)])[0] == 0


def test_each_segment_may_use_a_different_region(kit, mem):
    img = build_elf(32, False, 0, [Segment(mem.start, b"a" * 16), Segment(mem.start + 0x800, b"b")])
    regions = [(mem.start + 0x800, 0x10), (mem.start, 0x10)]
    assert load(kit, mem, img.data, regions=regions)[0] == 0


# ---- refusals: code and nothing written ------------------------------------------

def refused(kit, mem, data, code, regions=None):
    # the check-only pass gives load's verdict, and writes nothing either
    err, entry = kit.check(kit.image(data), whole(mem) if regions is None else regions)
    assert (err, entry) == (E[code], 0xE0E0), (err, kit.strerror(err))
    assert untouched(mem), "target memory written by remote_fw_check"
    err, entry = load(kit, mem, data, regions=regions)
    assert err == E[code], (err, kit.strerror(err))
    assert entry == 0xE0E0, "entry written on failure"
    assert untouched(mem), "target memory written on a refusal"


@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
def test_refuses_segment_outside_regions(kit, mem, bits, msb):
    good = Segment(mem.start, b"good")
    cases = [
        [(mem.start + 0x1000, 0x100)],                       # before the region
        [(mem.start, 0x3)],                                  # straddles its end
        [(mem.start, 2), (mem.start + 2, 2)],                # across two adjacent regions
        [],                                                  # no region at all
    ]
    for regions in cases:
        img = build_elf(bits, msb, 0, [good])
        refused(kit, mem, img.data, "EREGION", regions=regions)
    # A valid segment first, then one outside: validated before any write.
    img = build_elf(bits, msb, 0, [good, Segment(mem.start + mem.size - 2, b"", memsz=4)])
    refused(kit, mem, img.data, "EREGION")


def test_refuses_elf32_address_past_4g(kit, mem):
    # 0xFFFFFFF0 + 0x100 does not wrap in the loader's arithmetic.
    img = build_elf(32, False, 0, [Segment(0xFFFFFFF0, b"", memsz=0x100)])
    refused(kit, mem, img.data, "EREGION", regions=[(0, 0xFFFFFFFF)])


@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
def test_refuses_filesz_greater_than_memsz(kit, mem, bits, msb):
    img = build_elf(bits, msb, 0, [Segment(mem.start, b"12345678", memsz=7)])
    refused(kit, mem, img.data, "ESEGMENT")


def test_refuses_address_overflow(kit, mem):
    top = 0xFFFFFFFFFFFFFFF0
    img = build_elf(64, False, 0, [Segment(top, b"", memsz=0x20)])
    refused(kit, mem, img.data, "ESEGMENT", regions=[(top, 0xF)])
    img = build_elf(64, True, 0, [Segment(1, b"", memsz=0xFFFFFFFFFFFFFFFF)])
    refused(kit, mem, img.data, "ESEGMENT")


@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
def test_refuses_segment_bytes_outside_image(kit, mem, bits, msb):
    img = build_elf(bits, msb, 0, [Segment(mem.start, b"abcdefgh")])
    size = len(img.data)
    off = img.segment_offsets[0]
    refused(kit, mem, patch_field(img, "phdr", "p_filesz", size - off + 1), "EBOUNDS")
    refused(kit, mem, patch_field(img, "phdr", "p_offset", size), "EBOUNDS")
    big = (1 << bits) - 4
    data = patch_field(img, "phdr", "p_offset", big)       # offset + filesz wraps
    refused(kit, mem, patch_field(img, "phdr", "p_memsz", 16, data=data), "EBOUNDS")


@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
def test_refuses_program_header_table_outside_image(kit, mem, bits, msb):
    img = build_elf(bits, msb, 0, [Segment(mem.start, b"abcd")], sections=[])
    size = len(img.data)
    refused(kit, mem, patch_field(img, "ehdr", "e_phoff", size - PHENTSIZE[bits] + 1), "EBOUNDS")
    refused(kit, mem, patch_field(img, "ehdr", "e_phoff", (1 << bits) - 8), "EBOUNDS")
    refused(kit, mem, patch_field(img, "ehdr", "e_phnum", 0xFFFE), "EBOUNDS")
    refused(kit, mem, img.data[:img.phoff + PHENTSIZE[bits] - 1], "EBOUNDS")


@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
def test_refuses_bad_identification(kit, mem, bits, msb):
    img = build_elf(bits, msb, 0, [Segment(mem.start, b"abcd")])
    d = img.data
    cases = {
        "magic": b"\x7fELG" + d[4:],
        "class": d[:4] + b"\x03" + d[5:],
        "class0": d[:4] + b"\x00" + d[5:],
        "data": d[:5] + b"\x03" + d[6:],
        "ei_version": d[:6] + b"\x00" + d[7:],
        "e_version": patch_field(img, "ehdr", "e_version", 2),
        "phentsize": patch_field(img, "ehdr", "e_phentsize", PHENTSIZE[96 - bits]),
        "short": d[:15],
        "short_ehdr": d[:(52 if bits == 32 else 64) - 1],
        "empty": b"",
    }
    for name, data in cases.items():
        if name == "empty":
            err, _ = kit.load(kit.image(b""), whole(mem))
            assert err == E["ENOTELF"], name
            continue
        refused(kit, mem, data, "ENOTELF")


def test_refuses_pt_load_overlapping_the_image(kit, mem):
    """The image sits inside the allowed region; a segment over it is refused."""
    seg_at = 0x8000
    img = build_elf(32, False, 0, [Segment(mem.start + seg_at, b"", memsz=0x40)])
    data = img.data
    for img_at in (seg_at - len(data) + 1, seg_at, seg_at + 0x3F):
        mem.fill(FILL)
        mem.write(img_at, data)
        image = Image(mem.start + img_at, len(data), b"x")
        err, _ = kit.load(image, whole(mem))
        assert err == E["EOVERLAP"], (img_at, err)
        assert mem.read(img_at, len(data)) == data
    # Adjacent on either side is fine.
    for img_at in (seg_at - len(data), seg_at + 0x40):
        mem.fill(FILL)
        mem.write(img_at, data)
        assert kit.load(Image(mem.start + img_at, len(data), b"x"), whole(mem))[0] == 0


def test_refuses_image_without_loadable_bytes(kit, mem):
    refused(kit, mem, build_elf(32, False, 0, []).data, "ENOLOAD")
    refused(kit, mem, build_elf(64, False, 0, [Segment(0, b"", p_type=PT_NOTE)]).data, "ENOLOAD")
    refused(kit, mem, build_elf(32, True, 0, [Segment(mem.start, b"", memsz=0)]).data, "ENOLOAD")
    # e_phnum == 0 with e_phentsize == 0, as in a relocatable object
    img = build_elf(32, False, 0, [])
    refused(kit, mem, patch_field(img, "ehdr", "e_phentsize", 0), "ENOLOAD")
    # PN_XNUM without section headers cannot be resolved
    img = build_elf(32, False, 0, [Segment(mem.start, b"a")], with_section_headers=False)
    refused(kit, mem, patch_field(img, "ehdr", "e_phnum", PN_XNUM), "ENOTELF")


def test_invalid_arguments(kit, mem):
    img = kit.image(build_elf(32, False, 0, [Segment(mem.start, b"a")]).data)
    entry = ctypes.c_size_t()
    lib = kit.lib
    regions = (Region * 1)(Region(mem.start, mem.size))
    assert lib.remote_fw_load(None, regions, 1, ctypes.byref(entry)) == E["EINVAL"]
    assert lib.remote_fw_load(ctypes.byref(img), None, 1, ctypes.byref(entry)) == E["EINVAL"]
    assert lib.remote_fw_load(ctypes.byref(img), regions, 1, None) == E["EINVAL"]
    null_base = Image(None, 100, b"x")
    assert lib.remote_fw_load(ctypes.byref(null_base), regions, 1, ctypes.byref(entry)) == E["EINVAL"]
    assert untouched(mem)


def test_entry_is_not_required_inside_a_segment(kit, mem):
    img = build_elf(64, False, 0xFFFFFFFF00000000, [Segment(mem.start, b"a")])
    assert load(kit, mem, img.data) == (0, 0xFFFFFFFF00000000)


def test_strerror_messages(kit):
    seen = set()
    for name, code in E.items():
        msg = kit.strerror(code)
        assert msg and msg != "unknown error", name
        seen.add(msg)
    assert len(seen) == len(E)
    for code in (1, min(E.values()) - 1, -1000, 2**31 - 1, -2**31):
        assert kit.strerror(code) == "unknown error"


def test_check_openamp_adds_what_openamp_trusts(kit, mem):
    """REMOTE_FW_CHECK_OPENAMP on images remote_fw_load takes: an empty PT_LOAD
    (OpenAMP cannot map it) and the other byte order (OpenAMP reads the host's);
    regions are not its business (OpenAMP's mmap decides)."""
    empty = build_elf(64, False, mem.start, [Segment(mem.start, b"a"), Segment(mem.start + 0x100, b"", memsz=0)])
    assert load(kit, mem, empty.data)[0] == 0
    assert kit.check(kit.image(empty.data), [], CHECK_OPENAMP)[0] == E["EEMPTY"]
    other = build_elf(64, sys.byteorder == "little", mem.start, [Segment(mem.start, b"a")])
    assert load(kit, mem, other.data)[0] == 0
    assert kit.check(kit.image(other.data), [], CHECK_OPENAMP)[0] == E["EENDIAN"]
    plain = build_elf(32, sys.byteorder == "big", 0x10, [Segment(0x10, b"a")])
    assert kit.check(kit.image(plain.data), [], CHECK_OPENAMP) == (0, 0x10)
    assert kit.check(kit.image(plain.data), [])[0] == E["EREGION"]
