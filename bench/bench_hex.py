#!/usr/bin/env python3
"""Benchmark ``bundle hex`` against GNU objcopy on a bundled image with a big remote.

    python bench/bench_hex.py                 # 64 MiB remote, 5 alternating runs per tool
    python bench/bench_hex.py --size 16M --runs 3 --keep /tmp/hexbench [--report-only]

Builds a host (samples/cortex-m3/prebuilt/host.elf) + remote (one PT_LOAD of
random bytes) bundle, then exports it with ``bundle hex`` (the console
script, a fresh interpreter each run, as a user runs it) and with ``objcopy
-O ihex|srec|binary``, alternating the tools run by run. Reports medians of
wall time and of each child's peak RSS (GNU time's %M), the ratios, and
whether the output equals objcopy's (Intel HEX byte for byte; S-records
after the S0 header, which holds a file name; binary byte for byte). UF2 has
no objcopy counterpart and is reported on its own.

Targets (issue 20), at 64 MiB: Intel HEX and S-records at most 1.0x
objcopy's wall time; every format's peak RSS at most 40 MB; every output
equal to objcopy's. Exits 1 if one is missed (0 with --report-only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Targets, bundle_cmd, mib, precompile, quiet, run_once  # noqa: E402
from bundler.cli.numbers import parse_int  # noqa: E402
from tests.support.elf import build_remote  # noqa: E402

HOST = ROOT / "samples" / "cortex-m3" / "prebuilt" / "host.elf"
MB = 10 ** 6


def files_equal(a: Path, b: Path, skip_first_line: bool = False) -> bool:
    """Compare two files in 1 MiB chunks (so this script stays small in memory)."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        if skip_first_line:
            fa.readline()
            fb.readline()
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def same_output(fmt: str, ours: Path, theirs: Path) -> bool:
    # S0 holds the output file name; compare the records after it
    return files_equal(ours, theirs, skip_first_line=fmt == "srec")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="64M", help="remote payload size (default 64M)")
    ap.add_argument("--runs", type=int, default=5, help="runs per tool and format (default 5)")
    ap.add_argument("--formats", default="ihex,srec,bin,uf2")
    ap.add_argument("--objcopy", default=shutil.which("objcopy") or "objcopy")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    ap.add_argument("--report-only", action="store_true", help="print the targets, exit 0 even if missed")
    args = ap.parse_args(argv)
    size = parse_int(args.size, "--size")
    quiet()
    precompile()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_hex."))
    work.mkdir(parents=True, exist_ok=True)
    targets = Targets()
    try:
        remote = work / "big_remote.elf"
        remote.write_bytes(build_remote(code=os.urandom(size), paddr=0x20200000))   # freed at once
        elf = work / "bundled.elf"
        run_once(bundle_cmd() + [str(HOST), str(remote), "-o", str(elf)])
        print(f"input: {elf} ({elf.stat().st_size} bytes; payload {size} bytes), "
              f"{args.runs} alternating runs per tool, medians")
        print()
        print(f"{'format':6} {'output MB':>9} {'bundle s':>9} {'objcopy s':>9} {'time x':>7} "
              f"{'bundle MB':>9} {'objcopy MB':>10}  output vs objcopy")
        for fmt in args.formats.split(","):
            ext = {"ihex": "hex", "srec": "srec", "bin": "bin", "uf2": "uf2"}[fmt]
            ours_out, theirs_out = work / f"ours.{ext}", work / f"objcopy.{ext}"
            cases = {"bundle": bundle_cmd() + ["hex", str(elf), "-o", str(ours_out)]
                     + {"bin": ["--gap-fill", "0"], "uf2": ["--family", "RP2040"]}.get(fmt, [])}
            if fmt != "uf2":
                bfd = {"ihex": "ihex", "srec": "srec", "bin": "binary"}[fmt]
                cases["objcopy"] = [args.objcopy, "-O", bfd, str(elf), str(theirs_out)]
            samples = {name: [] for name in cases}
            for _ in range(args.runs):
                for name, cmd in cases.items():
                    samples[name].append(run_once(cmd))
            wall = {n: statistics.median(w for w, _ in s) for n, s in samples.items()}
            rss = {n: statistics.median(r for _, r in s) for n, s in samples.items()}
            same = same_output(fmt, ours_out, theirs_out) if "objcopy" in cases else None
            ratio = wall["bundle"] / wall["objcopy"] if "objcopy" in cases else float("nan")
            print(f"{fmt:6} {ours_out.stat().st_size / MB:9.1f} {wall['bundle']:9.2f} "
                  f"{wall.get('objcopy', float('nan')):9.2f} {ratio:7.2f} {rss['bundle'] / MB:9.1f} "
                  f"{rss.get('objcopy', float('nan')) / MB:10.1f}  "
                  f"{'-' if same is None else 'identical' if same else 'DIFFERENT'}")
            label = f"bundle hex {mib(size)} {fmt}"
            if size >= 64 << 20 and fmt in ("ihex", "srec"):
                targets.check(f"{label}: wall time vs objcopy -O {fmt}", ratio, 1.0)
            if size >= 64 << 20:
                targets.check(f"{label}: peak RSS", rss["bundle"] / MB, 40, "MB")
            if same is not None:
                targets.require(f"{label}: output", same, "identical to objcopy's" if same else "DIFFERENT")
        return targets.report(args.report_only)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
