#!/usr/bin/env python3
"""Write the seeds of fuzz_auth.c (mode || image length || minimum counter || key || image || manifest).

    .venv/bin/python tests/fuzz/make_auth_seeds.py

corpus_auth/: the Cortex-M3 and AArch64 samples' prebuilt hosts and remotes
(samples/*/prebuilt: ELF32 and ELF64, loading where fuzz_auth.c's regions are;
RISC-V's load address is inside ASan's shadow memory) bundled and signed by the Python API as `bundle HOST REMOTE -o
OUT --sign KEY.pem --security-counter 3 --version 1.0.0` does; the image and
its manifest are read back from OUT's sections (.remote_fw.remote_elf,
.remote_fw_sig.remote_elf), with the signing key's public half. The key is
derived from a fixed seed (reproducible seeds) and only its public half
travels. Seeds: both samples accepted for real (mode 0), the Cortex-M3 one
with the signature taken as passed (mode 1), in the pre-link flow (mode 2),
below the host's minimum counter (EROLLBACK), with no trusted key
(ESIGNATURE), and a bundle made without --sign (EUNSIGNED; EMANIFEST when the
descriptor claims a manifest).
"""

from __future__ import annotations

import hashlib
import struct
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = HERE / "corpus_auth"
SAMPLES = {"cm3": "cortex-m3", "aarch64": "aarch64-amp"}
STEM = "remote_elf"
COUNTER = 3
# name: (sample, mode, minimum counter, signed, the code fuzz_auth.c prints for it on replay)
SEEDS = {
    "cm3-signed.bin": ("cm3", 0x00, COUNTER, True, 0),
    "aarch64-signed.bin": ("aarch64", 0x00, COUNTER, True, 0),
    "aarch64-minimum-0.bin": ("aarch64", 0x00, 0, True, 0),
    "cm3-accept.bin": ("cm3", 0x01, COUNTER, True, 0),
    "cm3-prelink.bin": ("cm3", 0x02, COUNTER, True, 0),
    "cm3-rollback.bin": ("cm3", 0x00, COUNTER + 1, True, -45),
    "cm3-no-key.bin": ("cm3", 0x04, 0, True, -44),
    "cm3-unsigned.bin": ("cm3", 0x08, 0, False, -43),
    "cm3-flag-no-manifest.bin": ("cm3", 0x00, 0, False, -47),
}


def signing_key():
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"fuzz_auth seeds").digest())


def bundled_pieces(tmp: Path, sample: str, signed: bool) -> tuple[bytes, bytes]:
    """(image, manifest) of the sample's prebuilt host and remote, bundled (and signed)."""
    from cryptography.hazmat.primitives import serialization

    import bundler
    from bundler.elf.reader import parse_elf

    pem = tmp / "signing.pem"
    pem.write_bytes(signing_key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    prebuilt = ROOT / "samples" / SAMPLES[sample] / "prebuilt"
    out = tmp / f"{sample}-{signed}.elf"
    sign = {"sign": pem, "security_counter": COUNTER, "version": "1.0.0"} if signed else {}
    bundler.bundle(prebuilt / "host.elf", [prebuilt / "remote.elf"], out, names=[STEM], **sign)
    elf = parse_elf(out.read_bytes())

    def section(name: str) -> bytes:
        s = elf.find_section(name)
        if s is None:
            return b""
        return elf.data[s.hdr.sh_offset:s.hdr.sh_offset + s.hdr.sh_size]

    image = section(f".remote_fw.{STEM}")
    assert image == (prebuilt / "remote.elf").read_bytes(), f"{out}: the bundled image is not the remote"
    return image, section(f".remote_fw_sig.{STEM}")


def public_key() -> bytes:
    from cryptography.hazmat.primitives import serialization

    return signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def seed(mode: int, minimum: int, image: bytes, manifest: bytes) -> bytes:
    return struct.pack("<BII", mode, len(image), minimum) + public_key() + image + manifest


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        pieces = {}
        for name, (sample, mode, minimum, signed, _want) in SEEDS.items():
            if (sample, signed) not in pieces:
                pieces[sample, signed] = bundled_pieces(tmp, sample, signed)
            image, manifest = pieces[sample, signed]
            assert bool(manifest) == signed
            (CORPUS / name).write_bytes(seed(mode, minimum, image, manifest))


if __name__ == "__main__":
    main()
