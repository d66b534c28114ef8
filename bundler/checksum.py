"""CRC-32 (zlib's, the one the kit checks) of any buffer, large ones streamed.

One place for the checksum the post-link bundle records and verify checks:
a mapped input is summed window by window (bundler.fileio.iter_windows, so
its pages do not stay resident), and a large buffer by zlib-ng's crc32 where
it is installed (a dependency: about eight times zlib's speed, measured on a
64 MiB payload; the same value), else by zlib's.
"""

from __future__ import annotations

import zlib

from bundler.fileio import iter_windows

LARGE = 1 << 20             # below this, zlib's own start-up is cheaper than importing zlib-ng


def crc32(data) -> int:
    """The CRC-32 of ``data`` (bytes, bytearray, memoryview or a map), as zlib.crc32 & 0xFFFFFFFF."""
    update = _fast_crc32() if len(data) >= LARGE else zlib.crc32
    crc = 0
    for window in iter_windows(data):
        crc = update(window, crc)
    return crc & 0xFFFFFFFF


def _fast_crc32():
    try:
        from zlib_ng import zlib_ng
    except ImportError:         # a source install without the wheel: zlib, the same value
        return zlib.crc32
    return zlib_ng.crc32
