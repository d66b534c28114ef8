"""verify --emulate: the host's own remote_fw_find, run in unicorn, returns the
base and size the symbols say. Real hosts: the samples' prebuilt ELFs, and a
tiny host compiled here for every architecture (linker/remote_fw.c with
REMOTE_FW_DECLARE and a small linker script)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from bundler.inspection import emulate
from bundler.elf.reader import parse_elf
from bundler.cli import main
from bundler.elf import spec
from bundler.checks import verify
from tests.support.paths import KIT, KIT_SOURCES, SAMPLES
from tests.support.tools import need_tool
from tests.support.cli import run_bundle
from tests.support.rsc import build_remote_elf, sample_table

HOST_C = r"""
#include "remote_fw.h"

REMOTE_FW_DECLARE(remote_elf);
REMOTE_FW_DECLARE(dsp_fw);

volatile int started = 1;               /* .data: its VMA is in RAM, its LMA in FLASH */
int scratch[16];                        /* .bss */

void __stack_chk_fail(void) { for (;;) ; }

int _start(void)
{
        struct remote_fw_image img;

        scratch[0] = started;
        return remote_fw_find("remote_elf", &img);
}
"""

# flash and RAM origin; `slot` hosts include remote_fw.ld and reserve the last 64 KiB of FLASH
LINKER_SCRIPT = """
ENTRY(_start)
MEMORY {{
        FLASH (rx)  : ORIGIN = {flash:#x}, LENGTH = 1M
        RAM   (rwx) : ORIGIN = {ram:#x}, LENGTH = 256K
}}
{slot_size}
SECTIONS {{
        .text : {{ *(.text .text.*) }} > FLASH
        .rodata : {{ *(.rodata .rodata.* .srodata .srodata.*) }} > FLASH
        {include}
        .data : {{ *(.data .data.* .sdata .sdata.*) }} > RAM AT > FLASH
        .bss : {{ *(.bss .bss.* .sbss .sbss.* COMMON) }} > RAM
        __global_pointer$ = ADDR(.data) + 0x800;
        /DISCARD/ : {{ *(.ARM.exidx*) *(.eh_frame*) *(.note.gnu.property) }}
}}
"""

COMMON = ["-Os", "-std=c99", "-ffreestanding", "-nostdlib", "-fno-common", "-Wl,--build-id=none"]

# name: (compiler and flags, flash, RAM, with remote_fw.ld and a slot, expected emulated CPU)
HOSTS = {
    "cortex-m3": (["arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb"], 0x0, 0x20000000, False,
                  "Cortex-M3"),
    "cortex-m0": (["arm-none-eabi-gcc", "-mcpu=cortex-m0", "-mthumb"], 0x0, 0x20000000, True, "Cortex-M0"),
    "cortex-a7-arm": (["arm-none-eabi-gcc", "-marm", "-mcpu=cortex-a7"], 0x60000000, 0x70000000, True,
                      "A-profile"),
    "cortex-a7-thumb": (["arm-none-eabi-gcc", "-mthumb", "-mcpu=cortex-a7"], 0x60000000, 0x70000000, False,
                        "A-profile"),
    "aarch64": (["aarch64-linux-gnu-gcc", "-static", "-Wl,-z,max-page-size=0x1000"], 0x40000000,
                0x48000000, True, "AArch64"),
    "rv32": (["riscv64-unknown-elf-gcc", "-march=rv32imac", "-mabi=ilp32"], 0x20000000, 0x80000000, False,
             "RV32"),
    "rv64": (["riscv64-unknown-elf-gcc", "-march=rv64imac", "-mabi=lp64", "-mcmodel=medany"], 0x80000000,
             0x80200000, True, "RV64"),
    "x86_64": (["gcc", "-static", "-fno-pie", "-no-pie", "-fstack-protector-all"], 0x400000, 0x600000, False,
               "x86-64"),
    "i386": (["gcc", "-m32", "-static", "-fno-pie", "-no-pie"], 0x400000, 0x600000, True, "i386"),
    # ET_DYN from the toolchain's own script (linked at 0): emulated at load bias 0
    "x86_64-static-pie": (["gcc", "-fpie", "-static-pie"], None, None, False, "x86-64"),
}


def build_host(tmp_path, name: str):
    cc, flash, ram, slot, _ = HOSTS[name]
    need_tool(cc[0])
    src = tmp_path / "host.c"
    src.write_text(HOST_C)
    ld = tmp_path / f"{name}.ld"
    ld.write_text("" if flash is None else LINKER_SCRIPT.format(
        flash=flash, ram=ram,
        slot_size='REGION_ALIAS("REMOTE_FW_REGION", FLASH);\nREMOTE_FW_SLOT_SIZE = 64K;' if slot else "",
        include="INCLUDE remote_fw.ld" if slot else ""))
    out = tmp_path / f"{name}.elf"
    libs = ["-lgcc"] if cc[0] != "gcc" and not cc[0].startswith("aarch64") else []
    script = ["-T", str(ld)] if flash is not None else []
    cmd = [*cc, *COMMON, f"-I{KIT}", f"-L{KIT}", *script, str(src), *map(str, KIT_SOURCES), *libs,
           "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stderr}"
    return out


def remotes(tmp_path, machine):
    """Two remote ELFs that load far from every host above."""
    a = tmp_path / "remote.elf"
    a.write_bytes(build_remote_elf(sample_table(), machine=machine, text_addr=0x30000000))
    b = tmp_path / "dsp.elf"
    b.write_bytes(build_remote_elf(sample_table(), machine=machine, text_addr=0x30100000, extra=b"\x01" * 100))
    return a, b


def symbol_extents(path, stems):
    elf = parse_elf(path.read_bytes())
    out = {}
    for stem in stems:
        start = elf.find_symbol(f"_binary_{stem}_start").st_value
        size = elf.find_symbol(f"_binary_{stem}_size").st_value
        out[stem] = (start, size)
    return out


FOUND = re.compile(r'remote_fw_find\("(\w+)"\) = 0: base (0x[0-9a-f]+) size (0x[0-9a-f]+)')


def emulated(stdout: str) -> dict[str, tuple[int, int]]:
    return {stem: (int(base, 16), int(size, 16)) for stem, base, size in FOUND.findall(stdout)}


@pytest.mark.toolchain
@pytest.mark.parametrize("name", list(HOSTS))
def test_tiny_host_finds_both_images(tmp_path, capsys, name):
    host = build_host(tmp_path, name)
    elf = parse_elf(host.read_bytes())
    a, b = remotes(tmp_path, elf.ehdr.e_machine)
    out = tmp_path / "combined.elf"
    # the CLI in this process (the samples below run it as a fresh one)
    assert main([str(host), str(a), str(b), "--name", "remote_elf", "--name", "dsp_fw", "-o", str(out)]) == 0
    capsys.readouterr()
    rc = main(["verify", str(out), "--remote", str(a), "--remote", str(b), "--emulate"])
    stdout = capsys.readouterr().out
    assert rc == 0, stdout
    assert HOSTS[name][4] in stdout
    if HOSTS[name][1] is None:
        assert parse_elf(out.read_bytes()).ehdr.e_type == spec.ET_DYN
    found = emulated(stdout)
    assert found == symbol_extents(out, ["remote_elf", "dsp_fw"]), stdout
    assert "verify: ok (0 errors, 0 warnings)" in stdout


@pytest.mark.toolchain
def test_emulation_sees_what_the_host_sees(tmp_path):
    """Damage only the emulator can see the effect of: the descriptor's name
    pointer aimed at another string, and link_addr off by 0x100 (remote_fw_find
    then adds the bias to base)."""
    from bundler.postlink import descriptor as D
    host = build_host(tmp_path, "cortex-m3")
    a, b = remotes(tmp_path, spec.EM_ARM)
    out = tmp_path / "combined.elf"
    run_bundle(host, a, b, "--name", "remote_elf", "--name", "dsp_fw", "-o", out, check=True)
    data = bytearray(out.read_bytes())
    elf = parse_elf(bytes(data))
    d = D.find_descriptor(elf, "remote_elf")
    off = d.offset + D.OFF_LINK_ADDR
    data[off:off + 8] = elf.layout.u64.pack(d.link_addr + 0x100)
    report = verify(parse_elf(bytes(data)), emulate=True)
    assert {"descriptor-mismatch", "emulate-mismatch"} <= report.codes("error")
    res = {r.stem: r for r in report.emulation.results}
    assert res["remote_elf"].rc == 0 and res["remote_elf"].base == d.base - 0x100
    assert res["dsp_fw"].rc == 0
    # a host whose descriptor is unfilled: remote_fw_find says so
    report = verify(parse_elf(host.read_bytes()), emulate=True)
    assert "emulate-error" in report.codes("error")
    assert {r.rc_name for r in report.emulation.results} == {"REMOTE_FW_ENOTBUNDLED"}


def sample_hosts():
    out = []
    for sample in ("cortex-m3", "riscv64-amp", "aarch64-amp"):
        for host in ("host.elf", "host-slot.elf"):
            out.append(pytest.param(sample, host, id=f"{sample}-{host[:-4]}"))
    return out


@pytest.mark.parametrize("sample,host", sample_hosts())
def test_sample_bundles_verify_clean_with_emulation(tmp_path, sample, host):
    prebuilt = SAMPLES / sample / "prebuilt"
    if not (prebuilt / host).is_file():
        pytest.fail(f"{prebuilt / host} is missing: run 'make prebuilt' in samples/{sample}")
    out = tmp_path / "out.elf"
    run_bundle(prebuilt / host, prebuilt / "remote.elf", "-o", out, check=True)
    proc = run_bundle("verify", out, "--remote", prebuilt / "remote.elf", "--emulate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verify: ok (0 errors, 0 warnings)" in proc.stdout, proc.stdout
    assert emulated(proc.stdout) == symbol_extents(out, ["remote_elf"]), proc.stdout


def test_target_selection_from_arm_attributes():
    host = parse_elf((SAMPLES / "cortex-m3" / "prebuilt" / "host.elf").read_bytes())
    attrs = emulate.arm_attributes(host)
    assert attrs[emulate.TAG_CPU_ARCH_PROFILE] == ord("M")
    t = emulate.cpu_of(host)
    assert (t.arch, t.cpu) == ("arm-m", "cortex-m3")
    assert emulate.cpu_of(parse_elf((SAMPLES / "riscv64-amp" / "prebuilt" / "host.elf").read_bytes())).arch \
        == "riscv64"
    assert emulate.cpu_of(parse_elf((SAMPLES / "aarch64-amp" / "prebuilt" / "host.elf").read_bytes())).arch \
        == "aarch64"


def test_free_area_avoids_the_host_and_the_m_profile_xn_regions():
    spans = [(0x0, 0x400000), (0x20000000, 0x20100000)]
    assert emulate.free_area(spans, 0x12000, ((0x1000, 0x40000000),)) == 0x400000
    # nothing free below 0x40000000: the next executable window
    assert emulate.free_area([(0x0, 0x40000000)], 0x12000, ((0x1000, 0x40000000), (0x60000000, 0xA0000000))) \
        == 0x60000000
    with pytest.raises(emulate.EmulationUnavailable):
        emulate.free_area([(0x0, 0x40000000)], 0x12000, ((0x1000, 0x40000000),))


def test_big_endian_and_unknown_machines_are_not_emulated():
    from tests.support.elf import HostSpec, build_host as build_synthetic
    be = parse_elf(build_synthetic(HostSpec(elfdata=spec.ELFDATA2MSB)))
    with pytest.raises(emulate.EmulationUnavailable, match="big-endian"):
        emulate.cpu_of(be)
    other = parse_elf(build_synthetic(HostSpec(machine=8)))           # MIPS
    with pytest.raises(emulate.EmulationUnavailable, match="no emulation"):
        emulate.cpu_of(other)
    # a synthetic host has no remote_fw_find: --emulate is an error finding, not a crash
    report = verify(parse_elf(build_synthetic(HostSpec())), emulate=True)
    assert "emulate-unavailable" in report.codes("error")


@pytest.mark.toolchain
@pytest.mark.parametrize("name,target", [("cortex-m3", "arm"), ("rv64", "riscv64")])
def test_prelink_host_found_by_the_linker(tmp_path, name, target):
    """Pre-link flow: `bundle object`, linked into the host; the linker fills the
    descriptor's start/end, and no checksum is recorded (a warning only)."""
    cc, flash, ram, _, _ = HOSTS[name]
    need_tool(cc[0])
    a, b = remotes(tmp_path, spec.EM_ARM)
    objs = []
    for path, stem in ((a, "remote_elf"), (b, "dsp_fw")):
        obj = tmp_path / f"{stem}.o"
        run_bundle("object", path, "--name", stem, "--target", target, "-o", obj, check=True)
        objs.append(str(obj))
    (tmp_path / "host.c").write_text(HOST_C)
    ld = tmp_path / "host.ld"
    ld.write_text(LINKER_SCRIPT.format(flash=flash, ram=ram, slot_size="", include=""))
    host = tmp_path / "host-prelink.elf"
    cmd = [*cc, *COMMON, f"-I{KIT}", "-T", str(ld), str(tmp_path / "host.c"), *map(str, KIT_SOURCES), *objs,
           "-lgcc", "-o", str(host)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    report = verify(parse_elf(host.read_bytes()), emulate=True)
    assert report.ok, [str(f) for f in report.findings]
    assert report.codes() == {"descriptor-no-checksum"}
    assert {i.flow for i in report.images} == {"pre-link"}
    found = {r.stem: (r.base, r.size) for r in report.emulation.results}
    assert found == symbol_extents(host, ["remote_elf", "dsp_fw"])
    assert found["remote_elf"][1] == a.stat().st_size


def test_json_report_with_emulation(tmp_path, capsys):
    prebuilt = SAMPLES / "riscv64-amp" / "prebuilt"
    out = tmp_path / "out.elf"
    assert main([str(prebuilt / "host.elf"), str(prebuilt / "remote.elf"), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["verify", str(out), "--emulate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["emulation"]["target"] == "RISC-V RV64"
    (res,) = report["emulation"]["results"]
    assert set(res) == {"stem", "rc", "rc_name", "base", "size", "name"}
    start, size = symbol_extents(out, ["remote_elf"])["remote_elf"]
    assert (res["rc"], res["rc_name"], res["base"], res["size"], res["name"]) == \
        (0, "REMOTE_FW_OK", start, size, "remote_elf")
    # a finding's shape, from the same host unbundled
    assert main(["verify", str(prebuilt / "host.elf"), "--emulate", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    for f in report["findings"]:
        assert set(f) == {"severity", "code", "stem", "address", "size", "message"}
    assert {f["code"] for f in report["findings"]} == {"image-not-bundled", "emulate-error"}
    (res,) = report["emulation"]["results"]
    assert (res["rc_name"], res["base"], res["size"], res["name"]) == ("REMOTE_FW_ENOTBUNDLED", None, None, None)


def test_kit_error_names_are_the_headers():
    """emulate names remote_fw_find's return code from a table; it must list every code of
    linker/remote_fw.h, with the header's names."""
    from tests.support.paths import KIT
    header = (KIT / "remote_fw.h").read_text()
    codes = {int(v): f"REMOTE_FW_{n}" for n, v in re.findall(r"#define REMOTE_FW_(E[A-Z]+|OK)\s+(-?\d+)", header)}
    assert emulate.KIT_ERRORS == codes
