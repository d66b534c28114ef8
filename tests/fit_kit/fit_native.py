"""The FIT part of the kit built natively and driven with ctypes.

Reuses tests/kit/kit_native.py (the shared build flags, the fixed region
below 4 GiB between guard pages, the error codes parsed from remote_fw.h).
The kit is built with REMOTE_FW_FIT_ARCH="arm64", as for the bootstrap of
samples/aarch64-linux, so arm64 FITs are accepted on this x86-64 machine.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

from tests.kit import kit_native
from tests.kit.kit_native import CFLAGS, KIT, E, FixedRegion, map_fixed_region, run  # noqa: F401
from tests.support.paths import FIT_SOURCES

FIT_SOURCES = FIT_SOURCES       # the FIT units, with kit_native.SOURCES (tests.support.paths)
ARCH_DEFINE = '-DREMOTE_FW_FIT_ARCH="arm64"'
FILL = 0xA5                      # the region's bytes before each load


def build_lib(out: Path, extra: tuple[str, ...] = ()) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    lib = out / "libfitkit.so"
    run(["gcc", *CFLAGS, "-O2", "-g", "-fPIC", "-shared", ARCH_DEFINE, *extra,
         *kit_native.SOURCES, *FIT_SOURCES, "-o", lib])
    return lib


class Boot(ctypes.Structure):
    _fields_ = [("entry", ctypes.c_size_t), ("fdt", ctypes.c_size_t),
                ("initrd_start", ctypes.c_size_t), ("initrd_end", ctypes.c_size_t)]


class RsaKey(ctypes.Structure):
    """struct remote_fw_rsa_key."""
    _fields_ = [("name", ctypes.c_char_p), ("modulus", ctypes.c_char_p),
                ("num_bits", ctypes.c_uint32), ("exponent", ctypes.c_uint32)]


class FitOpts(ctypes.Structure):
    """struct remote_fw_fit_opts."""
    _fields_ = [("config", ctypes.c_char_p), ("keys", ctypes.POINTER(RsaKey)),
                ("n_keys", ctypes.c_size_t), ("require", ctypes.c_uint)]


def rsa_keys(keys) -> ctypes.Array:
    """(name or None, modulus bytes, exponent) tuples as a struct remote_fw_rsa_key array."""
    return (RsaKey * max(1, len(keys)))(*[
        RsaKey(None if name is None else name.encode(), modulus, len(modulus) * 8, e)
        for name, modulus, e in keys])


class FitKit:
    def __init__(self, path: Path):
        self.lib = lib = ctypes.CDLL(str(path))
        P = ctypes.POINTER
        lib.remote_fw_fit_load.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p,
                                           P(kit_native.Region), ctypes.c_size_t, P(Boot)]
        lib.remote_fw_fit_load_opts.argtypes = [ctypes.c_void_p, ctypes.c_size_t, P(FitOpts),
                                                P(kit_native.Region), ctypes.c_size_t, P(Boot)]
        lib.remote_fw_rsa_verify_sha256.argtypes = [P(RsaKey), ctypes.c_int, ctypes.c_char_p,
                                                    ctypes.c_char_p, ctypes.c_size_t]
        lib.remote_fw_sha256.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
        lib.remote_fw_inflate.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.c_size_t, P(ctypes.c_size_t), P(ctypes.c_size_t)]
        lib.remote_fw_gunzip.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                                         ctypes.c_size_t, P(ctypes.c_size_t)]
        lib.remote_fw_crc32.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.remote_fw_crc32.restype = ctypes.c_uint32
        lib.remote_fw_strerror.argtypes = [ctypes.c_int]
        lib.remote_fw_strerror.restype = ctypes.c_char_p

    def load(self, fit: bytes | int, size: int | None = None, config: str | None = None,
             regions: list[tuple[int, int]] = ()) -> tuple[int, Boot]:
        """remote_fw_fit_load on a private copy of fit (or on an address and size)."""
        if isinstance(fit, int):
            addr, keep = fit, None
        else:
            keep = ctypes.create_string_buffer(bytes(fit), len(fit) + 1)
            addr, size = ctypes.addressof(keep), len(fit)
        arr = (kit_native.Region * max(1, len(regions)))(*[kit_native.Region(s, n) for s, n in regions])
        boot = Boot(0xB0B0, 0xB1B1, 0xB2B2, 0xB3B3)
        rc = self.lib.remote_fw_fit_load(addr, size, None if config is None else config.encode(),
                                         arr, len(regions), ctypes.byref(boot))
        del keep
        return rc, boot

    def load_signed(self, fit: bytes, keys, regions: list[tuple[int, int]], config: str | None = None,
                    require_all: bool = False) -> tuple[int, Boot]:
        """remote_fw_fit_load_opts with keys: (name or None, modulus, exponent) tuples."""
        keep = ctypes.create_string_buffer(bytes(fit), len(fit) + 1)
        karr = rsa_keys(keys)
        opts = FitOpts(None if config is None else config.encode(), karr, len(keys), int(require_all))
        arr = (kit_native.Region * max(1, len(regions)))(*[kit_native.Region(s, n) for s, n in regions])
        boot = Boot(0xB0B0, 0xB1B1, 0xB2B2, 0xB3B3)
        rc = self.lib.remote_fw_fit_load_opts(ctypes.addressof(keep), len(fit), ctypes.byref(opts),
                                              arr, len(regions), ctypes.byref(boot))
        return rc, boot

    def rsa_verify(self, modulus: bytes, exponent: int, pss: bool, digest: bytes, sig: bytes) -> int:
        """remote_fw_rsa_verify_sha256: 0 valid, else the REMOTE_FW_E... code."""
        key = RsaKey(None, modulus, len(modulus) * 8, exponent)
        return self.lib.remote_fw_rsa_verify_sha256(ctypes.byref(key), int(pss), digest, sig, len(sig))

    def sha256(self, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(32)
        self.lib.remote_fw_sha256(data, len(data), out)
        return out.raw

    def crc32(self, data: bytes) -> int:
        return self.lib.remote_fw_crc32(data, len(data))

    def inflate(self, data: bytes, cap: int) -> tuple[int, int, bytes]:
        out = ctypes.create_string_buffer(max(cap, 1))
        used, n = ctypes.c_size_t(0), ctypes.c_size_t(0)
        rc = self.lib.remote_fw_inflate(data, len(data), out, cap, ctypes.byref(used), ctypes.byref(n))
        return rc, used.value, out.raw[:n.value]

    def gunzip(self, data: bytes, cap: int) -> tuple[int, bytes]:
        out = ctypes.create_string_buffer(max(cap, 1))
        n = ctypes.c_size_t(0)
        rc = self.lib.remote_fw_gunzip(data, len(data), out, cap, ctypes.byref(n))
        return rc, out.raw[:n.value]

    def strerror(self, err: int) -> str:
        return self.lib.remote_fw_strerror(err).decode()
