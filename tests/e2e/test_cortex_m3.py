"""samples/cortex-m3 only (the tests every sample shares are in test_samples.py):
one core, so a damaged remote that the host has started ends the run itself,
with its verdict as the semihosting exit status.
"""

from __future__ import annotations

import pytest

from tests.support.tools import need_tool
from tests.e2e.harness import CORTEX_M3, Sample, boot_with_bad_load

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]


@pytest.fixture
def sample() -> Sample:
    return CORTEX_M3


@pytest.mark.parametrize("damage", ["data", "bss"])
def test_remote_detects_a_bad_load(sample, built, tmp_path, damage):
    """The remote's own checks are real: a remote whose .data initial value was
    changed after linking reports data BAD; one whose PT_LOAD no longer covers
    .bss (so the loader leaves the host's 0xa5 fill there) reports bss BAD, and
    exits with the failed checks' bits."""
    need_tool(sample.qemu)
    b = boot_with_bad_load(sample, built, tmp_path, damage)
    assert b.returncode == {"data": 1, "bss": 2}[damage], b
