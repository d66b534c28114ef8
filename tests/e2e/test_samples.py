"""Every sample end to end, the same way: build it with its cross compiler,
bundle with the CLI, boot in QEMU and check what the host and the remote
printed against the bundled ELF. The samples are described in harness.py;
what only one sample does is tested in its own module (test_cortex_m3.py,
test_riscv64.py, test_aarch64.py).
"""

from __future__ import annotations

import warnings

import pytest

from tests.support.paths import SAMPLES

from tests.support.tools import need_tool

from tests.support.cli import run_bundle
from tests.e2e.conftest import (BUNDLE_CMD, ELFS, RE_ENTRY, SHF_WRITE, bundle, check_image_lines,
                                check_resource_table, check_verify_agrees, elf_symbols, flip_byte,
                                make_sample, section_at, section_bytes)
from tests.e2e.harness import (ALL_SAMPLES, CHECKSUM_NONE, CHECKSUM_OK, ECSUM, ENOTBUNDLED,
                               EREGION, EREGION_MSG, HOSTS, sample_id)

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

every_sample = pytest.mark.parametrize("sample", ALL_SAMPLES, ids=sample_id)
with_flash_file = pytest.mark.parametrize(
    "sample", [s for s in ALL_SAMPLES if s.flash_file], ids=sample_id)
with_objcopy_flow = pytest.mark.parametrize(
    "sample", [s for s in ALL_SAMPLES if s.objcopy], ids=sample_id)


@pytest.mark.parametrize("host", HOSTS)
@every_sample
def test_bundled_host_runs_remote(sample, built, tmp_path, host):
    """The bundled host loads and starts the remote; `bundle verify` reads and
    finds what the host printed; the image lies in host-slot.ld's slot, or
    for host.elf after the host's own content."""
    need_tool(sample.qemu)
    remote = built / "remote.elf"
    combined = bundle(built / host, remote, tmp_path / "combined.elf")
    with open(combined, "rb") as f:
        ident = b"\x7fELF" + (b"\x02" if sample.elfclass == 64 else b"\x01")
        assert f.read(5) == ident, f"the host is ELF{sample.elfclass}"
    b = sample.boot(combined)
    base = sample.check_run(b, combined, remote)
    check_verify_agrees(combined, remote, base, remote.stat().st_size)
    syms = elf_symbols(combined)
    if host == "host-slot.elf":
        start, end = syms["__remote_fw_slot_start"], syms["__remote_fw_slot_end"]
        assert (start, end) == sample.slot
        assert end - start == syms["__remote_fw_slot_size"] == 0x40000
        assert start <= base and base + syms["_binary_remote_elf_size"] <= end, b
    else:
        assert "__remote_fw_slot_start" not in syms
        if sample.xip_flash_end is not None:
            # after the host's flash content: above its .data load image
            assert base < sample.xip_flash_end, b
        else:
            assert base >= syms["_estack"], "the image lies after the host's memory, stack included"


@every_sample
def test_bad_remote_is_refused(sample, built, tmp_path):
    """remote-bad.elf is linked outside the one region the host allows: the
    host finds and checks it, then remote_fw_load refuses it (REMOTE_FW_EREGION)
    and nothing runs."""
    need_tool(sample.qemu)
    combined = bundle(built / "host.elf", built / "remote-bad.elf", tmp_path / "combined-bad.elf",
                      "--name", "remote_elf")
    b = sample.boot(combined)
    assert not b.timed_out, b
    check_image_lines(b, combined, built / "remote-bad.elf")
    assert b.has(CHECKSUM_OK), b
    m = sample.check_failed(b, EREGION)
    assert m["msg"] == EREGION_MSG, b
    assert b.find(RE_ENTRY) is None and not b.has(sample.starting), b
    assert not any(ln.startswith("remote:") for ln in b.lines), b


@every_sample
def test_remote_resource_table(sample, built):
    """The table as include/linux/remoteproc.h lays it out, for the remote, for remote-bad
    (whose carveout follows its own link address) and for the committed
    remote; the vdev status is 0 in the file (a host sets it in the loaded copy)."""
    area, vrings = sample.remote_area, sample.vrings
    check_resource_table(built / "remote.elf", area, vrings)
    bad = elf_symbols(built / "remote-bad.elf")["__remote_ram_start"]
    assert bad != area[0]
    assert bad == sample.bad_remote_ram
    check_resource_table(built / "remote-bad.elf", (bad, area[1]), vrings)
    check_resource_table(sample.prebuilt / "remote.elf", area, vrings)
    table = section_bytes(built / "remote.elf", ".resource_table")
    assert table[28 + 56 + 48 + 24] == 0       # vdev status


@every_sample
def test_unbundled_host_reports_not_bundled(sample, built):
    need_tool(sample.qemu)
    b = sample.boot(built / "host.elf")
    sample.check_failed(b, ENOTBUNDLED)


@every_sample
def test_corrupt_image_fails_checksum(sample, built, tmp_path):
    """One byte of the embedded image flipped after bundling: `bundle verify`
    and the host's remote_fw_verify catch it (REMOTE_FW_ECSUM) and nothing is
    loaded."""
    need_tool(sample.qemu)
    combined = bundle(built / "host.elf", built / "remote.elf", tmp_path / "combined.elf")
    syms = elf_symbols(combined)
    corrupt = tmp_path / "corrupt.elf"
    flip_byte(combined, corrupt, syms["_binary_remote_elf_start"] + syms["_binary_remote_elf_size"] // 2)
    proc = run_bundle("verify", corrupt, "--remote", built / "remote.elf")
    assert proc.returncode == 1, f"verify must catch the flipped byte:\n{proc.stdout}{proc.stderr}"
    b = sample.boot(corrupt)
    assert not b.timed_out, b
    sample.check_failed(b, ECSUM)
    assert not b.has(CHECKSUM_OK) and b.find(RE_ENTRY) is None, b
    assert not any(ln.startswith("remote:") for ln in b.lines), b


@with_flash_file
def test_flash_file_boots(sample, built, tmp_path):
    """`bundle hex` of the bundled ELF, loaded as a flash programmer would
    (QEMU's generic loader, no ELF): the same run."""
    need_tool(sample.qemu)
    combined = bundle(built / "host-slot.elf", built / "remote.elf", tmp_path / "combined.elf")
    hexfile = tmp_path / "combined.hex"
    proc = run_bundle("hex", combined, "-o", hexfile)
    assert proc.returncode == 0, proc.stderr
    assert hexfile.read_bytes().startswith(b":")
    sample.check_run(sample.boot_flash_file(hexfile), combined, built / "remote.elf")


@with_objcopy_flow
def test_prelink_objcopy_flow(sample, built):
    """objcopy -I binary before linking: the same host source finds the image,
    and reports that no checksum was recorded."""
    need_tool(sample.qemu, sample.objcopy)
    make_sample(sample.name, built, "prelink")
    elf = built / "host-prelink.elf"
    sample.check_run(sample.boot(elf), elf, built / "prelink" / "remote.elf", checksum=CHECKSUM_NONE)
    data = section_bytes(built / "prelink" / "remote_bin.o", ".rodata.remote_fw")
    assert data == (built / "remote.elf").read_bytes()


@every_sample
def test_prelink_bundle_object_flow(sample, built):
    """`bundle object` before linking (the Makefile's `object` target): the
    linker fills the descriptor, as with objcopy, from a read-only 8-aligned
    section; the same host source boots the remote."""
    need_tool("make", sample.qemu)
    make_sample(sample.name, built, "object", BUNDLE=BUNDLE_CMD)
    elf = built / "host-object.elf"
    sample.check_run(sample.boot(elf), elf, built / "remote.elf", checksum=CHECKSUM_NONE)
    obj = built / "object" / "remote.o"
    assert section_bytes(obj, ".rodata.remote_fw.remote_elf") == (built / "remote.elf").read_bytes()
    start = elf_symbols(elf)["_binary_remote_elf_start"]
    assert start % 8 == 0
    name, flags = section_at(elf, start)
    assert not flags & SHF_WRITE, f"the image landed in writable {name}"


@pytest.mark.parametrize("host", HOSTS)
@every_sample
def test_prebuilt_elfs_bundle_and_boot(sample, tmp_path, host):
    """The committed ELFs need no cross compiler: bundle and boot them."""
    need_tool(sample.qemu)
    combined = bundle(sample.prebuilt / host, sample.prebuilt / "remote.elf", tmp_path / "combined.elf")
    sample.check_run(sample.boot(combined), combined, sample.prebuilt / "remote.elf")


@every_sample
def test_make_run_with_prebuilt(sample, tmp_path):
    """The Makefile's own `run` target (bundle + verify + hex, three boots) from prebuilt/."""
    need_tool("make", sample.qemu)
    proc = make_sample(sample.name, tmp_path / "build", "run", ELFDIR=str(sample.prebuilt),
                       BUNDLE=BUNDLE_CMD)
    for line, count in sample.make_run_ok:
        assert proc.stdout.count(line) == count, proc.stdout
    assert (tmp_path / "build" / "combined.hex").is_file()


@every_sample
def test_build_is_reproducible(sample, built, tmp_path):
    """A second build elsewhere, with the kit named by another path, gives the
    same bytes. prebuilt/ must be what this compiler builds from these sources:
    exactly for the remotes; the hosts also contain the kit (linker/), which
    others change, so a stale prebuilt host is a warning (the prebuilt boot
    tests prove it still works with the current bundler)."""
    again = tmp_path / "again"
    make_sample(sample.name, again, "all", KIT=str(SAMPLES.parent / "linker"))
    for name in ELFS:
        assert (again / name).read_bytes() == (built / name).read_bytes(), name
    for name in ELFS:
        if section_bytes(sample.prebuilt / name, ".comment") != section_bytes(built / name, ".comment"):
            pytest.skip(f"prebuilt/{name} was made by another compiler version")
        if (sample.prebuilt / name).read_bytes() == (built / name).read_bytes():
            continue
        msg = f"prebuilt/{name} differs from a fresh build: run `make prebuilt` in samples/{sample.name}"
        if name.startswith("host"):
            warnings.warn(msg, stacklevel=2)
        else:
            pytest.fail(msg)
