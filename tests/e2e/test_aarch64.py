"""samples/aarch64-amp only (the tests every sample shares are in test_samples.py).

The host on CPU 0 loads the remote and starts CPU 1 at its entry with PSCI
CPU_ON; the remote prints on the PL011 UART and reports through shared memory;
the host reads the report, sees CPU 1 turn itself off (AFFINITY_INFO) and ends
QEMU with PSCI SYSTEM_OFF. QEMU exits 0 on SYSTEM_OFF whatever the host found,
so every verdict here is read from the UART output.
"""

from __future__ import annotations

import pytest

from tests.support.tools import need_tool
from tests.e2e.conftest import bundle
from tests.e2e.harness import AARCH64, Sample, boot_with_bad_load

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]


@pytest.fixture
def sample() -> Sample:
    return AARCH64


def test_smc_conduit_at_el2(sample, built, tmp_path):
    """virtualization=on: the host starts at EL2, QEMU's device tree says
    "smc", and the host follows it (CPU 1 starts at EL2 too)."""
    need_tool(sample.qemu)
    combined = bundle(built / "host.elf", built / "remote.elf", tmp_path / "combined.elf")
    sample.check_run(sample.boot(combined, "virt,virtualization=on"), combined, built / "remote.elf",
                     el=2, conduit="smc")


@pytest.mark.parametrize("damage", ["data", "bss"])
def test_remote_detects_a_bad_load(sample, built, tmp_path, damage):
    """The remote's own checks are real: a changed .data initial value or a
    PT_LOAD that no longer covers .bss is reported from CPU 1, and the host
    fails the run on the report word."""
    need_tool(sample.qemu)
    b = boot_with_bad_load(sample, built, tmp_path, damage)
    sample.check_bad_report(b, damage)
    assert b.has("host: remote ran on cpu 1"), b
    assert b.has("host: error: remote reported a failure (-103)"), b
    assert not b.has("host: pass"), b
