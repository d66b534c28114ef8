"""Ed25519 in plain Python integers, for the crypto core's tests: the curve
constants recomputed from their definitions (RFC 8032 5.1), points in affine
coordinates, encodings, and signatures with a chosen nonce and secret scalar,
which is how the adversarial cases are made (small-order and mixed-order keys,
non-canonical encodings). Slow and not constant time: test code only.
"""

from __future__ import annotations

import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int]
IDENTITY: Point = (0, 1)


def inv(x: int) -> int:
    return pow(x, P - 2, P)


def sqrt(a: int) -> int | None:
    x = pow(a, (P + 3) // 8, P)
    if (x * x - a) % P:
        x = x * SQRT_M1 % P
    return x if (x * x - a) % P == 0 else None


def recover_x(y: int, sign: int) -> int | None:
    """RFC 8032 5.1.3 step 2-4, on y taken mod p (so non-canonical y work)."""
    y %= P
    x = sqrt((y * y - 1) * inv(D * y * y + 1) % P)
    if x is None or (x == 0 and sign):
        return None
    return P - x if x & 1 != sign else x


def add(a: Point, b: Point) -> Point:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * inv(1 + t) % P, (y1 * y2 + x1 * x2) * inv(1 - t) % P)


def neg(a: Point) -> Point:
    return ((-a[0]) % P, a[1])


def _add_ext(p, q):
    """Extended coordinates (X, Y, Z, T), the a = -1 unified addition."""
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def mul(k: int, a: Point) -> Point:
    r, q = (0, 1, 1, 0), (a[0], a[1], 1, a[0] * a[1] % P)
    while k:
        if k & 1:
            r = _add_ext(r, q)
        q = _add_ext(q, q)
        k >>= 1
    zi = inv(r[2])
    return (r[0] * zi % P, r[1] * zi % P)


B: Point = (recover_x(4 * inv(5) % P, 0), 4 * inv(5) % P)


def encode(a: Point) -> bytes:
    return (a[1] | (a[0] & 1) << 255).to_bytes(32, "little")


def decode(s: bytes) -> Point | None:
    v = int.from_bytes(s, "little")
    y = v & ((1 << 255) - 1)
    x = recover_x(y, v >> 255)
    return None if x is None else (x, y % P)


def small_order_points() -> list[Point]:
    """The 8 points of order dividing 8."""
    pts = [IDENTITY, (0, P - 1), (SQRT_M1, 0), (P - SQRT_M1, 0)]
    yy = (-1 + sqrt(1 + D)) * inv(D) % P          # d y^4 + 2 y^2 - 1 = 0
    if sqrt(yy) is None:
        yy = (-1 - sqrt(1 + D)) * inv(D) % P
    y = sqrt(yy)
    for yv in (y, P - y):
        for sign in (0, 1):
            pts.append((recover_x(yv, sign), yv))
    assert all(mul(8, q) == IDENTITY for q in pts) and len(set(pts)) == 8
    return pts


def small_order_encodings() -> list[bytes]:
    """Every 32-byte string whose low 255 bits are a y (canonical or not)
    of a small-order point, with either sign bit: what the verifier refuses
    as R and as A."""
    ys = {q[1] for q in small_order_points()}
    out = []
    for y in sorted(ys):
        for v in (y, y + P):
            if v < 2**255:
                for sign in (0, 1):
                    out.append((v | sign << 255).to_bytes(32, "little"))
    return out


def h_scalar(r_enc: bytes, a_enc: bytes, msg: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r_enc + a_enc + msg).digest(), "little") % L


def sign_with(a_scalar: int, a_enc: bytes, msg: bytes, nonce: int) -> bytes:
    """R = [nonce]B, S = nonce + k a mod L: a signature by the key whose
    encoding is a_enc (which need not be [a]B: that is how mixed-order and
    unusual keys are signed for)."""
    r_enc = encode(mul(nonce, B))
    s = (nonce + h_scalar(r_enc, a_enc, msg) * a_scalar) % L
    return r_enc + s.to_bytes(32, "little")


def cofactorless_ok(sig: bytes, a_enc: bytes, msg: bytes) -> bool:
    """The rule the kit implements, in integers (see remote_fw_ed25519.h)."""
    s = int.from_bytes(sig[32:], "little")
    if s >= L:
        return False
    bad = set(small_order_encodings())
    if bytes(sig[:31]) + bytes([sig[31] & 0x7F]) in {e[:31] + bytes([e[31] & 0x7F]) for e in bad}:
        return False
    ya = int.from_bytes(a_enc, "little") & ((1 << 255) - 1)
    if ya >= P or a_enc in bad:
        return False
    a = decode(a_enc)
    if a is None:
        return False
    k = h_scalar(sig[:32], a_enc, msg)
    return encode(add(mul(s, B), neg(mul(k, a)))) == bytes(sig[:32])
