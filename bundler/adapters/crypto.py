"""cryptography adapter: RSA public keys from PEM and RSASSA signature checks.

The only module that imports the ``cryptography`` package; its errors become
BadInputError here. Used by :mod:`bundler.fit.signature` for U-Boot FIT
signatures (``sha256,rsa2048`` / ``rsa3072`` / ``rsa4096``, PKCS#1 v1.5 or PSS
with MGF1-SHA256 and any salt length, as U-Boot's verifier accepts).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from bundler.errors import BadInputError
from bundler.records import Record


class RsaPublicKey(Record):
    """An RSA public key: where it came from, its modulus and exponent, and the library's object."""

    label: str
    modulus: int
    exponent: int
    bits: int
    key: object

    def modulus_bytes(self) -> bytes:
        """The modulus, big-endian, bits / 8 bytes: struct remote_fw_rsa_key's `modulus`."""
        return self.modulus.to_bytes((self.bits + 7) // 8, "big")


def load_rsa_public_key(data: bytes, label: str) -> RsaPublicKey:
    """An RSA public key from PEM (``openssl pkey -pubout``, an X.509 certificate, or a private key)."""
    key = None
    try:
        if b"CERTIFICATE" in data:
            from cryptography import x509
            key = x509.load_pem_x509_certificate(data).public_key()
        elif b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise BadInputError(f"not a PEM RSA key ({len(data)} bytes): {str(exc).splitlines()[0]}", file=label,
                            hint="pass the public key as `openssl pkey -in KEY.key -pubout` writes it") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadInputError(f"a {type(key).__name__} key, not RSA ({len(data)} bytes)", file=label,
                            hint="FIT signatures are RSA: pass the public key of the mkimage -k KEYDIR key")
    numbers = key.public_numbers()
    return RsaPublicKey(label, numbers.n, numbers.e, key.key_size, key)


def rsa_verify_sha256(key: RsaPublicKey, signature: bytes, digest: bytes, pss: bool) -> bool:
    """True when ``signature`` is ``key``'s RSASSA signature (PSS or PKCS#1 v1.5) of the SHA-256 ``digest``."""
    pad = (padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO) if pss
           else padding.PKCS1v15())
    try:
        key.key.verify(signature, digest, pad, utils.Prehashed(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True
