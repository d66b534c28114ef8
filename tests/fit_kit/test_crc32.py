"""remote_fw_crc32: the default (a word a step from three tables indexed by 11,
11 and 10 bits) and the REMOTE_FW_CRC32_SMALL nibble table both equal
zlib.crc32 at every length and alignment; linker/remote_fw_crc32_tables.h is
what scripts/crc32_tables.py prints."""

from __future__ import annotations

import ctypes
import subprocess
import sys
import zlib

import pytest

from tests.fit_kit import fit_build as fb
from tests.fit_kit import fit_native
from tests.kit import kit_native

CRC32_SOURCE = kit_native.KIT / "remote_fw_crc32.c"     # the unit stands alone


@pytest.fixture(scope="module", params=["wide", "small"])
def crc32(request, tmp_path_factory):
    kit_native.need_tool("gcc")
    out = tmp_path_factory.mktemp(f"crc-{request.param}")
    lib = out / "libcrc.so"
    extra = ["-DREMOTE_FW_CRC32_SMALL"] if request.param == "small" else []
    kit_native.run(["gcc", *fit_native.CFLAGS, "-O2", "-fPIC", "-shared", *extra,
                    CRC32_SOURCE, "-o", lib])
    fn = ctypes.CDLL(str(lib)).remote_fw_crc32
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    fn.restype = ctypes.c_uint32
    return fn


def test_every_length_and_alignment(crc32):
    data = fb.payload(300, 42)
    buf = ctypes.create_string_buffer(data, len(data) + 16)
    base = ctypes.addressof(buf)
    for skew in range(8):
        for n in list(range(0, 40)) + [63, 64, 65, 255, 256, 257, 300 - 8]:
            assert crc32(base + skew, n) == zlib.crc32(data[skew:skew + n]), (skew, n)


def test_large_and_null(crc32):
    data = fb.payload(1 << 20, 3)
    assert crc32(data, len(data)) == zlib.crc32(data)
    assert crc32(None, 100) == 0


def test_tables_are_the_generated_ones():
    header = kit_native.KIT / "remote_fw_crc32_tables.h"
    script = kit_native.ROOT / "scripts" / "crc32_tables.py"
    printed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             check=True).stdout
    assert header.read_text() == printed
