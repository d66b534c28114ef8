"""remote_fw_load_authenticated (linker/remote_fw_auth.c), native through ctypes,
on manifests made by bundle's own signer (bundler.signing.manifest): a signed
image loads; each tamper class is refused with its code; a refusal before the
copy leaves the destination untouched, a digest mismatch leaves every written
range zero. The same classes through the offline check (bundle verify --key)
are in tests/verify/test_verify_signed.py.

The library is built with UBSan (every shift and overflow of the parser and
the crypto checked on every input).
"""

from __future__ import annotations

import ctypes
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bundler.errors import BadInputError
from bundler.signing import manifest as mf
from bundler.signing.keys import raw_public
from tests.kit.kit_native import CDIR, CFLAGS, E, F_BUNDLED, F_CRC32, SOURCES, Image, Kit, Region, make_writable, run
from tests.support.kit_elf import Section, Segment, build_elf, patch_field, rsc_table, vendor
from tests.support.paths import AUTH_SOURCES

F_SIGNED = 0x4
L = 2**252 + 27742317777372353535851937790883648493
FILL = 0xA5


class Trust(ctypes.Structure):
    _fields_ = [("ed25519_keys", ctypes.c_void_p), ("n_keys", ctypes.c_size_t),
                ("min_security_counter", ctypes.c_uint32)]


@pytest.fixture(scope="module")
def auth(tmp_path_factory, kit) -> Kit:     # `kit` for its need_tool guard
    out: Path = tmp_path_factory.mktemp("kitauth")
    lib = out / "libkitauth.so"
    run(["gcc", *CFLAGS, "-O1", "-g", "-fPIC", "-shared", "-fsanitize=undefined",
         "-fno-sanitize-recover=all", *SOURCES, *AUTH_SOURCES, CDIR / "descs.c", "-o", lib])
    k = Kit(lib)
    P = ctypes.POINTER
    k.lib.remote_fw_load_authenticated.argtypes = [P(Image), P(Trust), P(Region), ctypes.c_size_t,
                                                   P(ctypes.c_size_t)]
    d = k.desc("alpha")
    make_writable(ctypes.addressof(d), ctypes.sizeof(d))
    return k


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


class Staged:
    def __init__(self, auth: Kit, image: bytes, manifest: bytes | None):
        self.buf = ctypes.create_string_buffer(len(image) + 16 + 8 + len(manifest or b""))
        at = ctypes.addressof(self.buf)
        at += -at % 16
        ctypes.memmove(at, image, len(image))
        sig_at = at + len(image) + (-(at + len(image)) % 8)
        if manifest:
            ctypes.memmove(sig_at, manifest, len(manifest))
        d = auth.desc("alpha")
        d.link_addr, d.base, d.size = ctypes.addressof(d), at, len(image)
        d.flags = F_BUNDLED | F_CRC32 | (F_SIGNED if manifest is not None else 0)
        self.img = Image(at, len(image), b"alpha")


def load(auth: Kit, image: bytes, manifest: bytes | None, region, *, keys=(KEY,), minimum: int = 0,
         regions=None) -> tuple[int, int]:
    staged = Staged(auth, image, manifest)
    raw = b"".join(raw_public(k) for k in keys)
    key_buf = ctypes.create_string_buffer(raw, max(1, len(raw)))
    trust = Trust(ctypes.addressof(key_buf), len(keys), minimum)
    regions = [(region.start, region.size)] if regions is None else regions
    arr = (Region * max(1, len(regions)))(*[Region(s, n) for s, n in regions])
    entry = ctypes.c_size_t(0xE0E0)
    err = auth.lib.remote_fw_load_authenticated(ctypes.byref(staged.img), ctypes.byref(trust), arr,
                                                len(regions), ctypes.byref(entry))
    return err, entry.value


def untouched(region) -> bool:
    return region.read() == bytes([FILL]) * region.size


@pytest.fixture
def fresh(region):
    region.fill(FILL)
    return region


def test_a_signed_image_loads_and_reads_back(auth, fresh):
    img = remote(fresh.start)
    err, entry = load(auth, img.data, sign(img.data), fresh)
    assert (err, entry) == (0, fresh.start + 1)
    assert fresh.read(0, 400) == bytes(range(200)) * 2
    assert fresh.read(0x1000, 600) == b"data" * 50 + bytes(400)


def test_counter_at_the_minimum_loads(auth, fresh):
    img = remote(fresh.start)
    assert load(auth, img.data, sign(img.data, counter=7), fresh, minimum=7)[0] == 0


def test_any_of_several_trusted_keys(auth, fresh):
    img = remote(fresh.start)
    assert load(auth, img.data, sign(img.data, key=OTHER), fresh, keys=(KEY, OTHER))[0] == 0


def _flip(data: bytes, off: int) -> bytes:
    return data[:off] + bytes([data[off] ^ 0x01]) + data[off + 1:]


def _signed_size(m: bytes) -> int:
    return struct.unpack_from("<I", m, 8)[0]


def _resign(m: mf.Manifest, key=KEY) -> bytes:
    return mf.encode(m, key)


# Each class: (image bytes, manifest bytes, load keywords) from the region's base, and its code.
def _classes(base: int):
    img = remote(base)
    good = sign(img.data)
    sig_at = _signed_size(good) + 4
    wrong_key = bytearray(sign(img.data, key=OTHER))         # OTHER's signature, KEY's id
    wrong_key[mf.HEADER.size + 4 + 8 + 4:][:8] = mf.decode(good).key_id
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
    s_val = int.from_bytes(good[sig_at + 36:sig_at + 68], "little") + L
    noncanon[sig_at + 36:sig_at + 68] = s_val.to_bytes(32, "little")
    return {
        "manifest-byte": ((img.data, _flip(good, mf.HEADER.size + 4 + 8 + 4 + 8 + 4)), {}, "ESIGNATURE"),
        "segment-byte": ((_flip(img.data, seg1 + 17), good), {}, "EDIGEST"),
        "signature-byte": ((img.data, _flip(good, sig_at + 10)), {}, "ESIGNATURE"),
        "rsc-table-byte": ((_flip(img.data, table_off), good), {}, "EMISMATCH"),
        "wrong-key": ((img.data, bytes(wrong_key)), {}, "ESIGNATURE"),
        "unknown-key": ((img.data, sign(img.data, key=THIRD)), {"keys": (KEY, OTHER)}, "ESIGNATURE"),
        "no-trusted-key": ((img.data, good), {"keys": ()}, "ESIGNATURE"),
        "lower-counter": ((img.data, sign(img.data, counter=4)), {"minimum": 5}, "EROLLBACK"),
        "segment-added": ((added, good), {}, "EMISMATCH"),
        "segment-removed": ((removed, good), {}, "EMISMATCH"),
        "segment-reordered": ((reordered, good), {}, "EMISMATCH"),
        "segment-moved-to-overlap": ((overlapping, good), {}, "EMISMATCH"),
        "signed-overlap": ((over_img, _resign(over_m)), {}, "EOVERLAP"),
        "outside-allowed": ((img.data, good), {"regions": [(base + 0x1000, 0x1000)]}, "EREGION"),
        "entry-changed": ((entry, good), {}, "EMISMATCH"),
        "other-stem": ((img.data, sign(img.data, stem="beta")), {}, "EMISMATCH"),
        "unsigned-field": ((img.data, bytes(injected)), {}, "EMANIFEST"),
        "non-canonical-s": ((img.data, bytes(noncanon)), {}, "ESIGNATURE"),
        "table-removed": ((remote(base, table=None).data, good), {}, "EMISMATCH"),
        "unsigned": ((img.data, None), {}, "EUNSIGNED"),
    }


CLASSES = list(_classes(0x10000000))


@pytest.mark.parametrize("name", CLASSES)
def test_tamper_class_is_refused(auth, fresh, name):
    (image, manifest), kw, code = _classes(fresh.start)[name]
    err, entry = load(auth, image, manifest, fresh, **kw)
    assert (err, auth.strerror(err)) == (E[code], auth.strerror(E[code]))
    assert entry == 0xE0E0                  # not written on a refusal
    if code == "EDIGEST":                   # loaded, read back, erased
        assert fresh.read(0, 400) == bytes(400)
        assert fresh.read(0x1000, 600) == bytes(600)
        assert fresh.read(400, 0x1000 - 400) == bytes([FILL]) * (0x1000 - 400)
    else:                                   # refused before one byte was written
        assert untouched(fresh)


def test_every_tamper_class_has_a_reason(auth):
    codes = {c for _, _, c in _classes(0x10000000).values()}
    assert len(CLASSES) >= 16
    assert len({auth.strerror(E[c]) for c in codes}) == len(codes)
    assert all(auth.strerror(E[c]) != "unknown error" for c in codes)


def test_the_signer_refuses_overlapping_segments(region):
    two = [Segment(region.start, b"x" * 64, memsz=0x200), Segment(region.start + 0x100, b"y" * 8)]
    with pytest.raises(BadInputError, match="overlap"):
        sign(remote(region.start, segments=two).data)


def test_invalid_arguments(auth, fresh):
    img = remote(fresh.start)
    staged = Staged(auth, img.data, sign(img.data))
    entry = ctypes.c_size_t()
    assert auth.lib.remote_fw_load_authenticated(ctypes.byref(staged.img), None, None, 0,
                                                 ctypes.byref(entry)) == E["EINVAL"]
    trust = Trust(None, 1, 0)
    assert auth.lib.remote_fw_load_authenticated(ctypes.byref(staged.img), ctypes.byref(trust), None, 0,
                                                 ctypes.byref(entry)) == E["EINVAL"]
    assert untouched(fresh)


@pytest.mark.parametrize("cut", [0, 8, 16, 40])
def test_truncated_or_garbled_header_is_a_malformed_manifest(auth, fresh, cut):
    img = remote(fresh.start)
    good = bytearray(sign(img.data))
    good[cut] ^= 0xFF
    assert load(auth, img.data, bytes(good), fresh)[0] in (E["EMANIFEST"], E["ESIGNATURE"])
    assert untouched(fresh)
