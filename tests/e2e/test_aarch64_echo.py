"""samples/aarch64-amp's rpmsg echo on real OpenAMP: `make run-echo`.

The Makefile cross-builds libmetal and open-amp (from OPENAMP_SRC and
LIBMETAL_SRC, default the pinned tarballs), the echo remote
(build/remote-echo.elf, OpenAMP's virtio device role) and the bare-metal host
(driver role), bundles them and boots QEMU virt with two CPUs: the host loads
the remote through the kit's image store, starts CPU 1, binds to the channel
the remote announces and checks 1000 echoes. The failure paths boot the same
host with variants built from the same sources (EXTRA_ELF=): a vring outside
the shared memory, a remote linked into the shared memory (loading must
refuse it: that memory is registered only after remoteproc_load), a remote
that never announces, one that corrupts every 100th echo. Each must end in "echo: FAILED ..." and a non-zero make.

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
from tests.support.cli import run_bundle
from tests.support.openamp_corpus import Elf
from tests.support.tools import need_tool

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

TIMING = re.compile(r"^echo: round trip median (\d+) us, p99 (\d+) us, (\d+) msg/s$")


@pytest.fixture(scope="module")
def echo_build(a64_openamp_dir) -> Path:
    """`make echo` once: remote-echo.elf and its variants, the host, the bundle
    (the libraries are shared with test_aarch64_openamp.py's build)."""
    need_tool("make", "cmake", "aarch64-linux-gnu-gcc", "qemu-system-aarch64")
    ob.need_picolibc()
    build = a64_openamp_dir
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
    # the remote's lines, as the host read them back from its trace buffer
    remote_lines = [ln for ln in lines if ln.startswith("remote: ")]
    assert [ln.removeprefix("trace: ") for ln in lines if ln.startswith("trace: ")] == remote_lines
    timing = [m for m in map(TIMING.match, lines) if m]
    assert len(timing) == 1, text
    median, p99, rate = map(int, timing[0].groups())
    assert median <= p99 and rate > 0, text
    assert not any(ln.startswith(("echo: FAILED", "metal: ", "host: error")) for ln in lines), text


@pytest.mark.parametrize("loader", ["openamp", "linux"])
def test_echo_remote_verifies_for_both_hosts(echo_build, loader):
    """One remote for both hosts: `bundle verify` checks it as OpenAMP's and as
    Linux's loader will, against the memory the sample gives the remote core."""
    proc = run_bundle("verify", echo_build / "remote-echo.elf", "--loader", loader,
                      "--memory", "0x70000000:0x100000:remote-ram",
                      "--memory", "0x70100000:0x100000:shm")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verify: ok (0 errors, 0 warnings)" in proc.stdout, proc.stdout


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


# variant -> (lines that must appear in this order, line starts that must not)
FAILURES = {
    # linked at 0x70100000: the shared memory is registered after
    # remoteproc_load, so loading cannot write there
    "inshm": ([
        "metal: error:     load failed, no mapping for 0x70100000.",
        "echo: FAILED remoteproc_load refused the image rc=-2",
        "== FAIL",
    ], ("host: remoteproc_start", "remote: ")),
    # never creates its endpoint: the host times out, then stops CPU 1
    "silent": ([
        "remote: silent build: no endpoint, no announcement",
        "echo: FAILED the remote announced no rpmsg-openamp-demo-channel in 3000 ms",
        "remote: vdev reset after 0 echoes, cpu off",
        "host: remoteproc_stop: cpu 1 off",
        "== FAIL",
    ], ("echo: 1000",)),
    # flips the last byte of every 100th echo: messages 99, 199, ...
    "corrupt": ([
        "echo: 990/1000 ok",
        "echo: FAILED 10 corrupted echoes (the first: message 99, 100 bytes)",
        "host: remoteproc_stop: cpu 1 off",
        "== FAIL",
    ], ("echo: round trip",)),
}


@pytest.mark.parametrize("variant", sorted(FAILURES))
def test_echo_failure_reported_and_make_fails(echo_build, variant):
    expect, absent = FAILURES[variant]
    rc, lines = run_echo(echo_build, echo_build / f"remote-echo-{variant}.elf")
    text = "\n".join(lines)
    assert rc != 0, text
    assert in_order(lines, expect), text
    assert not any(ln.startswith(absent) for ln in lines), text
