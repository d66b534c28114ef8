"""The file read by two independent parsers, LIEF and pyelftools: the same sections,
segments and symbols as bundle's own reader (bundler.elf.reader) reads."""

from __future__ import annotations

from typing import Iterator

from bundler.checks.context import Context
from bundler.elf.model import ElfFile
from bundler.errors import BadInputError
from bundler.findings import Finding, finding


def check_second_parser(ctx: Context) -> Iterator[Finding]:
    from bundler.adapters import lief as lief_adapter    # loaded only for verify

    elftools = list(check_pyelftools(ctx.elf))
    try:
        other = lief_adapter.read(ctx.elf.data)
    except BadInputError as exc:
        yield finding("lief-unreadable", exc.message)
    else:
        if not other.sections and not other.segments and (ctx.elf.sections or ctx.elf.segments) \
                and not elftools:
            # LIEF takes the class and byte order from e_machine where it knows the machine
            # (EM_X86_64 is little-endian, EM_ARM 32-bit), whatever e_ident says: such a file
            # it reads as nothing. pyelftools, which reads e_ident as readelf and the loaders
            # do, agreed with bundle's reader above, so the file is sound; LIEF just cannot
            # be the second reader of it.
            lay = ctx.elf.layout
            yield finding("lief-no-reading",
                          f"LIEF reads no section and no program header: e_machine {ctx.elf.ehdr.e_machine} in "
                          f"an ELF{64 if lay.is64 else 32} {lay.byteorder}-endian file, whose "
                          "class or byte order LIEF takes from the machine instead of e_ident; pyelftools "
                          "reads what bundle reads")
        else:
            for problem in compare_parsers(ctx.elf, other):
                yield finding("parser-disagree", problem)
    yield from elftools


def check_pyelftools(elf: ElfFile) -> Iterator[Finding]:
    """pyelftools' reading of the file against bundle's: section headers, PT_LOADs,
    ``_binary_*`` symbols and the descriptor section's bytes."""
    from bundler.adapters import pyelftools as elftools_adapter    # loaded only for verify

    try:
        other = elftools_adapter.read(elf.data)
    except BadInputError as exc:
        yield finding("pyelftools-unreadable", exc.message)
        return
    for problem in elftools_adapter.differences(elf, other):
        yield finding("pyelftools-disagree", problem)


def compare_parsers(elf: ElfFile, other) -> list[str]:
    """Every difference between bundle's reading and LIEF's (:func:`bundler.adapters.lief.differences`)."""
    from bundler.adapters.lief import differences
    return differences(elf, other)
