"""Benchmark: instructions per byte of the kit's hot paths, in the unicorn emulator.

    .venv/bin/python bench/bench_fit.py [--size 1M] [--arch aarch64,aarch64-crypto,cortex-m3] [--check-align]

bench/fit/bench_kit.c and the kit (its units, as linker/bundle.mk lists them) are built
freestanding (-O2) for AArch64 as portable C (-march=armv8-a -mstrict-align),
for AArch64 with the CRC32 and SHA2 instructions (-mcpu=cortex-a53+crypto),
and for Cortex-M3 (arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb
-mno-unaligned-access: ARMv7-M would otherwise merge byte loads into unaligned
LDR/LDRH, legal there but not what the kit promises), loaded into
unicorn, and each operation is called once while a block hook counts the
instructions executed (stable where times are not). Every result is checked
against Python's own (zlib, hashlib, the bytes given). Rows, per byte of:

    word copy        the same bytes moved a machine word at a time (the floor)
    crc32            remote_fw_crc32 over the payload
    sha256           remote_fw_sha256 over the payload
    inflate          remote_fw_inflate, per byte produced (zlib -9 raw deflate of the payload)
    remote_fw_verify find + CRC-32 of an image of the payload's size, per image byte
    remote_fw_load   one PT_LOAD of the payload's size, per byte loaded
    fit (none)       remote_fw_fit_load, per byte placed: kernel, fdt, ramdisk; sha256+crc32 on each
    fit (gzip)       the same with the kernel gzip -9 (inflate + its CRC + the hashes of the member)

--check-align also hooks every memory access and fails on any access of 2,
4, 8 or 16 bytes at an address that is not a multiple of its size (the FIT
is then also loaded from an odd address): the runtime half of the
no-unaligned-access promise (use a small --size: the hook is slow).
"""

from __future__ import annotations

import argparse
import hashlib
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT  # noqa: E402
from bundler.elf.reader import parse_elf  # noqa: E402
from bundler.inspection.emulate import memory_spans  # noqa: E402

KIT = ROOT / "linker"
# REMOTE_FW_SOURCES and REMOTE_FW_FIT_SOURCES of linker/bundle.mk
UNITS = ["remote_fw.c", "remote_fw_crc32.c", "remote_fw_elf.c", "remote_fw_rsc.c", "remote_fw_fit.c",
         "remote_fw_fdt.c", "remote_fw_inflate.c", "remote_fw_inffast.c", "remote_fw_sha256.c",
         "remote_fw_sha1.c", "remote_fw_boot.c", "remote_fw_fit_sig.c", "remote_fw_rsa.c"]
SRC = Path(__file__).resolve().parent / "fit" / "bench_kit.c"
INPUT, OUTPUT, STACK = 0x20000000, 0x60000000, 0x30000000
AREA = 32 << 20
STACK_SIZE = 0x10000
OPS = {"copy": 0, "crc32": 1, "sha256": 2, "inflate": 3, "verify": 4, "load": 5, "fit": 6, "enter": 7}


@dataclass(frozen=True)
class Arch:
    name: str
    cc: list[str]
    machine: str
    cpu: str
    ptr: int


ARCHS = {
    "aarch64": Arch("AArch64, portable C (-march=armv8-a)",
                    ["aarch64-linux-gnu-gcc", "-march=armv8-a", "-mtune=cortex-a53", "-mstrict-align",
                     "-fno-pie", "-no-pie", "-static"], "aarch64", "aarch64-max", 8),
    "aarch64-crypto": Arch("AArch64 with CRC32 and SHA2 instructions (-mcpu=cortex-a53+crypto)",
                           ["aarch64-linux-gnu-gcc", "-mcpu=cortex-a53+crypto", "-mstrict-align",
                            "-fno-pie", "-no-pie", "-static"], "aarch64", "aarch64-max", 8),
    "cortex-m3": Arch("Cortex-M3 (Thumb-2, -mno-unaligned-access)",
                      ["arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb", "-mno-unaligned-access"],
                      "arm-m", "cortex-m3", 4),
    "cortex-m3-small": Arch("Cortex-M3, tiny flash (-Os, -DREMOTE_FW_CRC32_SMALL)",
                            ["arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb", "-mno-unaligned-access",
                             "-Os", "-DREMOTE_FW_CRC32_SMALL"], "arm-m", "cortex-m3", 4),
}


def build(arch: Arch, out: Path) -> Path:
    elf = out / f"bench-{abs(hash(tuple(arch.cc)))}.elf"
    cmd = [arch.cc[0], "-std=c99", "-O2", *arch.cc[1:], "-ffreestanding", "-nostdlib", "-Wall", "-Wextra", "-Werror",
           f"-I{KIT}", '-DREMOTE_FW_FIT_ARCH="arm64"', "-Wl,-e,bench_run", str(SRC),
           *(str(KIT / u) for u in UNITS), "-o", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}:\n{proc.stderr}")
    return elf


class Bench:
    """The bench program in an emulated core, with an instruction counter."""

    def __init__(self, arch: Arch, elf_path: Path, check_align: bool = False, count: bool = True):
        import unicorn as uc
        from bundler.adapters.unicorn import Machine

        self.arch = arch
        self.elf = parse_elf(elf_path.read_bytes())
        self.cpu = Machine(arch.machine, arch.cpu)
        for start, end in memory_spans(self.elf):
            self.cpu.map(start, end - start)
        for p in self.elf.iter_loads():
            if p.p_memsz:
                self.cpu.write(p.p_vaddr, self.elf.data[p.p_offset:p.p_offset + p.p_filesz]
                               + bytes(p.p_memsz - p.p_filesz))
        for start in (INPUT, OUTPUT):
            self.cpu.map(start, AREA)
        self.cpu.map(STACK, STACK_SIZE + 0x2000)
        self.args = STACK + STACK_SIZE
        self.ret = self.args + 0x1000
        self.count = 0
        self._blocks: dict[tuple[int, int], int] = {}
        if count:
            self.cpu.uc.hook_add(uc.UC_HOOK_BLOCK, self._on_block)
        self.misaligned: list[str] = []
        if check_align:
            self.cpu.uc.hook_add(uc.UC_HOOK_MEM_READ | uc.UC_HOOK_MEM_WRITE, self._on_access)
        self.entry = self.symbol("bench_run")

    def symbol(self, name: str) -> int:
        sym = self.elf.find_symbol(name)
        assert sym is not None and sym.is_defined, name
        return sym.st_value & ~1

    def _on_block(self, uc_, address, size, _data):
        n = self._blocks.get((address, size))
        if n is None:
            if self.arch.machine == "aarch64":
                n = size // 4
            else:       # Thumb-2: a halfword whose top five bits are 0b11101..0b11111 starts a 32-bit one
                code, i, n = bytes(uc_.mem_read(address, size)), 0, 0
                while i < size:
                    i += 4 if (code[i + 1] >> 3) in (0x1D, 0x1E, 0x1F) else 2
                    n += 1
            self._blocks[(address, size)] = n
        self.count += n

    def _on_access(self, _uc, access, address, size, _value, _data):
        if size in (2, 4, 8, 16) and address % size:
            self.misaligned.append(f"{size}-byte access at {address:#x} (pc {self.cpu._pc():#x})")

    def run(self, op: str, src: int, n: int, dst: int = OUTPUT, cap: int = AREA,
            out: tuple[int, ...] = (0, 0, 0, 0)) -> tuple[int, int, list[int]]:
        """(return value, instructions, out[4]) of bench_run(op, args)."""
        fmt = "<" + ("Q" if self.arch.ptr == 8 else "I") * 8
        self.cpu.write(self.args, struct.pack(fmt, src, n, dst, cap, *out))
        self.count = 0
        rv = self.cpu.call(self.entry, [OPS[op], self.args], stack_top=STACK + STACK_SIZE,
                           return_address=self.ret, max_instructions=4_000_000_000)
        out = list(struct.unpack(fmt, self.cpu.read(self.args, 8 * self.arch.ptr)))[4:]
        rv &= (1 << 32) - 1                     # a C int / long: the low 32 bits, signed
        rv -= (rv & 0x80000000) << 1
        return rv, self.count, out

    def write_descriptor(self, base: int, size: int, crc: int) -> None:
        at = self.symbol("remote_fw_desc_bench_elf")
        self.cpu.write(at + 8, struct.pack("<IIQQQ", 0x3, crc, base, size, at))


def fit_inputs(size: int, gzip_kernel: bool, payload: bytes) -> tuple[bytes, dict[str, tuple[int, bytes]]]:
    """A FIT (mkimage) whose kernel is `size` bytes (an arm64 Image header, then
    the payload), with a dtb and a ramdisk of size/4."""
    from tests.fit_kit import fit_build as fb

    with tempfile.TemporaryDirectory(prefix="bench-fit-") as tmp:
        t = Path(tmp)
        kernel = fb.arm64_image(64 + len(payload[64:]))[:64] + payload[64:]
        dt = fb.dtb(t)
        rd = fb.payload(size // 4, 9)
        kdata = fb.gz(kernel) if gzip_kernel else kernel
        fit = fb.Fit([fb.Image("kernel-1", kdata, "kernel", OUTPUT, entry=OUTPUT,
                               compression="gzip" if gzip_kernel else "none"),
                      fb.Image("fdt-1", dt, "flat_dt", OUTPUT + 0x1800000, os=None),
                      fb.Image("ramdisk-1", rd, "ramdisk", OUTPUT + 0x1000000)],
                     {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"}})
        blob = fit.build(t)
    return blob, {"kernel": (0, kernel), "ramdisk": (0x1000000, rd), "fdt": (0x1800000, dt)}


def measure(arch_key: str, size: int, tmp: Path, check_align: bool = False,
            payload: bytes | None = None) -> list[tuple[str, int, int]]:
    """[(row, instructions, bytes)] for one architecture; every result checked."""
    from tests.fit_kit import fit_build as fb
    from tests.support.elf import build_remote

    arch = ARCHS[arch_key]
    b = Bench(arch, build(arch, tmp), check_align)
    payload = fb.payload(size, 1) if payload is None else payload[:size]
    size = len(payload)
    b.cpu.write(INPUT, payload)
    rows = []

    rv, n, _ = b.run("copy", INPUT, size)
    assert b.cpu.read(OUTPUT, size) == payload
    rows.append(("word copy", n, size))

    rv, n, _ = b.run("crc32", INPUT, size)
    assert rv & 0xFFFFFFFF == zlib.crc32(payload)
    rows.append(("crc32", n, size))

    rv, n, _ = b.run("sha256", INPUT, size)
    assert b.cpu.read(b.symbol("bench_digest"), 32) == hashlib.sha256(payload).digest()
    rows.append(("sha256", n, size))

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = c.compress(payload) + c.flush()
    b.cpu.write(INPUT, stream)
    rv, n, out = b.run("inflate", INPUT, len(stream), OUTPUT, size)
    assert rv == 0 and out[:2] == [len(stream), size] and b.cpu.read(OUTPUT, size) == payload
    rows.append(("inflate", n, size))

    image = build_remote(paddr=OUTPUT, code=payload)
    b.cpu.write(INPUT, image)
    b.write_descriptor(INPUT, len(image), zlib.crc32(image))
    rv, n, _ = b.run("verify", 0, 0)
    assert rv == 0, rv
    rows.append(("remote_fw_verify", n, len(image)))
    rv, n, _ = b.run("load", INPUT, len(image), OUTPUT, AREA)
    assert rv == 0 and b.cpu.read(OUTPUT, size) == payload, rv
    rows.append(("remote_fw_load", n, size))

    for gz in (False, True):
        blob, pieces = fit_inputs(size, gz, payload)
        at = INPUT + (1 if check_align else 0)
        b.cpu.write(at, blob)
        rv, n, out = b.run("fit", at, len(blob), OUTPUT, AREA)
        assert rv == 0, f"remote_fw_fit_load returned {rv}"
        assert out[0] == OUTPUT and out[1] == OUTPUT + 0x1800000
        placed = 0
        for name, (off, data) in pieces.items():
            if name != "fdt":
                assert b.cpu.read(OUTPUT + off, len(data)) == data, name
            placed += len(data)
        rows.append((f"remote_fw_fit_load ({'gzip' if gz else 'none'} kernel)", n, placed))
    if check_align and b.misaligned:
        raise AssertionError(f"{len(b.misaligned)} unaligned accesses on {arch.name}, first: "
                             + "; ".join(b.misaligned[:5]))
    return rows


def enter_registers(arch_key: str, tmp: Path) -> dict[str, int]:
    """Call remote_fw_fit_enter on AArch64 with entry = a stop address: the
    registers the kernel would find (x0-x3, DAIF) and where it arrived."""
    import unicorn.arm64_const as a64

    arch = ARCHS[arch_key]
    b = Bench(arch, build(arch, tmp))
    u = b.cpu.uc
    for reg in (a64.UC_ARM64_REG_X2, a64.UC_ARM64_REG_X3):
        u.reg_write(reg, 0x5A5A5A5A5A5A5A5A)
    fdt, kernel = OUTPUT + 0x1800000, b.ret        # "kernel" = the emulation's stop address
    b.run("enter", 0, 0, out=(kernel, fdt, 0, 0))
    regs = {f"x{i}": u.reg_read(getattr(a64, f"UC_ARM64_REG_X{i}")) for i in range(4)}
    regs["pc"] = u.reg_read(a64.UC_ARM64_REG_PC)
    regs["daif"] = (u.reg_read(a64.UC_ARM64_REG_PSTATE) >> 6) & 0xF
    regs["want_fdt"], regs["want_pc"] = fdt, kernel
    return regs


def parse_size(text: str) -> int:
    mult = {"K": 1 << 10, "M": 1 << 20}.get(text[-1].upper(), 1)
    return int(text[:-1] if text[-1].upper() in "KM" else text) * mult


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1M", help="payload size (default 1M)")
    ap.add_argument("--arch", default="aarch64,aarch64-crypto,cortex-m3")
    ap.add_argument("--check-align", action="store_true")
    ap.add_argument("--payload", metavar="FILE[:OFFSET]",
                    help="take the payload from FILE (e.g. a real kernel Image) instead of synthetic bytes")
    args = ap.parse_args()
    size = parse_size(args.size)
    payload = None
    if args.payload:
        path, _, off = args.payload.partition(":")
        start = parse_size(off) if off else 0
        payload = Path(path).read_bytes()[start:start + size]
        if len(payload) < size:
            raise SystemExit(f"{path}: fewer than {size} bytes from offset {start:#x}")
    with tempfile.TemporaryDirectory(prefix="bench-fit-") as tmp:
        for key in args.arch.split(","):
            rows = measure(key, size, Path(tmp), args.check_align, payload)
            copy = rows[0][1] / rows[0][2]
            what = f"{args.payload} ({size} bytes)" if args.payload else f"{size} byte synthetic payload"
            print(f"\n{ARCHS[key].name}, {what}")
            print(f"  {'operation':<36} {'instructions':>14} {'bytes':>10} {'instr/byte':>11} {'x copy':>7}")
            for name, n, nbytes in rows:
                print(f"  {name:<36} {n:>14,} {nbytes:>10,} {n / nbytes:>11.2f} {n / nbytes / copy:>7.1f}")
    if args.check_align:
        print("\nno unaligned access (every 2/4/8/16-byte access was aligned)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
