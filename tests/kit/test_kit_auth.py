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
import platform
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from bundler.errors import BadInputError
from bundler.signing import manifest as mf
from bundler.signing.keys import raw_public
from tests.kit.kit_native import CDIR, CFLAGS, E, F_BUNDLED, F_CRC32, SOURCES, Image, Kit, Region, make_writable, run
from tests.support.kit_elf import Segment
from tests.support.paths import AUTH_SOURCES
from tests.support.signed import KEY, OTHER, remote, sign, tamper_classes

F_SIGNED = 0x4
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


CLASSES = list(tamper_classes(0x10000000))


@pytest.mark.parametrize("name", CLASSES)
def test_tamper_class_is_refused(auth, fresh, name):
    (image, manifest), kw, code, _ = tamper_classes(fresh.start)[name]
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
    codes = {c for _, _, c, _ in tamper_classes(0x10000000).values()}
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


def _with_signed_field(good: bytes, field: bytes) -> bytes:
    """good with ``field`` (a whole TLV) appended to its signed part, re-signed by KEY."""
    signed_size = struct.unpack_from("<I", good, 8)[0]
    signed = bytearray(good[:signed_size] + field)
    struct.pack_into("<II", signed, 8, len(signed), len(signed) + 68)
    return bytes(signed) + struct.pack("<HH", 0x80, 64) + KEY.sign(bytes(signed))


@pytest.mark.parametrize("field", [struct.pack("<HH", 8, 4) + b"evil",           # unknown type after SEGMENTs
                                   struct.pack("<HH", 3, 4) + b"\x09\0\0\0",   # a second counter
                                   struct.pack("<HH", 7, 56) + bytes(55)])        # a SEGMENT cut short
def test_signed_but_malformed_fields_are_refused(auth, fresh, field):
    img = remote(fresh.start)
    m = _with_signed_field(sign(img.data), field)
    assert load(auth, img.data, m, fresh)[0] == E["EMANIFEST"]
    assert untouched(fresh)
    with pytest.raises(mf.ManifestError):
        mf.decode(m)


@pytest.mark.parametrize("cut", [0, 8, 16, 40])
def test_truncated_or_garbled_header_is_a_malformed_manifest(auth, fresh, cut):
    img = remote(fresh.start)
    good = bytearray(sign(img.data))
    good[cut] ^= 0xFF
    assert load(auth, img.data, bytes(good), fresh)[0] in (E["EMANIFEST"], E["ESIGNATURE"])
    assert untouched(fresh)


# ---- pre-link: `bundle object --sign`, linked into the library ---------------------

@pytest.fixture(scope="module")
def prelinked(tmp_path_factory, kit, region):
    """libprelink.so: the kit + REMOTE_FW_DECLARE(delta) + the object `bundle object --sign`
    made of a remote signed for the test region, + gamma.o (objcopy, unsigned)."""
    from bundler import api
    from tests.kit.kit_native import GAMMA_BYTES
    out: Path = tmp_path_factory.mktemp("prelink")
    key = out / "key.pem"
    key.write_bytes(KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    api.make_object(remote(region.start).data, out / "delta.o", target="x86_64", name="delta", sign=key,
                    security_counter=5, version="1.0.0")
    (out / "decl.c").write_text('#include "remote_fw.h"\nREMOTE_FW_DECLARE(delta);\nREMOTE_FW_DECLARE(gamma_bin);\n')
    (out / "gamma.bin").write_bytes(GAMMA_BYTES)
    run(["objcopy", "-I", "binary", "-O", "elf64-x86-64", "-B", "i386:x86-64", "gamma.bin", "gamma.o"], cwd=out)
    lib = out / "libprelink.so"
    run(["gcc", *CFLAGS, "-O1", "-fPIC", "-shared", *SOURCES, *AUTH_SOURCES, out / "decl.c", out / "delta.o",
         out / "gamma.o", "-o", lib])
    k = Kit(lib)
    k.lib.remote_fw_load_authenticated.argtypes = [ctypes.POINTER(Image), ctypes.POINTER(Trust),
                                                   ctypes.POINTER(Region), ctypes.c_size_t,
                                                   ctypes.POINTER(ctypes.c_size_t)]
    return k


def _load_found(k: Kit, name: bytes, region) -> int:
    err, img = k.find(name)
    assert err == 0
    key_buf = ctypes.create_string_buffer(raw_public(KEY), 32)
    trust = Trust(ctypes.addressof(key_buf), 1, 5)
    arr = (Region * 1)(Region(region.start, region.size))
    entry = ctypes.c_size_t(0)
    return k.lib.remote_fw_load_authenticated(ctypes.byref(img), ctypes.byref(trust), arr, 1, ctypes.byref(entry))


def test_prelink_signed_object_loads(prelinked, fresh):
    if platform.machine() != "x86_64":
        pytest.skip("the object is made for x86_64")
    assert _load_found(prelinked, b"delta", fresh) == 0
    assert fresh.read(0, 400) == bytes(range(200)) * 2


def test_prelink_objcopy_image_is_unsigned(prelinked, fresh):
    if platform.machine() != "x86_64":
        pytest.skip("the object is made for x86_64")
    assert _load_found(prelinked, b"gamma_bin", fresh) == E["EUNSIGNED"]
    assert untouched(fresh)
