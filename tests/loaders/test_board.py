"""The memory the remote core can reach, from a device tree written here and
compiled with dtc (reserved-memory carveouts for each sample, the remoteproc
node's memory-region phandles) or from --memory; through the real CLI, the
Python API and `bundle verify` of a bundle."""

from __future__ import annotations

import json
import subprocess

import pytest

from bundler import loaders
from bundler.elf.reader import parse_elf
from bundler.cli import main
from bundler.remoteproc.memory import memory_from_dtb
from bundler.checks import verify
from tests.support.paths import SAMPLES
from tests.support.tools import need_tool
from tests.loaders.boards import BOARDS, PAGE

pytestmark = pytest.mark.toolchain


def dts(sample: str, ram_size: int | None = None) -> str:
    _, ram, size, shm, _shm_size, (vr0, vr1) = BOARDS[sample]
    return f"""/dts-v1/;
/ {{
    #address-cells = <2>;
    #size-cells = <2>;
    reserved-memory {{
        #address-cells = <2>;
        #size-cells = <2>;
        ranges;
        rram: remote-ram@{ram:x} {{ reg = <0x0 {ram:#x} 0x0 {ram_size or size:#x}>; no-map; }};
        vr0: vdev0vring0@{vr0:x} {{ reg = <0x0 {vr0:#x} 0x0 0x4000>; no-map; }};
        vr1: vdev0vring1@{vr1:x} {{ reg = <0x0 {vr1:#x} 0x0 0x4000>; no-map; }};
        vbuf: vdev0buffer@{vr1 + 0x4000:x} {{ compatible = "shared-dma-pool"; reg = <0x0 {vr1 + 0x4000:#x} 0x0 0x4000>; no-map; }};
        other: other@{shm + 0x8000:x} {{ reg = <0x0 {shm + 0x8000:#x} 0x0 0x1000>; }};
    }};
    remoteproc@0 {{
        compatible = "test,remoteproc";
        reg = <0x0 0x0 0x0 0x0>;
        memory-region = <&rram>, <&vr0>, <&vr1>, <&vbuf>;
    }};
    bad-rproc {{
        memory-region = <&rram>, <&{{/}}>;
    }};
}};
"""


@pytest.fixture(scope="module")
def dtbs(tmp_path_factory):
    need_tool("dtc")
    out = {}
    where = tmp_path_factory.mktemp("dtb")
    for sample in BOARDS:
        for label, ram_size in (("", None), ("-small", 0x1000)):
            src = where / f"{sample}{label}.dts"
            src.write_text(dts(sample, ram_size))
            dtb = where / f"{sample}{label}.dtb"
            subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(src)], check=True)
            out[sample + label] = dtb
    return out


def cli(capsys, *args):
    rc = main([str(a) for a in args])
    got = capsys.readouterr()
    return rc, got.out, got.err


@pytest.fixture(scope="module")
def files(built, tmp_path_factory):
    where = tmp_path_factory.mktemp("remotes")
    out = {}
    for sample, v in built.items():
        for kind, data in v.items():
            path = where / f"{sample}-{kind}.elf"
            path.write_bytes(data)
            out[sample, kind] = path
    return out


def test_the_node_gives_its_regions(dtbs):
    for sample, (_, ram, size, *_rest) in BOARDS.items():
        memory = memory_from_dtb(dtbs[sample].read_bytes(), "/remoteproc@0")
        assert memory.carveout_names == ["remote-ram", "vdev0vring0", "vdev0vring1", "vdev0buffer"]
        assert (memory.ranges[0].start, memory.ranges[0].size, memory.ranges[0].name) == (ram, size, "remote-ram")
        assert len(memory.ranges) == 4          # reg of size 0 is no memory


@pytest.mark.parametrize("sample", list(BOARDS))
def test_samples_pass_on_their_board(capsys, dtbs, files, sample):
    for loader in ("linux", "uboot", "openamp", "kit"):
        rc, out, err = cli(capsys, "verify", files[sample, "remote"], "--loader", loader, "--dtb", dtbs[sample],
                           "--node", "/remoteproc@0")
        assert rc == 0, out + err
        assert out.rstrip().endswith("verify: ok (0 errors, 0 warnings)"), out


@pytest.mark.parametrize("sample", list(BOARDS))
def test_a_remote_linked_one_page_outside_fails(capsys, dtbs, files, sample):
    below = BOARDS[sample][1] - PAGE
    rc, out, _ = cli(capsys, "verify", files[sample, "outside"], "--dtb", dtbs[sample], "--node", "/remoteproc@0")
    assert rc == 1
    assert f"bad phdr da {below:#x} mem 0x" in out and "[linux-segment-da]" in out, out
    assert "nearest: remote-ram" in out
    rc, out, _ = cli(capsys, "verify", files[sample, "outside"], "--loader", "openamp", "--dtb", dtbs[sample],
                     "--node", "/remoteproc@0", "--json")
    report = json.loads(out)
    assert rc == 1 and not report["ok"] and report["loader"]["name"] == "openamp"
    [f] = [f for f in report["findings"] if f["code"] == "openamp-segment-map"]
    assert f["address"] == below and f"load failed, no mapping for {below:#x}." in f["message"]


@pytest.mark.parametrize("sample", list(BOARDS))
def test_a_region_too_small_for_the_carveout(capsys, dtbs, files, sample):
    rc, out, _ = cli(capsys, "verify", files[sample, "remote"], "--dtb", dtbs[sample + "-small"],
                     "--node", "/remoteproc@0")
    assert rc == 1 and "Registered carveout doesn't fit len request" in out and "Boot failed: -12" in out


def test_carveout_names_the_driver_does_not_know(capsys, dtbs, files):
    """A table carveout named after no memory-region: Linux allocates it from the DMA pool."""
    from tests.loaders import mutate
    data = files["cortex-m3", "remote"].read_bytes()
    at = mutate.entry_offset(data, "carveout") + 24
    renamed = data[:at] + b"sram\0" + data[at + 5:]
    path = files["cortex-m3", "remote"].with_name("renamed.elf")
    path.write_bytes(renamed)
    rc, out, _ = cli(capsys, "verify", path, "--dtb", dtbs["cortex-m3"], "--node", "/remoteproc@0")
    assert rc == 0 and "[mem-carveout-name]" in out and "'sram'" in out
    assert "Allocated carveout doesn't fit device address request" in out


def test_memory_flags(capsys, files):
    path = files["cortex-m3", "remote"]
    rc, out, _ = cli(capsys, "verify", path, "--memory", "0x20200000:256K:sram", "--memory", "0x20300000:64K")
    assert rc == 0 and "sram 0x20200000-0x20240000 (262144 bytes)" in out
    rc, out, _ = cli(capsys, "verify", path, "--memory", "0x20200000:256K")
    assert rc == 1 and "[mem-vring]" in out and "vring 0 at 0x20300000, 4230 bytes" in out
    rc, out, _ = cli(capsys, "verify", path, "--memory", "0x20200000:8K", "--memory", "0x20300000:64K")
    assert rc == 1 and "bad phdr da" not in out          # the table's carveout maps it for Linux
    assert "[mem-carveout]" in out and "[mem-load]" not in out


@pytest.mark.parametrize("args, code, words", [
    (["--memory", "0x1000"], 2, "is not START:SIZE[:NAME]"),
    (["--memory", "0x1000:0"], 2, "has size 0"),
    (["--memory", "zz:4K"], 2, "is not a number"),
    (["--dtb", "x.dtb"], 2, "--dtb and --node go together"),
    (["--loader", "vxworks"], 2, "invalid choice"),
])
def test_bad_flags_are_usage_errors(capsys, files, args, code, words):
    rc, out, err = cli(capsys, "verify", files["cortex-m3", "remote"], *args)
    assert rc == code and out == "" and words in err and "Traceback" not in err


def test_bad_device_trees_are_bad_input(capsys, dtbs, files, tmp_path):
    remote = files["cortex-m3", "remote"]
    rc, out, err = cli(capsys, "verify", remote, "--dtb", dtbs["cortex-m3"], "--node", "/nope")
    assert rc == 3 and out == "" and "no node /nope" in err and "cortex-m3.dtb" in err
    rc, out, err = cli(capsys, "verify", remote, "--dtb", dtbs["cortex-m3"], "--node", "/bad-rproc")
    assert rc == 3 and "not a child of /reserved-memory" in err
    junk = tmp_path / "junk.dtb"
    junk.write_bytes(b"\xd0\x0d\xfe\xed" + bytes(60))
    rc, out, err = cli(capsys, "verify", remote, "--dtb", junk, "--node", "/")
    assert rc == 3 and "junk.dtb" in err and "FDT" in err


def test_damaged_firmware_is_judged_not_refused(capsys, files, tmp_path):
    """A remote pyelftools cannot read (a segment past the end) is what "truncated fw" is about: exit 1."""
    from tests.loaders import mutate
    data = files["riscv64-amp", "remote"].read_bytes()
    bad = tmp_path / "cut.elf"
    bad.write_bytes(data[:len(data) - 4096])
    rc, out, err = cli(capsys, "verify", bad)
    assert rc == 1 and "Section header table is out of bounds" in out, out + err         # 6.12 bounds them
    rc, out, err = cli(capsys, "verify", bad, "--kernel", "6.1")
    assert rc == 1 and ("truncated fw: need 0x" in out or "Image is too small" in out), out + err
    short = tmp_path / "short.elf"
    short.write_bytes(mutate.phdr(data, mutate.loads(data)[0], p_offset=len(data) - 16))
    rc, out, _ = cli(capsys, "verify", short, "--loader", "uboot")
    assert rc == 1 and "[uboot-segment-truncated]" in out


def test_python_api(files):
    data = files["aarch64-amp", "remote"].read_bytes()
    outside = files["aarch64-amp", "outside"].read_bytes()
    from bundler.remoteproc.memory import MemoryMap, MemoryRange
    memory = MemoryMap([MemoryRange(0x40400000, 0x100000, "ram"), MemoryRange(0x40500000, 0x10000, "shm")])
    report = verify(parse_elf(data), loader="kit", memory=memory)
    assert report.ok and report.to_dict()["loader"]["name"] == "kit"
    report = verify(parse_elf(outside), memory=memory)
    assert not report.ok and report.codes() & {"linux-segment-da", "mem-load"}
    assert loaders.verify_firmware(outside, "openamp", memory).codes() >= {"openamp-segment-map"}
    as_tuples = [(0x40400000, 0x100000, "ram"), (0x40500000, 0x10000)]
    assert verify(parse_elf(outside), loader="openamp", memory=as_tuples).codes() >= {"openamp-segment-map"}
    # the API of build scripts, on paths or bytes; a damaged firmware is judged, not refused
    import bundler
    assert bundler.verify(files["aarch64-amp", "remote"], loader="uboot", memory=as_tuples).ok
    cut = outside[:len(outside) // 2]
    report = bundler.verify(cut, loader="linux")
    assert not report.ok and report.to_dict()["loader"]["name"] == "linux"
    # no ELF at all: judged with the loader's words when a loader is named (issue 17), else bad input
    report = bundler.verify(b"not an ELF at all".ljust(64, b"."), loader="linux")
    assert report.codes("error") == {"linux-bad-magic"} and report.to_dict()["loader"]["kernel"] == "6.12"
    assert "Image is corrupted (bad magic)" in report.errors[0].message
    assert bundler.verify(b"not an ELF", loader="linux").codes() == {"linux-too-small"}      # < 52 bytes
    assert bundler.verify(cut, kernel="6.1").to_dict()["loader"]["kernel"] == "6.1"
    with pytest.raises(bundler.BundleError):
        bundler.verify(b"not an ELF at all")
    with pytest.raises(bundler.UsageError):
        bundler.verify(cut, loader="uboot", kernel="6.1")


def test_bundle_verify_checks_each_remote(capsys, files, tmp_path):
    """`bundle verify combined.elf --loader/--memory`: the loader's findings, under the image's stem."""
    host = SAMPLES / "cortex-m3" / "prebuilt" / "host.elf"
    good, bad = tmp_path / "good.elf", tmp_path / "bad.elf"
    assert main([str(host), str(files["cortex-m3", "remote"]), "--name", "remote_elf", "-o", str(good)]) == 0
    assert main([str(host), str(files["cortex-m3", "outside"]), "--name", "remote_elf", "-o", str(bad)]) == 0
    capsys.readouterr()
    memory = ["--memory", "0x20200000:256K:remote-ram", "--memory", "0x20300000:64K:shm"]
    rc, out, _ = cli(capsys, "verify", good, *memory)
    assert rc == 0, out
    rc, out, _ = cli(capsys, "verify", bad, *memory)
    assert rc == 1 and "error: remote_elf: segment 0 (PT_LOAD at p_paddr 0x201ff000)" in out, out
    rc, out, _ = cli(capsys, "verify", bad)                       # no --loader, no --memory: not asked
    assert "linux-" not in out
    rc, out, _ = cli(capsys, "verify", bad, "--loader", "kit", "--json", *memory)
    report = json.loads(out)
    assert [f["stem"] for f in report["findings"] if f["code"] == "kit-eregion"] == ["remote_elf"]


def test_every_code_is_documented():
    """docs/verify.md has each loader's table as the code makes it; docs/json.md lists every code."""
    from tests.support.paths import ROOT
    verify_md = (ROOT / "docs" / "verify.md").read_text()
    json_md = (ROOT / "docs" / "json.md").read_text()
    for name in loaders.PROFILES:
        assert loaders.rules_markdown(name) in verify_md, f"docs/verify.md: regenerate the {name} table"
    for code in loaders.all_codes():
        assert f"`{code}`" in json_md, code
