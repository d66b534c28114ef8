"""``bundle map`` draws every image of the loader corpus (the samples' remotes built from
source with their cross toolchains, the copy linked one page below its RAM, the big-endian
Cortex-M3 build), with each board's memory: every PT_LOAD at its p_paddr, every carveout,
trace buffer and vring at its da, and the misplaced copy's findings in red where they are."""

from __future__ import annotations

import re

import pytest

import bundler
from bundler.remoteproc import rsc_table
from bundler.elf.reader import parse_elf
from bundler.loaders.resources import iter_regions
from tests.loaders.boards import board_memory

pytestmark = pytest.mark.toolchain


def drawn(text: str) -> set[tuple[str, int, int]]:
    """(kind, start, size) of every range box in the picture, from each box's title."""
    out = set()
    for kind, a, b in re.findall(r'<g class="range k-([a-z_]+)[^"]*" data-i="\d+" data-view="elf"><title>'
                                 r"[^\n]*\n0x([0-9a-f]+) \.\. 0x([0-9a-f]+)", text):
        out.add((kind, int(a, 16), int(b, 16) - int(a, 16)))
    return out


def test_every_loader_image_drawn(built):
    for sample, images in built.items():
        for label, data in images.items():
            text = bundler.draw_map(data, memory=board_memory(sample))
            elf = parse_elf(data)
            got = drawn(text)
            for p in elf.segments:
                if p.p_type == 1:
                    assert ("segment", p.p_paddr, p.p_memsz) in got, (sample, label, hex(p.p_paddr))
            _, table = rsc_table.find_table(elf)
            for kind, _, da, size, _ in iter_regions(table.to_dict()["entries"]):
                assert (kind, da, size) in got, (sample, label, kind, hex(da))
            assert (" sev-error\"" in text) == (label == "outside"), (sample, label)


# the loader rule tables of this directory: every damaged image they hold (as tests/linuxjudge reads them)
TABLES = (("linux", "test_linux", "CASES"), ("linux", "test_memory", "LINUX_CASES"),
          ("linux", "test_memory", "CASES"), ("uboot", "test_uboot", "CASES"),
          ("openamp", "test_openamp", "CASES"), ("kit", "test_kit", "CASES"))


def table_cases():
    import importlib
    for loader, module, attr in TABLES:
        for case in getattr(importlib.import_module(f"tests.loaders.{module}"), attr):
            yield loader, case


def test_every_damaged_image_drawn(built):
    """Each case of each loader's table, damaged as the table damages it and checked by that
    loader on its board: drawn whenever it starts with the ELF magic (as verify judges it), every
    finding of the loader in the picture with its code."""
    import xml.etree.ElementTree as ET
    from bundler.loaders import check_firmware
    drawn_cases = 0
    for loader, case in table_cases():
        for sample, images in built.items():
            if case.only and sample not in case.only:
                continue
            damaged = case.damage(images["remote"])
            memory = case.memory(sample) if case.memory is not None else None
            if case.host is not None:
                continue                # a host of another byte order or word size: the API's, not map's
            if damaged[:4] != b"\x7fELF":     # not ELF at all: bad input, for map as for verify
                with pytest.raises(bundler.BadInputError):
                    bundler.draw_map(damaged, loader=loader, memory=memory)
                continue
            text = bundler.draw_map(damaged, loader=loader, memory=memory)
            ET.fromstring(text)
            for f in check_firmware(damaged, loader, memory):
                assert f"[{f.code}]" in text, (loader, case.id, sample, f.code)
            drawn_cases += 1
    assert drawn_cases > 150
