"""Post-link bundling on synthetic hosts: ELF32/ELF64, both byte orders, with and
without room after the program header table. Each output is read back with the
project's reader (bundler.elf.reader), with pyelftools, LIEF and (where installed) GNU readelf."""

from __future__ import annotations

import subprocess
import zlib

import lief
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.postlink import bundling as core
from bundler.postlink import descriptor as D
from bundler.elf.reader import parse_elf
from bundler.elf import spec
from bundler.errors import BadInputError, NoFitError, UsageError
from bundler.postlink.placement import Region
from tests.support.tools import need_tool
from tests.support.elf import ALL_KINDS, HostSpec, build_host, build_remote, kind_id

REMOTE = build_remote() + bytes(range(256)) * 3


def host_for(kind, **kw) -> bytes:
    machine = spec.EM_ARM if kind[0] == spec.ELFCLASS32 else spec.EM_AARCH64
    return build_host(HostSpec(elfclass=kind[0], elfdata=kind[1], machine=machine, **kw))


def do_bundle(host_bytes, remotes, **kw):
    host = parse_elf(host_bytes)
    rs = [core.Remote(stem=s, data=d, label=s, address=a) for s, d, a in remotes]
    result = core.bundle(host, rs, **kw)
    return host, result, parse_elf(result.to_bytes())


def loaded_bytes(elf):
    """What a loader writes: {(p_paddr, p_filesz): bytes} for every PT_LOAD."""
    return {(p.p_paddr, p.p_filesz): elf.data[p.p_offset:p.p_offset + p.p_filesz]
            for p in elf.iter_loads()}


@pytest.mark.parametrize("gap", [True, False], ids=["gap", "nogap"])
@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_bundle_adds_exactly_one_load_section_and_symbols(kind, gap):
    host, result, out = do_bundle(host_for(kind, gap=gap), [("remote_elf", REMOTE, None)])
    img = result.images[0]
    # one more segment, a PT_LOAD covering exactly the image, inserted where ascending
    # p_vaddr order puts it (the host's segments keep their relative order)
    assert len(out.segments) == len(host.segments) + 1
    at = next(i for i, p in enumerate(out.segments) if p.p_type == spec.PT_LOAD and p.p_vaddr == img.address
              and p.p_filesz == len(REMOTE))
    assert out.segments[:at] + out.segments[at + 1:] == host.segments
    loads = [p.p_vaddr for p in out.iter_loads()]
    assert loads == sorted(loads)
    new = out.segments[at]
    assert (new.p_type, new.p_paddr, new.p_vaddr, new.p_filesz, new.p_memsz) == \
        (spec.PT_LOAD, img.address, img.address, len(REMOTE), len(REMOTE))
    assert out.data[new.p_offset:new.p_offset + new.p_filesz] == REMOTE
    assert new.p_offset % new.p_align == new.p_vaddr % new.p_align
    assert result.edit.phdr_moved is (not gap)
    # the image section, alloc progbits at the image address
    sec = out.find_section(".remote_fw.remote_elf")
    assert sec.hdr.sh_type == spec.SHT_PROGBITS and sec.hdr.sh_flags == spec.SHF_ALLOC
    assert (sec.hdr.sh_addr, sec.hdr.sh_offset, sec.hdr.sh_size) == (img.address, new.p_offset, len(REMOTE))
    # symbols exactly as objcopy names them
    start, end, size = (out.find_symbol(f"_binary_remote_elf_{w}") for w in ("start", "end", "size"))
    glob_notype = spec.st_info(spec.STB_GLOBAL, spec.STT_NOTYPE)
    assert (start.st_value, start.st_shndx, start.st_info) == (img.address, sec.index, glob_notype)
    assert (end.st_value, end.st_shndx, end.st_info) == (img.address + len(REMOTE), sec.index, glob_notype)
    assert (size.st_value, size.st_shndx, size.st_info) == (len(REMOTE), spec.SHN_ABS, glob_notype)
    assert img.address % 8 == 0


@pytest.mark.parametrize("gap", [True, False], ids=["gap", "nogap"])
@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_nothing_of_the_host_changes(kind, gap):
    host, result, out = do_bundle(host_for(kind, gap=gap), [("remote_elf", REMOTE, None)])
    desc = D.find_descriptor(host, "remote_elf")
    patched = range(desc.offset + D.PATCH_START, desc.offset + D.PATCH_END)
    # every byte a loader writes is unchanged, but the descriptor's filled fields
    for p in host.iter_loads():
        for i in range(p.p_filesz):
            if p.p_offset + i not in patched:
                assert out.data[p.p_offset + i] == host.data[p.p_offset + i]
    # every section keeps index, name, address, size; the grown tables only move and grow
    grown = {".symtab", ".strtab", ".shstrtab"}
    for a, b in zip(host.sections, out.sections):
        assert a.name == b.name and a.index == b.index
        if a.name in grown:
            assert b.hdr.sh_size >= a.hdr.sh_size and b.hdr.sh_addr == a.hdr.sh_addr == 0
        else:
            assert a.hdr == b.hdr
    # every symbol keeps index and value; only the kit's undefined references get defined
    for a, b in zip(host.symbols, out.symbols):
        assert a.index == b.index and a.name == b.name
        if a.is_defined or a.index == 0:
            assert (a.st_value, a.st_size, a.st_info, a.st_shndx) == (b.st_value, b.st_size, b.st_info, b.st_shndx)
        else:
            assert a.name.startswith("_binary_remote_elf_") and b.is_defined
    # the file grows by the image, new tables and alignment only: the prefix is the host
    assert len(out.data) > len(host.data)


@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_descriptor_filled(kind):
    host, result, out = do_bundle(host_for(kind), [("remote_elf", REMOTE, None)])
    d = D.find_descriptor(out, "remote_elf")
    img = result.images[0]
    assert d.flags == D.F_BUNDLED | D.F_CRC32
    assert (d.base, d.size_field, d.crc32) == (img.address, len(REMOTE), zlib.crc32(REMOTE))
    assert d.link_addr == d.address
    assert d.start == 0 and d.end == 0       # post-link: the weak references stay NULL


@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_lief_agrees(kind):
    host, result, out = do_bundle(host_for(kind), [("remote_elf", REMOTE, None)])
    parsed = lief.ELF.parse(list(out.data))
    assert parsed is not None
    loads = [s for s in parsed.segments if s.type == lief.ELF.Segment.TYPE.LOAD]
    assert [(s.physical_address, s.virtual_address, s.physical_size, s.virtual_size) for s in loads] == \
        [(p.p_paddr, p.p_vaddr, p.p_filesz, p.p_memsz) for p in out.iter_loads()]
    syms = {s.name: s.value for s in parsed.symtab_symbols if s.name.startswith("_binary_")}
    img = result.images[0]
    assert syms == {"_binary_remote_elf_start": img.address,
                    "_binary_remote_elf_end": img.address + len(REMOTE),
                    "_binary_remote_elf_size": len(REMOTE)}
    sec = parsed.get_section(".remote_fw.remote_elf")
    assert bytes(sec.content) == REMOTE and sec.virtual_address == img.address


@pytest.mark.parametrize("gap", [True, False], ids=["gap", "nogap"])
@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_readelf_has_no_warnings(kind, gap, tmp_path):
    need_tool("readelf")
    host, result, out = do_bundle(host_for(kind, gap=gap), [("remote_elf", REMOTE, None)])
    path = tmp_path / "out.elf"
    path.write_bytes(out.data)
    proc = subprocess.run(["readelf", "-aW", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "warning" not in proc.stderr.lower() and "error" not in proc.stderr.lower(), proc.stderr
    assert ".remote_fw.remote_elf" in proc.stdout


def test_deterministic():
    h = host_for(ALL_KINDS[0])
    a = do_bundle(h, [("remote_elf", REMOTE, None)])[1].to_bytes()
    b = do_bundle(h, [("remote_elf", REMOTE, None)])[1].to_bytes()
    assert a == b


def test_several_remotes_each_placed_apart_with_own_descriptor():
    h = host_for(ALL_KINDS[0], stems=("r5_fw", "m4_fw"))
    r2 = bytes(1000)
    host, result, out = do_bundle(h, [("r5_fw", REMOTE, None), ("m4_fw", r2, None)])
    a, b = result.images
    assert a.address + a.size <= b.address
    assert D.find_descriptor(out, "r5_fw").base == a.address
    assert D.find_descriptor(out, "m4_fw").base == b.address
    assert len(out.segments) == len(host.segments) + 2


def test_bundling_a_carried_stem_needs_replace_and_replace_equals_fresh():
    h = host_for(ALL_KINDS[0])
    first = do_bundle(h, [("remote_elf", REMOTE, None)])[1].to_bytes()
    with pytest.raises(BadInputError, match="already carries remote_elf.*replace"):
        do_bundle(first, [("remote_elf", REMOTE, None)])
    new_remote = REMOTE[::-1] + b"more"
    replaced = do_bundle(first, [("remote_elf", new_remote, None)], replace=True)[1].to_bytes()
    fresh = do_bundle(h, [("remote_elf", new_remote, None)])[1].to_bytes()
    assert replaced == fresh


def test_bundling_again_adds_to_the_original():
    h = host_for(ALL_KINDS[0], stems=("a", "b"))
    step = do_bundle(h, [("a", REMOTE, None)])[1].to_bytes()
    chained = do_bundle(step, [("b", b"\x01" * 40, None)])[1].to_bytes()
    at_once = do_bundle(h, [("a", REMOTE, None), ("b", b"\x01" * 40, None)])[1].to_bytes()
    assert chained == at_once


def test_unbundle_restores_the_host_exactly():
    for kind in ALL_KINDS:
        for gap in (True, False):
            h = host_for(kind, gap=gap)
            out = do_bundle(h, [("remote_elf", REMOTE, None)])[2]
            assert core.unbundle_bytes(out, core.read_record(out)) == h


def test_explicit_address_overlapping_the_host_is_refused():
    h = host_for(ALL_KINDS[0])
    with pytest.raises(NoFitError, match=r"would overlap segment 0 \(PT_LOAD"):
        do_bundle(h, [("remote_elf", REMOTE, 0x40)])


def test_explicit_address_is_used():
    h = host_for(ALL_KINDS[0])
    _, result, out = do_bundle(h, [("remote_elf", REMOTE, 0x100000)])
    assert result.images[0].address == 0x100000 and result.images[0].how == "--address"


def test_unaligned_address_is_a_usage_error():
    with pytest.raises(UsageError, match="not aligned"):
        do_bundle(host_for(ALL_KINDS[0]), [("remote_elf", REMOTE, 0x100004)], align=16)


def test_slot_is_used_and_bounds_the_image():
    h = host_for(ALL_KINDS[0], slot=(0x3C0000, 0x400000))
    _, result, _ = do_bundle(h, [("remote_elf", REMOTE, None)])
    assert result.images[0].address == 0x3C0000 and result.images[0].how == "slot"
    with pytest.raises(NoFitError, match=r"does not fit in the slot 0x3c0000-0x400000 \(262144 bytes\): "
                                         r"1 bytes short"):
        do_bundle(h, [("remote_elf", bytes(0x40001), None)])


def test_region_bounds_and_reports_shortfall():
    h = host_for(ALL_KINDS[0])
    region = Region(0x100000, 0x1000)
    _, result, _ = do_bundle(h, [("remote_elf", bytes(0x800), None)], region=region)
    assert result.images[0].address == 0x100000
    with pytest.raises(NoFitError, match="does not fit in region .* 2048 bytes short of the room"):
        do_bundle(h, [("a", bytes(0x800), None), ("b", bytes(0x1000 - 0x800 + 0x800), None)], region=region)


def test_automatic_placement_skips_data_lma_and_bss():
    h = parse_elf(host_for(ALL_KINDS[0]))
    data_seg = h.segments[1]
    _, result, _ = do_bundle(host_for(ALL_KINDS[0]), [("remote_elf", REMOTE, None)])
    assert result.images[0].address >= data_seg.p_paddr + data_seg.p_memsz


def test_missing_descriptor_is_a_warning_not_an_error():
    h = host_for(ALL_KINDS[0], stems=())
    _, result, out = do_bundle(h, [("remote_elf", REMOTE, None)])
    assert any("declares no descriptor for remote_elf" in w for w in result.warnings)
    assert out.find_symbol("_binary_remote_elf_start").is_defined


def test_stripped_host_gets_a_new_symbol_table():
    h = host_for(ALL_KINDS[0], symtab=False)
    _, result, out = do_bundle(h, [("remote_elf", REMOTE, None)])
    assert out.symtab is not None
    assert out.find_symbol("_binary_remote_elf_end").st_value == result.images[0].address + len(REMOTE)


def test_prelinked_stem_is_refused():
    h = host_for(ALL_KINDS[0], extra_symbols=[("_binary_remote_elf_start", 0x100, 1)], stems=())
    with pytest.raises(BadInputError, match="already links remote_elf"):
        do_bundle(h, [("remote_elf", REMOTE, None)])


def test_relocatable_host_is_refused():
    h = host_for(ALL_KINDS[0], e_type=spec.ET_REL)
    with pytest.raises(BadInputError, match="not a linked executable"):
        do_bundle(h, [("remote_elf", REMOTE, None)])


def test_et_dyn_host_is_accepted():
    h = host_for(ALL_KINDS[2], e_type=spec.ET_DYN)
    _, result, out = do_bundle(h, [("remote_elf", REMOTE, None)])
    assert out.ehdr.e_type == spec.ET_DYN and result.images


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(ALL_KINDS), gap=st.booleans(),
       payloads=st.lists(st.binary(min_size=1, max_size=600), min_size=1, max_size=3),
       align=st.sampled_from([1, 4, 8, 64, 4096]))
def test_property_images_read_back_unchanged_and_never_overlap(kind, gap, payloads, align):
    stems = tuple(f"r{i}" for i in range(len(payloads)))
    h = host_for(kind, gap=gap, stems=stems)
    host, result, out = do_bundle(h, [(s, p, None) for s, p in zip(stems, payloads)], align=align)
    spans = []
    for s, p, img in zip(stems, payloads, result.images):
        sec = out.find_section(f".remote_fw.{s}")
        assert bytes(out.section_bytes(sec)) == p
        assert img.address % align == 0
        spans.append((img.address, img.address + len(p)))
    host_spans = [(p.p_paddr, p.p_paddr + p.p_memsz) for p in host.iter_loads()] + \
                 [(p.p_vaddr, p.p_vaddr + p.p_memsz) for p in host.iter_loads()]
    for i, (a0, a1) in enumerate(spans):
        for b0, b1 in host_spans + spans[:i]:
            assert a1 <= b0 or b1 <= a0
    assert core.unbundle_bytes(out, core.read_record(out)) == h


def test_image_count_limit():
    h = host_for(ALL_KINDS[0], stems=())
    many = [(f"r{i}", b"\x01", None) for i in range(core.MAX_IMAGES + 1)]
    with pytest.raises(UsageError, match=r"1025 remote images given; the limit is 1024"):
        do_bundle(h, many)


def test_huge_sparse_image_is_refused_before_it_is_read(tmp_path):
    """A 4 GiB + 1 image cannot fit a 32-bit address space: refused from its size alone."""
    import mmap
    path = tmp_path / "huge.bin"
    with open(path, "wb") as f:
        f.truncate((4 << 30) + 1)
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        with pytest.raises(NoFitError, match=r"\(4294967297 bytes\) at 0x[0-9a-f]+ runs past the end of "
                                             r"the address space \(0x100000000\)"):
            do_bundle(host_for(ALL_KINDS[0]), [("huge", data, None)])
        data.close()


@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_descriptor_found_by_symbol_when_its_name_pointer_is_zero(kind):
    """A RELA position-independent host may leave the name pointer's file bytes 0."""
    data = bytearray(host_for(kind))
    host = parse_elf(bytes(data))
    desc = D.find_descriptor(host, "remote_elf")
    ptr = host.layout.addr_size
    data[desc.offset + D.OFF_NAME:desc.offset + D.OFF_NAME + ptr] = bytes(ptr)
    _, result, out = do_bundle(bytes(data), [("remote_elf", REMOTE, None)])
    assert result.images[0].descriptor is not None and not result.warnings
    filled = [d for d in D.iter_descriptors(out) if d.address == desc.address][0]
    assert (filled.base, filled.size_field) == (result.images[0].address, len(REMOTE))


def test_cli_default_section_prefix_matches_the_core():
    from bundler.cli import bundle_cmd
    assert bundle_cmd.DEFAULT_SECTION_PREFIX == core.DEFAULT_SECTION_PREFIX
