"""verify on synthetic hosts: a clean bundle has no error in any ELF class and
byte order; each kind of damage gives its own finding code; any flipped image
byte is caught."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.postlink import bundling as core
from bundler.postlink import descriptor as D
from bundler.postlink import placement
from bundler.adapters import lief as lief_adapter
from bundler.elf.reader import parse_elf
from bundler.elf import spec
from bundler.elf.editor import NewImage, add_images
from bundler.records import replace
from bundler.stems import symbol_names
from bundler.checks import RemoteFile, compare_parsers, verify
from tests.support.elf import ALL_KINDS, HostSpec, build_host, build_remote, kind_id
from tests.support.patch import image_segment, move_symbol, patch, set_phdr
from tests.support.rsc import build_remote_elf, rsc_table_bytes, sample_table, trace, vdev

REMOTE = build_remote_elf(sample_table())


def host_for(kind=ALL_KINDS[0], **kw) -> bytes:
    machine = spec.EM_ARM if kind[0] == spec.ELFCLASS32 else spec.EM_AARCH64
    return build_host(HostSpec(elfclass=kind[0], elfdata=kind[1], machine=machine, **kw))


def bundled(remote: bytes = REMOTE, host: bytes | None = None, stem="remote_elf", address=None, **kw) -> bytes:
    h = parse_elf(host if host is not None else host_for())
    return core.bundle(h, [core.Remote(stem=stem, data=remote, label=stem, address=address)], **kw).to_bytes()


def run(data: bytes, remotes=(), **kw):
    return verify(parse_elf(data), list(remotes), **kw)


def error_codes(report) -> set[str]:
    return report.codes("error")


CLEAN = bundled()


# ---- clean bundles ------------------------------------------------------------

@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_clean_bundle_has_no_error(kind):
    lay = spec.Layout(*kind)
    remote = build_remote_elf(sample_table(e=lay.endian), elfclass=kind[0], elfdata=kind[1])
    data = bundled(remote, host_for(kind))
    report = run(data, [RemoteFile("remote.elf", "remote_elf", remote)])
    assert report.ok, [str(f) for f in report.findings]
    assert report.findings == []
    (img,) = report.images
    out = parse_elf(data)
    start = out.find_symbol("_binary_remote_elf_start").st_value
    assert (img.stem, img.address, img.size, img.flow) == ("remote_elf", start, len(remote), "post-link")


def test_two_images_and_a_slot():
    host = host_for(stems=("remote_elf", "dsp_fw"), slot=(0x100000, 0x140000))
    h = parse_elf(host)
    remotes = [core.Remote(stem="remote_elf", data=REMOTE, label="a"),
               core.Remote(stem="dsp_fw", data=build_remote_elf(sample_table(), text_addr=0x20400000), label="b")]
    data = core.bundle(h, remotes).to_bytes()
    report = run(data)
    assert report.ok and report.findings == [], [str(f) for f in report.findings]
    assert [i.stem for i in report.images] == ["remote_elf", "dsp_fw"]


def test_report_json_shape():
    d = run(CLEAN).to_dict()
    assert set(d) == {"ok", "errors", "warnings", "images", "findings", "emulation"}
    assert d["ok"] is True and d["emulation"] is None
    assert set(d["images"][0]) == {"stem", "flow", "address", "size", "lma", "crc32", "sha256"}


# ---- one finding per kind of damage -----------------------------------------------

def descriptor(data: bytes, stem="remote_elf"):
    elf = parse_elf(data)
    return elf, D.find_descriptor(elf, stem)


def test_tampered_descriptor_size():
    elf, d = descriptor(CLEAN)
    bad = patch(CLEAN, d.offset + D.OFF_SIZE, elf.layout.u64.pack(d.size_field + 4))
    report = run(bad)
    assert error_codes(report) == {"descriptor-mismatch"}, [str(f) for f in report.findings]


def test_tampered_descriptor_checksum():
    elf, d = descriptor(CLEAN)
    bad = patch(CLEAN, d.offset + D.OFF_CRC32, elf.layout.u32.pack(d.crc32 ^ 1))
    assert error_codes(run(bad)) == {"descriptor-crc"}


def test_descriptor_without_checksum_flag_warns():
    elf, d = descriptor(CLEAN)
    bad = patch(CLEAN, d.offset + D.OFF_FLAGS, elf.layout.u32.pack(D.F_BUNDLED))
    report = run(bad)
    assert report.ok and report.codes("warning") == {"descriptor-no-checksum"}


@pytest.mark.parametrize("name", ["_binary_remote_elf_start", "_binary_remote_elf_end", "_binary_remote_elf_size"])
def test_symbols_moved(name):
    report = run(move_symbol(CLEAN, name, 8))
    assert error_codes(report) == {"symbol-mismatch"}, [str(f) for f in report.findings]


def test_symbol_missing():
    elf = parse_elf(CLEAN)
    strtab = elf.sections[elf.symtab.hdr.sh_link]
    at = strtab.hdr.sh_offset + bytes(elf.section_bytes(strtab)).index(b"_binary_remote_elf_size\0")
    report = run(patch(CLEAN, at, b"_binary_remote_elf_sizX"))
    assert error_codes(report) == {"symbol-missing"}


def test_host_changed():
    """The record restores the original host's symbol and section tables: a host
    symbol or section that moved in the output is a finding."""
    report = run(move_symbol(CLEAN, "main", 2))
    assert error_codes(report) == {"host-changed"}
    (f,) = report.findings
    assert "symbol main changed" in f.message
    elf = parse_elf(CLEAN)
    rodata = elf.find_section(".rodata")
    lay = elf.layout
    at = elf.ehdr.e_shoff + rodata.index * lay.shdr.size
    moved = replace(rodata.hdr, sh_addr=rodata.hdr.sh_addr + 0x1000)
    report = run(patch(CLEAN, at, lay.shdr.pack(moved)))
    assert "host-changed" in error_codes(report)
    assert any("section 2 (.rodata)" in f.message for f in report.findings if f.code == "host-changed")


def test_overlapping_segments():
    elf = parse_elf(CLEAN)
    image_seg = image_segment(elf)
    flash = elf.segments[0]
    report = run(set_phdr(CLEAN, image_seg, p_paddr=flash.p_paddr + 8))
    assert "segment-overlap" in error_codes(report)
    (f,) = [f for f in report.findings if f.code == "segment-overlap" and f"segments 0 and {image_seg}" in f.message]
    assert f.address == flash.p_paddr + 8


def test_image_not_in_load():
    elf = parse_elf(CLEAN)
    image_seg = image_segment(elf)
    p = elf.segments[image_seg]
    report = run(set_phdr(CLEAN, image_seg, p_filesz=p.p_filesz - 16))
    assert "image-not-in-load" in error_codes(report)


def test_truncated_resource_table():
    remote = build_remote_elf(sample_table()[:-24])
    report = run(bundled(remote))
    assert error_codes(report) == {"rsc-truncated"}


def test_notify_id_collision_is_a_note():
    """Linux assigns vring notify ids itself: a repeated id fails no bundle (issue 17)."""
    table = rsc_table_bytes([trace(), vdev(vrings=((0x20300000, 0x1000, 16, 1, 0), (0x20304000, 0x1000, 16, 1, 0)))])
    report = run(bundled(build_remote_elf(table)))
    assert error_codes(report) == set() and report.ok
    assert {f.code for f in report.notes} == {"rsc-notifyid-duplicate"}


def test_resource_table_missing_or_nobits():
    assert run(bundled(build_remote_elf(None))).codes() == {"rsc-missing"}
    assert error_codes(run(bundled(build_remote_elf(sample_table(), nobits_table=True)))) == {"rsc-not-in-file"}


def bundled_by_another_tool(remote: bytes, stem="remote_elf") -> bytes:
    """What a tool without bundle's own checks would write: image, PT_LOAD, symbols and
    the descriptor filled in, no bundle record (the editor and descriptor layout used directly)."""
    host = parse_elf(host_for())
    address, _ = placement.AddressSpace(host).place(len(remote), label=stem)
    d = D.find_descriptor(host, stem)
    fill = D.encode_fill(host, d, base=address, size=len(remote), crc32=zlib.crc32(remote))
    start, end, size = symbol_names(stem)
    image = NewImage(section=f".remote_fw.{stem}", address=address, data=remote,
                     symbols=[(start, "start"), (end, "end"), (size, "size")])
    return add_images(host, [image], patches=[(d.offset + D.PATCH_START, fill)]).to_bytes()


def test_remote_loading_onto_the_host():
    assert run(bundled_by_another_tool(REMOTE)).findings == []
    remote = build_remote_elf(sample_table(), text_addr=0x0)        # the host's flash
    report = run(bundled_by_another_tool(remote))
    assert error_codes(report) == {"remote-load-overlap"}
    f = report.findings[0]
    assert f.address == 0x0 and "segment 0 loads at 0x0" in f.message and "segment 0 (PT_LOAD" in f.message


def test_embedded_elf_not_sane():
    lay = spec.Layout(spec.ELFCLASS32, spec.ELFDATA2LSB)
    good = bytearray(REMOTE)
    ph = parse_elf(REMOTE).segments[0]
    # segment 0's file bytes past the end of the image
    at = lay.ehdr.size
    bad = bytes(good[:at]) + lay.phdr.pack(replace(ph, p_filesz=len(good))) + bytes(good[at + lay.phdr.size:])
    assert "kit-ebounds" in error_codes(run(bundled(bad)))
    # filesz > memsz
    bad = bytes(good[:at]) + lay.phdr.pack(replace(ph, p_memsz=ph.p_filesz - 1)) + bytes(good[at + lay.phdr.size:])
    assert "kit-esegment" in error_codes(run(bundled(bad)))
    # program header table past the end
    ehdr = lay.ehdr.unpack(REMOTE)
    bad = lay.ehdr.pack(replace(ehdr, e_phoff=len(REMOTE) - 8)) + REMOTE[lay.ehdr.size:]
    assert error_codes(run(bundled(bad))) == {"kit-ebounds"}
    # unknown class
    bad = REMOTE[:spec.EI_CLASS] + b"\x07" + REMOTE[spec.EI_CLASS + 1:]
    assert error_codes(run(bundled(bad))) == {"kit-enotelf"}


def test_blob_that_is_not_elf_warns():
    report = run(bundled(b"just some bytes, not firmware"))
    assert report.ok and report.codes() == {"image-not-elf"}


def test_remote_file_mismatch_and_unmatched():
    other = build_remote_elf(sample_table(), extra=b"\x01")
    report = run(CLEAN, [RemoteFile("remote.elf", "remote_elf", other)])
    assert error_codes(report) == {"remote-mismatch"}
    # a file of another stem is compared with the only image
    report = run(CLEAN, [RemoteFile("other.elf", "other_elf", other)])
    assert error_codes(report) == {"remote-mismatch"}
    assert run(CLEAN, [RemoteFile("copy.elf", "copy_elf", REMOTE)]).ok
    # two images: a file that is neither
    host = host_for(stems=("remote_elf", "dsp_fw"))
    two = core.bundle(parse_elf(host), [core.Remote("remote_elf", REMOTE, "a"),
                                        core.Remote("dsp_fw", build_remote_elf(None, text_addr=0x20400000), "b")])
    report = run(two.to_bytes(), [RemoteFile("x.elf", "x_elf", other)])
    assert error_codes(report) == {"remote-unmatched"}
    assert run(two.to_bytes(), [RemoteFile("x.elf", "x_elf", REMOTE)]).ok


def test_declared_but_not_bundled_and_no_images():
    assert error_codes(run(host_for())) == {"image-not-bundled"}
    # a plain firmware image is checked as its loader will (Linux by default), not as a bundle
    report = run(REMOTE)
    assert report.loader == "linux" and "no-images" not in report.codes()
    # asked to match a --remote file, it is still a bundle that carries nothing
    assert error_codes(run(REMOTE, [RemoteFile("x.elf", "x_elf", REMOTE)])) >= {"no-images"}


def test_image_without_descriptor_warns():
    data = bundled(host=host_for(stems=()))
    report = run(data)
    assert report.ok and report.codes() == {"descriptor-missing"}


def test_alignment():
    # --align 4 at an address that is 4 mod 8: allowed, but below 8 is a warning
    data = bundled(address=0x10004, align=4)
    report = run(data)
    assert report.ok and report.codes() == {"image-align-low"}
    # the record asks for 8: an error
    elf = parse_elf(data)
    sec = elf.find_section(core.RECORD_SECTION)
    at = bytes(elf.section_bytes(sec)).index(b'"align":4') + len(b'"align":')
    report = run(patch(data, sec.hdr.sh_offset + at, b"8"))
    assert error_codes(report) == {"image-align"}
    assert run(bundled(address=0x10010, align=16)).findings == []


def test_corrupt_record_and_descriptor_magic():
    elf = parse_elf(CLEAN)
    sec = elf.find_section(core.RECORD_SECTION)
    bad = patch(CLEAN, sec.hdr.sh_offset, b"[")
    assert "record-corrupt" in error_codes(run(bad))
    _, d = descriptor(CLEAN)
    bad = patch(CLEAN, d.offset + D.OFF_MAGIC, b"XXXX")
    assert "descriptor-corrupt" in error_codes(run(bad))


def test_parsers_compared_field_by_field():
    elf = parse_elf(CLEAN)
    theirs = lief_adapter.read(CLEAN)
    assert compare_parsers(elf, theirs) == []
    moved = replace(theirs.segments[0], p_paddr=theirs.segments[0].p_paddr + 4)
    other = replace(theirs, segments=[moved, *theirs.segments[1:]])
    (problem,) = compare_parsers(elf, other)
    assert problem.startswith("segment 0") and "p_paddr" in problem
    sym = next(s for s in theirs.symbols if s.name == "_binary_remote_elf_end")
    other = replace(theirs, symbols=[replace(s, st_value=1) if s is sym else s
                                                 for s in theirs.symbols])
    (problem,) = compare_parsers(elf, other)
    assert "_binary_remote_elf_end" in problem
    renamed = replace(theirs.sections[1], name=".other")
    other = replace(theirs, sections=[theirs.sections[0], renamed, *theirs.sections[2:]])
    assert compare_parsers(elf, other)[0].startswith("section 1")


# ---- any flipped byte ----------------------------------------------------------------

FLIP_HOST = parse_elf(CLEAN)
FLIP_START = FLIP_HOST.find_symbol("_binary_remote_elf_start").st_value
FLIP_OFFSET = next(s for s in FLIP_HOST.sections if s.hdr.sh_addr == FLIP_START and s.is_alloc).hdr.sh_offset


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(REMOTE) - 1), st.integers(1, 255))
def test_every_flipped_image_byte_is_caught(position, mask):
    at = FLIP_OFFSET + position
    bad = patch(CLEAN, at, bytes([CLEAN[at] ^ mask]))
    report = run(bad, [RemoteFile("remote.elf", "remote_elf", REMOTE)])
    assert not report.ok
    assert {"descriptor-crc", "record-mismatch", "remote-mismatch"} <= error_codes(report)


def test_flip_positions_cover_the_whole_image():
    """Exhaustive on a small image: every single position, one mask."""
    small = build_remote(code=b"\x70\x47" * 4)
    data = bundled(small)
    elf = parse_elf(data)
    start = elf.find_symbol("_binary_remote_elf_start").st_value
    offset = next(s for s in elf.sections if s.hdr.sh_addr == start and s.is_alloc).hdr.sh_offset
    for position in range(len(small)):
        at = offset + position
        bad = patch(data, at, bytes([data[at] ^ 0x80]))
        assert "descriptor-crc" in error_codes(run(bad)), position


def test_a_staged_bundle_warns_about_the_stem_still_to_come():
    """A host that declares two images, bundled with one: verify passes with a warning,
    so that `bundle` success always means `bundle verify` success."""
    host = parse_elf(host_for(stems=("remote_elf", "dsp_fw")))
    staged = core.bundle(host, [core.Remote("remote_elf", REMOTE, "r")]).to_bytes()
    report = run(staged)
    assert error_codes(report) == set()
    assert "image-declared-only" in {f.code for f in report.findings if f.severity == "warning"}
