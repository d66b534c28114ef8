"""Differential: ``bundle hex`` against GNU objcopy, decoded by srec_cat and intelhex.

On the committed sample ELFs, on bundled images (the hosts' .data has
VMA != LMA; the remote lands in its own PT_LOAD) and on random layouts,
Intel HEX must equal objcopy's text byte for byte, S-records byte for byte
after the S0 header (which names the output file), and the memory image and
start address decoded by srec_cat and by intelhex must be the ELF's.
"""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.elf.reader import parse_elf
from bundler.adapters.intelhex import read_ihex
from bundler.elf import spec
from bundler.flash.ihex import encode_ihex
from bundler.flash.image import image_from_elf
from bundler.flash.srec import decode_srec, encode_srec, record_type
from bundler.records import replace
from tests.support.paths import SAMPLES
from tests.support.tools import need_tool
from tests.flash.conftest import SAMPLE_ELFS, canonical, objcopy, sample_id
from tests.support.segments import Seg, build_elf


SAMPLE_HOST = SAMPLES / "cortex-m3" / "prebuilt" / "host.elf"


def elf_truth(path):
    image = image_from_elf(parse_elf(path.read_bytes()))
    return image.coalesced(), image.start


def check_same_as_objcopy(elf, tmp_path, cli):
    ours_hex, ours_srec = tmp_path / "ours.hex", tmp_path / "ours.srec"
    assert cli("hex", elf, "-o", ours_hex)[0] == 0
    assert cli("hex", elf, "-o", ours_srec)[0] == 0
    theirs_hex = objcopy(elf, "ihex", tmp_path / "objcopy.hex")
    theirs_srec = objcopy(elf, "srec", tmp_path / "objcopy.srec")

    assert ours_hex.read_bytes() == theirs_hex.read_bytes()
    ours_lines = ours_srec.read_bytes().split(b"\r\n")
    theirs_lines = theirs_srec.read_bytes().split(b"\r\n")
    assert ours_lines[1:] == theirs_lines[1:]
    assert ours_lines[0] == encode_srec_header(b"ours.srec")
    assert theirs_lines[0] == encode_srec_header(str(theirs_srec).encode()[:40])

    # independent decoders: srec_cat sees one memory image and start address in all four files
    reference = canonical(theirs_hex, "ihex")
    for path, fmt in ((ours_hex, "ihex"), (ours_srec, "srec"), (theirs_srec, "srec")):
        assert canonical(path, fmt) == reference, path.name
    # ... which is the ELF's, by our S-record decoder on srec_cat's text and by intelhex
    runs, start = elf_truth(elf)
    via_srec_cat = decode_srec(reference)
    assert via_srec_cat.coalesced() == runs
    assert via_srec_cat.start == start
    via_intelhex = read_ihex(ours_hex.read_bytes())
    assert via_intelhex.coalesced() == runs
    assert via_intelhex.start == start


def encode_srec_header(text: bytes) -> bytes:
    """The S0 line objcopy writes for an output named ``text`` (40 bytes at most)."""
    head = bytes((len(text) + 3, 0, 0)) + text
    return b"S0" + head.hex().upper().encode() + b"%02X" % (0xFF - (sum(head) & 0xFF))


@pytest.mark.skipif(not SAMPLE_ELFS, reason="no prebuilt sample ELFs")
@pytest.mark.parametrize("elf", SAMPLE_ELFS, ids=sample_id)
def test_samples_equal_objcopy(elf, tmp_path, cli):
    check_same_as_objcopy(elf, tmp_path, cli)


def test_bundled_images_equal_objcopy(bundled_elfs, tmp_path, cli):
    assert bundled_elfs, "no sample host/remote pairs to bundle"
    split = [elf.name for elf in bundled_elfs
             if any(p.p_vaddr != p.p_paddr for p in parse_elf(elf.read_bytes()).iter_loads() if p.p_filesz)]
    assert split, "expected a bundled host whose .data has VMA != LMA (cortex-m3)"
    for elf in bundled_elfs:
        work = tmp_path / elf.stem
        work.mkdir()
        check_same_as_objcopy(elf, work, cli)


def test_vma_differs_from_lma(tmp_path, cli):
    """A RAM section loaded from flash goes out at its LMA, like objcopy's."""
    elf = tmp_path / "vma.elf"
    elf.write_bytes(build_elf([Seg(0x08000000, [(".text", bytes(range(64)))]),
                               Seg(0x08000040, [(".data", b"\x11\x22\x33" * 7)], vaddr=0x20000000)],
                              entry=0x08000001))
    check_same_as_objcopy(elf, tmp_path, cli)
    assert read_ihex((tmp_path / "ours.hex").read_bytes()).coalesced() == \
        [(0x08000000, bytes(range(64)) + b"\x11\x22\x33" * 7)]


# ---- random layouts --------------------------------------------------------------

# bases that exercise objcopy's address records: none, 02 (64 KiB..1 MiB), 04, and both
BASES = [0x0, 0xFFF0, 0x1FFE5, 0xF0000, 0xFFFF8, 0x100000, 0x08000000, 0x2001FFF0, 0xFFFFF000]


@st.composite
def layouts(draw):
    elfclass, elfdata = draw(st.sampled_from([(spec.ELFCLASS32, spec.ELFDATA2LSB),
                                              (spec.ELFCLASS32, spec.ELFDATA2MSB),
                                              (spec.ELFCLASS64, spec.ELFDATA2LSB)]))
    segs, at = [], draw(st.sampled_from(BASES))
    for i in range(draw(st.integers(1, 4))):
        at += draw(st.sampled_from([0, 1, 7, 16, 0x3F0, 0x10000, 0xE0000]))
        parts = []
        for j in range(draw(st.integers(1, 3))):
            if j and draw(st.booleans()):
                parts.append((None, bytes(draw(st.integers(1, 7)))))       # padding, no section
            size = draw(st.sampled_from([1, 5, 15, 16, 17, 33, 100, 300]))
            parts.append((f".s{i}_{j}", draw(st.binary(min_size=size, max_size=size))))
        seg = Seg(at, parts)
        if at + seg.filesz > 0xFFFFFFFF:
            break
        segs.append(seg)
        at += seg.filesz
    entry = draw(st.sampled_from([0, 0x1A5, 0xFFFFF, 0x100000, 0x20000001]))
    return build_elf(segs or [Seg(0, [(".t", b"\x01")])], entry=entry, elfclass=elfclass,
                     elfdata=elfdata, machine=spec.EM_ARM if elfclass == spec.ELFCLASS32 else spec.EM_RISCV)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=layouts())
def test_random_layouts_equal_objcopy(data, tmp_path):
    need_tool("objcopy")
    elf = tmp_path / "r.elf"
    elf.write_bytes(data)
    image = image_from_elf(parse_elf(data))
    theirs_hex = objcopy(elf, "ihex", tmp_path / "r.hex").read_bytes()
    assert encode_ihex(image) == theirs_hex
    theirs_srec = objcopy(elf, "srec", tmp_path / "r.srec").read_bytes()
    ours_srec = encode_srec(image, header=str(tmp_path / "r.srec").encode())
    if record_type(image) != record_type(replace(image, start=None)):
        # documented difference: objcopy truncates such a start address, we widen the records
        assert decode_srec(ours_srec).start == image.start
    else:
        assert ours_srec == theirs_srec


def test_objcopy_truncates_a_wide_start_address_we_widen(tmp_path):
    """S-records whose start address needs more digits than the data: S3/S7, not a wrong S9."""
    need_tool("objcopy")
    elf = tmp_path / "wide.elf"
    elf.write_bytes(build_elf([Seg(0x100, [(".text", b"\xAA" * 4)])], entry=0x08000101))
    theirs = objcopy(elf, "srec", tmp_path / "wide.srec").read_bytes()
    assert theirs.split(b"\r\n")[-2] == b"S9030101FA"         # objcopy: 0x08000101 cut to 0x0101
    ours = encode_srec(image_from_elf(parse_elf(elf.read_bytes())))
    assert ours.split(b"\r\n")[-2].startswith(b"S705080001")
    assert decode_srec(ours).start == 0x08000101


def test_objcopy_refuses_what_we_accept_without_sections(tmp_path):
    """An ELF without section headers: objcopy gives up, we write its segments."""
    need_tool("objcopy")
    elf = tmp_path / "nosec.elf"
    elf.write_bytes(build_elf([Seg(0x1000, [(None, b"\x01\x02\x03")])], sections=False))
    proc = subprocess.run(["objcopy", "-O", "ihex", str(elf), str(tmp_path / "x.hex")],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "no sections" in proc.stderr
    assert read_ihex(encode_ihex(image_from_elf(parse_elf(elf.read_bytes())))).coalesced() == \
        [(0x1000, b"\x01\x02\x03")]


def test_section_vma_outside_its_segment_goes_to_the_segments_lma(tmp_path, cli):
    """An armlink-style image: the RW PT_LOAD has p_vaddr = p_paddr = its flash address while
    .data's sh_addr is its RAM address. BFD then finds .data in no segment by VMA and gives it
    LMA = VMA, so objcopy writes .data at RAM (0x20000000), where a flash programmer cannot put
    it and from where the startup code does not copy. bundle hex writes the PT_LOAD's file bytes
    at p_paddr: in flash, where the scatter-loader copies them from."""
    src = parse_elf(SAMPLE_HOST.read_bytes())
    lay = src.layout
    (i, rw), = [(i, p) for i, p in enumerate(src.segments) if p.p_type == spec.PT_LOAD and p.p_vaddr != p.p_paddr]
    data = bytearray(SAMPLE_HOST.read_bytes())
    at = src.ehdr.e_phoff + i * lay.phdr.size
    data[at:at + lay.phdr.size] = lay.phdr.pack(replace(rw, p_vaddr=rw.p_paddr))
    elf = tmp_path / "armlink-style.elf"
    elf.write_bytes(bytes(data))
    dot_data = src.find_section(".data").hdr
    payload = bytes(data[rw.p_offset:rw.p_offset + rw.p_filesz])

    ours = tmp_path / "ours.hex"
    assert cli("hex", elf, "-o", ours)[0] == 0
    ours_image = read_ihex(ours.read_bytes())
    theirs_image = read_ihex(objcopy(elf, "ihex", tmp_path / "objcopy.hex").read_bytes())

    def at_address(image, address, size):
        return next((bytes(run[address - base:address - base + size]) for base, run in image.coalesced()
                     if base <= address and address + size <= base + len(run)), None)

    assert at_address(ours_image, rw.p_paddr, len(payload)) == payload          # flash: there
    assert at_address(ours_image, dot_data.sh_addr, len(payload)) is None       # RAM: nothing
    assert at_address(theirs_image, dot_data.sh_addr, len(payload)) == payload  # objcopy: RAM
    assert at_address(theirs_image, rw.p_paddr, len(payload)) is None           # ...and not flash
