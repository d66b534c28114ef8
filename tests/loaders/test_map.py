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


def boxes(text: str, view: str) -> dict[str, tuple[int, int]]:
    """name -> (start, size) of the ranges drawn in ``view``, from their titles."""
    found = re.findall(rf'data-view="{re.escape(view)}"><title>([^\n]*) \([a-z_]+\)\n0x([0-9a-f]+) \.\. 0x([0-9a-f]+)',
                       text)
    return {name: (int(a, 16), int(b, 16) - int(a, 16)) for name, a, b in found}


def test_real_boards_drawn_with_their_drivers(boards):
    """The real boards of test_real_boards.py through map with --dtb/--node: the node's compatible
    chooses the driver; on the STM32MP157 the M4's RETRAM at device 0x0 is drawn in the system column
    at 0x38000000 with the firmware's code segment there; the copy linked a page off is drawn in red
    with Linux's words; behind the DRA7's IOMMU only the IPU's own L2RAM has a system address, and
    no range of the firmware (in carveouts the IOMMU maps) is translated."""
    from bundler.cli import main
    for board, (dtb, node, elfs) in sorted(boards.items()):
        for image, elf in sorted(elfs.items()):
            out = elf.with_suffix(".svg")
            assert main(["map", str(elf), "-o", str(out), "--dtb", str(dtb), "--node", node]) == 0
            text = out.read_text()
            views = re.findall(r'<rect class="col" data-view="([^"]+)"', text)
            assert (" sev-error\"" in text) == (image == "outside"), (board, image)
            if image == "outside":
                assert "bad phdr da 0x" in text
            if board == "stm32mp157":
                assert views == ["elf", "memory", "system"]
                system = boxes(text, "system")
                assert system["retram"] == (0x38000000, 0x10000)
                if image == "fits":             # the code segment, in RETRAM
                    name, code = next((n, b) for n, b in boxes(text, "elf").items() if n.startswith("segment 0 "))
                    assert system[name] == (0x38000000 + code[0], code[1])
            if board.startswith("dra7"):
                assert views == ["elf", "memory", "system"]
                assert list(boxes(text, "system")) == ["l2ram"]
