"""Fixtures for the loader-profile tests: the corpus of remote firmware built with
the real cross toolchains from the samples' sources (plus a copy linked one page
below its reserved memory), each sample's memory map, the kit's sanitizer
driver and the native OpenAMP harness.

Everything is built once per session under a temporary directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bundler.memory import MemoryMap, MemoryRange
from tests.buildsys.conftest import copy_sample, make
from tests.conftest import SAMPLES, need_tool

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


def _check_memmap(sample: str) -> None:
    """The board table above says what samples/<sample>/common/memmap.h says."""
    text = (SAMPLES / sample / "common" / "memmap.h").read_text()

    def value(name):
        m = re.search(rf"#define {name}\s+(?:UL\()?(0x[0-9a-fA-F]+)", text)
        return int(m.group(1), 16)

    _, ram, ram_size, shm, shm_size, _ = BOARDS[sample]
    assert (value("REMOTE_RAM_BASE"), value("REMOTE_RAM_SIZE"), value("SHM_BASE"), value("SHM_SIZE")) == \
        (ram, ram_size, shm, shm_size)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """{sample: {"remote": bytes, "outside": bytes}}: the sample's remote built from source with
    its cross toolchain, and the same objects linked at ORIGIN - one page (4 KiB)."""
    out = {}
    root = tmp_path_factory.mktemp("loader-corpus")
    for sample, (cc, ram, ram_size, *_rest) in BOARDS.items():
        need_tool("make", cc)
        _check_memmap(sample)
        where = copy_sample(sample, root / sample)
        script = where / "remote" / "remote-bad.ld"
        script.write_text("MEMORY\n{\n        RAM (rwx) : ORIGIN = %#x, LENGTH = %#x\n}\n\n"
                          "INCLUDE remote-sections.ld\n" % (ram - PAGE, ram_size))
        make(where, "build/remote.elf", "build/remote-bad.elf", flags=("-j2",))
        out[sample] = {"remote": (where / "build" / "remote.elf").read_bytes(),
                       "outside": (where / "build" / "remote-bad.elf").read_bytes()}
        if sample == "cortex-m3":       # the same remote built big-endian (BE8)
            make(where, "build-be/remote.elf", flags=("-j2",), BUILD="build-be",
                 ARCH="-mcpu=cortex-m3 -mthumb -mbig-endian")
            out[sample]["big-endian"] = (where / "build-be" / "remote.elf").read_bytes()
    return out


@pytest.fixture(scope="session")
def corpus(built) -> dict[str, bytes]:
    """{sample: the remote built from source}."""
    return {s: v["remote"] for s, v in built.items()}


@pytest.fixture(scope="session")
def openamp_load(tmp_path_factory) -> Path:
    """The native OpenAMP harness (tests/loaders/openamp_native.py), built once."""
    from tests.loaders import openamp_native

    need_tool("cmake", "ninja", "gcc")
    return openamp_native.build_harness(tmp_path_factory.mktemp("openamp"))


@pytest.fixture(scope="session")
def kit_driver(tmp_path_factory) -> Path:
    """tests/kit's sanitizer-built driver: remote_fw_rsc_table and remote_fw_load on each image."""
    from tests.kit import kit_native

    need_tool("gcc")
    return kit_native.build_driver(tmp_path_factory.mktemp("kit-driver"))
