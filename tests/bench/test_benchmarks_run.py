"""Every benchmark runs, at a tiny size, so none rots between releases (the figures
themselves are the benchmarks' to judge, on a quiet machine: README "Benchmarks")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.paths import ROOT

pytestmark = pytest.mark.toolchain


def run_bench(name: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / name), *args, "--report-only"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "targets:" in proc.stdout
    return proc.stdout


def test_bench_bundle_runs(need):
    need("objcopy")
    out = run_bench("bench_bundle.py", "--sizes", "8K,64K", "--runs", "1")
    assert "python -c pass" in out and "objcopy --add-section" in out
    assert "wall time vs python -c pass" in out


def test_bench_hex_runs(need):
    need("objcopy")
    out = run_bench("bench_hex.py", "--size", "64K", "--runs", "1")
    for fmt in ("ihex", "srec", "bin", "uf2"):
        assert f"\n{fmt} " in out
    assert "DIFFERENT" not in out


def test_bench_auth_load_runs(need):
    need("arm-none-eabi-gcc", "arm-none-eabi-objcopy", "arm-none-eabi-size")
    out = run_bench("bench_auth_load.py", "--size", "4K")
    assert "remote_fw_load " in out and "remote_fw_load_authenticated" in out
    for what in ("instructions/byte in all", "signature check", "stack of the authenticated load",
                 "verifier size at -Os"):
        assert what in out
