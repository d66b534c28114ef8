"""remote_fw_sha256 equals hashlib in every build of its block function: the
Thumb-2 assembly (Cortex-M3 -O2 and -O0, GCC and clang), the rolled C (-Os, on Cortex-M3 and
RISC-V), the unrolled C (RISC-V and AArch64 -O2), the SHA2 instructions
(AArch64 +crypto), each cross-built freestanding with tests/fit_kit/c/sha256_jobs.c
and run in unicorn; and the host's -O2 and -Os builds through ctypes. Inputs:
every length 0..300, the lengths around block and padding boundaries up to
64 KiB + 1, seeded random lengths, at word-aligned and odd addresses, in one
call and through init/update/final in random pieces."""

from __future__ import annotations

import ctypes
import hashlib
import random
import struct
import subprocess
from pathlib import Path

import pytest

from bench import bench_fit
from tests.fit_kit import fit_native
from tests.kit import kit_native

SOURCE = kit_native.KIT / "remote_fw_sha256.c"
JOBS_C = Path(__file__).resolve().parent / "c" / "sha256_jobs.c"
BOUNDARY = [55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 191, 192, 193, 4095, 4096, 4097,
            65535, 65536, 65537]
RISCV = bench_fit.Arch("RISC-V rv64imac", ["riscv64-unknown-elf-gcc", "-march=rv64imac", "-mabi=lp64",
                                           "-mcmodel=medany"], "riscv64", None, 8)
CLANG_M3 = bench_fit.Arch("clang armv7m", ["clang", "--target=armv7m-none-eabi", "-mthumb", "-mno-unaligned-access",
                                           "-fuse-ld=lld"], "arm-m", "cortex-m3", 4)
BUILDS = {"cortex-m3-O2": (bench_fit.ARCHS["cortex-m3"], "-O2"),       # the assembly
          "cortex-m3-O0": (bench_fit.ARCHS["cortex-m3"], "-O0"),       # the assembly, unoptimised C around it
          "clang-armv7m-O2": (CLANG_M3, "-O2"),                        # the assembly through LLVM's assembler
          "cortex-m3-Os": (bench_fit.ARCHS["cortex-m3"], "-Os"),       # the rolled C
          "riscv64-O2": (RISCV, "-O2"), "riscv64-Os": (RISCV, "-Os"),
          "aarch64-O2": (bench_fit.ARCHS["aarch64"], "-O2"),
          "aarch64-crypto-O2": (bench_fit.ARCHS["aarch64-crypto"], "-O2")}


def cases(seed: int) -> list[tuple[int, int, int]]:
    """(skew, length, chunk) of every job; chunk 0 is the one-shot call."""
    rng = random.Random(seed)
    jobs = [(0, n, 0) for n in range(301)]
    jobs += [(skew, n, 0) for n in BOUNDARY for skew in (0, 1, 2, 3)]
    jobs += [(rng.randrange(8), rng.randrange(301), 0) for _ in range(100)]
    jobs += [(rng.randrange(8), rng.choice([rng.randrange(301), *BOUNDARY[:15]]), rng.randrange(1, 200))
             for _ in range(150)]
    jobs += [(skew, 4097, chunk) for skew in (0, 3) for chunk in (1, 63, 64, 65, 4096)]
    return jobs


def expected(data: bytes, jobs) -> list[bytes]:
    return [hashlib.sha256(data[skew:skew + n]).digest() for skew, n, _ in jobs]


DATA = random.Random(20).randbytes(max(BOUNDARY) + 8)


@pytest.mark.toolchain
@pytest.mark.parametrize("build", sorted(BUILDS))
def test_emulated_builds_match_hashlib(need, tmp_path, build):
    arch, opt = BUILDS[build]
    need(arch.cc[0], *(["ld.lld"] if "-fuse-ld=lld" in arch.cc else []))
    elf = tmp_path / f"{build}.elf"
    cmd = [arch.cc[0], "-std=c99", opt, *arch.cc[1:], "-ffreestanding", "-nostdlib", "-Wall", "-Wextra", "-Werror",
           f"-I{kit_native.KIT}", "-Wl,-e,bench_run", str(JOBS_C), str(SOURCE), "-o", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(cmd)}:\n{proc.stderr}"
    bench = bench_fit.Bench(arch, elf, count=False)
    jobs = cases(len(build))
    word = "I" if arch.ptr == 4 else "Q"
    table, digests = bench_fit.OUTPUT, bench_fit.OUTPUT + 0x10000
    bench.cpu.write(bench_fit.INPUT, DATA)
    rows = b"".join(struct.pack(f"<4{word}", bench_fit.INPUT + skew, n, chunk, digests + 32 * k)
                    for k, (skew, n, chunk) in enumerate(jobs))
    bench.cpu.write(table, rows)
    done = bench.cpu.call(bench.entry, [len(jobs), table], stack_top=bench_fit.STACK + bench_fit.STACK_SIZE,
                          return_address=bench.ret, max_instructions=400_000_000)
    assert done == len(jobs)
    got = bench.cpu.read(digests, 32 * len(jobs))
    want = expected(DATA, jobs)
    bad = [(jobs[k], got[32 * k:32 * k + 32].hex()) for k in range(len(jobs)) if got[32 * k:32 * k + 32] != want[k]]
    assert not bad, (build, bad[:5], len(bad))


@pytest.mark.parametrize("opt", ["-O2", "-Os"])
def test_host_builds_match_hashlib(tmp_path, opt):
    kit_native.need_tool("gcc")
    lib = tmp_path / "libsha.so"
    kit_native.run(["gcc", *fit_native.CFLAGS, opt, "-fPIC", "-shared", SOURCE, "-o", lib])
    dll = ctypes.CDLL(str(lib))
    dll.remote_fw_sha256.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    buf = ctypes.create_string_buffer(DATA, len(DATA))
    base = ctypes.addressof(buf)
    out = ctypes.create_string_buffer(32)
    for skew, n, _ in cases(7):
        dll.remote_fw_sha256(base + skew, n, out)
        assert out.raw == hashlib.sha256(DATA[skew:skew + n]).digest(), (opt, skew, n)
    dll.remote_fw_sha256(None, 5, out)
    assert out.raw == hashlib.sha256(b"").digest()
