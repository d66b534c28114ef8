"""Benchmark: issue 19's figures, the authenticated load of a real signed remote on Cortex-M3.

    .venv/bin/python bench/bench_auth_load.py [--size 1M] [--report-only]

A remote (bench/auth/remote_1m.c, remote_1m.ld: code, an empty resource table
and --size bytes of payload in one PT_LOAD at 0x60000000) is built with
arm-none-eabi-gcc; a Cortex-M3 host (bench/auth/bench_auth_host.c with the
kit's units, -O2) is bundled with it and signed by the Python API, as
`bundle HOST REMOTE -o OUT --sign KEY.pem --security-counter 7 --version 1.2.3`
does (bundler.bundle(..., sign=...), an Ed25519 key written as PEM). The
bundled ELF runs in unicorn (bench/bench_fit.py's emulated core and Thumb-2
instruction counter). For both remote_fw_load and remote_fw_load_authenticated
of that one image, end to end (remote_fw_find included):

    instructions/byte   all instructions of the call over the PT_LOAD bytes
    signature check     instructions spent inside remote_fw_ed25519_verify
                        during the authenticated load (entry to its return)
    stack               bytes of stack the whole call used (the stack is painted
                        before; the lowest byte changed gives the depth)
    size -Os            what each adds to a minimal host: the host
                        (bench_auth_host.c with -DBENCH_SIZE_ONLY) linked at
                        -Os with -ffunction-sections -fdata-sections
                        --gc-sections with nothing, with remote_fw_load, with
                        remote_fw_load and remote_fw_load_authenticated;
                        .text + .rodata + .data, differences (the sum of the
                        four authentication units' objects is printed beside)

Every load is checked: the destination holds the remote's bytes afterwards,
the entry is the ELF's; a copy of the bundle with one payload byte flipped is
refused with REMOTE_FW_EDIGEST and its destination zeroed. Targets (issue 19,
"Figures to reach"; exit 1 when one is missed, unless --report-only): at most
40 instructions per byte in all, 5 M instructions for the signature check,
1.5 KiB of stack, 10 KiB of Thumb-2 at -Os for the verifier.
"""

from __future__ import annotations

import argparse
import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_fit  # noqa: E402
from bench.common import Targets, mib  # noqa: E402

KIT = bench_fit.KIT
HERE = Path(__file__).resolve().parent / "auth"
ARCH = bench_fit.ARCHS["cortex-m3"]
CC = ARCH.cc[0]
CFLAGS = ["-std=c99", *ARCH.cc[1:], "-ffreestanding", "-nostdlib", "-Wall", "-Wextra", "-Werror", f"-I{KIT}"]
# REMOTE_FW_SOURCES and REMOTE_FW_AUTH_SOURCES of linker/bundle.mk
CORE_UNITS = ["remote_fw.c", "remote_fw_crc32.c", "remote_fw_elf.c", "remote_fw_rsc.c"]
AUTH_UNITS = ["remote_fw_auth.c", "remote_fw_ed25519.c", "remote_fw_sha512.c", "remote_fw_sha256.c"]
REGION = bench_fit.OUTPUT
PAINT = 0xA5
EDIGEST = -46
COUNTER = 7
TARGETS = {"auth_per_byte": 40.0, "signature_instructions": 5_000_000, "auth_stack": 1536,
           "auth_size_Os": 10 * 1024}


def _run(cmd: list, cwd=None) -> None:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))}:\n{proc.stdout}{proc.stderr}")


def build_remote(out: Path, size: int) -> Path:
    """The remote ELF: remote_1m.c and `size` bytes of payload (objcopy -I binary), one PT_LOAD."""
    payload = random.Random(19).randbytes(size)
    (out / "payload.bin").write_bytes(payload)
    _run(["arm-none-eabi-objcopy", "-I", "binary", "-O", "elf32-littlearm", "-B", "arm",
          "payload.bin", "payload.o"], cwd=out)
    elf = out / "remote_1m.elf"
    _run([CC, "-O2", *CFLAGS, "-Wl,--build-id=none", "-T", HERE / "remote_1m.ld", HERE / "remote_1m.c",
          out / "payload.o", "-o", elf])
    return elf


def build_host(out: Path) -> Path:
    host = out / "host.elf"
    _run([CC, "-O2", *CFLAGS, "-Wl,-e,bench_run", HERE / "bench_auth_host.c",
          *(KIT / u for u in CORE_UNITS + AUTH_UNITS), "-o", host])
    return host


def sign_bundle(out: Path, host: Path, remote: Path) -> tuple[Path, bytes]:
    """bundle HOST REMOTE -o OUT --sign KEY.pem (the Python API); (OUT, the raw public key)."""
    import hashlib

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    import bundler

    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench_auth_load").digest())
    pem = out / "signing.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    bundled = out / "signed.elf"
    bundler.bundle(host, [remote], bundled, names=["remote_1m"], sign=pem, security_counter=COUNTER, version="1.2.3")
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return bundled, public


class LoadBench(bench_fit.Bench):
    """The bundled host in unicorn; counts also the instructions inside one function."""

    def __init__(self, elf_path: Path, inner: str):
        super().__init__(ARCH, elf_path)
        self.inner_at = self.symbol(inner)
        self.inner_start = self.inner_return = None
        self.inner_count = 0

    def _on_block(self, uc_, address, size, data):
        if address == self.inner_at:
            from unicorn.arm_const import UC_ARM_REG_LR

            self.inner_start = self.count
            self.inner_return = uc_.reg_read(UC_ARM_REG_LR) & ~1
        elif address == self.inner_return:
            self.inner_count += self.count - self.inner_start
            self.inner_return = None
        super()._on_block(uc_, address, size, data)

    def call(self, op: int, key_at: int, minimum: int) -> tuple[int, int, int, int]:
        """(return value, instructions, stack bytes, entry) of bench_run(op, args)."""
        top = bench_fit.STACK + bench_fit.STACK_SIZE
        self.cpu.write(bench_fit.STACK, bytes([PAINT]) * bench_fit.STACK_SIZE)
        self.cpu.write(self.args, struct.pack("<8I", key_at, minimum, REGION, bench_fit.AREA, 0, 0, 0, 0))
        self.count = self.inner_count = 0
        rv = self.cpu.call(self.entry, [op, self.args], stack_top=top, return_address=self.ret,
                           max_instructions=4_000_000_000)
        stack = self.cpu.read(bench_fit.STACK, bench_fit.STACK_SIZE)
        low = next(i for i, b in enumerate(stack) if b != PAINT)
        entry = struct.unpack("<I", self.cpu.read(self.args + 16, 4))[0]
        rv &= 0xFFFFFFFF
        return rv - ((rv & 0x80000000) << 1), self.count, bench_fit.STACK_SIZE - low, entry


def host_size(out: Path, level: int) -> int:
    """.text + .rodata + .data of the minimal host at -Os, --gc-sections (see the docstring)."""
    elf = out / f"size{level}.elf"
    _run([CC, "-Os", *CFLAGS, "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections",
          f"-DBENCH_SIZE_ONLY={level}", "-Wl,-e,bench_run", HERE / "bench_auth_host.c",
          *(KIT / u for u in CORE_UNITS + AUTH_UNITS), "-o", elf])
    return _alloc_size(elf)


def _alloc_size(path: Path) -> int:
    lines = subprocess.run(["arm-none-eabi-size", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    text, data, _bss = (int(v) for v in lines[1].split()[:3])
    return text + data


def unit_sizes(out: Path) -> dict[str, int]:
    """.text + .rodata of each authentication unit's object at -Os."""
    sizes = {}
    for unit in AUTH_UNITS:
        obj = out / (Path(unit).stem + "-Os.o")
        _run([CC, "-Os", *CFLAGS, "-c", KIT / unit, "-o", obj])
        sizes[unit] = _alloc_size(obj)
    return sizes


def measure(tmp: Path, size: int) -> dict:
    from bundler.elf.reader import parse_elf

    remote = build_remote(tmp, size)
    relf = parse_elf(remote.read_bytes())
    loads = [p for p in relf.iter_loads() if p.p_filesz]
    assert len(loads) == 1, "the remote has one PT_LOAD"
    seg = loads[0]
    image = relf.data[seg.p_offset:seg.p_offset + seg.p_filesz]
    bundled, public = sign_bundle(tmp, build_host(tmp), remote)
    f = {"remote_bytes": len(image), "remote_entry": relf.ehdr.e_entry}

    b = LoadBench(bundled, "remote_fw_ed25519_verify")
    key_at = bench_fit.INPUT
    b.cpu.write(key_at, public)
    for name, op in (("load", 0), ("auth", 1)):
        b.cpu.write(REGION, bytes(seg.p_memsz))
        rv, n, stack, entry = b.call(op, key_at, COUNTER)
        assert rv == 0, f"{name}: returned {rv}"
        assert entry == relf.ehdr.e_entry, f"{name}: entry {entry:#x}"
        assert b.cpu.read(REGION, len(image)) == image, f"{name}: the destination differs"
        f[f"{name}_instructions"], f[f"{name}_stack"] = n, stack
        f[f"{name}_per_byte"] = n / len(image)
        if name == "auth":
            f["signature_instructions"] = b.inner_count
    rv, *_ = b.call(1, key_at, COUNTER + 1)
    assert rv == -45, f"a counter below the minimum not refused ({rv})"

    data = bytearray(bundled.read_bytes())                 # one payload byte flipped
    bad = tmp / "tampered.elf"
    at = bytes(data).find(image[-4096:]) + 4000
    data[at] ^= 0x40
    bad.write_bytes(bytes(data))
    t = LoadBench(bad, "remote_fw_ed25519_verify")
    t.cpu.write(key_at, public)
    rv, *_ = t.call(1, key_at, COUNTER)
    assert rv == EDIGEST, f"a flipped payload byte not refused with EDIGEST ({rv})"
    assert t.cpu.read(REGION, seg.p_memsz) == bytes(seg.p_memsz), "the refused image's bytes remain"

    sizes = [host_size(tmp, level) for level in (0, 1, 2)]
    f["load_size_Os"], f["auth_size_Os"] = sizes[1] - sizes[0], sizes[2] - sizes[1]
    f["units_Os"] = unit_sizes(tmp)
    return f


def report(f: dict, size_label: str) -> Targets:
    print(f"Cortex-M3 (Thumb-2, -O2; sizes -Os), unicorn; a real signed remote: "
          f"{f['remote_bytes']:,} bytes of PT_LOAD ({size_label} payload)")
    print(f"  {'':<32} {'instructions':>13} {'instr/byte':>11} {'signature':>11} {'stack':>7} {'size -Os':>9}")
    print(f"  {'remote_fw_load':<32} {f['load_instructions']:>13,} {f['load_per_byte']:>11.2f} {'-':>11} "
          f"{f['load_stack']:>7} {f['load_size_Os']:>9,}")
    print(f"  {'remote_fw_load_authenticated':<32} {f['auth_instructions']:>13,} {f['auth_per_byte']:>11.2f} "
          f"{f['signature_instructions']:>11,} {f['auth_stack']:>7} {f['auth_size_Os']:>9,}")
    print("  (size -Os: what each adds to a minimal host, --gc-sections; the authenticated row beyond "
          "remote_fw_load)")
    units = f["units_Os"]
    print("  units at -Os (.text + .rodata): " + ", ".join(f"{Path(u).stem.removeprefix('remote_fw_')} {n:,}"
                                                       for u, n in units.items())
          + f"; sum {sum(units.values()):,}")
    t = Targets()
    rows = [("authenticated load, instructions/byte in all", "auth_per_byte", "{:,.2f}"),
            ("signature check, instructions", "signature_instructions", "{:,}"),
            ("stack of the authenticated load, bytes", "auth_stack", "{:,}"),
            ("verifier size at -Os beyond remote_fw_load, bytes", "auth_size_Os", "{:,}")]
    for what, key, fmt in rows:
        value, limit = f[key], TARGETS[key]
        t.require(what, value <= limit, f"{fmt.format(value)} (target <= {fmt.format(limit)})")
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1M", help="payload size of the remote (default 1M)")
    ap.add_argument("--report-only", action="store_true", help="exit 0 even when a target is missed")
    args = ap.parse_args(argv)
    size = bench_fit.parse_size(args.size)
    with tempfile.TemporaryDirectory(prefix="bench-auth-load-") as tmp:
        f = measure(Path(tmp), size)
    return report(f, mib(size)).report(args.report_only)


if __name__ == "__main__":
    sys.exit(main())
