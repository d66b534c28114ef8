#!/usr/bin/env python3
"""Write the seeds of fuzz_fit.c and fuzz_inflate.c (deterministic).

    python3 tests/fuzz/make_fit_seeds.py     # needs mkimage (u-boot-tools) and dtc

corpus_fit/: FITs made by mkimage whose kernel, fdt and ramdisk load into
fuzz_fit.c's REGION (0x40000000, 4 MiB): embedded and external data (-E,
-E -B, -p), kernel compression none and gzip, gzip ramdisk, several
configurations with loadables, trees with /chosen absent or with the initrd
properties present. The last byte of each file is fuzz_fit.c's mode byte.

corpus_inflate/: raw deflate streams (each zlib strategy, stored blocks) and
gzip members (every optional header field), behind fuzz_inflate.c's 3-byte
header (output room in 8-byte units, gzip flag).
"""

from __future__ import annotations

import struct
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.fit_kit import fit_build as fb  # noqa: E402

REGION = 0x40000000
KERNEL, RAMDISK, FDT, BLOB = REGION, REGION + 0x200000, REGION + 0x300000, REGION + 0x380000
CORPUS_FIT = HERE / "corpus_fit"
CORPUS_INFLATE = HERE / "corpus_inflate"


def fits(tmp: Path) -> dict[str, bytes]:
    kernel = fb.arm64_image(8192, image_size=0x10000)
    rd = fb.payload(2048, 5)
    dt = fb.dtb(tmp, pad=256)
    dt_none = fb.dtb(tmp, chosen="none", pad=256, name="nochosen")
    dt_props = fb.dtb(tmp, chosen="props32", pad=0, name="props")

    def three(kcomp="none", tree=dt, rdcomp="none", **kw):
        kdata = fb.gz(kernel) if kcomp == "gzip" else kernel
        rdata = fb.gz(rd) if rdcomp == "gzip" else rd
        return fb.Fit([fb.Image("kernel-1", kdata, "kernel", KERNEL, entry=KERNEL, compression=kcomp),
                       fb.Image("fdt-1", tree, "flat_dt", FDT, os=None),
                       fb.Image("ramdisk-1", rdata, "ramdisk", RAMDISK, compression=rdcomp)],
                      {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"}}, **kw)

    many = fb.Fit([fb.Image("kernel-1", kernel, "kernel", KERNEL, entry=KERNEL),
                   fb.Image("kernel-2", fb.gz(kernel), "kernel", KERNEL, compression="gzip",
                            hashes=("crc32",)),
                   fb.Image("fdt-1", dt, "flat_dt", FDT, os=None, hashes=("sha256",)),
                   fb.Image("ramdisk-1", rd, "ramdisk", RAMDISK),
                   fb.Image("blob-1", b"loadable" * 64, "firmware", BLOB, os=None)],
                  {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"},
                   "conf-2": {"kernel": "kernel-2", "fdt": "fdt-1", "loadables": ["blob-1"]}},
                  default="conf-2")
    out = {
        "embedded-none": three().build(tmp),
        "external-none": three().build(tmp, external=True),
        "external-aligned": three().build(tmp, external=True, align=0x100),
        "position-none": three().build(tmp, external=True, position=0x2000),
        "embedded-gzip": three("gzip").build(tmp),
        "external-gzip-rdgzip": three("gzip", rdcomp="gzip").build(tmp, external=True),
        "embedded-nochosen": three(tree=dt_none).build(tmp),
        "embedded-props": three(tree=dt_props, cells=2).build(tmp),
        "configs-embedded": many.build(tmp),
        "configs-external": many.build(tmp, external=True),
    }
    return out


def fit_seeds(tmp: Path) -> dict[str, bytes]:
    seeds = {}
    for name, blob in fits(tmp).items():
        seeds[f"{name}.itb"] = blob + b"\x00"                  # default configuration
    seeds["configs-embedded-conf1.itb"] = seeds["configs-embedded.itb"][:-1] + b"\x01"
    seeds["configs-external-conf2-halves.itb"] = seeds["configs-external.itb"][:-1] + b"\x0a"
    seeds["embedded-none-fitarea.itb"] = seeds["embedded-none.itb"][:-1] + b"\x04"
    return seeds


def raw(data: bytes, level: int, strategy: int) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()


def gzip_member(data: bytes, flags: int) -> bytes:
    hdr = bytes([0x1F, 0x8B, 8, flags, 0, 0, 0, 0, 2, 3])
    if flags & 0x04:
        hdr += struct.pack("<H", 6) + b"AB\x02\x00xy"
    if flags & 0x08:
        hdr += b"Image\0"
    if flags & 0x10:
        hdr += b"comment\0"
    if flags & 0x02:
        hdr += struct.pack("<H", zlib.crc32(hdr) & 0xFFFF)
    return hdr + raw(data, 9, zlib.Z_DEFAULT_STRATEGY) + struct.pack("<II", zlib.crc32(data), len(data))


def inflate_seed(stream: bytes, out_len: int, gz: bool) -> bytes:
    units = (out_len + 7) // 8
    return struct.pack("<HB", units, 1 if gz else 0) + stream


def inflate_seeds() -> dict[str, bytes]:
    data = fb.payload(6000, 17)
    seeds = {}
    for name, level, strategy in [("default", 9, zlib.Z_DEFAULT_STRATEGY), ("fast", 1, zlib.Z_DEFAULT_STRATEGY),
                                  ("filtered", 6, zlib.Z_FILTERED), ("huffman", 9, zlib.Z_HUFFMAN_ONLY),
                                  ("rle", 9, zlib.Z_RLE), ("fixed", 9, zlib.Z_FIXED),
                                  ("stored", 0, zlib.Z_DEFAULT_STRATEGY)]:
        seeds[f"raw-{name}.bin"] = inflate_seed(raw(data, level, strategy), len(data), False)
    seeds["raw-empty.bin"] = inflate_seed(raw(b"", 9, zlib.Z_DEFAULT_STRATEGY), 0, False)
    seeds["raw-runs.bin"] = inflate_seed(raw(b"a" * 3000 + b"ab" * 700, 9, zlib.Z_DEFAULT_STRATEGY), 4400, False)
    for flags in (0, 0x02, 0x04, 0x08, 0x10, 0x1E):
        seeds[f"gzip-flags-{flags:02x}.bin"] = inflate_seed(gzip_member(data, flags), len(data), True)
    return seeds


def write(corpus: Path, seeds: dict[str, bytes]) -> None:
    corpus.mkdir(exist_ok=True)
    for old in corpus.iterdir():
        old.unlink()
    for name, blob in seeds.items():
        (corpus / name).write_bytes(blob)
    print(f"{corpus}: {len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        write(CORPUS_FIT, fit_seeds(Path(tmp)))
    write(CORPUS_INFLATE, inflate_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main())
