"""samples/aarch64-linux: a real Debian arm64 kernel boots on CPU 1 of QEMU
virt from a FIT that the bootstrap carries, started by a bare-metal host on
CPU 0 (the flow of docs/remote-linux.md).

The sample is built once a session, out of tree (``make bundle``: the kernel
comes from Debian through linux/fetch-kernel.sh's cache, both FITs are made
with mkimage, each bundled with the real CLI); every bad FIT below is derived
from that build (one flipped byte, one load address changed) and bundled
again with the real CLI, never rebuilt. Each boot is read line by line: the
host's lines, the bootstrap's, Linux's, /init's. The run ends when /init
powers the machine off (PSCI SYSTEM_OFF), or, when the bootstrap refuses the
FIT, when the host sees CPU 1 turn itself off.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT, SAMPLES
from tests.support.tools import need_tool
from tests.e2e.conftest import BUNDLE_CMD, Boot, bundle, elf_symbols, make_sample, qemu_boot

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

SAMPLE = "aarch64-linux"
QEMU = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "256M",
        "-nographic", "-monitor", "none", "-nic", "none"]
BOOT_TIMEOUT = 90.0             # a boot takes 2-4 s; a loaded 2-core CI machine, far more

# common/memmap.h
FIT_AREA = (0x48000000, 0x04000000)     # where remote_fw_fit_load may write
BOOTSTRAP_BASE = 0x4C000000             # the bootstrap (the host's allowed region)
KERNEL_LOAD = 0x48000000
FDT_LOAD = 0x4B000000
INITRD_LOAD = 0x4B200000

# remote_fw.h
EREGION = -9
EHASH = -24

LINUX_CPU1 = re.compile(r"^\[ *\d+\.\d+\] Booting Linux on physical CPU 0x0000000001 ")
INIT_LINE = re.compile(r"^init: hello from Linux on the remote core, t=\d+\.\d{6}$")
RE_HOST_START = re.compile(r"^host: start on cpu 0 at EL(?P<el>[12]), t=\d+\.\d{6}$")
RE_HOST_IMAGE = re.compile(r"^host: image bootstrap_elf base=0x(?P<base>[0-9a-f]+) size=0x(?P<size>[0-9a-f]+)$")
RE_HOST_ENTRY = re.compile(r"^host: entry=0x(?P<entry>[0-9a-f]+), t=\d+\.\d{6}$")
CARVEOUT = "host: rsc carveout remote-linux-ram da=0x48000000 len=0x08000000"
STARTING = {1: "host: starting cpu 1 via hvc", 2: "host: starting cpu 1 via smc"}
RE_BS_START = re.compile(r"^bootstrap: start on cpu 1 at EL(?P<el>[12]), t=\d+\.\d{6}$")
RE_BS_FIT = re.compile(r"^bootstrap: FIT linux_itb at 0x(?P<base>[0-9a-f]+) size=0x(?P<size>[0-9a-f]+)$")
RE_BS_PLACED = re.compile(r"^bootstrap: kernel 0x(?P<kernel>[0-9a-f]+) fdt 0x(?P<fdt>[0-9a-f]+) "
                          r"initrd 0x(?P<start>[0-9a-f]+)-0x(?P<end>[0-9a-f]+), t=\d+\.\d{6}$")
RE_BS_ENTER = re.compile(r"^bootstrap: entering Linux at 0x(?P<entry>[0-9a-f]+), t=\d+\.\d{6}$")
RE_BS_ERROR = re.compile(r"^bootstrap: error: (?P<msg>.*) \((?P<rc>-?\d+)\)$")
RE_STOPPED = re.compile(r"^host: cpu 1 is off: the bootstrap stopped \((?P<rc>-?\d+)\)$")


@pytest.fixture(scope="session")
def linux_build(tmp_path_factory) -> Path:
    """The sample built once a session: ELFs, both FITs, all four bundles."""
    need_tool("make", "aarch64-linux-gnu-gcc", "mkimage", "dtc", "gzip", "apt-get", "apt-cache",
              "dpkg-deb", "flock", QEMU[0])
    out = tmp_path_factory.mktemp("linux") / "build"
    make_sample(SAMPLE, out, "bundle", BUNDLE=BUNDLE_CMD)
    for name in ("host.elf", "bootstrap.elf", "bootstrap-fit.elf", "combined.elf",
                 "bootstrap-fit-none.elf", "combined-none.elf", "linux/linux.itb", "linux/linux-none.itb"):
        assert (out / name).is_file(), name
    return out


def boot(elf: Path, machine: str = "virt") -> Boot:
    cmd = [*QEMU, "-kernel", str(elf)]
    cmd[cmd.index("-M") + 1] = machine
    b = qemu_boot(cmd, timeout=BOOT_TIMEOUT)
    assert not b.timed_out, b
    return b


def rebundle(build: Path, fit: Path, tmp: Path) -> tuple[Path, Path]:
    """The FIT into the bootstrap, the bootstrap into the host, as `make bundle`
    does: (combined, bootstrap-with-FIT)."""
    bs = bundle(build / "bootstrap.elf", fit, tmp / "bootstrap-fit.elf", "--name", "linux_itb")
    return bundle(build / "host.elf", bs, tmp / "combined.elf", "--name", "bootstrap_elf"), bs


def index(b: Boot, regex: re.Pattern) -> int:
    for i, ln in enumerate(b.lines):
        if regex.search(ln):
            return i
    raise AssertionError(f"no line matching {regex.pattern!r}; {b}")


def check_until_handover(b: Boot, combined: Path, bootstrap: Path, el: int = 1) -> int:
    """The host's lines: it found the bootstrap image (as bundled, byte count
    of the bootstrap-with-FIT ELF), checked its CRC-32 and resource table,
    loaded it and started CPU 1 at its entry, through the conduit of its EL.
    Returns the index of the hand-over line."""
    m = RE_HOST_START.match(b.lines[0])
    assert m and int(m["el"]) == el, b
    m = RE_HOST_IMAGE.match(b.lines[1])
    syms = elf_symbols(combined)
    assert m and int(m["base"], 16) == syms["_binary_bootstrap_elf_start"], b
    assert int(m["size"], 16) == syms["_binary_bootstrap_elf_size"] == bootstrap.stat().st_size, b
    assert b.lines[2] == "host: checksum ok", b
    assert b.lines[3] == CARVEOUT, b
    m = RE_HOST_ENTRY.match(b.lines[4])
    assert m and int(m["entry"], 16) == BOOTSTRAP_BASE == elf_symbols(bootstrap)["_start"], b
    assert b.lines[5] == STARTING[el], b
    return 5


def check_bootstrap_start(b: Boot, start: int, el: int = 1) -> int:
    """CPU 1 ran the bootstrap right after the hand-over (at the host's EL),
    found its FIT. Returns the index of the FIT line."""
    m = RE_BS_START.match(b.lines[start + 1])
    assert m and int(m["el"]) == el, b
    m = RE_BS_FIT.match(b.lines[start + 2])
    assert m and int(m["base"], 16) > BOOTSTRAP_BASE, b
    return start + 2


def check_linux_boot(b: Boot, build: Path, combined: Path, bootstrap: Path, fit: Path,
                     el: int = 1) -> None:
    """The whole conversation of a good boot, in order, with the host silent
    from the hand-over on."""
    start = check_until_handover(b, combined, bootstrap, el)
    i = check_bootstrap_start(b, start, el)
    m = RE_BS_FIT.match(b.lines[i])
    assert int(m["size"], 16) == fit.stat().st_size, b
    m = RE_BS_PLACED.match(b.lines[i + 1])
    assert m, b
    assert (int(m["kernel"], 16), int(m["fdt"], 16), int(m["start"], 16)) == \
        (KERNEL_LOAD, FDT_LOAD, INITRD_LOAD), b
    initramfs = (build / "linux" / "initramfs.cpio").stat().st_size
    assert int(m["end"], 16) - int(m["start"], 16) == initramfs, b
    assert FIT_AREA[0] <= int(m["start"], 16) < int(m["end"], 16) <= FIT_AREA[0] + FIT_AREA[1], b
    m = RE_BS_ENTER.match(b.lines[i + 2])
    assert m and int(m["entry"], 16) == KERNEL_LOAD, b
    # Linux's first line follows, names physical CPU 1; /init's line after it
    assert LINUX_CPU1.match(b.lines[i + 3]), b
    assert index(b, INIT_LINE) > i + 3, b
    assert not any(ln.startswith("host:") for ln in b.lines[start + 1:]), "the host spoke after CPU_ON"
    assert not any(ln.startswith("bootstrap: error") for ln in b.lines), b
    assert "Kernel panic" not in b.output, b
    assert b.returncode == 0, b         # /init's power-off: PSCI SYSTEM_OFF


def check_refused(b: Boot, combined: Path, bootstrap: Path, rc: int) -> re.Match:
    """The bootstrap refused the FIT with its message; Linux never started;
    CPU 1 turned itself off, and the host (silent until then) said so last,
    with the code the bootstrap left in the shared words."""
    start = check_until_handover(b, combined, bootstrap)
    check_bootstrap_start(b, start)
    m = RE_BS_ERROR.match(b.lines[start + 3])
    assert m and int(m["rc"]) == rc, b
    assert not any("Booting Linux" in ln for ln in b.lines), b
    assert not any(ln.startswith("bootstrap: entering") for ln in b.lines), b
    assert len(b.lines) == start + 5, b
    m2 = RE_STOPPED.match(b.lines[start + 4])
    assert m2 and int(m2["rc"]) == rc, b
    assert b.returncode == 0, b
    return m


def test_make_run(linux_build):
    """`make run`: the sample's own verdict (Linux on physical CPU 1 and
    /init's line), and the whole conversation read from its log."""
    proc = make_sample(SAMPLE, linux_build, "run", BUNDLE=BUNDLE_CMD, QEMU_TIMEOUT="90")
    assert "== ok" in proc.stdout and "== FAIL" not in proc.stdout, proc.stdout
    log = (linux_build / "combined.log").read_text(errors="replace")
    b = Boot(0, log, False)
    check_linux_boot(b, linux_build, linux_build / "combined.elf", linux_build / "bootstrap-fit.elf",
                     linux_build / "linux" / "linux.itb")


def test_uncompressed_kernel_boots(linux_build):
    """The FIT with `compression = "none"` (a 27 MB kernel copied, not inflated)."""
    fit = linux_build / "linux" / "linux-none.itb"
    assert subprocess.run(["mkimage", "-l", str(fit)], capture_output=True, text=True,
                          check=True).stdout.count("Compression:  uncompressed") == 3
    b = boot(linux_build / "combined-none.elf")
    check_linux_boot(b, linux_build, linux_build / "combined-none.elf",
                     linux_build / "bootstrap-fit-none.elf", fit)


def test_flipped_kernel_byte_is_refused(linux_build, tmp_path):
    """One byte of the kernel's (gzip) data inverted inside the FIT: the
    bootstrap's hash check refuses it before writing anything; Linux never starts."""
    fit = (linux_build / "linux" / "linux.itb").read_bytes()
    kernel = (linux_build / "linux" / "Image.gz").read_bytes()
    at = fit.find(kernel)
    assert at > 0 and fit.find(kernel, at + 1) < 0
    bad = bytearray(fit)
    bad[at + len(kernel) // 2] ^= 0xFF
    (tmp_path / "bad.itb").write_bytes(bytes(bad))
    combined, bs = rebundle(linux_build, tmp_path / "bad.itb", tmp_path)
    m = check_refused(boot(combined), combined, bs, EHASH)
    assert "hash" in m["msg"], m[0]


@pytest.mark.parametrize("load", [BOOTSTRAP_BASE, 0x40200000], ids=["on-bootstrap", "on-host"])
def test_kernel_load_outside_allowed_region_is_refused(linux_build, tmp_path, load):
    """The kernel's load (and entry) moved onto the bootstrap itself, or onto
    the host's RAM: both outside the bootstrap's allowed region. mkimage
    builds the FIT (valid hashes); the bootstrap refuses to place it."""
    its = (linux_build / "linux" / "linux.its").read_text()
    want = f"<0x{KERNEL_LOAD:x}>"
    assert its.count(want) == 2            # the kernel's load and entry
    (tmp_path / "bad.its").write_text(its.replace(want, f"<0x{load:x}>"))
    subprocess.run(["mkimage", "-f", str(tmp_path / "bad.its"), str(tmp_path / "bad.itb")],
                   check=True, capture_output=True)
    combined, bs = rebundle(linux_build, tmp_path / "bad.itb", tmp_path)
    check_refused(boot(combined), combined, bs, EREGION)


def test_el2_smc_conduit(linux_build, tmp_path):
    """-M virt,virtualization=on: both cores start at EL2, PSCI goes through
    smc. The host follows its EL; the remote's device tree must say "smc"
    (PSCI_METHOD=smc; derived here with fdtput from the built tree), and
    Linux, entered at EL2, boots and powers off through it."""
    need_tool("fdtput", "dtc")
    linux = linux_build / "linux"
    dtb = tmp_path / "remote-smc.dtb"
    dtb.write_bytes((linux / "remote.dtb").read_bytes())
    subprocess.run(["fdtput", "-t", "s", str(dtb), "/psci", "method", "smc"], check=True)
    # fdtput packs the blob: give back the room the bootstrap needs for /chosen's initrd
    subprocess.run(["dtc", "-I", "dtb", "-O", "dtb", "-p", "4096", "-o", str(dtb), str(dtb)],
                   check=True, capture_output=True)
    its = (linux / "linux.its").read_text()
    assert its.count(str(linux / "remote.dtb")) == 1
    (tmp_path / "smc.its").write_text(its.replace(str(linux / "remote.dtb"), str(dtb)))
    fit = tmp_path / "smc.itb"
    subprocess.run(["mkimage", "-f", str(tmp_path / "smc.its"), str(fit)], check=True, capture_output=True)
    combined, bs = rebundle(linux_build, fit, tmp_path)
    b = boot(combined, "virt,virtualization=on")
    check_linux_boot(b, linux_build, combined, bs, fit, el=2)
    assert any("CPU: All CPU(s) started at EL2" in ln for ln in b.lines), b


def test_make_run_fails_when_linux_does_not_boot(linux_build, tmp_path):
    """`make run`'s verdict is not vacuous: given a bundle whose FIT the
    bootstrap refuses (one flipped kernel byte), QEMU still exits 0 (the
    host's SYSTEM_OFF), and `make run` fails with its FAIL line."""
    fit = bytearray((linux_build / "linux" / "linux.itb").read_bytes())
    kernel = (linux_build / "linux" / "Image.gz").read_bytes()
    fit[fit.find(kernel) + 4096] ^= 0x01
    (tmp_path / "bad.itb").write_bytes(bytes(fit))
    combined, _ = rebundle(linux_build, tmp_path / "bad.itb", tmp_path)
    # -o: make takes combined.elf as it is (no rule runs for it) and only boots it
    proc = subprocess.run(["make", "-C", str(SAMPLES / SAMPLE), f"BUILD={tmp_path}", "-o", str(combined),
                           "run", "QEMU_TIMEOUT=90"], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0, proc.stdout
    assert "== FAIL: exit 0, or no 'Booting Linux on physical CPU 0x0000000001'" in proc.stdout, proc.stdout
    assert re.search(r"^bootstrap: error: .* \(-24\)\r?$", proc.stdout, re.M), proc.stdout


RE_PROFILE = re.compile(r"^bootstrap: profile (?P<what>[^:]+): (?:(?P<calls>\d+) calls, )?(?P<s>\d+\.\d{6}) s$")


def test_profile_build_times_each_kit_call(linux_build, tmp_path):
    """`make PROFILE=stop` (docs/remote-linux.md, "The bootstrap's step, call
    by call"): the bootstrap, wrapped with -Wl,--wrap, prints the time of each
    kit call remote_fw_fit_load makes with the session's gzip FIT (one sha256
    per image, so three sha256 calls and no crc32 node; one inflate, whose
    trailer is one CRC-32), parts that add up to no more than the whole, and
    powers off before the kernel's entry."""
    out = tmp_path / "build"
    make_sample(SAMPLE, out, str(out / "bootstrap.elf"), PROFILE="stop")
    bs = bundle(out / "bootstrap.elf", linux_build / "linux" / "linux.itb", tmp_path / "bootstrap-fit.elf",
                "--name", "linux_itb")
    combined = bundle(linux_build / "host.elf", bs, tmp_path / "combined.elf", "--name", "bootstrap_elf")
    b = boot(combined)
    assert b.returncode == 0, b
    assert b.find(RE_BS_START) and b.find(RE_BS_FIT), b
    prof = {m["what"]: m for m in map(RE_PROFILE.match, b.lines) if m}
    def short(what: str) -> str:
        return "crc32 trailer" if what.startswith("crc32 (gzip trailer") else what.split(" (")[0]

    calls = {short(k): int(m["calls"]) for k, m in prof.items() if m["calls"] is not None}
    assert calls == {"fdt_open": 2, "sha256": 3, "crc32": 0, "gunzip_head": 1, "gunzip_to": 1,
                     "crc32 trailer": 1, "fdt_set_initrd": 1}, b
    secs = {short(k): float(m["s"]) for k, m in prof.items()}
    total = secs.pop("remote_fw_fit_load")
    assert 0 < secs["crc32 trailer"] < secs["gunzip_to"], b
    assert 0 < sum(v for k, v in secs.items() if k != "crc32 trailer") <= total + 1e-5, b
    assert not any(ln.startswith("bootstrap: entering") or "Booting Linux" in ln for ln in b.lines), b


def test_boot_benchmark_runs_on_the_session_build(linux_build):
    """bench/bench_linux_boot.py (README "Benchmarks") on this session's two
    bundles, one boot each: every step found in both consoles, and the 0.3 s
    target judged (its figure is the benchmark's to judge on an idle machine,
    so --report-only here)."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_linux_boot.py"), "--runs", "1",
                           "--report-only", str(linux_build / "combined.elf"),
                           str(linux_build / "combined-none.elf")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for step in ("| bootstrap start |", "| kernel entry |", "| Booting Linux |", "| /init line |"):
        assert step in proc.stdout, proc.stdout
    m = re.search(r"^  (met   |MISSED) combined\.elf: bootstrap start -> 'Booting Linux' \(load [\d.]+\): "
                  r"(\d+\.\d{3}) s \(target <= 0\.300 s\)$", proc.stdout, re.M)
    assert m and 0 < float(m[2]) < 60, proc.stdout
    assert re.search(r"^targets: [01] of 1 met$", proc.stdout, re.M), proc.stdout
