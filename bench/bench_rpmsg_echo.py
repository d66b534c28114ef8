#!/usr/bin/env python3
"""rpmsg echo figures of samples/aarch64-amp: round trip and message rate.

    python bench/bench_rpmsg_echo.py                           # both hosts, 3 runs each
    python bench/bench_rpmsg_echo.py --runs 5 run-linux-host   # one target

Runs each make target of the sample (``run-echo``: the bare-metal OpenAMP
host; ``run-linux-host``: Debian's arm64 kernel, user space through
rpmsg_char) ``--runs`` times, alternating them, out of tree (``BUILD``, by
default build/bench-echo), and parses the lines both print at the end of a
successful run::

    echo: 1000/1000 ok
    echo: round trip median <N> us, p99 <N> us, <N> msg/s

(DESIGN.md, "IPC: rpmsg echo"). A run that prints ``echo: FAILED`` or exits
non-zero stops the benchmark with its last lines. Prints the medians over the
runs of each figure, and each run's. The figures are QEMU TCG's, on a shared
machine: the generic timer follows host wall time, so they say how the
emulation performs, not a board (docs/rpmsg.md compares them with published
ones). The process lowers its own priority (nice) like the other benchmarks.
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
TARGETS = ("run-echo", "run-linux-host")

RE_OK = re.compile(r"^echo: (?P<ok>\d+)/(?P<n>\d+) ok$", re.M)
RE_TIMING = re.compile(r"^echo: round trip median (?P<median>\d+) us, p99 (?P<p99>\d+) us, "
                       r"(?P<rate>\d+) msg/s$", re.M)
RE_FAILED = re.compile(r"^echo: FAILED .*$", re.M)


def parse(output: str) -> dict[str, int]:
    """The last run's figures in a target's output: median_us, p99_us, msg_per_s.

    Raises ValueError when the output has an ``echo: FAILED`` line, no
    ``echo: N/N ok`` line or no timing line."""
    text = output.replace("\r", "")
    failed = RE_FAILED.search(text)
    if failed:
        raise ValueError(failed[0])
    oks = [m for m in RE_OK.finditer(text) if m["ok"] == m["n"]]
    timings = list(RE_TIMING.finditer(text))
    if not oks or not timings:
        raise ValueError("no 'echo: N/N ok' and timing lines")
    m = timings[-1]
    return {"median_us": int(m["median"]), "p99_us": int(m["p99"]), "msg_per_s": int(m["rate"])}


def run(target: str, build: Path, timeout: float) -> dict[str, int]:
    cmd = ["make", "-s", "-C", str(SAMPLE), f"BUILD={build}", f"BUNDLE={sys.executable} -m bundler", target]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        figures = parse(proc.stdout)
    except ValueError as e:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        raise SystemExit(f"{target}: {e} (exit {proc.returncode}); last lines:\n{tail}") from None
    if proc.returncode != 0:
        raise SystemExit(f"{target}: exit {proc.returncode} despite its echo lines")
    return figures


def table(results: dict[str, list[dict[str, int]]]) -> str:
    rows = ["| target | round trip median us | p99 us | msg/s | runs (median/p99/rate) |",
            "|---|---:|---:|---:|---|"]
    for target, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("median_us", "p99_us", "msg_per_s")}
        each = ", ".join(f"{r['median_us']}/{r['p99_us']}/{r['msg_per_s']}" for r in runs)
        rows.append(f"| {target} | {med['median_us']:.0f} | {med['p99_us']:.0f} | "
                    f"{med['msg_per_s']:.0f} | {each} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="*", metavar="TARGET",
                    help=f"make targets, of {', '.join(TARGETS)} (default: both)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per make run (the first builds)")
    ap.add_argument("--build", type=Path, default=ROOT / "build" / "bench-echo")
    args = ap.parse_args(argv)
    targets = args.targets or list(TARGETS)
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        ap.error(f"unknown target {unknown[0]!r}: choose from {', '.join(TARGETS)}")
    os.nice(5)
    load0 = f"{os.getloadavg()[0]:.2f}"
    build = args.build.resolve()
    results: dict[str, list[dict[str, int]]] = {t: [] for t in targets}
    for _ in range(args.runs):
        for t in targets:
            results[t].append(run(t, build, args.timeout))
    print(f"{args.runs} runs of each, medians (qemu-system-aarch64 -M virt -cpu cortex-a53 -smp 2, TCG)"
          f"; load average before and after: {load0} / {os.getloadavg()[0]:.2f}")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
