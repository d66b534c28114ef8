"""End-to-end helpers: build a sample out of tree, bundle it with the real CLI,
boot it in QEMU and read back what the firmware printed.

Samples are built with ``make -C samples/<name> BUILD=<tmp>`` so a test never
writes into the repository, each at most once a session (the ``built``
fixture, for the ``sample`` a test is given: tests/e2e/harness.py describes
them). QEMU always runs under a timeout and is killed (its whole process
group) however the test ends.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tests.support.paths import ROOT, SAMPLES

from tests.support.tools import need_tool

from tests.support.cli import run_bundle

QEMU_TIMEOUT = 20.0

# the lines every host prints (samples/*/host/main.c)
RE_IMAGE = re.compile(r"^host: image (?P<name>\w+) base=0x(?P<base>[0-9a-f]+) size=0x(?P<size>[0-9a-f]+)$")
RE_RSC = re.compile(r"^host: rsc entries=(?P<num>\d+) size=0x(?P<size>[0-9a-f]+)$")
RE_ENTRY = re.compile(r"^host: entry=0x(?P<entry>[0-9a-f]+)$")
RE_ERROR = re.compile(r"^host: error: (?P<msg>.*) \((?P<rc>-?\d+)\)$")
REMOTE_OK = "remote: running, data ok, bss ok"

# make passes this to the sample Makefiles as BUNDLE=...: the CLI from this tree
BUNDLE_CMD = f"env PYTHONPATH={ROOT} {sys.executable} -m bundler"


@dataclass
class Boot:
    """One QEMU run: exit status and the console lines (CR stripped)."""

    returncode: int
    output: str
    timed_out: bool
    lines: list[str] = field(init=False)

    def __post_init__(self):
        self.lines = [ln.rstrip("\r") for ln in self.output.splitlines()]

    def find(self, regex: re.Pattern) -> re.Match | None:
        for ln in self.lines:
            m = regex.match(ln)
            if m:
                return m
        return None

    def has(self, line: str) -> bool:
        return line in self.lines

    def __str__(self) -> str:
        state = "timed out" if self.timed_out else f"exit {self.returncode}"
        return f"QEMU {state}, output:\n{self.output}"


def qemu_boot(cmd: list[str], timeout: float = QEMU_TIMEOUT) -> Boot:
    """Run QEMU in its own process group; kill the group on timeout or error."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return Boot(proc.returncode, out.decode("utf-8", "replace"), timed_out)


def make_sample(sample: str, build: Path, *targets: str, **variables: str) -> subprocess.CompletedProcess:
    """``make -C samples/<sample> BUILD=<build> <targets>``; raises with the log on failure."""
    cmd = ["make", "-C", str(SAMPLES / sample), f"BUILD={build}",
           *[f"{k}={v}" for k, v in variables.items()], *targets]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


# what `make all` builds in every sample
ELFS = ("remote.elf", "remote-bad.elf", "host.elf", "host-slot.elf")


@pytest.fixture(scope="session")
def sample_builds(tmp_path_factory):
    """build(sample) -> the directory it was built in: once a session, out of
    tree, with the real cross compiler. A build that failed (or was skipped for
    a missing tool) is not tried again: each later test gets the same outcome."""
    done: dict[str, Path | BaseException] = {}

    def build(sample) -> Path:
        if sample.name not in done:
            try:
                need_tool("make", sample.compiler)
                out = tmp_path_factory.mktemp(sample.tag) / "build"
                make_sample(sample.name, out, "all")
                for name in ELFS:
                    assert (out / name).is_file(), name
                done[sample.name] = out
            except (Exception, pytest.skip.Exception, pytest.fail.Exception) as e:
                done[sample.name] = e
                raise
        result = done[sample.name]
        if isinstance(result, BaseException):
            raise result
        return result

    return build


@pytest.fixture(scope="session")
def a64_openamp_dir(tmp_path_factory) -> Path:
    """One build directory of samples/aarch64-amp for the session's OpenAMP
    targets (`make openamp`, `make echo`): make cross-builds libmetal and
    open-amp into it once, and each module adds only its own programs."""
    return tmp_path_factory.mktemp("a64-openamp") / "build"


@pytest.fixture
def built(sample, sample_builds) -> Path:
    """The test's ``sample`` (a harness.Sample) built; tests may add targets to it."""
    return sample_builds(sample)


def bundle(host: Path, remote: Path, out: Path, *extra: str) -> Path:
    """Post-link bundle with the real CLI (``python -m bundler``)."""
    proc = run_bundle(host, remote, "-o", out, *extra)
    assert proc.returncode == 0, f"bundle exited {proc.returncode}:\n{proc.stderr}"
    assert out.is_file()
    return out


def verify_report(combined: Path, remote: Path, emulate: bool = True) -> dict:
    """``bundle verify --json`` (with the kit's remote_fw_find emulated); must pass."""
    args = ["verify", combined, "--remote", remote, "--json"] + (["--emulate"] if emulate else [])
    proc = run_bundle(*args)
    assert proc.returncode == 0, f"bundle verify exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(proc.stdout)
    assert report["ok"] is True and report["errors"] == 0, report
    return report


def check_verify_agrees(combined: Path, remote: Path, base: int, size: int) -> None:
    """What `bundle verify` reads from the file, and what its emulation of the
    host's remote_fw_find returns, agree with what the host printed in QEMU."""
    report = verify_report(combined, remote)
    [image] = report["images"]
    assert (image["stem"], image["address"], image["size"]) == ("remote_elf", base, size), report
    [found] = report["emulation"]["results"]
    assert (found["rc"], found["base"], found["size"]) == (0, base, size), report


def elf_symbols(path: Path) -> dict[str, int]:
    """Every named symbol's value (last one wins; the samples have no duplicates)."""
    with open(path, "rb") as f:
        elf = ELFFile(f)
        symtab = elf.get_section_by_name(".symtab")
        return {s.name: s["st_value"] for s in symtab.iter_symbols() if s.name}


def read_loaded(path: Path, addr: int, size: int) -> bytes:
    """The file bytes a loader puts at physical address addr (one PT_LOAD must hold them)."""
    with open(path, "rb") as f:
        elf = ELFFile(f)
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD":
                continue
            start = seg["p_paddr"]
            if start <= addr and addr + size <= start + seg["p_filesz"]:
                return seg.data()[addr - start:addr - start + size]
    raise AssertionError(f"{path}: no PT_LOAD holds 0x{addr:x}+{size} in its file bytes")


def file_offset(path: Path, addr: int) -> int:
    """Where in the file the byte a loader puts at physical address addr lives."""
    with open(path, "rb") as f:
        for seg in ELFFile(f).iter_segments():
            if seg["p_type"] == "PT_LOAD" and 0 <= addr - seg["p_paddr"] < seg["p_filesz"]:
                return seg["p_offset"] + addr - seg["p_paddr"]
    raise AssertionError(f"{path}: no PT_LOAD holds 0x{addr:x} in its file bytes")


def flip_byte(src: Path, dst: Path, addr: int) -> None:
    """Copy src to dst with the loaded byte at addr inverted."""
    data = bytearray(src.read_bytes())
    data[file_offset(src, addr)] ^= 0xFF
    dst.write_bytes(bytes(data))


def drop_bss(src: Path, dst: Path) -> None:
    """Copy src to dst with p_memsz = p_filesz in every PT_LOAD: a loader that
    honours the headers then leaves .bss as it found it (not zeroed)."""
    data = bytearray(src.read_bytes())
    with open(src, "rb") as f:
        elf = ELFFile(f)
        word = 8 if elf.elfclass == 64 else 4
        memsz_at = 40 if word == 8 else 20          # p_memsz in Elf64_Phdr / Elf32_Phdr
        order = "little" if elf.little_endian else "big"
        changed = 0
        for i, seg in enumerate(elf.iter_segments()):
            if seg["p_type"] == "PT_LOAD" and seg["p_memsz"] != seg["p_filesz"]:
                off = elf["e_phoff"] + i * elf["e_phentsize"] + memsz_at
                data[off:off + word] = seg["p_filesz"].to_bytes(word, order)
                changed += 1
    assert changed, f"{src}: no PT_LOAD with a .bss part"
    dst.write_bytes(bytes(data))


SHF_WRITE = 0x1


def section_at(path: Path, addr: int) -> tuple[str, int]:
    """(name, sh_flags) of the allocated section with contents that holds addr."""
    with open(path, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            if sec["sh_type"] == "SHT_PROGBITS" and sec["sh_flags"] & 0x2 \
                    and sec["sh_addr"] <= addr < sec["sh_addr"] + sec["sh_size"]:
                return sec.name, sec["sh_flags"]
    raise AssertionError(f"{path}: no allocated section holds 0x{addr:x}")


def section_addr(path: Path, name: str) -> int:
    with open(path, "rb") as f:
        return ELFFile(f).get_section_by_name(name)["sh_addr"]


def section_bytes(path: Path, name: str) -> bytes | None:
    with open(path, "rb") as f:
        sec = ELFFile(f).get_section_by_name(name)
        return None if sec is None else sec.data()


def check_resource_table(path: Path, area: tuple[int, int], vrings: tuple[int, int]) -> None:
    """The remote's .resource_table read independently of the kit, field by
    field as include/linux/remoteproc.h lays it out: a carveout for the remote area, a trace
    buffer inside it (the trace_buf symbol), an rpmsg vdev with two vrings;
    notify ids unique and below 32; the table loaded by a PT_LOAD."""
    with open(path, "rb") as f:
        elf = ELFFile(f)
        sec = elf.get_section_by_name(".resource_table")
        assert sec is not None and sec["sh_type"] == "SHT_PROGBITS"
        assert any(seg["p_type"] == "PT_LOAD" and seg.section_in_segment(sec)
                   for seg in elf.iter_segments()), "the table must be loaded"
        tbl = sec.data()
    syms = elf_symbols(path)

    def u32(off: int) -> int:
        return int.from_bytes(tbl[off:off + 4], "little")

    assert len(tbl) == 200
    ver, num, r0, r1 = u32(0), u32(4), u32(8), u32(12)
    assert (ver, num, r0, r1) == (1, 3, 0, 0)
    offsets = [u32(16 + 4 * i) for i in range(num)]
    assert offsets == [28, 28 + 56, 28 + 56 + 48]
    carve, trace, vdev = offsets
    # carveout: type, da, pa, len, flags, reserved, name[32]
    assert [u32(carve + 4 * i) for i in range(6)] == [0, area[0], area[0], area[1], 0, 0]
    assert tbl[carve + 24:carve + 56].rstrip(b"\0") == b"remote-ram"
    # trace: type, da, len, reserved, name[32]
    assert u32(trace) == 2 and u32(trace + 12) == 0
    da, length = u32(trace + 4), u32(trace + 8)
    assert da == syms["trace_buf"] and length == 1024
    assert area[0] <= da and da + length <= area[0] + area[1]
    assert tbl[trace + 16:trace + 48].rstrip(b"\0") == b"remote-trace"
    # vdev: type, id, notifyid, dfeatures, gfeatures, config_len, status, num_of_vrings, reserved[2]
    assert [u32(vdev + 4 * i) for i in range(6)] == [3, 7, 0, 1, 0, 0]
    assert tbl[vdev + 24:vdev + 28] == bytes([0, 2, 0, 0])
    notify = [u32(vdev + 8)]
    for i, want_da in enumerate(vrings):
        ring = vdev + 28 + 20 * i
        ring_da, align, n, notifyid, reserved = (u32(ring + 4 * k) for k in range(5))
        assert ring_da == want_da and align != 0 and n != 0 and n & (n - 1) == 0 and reserved == 0
        notify.append(notifyid)
    assert len(set(notify)) == len(notify) and max(notify) < 32, notify
    assert vdev + 28 + 20 * 2 == len(tbl)


def check_image_lines(boot: Boot, combined: Path, remote: Path) -> tuple[int, int]:
    """The host's image line against the bundled ELF's symbols and the remote file.

    Returns (base, size) as the host printed them."""
    m = boot.find(RE_IMAGE)
    assert m, f"no 'host: image' line; {boot}"
    assert m["name"] == "remote_elf"
    base, size = int(m["base"], 16), int(m["size"], 16)
    syms = elf_symbols(combined)
    assert base == syms["_binary_remote_elf_start"], boot
    assert size == syms["_binary_remote_elf_size"], boot
    assert base + size == syms["_binary_remote_elf_end"], boot
    remote_bytes = remote.read_bytes()
    assert size == len(remote_bytes)
    assert read_loaded(combined, base, size) == remote_bytes
    return base, size
