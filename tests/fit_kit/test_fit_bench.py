"""The kit on the cores it is built for, in the unicorn emulator (bench/bench_fit.py):

- every hot path (CRC-32, SHA-256, inflate, remote_fw_verify, remote_fw_load,
  remote_fw_fit_load with a none and a gzip kernel) gives Python's results on
  AArch64 (portable C, and with the CRC32/SHA2 instructions) and Cortex-M3,
  with every memory access checked for alignment (no 2/4/8/16-byte access at
  an address that is not a multiple of its size), the FIT loaded from an odd
  address;
- remote_fw_fit_enter on AArch64 arrives at the entry with x0 = the device
  tree, x1 = x2 = x3 = 0 and D, A, I, F masked.
The instruction counts themselves are the benchmark's (docs/kit.md), not
asserted here beyond "inflate is table driven" (well under 40 per byte).
"""

from __future__ import annotations

import pytest

from bench import bench_fit

pytestmark = pytest.mark.toolchain


@pytest.mark.parametrize("arch", ["aarch64", "aarch64-crypto", "cortex-m3"])
def test_hot_paths_right_and_aligned(need, tmp_path, arch):
    need(bench_fit.ARCHS[arch].cc[0], "mkimage", "dtc")
    rows = {name: (n, nbytes) for name, n, nbytes in bench_fit.measure(arch, 4096, tmp_path, check_align=True)}
    n, nbytes = rows["inflate"]
    assert n / nbytes < 40, f"inflate costs {n / nbytes:.1f} instructions per byte"


def test_enter_sets_the_arm64_boot_registers(need, tmp_path):
    need("aarch64-linux-gnu-gcc")
    regs = bench_fit.enter_registers("aarch64", tmp_path)
    assert regs["pc"] == regs["want_pc"]
    assert (regs["x0"], regs["x1"], regs["x2"], regs["x3"]) == (regs["want_fdt"], 0, 0, 0)
    assert regs["daif"] == 0xF
