"""Hosted programs still run after bundling: the operating system is the loader under test.

A program that uses the kit (tests/hosted/c/kitprog.c) is built as dynamic PIE, non-PIE,
static and static-pie with gcc, and as PIE with clang, for x86-64 (run natively) and for
AArch64 (run under qemu-aarch64, Debian's qemu-user); bundled post-link, it must find its
image and check its CRC-32. A system binary nobody here built (/bin/true) and a shared
library loaded with dlopen (libz) must work after bundling too. readelf and llvm-readelf
must print no warning for any output, and ``bundle verify`` must pass it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_bundle
from tests.support.paths import KIT, KIT_SOURCES, SAMPLES
from tests.support.tools import need_tool, new_readelf_warnings

HERE = Path(__file__).resolve().parent
PROG = HERE / "c" / "kitprog.c"
REMOTE = SAMPLES / "cortex-m3" / "prebuilt" / "remote.elf"
AARCH64_SYSROOT = Path("/usr/aarch64-linux-gnu")

X86_64 = {
    "gcc-pie": ("gcc", ["-pie", "-fPIE"]),
    "gcc-nopie": ("gcc", ["-no-pie", "-fno-PIE"]),
    "gcc-static": ("gcc", ["-static"]),
    "gcc-static-pie": ("gcc", ["-static-pie", "-fPIE"]),
    "clang-pie": ("clang", ["-pie", "-fPIE"]),
}
AARCH64 = {
    "pie": ["-pie", "-fPIE"],
    "nopie": ["-no-pie", "-fno-PIE"],
    "static": ["-static"],
    "static-pie": ["-static-pie", "-fPIE"],
}

pytestmark = pytest.mark.toolchain


def _build(cc: str, flags: list[str], out: Path) -> Path:
    need_tool(cc)
    subprocess.run([cc, "-O2", "-Wall", "-Werror", f"-I{KIT}", *flags, str(PROG),
                    *map(str, KIT_SOURCES), "-o", str(out)], check=True, capture_output=True, text=True)
    return out


def _bundle_and_check(host: Path, blob: Path, out: Path) -> None:
    proc = run_bundle(host, blob, "-o", out, "-v")
    assert proc.returncode == 0, proc.stderr
    assert "placement: hosted" in proc.stderr
    proc = run_bundle("verify", out, "--remote", blob)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _no_new_readelf_warnings(host, out)


def _no_new_readelf_warnings(before: Path, after: Path) -> None:
    for tool, new in new_readelf_warnings(before, after).items():
        assert not new, f"{tool} warns about the output: {sorted(new)}"


def _expect_found(stdout: str) -> None:
    size = REMOTE.stat().st_size
    assert f"image remote_elf size={size} magic=7f454c46 verify=0" in stdout, stdout


@pytest.mark.parametrize("variant", sorted(X86_64))
def test_x86_64_program_finds_its_image_after_bundling(variant, tmp_path):
    if sys.platform != "linux" or os.uname().machine != "x86_64":
        pytest.skip("runs x86-64 Linux programs natively")
    cc, flags = X86_64[variant]
    prog = _build(cc, flags, tmp_path / variant)
    # unbundled, the kit says so (and the program runs)
    proc = subprocess.run([str(prog)], capture_output=True, text=True)
    assert proc.returncode == 1 and "(-3)" in proc.stdout, proc.stdout
    out = tmp_path / f"{variant}.out"
    _bundle_and_check(prog, REMOTE, out)
    proc = subprocess.run([str(out)], capture_output=True, text=True, timeout=20)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stdout}{proc.stderr}"
    _expect_found(proc.stdout)


@pytest.mark.parametrize("variant", sorted(AARCH64))
def test_aarch64_program_finds_its_image_under_qemu_user(variant, tmp_path):
    need_tool("aarch64-linux-gnu-gcc", "qemu-aarch64")
    prog = _build("aarch64-linux-gnu-gcc", AARCH64[variant], tmp_path / variant)
    out = tmp_path / f"{variant}.out"
    _bundle_and_check(prog, REMOTE, out)
    proc = subprocess.run(["qemu-aarch64", "-L", str(AARCH64_SYSROOT), str(out)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stdout}{proc.stderr}"
    _expect_found(proc.stdout)


def test_bin_true_still_runs_after_bundling(tmp_path):
    true = Path(shutil.which("true") or "/bin/true").resolve()
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 16)
    out = tmp_path / "true.out"
    _bundle_and_check(true, blob, out)
    assert subprocess.run([str(out)], timeout=20).returncode == 0
    # and twice over: a bundle of a bundle is a fresh bundle of the original
    out2 = tmp_path / "true2.out"
    assert run_bundle(out, blob, "--name", "second", "-o", out2).returncode == 0
    assert subprocess.run([str(out2)], timeout=20).returncode == 0


def test_bundled_shared_library_still_loads_with_dlopen(tmp_path):
    libz = next((p for p in (Path("/lib/x86_64-linux-gnu/libz.so.1"), Path("/usr/lib/x86_64-linux-gnu/libz.so.1"))
                 if p.exists()), None)
    if libz is None:
        need_tool("libz.so.1 (zlib1g)")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x5a" * 5000)
    out = tmp_path / "libz.so.1"
    _bundle_and_check(libz.resolve(), blob, out)
    probe = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); lib.zlibVersion.restype = ctypes.c_char_p; "
             "print(lib.zlibVersion().decode())")
    proc = subprocess.run([sys.executable, "-c", probe, str(out)], capture_output=True, text=True, timeout=20)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()[0].isdigit()


def _kernel_at_least(major: int, minor: int) -> bool:
    release = os.uname().release.split(".")
    try:
        return (int(release[0]), int(release[1].split("-")[0])) >= (major, minor)
    except (IndexError, ValueError):
        return False


def test_huge_bss_program_runs_on_a_current_kernel_and_the_trade_off_is_said(tmp_path):
    """Keeping the moved table at load bias + file offset would cost 100 MiB of padding here;
    past 64 MiB bundle places it just above the .bss and warns that Linux before 5.18 and
    qemu-user 7.2 (which take AT_PHDR as load bias + e_phoff) will not find it."""
    if os.uname().machine != "x86_64" or not _kernel_at_least(5, 18):
        pytest.skip("needs an x86-64 Linux 5.18 or later, which finds AT_PHDR through its PT_LOAD")
    prog = tmp_path / "bigbss"
    need_tool("gcc")
    subprocess.run(["gcc", "-O2", "-pie", "-fPIE", str(HERE / "c" / "bigbss.c"), "-o", str(prog)], check=True)
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\xa5" * 3000)
    out = tmp_path / "bigbss.out"
    proc = run_bundle(prog, blob, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "kernels before Linux 5.18 and qemu-user" in proc.stderr
    assert out.stat().st_size < 1 << 20           # no 100 MiB of padding
    run = subprocess.run([str(out)], capture_output=True, text=True, timeout=20)
    assert run.returncode == 0 and run.stdout.startswith("ok 1"), run.stdout + run.stderr
    assert run_bundle("verify", out, "--remote", blob).returncode == 0
