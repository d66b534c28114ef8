"""samples/riscv64-amp only (the tests every sample shares are in test_samples.py;
the order of the two harts' lines is checked on every successful boot there,
by harness.RISCV64): a damaged remote's report word fails the run.
"""

from __future__ import annotations

import pytest

from tests.support.tools import need_tool
from tests.e2e.harness import RISCV64, Sample, boot_with_bad_load

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]


@pytest.fixture
def sample() -> Sample:
    return RISCV64


@pytest.mark.parametrize("damage", ["data", "bss"])
def test_remote_detects_a_bad_load(sample, built, tmp_path, damage):
    """The remote's own checks are real: a remote whose .data initial value was
    changed after linking reports data BAD; one whose PT_LOAD no longer covers
    .bss (so the loader leaves the host's 0xa5 fill there) reports bss BAD. The
    host reads the failure from the report word and fails the run."""
    need_tool(sample.qemu)
    b = boot_with_bad_load(sample, built, tmp_path, damage)
    sample.check_bad_report(b, damage)
    assert b.has("host: error: remote reported a failure"), b
    assert b.returncode == 101, b
