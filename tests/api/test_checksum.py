"""bundler.checksum.crc32 is zlib's CRC-32 for every size and buffer kind, with zlib-ng and without."""

from __future__ import annotations

import builtins
import os
import zlib

import pytest

from bundler import checksum, fileio


@pytest.mark.parametrize("size", [0, 1, 4095, checksum.LARGE - 1, checksum.LARGE, 3 * fileio.WINDOW + 17])
@pytest.mark.parametrize("zlib_ng", [True, False], ids=["zlib-ng", "zlib"])
def test_crc32_is_zlibs(tmp_path, monkeypatch, size, zlib_ng):
    if not zlib_ng:
        real_import = builtins.__import__

        def no_zlib_ng(name, *args, **kwargs):
            if name.startswith("zlib_ng"):
                raise ImportError(name)
            return real_import(name, *args, **kwargs)
        monkeypatch.setattr(builtins, "__import__", no_zlib_ng)
    data = os.urandom(size)
    path = tmp_path / "blob"
    path.write_bytes(data)
    mapped = fileio.read_input(path, allow_mmap=True)
    expected = zlib.crc32(data) & 0xFFFFFFFF
    for buf in (data, bytearray(data), memoryview(data), mapped):
        assert checksum.crc32(buf) == expected


def test_zlib_ng_is_what_large_buffers_use():
    from zlib_ng import zlib_ng
    assert checksum._fast_crc32() is zlib_ng.crc32
