"""Shared benchmark plumbing: run commands alternately, take medians of wall
time and of each child's own peak RSS (GNU time's %M), print ratios, and hold
the figures to the targets (:class:`Targets`): a benchmark exits 1 when one
is missed, unless ``--report-only`` (the tests run every benchmark at a tiny
size that way, so none rots)."""

from __future__ import annotations

import os
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
    """``bundle`` as a user runs it: the console script beside this interpreter (a venv's),
    else ``python -m bundler``."""
    script = Path(sys.executable).with_name("bundle")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bundler"]


def precompile() -> None:
    """Byte-compile the package, as pip does when it installs a wheel, so start-up is measured
    as users see it (a source checkout under PYTHONDONTWRITEBYTECODE would compile every run)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bundler")],
                   stdout=subprocess.DEVNULL, check=True)


def quiet() -> None:
    """Lower this process's priority (children inherit it): kinder to a shared machine, and
    both tools of a comparison run at the same priority."""
    try:
        os.nice(5)
    except OSError:
        pass


class Targets:
    """The figures a benchmark must reach: ``check`` records one, ``report`` prints them all
    and returns the exit status (1 if any was missed, unless report_only)."""

    def __init__(self):
        self.rows: list[tuple[str, str, bool]] = []

    def check(self, what: str, value: float, limit: float, unit: str = "x", digits: int = 1) -> bool:
        ok = value <= limit
        fmt = (lambda v: f"{v:.2f}{unit}") if unit == "x" else (lambda v: f"{v:.{digits}f} {unit}")
        self.rows.append((what, f"{fmt(value)} (target <= {fmt(limit)})", ok))
        return ok

    def require(self, what: str, ok: bool, detail: str) -> bool:
        self.rows.append((what, detail, ok))
        return ok

    def report(self, report_only: bool = False) -> int:
        print()
        for what, text, ok in self.rows:
            print(f"  {'met   ' if ok else 'MISSED'} {what}: {text}")
        missed = [r for r in self.rows if not r[2]]
        print(f"targets: {len(self.rows) - len(missed)} of {len(self.rows)} met")
        return 1 if missed and not report_only else 0


def objcopy() -> str:
    for name in ("arm-none-eabi-objcopy", "objcopy"):
        if shutil.which(name):
            return name
    raise SystemExit("objcopy is not installed (scripts/setup test installs it)")


def mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / 1024:.1f} KiB"
