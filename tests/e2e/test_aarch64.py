"""samples/aarch64-amp end to end: build with aarch64-linux-gnu-gcc
(freestanding), bundle with the CLI, boot in qemu-system-aarch64 (virt,
cortex-a53, 2 CPUs, -kernel): the host on CPU 0 loads the remote and starts
CPU 1 at its entry with PSCI CPU_ON; the remote prints on the PL011 UART and
reports through shared memory; the host reads the report, sees CPU 1 turn
itself off (AFFINITY_INFO) and ends QEMU with PSCI SYSTEM_OFF.

QEMU exits 0 on SYSTEM_OFF whatever the host found, so every verdict here is
read from the UART output.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tests.conftest import SAMPLES, need_tool
from tests.e2e.conftest import (BUNDLE_CMD, RE_ENTRY, RE_ERROR, RE_RSC, REMOTE_OK, SHF_WRITE,
                                Boot, bundle, check_image_lines, check_resource_table, drop_bss,
                                elf_symbols, flip_byte, make_sample, qemu_boot, section_at,
                                section_bytes)

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

SAMPLE = "aarch64-amp"
PREBUILT = SAMPLES / SAMPLE / "prebuilt"
ELFS = ("remote.elf", "remote-bad.elf", "host.elf", "host-slot.elf")
REMOTE_AREA = (0x40400000, 0x100000)    # samples/aarch64-amp/common/memmap.h
VRINGS = (0x40501000, 0x40505000)
REPORT_OK = 0x600DF00D
RE_REPORT = re.compile(r"^host: remote reported 0x(?P<value>[0-9a-f]+)$")
RE_PSCI = re.compile(r"^host: psci (?P<major>\d+)\.(?P<minor>\d+) via (?P<conduit>hvc|smc) ")
RE_TABLE = re.compile(r"^host: rsc table at 0x(?P<addr>[0-9a-f]+), vdev status 0x07$")


def boot(elf: Path, machine: str = "virt") -> Boot:
    return qemu_boot(["qemu-system-aarch64", "-M", machine, "-cpu", "cortex-a53", "-smp", "2",
                      "-m", "128M", "-nographic", "-monitor", "none", "-nic", "none",
                      "-kernel", str(elf)])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample built once per module, out of tree, with the real cross compiler."""
    need_tool("make", "aarch64-linux-gnu-gcc")
    out = tmp_path_factory.mktemp("a64") / "build"
    make_sample(SAMPLE, out, "all")
    for name in ELFS:
        assert (out / name).is_file(), name
    return out


def resource_table_addr(remote: Path) -> int:
    with open(remote, "rb") as f:
        return ELFFile(f).get_section_by_name(".resource_table")["sh_addr"]


def assert_cpu1_ran(b: Boot, combined: Path, remote: Path, el: int = 1, conduit: str = "hvc",
                    checksum: str = "host: checksum ok") -> int:
    """The whole conversation, in order; returns the image base the host printed."""
    assert not b.timed_out, b
    assert b.lines[0] == f"host: boot on cpu 0 at EL{el}", b
    m = RE_PSCI.match(b.lines[1])
    assert m and m["conduit"] == conduit and (int(m["major"]), int(m["minor"])) >= (1, 0), b
    base, _ = check_image_lines(b, combined, remote)
    assert b.has(checksum), b
    m = b.find(RE_RSC)
    assert m and int(m["num"]) == 3 and int(m["size"], 16) == 200, b
    area = elf_symbols(remote)["__remote_ram_start"]
    assert b.has(f"host: rsc carveout remote-ram da=0x{area:08x} len=0x00100000"), b
    assert b.has("host: rsc vdev id=7 vrings=2 notifyids=0,1,2"), b
    m = b.find(RE_ENTRY)
    assert m, b
    entry = int(m["entry"], 16)
    assert entry == elf_symbols(remote)["_start"], b
    assert REMOTE_AREA[0] <= entry < REMOTE_AREA[0] + REMOTE_AREA[1], b
    # the host wrote the vdev status into the table where the loader put it
    m = b.find(RE_TABLE)
    assert m and int(m["addr"], 16) == resource_table_addr(remote), b
    # CPU 1 printed between the hand-over and the host's next line, whole lines only
    start = b.lines.index("host: starting cpu 1")
    m = b.find(RE_REPORT)
    assert m, b
    report = b.lines.index(m.group(0))
    assert b.lines[start + 1:report] == ["remote: hello from cpu 1", REMOTE_OK], b
    assert int(m["value"], 16) == REPORT_OK, b
    assert b.lines[report + 1:] == ["host: remote ran on cpu 1", "host: cpu 1 off", "host: pass"], b
    assert b.returncode == 0, b
    return base


@pytest.mark.parametrize("host", ["host.elf", "host-slot.elf"])
def test_bundled_host_starts_remote_on_cpu1(built, tmp_path, host):
    need_tool("qemu-system-aarch64")
    combined = bundle(built / host, built / "remote.elf", tmp_path / "combined.elf")
    with open(combined, "rb") as f:
        assert f.read(5) == b"\x7fELF\x02", "the host is ELF64"
    base = assert_cpu1_ran(boot(combined), combined, built / "remote.elf")
    syms = elf_symbols(combined)
    if host == "host-slot.elf":
        start, end = syms["__remote_fw_slot_start"], syms["__remote_fw_slot_end"]
        assert (start, end) == (0x403C0000, 0x40400000)
        assert start <= base and base + syms["_binary_remote_elf_size"] <= end
    else:
        assert "__remote_fw_slot_start" not in syms
        assert base >= syms["_estack"], "the image lies after the host's memory, stack included"


def test_smc_conduit_at_el2(built, tmp_path):
    """virtualization=on: the host starts at EL2, QEMU's device tree says
    "smc", and the host follows it (CPU 1 starts at EL2 too)."""
    need_tool("qemu-system-aarch64")
    combined = bundle(built / "host.elf", built / "remote.elf", tmp_path / "combined.elf")
    assert_cpu1_ran(boot(combined, "virt,virtualization=on"), combined, built / "remote.elf",
                    el=2, conduit="smc")


def test_bad_remote_is_refused(built, tmp_path):
    need_tool("qemu-system-aarch64")
    combined = bundle(built / "host.elf", built / "remote-bad.elf", tmp_path / "combined-bad.elf",
                      "--name", "remote_elf")
    b = boot(combined)
    assert not b.timed_out, b
    check_image_lines(b, combined, built / "remote-bad.elf")
    m = b.find(RE_ERROR)
    assert m and int(m["rc"]) == -9, b          # REMOTE_FW_EREGION
    assert m["msg"] == "segment outside the allowed regions", b
    assert b.find(RE_ENTRY) is None and not b.has("host: starting cpu 1"), b
    assert not any(ln.startswith("remote:") for ln in b.lines), b


def test_unbundled_host_reports_not_bundled(built):
    need_tool("qemu-system-aarch64")
    b = boot(built / "host.elf")
    m = b.find(RE_ERROR)
    assert m and int(m["rc"]) == -3, b         # REMOTE_FW_ENOTBUNDLED
    assert not b.has("host: pass"), b


def test_corrupt_image_fails_checksum(built, tmp_path):
    need_tool("qemu-system-aarch64")
    combined = bundle(built / "host.elf", built / "remote.elf", tmp_path / "combined.elf")
    syms = elf_symbols(combined)
    corrupt = tmp_path / "corrupt.elf"
    flip_byte(combined, corrupt, syms["_binary_remote_elf_start"] + syms["_binary_remote_elf_size"] // 2)
    b = boot(corrupt)
    assert not b.timed_out, b
    m = b.find(RE_ERROR)
    assert m and int(m["rc"]) == -5, b         # REMOTE_FW_ECSUM
    assert not b.has("host: checksum ok") and b.find(RE_ENTRY) is None, b
    assert not any(ln.startswith("remote:") for ln in b.lines), b


@pytest.mark.parametrize("damage", ["data", "bss"])
def test_remote_detects_a_bad_load(built, tmp_path, damage):
    """The remote's own checks are real: a changed .data initial value or a
    PT_LOAD that no longer covers .bss is reported from CPU 1, and the host
    fails the run on the report word."""
    need_tool("qemu-system-aarch64")
    remote = tmp_path / "remote.elf"
    if damage == "data":
        flip_byte(built / "remote.elf", remote, elf_symbols(built / "remote.elf")["data_words"])
    else:
        drop_bss(built / "remote.elf", remote)
    combined = bundle(built / "host.elf", remote, tmp_path / "combined.elf")
    b = boot(combined)
    assert not b.timed_out, b
    assert b.has("host: checksum ok") and b.has("remote: hello from cpu 1"), b
    want = {"data": ("remote: running, data BAD, bss ok", 0x0BAD0001),
            "bss": ("remote: running, data ok, bss BAD", 0x0BAD0002)}[damage]
    assert b.has(want[0]), b
    m = b.find(RE_REPORT)
    assert m and int(m["value"], 16) == want[1], b
    assert b.has("host: remote ran on cpu 1"), b
    assert b.has("host: error: remote reported a failure (-103)"), b
    assert not b.has("host: pass"), b


def test_remote_resource_table(built):
    """Carveout, trace buffer and an rpmsg vdev whose vrings sit in shared
    memory, notify ids unique and below 32; the vdev status is 0 in the file
    (the host sets it in the loaded copy)."""
    check_resource_table(built / "remote.elf", REMOTE_AREA, VRINGS)
    bad = elf_symbols(built / "remote-bad.elf")["__remote_ram_start"]
    assert bad == 0x40600000
    check_resource_table(built / "remote-bad.elf", (bad, REMOTE_AREA[1]), VRINGS)
    check_resource_table(PREBUILT / "remote.elf", REMOTE_AREA, VRINGS)
    table = section_bytes(built / "remote.elf", ".resource_table")
    assert table[28 + 56 + 48 + 24] == 0       # vdev status


@pytest.mark.parametrize("host", ["host.elf", "host-slot.elf"])
def test_prebuilt_elfs_bundle_and_boot(tmp_path, host):
    """The committed ELFs need no cross compiler: bundle and boot them."""
    need_tool("qemu-system-aarch64")
    combined = bundle(PREBUILT / host, PREBUILT / "remote.elf", tmp_path / "combined.elf")
    assert_cpu1_ran(boot(combined), combined, PREBUILT / "remote.elf")


def test_make_run_with_prebuilt(tmp_path):
    """The Makefile's own `run` (bundle + verify + hex, three boots) from prebuilt/."""
    need_tool("make", "qemu-system-aarch64")
    proc = make_sample(SAMPLE, tmp_path / "build", "run", ELFDIR=str(PREBUILT), BUNDLE=BUNDLE_CMD)
    assert proc.stdout.count("\n== ok\n") == 3, proc.stdout
    assert (tmp_path / "build" / "combined.hex").is_file()


def test_prelink_bundle_object_flow(built):
    """`bundle object` before linking: the linker fills the descriptor from a
    read-only 8-aligned section; the same host source boots the remote."""
    need_tool("make", "qemu-system-aarch64")
    make_sample(SAMPLE, built, "object", BUNDLE=BUNDLE_CMD)
    elf = built / "host-object.elf"
    assert_cpu1_ran(boot(elf), elf, built / "remote.elf",
                    checksum="host: checksum none: no checksum recorded")
    start = elf_symbols(elf)["_binary_remote_elf_start"]
    assert start % 8 == 0
    name, flags = section_at(elf, start)
    assert not flags & SHF_WRITE, f"the image landed in writable {name}"


def test_build_is_reproducible(built, tmp_path):
    """A second build elsewhere, with the kit named by another path, gives the
    same bytes; prebuilt/ is what this compiler builds from these sources
    (exactly for the remotes; a host also holds the kit, which others change:
    a stale prebuilt host is a warning)."""
    again = tmp_path / "again"
    make_sample(SAMPLE, again, "all", KIT=str(SAMPLES.parent / "linker"))
    for name in ELFS:
        assert (again / name).read_bytes() == (built / name).read_bytes(), name
    for name in ELFS:
        if section_bytes(PREBUILT / name, ".comment") != section_bytes(built / name, ".comment"):
            pytest.skip(f"prebuilt/{name} was made by another compiler version")
        if (PREBUILT / name).read_bytes() == (built / name).read_bytes():
            continue
        msg = f"prebuilt/{name} differs from a fresh build: run `make prebuilt` in samples/{SAMPLE}"
        if name.startswith("host"):
            warnings.warn(msg)
        else:
            pytest.fail(msg)
