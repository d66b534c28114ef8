"""Why the object's header is not objcopy's: each case links objcopy's object
and ours into the same host and shows what the linker says.

These pin the measurements docs/prelink.md reports (binutils 2.40, ld.lld 14):
if a linker stops complaining about objcopy's object, the docs need a look.
"""

from __future__ import annotations

import subprocess

import pytest

from bundler.prelink.object import TARGETS
from tests.support.tools import need_tool
from tests.support.cli import run_bundle
from tests.object.toolchains import TOOLCHAINS, Toolchain, compile_host, link_gnu, link_lld

pytestmark = pytest.mark.toolchain

STEM = "remote_elf"
IMAGE = bytes(range(256)) * 3


def objcopy_object(tmp_path, target: str):
    need_tool("objcopy")
    t = TARGETS[target]
    (tmp_path / "remote.elf").write_bytes(IMAGE)
    subprocess.run(["objcopy", "-I", "binary", "-O", t.bfd_name, "-B", t.bfd_arch,
                    "remote.elf", "objcopy.o"], cwd=tmp_path, check=True)
    return tmp_path / "objcopy.o"


def bundle_object(tmp_path, *mode: str):
    remote = tmp_path / "remote.elf"
    remote.write_bytes(IMAGE)
    out = tmp_path / f"bundle{len(list(tmp_path.glob('bundle*.o')))}.o"
    proc = run_bundle("object", remote, "-o", out, *mode)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return out


def host(tmp_path, tc: Toolchain, *extra: str):
    need_tool(tc.tool)
    return compile_host(tc, tmp_path / "host", STEM, extra)


def test_arm_eabi_version(tmp_path):
    """objcopy writes e_flags 0 (no EABI version): first on the link line, GNU ld
    takes the output's flags from it and refuses the host's EABI5 objects."""
    tc = TOOLCHAINS["arm"]
    objs = host(tmp_path, tc)
    proc = link_gnu(tc, [objcopy_object(tmp_path, "arm"), *objs], tmp_path / "a.elf")
    assert proc.returncode != 0 and "EABI version" in proc.stderr, proc.stderr
    proc = link_gnu(tc, [bundle_object(tmp_path, "--target", "arm"), *objs], tmp_path / "b.elf")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_riscv_float_abi_with_lld(tmp_path):
    """ld.lld refuses to mix float ABIs; objcopy's object says soft-float."""
    need_tool("ld.lld")
    objs = host(tmp_path, TOOLCHAINS["riscv64"])           # gcc's default: lp64d
    proc = link_lld([objcopy_object(tmp_path, "riscv64"), *objs], tmp_path / "a.elf")
    assert proc.returncode != 0 and "floating-point ABI" in proc.stderr, proc.stderr
    proc = link_lld([bundle_object(tmp_path, "--target", "riscv64"), *objs], tmp_path / "b.elf")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_riscv_other_float_abi_needs_like(tmp_path):
    """A soft-float rv64 host (as samples/riscv64-amp builds, lp64): --target
    riscv64 assumes lp64d and ld.lld says so; --like the host's object links."""
    need_tool("ld.lld")
    tc = Toolchain("riscv64", ("riscv64-unknown-elf-gcc", "-march=rv64imac", "-mabi=lp64"), ())
    objs = host(tmp_path, tc)
    proc = link_lld([bundle_object(tmp_path, "--target", "riscv64"), *objs], tmp_path / "a.elf")
    assert proc.returncode != 0 and "floating-point ABI" in proc.stderr, proc.stderr
    proc = link_lld([bundle_object(tmp_path, "--like", objs[0]), *objs], tmp_path / "b.elf")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    proc = link_gnu(tc, [bundle_object(tmp_path, "--like", objs[0]), *objs], tmp_path / "c.elf")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


@pytest.mark.parametrize("target", ["x86_64", "i386"])
def test_x86_gnu_stack_note(tmp_path, target):
    """Without .note.GNU-stack GNU ld warns that the object implies an executable stack."""
    tc = TOOLCHAINS[target]
    objs = host(tmp_path, tc)
    proc = link_gnu(tc, [objcopy_object(tmp_path, target), *objs], tmp_path / "a.elf")
    assert proc.returncode == 0 and "missing .note.GNU-stack" in proc.stderr, proc.stderr
    proc = link_gnu(tc, [bundle_object(tmp_path, "--target", target), *objs], tmp_path / "b.elf")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_arm_gnu_stack_note_follows_the_host(tmp_path):
    """ARM GNU ld warns when SOME inputs carry .note.GNU-stack and others do not.
    arm-none-eabi-gcc emits none (so --target arm emits none); a host built with
    the note (arm-linux gcc, or -Wa,--noexecstack) needs --like, which copies it."""
    tc = TOOLCHAINS["arm"]
    bare = host(tmp_path / "bare", tc)
    noted = host(tmp_path / "noted", tc, "-Wa,--noexecstack")
    like_noted = bundle_object(tmp_path, "--like", noted[0])

    proc = link_gnu(tc, [bundle_object(tmp_path, "--target", "arm"), *bare], tmp_path / "a.elf")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    proc = link_gnu(tc, [like_noted, *noted], tmp_path / "b.elf")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    proc = link_gnu(tc, [bundle_object(tmp_path, "--target", "arm"), *noted], tmp_path / "c.elf")
    assert "missing .note.GNU-stack" in proc.stderr, proc.stderr
    proc = link_gnu(tc, [like_noted, *bare], tmp_path / "d.elf")
    assert "missing .note.GNU-stack" in proc.stderr, proc.stderr
