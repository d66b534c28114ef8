"""Fixtures for the loader-profile tests: the corpus of remote firmware built with
the real cross toolchains from the samples' sources (plus a copy linked one page
below its reserved memory), each sample's memory map, the kit's sanitizer
driver and the native OpenAMP harness.

Everything is built once per session under a temporary directory.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.buildsys.conftest import copy_sample, make
from tests.loaders.boards import BOARDS, PAGE, check_memmap
from tests.support.tools import need_tool


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """{sample: {"remote": bytes, "outside": bytes}}: the sample's remote built from source with
    its cross toolchain, and the same objects linked at ORIGIN - one page (4 KiB)."""
    out = {}
    root = tmp_path_factory.mktemp("loader-corpus")
    for sample, (cc, ram, ram_size, *_rest) in BOARDS.items():
        need_tool("make", cc)
        check_memmap(sample)
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


@pytest.fixture(scope="session")
def boards(tmp_path_factory):
    """{board: (dtb path, node, {image: elf path})}: tests/loaders/real_boards.py's boards compiled with dtc
    and their Cortex-M4 firmware built with arm-none-eabi-gcc, once per session."""
    from tests.loaders.real_boards import FIRMWARE, IMAGES, LINKER
    need_tool("dtc", "arm-none-eabi-gcc")
    where = tmp_path_factory.mktemp("real-boards")
    (where / "fw.c").write_text(FIRMWARE)
    out = {}
    for board, (dts, node, images) in IMAGES.items():
        (where / f"{board}.dts").write_text(dts)
        dtb = where / f"{board}.dtb"
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(where / f"{board}.dts")], check=True)
        elfs = {}
        for name, (code, code_size, data, data_size, flags) in images.items():
            script = where / f"{board}-{name}.ld"
            script.write_text(LINKER.format(code=code, code_size=code_size, data=data, data_size=data_size))
            elf = where / f"{board}-{name}.elf"
            subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-O1", "-nostdlib", "-ffreestanding",
                            *flags, "-T", str(script), str(where / "fw.c"), "-o", str(elf)], check=True)
            elfs[name] = elf
        out[board] = (dtb, node, elfs)
    return out
