"""Toolchains for the pre-link tests: how to compile a tiny host for each
``bundle object`` target and link it with GNU ld and with ld.lld, and what a
correct link looks like afterwards.

Each target names the compiler that makes the host's objects (its ABI is what
the object must match) and how objcopy names the same target. Everything is
built in a temporary directory; nothing is written into the repository.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from bundler.postlink import descriptor
from bundler.elf.reader import parse_elf
from bundler.elf import spec
from tests.support.paths import KIT, KIT_SOURCES

COMMON_CFLAGS = ["-std=c99", "-Os", "-Wall", "-Wextra", "-ffreestanding", "-fno-common",
                 "-ffunction-sections", "-fdata-sections", "-fno-asynchronous-unwind-tables",
                 f"-I{KIT}"]

# A host that uses the kit (REMOTE_FW_DECLARE + remote_fw_find) and the symbols.
HOST_C = r"""
#include "remote_fw.h"

REMOTE_FW_DECLARE(@STEM@);

extern const unsigned char _binary_@STEM@_start[], _binary_@STEM@_end[], _binary_@STEM@_size[];

const void *volatile sink[4];

void _start(void)
{
        struct remote_fw_image img;

        sink[0] = _binary_@STEM@_start;
        sink[1] = _binary_@STEM@_end;
        sink[2] = _binary_@STEM@_size;
        if (remote_fw_find("@STEM@", &img) == 0)
                sink[3] = img.base;
        for (;;)
                ;
}
"""

# A host script that includes the kit's fragment (which KEEPs the descriptors:
# ld.lld's --gc-sections drops them otherwise, see test_link.py).
HOST_LD = """
ENTRY(_start)
MEMORY
{
        FLASH (rx)  : ORIGIN = 0x10000000, LENGTH = 16M
        RAM   (rwx) : ORIGIN = 0x20000000, LENGTH = 1M
}
REGION_ALIAS("REMOTE_FW_REGION", FLASH);
SECTIONS
{
        .text : { *(.text .text.*) } > FLASH
        .rodata : { *(.rodata .rodata.*) } > FLASH
        INCLUDE remote_fw.ld
        .data : { *(.data .data.*) } > RAM AT > FLASH
        .bss : { *(.bss .bss.* COMMON) } > RAM
}
"""


@dataclass(frozen=True)
class Toolchain:
    target: str                 # bundle object --target
    cc: tuple[str, ...]         # compiler and its ABI flags
    gnu_link: tuple[str, ...]   # extra flags for linking through the compiler driver (GNU ld)
    lld: bool = True            # ld.lld handles this target

    @property
    def tool(self) -> str:
        return self.cc[0]


TOOLCHAINS = {t.target: t for t in (
    Toolchain("arm", ("arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb"), ()),
    # ld.lld 14 links big-endian ARM input but writes its data words little-endian
    # (0x000100d8 comes out as d8 00 01 00) and fails on the kit's string
    # sections: no big-endian ARM support there, so armeb is GNU ld only.
    Toolchain("armeb", ("arm-none-eabi-gcc", "-mbig-endian", "-mcpu=cortex-r5"), (), lld=False),
    Toolchain("aarch64", ("aarch64-linux-gnu-gcc", "-fno-pie"), ("-static", "-no-pie")),
    Toolchain("riscv32", ("riscv64-unknown-elf-gcc", "-march=rv32imac", "-mabi=ilp32"), ()),
    Toolchain("riscv64", ("riscv64-unknown-elf-gcc",), ()),          # default rv64gc, lp64d
    Toolchain("x86_64", ("gcc", "-fno-pie"), ("-static", "-no-pie")),
    Toolchain("i386", ("gcc", "-m32", "-fno-pie"), ("-static", "-no-pie")),
)}


def run(cmd, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=120)


def must(cmd, cwd=None) -> subprocess.CompletedProcess:
    """Run a build step; it must succeed and say nothing on stderr (no warning)."""
    proc = run(cmd, cwd)
    assert proc.returncode == 0 and not proc.stderr.strip(), \
        f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    return proc


def compile_host(tc: Toolchain, out_dir: Path, stem: str, extra: tuple[str, ...] = ()) -> list[Path]:
    """host.o and the kit's objects (remote_fw.o, ...) for the target, in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = out_dir / "host.c"
    src.write_text(HOST_C.replace("@STEM@", stem))
    flags = [*tc.cc, *COMMON_CFLAGS, *extra]
    host_o = out_dir / "host.o"
    kit_os = [out_dir / (s.stem + ".o") for s in KIT_SOURCES]
    # Compiler warnings are the kit's business (tests/kit); these must only build.
    for cmd in ([*flags, "-c", src, "-o", host_o],
                *([*flags, "-c", s, "-o", o] for s, o in zip(KIT_SOURCES, kit_os))):
        proc = run(cmd)
        assert proc.returncode == 0, f"{' '.join(map(str, cmd))}:\n{proc.stderr}"
    return [host_o, *kit_os]


def link_gnu(tc: Toolchain, objs, out: Path, *, gc: bool = False, script: bool = False):
    """Link through the compiler driver (GNU ld); returns the process (not checked)."""
    cmd = [*tc.cc, "-nostdlib", *tc.gnu_link]
    if gc:
        cmd.append("-Wl,--gc-sections")
    if script:
        cmd += [f"-L{KIT}", "-T", _script(out)]
    return run([*cmd, *objs, "-o", out])


def link_lld(objs, out: Path, *, gc: bool = False, script: bool = False):
    cmd = ["ld.lld"]
    if gc:
        cmd.append("--gc-sections")
    if script:
        cmd += [f"-L{KIT}", "-T", _script(out)]
    return run([*cmd, *objs, "-o", out])


def _script(out: Path) -> Path:
    path = out.parent / "host.ld"
    path.write_text(HOST_LD)
    return path


def check_linked(elf_path: Path, stem: str, data: bytes, align: int = 8) -> None:
    """After the link: the three symbols as objcopy's would be, the image's bytes
    in a read-only allocated section at an aligned address, and the kit's
    descriptor filled by the linker with exactly the symbols' addresses."""
    elf = parse_elf(elf_path.read_bytes(), what="linked host")
    start, end, size = (elf.find_symbol(f"_binary_{stem}_{w}") for w in ("start", "end", "size"))
    for sym in (start, end, size):
        assert sym is not None and sym.is_defined, f"{elf_path}: a _binary_{stem}_* symbol is missing"
        assert (sym.bind, sym.type) == (spec.STB_GLOBAL, spec.STT_NOTYPE), sym
    assert size.st_shndx == spec.SHN_ABS and size.st_value == len(data)
    assert end.st_value - start.st_value == len(data)
    assert start.st_value % align == 0, f"image at {start.st_value:#x}, not {align}-aligned"
    sec = elf.find_section_at(start.st_value, len(data))
    assert sec is not None, f"no section holds the image at {start.st_value:#x}"
    assert sec.hdr.sh_flags & spec.SHF_ALLOC and not sec.hdr.sh_flags & spec.SHF_WRITE, \
        f"the image landed in {sec.name} with flags {sec.hdr.sh_flags:#x}"
    offset = elf.vaddr_to_offset(start.st_value, len(data))
    assert elf.data[offset:offset + len(data)] == data
    desc = descriptor.find_descriptor(elf, stem)
    assert desc is not None, f"{elf_path}: no descriptor for {stem} (dropped by the linker?)"
    assert (desc.start, desc.end) == (start.st_value, end.st_value), \
        f"descriptor start/end {desc.start:#x}/{desc.end:#x}, symbols {start.st_value:#x}/{end.st_value:#x}"
    assert not desc.is_bundled
