"""Signed FITs for the signature tests of the kit (test_fit_sig.py) and of
bundle verify (tests/fit/test_fit_signature.py): RSA keys made by openssl,
FITs signed by Debian's mkimage (-k KEYDIR -r), and each published bypass
layout made from a signed FIT with the real fdtput/fdtget (libfdt edits in
place: the signed tokens keep their bytes and their string offsets).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.fit_kit import fit_build as fb

KERNEL_AT, RAMDISK_AT, FDT_AT, EVIL_AT = 0, 8 * fb.MIB, 12 * fb.MIB, 20 * fb.MIB
VARIANTS = [(2048, None), (2048, "pss"), (4096, "pkcs-1.5"), (4096, "pss")]


@dataclass
class Key:
    name: str
    bits: int
    keydir: Path
    modulus: bytes
    exponent: int
    pem: Path                   # the public key, as `openssl pkey -pubout` writes it

    def kit(self, name: str | None = None):
        """(key-name-hint or None, modulus, exponent): what FitKit.load_signed takes."""
        return (name, self.modulus, self.exponent)


def make_key(keydir: Path, name: str, bits: int) -> Key:
    from cryptography.hazmat.primitives import serialization
    path = fb.rsa_key(keydir, name, bits)
    pub = keydir / f"{name}.pem"
    fb.run(["openssl", "pkey", "-in", path, "-pubout", "-out", pub])
    numbers = serialization.load_pem_public_key(pub.read_bytes()).public_numbers()
    return Key(name, bits, keydir, numbers.n.to_bytes(bits // 8, "big"), numbers.e, pub)


def fit(tmp: Path, base: int, key: Key, padding: str | None, *, configs=None, sign=("conf-1",),
        sign_images=None, kernel=None, name="fit") -> bytes:
    """kernel-1 (+ kernel-2), fdt-1, ramdisk-1; conf-1 (and any configs given) signed with key."""
    kernel = fb.arm64_image() if kernel is None else kernel
    images = [fb.Image("kernel-1", kernel, "kernel", base + KERNEL_AT, entry=base + KERNEL_AT),
              fb.Image("kernel-2", fb.arm64_image(size=64 * 1024), "kernel", base + KERNEL_AT,
                       entry=base + KERNEL_AT),
              fb.Image("fdt-1", fb.dtb(tmp), "flat_dt", base + FDT_AT, os=None),
              fb.Image("ramdisk-1", fb.payload(40_000, 7), "ramdisk", base + RAMDISK_AT),
              fb.Image("ramdisk-2", fb.payload(30_000, 9), "ramdisk", base + EVIL_AT)]
    if configs is None:
        configs = {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"}}
    sigs = {c: [(key.name, f"sha256,rsa{key.bits}", padding)] for c in sign}
    f = fb.Fit(images, configs, signatures=sigs, sign_images=sign_images)
    return f.build(tmp, keydir=key.keydir, name=name)


def fdtget(tmp: Path, blob: bytes, node: str, prop: str, kind: str = "s") -> str:
    path = tmp / "get.itb"
    path.write_bytes(blob)
    return fb.run(["fdtget", "-t", kind, path, node, prop]).decode().strip()


def fdtput(tmp: Path, blob: bytes, *args) -> bytes:
    """fdtput ARGS on a copy of blob; the edited blob."""
    path = tmp / "put.itb"
    path.write_bytes(blob)
    fb.run(["fdtput", path, *args])
    return path.read_bytes()


# ---- the four bypass layouts ---------------------------------------------------------

def cve_2020_10648(tmp: Path, base: int, key: Key) -> bytes:
    """conf-2 boots kernel-2 with the signature of conf-1 (value and hashed-nodes copied)."""
    configs = {"conf-1": {"kernel": "kernel-1", "fdt": "fdt-1", "ramdisk": "ramdisk-1"},
               "conf-2": {"kernel": "kernel-2", "fdt": "fdt-1", "ramdisk": "ramdisk-1"}}
    blob = fit(tmp, base, key, None, configs=configs, sign=("conf-1", "conf-2"))
    value = fdtget(tmp, blob, "/configurations/conf-1/signature-1", "value", "bx").split()
    nodes = fdtget(tmp, blob, "/configurations/conf-1/signature-1", "hashed-nodes").split()
    blob = fdtput(tmp, blob, "-t", "bx", "/configurations/conf-2/signature-1", "value", *value)
    return fdtput(tmp, blob, "-t", "s", "/configurations/conf-2/signature-1", "hashed-nodes", *nodes)


def cve_2021_27097(tmp: Path, base: int, key: Key, how: str) -> bytes:
    """A structure the region walk would misread: 'overlap' the structure block grown over the
    strings; 'tail' 8 bytes after FDT_END inside the structure block; 'strings' hashed-strings
    not at the strings block's start; 'short' a hashed-strings size that leaves signed property
    names out."""
    blob = fit(tmp, base, key, None)
    sig = "/configurations/conf-1/signature-1"
    h = fb.header(blob)
    if how == "overlap":
        return fb.set_header(blob, size_dt_struct=h["size_dt_struct"] + 8)
    if how == "tail":
        end = h["off_dt_struct"] + h["size_dt_struct"]
        assert h["off_dt_strings"] == end and h["totalsize"] == len(blob)
        blob = blob[:end] + bytes(8) + blob[end:]
        return fb.set_header(blob, size_dt_struct=h["size_dt_struct"] + 8, off_dt_strings=end + 8,
                             totalsize=h["totalsize"] + 8)
    off, size = (int(x, 16) for x in fdtget(tmp, blob, sig, "hashed-strings", "x").split())
    if how == "strings":
        return fdtput(tmp, blob, "-t", "x", sig, "hashed-strings", "4", f"{size - 4:x}")
    return fdtput(tmp, blob, "-t", "x", sig, "hashed-strings", "0", "4")


def cve_2021_27138(tmp: Path, base: int, key: Key, where: str) -> bytes:
    """A unit address on the signed path: a second kernel-1@0 image beside kernel-1 ('image'),
    or a hash-1@0 node inside kernel-1 ('hash')."""
    blob = fit(tmp, base, key, None)
    if where == "image":
        blob = fdtput(tmp, blob, "-c", "/images/kernel-1@0")
        return fdtput(tmp, blob, "-t", "s", "/images/kernel-1@0", "type", "kernel")
    blob = fdtput(tmp, blob, "-c", "/images/kernel-1/hash-1@0")
    return fdtput(tmp, blob, "-t", "s", "/images/kernel-1/hash-1@0", "algo", "crc32")


def hashed_nodes_2026(tmp: Path, base: int, key: Key, how: str) -> bytes:
    """hashed-nodes that is not the configuration's list: 'default' mkimage's own default list
    (kernel and fdt: the ramdisk unsigned); 'dropped' the ramdisk's entries removed from a full
    list; 'decoy' ramdisk-2 listed instead of ramdisk-1."""
    if how == "default":
        return fit(tmp, base, key, None, sign_images=[])
    blob = fit(tmp, base, key, None)
    sig = "/configurations/conf-1/signature-1"
    nodes = fdtget(tmp, blob, sig, "hashed-nodes").split()
    if how == "dropped":
        nodes = [n for n in nodes if "ramdisk" not in n]
    else:
        nodes = [n.replace("ramdisk-1", "ramdisk-2") for n in nodes]
    return fdtput(tmp, blob, "-t", "s", sig, "hashed-nodes", *nodes)


BYPASSES = {
    # name: (builder(tmp, base, key), the kit's code, bundle verify's finding, the configuration booted);
    # the Python reader refuses overlapping blocks as a corrupt tree already (fit-corrupt)
    "CVE-2020-10648 signature of another configuration": (cve_2020_10648, "EFITSIGCONF", "fit-sig-config", "conf-2"),
    "CVE-2021-27097 structure over the strings": (lambda t, b, k: cve_2021_27097(t, b, k, "overlap"),
                                                  "EFITLAYOUT", "fit-corrupt", None),
    "CVE-2021-27097 bytes after FDT_END": (lambda t, b, k: cve_2021_27097(t, b, k, "tail"),
                                           "EFITLAYOUT", "fit-sig-layout", None),
    "CVE-2021-27097 hashed-strings offset": (lambda t, b, k: cve_2021_27097(t, b, k, "strings"),
                                             "EFITLAYOUT", "fit-sig-layout", None),
    "CVE-2021-27097 hashed-strings short": (lambda t, b, k: cve_2021_27097(t, b, k, "short"),
                                            "EFITLAYOUT", "fit-sig-layout", None),
    "CVE-2021-27138 image@0": (lambda t, b, k: cve_2021_27138(t, b, k, "image"), "EFITUNIT", "fit-sig-unit", None),
    "CVE-2021-27138 hash@0": (lambda t, b, k: cve_2021_27138(t, b, k, "hash"), "EFITUNIT", "fit-sig-unit", None),
    "2026 hashed-nodes mkimage default list": (lambda t, b, k: hashed_nodes_2026(t, b, k, "default"),
                                               "EFITNODES", "fit-sig-nodes", None),
    "2026 hashed-nodes ramdisk dropped": (lambda t, b, k: hashed_nodes_2026(t, b, k, "dropped"),
                                          "EFITNODES", "fit-sig-nodes", None),
    "2026 hashed-nodes decoy": (lambda t, b, k: hashed_nodes_2026(t, b, k, "decoy"),
                                "EFITNODES", "fit-sig-nodes", None),
}
