"""pyelftools adapter: a third reading of an ELF file, for verify, beside LIEF's.

The only module that imports pyelftools (``elftools``); every failure of it
becomes BadInputError here. pyelftools is the parser most Python ELF tools
use, with its own record layouts (``ELFStructs``) and its own reader
(``struct_parse``), so it shares no code with ``bundler.elf.reader``.

It reads what decides whether a host finds and loads its images: every
section header (name, type, flags, address, offset, size), every PT_LOAD, the
``_binary_*`` symbols of ``.symtab``, and the bytes of the descriptor section
(``remote_fw_desc``). Section and program headers are read as records, one
by one, through ``ELFFile.structs``: ``ELFFile.iter_sections`` and
``iter_segments`` build an object per section and segment, and refuse files
every loader accepts (a ``.dynsym`` with ``sh_link`` 0, as Debian's U-Boot is
linked). :func:`differences` compares this reading with bundle's, so what
pyelftools models (its enum names for types) is known here only.

Bytes go in as ``io.BytesIO``: pyelftools reads a stream.
"""

from __future__ import annotations

import io

from elftools.common.utils import struct_parse
from elftools.elf import enums
from elftools.elf.elffile import ELFFile

from bundler.elf.spec import Phdr
from bundler.errors import BadInputError
from bundler.records import FrozenRecord

DESCRIPTOR_SECTION = "remote_fw_desc"       # linker/remote_fw.h, bundler/postlink/descriptor.py
PT_LOAD = 1
SHT_NULL, SHT_SYMTAB, SHT_NOBITS = 0, 2, 8

# pyelftools gives types, binds and special section indices as names where it
# knows them (per machine for processor-specific types), else as the number.
_SH_TYPES = {name: value for table in (enums.ENUM_SH_TYPE_BASE, enums.ENUM_SH_TYPE_AMD64, enums.ENUM_SH_TYPE_ARM,
                                       enums.ENUM_SH_TYPE_AARCH64, enums.ENUM_SH_TYPE_RISCV, enums.ENUM_SH_TYPE_MIPS)
             for name, value in table.items() if name != "_default_"}
_P_TYPES = {name: value for table in (enums.ENUM_P_TYPE_BASE, enums.ENUM_P_TYPE_ARM, enums.ENUM_P_TYPE_AARCH64,
                                      enums.ENUM_P_TYPE_MIPS, enums.ENUM_P_TYPE_RISCV)
            for name, value in table.items() if name != "_default_"}
_BINDS = {k: v for k, v in enums.ENUM_ST_INFO_BIND.items() if k != "_default_"}
_SYM_TYPES = {k: v for k, v in enums.ENUM_ST_INFO_TYPE.items() if k != "_default_"}
_SHNDX = {k: v for k, v in enums.ENUM_ST_SHNDX.items() if k != "_default_"}
_UNREADABLE_HINT = "the file is corrupt in a way bundle's reader tolerates"


class ElftoolsSection(FrozenRecord):
    index: int
    name: str
    sh_type: int | None         # None: a name pyelftools gives that this adapter cannot map back
    sh_flags: int
    sh_addr: int
    sh_offset: int
    sh_size: int


class ElftoolsSymbol(FrozenRecord):
    name: str
    st_value: int
    st_size: int
    bind: int | None
    type: int | None
    st_shndx: int | None


class ElftoolsElf(FrozenRecord):
    sections: list[ElftoolsSection]
    loads: list[Phdr]                    # the PT_LOAD program headers, in table order
    symbols: list[ElftoolsSymbol]        # the _binary_* symbols of .symtab
    descriptors: bytes | None            # the bytes of the remote_fw_desc section, None without one


def _number(value, names: dict) -> int | None:
    return value if isinstance(value, int) else names.get(value)


def read(data: bytes | memoryview, *, what: str = "ELF file") -> ElftoolsElf:
    """What pyelftools reads in ``data``; BadInputError if it cannot read it."""
    try:
        return _read(io.BytesIO(data))
    except BadInputError:
        raise
    except Exception as exc:  # ELFError, ELFParseError, construct's and builtin errors: all mean "unreadable"
        raise BadInputError(f"pyelftools cannot read this {what}: {type(exc).__name__}: {exc}",
                            hint=_UNREADABLE_HINT) from exc


def _read(stream: io.BytesIO) -> ElftoolsElf:
    elf = ELFFile(stream)
    sections = _sections(elf, stream)
    loads = []
    for i in range(elf.num_segments()):
        h = struct_parse(elf.structs.Elf_Phdr, stream, elf["e_phoff"] + i * elf["e_phentsize"])
        if _number(h["p_type"], _P_TYPES) == PT_LOAD:
            loads.append(Phdr(p_type=PT_LOAD, p_flags=h["p_flags"], p_offset=h["p_offset"],
                              p_vaddr=h["p_vaddr"], p_paddr=h["p_paddr"], p_filesz=h["p_filesz"],
                              p_memsz=h["p_memsz"], p_align=h["p_align"]))
    # the symbol table is the (first) SHT_SYMTAB section, whatever its name, as the gABI has it
    symtab = next((sec for sec in sections if sec.sh_type == SHT_SYMTAB), None)
    symbols = [] if symtab is None else [_symbol(s) for s in elf.get_section(symtab.index).iter_symbols()
                                         if s.name.startswith("_binary_")]
    desc = next((sec for sec in sections if sec.index and sec.name == DESCRIPTOR_SECTION), None)
    has_bytes = desc is not None and desc.sh_type not in (SHT_NULL, SHT_NOBITS)     # the gABI: no file bytes
    descriptors = bytes(elf.get_section(desc.index).data()) if has_bytes else None
    return ElftoolsElf(sections=sections, loads=loads, symbols=symbols, descriptors=descriptors)


def _sections(elf: ELFFile, stream: io.BytesIO) -> list[ElftoolsSection]:
    count = elf.num_sections()
    if not count:
        return []
    names = elf.get_section(elf.get_shstrndx())
    out = []
    for i in range(count):
        h = struct_parse(elf.structs.Elf_Shdr, stream, elf["e_shoff"] + i * elf["e_shentsize"])
        out.append(ElftoolsSection(index=i, name=names.get_string(h["sh_name"]) if i else "",
                                   sh_type=_number(h["sh_type"], _SH_TYPES), sh_flags=h["sh_flags"],
                                   sh_addr=h["sh_addr"], sh_offset=h["sh_offset"], sh_size=h["sh_size"]))
    return out


def _symbol(s) -> ElftoolsSymbol:
    return ElftoolsSymbol(name=s.name, st_value=s["st_value"], st_size=s["st_size"],
                          bind=_number(s["st_info"]["bind"], _BINDS), type=_number(s["st_info"]["type"], _SYM_TYPES),
                          st_shndx=_number(s["st_shndx"], _SHNDX))


# ---- what pyelftools can tell us, compared with bundle's own reading ----------

SECTION_FIELDS = ("sh_type", "sh_flags", "sh_addr", "sh_offset", "sh_size")
SEGMENT_FIELDS = ("p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_align")


def differences(elf, other: ElftoolsElf) -> list[str]:
    """Every difference between bundle's reading (bundler.elf.reader) and pyelftools':
    each section header, each PT_LOAD, the ``_binary_*`` symbols and the descriptor bytes."""
    out = []
    if len(other.sections) != len(elf.sections):
        out.append(f"bundle reads {len(elf.sections)} sections, pyelftools {len(other.sections)}")
    for sec, theirs in zip(elf.sections, other.sections):
        diffs = [f"{f} {getattr(sec.hdr, f):#x} / {getattr(theirs, f):#x}" for f in SECTION_FIELDS
                 if getattr(theirs, f) is not None and getattr(sec.hdr, f) != getattr(theirs, f)]
        if sec.index and sec.name != theirs.name:
            diffs.insert(0, f"name {sec.name!r} / {theirs.name!r}")
        if diffs:
            out.append(f"section {sec.index} ({sec.name or 'null'}), bundle / pyelftools: " + ", ".join(diffs))
    ours = [p for p in elf.segments if p.p_type == PT_LOAD]
    if len(other.loads) != len(ours):
        out.append(f"bundle reads {len(ours)} PT_LOADs, pyelftools {len(other.loads)}")
    for i, (p, theirs) in enumerate(zip(ours, other.loads)):
        diffs = [f"{f} {getattr(p, f):#x} / {getattr(theirs, f):#x}" for f in SEGMENT_FIELDS
                 if getattr(p, f) != getattr(theirs, f)]
        if diffs:
            out.append(f"PT_LOAD {i}, bundle / pyelftools: " + ", ".join(diffs))
    out += _symbol_differences(elf, other)
    desc = elf.find_section(DESCRIPTOR_SECTION)
    mine = bytes(elf.section_bytes(desc)) if desc is not None and desc.has_file_bytes else None
    if mine != other.descriptors:
        out.append(f"the {DESCRIPTOR_SECTION} section's bytes differ: bundle reads "
                   f"{_bytes_text(mine)}, pyelftools {_bytes_text(other.descriptors)}")
    return out


def _symbol_differences(elf, other: ElftoolsElf) -> list[str]:
    ours = sorted((s.name, s.st_value, s.st_size, s.bind, s.type, s.st_shndx)
                  for s in elf.symbols if s.name.startswith("_binary_"))
    theirs = sorted((s.name, s.st_value, s.st_size, s.bind, s.type, s.st_shndx) for s in other.symbols)
    if ours == theirs:
        return []
    only_ours = [s for s in ours if s not in theirs]
    only_theirs = [s for s in theirs if s not in ours]
    return ["_binary_ symbols differ: bundle only " + _symbols_text(only_ours)
            + "; pyelftools only " + _symbols_text(only_theirs)]


def _symbols_text(symbols) -> str:
    if not symbols:
        return "none"
    return ", ".join(f"{name}={value:#x} size {size} bind {bind} type {typ} shndx {shndx}"
                     for name, value, size, bind, typ, shndx in symbols)


def _bytes_text(data: bytes | None) -> str:
    if data is None:
        return "no section"
    return f"{len(data)} bytes ({data[:16].hex()}{'...' if len(data) > 16 else ''})"
