"""Ed25519 keys for signing: read the PEM files ``openssl genpkey -algorithm
ed25519`` (private) and ``openssl pkey -pubout`` (public) write, and the key id
a manifest names its signer by. Any other file is a BadInputError (exit 3).
"""

from __future__ import annotations

import hashlib
import os

from bundler.errors import BadInputError

KEY_ID_SIZE = 8             # the first bytes of SHA-256(raw public key)


def key_id(public: bytes) -> bytes:
    """The id of a raw 32-byte public key: SHA-256 of it, first KEY_ID_SIZE bytes."""
    return hashlib.sha256(public).digest()[:KEY_ID_SIZE]


def _read(path, what: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise BadInputError(f"cannot read {what} ({exc.strerror})", file=os.fspath(path),
                            hint=f"pass the {what} file") from None


def load_private(path):
    """The Ed25519 private key in a PEM file, as a ``cryptography`` key object."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    data = _read(path, "signing key")
    hint = "make one with 'openssl genpkey -algorithm ed25519 -out KEY.pem'"
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        what = "a public key, not the private key signing needs" if b"PUBLIC KEY-----" in data else \
            "an encrypted private key (signing takes an unencrypted one)" if b"ENCRYPTED" in data or \
            "password" in str(exc).lower() else "no PEM private key"
        raise BadInputError(f"is {what} ({len(data)} bytes)", file=os.fspath(path), size=len(data),
                            hint=hint) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInputError(f"holds {_kind(key)} key, not an Ed25519 private key",
                            file=os.fspath(path), size=len(data),
                            hint=hint)
    return key


def raw_public(private) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_public(path) -> bytes:
    """The raw 32 bytes of the Ed25519 public key in a PEM file (a private key file works too)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    data = _read(path, "public key")
    hint = "export it with 'openssl pkey -in KEY.pem -pubout -out PUB.pem'"
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise BadInputError(f"is no PEM public key ({len(data)} bytes)",
                                file=os.fspath(path), size=len(data), hint=hint) from None
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise BadInputError(f"holds {_kind(key)} key, not an Ed25519 public key",
                            file=os.fspath(path), size=len(data), hint=hint)
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _kind(key) -> str:
    """"an RSA", "an EC", "an Ed448"...: the kind of a key that is not Ed25519."""
    name = type(key).__name__.lstrip("_")
    for kind in ("RSA", "EllipticCurve", "Ed448", "X25519", "X448", "DSA", "DH"):
        if name.startswith(kind) or kind in name:
            kind = "EC" if kind == "EllipticCurve" else kind
            return f"{'an' if kind[0] in 'AEIORX' else 'a'} {kind}"
    return f"a {name}"
