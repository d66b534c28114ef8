"""The three firmware samples, described once for the end-to-end tests.

A :class:`Sample` says where a sample lives, how QEMU boots it, where its
memory is and how its host reports a verdict. The tests that are the same for
every sample (tests/e2e/test_samples.py) are parametrized over these records;
each sample's own test module keeps what only that sample does.

What a successful run prints differs in kind between the samples, and every
boot that should succeed is held to its sample's whole conversation
(:meth:`Sample.check_run`):

* cortex-m3 (:class:`HandOverSample`): one core; the host hands it over to the
  remote, which ends the run through semihosting.
* riscv64-amp and aarch64-amp (:class:`SecondCoreSample`): the host starts the
  remote on a second core, which prints between the host's hand-over line and
  the report the host reads back, whole lines only. aarch64-amp also shows its
  PSCI conduit, exception level and resource-table handling
  (:class:`AArch64Sample`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import SAMPLES as SAMPLE_ROOT
from tests.e2e.conftest import (RE_ENTRY, RE_ERROR, RE_RSC, REMOTE_OK, Boot, bundle,
                                check_image_lines, drop_bss, elf_symbols, flip_byte, qemu_boot,
                                section_addr)

HOSTS = ("host.elf", "host-slot.elf")

CHECKSUM_OK = "host: checksum ok"
CHECKSUM_NONE = "host: checksum none: no checksum recorded"     # the pre-link flows

# remote_fw.h
ENOTBUNDLED = -3
ECSUM = -5
EREGION = -9
EREGION_MSG = "segment outside the allowed regions"             # remote_fw_strerror(EREGION)

# the second-core samples: the remote's report word, read back by the host
REPORT_OK = 0x600DF00D
RE_REPORT = re.compile(r"^host: remote reported 0x(?P<value>[0-9a-f]+)$")

# aarch64-amp only
RE_PSCI = re.compile(r"^host: psci (?P<major>\d+)\.(?P<minor>\d+) via (?P<conduit>hvc|smc) ")
RE_TABLE = re.compile(r"^host: rsc table at 0x(?P<addr>[0-9a-f]+), vdev status 0x07$")

# the remote's own line for each damage done to it after linking (tests: a bad load)
BAD_LOAD_LINE = {"data": "remote: running, data BAD, bss ok",
                 "bss": "remote: running, data ok, bss BAD"}


@dataclass(frozen=True)
class Sample:
    """One sample under samples/<name>: how to build and boot it, and what it prints."""

    name: str                       # samples/<name>
    tag: str                        # prefix of its out-of-tree build directory
    compiler: str                   # what `make all` needs
    objcopy: str | None             # the pre-link objcopy flow (`make prelink`); None: no such flow
    flash_file: bool                # boots `bundle hex`'s output through QEMU's generic loader
    qemu: str                       # the QEMU executable
    machine: str                    # its -M
    qemu_args: tuple[str, ...]      # the rest of the command, before the firmware
    elfclass: int                   # 32 or 64: the ELFs it builds
    remote_area: tuple[int, int]    # (base, size) the host may load into: common/memmap.h
    vrings: tuple[int, int]         # the two vrings' device addresses: common/memmap.h
    bad_remote_ram: int             # where remote-bad.ld links remote-bad.elf (outside remote_area)
    slot: tuple[int, int]           # host-slot.ld's image slot: [start, end)
    xip_flash_end: int | None       # the host runs from flash ending here, and host.elf's image
                                    # goes there; None: the image goes after the host's RAM
    starting: str                   # the host's last line before the remote runs
    exit_status: bool               # QEMU's exit status is the host's verdict (else only its lines)
    make_run_ok: tuple[tuple[str, int], ...]    # `make run`: how often each "== ok" line appears

    @property
    def prebuilt(self) -> Path:
        return SAMPLE_ROOT / self.name / "prebuilt"

    def qemu_cmd(self, *firmware: str, machine: str | None = None) -> list[str]:
        return [self.qemu, "-M", machine or self.machine, *self.qemu_args, *firmware]

    def boot(self, elf: Path, machine: str | None = None) -> Boot:
        return qemu_boot(self.qemu_cmd("-kernel", str(elf), machine=machine))

    def boot_flash_file(self, hexfile: Path) -> Boot:
        """Loaded as a flash programmer would: QEMU's generic loader, no ELF."""
        return qemu_boot(self.qemu_cmd("-device", f"loader,file={hexfile}"))

    def check_run(self, b: Boot, combined: Path, remote: Path, checksum: str = CHECKSUM_OK) -> int:
        """The whole successful conversation; returns the image base the host printed."""
        raise NotImplementedError

    def check_failed(self, b: Boot, rc: int) -> re.Match:
        """The host stopped on a remote_fw error: it printed "host: error: <msg>
        (<rc>)" and the run failed, with exit status -rc where QEMU's exit
        status carries the host's verdict, else (PSCI SYSTEM_OFF always exits
        0) with no "host: pass". Returns the error line's match."""
        m = b.find(RE_ERROR)
        assert m and int(m["rc"]) == rc, b
        if self.exit_status:
            assert b.returncode == -rc, b
        else:
            assert not b.has("host: pass"), b
        return m


def check_loaded(b: Boot, combined: Path, remote: Path, checksum: str) -> tuple[int, int]:
    """What every host prints up to the hand-over: the image (against the
    bundled ELF and the remote file), the checksum verdict, the resource
    table's header and the remote's entry. Returns (base, entry)."""
    assert not b.timed_out, b
    base, _ = check_image_lines(b, combined, remote)
    assert b.has(checksum), b
    m = b.find(RE_RSC)
    assert m and int(m["num"]) == 3 and int(m["size"], 16) == 200, b
    m = b.find(RE_ENTRY)
    assert m, b
    return base, int(m["entry"], 16)


@dataclass(frozen=True)
class HandOverSample(Sample):
    """One core: the host jumps to the remote, whose semihosting exit ends the run."""

    def check_run(self, b: Boot, combined: Path, remote: Path, checksum: str = CHECKSUM_OK) -> int:
        base, entry = check_loaded(b, combined, remote, checksum)
        area, size = self.remote_area
        assert area <= entry & ~1 < area + size, b
        assert entry & 1, "a Cortex-M entry is a Thumb address"
        assert b.has(REMOTE_OK), b
        assert b.lines.index(REMOTE_OK) > b.lines.index(self.starting), b
        assert not any(ln.startswith("host: error") for ln in b.lines), b
        assert b.returncode == 0, b
        return base


@dataclass(frozen=True)
class SecondCoreSample(Sample):
    """The host starts the remote on a second core and reads its report word."""

    hello: str                      # the remote's first line
    tail: tuple[str, ...]           # the host's lines after the remote's report
    boot_line: str | None = None    # the host's first line (aarch64-amp's names its EL: its own check_run)

    def check_run(self, b: Boot, combined: Path, remote: Path, checksum: str = CHECKSUM_OK) -> int:
        assert not b.timed_out, b
        assert b.lines[0] == self.boot_line, b
        base, entry = check_loaded(b, combined, remote, checksum)
        self.check_handover(b, remote, entry)
        return base

    def check_handover(self, b: Boot, remote: Path, entry: int) -> None:
        """From the entry on: the second core ran the remote and the host passed."""
        assert entry == elf_symbols(remote)["_start"], b
        area, size = self.remote_area
        assert area <= entry < area + size, b
        # the remote printed between the hand-over and the host's next line, whole lines only
        start = b.lines.index(self.starting)
        m = b.find(RE_REPORT)
        assert m, b
        report = b.lines.index(m.group(0))
        assert b.lines[start + 1:report] == [self.hello, REMOTE_OK], b
        assert int(m["value"], 16) == REPORT_OK, b
        assert b.lines[report + 1:] == list(self.tail), b
        assert b.returncode == 0, b

    def check_bad_report(self, b: Boot, damage: str) -> None:
        """After boot_with_bad_load: the remote ran on the second core and its
        report word names the damage (REPORT_BAD | 1 for .data, | 2 for .bss)."""
        assert b.has(self.hello), b
        m = b.find(RE_REPORT)
        assert m and int(m["value"], 16) == {"data": 0x0BAD0001, "bss": 0x0BAD0002}[damage], b


@dataclass(frozen=True)
class AArch64Sample(SecondCoreSample):
    """CPU 1 started with PSCI CPU_ON; the host serves the resource table."""

    def check_run(self, b: Boot, combined: Path, remote: Path, checksum: str = CHECKSUM_OK,
                  el: int = 1, conduit: str = "hvc") -> int:
        assert not b.timed_out, b
        assert b.lines[0] == f"host: boot on cpu 0 at EL{el}", b
        m = RE_PSCI.match(b.lines[1])
        assert m and m["conduit"] == conduit and (int(m["major"]), int(m["minor"])) >= (1, 0), b
        base, entry = check_loaded(b, combined, remote, checksum)
        area = elf_symbols(remote)["__remote_ram_start"]
        assert b.has(f"host: rsc carveout remote-ram da=0x{area:08x} len=0x00100000"), b
        assert b.has("host: rsc vdev id=7 vrings=2 notifyids=0,1,2"), b
        # the host wrote the vdev status into the table where the loader put it
        m = b.find(RE_TABLE)
        assert m and int(m["addr"], 16) == section_addr(remote, ".resource_table"), b
        self.check_handover(b, remote, entry)
        return base


CORTEX_M3 = HandOverSample(
    name="cortex-m3", tag="m3", compiler="arm-none-eabi-gcc", objcopy="arm-none-eabi-objcopy",
    flash_file=True,
    qemu="qemu-system-arm", machine="mps2-an385", qemu_args=("-nographic", "-semihosting"),
    elfclass=32,
    remote_area=(0x20200000, 0x40000), vrings=(0x20300000, 0x20304000),
    bad_remote_ram=0x21000000, slot=(0x003C0000, 0x00400000), xip_flash_end=0x00400000,
    starting="host: starting remote", exit_status=True,
    make_run_ok=(("== ok (exit 0)", 2), ("== ok (exit 9)", 1)),
)

RISCV64 = SecondCoreSample(
    name="riscv64-amp", tag="rv64", compiler="riscv64-unknown-elf-gcc",
    objcopy="riscv64-unknown-elf-objcopy", flash_file=True,
    qemu="qemu-system-riscv64", machine="virt",
    qemu_args=("-smp", "2", "-bios", "none", "-nographic"),
    elfclass=64,
    remote_area=(0x80200000, 0x100000), vrings=(0x80301000, 0x80305000),
    bad_remote_ram=0x80400000, slot=(0x801C0000, 0x80200000), xip_flash_end=None,
    starting="host: starting hart 1", exit_status=True,
    make_run_ok=(("== ok (exit 0)", 2), ("== ok (exit 9)", 1)),
    hello="remote: hello from hart 1", tail=("host: pass",), boot_line="host: boot on hart 0",
)

AARCH64 = AArch64Sample(
    name="aarch64-amp", tag="a64", compiler="aarch64-linux-gnu-gcc", objcopy=None,
    flash_file=False,
    qemu="qemu-system-aarch64", machine="virt",
    qemu_args=("-cpu", "cortex-a53", "-smp", "2", "-m", "128M", "-nographic",
               "-monitor", "none", "-nic", "none"),
    elfclass=64,
    remote_area=(0x40400000, 0x100000), vrings=(0x40501000, 0x40505000),
    bad_remote_ram=0x40600000, slot=(0x403C0000, 0x40400000), xip_flash_end=None,
    starting="host: starting cpu 1", exit_status=False,
    make_run_ok=(("\n== ok\n", 3),),
    hello="remote: hello from cpu 1",
    tail=("host: remote ran on cpu 1", "host: cpu 1 off", "host: pass"),
)

ALL_SAMPLES = (CORTEX_M3, RISCV64, AARCH64)


def sample_id(sample: Sample) -> str:
    return sample.name


def boot_with_bad_load(sample: Sample, built: Path, tmp_path: Path, damage: str) -> Boot:
    """Bundle and boot a remote damaged after linking: its .data initial value
    changed ("data"), or its PT_LOAD no longer covering .bss ("bss", so the
    loader leaves the host's 0xa5 fill there). The host loads and starts it
    as ever, and the remote's own check reports the damage."""
    remote = tmp_path / "remote.elf"
    if damage == "data":
        flip_byte(built / "remote.elf", remote, elf_symbols(built / "remote.elf")["data_words"])
    else:
        drop_bss(built / "remote.elf", remote)
    combined = bundle(built / "host.elf", remote, tmp_path / "combined.elf")
    b = sample.boot(combined)
    assert not b.timed_out, b
    assert b.has(CHECKSUM_OK) and b.has(sample.starting), b
    assert b.has(BAD_LOAD_LINE[damage]), b
    return b
