"""bundler.prelink.object on bytes: the object's layout read back by two parsers
(pyelftools through the adapter, and LIEF), --like, warnings, limits, no
copy of the image, determinism, and hypothesis properties over targets,
sizes, stems and alignments.
"""

from __future__ import annotations

import io
import mmap

import lief
import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.elf.reader import parse_elf
from bundler.elf import spec
from bundler.errors import BadInputError, NoFitError, UsageError
from bundler.fileio import write_outputs
from bundler.prelink.object import (SECTION_PREFIX, TARGETS, Target, image_warnings, make_object,
                            target_like)
from tests.support.paths import SAMPLES
from tests.support.elf import build_host, build_remote

IMAGE = bytes((i * 7 + 3) & 0xFF for i in range(1001))


def check_object(blob: bytes, data: bytes, stem: str, target: Target, section: str, align: int):
    """The object as the contract says, read with the project's adapter."""
    elf = parse_elf(blob, what="object")
    assert elf.ehdr.e_type == spec.ET_REL
    assert (elf.layout.elfclass, elf.layout.elfdata) == (target.elfclass, target.elfdata)
    assert (elf.ehdr.e_machine, elf.ehdr.e_flags) == (target.e_machine, target.e_flags)
    assert elf.ehdr.e_ident[spec.EI_OSABI] == target.ei_osabi
    assert elf.segments == [] and elf.ehdr.e_phoff == 0
    sec = elf.find_section(section)
    assert sec is not None and sec.index == 1
    h = sec.hdr
    assert (h.sh_type, h.sh_flags, h.sh_addr, h.sh_addralign) == (spec.SHT_PROGBITS, spec.SHF_ALLOC, 0, align)
    assert h.sh_offset % align == 0
    assert bytes(elf.section_bytes(sec)) == data
    assert (elf.find_section(".note.GNU-stack") is not None) == target.gnu_stack
    if target.gnu_stack:
        note = elf.find_section(".note.GNU-stack").hdr
        assert (note.sh_type, note.sh_flags, note.sh_size) == (spec.SHT_PROGBITS, 0, 0)
    symtab = elf.symtab
    assert symtab.hdr.sh_info == 1                     # every symbol after the null one is global
    assert elf.sections[symtab.hdr.sh_link].name == ".strtab"
    named = [s for s in elf.symbols if s.name]
    assert [s.name for s in named] == [f"_binary_{stem}_{w}" for w in ("start", "end", "size")]
    start, end, size = named
    assert (start.st_value, start.st_shndx) == (0, 1)
    assert (end.st_value, end.st_shndx) == (len(data), 1)
    assert (size.st_value, size.st_shndx) == (len(data), spec.SHN_ABS)
    for s in named:
        assert (s.bind, s.type, s.st_size, s.st_other) == (spec.STB_GLOBAL, spec.STT_NOTYPE, 0, 0)
    return elf


def check_with_lief(blob: bytes, data: bytes, stem: str, section: str, align: int):
    """LIEF, an independent parser, reads the same."""
    binary = lief.ELF.parse(list(blob))
    assert binary is not None
    assert binary.header.file_type == lief.ELF.Header.FILE_TYPE.REL
    sec = binary.get_section(section)
    assert bytes(sec.content) == data and sec.alignment == align
    syms = {s.name: s for s in binary.symbols if s.name.startswith("_binary_")}
    assert syms[f"_binary_{stem}_start"].value == 0
    assert syms[f"_binary_{stem}_end"].value == len(data)
    assert syms[f"_binary_{stem}_size"].value == len(data)
    assert syms[f"_binary_{stem}_size"].shndx == spec.SHN_ABS


@pytest.mark.parametrize("target", TARGETS)
def test_each_target(target):
    t = TARGETS[target]
    result = make_object(IMAGE, "remote_elf", t)
    blob = result.to_bytes()
    assert len(blob) == result.size
    check_object(blob, IMAGE, "remote_elf", t, SECTION_PREFIX + "remote_elf", 8)
    check_with_lief(blob, IMAGE, "remote_elf", SECTION_PREFIX + "remote_elf", 8)
    with io.BytesIO(blob) as f:                       # and pyelftools' own view of it
        elf = ELFFile(f)
        assert elf.get_section(1)["sh_flags"] == spec.SHF_ALLOC
        assert elf.get_section_by_name(".symtab")["sh_entsize"] == (24 if elf.elfclass == 64 else 16)


def test_section_and_align_options():
    t = TARGETS["riscv32"]
    for align in (1, 2, 4, 16, 4096):
        blob = make_object(IMAGE, "fw", t, section=".rodata.fw", align=align).to_bytes()
        check_object(blob, IMAGE, "fw", t, ".rodata.fw", align)
    blob = make_object(IMAGE, "fw", t, section=".my_images").to_bytes()
    check_object(blob, IMAGE, "fw", t, ".my_images", 8)


def test_deterministic():
    for t in TARGETS.values():
        assert make_object(IMAGE, "a_b", t).to_bytes() == make_object(bytearray(IMAGE), "a_b", t).to_bytes()


def test_image_is_not_copied():
    """The image is one of the chunks, as a view of the caller's buffer."""
    data = bytes(IMAGE)
    result = make_object(data, "remote_elf", TARGETS["arm"])
    views = [c for c in result.chunks if isinstance(c, memoryview)]
    assert len(views) == 1 and views[0].obj is data and len(views[0]) == len(data)
    assert result.image_offset == len(result.chunks[0])


def test_64_mib_streams_without_copying(tmp_path):
    """A 64 MiB image: laid out around a view of the caller's buffer (headers
    and tables are the only new bytes), and fileio streams the chunks to disk."""
    data = bytes(range(256)) * (64 << 12)             # 64 MiB
    result = make_object(data, "big_bin", TARGETS["aarch64"])
    assert any(isinstance(c, memoryview) and c.obj is data for c in result.chunks)
    assert sum(len(c) for c in result.chunks if not isinstance(c, memoryview)) < 1024
    out = tmp_path / "big.o"
    assert write_outputs([(out, result.chunks, None)]) == [result.size]
    blob = out.read_bytes()
    elf = parse_elf(blob, what="object")
    sec = elf.find_section(SECTION_PREFIX + "big_bin")
    assert sec.hdr.sh_size == len(data)
    assert elf.section_bytes(sec) == data


def test_elf32_offsets_limit(tmp_path):
    """A 4 GiB file does not fit an ELF32 object's 32-bit offsets: NoFitError,
    before any byte is touched (sparse file, mapped)."""
    big = tmp_path / "sparse.bin"
    with open(big, "wb") as f:
        f.truncate((1 << 32) - 100)
    with open(big, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        with pytest.raises(NoFitError, match=r"too large for an ELF32 object"):
            make_object(m, "sparse_bin", TARGETS["arm"])
        result = make_object(m, "sparse_bin", TARGETS["x86_64"])   # ELF64: fine
        assert result.size > 1 << 32
        del result


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"data": b""}, BadInputError, r"is empty \(0 bytes\)"),
    ({"align": 0}, UsageError, r"align 0 is not a power of two"),
    ({"align": 12}, UsageError, r"align 12 is not a power of two"),
    ({"align": 1 << 17}, UsageError, r"between 1 and 65536"),
    ({"stem": "bad-stem"}, UsageError, r"invalid stem 'bad-stem'"),
    ({"stem": ""}, UsageError, r"invalid stem ''"),
    ({"section": ""}, UsageError, r"invalid section name"),
    ({"section": ".ro data"}, UsageError, r"invalid section name"),
])
def test_refusals(kwargs, error, pattern):
    args = {"data": IMAGE, "stem": "remote_elf", "target": TARGETS["arm"], **kwargs}
    with pytest.raises(error, match=pattern):
        make_object(**args)


# ---- --like ---------------------------------------------------------------------

def test_like_copies_the_header_and_note():
    odd = Target(name="odd", elfclass=spec.ELFCLASS64, elfdata=spec.ELFDATA2MSB, e_machine=0x1234,
                 e_flags=0xDEADBEEF, ei_osabi=3, gnu_stack=True)
    template = parse_elf(make_object(b"x", "t", odd).to_bytes())
    like = target_like(template, "t.o")
    assert (like.elfclass, like.elfdata, like.e_machine, like.e_flags, like.ei_osabi, like.gnu_stack) == \
        (spec.ELFCLASS64, spec.ELFDATA2MSB, 0x1234, 0xDEADBEEF, 3, True)
    blob = make_object(IMAGE, "remote_elf", like).to_bytes()
    check_object(blob, IMAGE, "remote_elf", like, SECTION_PREFIX + "remote_elf", 8)
    plain = Target(name="plain", elfclass=spec.ELFCLASS32, elfdata=spec.ELFDATA2LSB, e_machine=40,
                   e_flags=0x5000400)
    assert target_like(parse_elf(make_object(b"x", "t", plain).to_bytes())).gnu_stack is False


@pytest.mark.parametrize("e_type, what", [(spec.ET_EXEC, "ET_EXEC"), (spec.ET_DYN, "ET_DYN")])
def test_like_refuses_linked_files(e_type, what):
    elf = parse_elf(build_host(e_type=e_type))
    with pytest.raises(BadInputError, match=rf"not a relocatable object: e_type is {what}"):
        target_like(elf, "host.elf")


# ---- warnings about the image ------------------------------------------------------

def test_warnings():
    assert image_warnings(b"\xd0\x0d\xfe\xed" + bytes(60), "board.dtb") == []      # any file is fine
    rel = make_object(IMAGE, "x", TARGETS["arm"]).to_bytes()
    msgs = image_warnings(rel, "x.o")
    assert len(msgs) == 3
    assert "relocatable object" in msgs[0] and "no PT_LOAD" in msgs[1] and ".resource_table" in msgs[2]
    msgs = image_warnings(build_remote(), "min.elf")           # PT_LOAD, no sections
    assert msgs == ["min.elf has no .resource_table section: Linux remoteproc refuses it "
                    "and remote_fw_rsc_table returns REMOTE_FW_ENORSC"]
    assert image_warnings((SAMPLES / "cortex-m3/prebuilt/remote.elf").read_bytes(), "remote.elf") == []
    broken = bytearray(build_remote())
    broken[spec.EI_VERSION] = 9
    (msg,) = image_warnings(bytes(broken), "broken.elf")
    assert msg.startswith("broken.elf: unsupported ELF version 9") and "refuse" in msg


# ---- properties ---------------------------------------------------------------------

stems = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
                min_size=1, max_size=40)


@settings(max_examples=120, deadline=None)
@given(data=st.binary(min_size=1, max_size=3000), stem=stems, target=st.sampled_from(sorted(TARGETS)),
       align_log=st.integers(0, 12), section=st.none() | st.just(".rodata.custom"))
def test_any_input_reads_back(data, stem, target, align_log, section):
    t = TARGETS[target]
    align = 1 << align_log
    result = make_object(data, stem, t, section=section, align=align)
    blob = result.to_bytes()
    assert len(blob) == result.size
    name = section or SECTION_PREFIX + stem
    check_object(blob, data, stem, t, name, align)
    assert blob == make_object(data, stem, t, section=section, align=align).to_bytes()


@settings(max_examples=25, deadline=None)
@given(data=st.binary(min_size=1, max_size=500), stem=stems, target=st.sampled_from(sorted(TARGETS)))
def test_lief_agrees(data, stem, target):
    blob = make_object(data, stem, TARGETS[target]).to_bytes()
    check_with_lief(blob, data, stem, SECTION_PREFIX + stem, 8)
