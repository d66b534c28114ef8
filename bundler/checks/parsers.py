"""The file read by a second parser (LIEF): the same sections, segments and symbols."""

from __future__ import annotations

from typing import Iterator

from bundler.checks.context import Context
from bundler.elf.model import ElfImage
from bundler.errors import BadInputError
from bundler.findings import Finding, finding


def check_second_parser(ctx: Context) -> Iterator[Finding]:
    from bundler.adapters import lief as lief_adapter    # loaded only for verify

    try:
        other = lief_adapter.read(ctx.elf.data)
    except BadInputError as exc:
        yield finding("lief-unreadable", exc.message)
        return
    for problem in compare_parsers(ctx.elf, other):
        yield finding("parser-disagree", problem)


SECTION_FIELDS = ("sh_type", "sh_flags", "sh_addr", "sh_offset", "sh_size", "sh_link", "sh_info",
                  "sh_addralign", "sh_entsize")
SEGMENT_FIELDS = ("p_type", "p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_align")


def compare_parsers(elf: ElfImage, other) -> list[str]:
    """Every difference between bundle's reading (bundler.elf.reader) and LIEF's (bundler.adapters.lief.LiefElf):
    each section, each segment, and each ``_binary_*`` symbol."""
    from bundler.adapters.lief import P_FLAGS_MODELLED, unmodelled_type
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
