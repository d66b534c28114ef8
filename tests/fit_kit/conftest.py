"""Fixtures for the FIT kit tests: the kit built natively (once per session)
and a 32 MiB region at a fixed address below 4 GiB, guard pages around it."""

from __future__ import annotations

import pytest

from tests.fit_kit import fit_native

REGION_SIZE = 32 << 20


@pytest.fixture(scope="session")
def fitkit(tmp_path_factory) -> fit_native.FitKit:
    fit_native.kit_native.need_tool("gcc")
    return fit_native.FitKit(fit_native.build_lib(tmp_path_factory.mktemp("fitkit")))


@pytest.fixture(scope="session")
def big_region() -> fit_native.FixedRegion:
    return fit_native.map_fixed_region(REGION_SIZE)


@pytest.fixture
def region(big_region):
    """The region, filled with FILL before the test."""
    big_region.fill(fit_native.FILL)
    return big_region
