"""What the samples' own headers say about their boards: the remote core's memory.

``samples/<sample>/common/memmap.h`` is the one source of each board's map
(the sample's linker scripts and resource tables are built from it); tests
that need the memory a remote core can reach read it from there.
"""

from __future__ import annotations

import re

from tests.support.paths import SAMPLES

# the samples with prebuilt host and remote ELFs (samples/<name>/prebuilt)
PREBUILT = ("cortex-m3", "aarch64-amp", "riscv64-amp")


def memmap_value(sample: str, name: str) -> int:
    """The value of ``#define NAME 0x...`` (or ``UL(0x...)``) in the sample's common/memmap.h."""
    text = (SAMPLES / sample / "common" / "memmap.h").read_text()
    m = re.search(rf"#define {name}\s+(?:UL\()?(0x[0-9a-fA-F]+)", text)
    if m is None:
        raise KeyError(f"samples/{sample}/common/memmap.h defines no {name}")
    return int(m.group(1), 16)


def remote_memory(sample: str) -> list[str]:
    """The remote core's RAM and the shared memory, as ``--memory START:SIZE:NAME`` values."""
    return [f"{memmap_value(sample, 'REMOTE_RAM_BASE'):#x}:{memmap_value(sample, 'REMOTE_RAM_SIZE'):#x}:remote-ram",
            f"{memmap_value(sample, 'SHM_BASE'):#x}:{memmap_value(sample, 'SHM_SIZE'):#x}:shm"]
