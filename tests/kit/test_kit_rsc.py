"""remote_fw_rsc_table: finding .resource_table through e_shstrndx and
validating it by Linux's rules (drivers/remoteproc/remoteproc_core.c and
include/linux/remoteproc.h; docs/verify.md lists them)."""

from __future__ import annotations

import ctypes

import pytest

from tests.support.kit_elf import (SHN_XINDEX, SHT_NOBITS, SHT_PROGBITS, Section, Segment, build_elf, carveout,
                     devmem, patch_field, rsc_table, sample_table, trace, vdev, vendor, vring)
from tests.kit.kit_native import E, Image

FLAVOURS = [(32, False), (32, True), (64, False), (64, True)]
FLAVOUR_IDS = ["elf32le", "elf32be", "elf64le", "elf64be"]


def elf_with_table(table: bytes, bits=32, msb=False, extra=(), sh_type=SHT_PROGBITS):
    sections = [Section(".text", b"\0" * 8), *extra,
                Section(".resource_table", table, sh_type=sh_type, sh_addr=0x20000000)]
    return build_elf(bits, msb, 0, [Segment(0x20000000, b"\0" * 4)], sections)


def table_result(kit, table: bytes, bits=32, msb=False, misalign=0):
    img = elf_with_table(table, bits, msb)
    image = kit.image(img.data, misalign)
    err, ptr, size = kit.rsc_table(image)
    if err == 0:
        assert ptr == image.base + img.section_offsets[-1]
        assert size == len(table)
    else:
        assert (ptr, size) == (None, 0), "outputs not cleared on failure"
    return err


@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
@pytest.mark.parametrize("misalign", [0, 1, 2])
def test_typical_table_found_and_accepted(kit, bits, msb, misalign):
    assert table_result(kit, sample_table(msb), bits, msb, misalign) == 0


def test_table_in_the_other_byte_order_is_refused(kit):
    assert table_result(kit, sample_table(msb=False), 32, msb=True) == E["ERSC"]
    assert table_result(kit, sample_table(msb=True), 64, msb=False) == E["ERSC"]


# ---- the header ---------------------------------------------------------------------

@pytest.mark.parametrize("table,code", [
    (rsc_table([]), "OK"),                                  # num = 0, 16 bytes
    (rsc_table([])[:15], "ERSC"),                           # size < 16
    (b"", "ERSC"),
    (rsc_table([], ver=0), "ERSC"),
    (rsc_table([], ver=2), "ERSC"),
    (rsc_table([], reserved=(1, 0)), "ERSC"),
    (rsc_table([], reserved=(0, 0x80000000)), "ERSC"),
    (rsc_table([vendor(128)], num=2), "ERSC"),               # 16 + 4*2 > 24 bytes... offsets overrun
    (rsc_table([], num=0x40000000), "ERSC"),                 # 4*num wraps a 32-bit product
    (rsc_table([], num=0xFFFFFFFF), "ERSC"),
], ids=["empty", "short", "zero_size", "ver0", "ver2", "reserved0", "reserved1",
        "num_past_end", "num_wraps", "num_max"])
def test_header_rules(kit, table, code):
    assert table_result(kit, table) == E[code]


def test_offset_array_exactly_fills_the_table(kit):
    # num = 1, the table ends right after offset[0]; the entry is the header
    # itself (offset 0: type = ver = 1 = devmem), which is then truncated.
    assert table_result(kit, rsc_table([], num=1, offsets=[0])) == E["ERSC"]
    # num = 1, offset[0] = 16 would be the offset word itself: type = 16, unknown
    assert table_result(kit, rsc_table([], num=1, offsets=[16])) == E["ERSC"]


# ---- entry offsets -----------------------------------------------------------------

@pytest.mark.parametrize("offset", [21, 22, 23, 24, 1000, 0x7FFFFFFF, 0xFFFFFFFC, 0xFFFFFFFF])
def test_entry_offset_must_leave_room_for_the_type(kit, offset):
    # table: header (16) + one offset (4) + 4 bytes of vendor entry = 24 bytes
    assert table_result(kit, rsc_table([vendor(128)])) == 0
    assert table_result(kit, rsc_table([vendor(128)], offsets=[20])) == 0
    assert table_result(kit, rsc_table([vendor(128)], offsets=[offset])) == E["ERSC"]


def test_entries_may_share_and_be_out_of_order(kit):
    t = rsc_table([trace(), carveout()])
    offsets = [16 + 8 + 48, 16 + 8]                          # reversed
    assert table_result(kit, rsc_table([trace(), carveout()], offsets=offsets)) == 0
    assert table_result(kit, rsc_table([trace(), carveout()], offsets=[24, 24])) == 0
    assert len(t) == 16 + 8 + 48 + 56


# ---- each entry type --------------------------------------------------------------

@pytest.mark.parametrize("make,size", [(carveout, 56), (devmem, 56), (trace, 48)],
                         ids=["carveout", "devmem", "trace"])
def test_fixed_size_entries(kit, make, size):
    entry = make()
    assert len(entry) == size
    assert table_result(kit, rsc_table([entry])) == 0
    assert table_result(kit, rsc_table([entry[:-1]])) == E["ERSC"]          # truncated by one
    assert table_result(kit, rsc_table([make(reserved=1)])) == E["ERSC"]
    assert table_result(kit, rsc_table([make(reserved=0xFFFFFFFF)])) == E["ERSC"]
    # other fields are not the loader's business
    assert table_result(kit, rsc_table([make(name=b"\xff" * 40)])) == 0


@pytest.mark.parametrize("n", [0, 1, 2])
def test_vdev_with_up_to_two_vrings(kit, n):
    vrings = [vring(notifyid=i) for i in range(n)]
    assert table_result(kit, rsc_table([vdev(vrings=vrings)])) == 0
    assert table_result(kit, rsc_table([vdev(vrings=vrings, config=b"\x01" * 13)])) == 0


def test_vdev_rules(kit):
    two = [vring(notifyid=0), vring(notifyid=1)]
    ok = vdev(vrings=two, config=b"cfg!")
    assert len(ok) == 28 + 2 * 20 + 4
    assert table_result(kit, rsc_table([ok])) == 0
    cases = {
        "three_vrings": vdev(vrings=two + [vring(notifyid=2)]),
        "truncated_fixed_part": vdev(vrings=[])[:27],
        "truncated_vring": vdev(vrings=two)[:-1],
        "truncated_config": ok[:-1],
        "config_len_past_end": vdev(vrings=two, config=b"cfg!", config_len=5),
        "config_len_huge": vdev(vrings=two, config_len=0xFFFFFFFF),
        "num_of_vrings_past_end": vdev(vrings=two, num_of_vrings=3),
        "num_of_vrings_255": vdev(vrings=two, num_of_vrings=255),
        "reserved0": vdev(vrings=two, reserved=(1, 0)),
        "reserved1": vdev(vrings=two, reserved=(0, 1)),
        "vring_num_zero": vdev(vrings=[vring(num=0), vring()]),
        "vring_align_zero": vdev(vrings=[vring(), vring(align=0)]),
    }
    for name, entry in cases.items():
        assert table_result(kit, rsc_table([entry])) == E["ERSC"], name
    # Linux checks neither power-of-two num, nor notify ids, nor the vring's pa.
    lax = vdev(vrings=[vring(num=3, notifyid=7, pa=0x1234), vring(num=1, align=1)])
    assert table_result(kit, rsc_table([lax])) == 0


@pytest.mark.parametrize("rtype,code", [(4, "ERSC"), (127, "ERSC"), (128, "OK"), (300, "OK"),
                                        (512, "OK"), (513, "ERSC"), (0xFFFFFFFF, "ERSC")])
def test_vendor_range(kit, rtype, code):
    assert table_result(kit, rsc_table([vendor(rtype)])) == E[code]
    assert table_result(kit, rsc_table([vendor(rtype, b"payload", msb=True)], msb=True), msb=True) == E[code]


def test_first_bad_entry_fails_the_table(kit):
    entries = [carveout(), trace(), vdev(), devmem(reserved=1)]
    assert table_result(kit, rsc_table(entries)) == E["ERSC"]
    assert table_result(kit, rsc_table(entries[:3])) == 0


# ---- finding the section ---------------------------------------------------------

@pytest.mark.parametrize("bits,msb", FLAVOURS, ids=FLAVOUR_IDS)
def test_section_location_rules(kit, bits, msb):
    img = elf_with_table(sample_table(msb), bits, msb)
    rt = img.section_index[".resource_table"]
    size = len(img.data)
    good = kit.rsc_table(kit.image(img.data))
    assert good[0] == 0

    def code(data):
        return kit.rsc_table(kit.image(data))[0]

    assert code(patch_field(img, "shdr", "sh_offset", size - 10, index=rt)) == E["EBOUNDS"]
    assert code(patch_field(img, "shdr", "sh_size", size, index=rt)) == E["EBOUNDS"]
    assert code(patch_field(img, "shdr", "sh_offset", (1 << bits) - 8, index=rt)) == E["EBOUNDS"]
    assert code(patch_field(img, "shdr", "sh_type", SHT_NOBITS, index=rt)) == E["ERSC"]
    # section header table
    assert code(patch_field(img, "ehdr", "e_shoff", size - 8)) == E["EBOUNDS"]
    assert code(patch_field(img, "ehdr", "e_shoff", (1 << bits) - 8)) == E["EBOUNDS"]
    assert code(patch_field(img, "ehdr", "e_shnum", 0xFF00)) == E["EBOUNDS"]
    assert code(patch_field(img, "ehdr", "e_shentsize", 12)) == E["ENOTELF"]
    assert code(img.data[:img.shoff + 8]) == E["EBOUNDS"]
    # section name string table
    strndx = len(img.section_index) + 1
    assert code(patch_field(img, "ehdr", "e_shstrndx", strndx + 1)) == E["EBOUNDS"]
    assert code(patch_field(img, "shdr", "sh_offset", size, index=strndx)) == E["EBOUNDS"]
    assert code(patch_field(img, "shdr", "sh_type", SHT_NOBITS, index=strndx)) == E["EBOUNDS"]
    assert code(patch_field(img, "ehdr", "e_shstrndx", 0)) == E["ENORSC"]
    # sh_name outside the string table, or a name cut by its end: not a match
    assert code(patch_field(img, "shdr", "sh_name", 0xFFFFFFFF, index=rt)) == E["ENORSC"]
    name_at = patch_field(img, "shdr", "sh_name", 0, index=rt)            # "" is not it
    assert code(name_at) == E["ENORSC"]


def test_name_must_end_inside_the_string_table(kit):
    img = elf_with_table(sample_table())
    strndx = len(img.section_index) + 1
    # .shstrtab = "\0.text\0.resource_table\0.shstrtab\0"; cut it after ".resource_table"
    cut = len(b"\0.text\0.resource_table")
    data = patch_field(img, "shdr", "sh_size", cut, index=strndx)
    assert kit.rsc_table(kit.image(data))[0] == E["ENORSC"]
    data = patch_field(img, "shdr", "sh_size", cut + 1, index=strndx)
    assert kit.rsc_table(kit.image(data))[0] == 0


def test_missing_table(kit):
    img = build_elf(32, False, 0, [Segment(0, b"x")], [Section(".text", b"x"),
                                                         Section(".resource_tablex", b"")])
    assert kit.rsc_table(kit.image(img.data))[0] == E["ENORSC"]
    img = build_elf(64, True, 0, [Segment(0, b"x")], with_section_headers=False)
    assert kit.rsc_table(kit.image(img.data))[0] == E["ENORSC"]


def test_first_of_two_tables_wins(kit):
    bad = rsc_table([], ver=2)
    img = build_elf(32, False, 0, [], [Section(".resource_table", sample_table()),
                                       Section(".resource_table", bad)])
    err, ptr, _ = kit.rsc_table(kit.image(img.data))
    assert err == 0
    img = build_elf(32, False, 0, [], [Section(".resource_table", bad),
                                       Section(".resource_table", sample_table())])
    assert kit.rsc_table(kit.image(img.data))[0] == E["ERSC"]


def test_extended_section_numbering(kit):
    """e_shnum == 0 and e_shstrndx == SHN_XINDEX: the real values sit in section 0."""
    img = elf_with_table(sample_table(), 64, False)
    strndx = len(img.section_index) + 1
    data = patch_field(img, "ehdr", "e_shnum", 0)
    data = patch_field(img, "ehdr", "e_shstrndx", SHN_XINDEX, data=data)
    data = patch_field(img, "shdr", "sh_size", strndx + 1, index=0, data=data)
    data = patch_field(img, "shdr", "sh_link", strndx, index=0, data=data)
    assert kit.rsc_table(kit.image(data))[0] == 0
    huge = patch_field(img, "shdr", "sh_size", 1 << 40, index=0, data=data)
    assert kit.rsc_table(kit.image(huge))[0] == E["EBOUNDS"]


def test_not_elf(kit):
    assert kit.rsc_table(kit.image(b"\x7fELF"))[0] == E["ENOTELF"]
    assert kit.rsc_table(kit.image(b"hello world, this is not an ELF"))[0] == E["ENOTELF"]


def test_invalid_arguments(kit):
    img = kit.image(elf_with_table(sample_table()).data)
    table, size = ctypes.c_void_p(), ctypes.c_size_t()
    lib = kit.lib
    assert lib.remote_fw_rsc_table(None, ctypes.byref(table), ctypes.byref(size)) == E["EINVAL"]
    assert lib.remote_fw_rsc_table(ctypes.byref(img), None, ctypes.byref(size)) == E["EINVAL"]
    assert lib.remote_fw_rsc_table(ctypes.byref(img), ctypes.byref(table), None) == E["EINVAL"]
    null = Image(None, 64, b"x")
    assert lib.remote_fw_rsc_table(ctypes.byref(null), ctypes.byref(table),
                                   ctypes.byref(size)) == E["EINVAL"]
