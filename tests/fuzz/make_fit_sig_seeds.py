#!/usr/bin/env python3
"""Write the seeds of fuzz_fit_sig.c (FIT || modulus || mode byte).

    python3 tests/fuzz/make_fit_sig_seeds.py     # needs mkimage, dtc, openssl

corpus_fit_sig/: small FITs signed by mkimage (-k KEYDIR -r) with fresh
openssl keys (2048 and 4096 bits, pkcs-1.5 and pss; one with two
configurations, one unsigned), pieces loading into fuzz_fit_sig.c's REGION,
each followed by its key's modulus and the mode byte. The keys are not
kept: only their public moduli travel in the seeds.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.fit_kit import fit_build as fb  # noqa: E402
from tests.fit_kit import sig_fits as sf  # noqa: E402

REGION = 0x40000000
KERNEL, RAMDISK, FDT = REGION, REGION + 0x200000, REGION + 0x300000
CORPUS = HERE / "corpus_fit_sig"


def seed(tmp: Path, key: sf.Key, padding, *, two=False, signed=True, name="fit") -> bytes:
    kernel = fb.arm64_image(4096, image_size=0x10000)
    images = [fb.Image("kernel-1", kernel, "kernel", KERNEL, entry=KERNEL, hashes=("sha256",)),
              fb.Image("fdt-1", fb.dtb(tmp, pad=128), "flat_dt", FDT, os=None, hashes=("sha256",)),
              fb.Image("ramdisk-1", fb.payload(512, 5), "ramdisk", RAMDISK, hashes=("sha256",))]
    configs = {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"}}
    if two:
        configs["conf-2"] = {"kernel": "kernel-1", "fdt": "fdt-1"}
    sigs = {c: [("dev", f"sha256,rsa{key.bits}", padding)] for c in configs} if signed else {}
    return fb.Fit(images, configs, signatures=sigs).build(tmp, keydir=key.keydir, name=name)


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        keys = {bits: sf.make_key(tmp / f"k{bits}", "dev", bits) for bits in (2048, 4096)}
        out = {
            "rsa2048-pkcs.bin": (seed(tmp, keys[2048], None), keys[2048], 0x04),
            "rsa2048-pss.bin": (seed(tmp, keys[2048], "pss"), keys[2048], 0x02),
            "rsa4096-pkcs.bin": (seed(tmp, keys[4096], "pkcs-1.5"), keys[4096], 0x01),
            "rsa4096-pss-conf2.bin": (seed(tmp, keys[4096], "pss", two=True), keys[4096], 0x0d),
            "unsigned.bin": (seed(tmp, keys[2048], None, signed=False), keys[2048], 0x00),
        }
        for name, (blob, key, mode) in out.items():
            (CORPUS / name).write_bytes(blob + key.modulus + bytes([mode]))


if __name__ == "__main__":
    main()
