"""Fixtures for the host-side kit tests (linker/): the kit built natively and
loaded with ctypes, a fixed memory region to load into, the sanitizer-built
subprocess driver.

Builds happen once per session in a temporary directory. Missing compilers
skip (fail under CI=true) through the shared `need_tool` guard.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest

from tests.kit import kit_native


need_tool = kit_native.need_tool


@pytest.fixture(scope="session")
def kit(tmp_path_factory) -> kit_native.Kit:
    need_tool("gcc", "objcopy", "objdump")
    return kit_native.Kit(kit_native.build_lib(tmp_path_factory.mktemp("kitlib")))


@pytest.fixture(scope="session")
def region() -> kit_native.FixedRegion:
    """1 MiB at a fixed address below 4 GiB, guard pages around it."""
    return kit_native.map_fixed_region()


@pytest.fixture(scope="session")
def driver_exe(tmp_path_factory) -> Path:
    need_tool("gcc")
    return kit_native.build_driver(tmp_path_factory.mktemp("driver"))


@pytest.fixture(scope="session")
def driver_lto_exe(tmp_path_factory) -> Path:
    need_tool("gcc")
    return kit_native.build_driver(tmp_path_factory.mktemp("driver-lto"), sanitize=False, lto=True)


@pytest.fixture
def descs(kit):
    """Writable descriptors alpha, beta, gamma_bin; restored after the test."""
    names = ["alpha", "beta", "gamma_bin"]
    saved = {}
    for n in names:
        d = kit.desc(n)
        kit_native.make_writable(ctypes.addressof(d), ctypes.sizeof(d))
        saved[n] = bytes(ctypes.string_at(ctypes.addressof(d), ctypes.sizeof(d)))
    yield {n: kit.desc(n) for n in names}
    for n, raw in saved.items():
        ctypes.memmove(ctypes.addressof(kit.desc(n)), raw, len(raw))
