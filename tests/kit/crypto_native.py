"""The kit's crypto core (linker/remote_fw_sha512.c, remote_fw_ed25519.c) built
natively as a shared library and driven with ctypes; libsodium loaded the
same way, as the reference the verifier must agree with.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

from tests.kit.kit_native import CFLAGS, KIT, run

SOURCES = [KIT / "remote_fw_sha512.c", KIT / "remote_fw_ed25519.c"]
HEADER = KIT / "remote_fw_ed25519.h"


def reasons() -> dict[str, int]:
    """{"ES": 1, ...}: the refusal reasons, from remote_fw_ed25519.h itself."""
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r"#define REMOTE_FW_ED25519_(E[A-Z]+)\s+(\d+)", HEADER.read_text())}


def build(out: Path, sanitize: bool = True, opt: str = "-O2") -> Path:
    """libcrypto_core.so at opt, with UBSan (every shift and overflow the
    field arithmetic does is then checked on every test input). -Os builds
    the other code paths (remote_fw_ed25519.c's rolled field arithmetic)."""
    out.mkdir(parents=True, exist_ok=True)
    lib = out / "libcrypto_core.so"
    flags = [opt, "-g", "-fPIC", "-shared"]
    if sanitize:
        flags += ["-fsanitize=undefined", "-fno-sanitize-recover=all"]
    run(["gcc", *CFLAGS, *flags, *SOURCES, "-o", lib])
    return lib


class Crypto:
    def __init__(self, path: Path, opt: str = "-O2"):
        self.opt = opt
        self.lib = lib = ctypes.CDLL(str(path))
        lib.remote_fw_sha512.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
        lib.remote_fw_sha512_init.argtypes = [ctypes.c_void_p]
        lib.remote_fw_sha512_update.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.remote_fw_sha512_final.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.remote_fw_ed25519_verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                                 ctypes.c_size_t]

    def sha512(self, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(64)
        self.lib.remote_fw_sha512(data, len(data), out)
        return out.raw

    def sha512_parts(self, parts: list[bytes]) -> bytes:
        ctx = ctypes.create_string_buffer(256)          # struct remote_fw_sha512 is 200 bytes
        out = ctypes.create_string_buffer(64)
        self.lib.remote_fw_sha512_init(ctx)
        for part in parts:
            self.lib.remote_fw_sha512_update(ctx, part, len(part))
        self.lib.remote_fw_sha512_final(ctx, out)
        return out.raw

    def verify(self, sig: bytes, pk: bytes, msg: bytes) -> int:
        """0, or the REMOTE_FW_ED25519_E* reason."""
        assert len(sig) == 64 and len(pk) == 32
        return self.lib.remote_fw_ed25519_verify(sig, pk, msg, len(msg))


class Sodium:
    """libsodium's crypto_sign_verify_detached (0 = valid)."""

    def __init__(self, path: str):
        self.lib = lib = ctypes.CDLL(path)
        assert lib.sodium_init() >= 0
        lib.crypto_sign_verify_detached.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                                    ctypes.c_ulonglong, ctypes.c_char_p]
        lib.sodium_version_string.restype = ctypes.c_char_p
        self.version = lib.sodium_version_string().decode()

    def verify(self, sig: bytes, pk: bytes, msg: bytes) -> bool:
        return self.lib.crypto_sign_verify_detached(sig, msg, len(msg), pk) == 0
