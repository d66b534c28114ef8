"""No image makes a loader profile raise: random bytes overwritten anywhere in the
samples' remotes, every profile and every driver profile (verify --driver), with and
without memory, ends in findings."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.elf import spec
from bundler.loaders import PROFILES, Host, check_firmware
from bundler.loaders.drivers import DRIVERS
from bundler.loaders.resources import find_table_section
from tests.loaders.boards import BOARDS, board_memory

pytestmark = pytest.mark.toolchain


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sample=st.sampled_from(list(BOARDS)), part=st.sampled_from(["ehdr", "phdrs", "shdrs", "table", "any"]),
       at=st.floats(0, 1), patch=st.binary(min_size=1, max_size=16), cut=st.one_of(st.none(), st.floats(0, 1)),
       bits=st.sampled_from([32, 64]))
def test_profiles_never_raise(corpus, sample, part, at, patch, cut, bits):
    """Patches aimed at the headers, the header tables and the resource table as often as anywhere else."""
    data = bytearray(corpus[sample])
    start, length = _part(bytes(data), part)
    where = start + int(at * max(length - 1, 0))
    data[where:where + len(patch)] = patch
    if cut is not None:
        data = data[:int(cut * len(data))]
    for loader in PROFILES:
        for memory in (None, board_memory(sample)):
            for f in check_firmware(bytes(data), loader, memory, host=Host("little", bits)):
                assert f.severity in ("error", "warning") and f.code and f.message
    for driver in DRIVERS:                                  # verify --driver: each driver's own rules too
        for memory in (None, board_memory(sample)):
            for f in check_firmware(bytes(data), "linux", memory, host=Host("little", bits), driver=driver):
                assert f.severity in ("error", "warning") and f.code and f.message


def _part(data: bytes, part: str) -> tuple[int, int]:
    lay = spec.Layout(data[spec.EI_CLASS], data[spec.EI_DATA])
    h = lay.ehdr.unpack(data)
    if part == "ehdr":
        return 0, lay.ehdr.size
    if part == "phdrs":
        return h.e_phoff, h.e_phnum * lay.phdr.size
    if part == "shdrs":
        return h.e_shoff, h.e_shnum * lay.shdr.size
    if part == "table":
        off, size, _ = find_table_section(data)
        return off, size
    return 0, len(data)
