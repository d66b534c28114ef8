"""The samples' boards as the loader tests see them: each remote's RAM, shared
memory and vrings (checked against samples/<sample>/common/memmap.h), and the
memory map a board gives the remote core."""

from __future__ import annotations

import re

from bundler.remoteproc.memory import MemoryMap, MemoryRange
from tests.support.paths import SAMPLES

PAGE = 0x1000

# sample: (cross compiler, remote RAM base, size, shared memory base, size, vrings' da)
BOARDS = {
    "cortex-m3": ("arm-none-eabi-gcc", 0x20200000, 0x40000, 0x20300000, 0x10000, (0x20300000, 0x20304000)),
    "riscv64-amp": ("riscv64-unknown-elf-gcc", 0x80200000, 0x100000, 0x80300000, 0x10000, (0x80301000, 0x80305000)),
    "aarch64-amp": ("aarch64-linux-gnu-gcc", 0x40400000, 0x100000, 0x40500000, 0x10000, (0x40501000, 0x40505000)),
}


def board_memory(sample: str) -> MemoryMap:
    _, ram, ram_size, shm, shm_size, _ = BOARDS[sample]
    return MemoryMap([MemoryRange(ram, ram_size, "remote-ram"), MemoryRange(shm, shm_size, "shm")])


def check_memmap(sample: str) -> None:
    """The board table above says what samples/<sample>/common/memmap.h says."""
    text = (SAMPLES / sample / "common" / "memmap.h").read_text()

    def value(name):
        m = re.search(rf"#define {name}\s+(?:UL\()?(0x[0-9a-fA-F]+)", text)
        return int(m.group(1), 16)

    _, ram, ram_size, shm, shm_size, _ = BOARDS[sample]
    assert (value("REMOTE_RAM_BASE"), value("REMOTE_RAM_SIZE"), value("SHM_BASE"), value("SHM_SIZE")) == \
        (ram, ram_size, shm, shm_size)
