"""samples/riscv64-amp end to end: build with riscv64-unknown-elf-gcc, bundle
with the CLI, boot in qemu-system-riscv64 (virt, 2 harts, -bios none): the host
on hart 0 loads the remote, hart 1 runs it, the host reads its report back.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, need_tool, run_bundle
from tests.e2e.conftest import (BUNDLE_CMD, RE_ENTRY, RE_ERROR, RE_RSC, REMOTE_OK, SHF_WRITE,
                                Boot, bundle, check_image_lines, check_resource_table,
                                check_verify_agrees, drop_bss, elf_symbols, flip_byte,
                                make_sample, qemu_boot, section_at, section_bytes)

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

SAMPLE = "riscv64-amp"
PREBUILT = SAMPLES / SAMPLE / "prebuilt"
ELFS = ("remote.elf", "remote-bad.elf", "host.elf", "host-slot.elf")
REMOTE_AREA = (0x80200000, 0x100000)    # samples/riscv64-amp/common/memmap.h
REPORT_OK = 0x600DF00D
EREGION = -9                            # REMOTE_FW_EREGION
RE_REPORT = re.compile(r"^host: remote reported 0x(?P<value>[0-9a-f]+)$")


def boot(elf: Path) -> Boot:
    return qemu_boot(["qemu-system-riscv64", "-M", "virt", "-smp", "2", "-bios", "none",
                      "-nographic", "-kernel", str(elf)])


VRINGS = (0x80301000, 0x80305000)

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample built once per module, out of tree, with the real cross compiler."""
    need_tool("make", "riscv64-unknown-elf-gcc")
    out = tmp_path_factory.mktemp("rv64") / "build"
    make_sample(SAMPLE, out, "all")
    for name in ELFS:
        assert (out / name).is_file(), name
    return out


def assert_both_harts_ran(b: Boot, combined: Path, remote: Path,
                          checksum: str = "host: checksum ok") -> int:
    assert not b.timed_out, b
    assert b.lines[0] == "host: boot on hart 0", b
    base, _ = check_image_lines(b, combined, remote)
    assert b.has(checksum), b
    m = b.find(RE_RSC)
    assert m and int(m["num"]) == 3 and int(m["size"], 16) == 200, b
    m = b.find(RE_ENTRY)
    assert m, b
    entry = int(m["entry"], 16)
    assert entry == elf_symbols(remote)["_start"], b
    assert REMOTE_AREA[0] <= entry < REMOTE_AREA[0] + REMOTE_AREA[1], b
    # hart 1 printed between the hand-over and the host's next line, whole lines only
    start = b.lines.index("host: starting hart 1")
    m = b.find(RE_REPORT)
    assert m, b
    report = b.lines.index(m.group(0))
    assert b.lines[start + 1:report] == ["remote: hello from hart 1", REMOTE_OK], b
    assert int(m["value"], 16) == REPORT_OK, b
    assert b.lines[report + 1:] == ["host: pass"], b
    assert b.returncode == 0, b
    return base


@pytest.mark.parametrize("host", ["host.elf", "host-slot.elf"])
def test_bundled_host_runs_remote_on_hart1(built, tmp_path, host):
    need_tool("qemu-system-riscv64")
    combined = bundle(built / host, built / "remote.elf", tmp_path / "combined.elf")
    with open(combined, "rb") as f:
        assert f.read(5) == b"\x7fELF\x02", "the host is ELF64"
    b = boot(combined)
    base = assert_both_harts_ran(b, combined, built / "remote.elf")
    check_verify_agrees(combined, built / "remote.elf", base, (built / "remote.elf").stat().st_size)
    syms = elf_symbols(combined)
    if host == "host-slot.elf":
        start, end = syms["__remote_fw_slot_start"], syms["__remote_fw_slot_end"]
        assert end - start == syms["__remote_fw_slot_size"] == 0x40000
        assert start <= base and base + syms["_binary_remote_elf_size"] <= end, b
    else:
        assert "__remote_fw_slot_start" not in syms
        assert base >= syms["_estack"], "the image lies after the host's memory, stack included"


def test_bad_remote_is_refused(built, tmp_path):
    need_tool("qemu-system-riscv64")
    combined = bundle(built / "host.elf", built / "remote-bad.elf", tmp_path / "combined-bad.elf",
                      "--name", "remote_elf")
    b = boot(combined)
    assert not b.timed_out, b
    check_image_lines(b, combined, built / "remote-bad.elf")
    m = b.find(RE_ERROR)
    assert m and int(m["rc"]) == EREGION, b
    assert b.find(RE_ENTRY) is None, b
    assert not any(ln.startswith("remote:") for ln in b.lines), b
    assert b.returncode == -EREGION, b


def test_remote_resource_table(built):
    """The table as REMOTEPROC.md lays it out, for the remote and for
    remote-bad (whose carveout follows its own link address)."""
    check_resource_table(built / "remote.elf", REMOTE_AREA, VRINGS)
    bad = elf_symbols(built / "remote-bad.elf")["__remote_ram_start"]
    assert bad != REMOTE_AREA[0]
    check_resource_table(built / "remote-bad.elf", (bad, REMOTE_AREA[1]), VRINGS)
    check_resource_table(PREBUILT / "remote.elf", REMOTE_AREA, VRINGS)


def test_unbundled_host_reports_not_bundled(built):
    need_tool("qemu-system-riscv64")
    b = boot(built / "host.elf")
    m = b.find(RE_ERROR)
    assert m and int(m["rc"]) == -3, b         # REMOTE_FW_ENOTBUNDLED
    assert b.returncode == 3, b


def test_corrupt_image_fails_checksum(built, tmp_path):
    """One byte of the embedded image flipped after bundling: the host's
    remote_fw_verify catches it (REMOTE_FW_ECSUM) and nothing is loaded."""
    need_tool("qemu-system-riscv64")
    combined = bundle(built / "host.elf", built / "remote.elf", tmp_path / "combined.elf")
    syms = elf_symbols(combined)
    corrupt = tmp_path / "corrupt.elf"
    flip_byte(combined, corrupt, syms["_binary_remote_elf_start"] + syms["_binary_remote_elf_size"] // 2)
    proc = run_bundle("verify", corrupt, "--remote", built / "remote.elf")
    assert proc.returncode == 1, f"verify must catch the flipped byte:\n{proc.stdout}{proc.stderr}"
    b = boot(corrupt)
    assert not b.timed_out, b
    m = b.find(RE_ERROR)
    assert m and int(m["rc"]) == -5, b         # REMOTE_FW_ECSUM
    assert not b.has("host: checksum ok"), b
    assert b.find(RE_ENTRY) is None, b
    assert not any(ln.startswith("remote:") for ln in b.lines), b
    assert b.returncode == 5, b


@pytest.mark.parametrize("damage", ["data", "bss"])
def test_remote_detects_a_bad_load(built, tmp_path, damage):
    """The remote's own checks are real: a remote whose .data initial value was
    changed after linking reports data BAD; one whose PT_LOAD no longer covers
    .bss (so the loader leaves the host's 0xa5 fill there) reports bss BAD. The
    host reads the failure from the report word and fails the run."""
    need_tool("qemu-system-riscv64")
    remote = tmp_path / "remote.elf"
    if damage == "data":
        flip_byte(built / "remote.elf", remote, elf_symbols(built / "remote.elf")["data_words"])
    else:
        drop_bss(built / "remote.elf", remote)
    combined = bundle(built / "host.elf", remote, tmp_path / "combined.elf")
    b = boot(combined)
    assert not b.timed_out, b
    assert b.has("host: checksum ok") and b.has("remote: hello from hart 1"), b
    want = {"data": ("remote: running, data BAD, bss ok", 0x0BAD0001),
            "bss": ("remote: running, data ok, bss BAD", 0x0BAD0002)}[damage]
    assert b.has(want[0]), b
    m = b.find(RE_REPORT)
    assert m and int(m["value"], 16) == want[1], b
    assert b.has("host: error: remote reported a failure"), b
    assert b.returncode == 101, b


def test_flash_file_boots(built, tmp_path):
    """`bundle hex` of the bundled ELF, loaded as a flash programmer would
    (QEMU's generic loader, no ELF): the same run."""
    need_tool("qemu-system-riscv64")
    combined = bundle(built / "host-slot.elf", built / "remote.elf", tmp_path / "combined.elf")
    hexfile = tmp_path / "combined.hex"
    proc = run_bundle("hex", combined, "-o", hexfile)
    assert proc.returncode == 0, proc.stderr
    assert hexfile.read_bytes().startswith(b":")
    b = qemu_boot(["qemu-system-riscv64", "-M", "virt", "-smp", "2", "-bios", "none",
                      "-nographic", "-device", f"loader,file={hexfile}"])
    assert_both_harts_ran(b, combined, built / "remote.elf")


def test_prelink_objcopy_flow(built):
    need_tool("qemu-system-riscv64", "riscv64-unknown-elf-objcopy")
    make_sample(SAMPLE, built, "prelink")
    elf = built / "host-prelink.elf"
    assert_both_harts_ran(boot(elf), elf, built / "prelink" / "remote.elf",
                          checksum="host: checksum none: no checksum recorded")
    data = section_bytes(built / "prelink" / "remote_bin.o", ".rodata.remote_fw")
    assert data == (built / "remote.elf").read_bytes()



def test_prelink_bundle_object_flow(built):
    """`bundle object` before linking (the Makefile's `object` target): the
    linker fills the descriptor, as with objcopy, from a read-only 8-aligned
    section."""
    need_tool("make", "qemu-system-riscv64")
    make_sample(SAMPLE, built, "object", BUNDLE=BUNDLE_CMD)
    elf = built / "host-object.elf"
    assert_both_harts_ran(boot(elf), elf, built / "remote.elf",
                          checksum="host: checksum none: no checksum recorded")
    obj = built / "object" / "remote.o"
    assert section_bytes(obj, ".rodata.remote_fw.remote_elf") == (built / "remote.elf").read_bytes()
    start = elf_symbols(elf)["_binary_remote_elf_start"]
    assert start % 8 == 0
    name, flags = section_at(elf, start)
    assert not flags & SHF_WRITE, f"the image landed in writable {name}"

@pytest.mark.parametrize("host", ["host.elf", "host-slot.elf"])
def test_prebuilt_elfs_bundle_and_boot(tmp_path, host):
    need_tool("qemu-system-riscv64")
    combined = bundle(PREBUILT / host, PREBUILT / "remote.elf", tmp_path / "combined.elf")
    assert_both_harts_ran(boot(combined), combined, PREBUILT / "remote.elf")


def test_make_run_with_prebuilt(tmp_path):
    need_tool("make", "qemu-system-riscv64")
    proc = make_sample(SAMPLE, tmp_path / "build", "run", ELFDIR=str(PREBUILT), BUNDLE=BUNDLE_CMD)
    assert proc.stdout.count("== ok (exit 0)") == 2, proc.stdout
    assert proc.stdout.count("== ok (exit 9)") == 1, proc.stdout


def test_build_is_reproducible(built, tmp_path):
    """A second build elsewhere, with the kit named by another path, gives the
    same bytes. prebuilt/ must be what this compiler builds from these sources:
    exactly for the remotes; the hosts also contain the kit (linker/), which
    others change, so a stale prebuilt host is a warning (the prebuilt boot
    tests prove it still works with the current bundler)."""
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
