"""Signed remotes for the tests of issue 19: a remote ELF for a load region,
signed by bundle's own signer (bundler.signing.manifest), and the tamper
classes, each an (image, manifest, load keywords) with the kit's code and the
offline check's finding code (None where only the host can tell: its minimum
counter, its allowed regions).
"""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bundler.signing import manifest as mf
from tests.support.kit_elf import Section, Segment, build_elf, patch_field, rsc_table, vendor

L = 2**252 + 27742317777372353535851937790883648493

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
THIRD = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
TABLE = rsc_table([vendor(payload=b"signed table")])


def remote(base: int, *, entry_off: int = 1, segments=None, table: bytes | None = TABLE):
    """A remote ELF32 for the region at base: code, data and a .bss tail."""
    segments = segments or [Segment(base, bytes(range(200)) * 2, memsz=400),
                            Segment(base + 0x1000, b"data" * 50, memsz=600)]
    sections = [Section(".resource_table", table)] if table is not None else []
    return build_elf(bits=32, entry=base + entry_off, segments=segments, sections=sections)


def sign(data: bytes, key=KEY, stem: str = "alpha", counter: int = 5) -> bytes:
    return mf.sign_image(stem, data, stem, key, counter, (1, 2, 3))


def _flip(data: bytes, off: int) -> bytes:
    return data[:off] + bytes([data[off] ^ 0x01]) + data[off + 1:]


def _signed_size(m: bytes) -> int:
    return struct.unpack_from("<I", m, 8)[0]


def _resign(m: mf.Manifest, key=KEY) -> bytes:
    return mf.encode(m, key)


def tamper_classes(base: int) -> dict:
    """{name: ((image, manifest), load keywords, kit code, finding code)} for a region at base."""
    img = remote(base)
    good = sign(img.data)
    sig_at = _signed_size(good) + 4
    wrong_key = bytearray(sign(img.data, key=OTHER))         # OTHER's signature, KEY's id
    id_at = mf.HEADER.size + 4 + 8 + 4                         # after the header and STEM "alpha"
    wrong_key[id_at:id_at + 8] = mf.decode(good).key_id
    assert mf.decode(bytes(wrong_key)).key_id == mf.decode(good).key_id
    seg1 = img.segment_offsets[0]
    table_off = img.section_offsets[0] + len(TABLE) - 3       # inside the vendor payload
    two = [Segment(base, bytes(range(200)) * 2, memsz=400), Segment(base + 0x1000, b"data" * 50, memsz=600)]
    added = remote(base, segments=two + [Segment(base + 0x3000, b"more", memsz=8)]).data
    removed = remote(base, segments=two[:1]).data
    reordered = remote(base, segments=two[::-1]).data
    overlapping = patch_field(img, "phdr", "p_paddr", base + 0x100, index=1)
    over_img = remote(base, segments=[two[0], Segment(base + 0x100, b"data" * 50, memsz=600)]).data
    over_m = mf.describe("alpha", img.data, "t")               # the signer refuses overlap: sign by hand
    over_m.segments[1].p_paddr = base + 0x100
    over_m.security_counter = 5
    entry = patch_field(img, "ehdr", "e_entry", base + 0x41)
    injected = bytearray(good)
    injected += struct.pack("<HH", 0x81, 4) + b"evil"
    struct.pack_into("<I", injected, 12, len(injected))
    noncanon = bytearray(good)
    s_val = int.from_bytes(good[sig_at + 32:sig_at + 64], "little") + L      # S + L: the same S mod L
    noncanon[sig_at + 32:sig_at + 64] = s_val.to_bytes(32, "little")
    return {
        "manifest-byte": ((img.data, _flip(good, mf.HEADER.size + 4 + 8 + 4 + 8 + 4)), {}, "ESIGNATURE", "sig-bad"),
        "segment-byte": ((_flip(img.data, seg1 + 17), good), {}, "EDIGEST", "sig-digest"),
        "signature-byte": ((img.data, _flip(good, sig_at + 10)), {}, "ESIGNATURE", "sig-bad"),
        "rsc-table-byte": ((_flip(img.data, table_off), good), {}, "EMISMATCH", "sig-rsc"),
        "wrong-key": ((img.data, bytes(wrong_key)), {}, "ESIGNATURE", "sig-bad"),
        "unknown-key": ((img.data, sign(img.data, key=THIRD)), {"keys": (KEY, OTHER)}, "ESIGNATURE", "sig-unknown-key"),
        "no-trusted-key": ((img.data, good), {"keys": ()}, "ESIGNATURE", "sig-unknown-key"),
        "lower-counter": ((img.data, sign(img.data, counter=4)), {"minimum": 5}, "EROLLBACK", None),
        "segment-added": ((added, good), {}, "EMISMATCH", "sig-segments"),
        "segment-removed": ((removed, good), {}, "EMISMATCH", "sig-segments"),
        "segment-reordered": ((reordered, good), {}, "EMISMATCH", "sig-segment-order"),
        "segment-moved-to-overlap": ((overlapping, good), {}, "EMISMATCH", "sig-segment"),
        "signed-overlap": ((over_img, _resign(over_m)), {}, "EOVERLAP", "sig-overlap"),
        "outside-allowed": ((img.data, good), {"regions": [(base + 0x1000, 0x1000)]}, "EREGION", None),
        "entry-changed": ((entry, good), {}, "EMISMATCH", "sig-entry"),
        "other-stem": ((img.data, sign(img.data, stem="beta")), {}, "EMISMATCH", "sig-stem"),
        "unsigned-field": ((img.data, bytes(injected)), {}, "EMANIFEST", "sig-unsigned-field"),
        "non-canonical-s": ((img.data, bytes(noncanon)), {}, "ESIGNATURE", "sig-noncanonical"),
        "table-removed": ((remote(base, table=None).data, good), {}, "EMISMATCH", "sig-rsc"),
        "unsigned": ((img.data, None), {}, "EUNSIGNED", "sig-unsigned"),
    }
