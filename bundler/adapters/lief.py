"""LIEF adapter: the independent second reading of an ELF file, for verify.

The only module that imports LIEF; its failures become BadInputError here.
It returns what LIEF read (every section header with its name, every program
header, every symbol of .symtab) in the spec's field names, so that verify
can compare it with bundle's own reading (bundler.elf.reader) field by field:
:func:`differences` does that comparison, so what LIEF models and what it
cannot (``P_FLAGS_MODELLED``, ``unmodelled_type``) is known here only.

Bytes go in as ``io.BytesIO``: LIEF reads the stream directly. Measured with
LIEF 1.0.0 on a 64 MiB bundle: BytesIO 0.04 s, a path 0.04-0.16 s, ``bytes``
0.4 s (it is copied into a vector first), a ``memoryview`` is refused
(parse returns None) and a list of ints is far slower still.
"""

from __future__ import annotations

import io
import warnings

import lief

from bundler.elf.spec import Phdr
from bundler.errors import BadInputError
from bundler.records import FrozenRecord


# LIEF's Segment.FLAGS models R, W and X only: other p_flags bits (PF_MASKOS,
# PF_MASKPROC) read back as 0, so comparisons with LIEF use this mask.
P_FLAGS_MODELLED = 0x7
# LIEF names processor-specific section and segment types (0x70000000 to
# 0x7fffffff) only for the e_machine values it knows; for others it reads back
# 0 (sections) or its UNKNOWN, 0xffffffff (segments).
LOPROC, HIPROC = 0x70000000, 0x7FFFFFFF
_UNMODELLED = (0, 0xFFFFFFFF)


def unmodelled_type(ours: int, theirs: int) -> bool:
    """True where LIEF's value for a processor-specific type means "not modelled", not "differs"."""
    return theirs in _UNMODELLED and LOPROC <= ours <= HIPROC

lief.logging.disable()

# LIEF tags processor-specific section and segment types with the
# architecture above bit 32 (SHT_ARM_ATTRIBUTES reads 0x170000003): the ELF
# field is the low 32 bits.
_TYPE_MASK = 0xFFFFFFFF


class LiefSection(FrozenRecord):
    name: str
    sh_type: int
    sh_flags: int
    sh_addr: int
    sh_offset: int
    sh_size: int
    sh_link: int
    sh_info: int
    sh_addralign: int
    sh_entsize: int


class LiefSymbol(FrozenRecord):
    name: str
    st_value: int
    st_size: int
    bind: int
    type: int
    st_shndx: int


class LiefElf(FrozenRecord):
    sections: list[LiefSection]
    segments: list[Phdr]
    symbols: list[LiefSymbol]


def _text(name) -> str:
    """LIEF gives a name that is not UTF-8 as bytes; decode it as bundle's reader does (invalid UTF-8 replaced)."""
    return name.decode("utf-8", errors="replace") if isinstance(name, bytes) else name


def _config():
    cfg = lief.ELF.ParserConfig()
    cfg.parse_relocations = False
    cfg.parse_dyn_symbols = False
    cfg.parse_symbol_versions = False
    cfg.parse_notes = False
    cfg.parse_overlay = False
    cfg.parse_symtab_symbols = True
    return cfg


def read(data: bytes | memoryview, *, what: str = "ELF file") -> LiefElf:
    """What LIEF reads in ``data``; BadInputError if it cannot read it."""
    try:
        with warnings.catch_warnings():
            # LIEF warns (RuntimeWarning) for every type value its enums do not name
            warnings.simplefilter("ignore")
            return _read(data, what)
    except BadInputError:
        raise
    except Exception as exc:  # LIEF raises its own and builtin types; all mean "unreadable"
        raise BadInputError(f"LIEF cannot read this {what}: {type(exc).__name__}: {exc}",
                            hint="the file is corrupt in a way bundle's reader tolerates") from exc


def _read(data, what: str) -> LiefElf:
    binary = lief.ELF.parse(io.BytesIO(data), _config())
    if binary is None:
        raise BadInputError(f"LIEF cannot read this {what}",
                            hint="the file is corrupt in a way bundle's reader tolerates")
    sections = [LiefSection(name=_text(s.name), sh_type=int(s.type) & _TYPE_MASK, sh_flags=int(s.flags),
                            sh_addr=s.virtual_address, sh_offset=s.offset, sh_size=s.size,
                            sh_link=s.link, sh_info=s.information, sh_addralign=s.alignment,
                            sh_entsize=s.entry_size)
                for s in binary.sections]
    segments = [Phdr(p_type=int(p.type) & _TYPE_MASK, p_flags=int(p.flags),
                     p_offset=p.file_offset, p_vaddr=p.virtual_address,
                     p_paddr=p.physical_address, p_filesz=p.physical_size,
                     p_memsz=p.virtual_size, p_align=p.alignment)
                for p in binary.segments]
    symbols = [LiefSymbol(name=_text(s.name), st_value=s.value, st_size=s.size, bind=int(s.binding),
                          type=int(s.type), st_shndx=s.shndx)
               for s in binary.symtab_symbols]
    return LiefElf(sections=sections, segments=segments, symbols=symbols)


# ---- what LIEF can tell us, compared with bundle's own reading -----------------

SECTION_FIELDS = ("sh_type", "sh_flags", "sh_addr", "sh_offset", "sh_size", "sh_link", "sh_info",
                  "sh_addralign", "sh_entsize")
SEGMENT_FIELDS = ("p_type", "p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_align")


def differences(elf, other: "LiefElf") -> list[str]:
    """Every difference between bundle's reading (bundler.elf.reader) and LIEF's (bundler.adapters.lief.LiefElf):
    each section, each segment, and each ``_binary_*`` symbol."""
    out = []
    if len(other.sections) != len(elf.sections):
        out.append(f"bundle reads {len(elf.sections)} sections, LIEF {len(other.sections)}")
    for sec, theirs in zip(elf.sections, other.sections):
        diffs = [f"{f} {getattr(sec.hdr, f):#x} / {getattr(theirs, f):#x}" for f in SECTION_FIELDS
                 if getattr(sec.hdr, f) != getattr(theirs, f)
                 and not (f == "sh_type" and unmodelled_type(sec.hdr.sh_type, theirs.sh_type))]
        if sec.name != theirs.name:
            diffs.insert(0, f"name {sec.name!r} / {theirs.name!r}")
        if diffs:
            out.append(f"section {sec.index} ({sec.name or 'null'}), bundle / LIEF: " + ", ".join(diffs))
    if len(other.segments) != len(elf.segments):
        out.append(f"bundle reads {len(elf.segments)} program headers, LIEF {len(other.segments)}")
    for i, (p, theirs) in enumerate(zip(elf.segments, other.segments)):
        mine = {f: getattr(p, f) for f in SEGMENT_FIELDS}
        mine["p_flags"] &= P_FLAGS_MODELLED      # all that LIEF can tell us
        diffs = [f"{f} {mine[f]:#x} / {getattr(theirs, f):#x}" for f in SEGMENT_FIELDS
                 if mine[f] != getattr(theirs, f)
                 and not (f == "p_type" and unmodelled_type(mine[f], theirs.p_type))]
        if diffs:
            out.append(f"segment {i}, bundle / LIEF: " + ", ".join(diffs))
    ours = sorted((s.name, s.st_value, s.st_size, s.bind, s.type, s.st_shndx)
                  for s in elf.symbols if s.name.startswith("_binary_"))
    theirs = sorted((s.name, s.st_value, s.st_size, s.bind, s.type, s.st_shndx)
                    for s in other.symbols if s.name.startswith("_binary_"))
    if ours != theirs:
        only_ours = [s for s in ours if s not in theirs]
        only_theirs = [s for s in theirs if s not in ours]
        out.append("_binary_ symbols differ: bundle only " + _symbols_text(only_ours)
                   + "; LIEF only " + _symbols_text(only_theirs))
    return out


def _symbols_text(symbols) -> str:
    if not symbols:
        return "none"
    return ", ".join(f"{name}={value:#x} size {size} bind {bind} type {typ} shndx {shndx}"
                     for name, value, size, bind, typ, shndx in symbols)
