"""`bundle verify` and the kit agree on FITs: bundler.checks.fit reports an error exactly when
the kit's remote_fw_fit_load (built natively, driven with ctypes, into a fixed region) refuses
the FIT, on mkimage-built FITs (every data layout, both compressions) and on thousands of
corrupted copies of them.

The only differences allowed are where verify is deliberately stricter than the kit about
the device tree itself (STRICTER below: duplicate property names, '/' in a node name, an
unterminated memory reservation map, overlapping blocks), each a fit-corrupt finding.

Runs once the kit's FIT part (linker/remote_fw_fit.c, issue 13) is in the tree; skips
before that, saying so.
"""

from __future__ import annotations

import ctypes
import mmap
import struct
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.checks.fit import check_fit
from bundler.elf import spec
from bundler.remoteproc.memory import MemoryRange
from tests.support.fit import LAYOUTS, arm64_image, build_fit, sample_spec, tiny_dtb
from tests.support.paths import FIT_SOURCES, KIT_SOURCES, ROOT
from tests.support.tools import in_ci, need_tool

pytestmark = pytest.mark.toolchain
KIT = ROOT / "linker"
FIT_SOURCE = KIT / "remote_fw_fit.c"
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{KIT}"]
REGION_SIZE = 16 << 20
STRICTER = ("appears twice", "has the invalid name", "has no (0, 0) terminator", ") overlaps the ")


class Region(ctypes.Structure):             # struct remote_fw_region
    _fields_ = [("start", ctypes.c_size_t), ("size", ctypes.c_size_t)]


class Boot(ctypes.Structure):
    _fields_ = [("entry", ctypes.c_size_t), ("fdt", ctypes.c_size_t),
                ("initrd_start", ctypes.c_size_t), ("initrd_end", ctypes.c_size_t)]


def map_fixed_region(size: int) -> int:
    """``size`` read-write bytes at a fixed address below 4 GiB (where the FITs load), between two
    PROT_NONE guard pages; its address."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    page, noreplace = mmap.PAGESIZE, 0x100000               # MAP_FIXED_NOREPLACE
    for base in range(0x20000000, 0xF0000000, 0x10000000):
        got = libc.mmap(base - page, size + 2 * page, 0, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | noreplace, -1, 0)
        if got == base - page:
            if libc.mprotect(base, size, mmap.PROT_READ | mmap.PROT_WRITE) != 0:
                raise OSError(ctypes.get_errno(), "mprotect")
            return base
    raise OSError("no free fixed address below 4 GiB for the test region")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    if not FIT_SOURCE.is_file():
        pytest.skip("linker/remote_fw_fit.c (the kit's FIT part, issue 13) is not in this tree yet")
    need_tool("gcc", "mkimage", "dtc")
    lib = tmp_path_factory.mktemp("fitkit") / "libfitkit.so"
    subprocess.run(["gcc", *CFLAGS, "-O2", "-fPIC", "-shared", '-DREMOTE_FW_FIT_ARCH="arm64"',
                    *map(str, KIT_SOURCES + FIT_SOURCES), "-o", str(lib)], check=True, capture_output=True)
    so = ctypes.CDLL(str(lib))
    so.remote_fw_fit_load.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p,
                                      ctypes.POINTER(Region), ctypes.c_size_t, ctypes.POINTER(Boot)]
    return so, map_fixed_region(REGION_SIZE)


def kit_rc(kit, data: bytes) -> int:
    so, base = kit
    buf = ctypes.create_string_buffer(data, len(data) + 1)
    regions = (Region * 1)(Region(base, REGION_SIZE))
    boot = Boot()
    return so.remote_fw_fit_load(ctypes.addressof(buf), len(data), None, regions, 1, ctypes.byref(boot))


@pytest.fixture(scope="module")
def seeds(kit, tmp_path_factory):
    """The sample's FIT (kernel, fdt with /chosen initrd properties, ramdisk), loaded in the region."""
    base = kit[1]
    cache = tmp_path_factory.mktemp("agree")
    out = []
    for layout in sorted(LAYOUTS):
        for comp in ("none", "gzip"):
            s = sample_spec(layout, kernel=arm64_image(30000, seed=7), compression=comp,
                            load=base + 0x200000, entry=base + 0x200000)
            s.images[1].load, s.images[2].load = base + 0x800000, base + 0x900000
            out.append(build_fit(s, cache).read_bytes())
    return out


def python_errors(kit, data: bytes) -> list:
    found = check_fit(data, memory=[MemoryRange(kit[1], REGION_SIZE)], machine=spec.EM_AARCH64)
    return [f for f in found if f.severity == "error"]


def agree(kit, data: bytes) -> None:
    rc, errors = kit_rc(kit, data), python_errors(kit, data)
    if rc == 0 and errors and all(f.code == "fit-corrupt" and any(s in f.message for s in STRICTER)
                                  for f in errors):
        return                                  # verify is stricter about the tree, on purpose
    assert (rc == 0) == (not errors), f"kit rc {rc}, verify errors {[str(f) for f in errors]}"


def test_seeds_accepted_by_both(kit, seeds):
    for data in seeds:
        assert kit_rc(kit, data) == 0 and python_errors(kit, data) == []


@settings(max_examples=300 if in_ci() else 1500, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_fits_judged_alike(kit, seeds, data):
    fit = bytearray(data.draw(st.sampled_from(seeds)))
    totalsize = struct.unpack_from(">I", fit, 4)[0]
    how = data.draw(st.sampled_from(["word", "byte", "bit", "cut"]))
    if how == "word":
        at = data.draw(st.integers(0, totalsize // 4 - 1)) * 4
        word = data.draw(st.one_of(st.integers(0, 64), st.integers(0, 2**32 - 1),
                                   st.sampled_from([totalsize, len(fit), 0x7FFFFFFF, 0xFFFFFFFF])))
        struct.pack_into(">I", fit, at, word)
    elif how == "byte":
        fit[data.draw(st.integers(0, totalsize - 1))] = data.draw(st.integers(0, 255))
    elif how == "bit":
        at = data.draw(st.integers(0, len(fit) - 1))       # anywhere, image data included
        fit[at] ^= 1 << data.draw(st.integers(0, 7))
    else:
        del fit[data.draw(st.integers(0, len(fit) - 1)):]
    agree(kit, bytes(fit))


@pytest.mark.parametrize("case", ["load outside", "overlap", "no room", "no hash", "misaligned kernel"])
def test_refusals_judged_alike(kit, tmp_path, case):
    base = kit[1]
    s = sample_spec("E", kernel=arm64_image(30000, seed=7), load=base + 0x200000, entry=base + 0x200000)
    s.images[1].load, s.images[2].load = base + 0x800000, base + 0x900000
    if case == "load outside":
        s.images[2].load = base + REGION_SIZE - 0x100
    elif case == "overlap":
        s.images[2].load = base + 0x200100
    elif case == "no room":
        s.images[1].data = tiny_dtb(initrd_props=False)
    elif case == "no hash":
        s.images[2].hashes = ()
    else:
        s.images[0].load = s.images[0].entry = base + 0x280000
    data = build_fit(s, tmp_path).read_bytes()
    assert kit_rc(kit, data) != 0 and python_errors(kit, data)
