"""Shared benchmark plumbing: run commands alternately, take medians of wall
time and of each child's own peak RSS (from wait4), print ratios."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GNU_TIME = "/usr/bin/time"     # Debian package "time"


def run_once(cmd: list[str], cwd=None) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes) of one run of ``cmd``; raises if it fails.

    The RSS comes from GNU time (``%M``): a child forked by this Python process
    would inherit its high-water mark, so the command is forked by time instead.
    """
    with tempfile.NamedTemporaryFile("r", prefix="bench-rss-") as rss:
        t0 = time.perf_counter()
        proc = subprocess.run([GNU_TIME, "-f", "%M", "-o", rss.name, *cmd], cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: "
                               f"{proc.stderr.decode(errors='replace')}")
        return wall, int(rss.read().split()[-1]) * 1024


def compare(cases: dict[str, list[str]], runs: int = 5, cwd=None) -> dict[str, tuple[float, int]]:
    """Run every case once per round, ``runs`` rounds; medians per case."""
    samples = {name: [] for name in cases}
    for _ in range(runs):
        for name, cmd in cases.items():
            samples[name].append(run_once(cmd, cwd=cwd))
    return {name: (statistics.median(w for w, _ in s), statistics.median(r for _, r in s))
            for name, s in samples.items()}


def bundle_cmd() -> list[str]:
    return [sys.executable, "-m", "bundler"]


def objcopy() -> str:
    for name in ("arm-none-eabi-objcopy", "objcopy"):
        if shutil.which(name):
            return name
    raise SystemExit("objcopy is not installed (scripts/setup test installs it)")


def mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"
