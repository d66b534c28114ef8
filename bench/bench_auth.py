"""Benchmark: the kit's crypto core on Cortex-M3, in the unicorn emulator.

    .venv/bin/python bench/bench_auth.py [--report-only]

bench/auth/bench_auth.c with linker/remote_fw_sha512.c and remote_fw_ed25519.c,
built freestanding for Cortex-M3 (arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb
-mno-unaligned-access) at -O2, runs in unicorn (bench/bench_fit.py's
emulated core and Thumb-2 instruction counter). Printed:

    sha512             instructions per byte over a 4 KiB message
    ed25519 verify     instructions for one signature check (64-byte message)
    verify stack       bytes of stack the check used (the stack is painted
                       before the call; the lowest byte changed gives the depth)
    verify size -Os    bytes of Thumb-2 code and constants (.text + .rodata of
                       both units built at -Os, arm-none-eabi-size)

Every result is checked: the digest against hashlib, a valid signature
accepted and a tampered one refused; with check_align every memory access
is checked for alignment. The issue's targets (exit 1 when one is missed,
unless --report-only): verify <= 5 M instructions, <= 1.5 KiB stack,
<= 10 KiB at -Os.
"""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_fit  # noqa: E402

KIT = bench_fit.KIT
SRC = Path(__file__).resolve().parent / "auth" / "bench_auth.c"
UNITS = [KIT / "remote_fw_sha512.c", KIT / "remote_fw_ed25519.c"]
CORTEX_M3 = bench_fit.ARCHS["cortex-m3"]
PAINT = 0xA5
TARGETS = {"verify_instructions": 5_000_000, "verify_stack": 1536, "verify_size_Os": 10 * 1024}


def build(out: Path, opt: str = "-O2") -> Path:
    elf = out / f"bench-auth{opt}.elf"
    arch = CORTEX_M3
    cmd = [arch.cc[0], "-std=c99", opt, *arch.cc[1:], "-ffreestanding", "-nostdlib", "-Wall", "-Wextra",
           "-Werror", f"-I{KIT}", "-Wl,-e,bench_run", str(SRC), *map(str, UNITS), "-o", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}:\n{proc.stderr}")
    return elf


def code_size(out: Path, opt: str = "-Os") -> int:
    """.text + .rodata (+ .data) of the two units' objects, Thumb-2 at opt."""
    total = 0
    for unit in UNITS:
        obj = out / (unit.stem + opt + ".o")
        subprocess.run([CORTEX_M3.cc[0], "-std=c99", opt, *CORTEX_M3.cc[1:], "-ffreestanding", f"-I{KIT}",
                        "-c", str(unit), "-o", str(obj)], check=True)
        lines = subprocess.run(["arm-none-eabi-size", str(obj)], capture_output=True, text=True,
                               check=True).stdout.splitlines()
        text, data, _bss = (int(v) for v in lines[1].split()[:3])
        total += text + data
    return total


class AuthBench(bench_fit.Bench):
    def call(self, op: int, src: int, n: int) -> tuple[int, int, int]:
        """(return value, instructions, stack bytes used) of bench_run(op, {src, n})."""
        top = bench_fit.STACK + bench_fit.STACK_SIZE
        self.cpu.write(bench_fit.STACK, bytes([PAINT]) * bench_fit.STACK_SIZE)
        self.cpu.write(self.args, struct.pack("<8I", src, n, 0, 0, 0, 0, 0, 0))
        self.count = 0
        rv = self.cpu.call(self.entry, [op, self.args], stack_top=top, return_address=self.ret,
                           max_instructions=100_000_000)
        stack = self.cpu.read(bench_fit.STACK, bench_fit.STACK_SIZE)
        low = next(i for i, b in enumerate(stack) if b != PAINT)
        rv &= 0xFFFFFFFF
        return rv - ((rv & 0x80000000) << 1), self.count, bench_fit.STACK_SIZE - low


def verdicts_on_cortex_m3(tmp: Path, cases: list[tuple[bytes, bytes, bytes]], opt: str = "-O2") -> list[int]:
    """remote_fw_ed25519_verify's result for each (sig, public key, message),
    computed by the Cortex-M3 build (at opt) in unicorn, without the counter."""
    b = AuthBench(CORTEX_M3, build(tmp, opt), count=False)
    out = []
    for sig, pk, msg in cases:
        b.cpu.write(bench_fit.INPUT, sig + pk + msg)
        out.append(b.call(1, bench_fit.INPUT, len(msg))[0])
    return out


def measure(tmp: Path, check_align: bool = False, opt: str = "-O2") -> dict[str, int]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    b = AuthBench(CORTEX_M3, build(tmp, opt), check_align)
    figures = {}
    data = bytes((i * 131 + 7) & 0xFF for i in range(4096))
    b.cpu.write(bench_fit.INPUT + 1, data)                  # odd address on purpose
    rv, n, _ = b.call(0, bench_fit.INPUT + 1, len(data))
    assert rv == 0 and b.cpu.read(b.symbol("bench_digest"), 64) == hashlib.sha512(data).digest()
    figures["sha512_per_byte_x100"] = n * 100 // len(data)

    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench").digest())
    pk = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    msg = data[:64]
    sig = key.sign(msg)
    b.cpu.write(bench_fit.INPUT + 3, sig + pk + msg)
    rv, n, stack = b.call(1, bench_fit.INPUT + 3, len(msg))
    assert rv == 0, f"a valid signature refused on Cortex-M3 ({rv})"
    figures["verify_instructions"], figures["verify_stack"] = n, stack
    bad = bytearray(sig)
    bad[40] ^= 0x10
    b.cpu.write(bench_fit.INPUT + 3, bytes(bad) + pk + msg)
    rv, _, _ = b.call(1, bench_fit.INPUT + 3, len(msg))
    assert rv == 5, f"a tampered signature not refused on Cortex-M3 ({rv})"
    if check_align and b.misaligned:
        raise AssertionError(f"{len(b.misaligned)} unaligned accesses, first: " + "; ".join(b.misaligned[:5]))
    figures["verify_size_Os"] = code_size(tmp)
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-auth-") as tmp:
        f = measure(Path(tmp))
    print("Cortex-M3 (Thumb-2, -O2 unless said), unicorn instruction counts")
    print(f"  sha512            {f['sha512_per_byte_x100'] / 100:8.2f} instructions/byte")
    print(f"  ed25519 verify    {f['verify_instructions']:8d} instructions   (target <= 5000000)")
    print(f"  verify stack      {f['verify_stack']:8d} bytes          (target <= 1536)")
    print(f"  verify size -Os   {f['verify_size_Os']:8d} bytes          (target <= 10240)")
    missed = [name for name, limit in TARGETS.items() if f[name] > limit]
    for name in missed:
        print(f"MISSED: {name} {f[name]} > {TARGETS[name]}")
    return 1 if missed and "--report-only" not in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
