#!/usr/bin/env python3
"""Benchmark ``bundle hex`` against GNU objcopy on a bundled image with a big remote.

    python bench/bench_hex.py                 # 64 MiB remote, 5 alternating runs per tool
    python bench/bench_hex.py --size 16M --runs 3 --keep /tmp/hexbench

Builds a host (samples/cortex-m3/prebuilt/host.elf) + remote (one PT_LOAD of
random bytes) bundle with ``python -m bundler``, then exports it with
``python -m bundler hex`` (a fresh interpreter each run, as a user runs it)
and with ``objcopy -O ihex|srec|binary``, alternating the tools run by run.
Reports medians of wall time and of each child's peak RSS (GNU time's %M), the
ratios, and whether the output equals objcopy's (Intel HEX byte for byte;
S-records after the S0 header, which holds a file name; binary byte for
byte). UF2 has no objcopy counterpart and is reported on its own.

Targets (issue 5): Intel HEX wall time at most 2x objcopy's, peak RSS at
most 3x the payload. ``--check`` exits 1 if a target is missed. The process
lowers its own priority (nice) so it disturbs a shared machine less; both
tools run at that priority.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundler.cli.numbers import parse_int  # noqa: E402
from tests.support.elf import build_remote  # noqa: E402

HOST = ROOT / "samples" / "cortex-m3" / "prebuilt" / "host.elf"


TIME = shutil.which("time") or "/usr/bin/time"


def run_child(cmd: list[str], env: dict) -> tuple[float, int]:
    """Wall seconds and peak RSS in bytes of one child process.

    The RSS comes from GNU time (``%M``), which forks the command from its
    own small process: the ``ru_maxrss`` that os.wait4 gives a child of this
    script would start from this script's own high-water mark (fork and exec
    keep it), and from a vfork'ed spawn it is the parent's.
    """
    with tempfile.NamedTemporaryFile("r", prefix="bench_hex.", suffix=".rss") as rss:
        full = [TIME, "-f", "%M", "-o", rss.name, *cmd] if os.path.exists(TIME) else cmd
        t0 = time.perf_counter()
        proc = subprocess.run(full, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                             f"{proc.stderr.decode(errors='replace')}")
        text = rss.read().strip().splitlines()
    peak = int(text[-1]) * 1024 if text and text[-1].isdigit() else 0   # GNU time: KiB
    return wall, peak


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


def same_output(fmt: str, ours: Path, theirs: Path) -> str:
    # S0 holds the output file name; compare the records after it
    return "identical" if files_equal(ours, theirs, skip_first_line=fmt == "srec") else "DIFFERENT"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="64M", help="remote payload size (default 64M)")
    ap.add_argument("--runs", type=int, default=5, help="runs per tool and format (default 5)")
    ap.add_argument("--formats", default="ihex,srec,bin,uf2")
    ap.add_argument("--objcopy", default=shutil.which("objcopy") or "objcopy")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = ap.parse_args(argv)
    size = parse_int(args.size, "--size")
    try:
        os.nice(5)
    except OSError:
        pass
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_hex."))
    work.mkdir(parents=True, exist_ok=True)
    try:
        remote = work / "big_remote.elf"
        remote.write_bytes(build_remote(code=os.urandom(size), paddr=0x20200000))   # freed at once
        elf = work / "bundled.elf"
        subprocess.run([sys.executable, "-m", "bundler", str(HOST), str(remote), "-o", str(elf)],
                       env=env, check=True, stderr=subprocess.DEVNULL)
        print(f"input: {elf} ({elf.stat().st_size} bytes; payload {size} bytes), "
              f"{args.runs} alternating runs per tool, medians")
        rows = []
        for fmt in args.formats.split(","):
            ext = {"ihex": "hex", "srec": "srec", "bin": "bin", "uf2": "uf2"}[fmt]
            ours_out, theirs_out = work / f"ours.{ext}", work / f"objcopy.{ext}"
            ours = [sys.executable, "-m", "bundler", "hex", str(elf), "-o", str(ours_out)]
            ours += {"bin": ["--gap-fill", "0"], "uf2": ["--family", "RP2040"]}.get(fmt, [])
            theirs = None
            if fmt != "uf2":
                bfd = {"ihex": "ihex", "srec": "srec", "bin": "binary"}[fmt]
                theirs = [args.objcopy, "-O", bfd, str(elf), str(theirs_out)]
            times = {"bundle": [], "objcopy": []}
            rss = {"bundle": [], "objcopy": []}
            for _ in range(args.runs):
                for name, cmd in (("bundle", ours), ("objcopy", theirs)):
                    if cmd is None:
                        continue
                    wall, peak = run_child(cmd, env)
                    times[name].append(wall)
                    rss[name].append(peak)
            row = {"fmt": fmt, "wall": statistics.median(times["bundle"]),
                   "rss": statistics.median(rss["bundle"]), "out": ours_out.stat().st_size}
            if theirs:
                row.update(oc_wall=statistics.median(times["objcopy"]),
                           oc_rss=statistics.median(rss["objcopy"]),
                           same=same_output(fmt, ours_out, theirs_out))
            rows.append(row)
        print()
        print(f"{'format':6} {'output MB':>9} {'bundle s':>9} {'objcopy s':>9} {'time x':>7} "
              f"{'bundle MB':>9} {'objcopy MB':>10} {'RSS/payload':>11}  output vs objcopy")
        missed = []
        for r in rows:
            ratio = r["wall"] / r["oc_wall"] if "oc_wall" in r else None
            print(f"{r['fmt']:6} {r['out'] / 1e6:9.1f} {r['wall']:9.2f} "
                  f"{r.get('oc_wall', float('nan')):9.2f} "
                  f"{ratio if ratio is not None else float('nan'):7.2f} {r['rss'] / 1e6:9.1f} "
                  f"{r.get('oc_rss', float('nan')) / 1e6:10.1f} {r['rss'] / size:11.2f}  "
                  f"{r.get('same', '-')}")
            if r["fmt"] == "ihex" and ratio is not None and ratio > 2.0:
                missed.append(f"Intel HEX wall time {ratio:.2f}x objcopy (target <= 2x)")
            if r["rss"] > 3 * size:
                missed.append(f"{r['fmt']} peak RSS {r['rss'] / size:.2f}x payload (target <= 3x)")
            if r.get("same") == "DIFFERENT":
                missed.append(f"{r['fmt']} output differs from objcopy's")
        print()
        print("targets: " + ("all met" if not missed else "; ".join(missed)))
        return 1 if missed and args.check else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
