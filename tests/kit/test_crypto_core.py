"""The kit's crypto core, built natively (UBSan) and driven with ctypes:

Every test runs on the core built at -O2 and at -Os (the unrolled and the
rolled field arithmetic of remote_fw_ed25519.c).

- SHA-512 (linker/remote_fw_sha512.c): the FIPS 180-2 / NIST example vectors,
  hashlib on every length around the block boundaries and on random splits
  of the input over update calls; its round constants and initial value
  recomputed from their definition (cube and square roots of primes);
- Ed25519 verification (linker/remote_fw_ed25519.c): RFC 8032 7.1's TEST 1,
  2, 3, 1024 and SHA(abc) vectors (reproduced by `cryptography` from their seeds
  first); its constants (d, 2d, sqrt(-1), the odd multiples of B, y8^2)
  recomputed in integers; and differential against libsodium's
  crypto_sign_verify_detached (the rule it follows exactly) and against
  `cryptography` (OpenSSL) on thousands of random signatures and on
  adversarial ones: every bit of signature, key and message flipped,
  S + L and S >= 2^253, every small-order encoding as R and as A
  (canonical or not, either sign bit), non-canonical keys (y >= p), keys
  that are on no point, mixed-order keys signed so the cofactorless equation
  holds, random bytes.
OpenSSL accepts small-order R and A where libsodium and the kit refuse: on
those classes only, `cryptography` is asserted to accept what the kit
refuses, never the opposite. One toolchain test runs a corpus of every
refusal reason through the Cortex-M3 build in unicorn (bench/bench_auth.py)
and expects the native build's codes.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import re

import pytest

from tests.kit import crypto_native, ed25519_ref as ref
from tests.kit.kit_native import KIT, need_tool
from tests.support.tools import need_library

crypto_ed = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

R = crypto_native.reasons()


@pytest.fixture(scope="module", params=["-O2", "-Os"])
def core(request, tmp_path_factory) -> crypto_native.Crypto:
    """The core at -O2 and at -Os (unrolled and rolled field arithmetic): every test runs on both."""
    need_tool("gcc")
    return crypto_native.Crypto(crypto_native.build(tmp_path_factory.mktemp("crypto"), opt=request.param),
                                request.param)


@pytest.fixture(scope="module")
def sodium() -> crypto_native.Sodium:
    return crypto_native.Sodium(need_library("sodium"))


def openssl_ok(sig: bytes, pk: bytes, msg: bytes) -> bool:
    try:
        key = crypto_ed.Ed25519PublicKey.from_public_bytes(pk)
        key.verify(sig, msg)
        return True
    except (InvalidSignature, ValueError):
        return False


def raw_public(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# ---- SHA-512 ------------------------------------------------------------------

NIST = [
    (b"abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
             "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    (b"", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
    (b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
     b"mnopqrstnopqrstu",
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
    (b"a" * 1_000_000, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                       "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"),
]


@pytest.mark.parametrize("msg,digest", NIST, ids=["abc", "empty", "896-bit", "million-a"])
def test_sha512_nist_vectors(core, msg, digest):
    assert core.sha512(msg).hex() == digest


def test_sha512_every_length_around_the_blocks(core):
    data = os.urandom(600)
    for n in range(len(data)):
        assert core.sha512(data[:n]) == hashlib.sha512(data[:n]).digest(), n


def test_sha512_split_over_updates(core):
    rng = random.Random(512)
    for _ in range(300):
        data = rng.randbytes(rng.randrange(0, 1200))
        cuts = sorted(rng.randrange(0, len(data) + 1) for _ in range(rng.randrange(0, 6)))
        parts = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
        assert core.sha512_parts(parts) == hashlib.sha512(data).digest()


def c_array(source: str, name: str) -> list[int]:
    body = re.search(r"\b" + name + r"(\[\d*\])?\s*=\s*\{(.*?)\};", source, re.S).group(2)
    return [int(v.rstrip("uUlL"), 16) for v in re.findall(r"0x[0-9a-fA-F]+[uUlL]*", body)]


def primes(n: int) -> list[int]:
    out, k = [], 2
    while len(out) < n:
        if all(k % q for q in out if q * q <= k):
            out.append(k)
        k += 1
    return out


def icbrt(n: int) -> int:
    x = 1 << ((n.bit_length() + 2) // 3)
    while True:
        y = (2 * x + n // (x * x)) // 3
        if y >= x:
            return x
        x = y


def test_sha512_constants_from_their_definition():
    src = (KIT / "remote_fw_sha512.c").read_text()
    ps = primes(80)
    assert c_array(src, "sha512_k") == [icbrt(p << 192) & (2**64 - 1) for p in ps]
    assert c_array(src, "sha512_h0") == [math.isqrt(p << 128) & (2**64 - 1) for p in ps[:8]]


# ---- Ed25519: constants and vectors ------------------------------------------------

def limbs(v: int) -> list[int]:
    out = []
    for i in range(10):
        n = 26 - (i & 1)
        out.append(v & ((1 << n) - 1))
        v >>= n
    return out


def test_ed25519_constants_from_their_definition():
    src = (KIT / "remote_fw_ed25519.c").read_text()
    assert c_array(src, "fe_d") == limbs(ref.D)
    assert c_array(src, "fe_d2") == limbs(2 * ref.D % ref.P)
    assert c_array(src, "fe_sqrtm1") == limbs(ref.SQRT_M1)
    y8 = [q[1] for q in ref.small_order_points()][-1]
    assert bytes(c_array(src, "y8_squared")) == (y8 * y8 % ref.P).to_bytes(32, "little")
    table = c_array(src, "base_odd")
    want = []
    for i in range(8):
        x, y = ref.mul(2 * i + 1, ref.B)
        want += limbs((y + x) % ref.P) + limbs((y - x) % ref.P) + limbs(2 * ref.D * x * y % ref.P)
    assert table == want
    order = c_array(src, "group_order")
    assert sum(w << (32 * i) for i, w in enumerate(order)) == ref.L


RFC8032 = [   # (seed, public key, message, signature): RFC 8032 7.1
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
     "d25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
     "387b2eaeb4302aeeb00d291612bb0c00"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc659"
     "4a7c15e9716ed28dc027beceea1ec40a"),
    ("f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1"
     "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
     "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a"
     "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
     "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
     "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
     "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d"
     "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
     "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b"
     "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
     "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
     "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
     "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d"
     "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
     "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
     "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
     "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09"
     "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
     "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161"
     "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
     "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca"
     "c60c905c15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b"
     "5e8fcd4f681e30a6ac00a9704a188a03"),
    ("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     hashlib.sha512(b"abc").hexdigest(),
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e030"
     "3dca179c138ac17ad9bef1177331a704"),
]


@pytest.mark.parametrize("seed,pk,msg,sig", RFC8032, ids=["TEST1", "TEST2", "TEST3", "TEST1024", "SHA(abc)"])
def test_rfc8032_vectors(core, seed, pk, msg, sig):
    key = crypto_ed.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed))
    assert raw_public(key).hex() == pk and key.sign(bytes.fromhex(msg)).hex() == sig
    pk, msg, sig = bytes.fromhex(pk), bytes.fromhex(msg), bytes.fromhex(sig)
    assert core.verify(sig, pk, msg) == 0
    assert core.verify(sig, pk, msg + b"\0") == R["EMISMATCH"]


# ---- Ed25519: differential -------------------------------------------------------

def agree(core, sodium, sig: bytes, pk: bytes, msg: bytes, openssl_may_accept: bool = False) -> int:
    """The kit's verdict equals libsodium's, and OpenSSL's unless the class is
    one where OpenSSL is laxer (then the kit may only be stricter)."""
    got = core.verify(sig, pk, msg)
    assert (got == 0) == sodium.verify(sig, pk, msg), (sig.hex(), pk.hex(), msg.hex(), got)
    o = openssl_ok(sig, pk, msg)
    if openssl_may_accept:
        assert o or got != 0
    else:
        assert (got == 0) == o, (sig.hex(), pk.hex(), msg.hex(), got)
    return got


def test_random_signatures_and_flipped_bits(core, sodium):
    rng = random.Random(25519)
    for i in range(600):
        key = crypto_ed.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        pk = raw_public(key)
        msg = rng.randbytes(rng.randrange(0, 300))
        sig = key.sign(msg)
        assert agree(core, sodium, sig, pk, msg) == 0
        bit = rng.randrange(8 * (64 + 32 + len(msg)))
        blob = bytearray(sig + pk + msg)
        blob[bit // 8] ^= 1 << (bit % 8)
        s2, p2, m2 = bytes(blob[:64]), bytes(blob[64:96]), bytes(blob[96:])
        assert agree(core, sodium, s2, p2, m2, openssl_may_accept=True) != 0
        if i < 2:      # every single bit of the signature and key, for two
            for b in range(8 * 96):
                blob = bytearray(sig + pk)
                blob[b // 8] ^= 1 << (b % 8)
                assert agree(core, sodium, bytes(blob[:64]), bytes(blob[64:]), msg,
                             openssl_may_accept=True) != 0


def test_s_not_below_the_order(core, sodium):
    rng = random.Random(8032)
    for _ in range(200):
        key = crypto_ed.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        pk, msg = raw_public(key), rng.randbytes(40)
        sig = key.sign(msg)
        s = int.from_bytes(sig[32:], "little")
        for bad in (s + ref.L, s + 2 * ref.L, ref.L, rng.randrange(ref.L, 2**256)):
            if bad < 2**256:
                forged = sig[:32] + bad.to_bytes(32, "little")
                assert agree(core, sodium, forged, pk, msg) == R["ES"]


def test_small_order_r_and_a_refused(core, sodium):
    rng = random.Random(8)
    key = crypto_ed.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
    pk = raw_public(key)
    encs = ref.small_order_encodings()
    assert len(encs) == 14
    for enc in encs:
        msg = rng.randbytes(16)
        sig = key.sign(msg)
        # R of small order, S anything below L
        assert agree(core, sodium, enc + sig[32:], pk, msg, openssl_may_accept=True) == R["ESMALLR"]
        # A of small order: with S = 0 and R = [-k]A-free forgeries the
        # cofactorless equation can even hold ([0]B - [k]A = R for R = -[k]A)
        a = ref.decode(enc)
        for s in (0, rng.randrange(ref.L)):
            if a is None:
                r_enc = sig[:32]
            else:
                # choose R so that the equation holds for k of (R, A, M): try
                # R among small-order points until [S]B - [k]A = R (S = 0).
                r_enc = sig[:32]
                for cand in ref.small_order_points():
                    c_enc = ref.encode(cand)
                    k = ref.h_scalar(c_enc, enc, msg)
                    if s == 0 and ref.neg(ref.mul(k, a)) == cand:
                        r_enc = c_enc
                        break
            forged = r_enc + s.to_bytes(32, "little")
            got = agree(core, sodium, forged, enc, msg, openssl_may_accept=True)
            assert got in (R["ESMALLA"], R["ESMALLR"], R["EKEY"]), got


def test_non_canonical_and_off_curve_keys(core, sodium):
    rng = random.Random(19)
    msg = b"firmware"
    sig = crypto_ed.Ed25519PrivateKey.from_private_bytes(bytes(32)).sign(msg)
    # y >= p: every 255-bit value p..2^255-1, with both sign bits
    for y in range(ref.P, 2**255):
        for sign in (0, 1):
            pk = (y | sign << 255).to_bytes(32, "little")
            got = agree(core, sodium, sig, pk, msg, openssl_may_accept=True)
            assert got in (R["EKEY"], R["ESMALLA"])
    # a y that is no point's: refused as a key
    off = 0
    while off < 50:
        y = rng.randrange(ref.P)
        if ref.recover_x(y, 0) is None:
            off += 1
            pk = y.to_bytes(32, "little")
            assert agree(core, sodium, sig, pk, msg) == R["EKEY"]


def test_mixed_order_key_follows_the_cofactorless_equation(core, sodium):
    """A = [a]B + T (T of order 8): a signature whose k is a multiple of 8
    satisfies the cofactorless equation and is accepted (as by libsodium);
    one whose k is not is refused."""
    rng = random.Random(88)
    torsion = [q for q in ref.small_order_points() if ref.mul(4, q) != ref.IDENTITY]
    accepted = refused = 0
    for _ in range(6):
        a = rng.randrange(1, ref.L)
        a_enc = ref.encode(ref.add(ref.mul(a, ref.B), rng.choice(torsion)))
        msg = rng.randbytes(24)
        for _ in range(40):
            nonce = rng.randrange(1, ref.L)
            sig = ref.sign_with(a, a_enc, msg, nonce)
            k = ref.h_scalar(sig[:32], a_enc, msg)
            want = ref.cofactorless_ok(sig, a_enc, msg)
            assert want == (k % 8 == 0)
            got = agree(core, sodium, sig, a_enc, msg, openssl_may_accept=True)
            assert (got == 0) == want
            if want:
                accepted += 1
                break
            refused += 1
    assert accepted >= 1 and refused >= 1


def test_r_not_canonical_never_passes(core, sodium):
    """R with y >= p, or x = 0 encoded with the sign bit: the computed R is
    always canonical, so the byte comparison refuses them."""
    key = crypto_ed.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    pk = raw_public(key)
    msg = b"r"
    sig = key.sign(msg)
    for y in range(ref.P, 2**255):
        for sign in (0, 1):
            r = (y | sign << 255).to_bytes(32, "little")
            assert agree(core, sodium, r + sig[32:], pk, msg, openssl_may_accept=True) != 0


def test_random_bytes(core, sodium):
    rng = random.Random(1)
    for _ in range(2000):
        sig, pk, msg = rng.randbytes(64), rng.randbytes(32), rng.randbytes(rng.randrange(64))
        if rng.random() < 0.5:      # S below L, so the other rules are what refuses
            sig = sig[:32] + (int.from_bytes(sig[32:], "little") % ref.L).to_bytes(32, "little")
        assert agree(core, sodium, sig, pk, msg, openssl_may_accept=True) != 0


def test_equation_against_the_integer_model(core):
    """Signatures with random nonces and scalars made in integers (not by a
    library): the kit accepts exactly those the model accepts."""
    rng = random.Random(3)
    for _ in range(40):
        a = rng.randrange(1, ref.L)
        a_enc = ref.encode(ref.mul(a, ref.B))
        msg = rng.randbytes(10)
        sig = ref.sign_with(a, a_enc, msg, rng.randrange(1, ref.L))
        assert core.verify(sig, a_enc, msg) == 0 and ref.cofactorless_ok(sig, a_enc, msg)
        bad = sig[:32] + ((int.from_bytes(sig[32:], "little") + 1) % ref.L).to_bytes(32, "little")
        assert core.verify(bad, a_enc, msg) == R["EMISMATCH"] and not ref.cofactorless_ok(bad, a_enc, msg)


@pytest.mark.toolchain
def test_cortex_m3_gives_the_same_verdicts(core, tmp_path, need):
    """The 32-bit target build (Cortex-M3 at the native build's -O2 or -Os, in
    unicorn) refuses each adversarial class with the same reason as the native build."""
    need("arm-none-eabi-gcc")
    from bench import bench_auth

    rng = random.Random(33)
    cases = []
    for _ in range(8):
        key = crypto_ed.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        pk, msg = raw_public(key), rng.randbytes(rng.randrange(0, 200))
        sig = key.sign(msg)
        s = int.from_bytes(sig[32:], "little")
        flipped = bytearray(sig)
        flipped[rng.randrange(64)] ^= 1 << rng.randrange(8)
        cases += [(sig, pk, msg), (bytes(flipped), pk, msg), (sig, pk, msg + b"x"),
                  (sig[:32] + (s + ref.L).to_bytes(32, "little"), pk, msg)]
    encs = ref.small_order_encodings()
    cases += [(e + cases[0][0][32:], cases[0][1], cases[0][2]) for e in encs[::3]]
    cases += [(cases[0][0], e, cases[0][2]) for e in encs[1::3]]
    cases += [(cases[0][0], (ref.P + 2).to_bytes(32, "little"), cases[0][2])]
    while True:      # a y that is no point's
        y = rng.randrange(ref.P)
        if ref.recover_x(y, 0) is None:
            cases.append((cases[0][0], y.to_bytes(32, "little"), cases[0][2]))
            break
    torsion = [q for q in ref.small_order_points() if ref.mul(4, q) != ref.IDENTITY]
    a = rng.randrange(1, ref.L)
    a_enc = ref.encode(ref.add(ref.mul(a, ref.B), torsion[0]))
    for _ in range(64):
        sig = ref.sign_with(a, a_enc, b"m", rng.randrange(1, ref.L))
        if ref.cofactorless_ok(sig, a_enc, b"m"):
            cases.append((sig, a_enc, b"m"))        # mixed-order key, accepted
            break
    native = [core.verify(*c) for c in cases]
    assert 0 in native and set(R.values()) <= set(native), native
    assert bench_auth.verdicts_on_cortex_m3(tmp_path, cases, core.opt) == native
