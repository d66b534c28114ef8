"""Benchmark: the kit at memory speed, against its targets (issue 20).

    .venv/bin/python bench/bench_kit.py                   # 1 MiB hashes, the whole kernel Image
    .venv/bin/python bench/bench_kit.py --size 64K --kernel-size 256K   # quicker, a slice of it

Instructions per byte counted in the unicorn emulator, as bench/bench_fit.py
counts them (its builds, its bench_kit.c, every result checked against
Python's zlib and hashlib):

    crc32    remote_fw_crc32, Cortex-M3 -O2, default tables     target <= 3.0
    sha256   remote_fw_sha256, Cortex-M3 -O2                      target <= 28
    inflate  remote_fw_inflate, AArch64 portable C (-march=armv8-a -mstrict-align -O2),
             the real Debian arm64 kernel Image compressed by `gzip -9`, per output byte
                                                                  target <= 9

plus, for the record (no target), the small CRC table (Cortex-M3 -Os
-DREMOTE_FW_CRC32_SMALL). The kernel is samples/aarch64-linux's: the Image
cached by its linux/fetch-kernel.sh (KERNEL_CACHE, default
~/.cache/rproc-bundle), fetched through it when missing; --kernel FILE takes
another. Exits 1 when a target is missed, 2 when the kernel cannot be had.
"""

from __future__ import annotations

import argparse
import gzip as gzip_mod
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_fit  # noqa: E402
from bench.common import ROOT  # noqa: E402

FETCH = ROOT / "samples" / "aarch64-linux" / "linux" / "fetch-kernel.sh"
TARGETS = {"crc32": 3.0, "sha256": 28.0, "inflate": 9.0}


def cached_image_path() -> Path:
    """Where samples/aarch64-linux/linux/fetch-kernel.sh caches Debian's arm64 Image."""
    cache = Path(os.environ.get("KERNEL_CACHE") or
                 Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rproc-bundle")
    return cache / "linux-image-cloud-arm64.Image"


def cached_kernel() -> Path:
    """The sample's cached Debian arm64 Image, fetched (fetch-kernel.sh) when absent."""
    image = cached_image_path()
    if not image.is_file():
        with tempfile.TemporaryDirectory(prefix="bench-kit-") as tmp:
            proc = subprocess.run(["sh", str(FETCH), str(Path(tmp) / "Image")], capture_output=True,
                                  text=True)
        if proc.returncode != 0 or not image.is_file():
            raise SystemExit(f"bench_kit: no kernel Image ({FETCH} failed: {proc.stderr.strip()[-300:]});"
                             " pass --kernel FILE")
    return image


def gzip_deflate(data: bytes) -> bytes:
    """The raw deflate stream of `gzip -9 -n` (the real tool when installed), header and trailer cut."""
    if shutil.which("gzip"):
        gz = subprocess.run(["gzip", "-9", "-n", "-c"], input=data, capture_output=True, check=True).stdout
    else:
        gz = gzip_mod.compress(data, 9, mtime=0)
    assert gz[:3] == b"\x1f\x8b\x08" and gz[3] == 0, "gzip -n writes no optional header field"
    return gz[10:-8]


def count(bench: bench_fit.Bench, op: str, data: bytes, expect) -> int:
    bench.cpu.write(bench_fit.INPUT, data)
    rv, n, _ = bench.run(op, bench_fit.INPUT, len(data))
    expect(bench, rv)
    return n


def crc_row(arch: str, data: bytes, tmp: Path) -> int:
    import zlib

    b = bench_fit.Bench(bench_fit.ARCHS[arch], bench_fit.build(bench_fit.ARCHS[arch], tmp))

    def ok(_b, rv):
        assert rv & 0xFFFFFFFF == zlib.crc32(data), "remote_fw_crc32 differs from zlib.crc32"
    return count(b, "crc32", data, ok)


def sha_row(data: bytes, tmp: Path) -> int:
    import hashlib

    b = bench_fit.Bench(bench_fit.ARCHS["cortex-m3"], bench_fit.build(bench_fit.ARCHS["cortex-m3"], tmp))

    def ok(bench, _rv):
        assert bench.cpu.read(bench.symbol("bench_digest"), 32) == hashlib.sha256(data).digest(), \
            "remote_fw_sha256 differs from hashlib"
    return count(b, "sha256", data, ok)


def inflate_row(image: bytes, tmp: Path) -> tuple[int, int]:
    """(instructions, compressed bytes) of remote_fw_inflate on `gzip -9` of image."""
    stream = gzip_deflate(image)
    arch = bench_fit.ARCHS["aarch64"]
    b = bench_fit.Bench(arch, bench_fit.build(arch, tmp))
    if len(stream) > bench_fit.AREA or len(image) > bench_fit.AREA:
        raise SystemExit(f"bench_kit: the Image ({len(image)} bytes) is larger than the "
                         f"emulated area ({bench_fit.AREA} bytes)")
    b.cpu.write(bench_fit.INPUT, stream)
    rv, n, out = b.run("inflate", bench_fit.INPUT, len(stream), bench_fit.OUTPUT, len(image))
    assert rv == 0 and out[:2] == [len(stream), len(image)], (rv, out[:2])
    assert b.cpu.read(bench_fit.OUTPUT, len(image)) == image, "remote_fw_inflate's output differs"
    return n, len(stream)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1M", help="bytes hashed (default 1M)")
    ap.add_argument("--kernel", type=Path, help="an arm64 Image (default: the sample's cached Debian one)")
    ap.add_argument("--kernel-size", default="0", help="inflate only the Image's first N bytes (0: all)")
    args = ap.parse_args(argv)
    size = bench_fit.parse_size(args.size)
    from tests.fit_kit import fit_build as fb

    payload = fb.payload(size, 1)
    kpath = args.kernel or cached_kernel()
    image = kpath.read_bytes()
    ksize = bench_fit.parse_size(args.kernel_size)
    if ksize:
        image = image[:ksize]

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-kit-") as tmp:
        t = Path(tmp)
        rows.append(("crc32", "remote_fw_crc32, Cortex-M3 -O2", crc_row("cortex-m3", payload, t), size))
        rows.append((None, "remote_fw_crc32, Cortex-M3 -Os small table",
                     crc_row("cortex-m3-small", payload, t), size))
        rows.append(("sha256", "remote_fw_sha256, Cortex-M3 -O2", sha_row(payload, t), size))
        n, packed = inflate_row(image, t)
        rows.append(("inflate", f"remote_fw_inflate, AArch64, {kpath.name} gzip -9 "
                     f"({packed:,} -> {len(image):,} bytes)", n, len(image)))

    missed = 0
    print(f"{'operation':<72} {'instructions':>14} {'bytes':>11} {'instr/byte':>10}  target")
    for key, name, n, nbytes in rows:
        ipb = n / nbytes
        if key is None:
            verdict = ""
        elif ipb <= TARGETS[key]:
            verdict = f"<= {TARGETS[key]:g}  met"
        else:
            verdict = f"<= {TARGETS[key]:g}  MISSED"
            missed += 1
        print(f"{name:<72} {n:>14,} {nbytes:>11,} {ipb:>10.2f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
