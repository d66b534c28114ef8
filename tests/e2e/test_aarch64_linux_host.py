"""samples/aarch64-amp's rpmsg echo with Linux as the host: `make run-linux-host`.

Debian's arm64 kernel (linux-image-arm64, the 6.1 series, fetched and cached by
version through linux/fetch-linux.sh in ~/.cache/rproc-bundle/linux-host) on
CPU 0 of QEMU virt; the sample's remoteproc driver and the rpmsg modules
Debian does not build, compiled against that kernel's headers; the same echo
remote as `make run-echo` (build/remote-echo.elf) in /lib/firmware, loaded
and started by the kernel's remoteproc core; the static echo client in the
initramfs sends 1000 messages through rpmsg_char and checks every echo. Before
the boot the Makefile passes the remote through `bundle verify --loader linux
--dtb build/board.dtb --node /remoteproc`.

Each test reads what the whole run printed: the client's lines, /init's, the
remote's (same UART) and the kernel's lines about the remote (/init prints
them as "linux: [...] ..."). The failure paths use the remote's variants from
the same sources (EXTRA_ELF=): a vring outside the shared memory (refused by
verify, before any boot), a remote that never announces, one that corrupts
every 100th echo. Timing figures are parsed by bench/bench_echo.py; here only
the line's form is checked.
"""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import BUNDLE_CMD, SAMPLES, make_sample
from tests.e2e.test_aarch64_echo import TIMING, in_order, rsc_vrings
from tests.e2e.test_aarch64_openamp import source_vars
from tests.support import openamp as ob
from tests.support.tools import need_tool

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

STATE = "/sys/class/remoteproc/remoteproc0/state"
RE_BOOT = re.compile(r"^== boot linux-image-(?P<abi>6\.1\.\d+-\d+-arm64) (?P<version>6\.1\.\S+) with ")
RE_UNAME = re.compile(r"^init: (?P<release>\S+), console=ttyAMA0 mem=768M maxcpus=1 quiet echoruns=(?P<runs>\d)$")
# the kernel's lines, as /init prints them
RE_FW = re.compile(r"^linux: \[ *[\d.]+\] remoteproc remoteproc0: Booting fw image (?P<name>\S+), size (?P<size>\d+)$")
RE_STARTED = re.compile(r"^linux: \[ *[\d.]+\] amp_rproc remoteproc: cpu 1 started at 0x(?P<entry>[0-9a-f]+)$")
RE_CHANNEL = re.compile(r"^linux: \[ *[\d.]+\] virtio_rpmsg_bus virtio0: creating channel "
                        r"rpmsg-openamp-demo-channel addr 0x400$")
RE_POOL = re.compile(r"^linux: \[ *[\d.]+\] rproc-virtio rproc-virtio\.\d+\.auto: "
                     r"assigned reserved memory node vdev0buffer@70110000$")
RE_OFF = re.compile(r"^linux: \[ *[\d.]+\] amp_rproc remoteproc: cpu 1 off after \d+ ms$")
RE_STOPPED = re.compile(r"^linux: \[ *[\d.]+\] remoteproc remoteproc0: stopped remote processor remoteproc$")


@pytest.fixture(scope="module")
def linux_build(a64_openamp_dir) -> Path:
    """`make echo linux-host` once: the remote and its variants, the kernel
    (from the cache, else Debian), the modules, the device tree, the
    initramfs (in the session's OpenAMP build directory: the libraries are
    cross-built once for this module, test_aarch64_echo.py's and
    test_aarch64_openamp.py's)."""
    need_tool("make", "cmake", "aarch64-linux-gnu-gcc", "qemu-system-aarch64", "dtc",
              "apt-get", "apt-cache", "dpkg-deb", "flock", "xz", "cpio")
    ob.need_picolibc()
    build = a64_openamp_dir
    make_sample("aarch64-amp", build, "echo", "linux-host", BUNDLE=BUNDLE_CMD, **source_vars())
    return build


def run_linux_host(build: Path, extra: Path | None = None, runs: int = 1) -> tuple[int, list[str]]:
    """`make run-linux-host [EXTRA_ELF=extra] ECHO_RUNS=runs`: (make's exit
    status, every line it printed, CR stripped)."""
    cmd = ["make", "-C", str(SAMPLES / "aarch64-amp"), f"BUILD={build}", f"BUNDLE={BUNDLE_CMD}",
           *[f"{k}={v}" for k, v in source_vars().items()], f"ECHO_RUNS={runs}", "run-linux-host"]
    if extra is not None:
        cmd.append(f"EXTRA_ELF={extra}")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=400)
    return proc.returncode, (proc.stdout + proc.stderr).replace("\r", "").splitlines()


def failing_run(build: Path, variant: str) -> tuple[list[str], str]:
    """`make run-linux-host EXTRA_ELF=remote-echo-<variant>.elf`, which must
    fail: (its lines, the same as one text for messages)."""
    rc, lines = run_linux_host(build, build / f"remote-echo-{variant}.elf")
    text = "\n".join(lines)
    assert rc != 0, text
    return lines, text


def matching(lines: list[str], regex: re.Pattern) -> list[re.Match]:
    return [m for m in map(regex.match, lines) if m]


def check_boot(lines: list[str], runs: int) -> None:
    """Debian's 6.1 kernel booted with the sample's command line."""
    text = "\n".join(lines)
    (boot,) = matching(lines, RE_BOOT)
    (uname,) = matching(lines, RE_UNAME)
    assert uname["release"] == boot["abi"] and int(uname["runs"]) == runs, text


def test_make_run_linux_host_1000_messages(linux_build):
    rc, lines = run_linux_host(linux_build)
    text = "\n".join(lines)
    assert rc == 0, text
    check_boot(lines, 1)
    remote = linux_build / "remote-echo.elf"
    data = remote.read_bytes()
    e_entry = struct.unpack_from("<Q", data, 24)[0]
    assert rsc_vrings(remote) == [0x70100000, 0x70104000]
    # verify, with the board's device tree, before the boot
    verify = lines.index("verify: ok (0 errors, 0 warnings)")
    assert verify < next(i for i, ln in enumerate(lines) if RE_BOOT.match(ln)), text
    assert "    vdev0buffer 0x70110000-0x70150000 (262144 bytes)" in lines, text
    # the remoteproc core loaded the file from /lib/firmware and the driver started CPU 1 at its entry
    (fw,) = matching(lines, RE_FW)
    assert (fw["name"], int(fw["size"])) == ("remote-echo.elf", len(data)), text
    (started,) = matching(lines, RE_STARTED)
    assert int(started["entry"], 16) == e_entry == 0x70000000, text
    assert matching(lines, RE_POOL) and matching(lines, RE_CHANNEL), text
    expect = [
        f"init: echo start > {STATE} (run 1 of 1)",
        "remote: rpmsg echo on cpu 1",
        "remote: announcing rpmsg-openamp-demo-channel",
        "echo: channel rpmsg-openamp-demo-channel, remote address 0x400",
        "echo: 1000/1000 ok",
        f"init: echo stop > {STATE}",
        # both runs of the client: 1000 one at a time, 1000 with a window
        "remote: vdev reset after 2000 echoes, cpu off",
        "init: remoteproc0 offline",
    ]
    assert in_order(lines, expect), text
    (timing,) = matching(lines, TIMING)
    median, p99, rate = map(int, timing.groups())
    assert median <= p99 and rate > 0, text
    assert matching(lines, RE_OFF) and matching(lines, RE_STOPPED), text
    assert not any(ln.startswith("echo: FAILED") for ln in lines), text
    # the trace buffer of the remote's table, read through Linux's debugfs
    # before the stop, holds what the remote printed on the UART until then
    stop = lines.index(f"init: echo stop > {STATE}")
    uart = [ln for ln in lines[:stop] if ln.startswith("remote: ")]
    trace = [ln.removeprefix("trace0: ") for ln in lines if ln.startswith("trace0: ")]
    assert trace == uart == ["remote: rpmsg echo on cpu 1", "remote: announcing rpmsg-openamp-demo-channel"], text


def test_stop_and_restart_then_a_second_echo_run(linux_build):
    """`echo stop` (Linux resets the vdev, the remote turns CPU 1 off, the
    driver waits for AFFINITY_INFO), `echo start` (a fresh load of the same
    file), and the second client run echoes 1000 messages again."""
    rc, lines = run_linux_host(linux_build, runs=2)
    text = "\n".join(lines)
    assert rc == 0, text
    check_boot(lines, 2)
    # CPU 1's lines and Linux's share one UART: only what causes what is ordered (the remote's
    # first lines and init's "running" race each other, measured both ways)
    channel = "echo: channel rpmsg-openamp-demo-channel, remote address 0x400"
    run = [
        "remote: rpmsg echo on cpu 1",
        "remote: announcing rpmsg-openamp-demo-channel",
        channel,
        "echo: 1000/1000 ok",
        f"init: echo stop > {STATE}",
        "remote: vdev reset after 2000 echoes, cpu off",
        "init: remoteproc0 offline",
    ]
    starts = [f"init: echo start > {STATE} (run {k} of 2)" for k in (1, 2)]
    assert in_order(lines, [starts[0], *run, starts[1], *run]), text
    assert in_order(lines, [starts[0], "init: remoteproc0 running", channel,
                            starts[1], "init: remoteproc0 running", channel]), text
    assert len(matching(lines, TIMING)) == 2, text
    # each start loaded the file again; each stop saw CPU 1 off
    assert [m["name"] for m in matching(lines, RE_FW)] == ["remote-echo.elf"] * 2, text
    assert len(matching(lines, RE_STARTED)) == 2, text
    assert len(matching(lines, RE_OFF)) == len(matching(lines, RE_STOPPED)) == 2, text
    assert not any(ln.startswith("echo: FAILED") for ln in lines), text


def test_vring_outside_shared_memory_boots_without_its_virtio_device(linux_build):
    """A vring outside its reserved region: Linux still boots the remote (the vdev is its own
    rproc-virtio device, whose probe fails), so verify warns instead of refusing (issue 17), and
    says what happens; the echo then fails for want of a channel, and the remote, never told
    DRIVER_OK, never turns itself off: the driver's stop times out."""
    bad = linux_build / "remote-echo-badvring.elf"
    vring0 = rsc_vrings(bad)[0]
    assert not 0x70100000 <= vring0 < 0x70200000
    lines, text = failing_run(linux_build, "badvring")
    assert any(ln.startswith(f"warning: vdev 0 vring 0 wants da 0x{vring0:08x}, below memory-region "
                             "vdev0vring0 0x70100000-0x70104000") and "boots without its virtio device" in ln
               and ln.endswith("[linux-vring-fit]") for ln in lines), text
    assert "verify: ok (0 errors, 1 warning)" in lines, text
    assert matching(lines, RE_BOOT) and matching(lines, RE_STARTED), text
    expect = ["Registered carveout doesn't fit da request", "probe of rproc-virtio.1.auto failed with error -12"]
    assert all(any(ln.startswith("linux: [") and ln.endswith(e) for ln in lines) for e in expect), text
    assert "echo: FAILED the remote announced no rpmsg-openamp-demo-channel within 5000 ms" in lines, text
    # the driver gives up at the first poll at or past its 1000 ms (a poll sleeps up to 1 ms more)
    stops = [re.search(r"\] amp_rproc remoteproc: cpu 1 still not off after (\d+) ms \(AFFINITY_INFO 0\)$", ln)
             for ln in lines if ln.startswith("linux: [")]
    assert any(m and 1000 <= int(m[1]) < 1100 for m in stops), text
    assert not matching(lines, RE_STOPPED), text


def test_remote_that_never_announces_times_out_and_is_stopped(linux_build):
    lines, text = failing_run(linux_build, "silent")
    expect = [
        "remote: silent build: no endpoint, no announcement",
        "echo: FAILED the remote announced no rpmsg-openamp-demo-channel within 5000 ms",
        f"init: echo stop > {STATE}",
        "remote: vdev reset after 0 echoes, cpu off",
        "init: remoteproc0 offline",
    ]
    assert in_order(lines, expect), text
    assert matching(lines, RE_STOPPED), text
    assert not any(ln.startswith("echo: 1000") for ln in lines), text


def test_corrupted_echoes_counted_and_reported(linux_build):
    lines, text = failing_run(linux_build, "corrupt")
    # the remote flips the last byte of every 100th echo: messages 99, 199, ...
    expect = [
        "echo: 990/1000 ok",
        "echo: FAILED 10 corrupted echoes (the first: message 99, 100 bytes)",
        f"init: echo stop > {STATE}",
        "init: remoteproc0 offline",
    ]
    assert in_order(lines, expect), text
    assert not matching(lines, TIMING), text
