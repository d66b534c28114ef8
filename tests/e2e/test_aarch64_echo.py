"""samples/aarch64-amp's rpmsg echo on real OpenAMP: `make run-echo`.

The Makefile cross-builds libmetal and open-amp (from OPENAMP_SRC and
LIBMETAL_SRC, default the pinned tarballs), the echo remote
(build/remote-echo.elf, OpenAMP's virtio device role) and the bare-metal host
(driver role), bundles them and boots QEMU virt with two CPUs: the host loads
the remote through the kit's image store, starts CPU 1, binds to the channel
the remote announces and checks 1000 echoes. The failure paths boot the same
host with variants built from the same sources (EXTRA_ELF=): a vring outside
the shared memory, a remote that never announces, one that corrupts every
100th echo. Each must end in "echo: FAILED ..." and a non-zero make.

Timing figures are printed by the target and parsed by bench/bench_echo.py;
here only the line's form is checked, never its numbers.
"""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import BUNDLE_CMD, SAMPLES, make_sample
from tests.e2e.test_aarch64_openamp import boots, source_vars
from tests.support import openamp as ob
from tests.support.openamp_corpus import Elf
from tests.support.tools import need_tool

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

TIMING = re.compile(r"^echo: round trip median (\d+) us, p99 (\d+) us, (\d+) msg/s$")


@pytest.fixture(scope="module")
def echo_build(tmp_path_factory) -> Path:
    """`make echo` once: libraries, remote-echo.elf and its variants, the host, the bundle."""
    need_tool("make", "cmake", "aarch64-linux-gnu-gcc", "qemu-system-aarch64")
    ob.need_picolibc()
    build = tmp_path_factory.mktemp("a64-echo") / "build"
    make_sample("aarch64-amp", build, "echo", BUNDLE=BUNDLE_CMD, **source_vars())
    return build


def run_echo(build: Path, extra: Path | None = None) -> tuple[int, list[str]]:
    """`make run-echo [EXTRA_ELF=extra]`: (make's exit status, the boot's lines)."""
    cmd = ["make", "-C", str(SAMPLES / "aarch64-amp"), f"BUILD={build}", f"BUNDLE={BUNDLE_CMD}",
           *[f"{k}={v}" for k, v in source_vars().items()], "run-echo"]
    if extra is not None:
        cmd.append(f"EXTRA_ELF={extra}")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    got = boots(proc.stdout)
    assert len(got) == 1, proc.stdout + proc.stderr
    return proc.returncode, next(iter(got.values()))


def rsc_vrings(elf: Path) -> list[int]:
    """The vrings' device addresses in the remote's own .resource_table."""
    e = Elf(elf.read_bytes())
    sh = e.section(".resource_table")
    off = e.get("shdr", "sh_offset", sh)
    data = e.data
    num = struct.unpack_from("<I", data, off + 4)[0]
    for i in range(num):
        entry = off + struct.unpack_from("<I", data, off + 16 + 4 * i)[0]
        if struct.unpack_from("<I", data, entry)[0] == 3:      # RSC_VDEV
            return [struct.unpack_from("<I", data, entry + 28 + 20 * v)[0]
                    for v in range(data[entry + 25])]
    raise AssertionError(f"{elf}: no vdev")


def in_order(lines: list[str], expect: list[str]) -> bool:
    return [ln for ln in lines if ln in expect] == expect


def test_make_run_echo_1000_messages(echo_build):
    rc, lines = run_echo(echo_build)
    text = "\n".join(lines)
    assert rc == 0, text
    remote = echo_build / "remote-echo.elf"
    assert rsc_vrings(remote) == [0x70100000, 0x70104000]
    e_entry = struct.unpack_from("<Q", remote.read_bytes(), 24)[0]
    assert e_entry == 0x70000000
    expect = [
        "host: boot on cpu 0 at EL1 (rpmsg echo, openamp)",
        "host: rsc vdev id=7 vrings at 0x70100000 and 0x70104000 (in shared memory)",
        f"host: remoteproc_start: cpu 1 at 0x{e_entry:08x}",
        "remote: rpmsg echo on cpu 1",
        "remote: announcing rpmsg-openamp-demo-channel",
        "host: bound to rpmsg-openamp-demo-channel at remote address 0x00000400",
        "echo: 1000/1000 ok",
        # both runs: 1000 one at a time, 1000 with a window
        "remote: vdev reset after 2000 echoes, cpu off",
        "host: remoteproc_stop: cpu 1 off",
        "== ok",
    ]
    assert in_order(lines, expect), text
    timing = [m for m in map(TIMING.match, lines) if m]
    assert len(timing) == 1, text
    median, p99, rate = map(int, timing[0].groups())
    assert median <= p99 and rate > 0, text
    assert not any(ln.startswith(("echo: FAILED", "metal: ", "host: error")) for ln in lines), text


def test_echo_vring_outside_shared_memory_refused_before_start(echo_build):
    bad = echo_build / "remote-echo-badvring.elf"
    vring0 = rsc_vrings(bad)[0]
    assert not 0x70100000 <= vring0 < 0x70200000
    rc, lines = run_echo(echo_build, bad)
    text = "\n".join(lines)
    assert rc != 0, text
    assert (f"echo: FAILED vring 0 at 0x{vring0:08x} (4230 bytes) lies outside the shared "
            "memory 0x70100000..0x70200000: refused before start") in lines, text
    assert not any(ln.startswith(("host: remoteproc_start", "remote: ")) for ln in lines), text
    assert "== FAIL" in lines, text


def test_echo_remote_that_never_announces_times_out_and_is_stopped(echo_build):
    rc, lines = run_echo(echo_build, echo_build / "remote-echo-silent.elf")
    text = "\n".join(lines)
    assert rc != 0, text
    expect = [
        "remote: silent build: no endpoint, no announcement",
        "echo: FAILED the remote announced no rpmsg-openamp-demo-channel in 3000 ms",
        "remote: vdev reset after 0 echoes, cpu off",
        "host: remoteproc_stop: cpu 1 off",
        "== FAIL",
    ]
    assert in_order(lines, expect), text
    assert not any(ln.startswith("echo: 1000") for ln in lines), text


def test_echo_corrupted_echoes_counted_and_reported(echo_build):
    rc, lines = run_echo(echo_build, echo_build / "remote-echo-corrupt.elf")
    text = "\n".join(lines)
    assert rc != 0, text
    # the remote flips the last byte of every 100th echo: messages 99, 199, ...
    expect = [
        "echo: 990/1000 ok",
        "echo: FAILED 10 corrupted echoes (the first: message 99, 100 bytes)",
        "host: remoteproc_stop: cpu 1 off",
        "== FAIL",
    ]
    assert in_order(lines, expect), text
    assert not any(TIMING.match(ln) for ln in lines), text
