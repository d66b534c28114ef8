#!/usr/bin/env python3
"""Print docs/kit.md's table of the kit's sizes: `size` (text/data bytes) of each
C unit of linker/, compiled alone for each target the kit is proven on.

    .venv/bin/python scripts/kit_sizes.py > /tmp/sizes.md    # then paste over the table

Needs the cross compilers of tests/kit (arm-none-eabi-gcc, riscv64-unknown-elf-gcc,
aarch64-linux-gnu-gcc) and their `size`. Flags: the freestanding set of the
tests, -ffunction-sections (what a host links with --gc-sections keeps is at
most this); text includes the constants (.rodata), data is .data + .bss.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent / "linker"
UNITS = ["remote_fw.c", "remote_fw_crc32.c", "remote_fw_elf.c", "remote_fw_rsc.c", "remote_fw_fit.c",
         "remote_fw_fdt.c", "remote_fw_inflate.c", "remote_fw_inffast.c", "remote_fw_sha256.c",
         "remote_fw_sha1.c", "remote_fw_boot.c", "remote_fw_fit_sig.c", "remote_fw_rsa.c"]
COMMON = ["-std=c99", "-ffreestanding", "-ffunction-sections", "-fdata-sections", f"-I{KIT}"]
TARGETS = [
    ("Cortex-M3 `-Os`", "arm-none-eabi-", ["-mcpu=cortex-m3", "-mthumb", "-mno-unaligned-access", "-Os"]),
    ("Cortex-M3 `-O2`", "arm-none-eabi-", ["-mcpu=cortex-m3", "-mthumb", "-mno-unaligned-access", "-O2"]),
    ("Cortex-M3 `-Os` small CRC", "arm-none-eabi-",
     ["-mcpu=cortex-m3", "-mthumb", "-mno-unaligned-access", "-Os", "-DREMOTE_FW_CRC32_SMALL"]),
    ("RV64IMAC `-O2`", "riscv64-unknown-elf-", ["-march=rv64imac", "-mabi=lp64", "-mcmodel=medany", "-O2"]),
    ("AArch64 `-O2`", "aarch64-linux-gnu-", ["-march=armv8-a", "-mstrict-align", "-fno-pie", "-O2"]),
    ("AArch64 +crc +crypto `-O2`", "aarch64-linux-gnu-",
     ["-mcpu=cortex-a53+crypto", "-mstrict-align", "-fno-pie", "-O2"]),
]


def size(prefix: str, flags: list[str], unit: str, out: Path) -> tuple[int, int]:
    obj = out / (unit + ".o")
    subprocess.run([prefix + "gcc", *COMMON, *flags, "-c", str(KIT / unit), "-o", str(obj)], check=True)
    line = subprocess.run([prefix + "size", str(obj)], check=True, capture_output=True,
                          text=True).stdout.splitlines()[1].split()
    return int(line[0]), int(line[1]) + int(line[2])


def main() -> int:
    rows = {u: [] for u in UNITS}
    with tempfile.TemporaryDirectory() as tmp:
        for _, prefix, flags in TARGETS:
            for unit in UNITS:
                rows[unit].append(size(prefix, flags, unit, Path(tmp)))
    print("| unit | " + " | ".join(t[0] for t in TARGETS) + " |")
    print("|---|" + "---:|" * len(TARGETS))
    for unit in UNITS:
        print(f"| `{unit}` | " + " | ".join(f"{t} / {d}" for t, d in rows[unit]) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
