#!/usr/bin/env python3
"""rpmsg echo figures of samples/aarch64-amp: round trip and message rate.

    python bench/bench_echo.py                       # make run-echo, 5 runs
    python bench/bench_echo.py --runs 3 --target run-echo --target run-linux-host
    python bench/bench_echo.py --log build/combined-echo.log   # parse a log only

Runs each make target of the sample (``BUILD=build/bench-echo``) ``--runs``
times, alternating them, and parses the line every echo target ends with:

    echo: round trip median <N> us, p99 <N> us, <N> msg/s

The round trip is one message of 1..496 bytes out and its echo back, timed by
the host with the generic timer (1000 messages, one at a time); the rate comes
from a second run of 1000 with several in flight. Reported: per target the
median over the runs of each figure, and its range. QEMU TCG is not a board:
the figures follow the machine QEMU runs on and its load (docs/rpmsg.md).
Nothing here is asserted; a run whose target fails is reported and skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "aarch64-amp"
TIMING = re.compile(r"^echo: round trip median (\d+) us, p99 (\d+) us, (\d+) msg/s", re.M)


def parse(text: str) -> tuple[int, int, int] | None:
    """(median us, p99 us, msg/s) from a run's output, None without the line."""
    m = TIMING.search(text.replace("\r", ""))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def run(target: str, build: Path, bundle: str) -> tuple[int, int, int] | None:
    proc = subprocess.run(["make", "-C", str(SAMPLE), f"BUILD={build}",
                           f"BUNDLE={bundle}", target],
                          capture_output=True, text=True, timeout=900)
    got = parse(proc.stdout)
    if proc.returncode != 0 or got is None:
        tail = "\n".join(proc.stdout.splitlines()[-5:])
        print(f"{target}: failed (exit {proc.returncode}):\n{tail}", file=sys.stderr)
        return None
    return got


def report(name: str, figures: list[tuple[int, int, int]]) -> None:
    if not figures:
        print(f"{name}: no successful run")
        return
    cols = list(zip(*figures))
    parts = []
    for label, unit, col in (("median", "us", cols[0]), ("p99", "us", cols[1]),
                             ("rate", "msg/s", cols[2])):
        parts.append(f"{label} {statistics.median(col):g} {unit} ({min(col)}..{max(col)})")
    print(f"{name} ({len(figures)} runs): " + ", ".join(parts))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--target", action="append", help="make target (default run-echo)")
    ap.add_argument("--build", type=Path, default=ROOT / "build" / "bench-echo")
    ap.add_argument("--bundle", default=f"env PYTHONPATH={ROOT} {sys.executable} -m bundler")
    ap.add_argument("--log", type=Path, action="append", help="parse these logs instead of running")
    args = ap.parse_args()
    if args.log:
        for log in args.log:
            got = parse(log.read_text(errors="replace"))
            report(str(log), [got] if got else [])
        return 0
    os.nice(10)
    targets = args.target or ["run-echo"]
    results: dict[str, list[tuple[int, int, int]]] = {t: [] for t in targets}
    for _ in range(args.runs):
        for t in targets:
            got = run(t, args.build, args.bundle)
            if got:
                results[t].append(got)
    for t in targets:
        report(t, results[t])
    return 0


if __name__ == "__main__":
    sys.exit(main())
