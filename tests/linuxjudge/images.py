"""The images the judge loads: every damaged image of tests/loaders' rule tables (the
samples' remotes built from source, one field changed), the remotes linked a page
outside their memory, and the production corpus (tests/linuxjudge/corpus.py).

What it owns: turning each table case into an :class:`~tests.linuxjudge.judge.Image`
with the board it is judged on (the case's memory; the sample's board where the
case gives none, since the driver always has some memory) and dropping
duplicates (the same bytes on the same board are one image).
"""

from __future__ import annotations

import hashlib

from bundler.remoteproc.memory import MemoryMap, MemoryRange
from bundler.elf import spec
from tests.linuxjudge.judge import Image, regions_param
from tests.loaders.boards import BOARDS, board_memory

# Tables whose cases the judge runs, by module (each has CASES; test_memory has LINUX_CASES too)
TABLES = (("linux", "test_linux", "CASES"), ("memory", "test_memory", "LINUX_CASES"),
          ("memory", "test_memory", "CASES"), ("uboot", "test_uboot", "CASES"),
          ("openamp", "test_openamp", "CASES"), ("kit", "test_kit", "CASES"))


def table_cases():
    """(table name, Case) for every case of every table above."""
    import importlib
    for name, module, attr in TABLES:
        mod = importlib.import_module(f"tests.loaders.{module}")
        for case in getattr(mod, attr):
            yield name, case


def _runs_on_the_judge(case) -> bool:
    """The judge is a 64-bit little-endian host: a case written for another host is not its question."""
    return case.host is None or (case.host.byteorder, case.host.bits) == ("little", 64)


def table_images(built: dict[str, dict[str, bytes]]) -> list[Image]:
    images, seen = [], set()

    def add(label, data, memory, origin):
        key = (hashlib.sha256(data).digest(), regions_param(memory))
        if key in seen:
            return
        seen.add(key)
        images.append(Image(label=label, data=data, memory=memory, origin=origin))

    for sample in BOARDS:
        data = built[sample]["remote"]
        for table, case in table_cases():
            if (case.only and sample not in case.only) or not _runs_on_the_judge(case):
                continue
            memory = case.memory(sample) if case.memory is not None else board_memory(sample)
            add(f"{sample} / {table}: {case.id}", case.damage(data), memory,
                {"sample": sample, "table": table, "case": case.id})
        add(f"{sample}: linked a page below its RAM", built[sample]["outside"], board_memory(sample),
            {"sample": sample, "table": "outside"})
        if "big-endian" in built[sample]:
            add(f"{sample}: built big-endian", built[sample]["big-endian"], board_memory(sample),
                {"sample": sample, "table": "big-endian"})
    return images


def loads_board(data: bytes, limit: int = 0x8000000) -> MemoryMap | None:
    """The board a production image was linked for: its PT_LOADs (p_paddr, p_memsz), page-rounded and
    merged; None when they need more than ``limit`` bytes of backing memory or the image has none."""
    if len(data) < 52 or data[:4] != spec.ELFMAG or data[spec.EI_CLASS] not in (1, 2) or data[spec.EI_DATA] != 1:
        return None
    lay = spec.Layout(data[spec.EI_CLASS], data[spec.EI_DATA])
    h = lay.ehdr.unpack(data)
    spans = []
    for i in range(h.e_phnum):
        at = h.e_phoff + i * lay.phdr.size
        if at + lay.phdr.size > len(data):
            break
        p = lay.phdr.unpack(data, at)
        if p.p_type == spec.PT_LOAD and p.p_memsz:
            start = p.p_paddr & ~0xFFF
            spans.append([start, (p.p_paddr + p.p_memsz + 0xFFF) & ~0xFFF])
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    if not merged or len(merged) > 8 or sum(e - s for s, e in merged) > limit:
        return None
    return MemoryMap(ranges=[MemoryRange(s, e - s, f"load{i}") for i, (s, e) in enumerate(merged)], source="PT_LOADs")
