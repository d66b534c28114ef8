"""The kit's RSA verification (remote_fw_rsa.c) against `cryptography`, on
random keys (2048, 3072, 4096 bits; e = 65537 and 3), messages and
signatures: valid PKCS#1 v1.5 and PSS signatures (salt 0, 32 and the
largest) are accepted by both; random, flipped, out-of-range and
hand-made malformed encodings (each padding rule broken once, raised to
the private exponent so only the padding is wrong) are refused by both.
The verdicts must agree on every input.
"""

from __future__ import annotations

import hashlib
import random

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fit_kit.fit_native import E

pytestmark = pytest.mark.toolchain

DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
KEYS = [(2048, 65537), (2048, 65537), (2048, 3), (3072, 65537), (4096, 65537)]


@pytest.fixture(scope="module")
def rsa_keys():
    return [rsa.generate_private_key(public_exponent=e, key_size=bits) for bits, e in KEYS]


def modulus(key) -> bytes:
    return key.public_key().public_numbers().n.to_bytes(key.key_size // 8, "big")


def lib_ok(key, pss: bool, digest: bytes, sig: bytes) -> bool:
    try:
        key.public_key().verify(sig, digest, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO)
                                if pss else padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def kit_rc(fitkit, key, pss: bool, digest: bytes, sig: bytes) -> int:
    return fitkit.rsa_verify(modulus(key), key.public_key().public_numbers().e, pss, digest, sig)


def agree(fitkit, key, pss, digest, sig) -> bool:
    """Both verdicts; asserts they agree and the kit's refusal code is EFITSIG (or EFITSIGALGO on size)."""
    rc = kit_rc(fitkit, key, pss, digest, sig)
    ok = lib_ok(key, pss, digest, sig)
    assert (rc == 0) == ok, (rc, ok, key.key_size, pss, sig.hex()[:32])
    if rc:
        assert rc == (E["EFITSIGALGO"] if len(sig) != key.key_size // 8 else E["EFITSIG"])
    return ok


def raw_sign(key, em: bytes) -> bytes:
    """em ** d mod n: a signature whose public operation gives exactly em."""
    pn = key.private_numbers()
    k = key.key_size // 8
    return pow(int.from_bytes(em, "big"), pn.d, pn.public_numbers.n).to_bytes(k, "big")


def mgf1(seed: bytes, n: int) -> bytes:
    out = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range((n + 31) // 32))
    return out[:n]


def pss_em(k: int, digest: bytes, salt: bytes, *, trailer=0xBC, top=False, sep=0x01, h_fix=None) -> bytes:
    db_len = k - 33
    h = hashlib.sha256(bytes(8) + digest + salt).digest() if h_fix is None else h_fix
    db = bytes(db_len - len(salt) - 1) + bytes([sep]) + salt
    masked = bytearray(a ^ b for a, b in zip(db, mgf1(h, db_len)))
    masked[0] = (masked[0] & 0x7F) | (0x80 if top else 0)
    return bytes(masked) + h + bytes([trailer])


def pkcs1_em(k: int, digest: bytes, *, lead=b"\x00\x01", fill=0xFF, sep=0x00, info=DIGEST_INFO) -> bytes:
    t = info + digest
    return lead + bytes([fill]) * (k - len(t) - 3) + bytes([sep]) + t


def test_valid_signatures_accepted(fitkit, rsa_keys):
    rnd = random.Random(19)
    for key in rsa_keys:
        k = key.key_size // 8
        for _ in range(3):
            msg = rnd.randbytes(rnd.randrange(0, 300))
            digest = hashlib.sha256(msg).digest()
            sig = key.sign(msg, padding.PKCS1v15(), hashes.SHA256())
            assert agree(fitkit, key, False, digest, sig)
            for salt in (0, 32, k - 34):
                sig = key.sign(msg, padding.PSS(padding.MGF1(hashes.SHA256()), salt), hashes.SHA256())
                assert agree(fitkit, key, True, digest, sig)
                assert not agree(fitkit, key, False, digest, sig)       # the other padding refuses it


def test_malformed_encodings_refused(fitkit, rsa_keys):
    rnd = random.Random(20)
    for key in rsa_keys:
        k = key.key_size // 8
        n = key.public_key().public_numbers().n
        digest = hashlib.sha256(rnd.randbytes(40)).digest()
        salt = rnd.randbytes(32)
        assert agree(fitkit, key, False, digest, raw_sign(key, pkcs1_em(k, digest)))   # the raw path is right
        assert agree(fitkit, key, True, digest, raw_sign(key, pss_em(k, digest, salt)))
        bad_pkcs1 = [pkcs1_em(k, digest, lead=b"\x00\x02"), pkcs1_em(k, digest, lead=b"\x01\x01"),
                     pkcs1_em(k, digest, fill=0xFE), pkcs1_em(k, digest, sep=0x01),
                     pkcs1_em(k, digest, info=bytes.fromhex("302f300b0609608648016503040201" "0420")),
                     pkcs1_em(k, bytes(32)),
                     pkcs1_em(k, digest)[:-1] + bytes([digest[-1] ^ 1])]
        bad_pss = [pss_em(k, digest, salt, trailer=0xBD), pss_em(k, digest, salt, top=True),
                   pss_em(k, digest, salt, sep=0x02), pss_em(k, digest, salt, h_fix=bytes(32)),
                   pss_em(k, bytes(32), salt)]
        for em in bad_pkcs1:
            assert not agree(fitkit, key, False, digest, raw_sign(key, em))
        for em in bad_pss:
            assert not agree(fitkit, key, True, digest, raw_sign(key, em))
        for pss in (False, True):
            for sig in (n.to_bytes(k, "big"), (n + 1).to_bytes(k, "big"), b"\xff" * k, bytes(k),
                        (1).to_bytes(k, "big"), rnd.randbytes(k), rnd.randbytes(k - 1), rnd.randbytes(k + 1)):
                assert not agree(fitkit, key, pss, digest, sig)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_mutations_agree(fitkit, rsa_keys, data):
    key = rsa_keys[data.draw(st.integers(0, len(rsa_keys) - 1))]
    pss = data.draw(st.booleans())
    msg = data.draw(st.binary(max_size=64))
    digest = hashlib.sha256(msg).digest()
    pad = padding.PSS(padding.MGF1(hashes.SHA256()), 32) if pss else padding.PKCS1v15()
    sig = bytearray(key.sign(msg, pad, hashes.SHA256()))
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(sig) - 1))
        sig[at] ^= data.draw(st.integers(1, 255))
    if data.draw(st.booleans()):
        digest = bytes([digest[0] ^ 1]) + digest[1:]
    agree(fitkit, key, pss, digest, bytes(sig))
