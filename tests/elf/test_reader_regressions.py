"""bundler.elf.reader on headers that hypothesis found broke it (tests/cli/test_mutations.py)."""

from __future__ import annotations

import pytest

from bundler.elf import spec
from bundler.elf.reader import parse_elf
from bundler.errors import BadInputError
from tests.support.elf import build_host


@pytest.mark.parametrize("elfclass", [spec.ELFCLASS32, spec.ELFCLASS64])
def test_a_section_count_of_zero_with_a_name_table_index_is_bad_input(elfclass):
    """e_shnum 0 (and section 0's sh_size 0) while e_shstrndx names a section: once an IndexError."""
    data = bytearray(build_host(elfclass=elfclass))
    lay = spec.Layout(elfclass, spec.ELFDATA2LSB)
    ehdr = lay.ehdr.unpack(data)
    assert ehdr.e_shstrndx and ehdr.e_shoff
    data[:lay.ehdr.size] = lay.ehdr.pack(spec.Ehdr(**{**ehdr.__dict__, "e_shnum": 0}))
    with pytest.raises(BadInputError, match="e_shstrndx .* is not below the section count 0"):
        parse_elf(bytes(data))
