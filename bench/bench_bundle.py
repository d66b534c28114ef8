"""Benchmark: post-link bundling against objcopy --add-section on the same files.

    .venv/bin/python bench/bench_bundle.py [--runs 5] [--sizes 8K,64M]

A remote ELF of each size (random payload) is bundled into the Cortex-M3
sample host (samples/cortex-m3/prebuilt/host.elf) by ``bundle`` and by
``objcopy --add-section`` (+ --set-section-flags alloc,load,readonly, and
--change-section-address to the same address): alternating runs, medians of
wall time and of each process's peak RSS. Targets for 64 MiB (issue 2): wall
time at most 3x objcopy's, peak RSS at most 3x the payload. Exits 1 if the
64 MiB case misses a target.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bundle_cmd, compare, mib, objcopy, run_once  # noqa: E402
from bundler.cli.numbers import parse_int  # noqa: E402
from tests.support.elf import build_remote  # noqa: E402

HOST = ROOT / "samples" / "cortex-m3" / "prebuilt" / "host.elf"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="8K,64M")
    args = ap.parse_args()
    if not HOST.exists():
        raise SystemExit(f"{HOST} is missing")
    failed = False
    print(f"{'payload':>10} {'tool':<26} {'wall s':>8} {'peak RSS':>11}   ratios vs objcopy")
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        tmp = Path(tmp)
        for text in args.sizes.split(","):
            size = parse_int(text)
            remote = tmp / "remote.elf"
            remote.write_bytes(build_remote(code=os.urandom(size)))
            out_b, out_o = tmp / "bundled.elf", tmp / "objcopy.elf"
            # objcopy gets the address bundle chooses, so both do the same job
            run_once(bundle_cmd() + [str(HOST), str(remote), "-o", str(out_b)])
            address = _image_address(out_b)
            sec = ".remote_fw.remote_elf"
            cases = {
                "bundle": bundle_cmd() + [str(HOST), str(remote), "-o", str(out_b)],
                "objcopy --add-section": [objcopy(), "--add-section", f"{sec}={remote}",
                                          "--set-section-flags", f"{sec}=alloc,load,readonly,data",
                                          "--change-section-address", f"{sec}={address:#x}",
                                          str(HOST), str(out_o)],
            }
            res = compare(cases, runs=args.runs)
            (bw, br), (ow, _) = res["bundle"], res["objcopy --add-section"]
            payload = remote.stat().st_size
            for name, (w, r) in res.items():
                extra = ""
                if name == "bundle":
                    extra = f"   time {w / ow:.2f}x, RSS {r / payload:.2f}x payload"
                print(f"{mib(payload):>10} {name:<26} {w:8.3f} {mib(r):>11}{extra}")
            if size >= 64 << 20:
                ok_t, ok_m = bw <= 3 * ow, br <= 3 * payload
                print(f"{'':>10} targets: time <= 3x objcopy: {'ok' if ok_t else 'MISSED'}; "
                      f"RSS <= 3x payload: {'ok' if ok_m else 'MISSED'}")
                failed |= not (ok_t and ok_m)
    return 1 if failed else 0


def _image_address(path: Path) -> int:
    from bundler.elf.reader import parse_elf
    elf = parse_elf(path.read_bytes())
    return elf.find_section(".remote_fw.remote_elf").hdr.sh_addr


if __name__ == "__main__":
    sys.exit(main())
