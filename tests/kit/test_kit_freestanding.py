"""The kit is freestanding C99 for every toolchain we ship for.

For each toolchain and -O0/-O2/-Os: each of the kit's units (remote_fw.c,
remote_fw_crc32.c, remote_fw_elf.c, remote_fw_rsc.c) compiles with
-std=c99 -Wall -Wextra -Werror -pedantic -ffreestanding; `nm -u` on the objects
lists nothing but each other's symbols, the linker-made
__start_/__stop_remote_fw_desc (weak) and, for PIC code, _GLOBAL_OFFSET_TABLE_
(no memcpy/memset/strcmp, no libgcc helpers); a host that calls only
remote_fw_load links with remote_fw_elf.c and remote_fw_rsc.c alone; and a
minimal host (c/host.c, two REMOTE_FW_DECLAREs) links with
-nostdlib -ffunction-sections -fdata-sections -Wl,--gc-sections, with the
remote_fw.ld fragment and without it (orphan section), with the descriptors
kept and bounded by __start_/__stop_.

remote_fw_rsc.h, the resource-table layout for remote firmware, is compiled
for the same toolchains and levels with the same flags (c/rsc.c): its struct
sizes are Linux's (include/linux/remoteproc.h), a table of every entry type has exactly the bytes
Linux reads and passes its rules, and a layout change trips the header's
compile-time checks; from assembler (c/rsc.S) it gives its constants.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from bundler.remoteproc.rsc_table import decode
from tests.kit.kit_native import CDIR, KIT, SOURCES

pytestmark = pytest.mark.toolchain

WARN = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-ffreestanding"]
LINK = ["-nostdlib", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections"]
# What the linker (not a library) provides.
LINKER_MADE = {"__start_remote_fw_desc", "__stop_remote_fw_desc", "_GLOBAL_OFFSET_TABLE_"}


@dataclass(frozen=True)
class Toolchain:
    name: str
    cc: str
    flags: tuple[str, ...]
    ptr: int                       # pointer size: descriptor is 56 or 64 bytes
    link_flags: tuple[str, ...] = ()
    probe: bool = False            # only where it works (gcc -m32 needs multilib)

    @property
    def desc_size(self) -> int:
        return 56 if self.ptr == 4 else 64


HOSTED = ("-fno-pie", "-no-pie", "-static")
TOOLCHAINS = [
    Toolchain("arm-cortex-m3", "arm-none-eabi-gcc", ("-mcpu=cortex-m3", "-mthumb"), 4),
    Toolchain("riscv64", "riscv64-unknown-elf-gcc",
              ("-march=rv64imac", "-mabi=lp64", "-mcmodel=medany"), 8),
    Toolchain("aarch64", "aarch64-linux-gnu-gcc", (), 8, HOSTED),
    Toolchain("i386", "gcc", ("-m32",), 4, HOSTED, probe=True),
    Toolchain("native", "gcc", (), 8, HOSTED),
    Toolchain("clang-armv7m", "clang", ("--target=armv7m-none-eabi", "-mthumb"), 4,
              ("-fuse-ld=lld",)),
    Toolchain("clang-riscv32", "clang", ("--target=riscv32-unknown-elf", "-march=rv32imac",
                                         "-mabi=ilp32"), 4, ("-fuse-ld=lld",)),
]
OPTS = ["-O0", "-O2", "-Os"]


def sh(cmd, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)


def ok(cmd, cwd=None) -> str:
    proc = sh(cmd, cwd)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def require(tc: Toolchain, tmp_path: Path, need_tool) -> None:
    need_tool(tc.cc, "nm", "readelf")
    if tc.link_flags and "-fuse-ld=lld" in tc.link_flags:
        need_tool("ld.lld")
    if tc.probe:
        probe = sh([tc.cc, *tc.flags, *WARN, "-c", SOURCES[0], "-o", tmp_path / "probe.o", f"-I{KIT}"])
        if probe.returncode != 0:
            pytest.skip(f"{tc.cc} {' '.join(tc.flags)} does not work here (no multilib)")


def nm_tool(tc: Toolchain) -> str:
    cross = tc.cc.replace("-gcc", "-nm") if tc.cc.endswith("-gcc") else "nm"
    return cross if shutil.which(cross) else "nm"


@pytest.fixture(params=TOOLCHAINS, ids=[t.name for t in TOOLCHAINS])
def tc(request, tmp_path, need) -> Toolchain:
    require(request.param, tmp_path, need)
    return request.param


def compile_units(tc: Toolchain, opt: str, sources, out: Path) -> tuple[set[str], dict[str, str]]:
    """Compile each unit alone; (symbols the objects define, {undefined name: nm kind})."""
    defined: set[str] = set()
    undefined: dict[str, str] = {}
    for src in sources:
        obj = out / (Path(src).stem + ".o")
        ok([tc.cc, *tc.flags, *WARN, opt, f"-I{KIT}", "-c", src, "-o", obj])
        for line in ok([nm_tool(tc), "-u", obj]).splitlines():
            if line.strip():
                undefined[line.split()[-1]] = line.split()[0]
        for line in ok([nm_tool(tc), "--defined-only", "-g", obj]).splitlines():
            if line.strip():
                defined.add(line.split()[-1])
    return defined, undefined


@pytest.mark.parametrize("opt", OPTS)
def test_compiles_and_needs_nothing_from_a_library(tc, opt, tmp_path):
    defined, undefined = compile_units(tc, opt, SOURCES, tmp_path)
    names = set(undefined) - defined
    assert names <= LINKER_MADE, f"undefined symbols from outside: {sorted(names - LINKER_MADE)}"
    # The section bounds are weak (a host with no descriptor links); nothing else undefined.
    for bound in ("__start_remote_fw_desc", "__stop_remote_fw_desc"):
        assert undefined.get(bound) == "w", f"{bound} must be a weak reference: {undefined}"


LOAD_ONLY = """#include "remote_fw.h"
extern const unsigned char image[64];
volatile int r;
void _start(void)
{
        static const struct remote_fw_region ram = { 0x20000000u, 0x10000u };
        struct remote_fw_image img;
        uintptr_t entry;

        img.base = image;       /* field by field: an initialiser may become a memcpy call */
        img.size = sizeof(image);
        img.name = "x";
        r = remote_fw_load(&img, &ram, 1, &entry);
        for (;;)
                ;
}
const unsigned char image[64] = { 0x7f, 'E', 'L', 'F' };
"""


@pytest.mark.parametrize("opt", OPTS)
def test_remote_fw_load_alone_needs_two_units(tc, opt, tmp_path):
    """docs/kit.md "Which files": remote_fw_load is remote_fw_elf.c + remote_fw_rsc.c."""
    src = tmp_path / "load_only.c"
    src.write_text(LOAD_ONLY)
    out = tmp_path / "load_only.elf"
    ok([tc.cc, *tc.flags, *WARN, opt, *LINK, *tc.link_flags, f"-I{KIT}", src,
        KIT / "remote_fw_elf.c", KIT / "remote_fw_rsc.c", "-o", out])
    syms = readelf_symbols(out)
    assert "remote_fw_load" in syms and "remote_fw_find" not in syms


def readelf_sections(elf: Path) -> dict[str, tuple[int, int, str]]:
    """{name: (sh_addr, sh_size, sh_type)} from `readelf -SW`."""
    out = {}
    for m in re.finditer(r"\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)",
                         ok(["readelf", "-SW", elf])):
        out[m.group(1)] = (int(m.group(3), 16), int(m.group(4), 16), m.group(2))
    return out


def readelf_symbols(elf: Path) -> dict[str, tuple[int, str]]:
    """{name: (st_value, st_shndx)} from `readelf -sW`."""
    out = {}
    for line in ok(["readelf", "-sW", elf]).splitlines():
        f = line.split()
        if len(f) == 8 and f[0][:-1].isdigit():
            out[f[7]] = (int(f[1], 16), f[6])
    return out


def descriptors_kept_and_bounded(elf: Path, tc: Toolchain) -> tuple[int, int]:
    secs = readelf_sections(elf)
    assert "remote_fw_desc" in secs, f"descriptor section collected: {sorted(secs)}"
    addr, size, typ = secs["remote_fw_desc"]
    assert typ == "PROGBITS"
    assert size == 2 * tc.desc_size and addr % 8 == 0
    syms = readelf_symbols(elf)
    assert syms["__start_remote_fw_desc"][0] == addr
    assert syms["__stop_remote_fw_desc"][0] == addr + size
    for stem in ("remote_elf", "second_elf"):
        value = syms[f"remote_fw_desc_{stem}"][0]
        assert addr <= value < addr + size
    return addr, size


def link(tc: Toolchain, opt: str, tmp_path: Path, extra=()) -> Path:
    out = tmp_path / f"host{len(list(tmp_path.glob('host*.elf')))}.elf"
    ok([tc.cc, *tc.flags, *WARN, opt, *LINK, *tc.link_flags, f"-I{KIT}", CDIR / "host.c",
        *SOURCES, *extra, "-o", out])
    return out


@pytest.mark.parametrize("opt", OPTS)
def test_links_without_the_fragment(tc, opt, tmp_path):
    """The orphan section keeps its __start_/__stop_ and survives --gc-sections."""
    elf = link(tc, opt, tmp_path)
    descriptors_kept_and_bounded(elf, tc)
    assert "__remote_fw_slot_start" not in readelf_symbols(elf)


@pytest.mark.parametrize("opt", OPTS)
def test_links_with_the_fragment(tc, opt, tmp_path):
    elf = link(tc, opt, tmp_path, [f"-L{KIT}", "-T", CDIR / "host.ld"])
    addr, size = descriptors_kept_and_bounded(elf, tc)
    assert 0x08000000 <= addr and addr + size <= 0x08080000, "descriptors not in REMOTE_FW_REGION"
    syms = readelf_symbols(elf)
    assert syms["__remote_fw_slot_size"] == (0, "ABS")
    assert syms["__remote_fw_slot_end"] == (0x08080000, "ABS")
    assert syms["__remote_fw_slot_start"] == (0x08080000, "ABS")


@pytest.mark.parametrize("how", ["defsym", "script"])
@pytest.mark.parametrize("size,start", [(0x40000, 0x08040000), (0x20001, 0x0805FFF8)])
def test_slot_symbols(tc, how, size, start, tmp_path):
    if how == "defsym":
        extra = [f"-Wl,--defsym=REMOTE_FW_SLOT_SIZE={size:#x}", "-T", CDIR / "host.ld"]
    else:
        script = tmp_path / "slot.ld"
        script.write_text(f"REMOTE_FW_SLOT_SIZE = {size:#x};\n" + (CDIR / "host.ld").read_text())
        extra = ["-T", script]
    elf = link(tc, "-Os", tmp_path, [f"-L{KIT}", *extra])
    syms = readelf_symbols(elf)
    assert syms["__remote_fw_slot_size"] == (size, "ABS")
    assert syms["__remote_fw_slot_end"] == (0x08080000, "ABS")
    assert syms["__remote_fw_slot_start"] == (start, "ABS")
    descriptors_kept_and_bounded(elf, tc)


def test_slot_larger_than_the_region_is_refused(tc, tmp_path):
    proc = sh([tc.cc, *tc.flags, *WARN, "-Os", *LINK, *tc.link_flags, f"-I{KIT}",
               CDIR / "host.c", *SOURCES, f"-L{KIT}", "-T", CDIR / "host.ld",
               "-Wl,--defsym=REMOTE_FW_SLOT_SIZE=0x80001", "-o", tmp_path / "big.elf"])
    assert proc.returncode != 0
    assert "REMOTE_FW_SLOT_SIZE is larger than REMOTE_FW_REGION" in proc.stderr


def test_a_host_without_descriptors_still_links(tc, tmp_path):
    """The weak __start_/__stop_ resolve to 0 and remote_fw_find says ENOENT."""
    src = tmp_path / "bare.c"
    src.write_text('#include "remote_fw.h"\nvolatile int r;\n'
                   'void _start(void) { struct remote_fw_image i; r = remote_fw_find("x", &i); '
                   'for (;;) ; }\n')
    out = tmp_path / "bare.elf"
    ok([tc.cc, *tc.flags, *WARN, "-O2", *LINK, *tc.link_flags, f"-I{KIT}", src, *SOURCES,
        "-o", out])
    assert "remote_fw_desc" not in readelf_sections(out)


# ---- remote_fw_rsc.h ------------------------------------------------------------

def section_bytes(obj: Path, name: str) -> tuple[bytes, str]:
    """(contents, "little"/"big") of a section of an object file, relocations not applied."""
    with open(obj, "rb") as f:
        elf = ELFFile(f)
        sec = elf.get_section_by_name(name)
        assert sec is not None, f"no {name} in {obj}"
        assert elf.get_section_by_name(f".rela{name}") is None
        assert elf.get_section_by_name(f".rel{name}") is None
        return sec.data(), "little" if elf.little_endian else "big"


def name32(text: bytes) -> bytes:
    return text.ljust(32, b"\0")


def rsc_c_table(e: str) -> bytes:
    """c/rsc.c's table as include/linux/remoteproc.h lays it out, written independently of the header."""
    offsets = [32, 32 + 56, 32 + 56 + 56, 32 + 56 + 56 + 48]
    return b"".join([
        struct.pack(f"{e}4I", 1, 4, 0, 0), struct.pack(f"{e}4I", *offsets),
        struct.pack(f"{e}6I", 0, 0x20000000, 0xFFFFFFFF, 0x10000, 0, 0), name32(b"ram"),
        struct.pack(f"{e}6I", 1, 0x40000000, 0x40000000, 0x1000, 0, 0), name32(b"uart"),
        struct.pack(f"{e}4I", 2, 0x20008000, 0x400, 0), name32(b"trace"),
        struct.pack(f"{e}6I4B", 3, 7, 0, 1, 0, 8, 0, 2, 0, 0),
        struct.pack(f"{e}5I", 0xFFFFFFFF, 16, 256, 1, 0), struct.pack(f"{e}5I", 0x20010000, 4096, 16, 2, 0),
        bytes(range(1, 9)),
    ])


@pytest.mark.parametrize("opt", OPTS)
def test_rsc_header_compiles_and_lays_out_the_table(tc, opt, tmp_path):
    obj = tmp_path / "rsc.o"
    ok([tc.cc, *tc.flags, *WARN, opt, f"-I{KIT}", "-c", CDIR / "rsc.c", "-o", obj])
    data, byteorder = section_bytes(obj, ".resource_table")
    assert data == rsc_c_table("<" if byteorder == "little" else ">")
    table = decode(data, byteorder)
    assert table.is_valid, [p.message for p in table.problems]
    assert [e["type"] for e in table.entries] == [0, 1, 2, 3]


def test_rsc_header_checks_catch_a_layout_change(tc, tmp_path):
    """Widen the vdev's u8 fields: the header itself refuses to compile."""
    src = tmp_path / "wide.c"
    src.write_text("#include <stdint.h>\n#define uint8_t uint32_t\n#include \"remote_fw_rsc.h\"\n")
    proc = sh([tc.cc, *tc.flags, *WARN, f"-I{KIT}", "-c", src, "-o", tmp_path / "wide.o"])
    assert proc.returncode != 0
    assert "remote_fw_rsc__check_vdev" in proc.stderr, proc.stderr


def test_rsc_header_in_assembler(tc, tmp_path):
    obj = tmp_path / "rsc_s.o"
    ok([tc.cc, *tc.flags, f"-I{KIT}", "-c", CDIR / "rsc.S", "-o", obj])
    data, byteorder = section_bytes(obj, ".rodata.rsc_constants")
    words = struct.unpack(f"{'<' if byteorder == 'little' else '>'}{len(data) // 4}I", data)
    assert words == (1, 0, 1, 2, 3, 128, 512, 16, 56, 56, 48, 28, 20, 32, 2, 0xFFFFFFFF, 7, 0)
