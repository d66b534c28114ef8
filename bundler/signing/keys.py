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
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise BadInputError(f"is not an unencrypted PEM private key ({len(data)} bytes): {_why(exc)}",
                            file=os.fspath(path), size=len(data),
                            hint="make one with 'openssl genpkey -algorithm ed25519 -out KEY.pem'") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInputError(f"holds a {type(key).__name__.lstrip('_')}, not an Ed25519 private key",
                            file=os.fspath(path), size=len(data),
                            hint="make one with 'openssl genpkey -algorithm ed25519 -out KEY.pem'")
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
        except (ValueError, TypeError) as exc:
            raise BadInputError(f"is not a PEM public key ({len(data)} bytes): {_why(exc)}",
                                file=os.fspath(path), size=len(data), hint=hint) from None
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise BadInputError(f"holds a {type(key).__name__.lstrip('_')}, not an Ed25519 public key",
                            file=os.fspath(path), size=len(data), hint=hint)
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _why(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.rstrip(".")
