"""The file read by a second parser (LIEF): the same sections, segments and symbols."""

from __future__ import annotations

from typing import Iterator

from bundler.checks.context import Context
from bundler.elf.model import ElfFile
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


def compare_parsers(elf: ElfFile, other) -> list[str]:
    """Every difference between bundle's reading and LIEF's (:func:`bundler.adapters.lief.differences`)."""
    from bundler.adapters.lief import differences
    return differences(elf, other)
