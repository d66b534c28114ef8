"""The FIT part of the kit is freestanding C99 and never makes an unaligned
word access, on the toolchains a bootstrap is built with.

For each toolchain and -O0/-O2/-Os, with -mstrict-align (AArch64) or
-mno-unaligned-access (ARM A/R; Cortex-M3 faults on unaligned LDRD/LDM and
the kit must not rely on its unaligned LDR either): each FIT unit
(remote_fw_fit.c, _fdt, _inflate, _sha256, _sha1, _boot, _fit_sig, _rsa) compiles with
-std=c99 -Wall -Wextra -Werror -pedantic -ffreestanding; `nm -u` on them lists
only each other's symbols and remote_fw_crc32 (remote_fw_crc32.c); the hash,
inflate and device-tree units each need nothing but the CRC-32 at most, RSA
only SHA-256, the signature unit only SHA-256, the tree walk and RSA; and a
bootstrap (c/bootstrap.c) links with the kit's units under -nostdlib
--gc-sections with nothing undefined.
The runtime half of the alignment proof is the unicorn run with alignment
checking on (bench/bench_fit.py, tests/fit_kit/test_fit_bench.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fit_kit.fit_native import FIT_SOURCES, KIT
from tests.kit import kit_native

pytestmark = pytest.mark.toolchain
C = Path(__file__).resolve().parent / "c"

WARN = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-ffreestanding"]
TOOLCHAINS = {
    "aarch64": ("aarch64-linux-gnu-gcc", ["-mstrict-align", "-fno-pie"], ["-no-pie", "-static"]),
    "arm-cortex-a7": ("arm-none-eabi-gcc", ["-mcpu=cortex-a7", "-marm", "-mno-unaligned-access"], []),
    "arm-cortex-m3": ("arm-none-eabi-gcc", ["-mcpu=cortex-m3", "-mthumb", "-mno-unaligned-access"], []),
    "riscv64": ("riscv64-unknown-elf-gcc", ["-march=rv64imac", "-mabi=lp64", "-mcmodel=medany"], []),
    "clang-aarch64": ("clang", ["--target=aarch64-none-elf", "-mstrict-align"], ["-fuse-ld=lld"]),
}


def sh(cmd):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def nm_for(cc: str) -> str:
    import shutil
    cross = cc.replace("-gcc", "-nm") if cc.endswith("-gcc") else "nm"
    return cross if shutil.which(cross) else "nm"


ALONE = {"remote_fw_crc32", "_GLOBAL_OFFSET_TABLE_"}
_SHA256 = {"remote_fw_sha256", "remote_fw_sha256_init", "remote_fw_sha256_update", "remote_fw_sha256_final"}
_FDT = {"remote_fw_fdt_node_name", "remote_fw_fdt_next_child", "remote_fw_fdt_prop", "remote_fw_fdt_prop_str",
        "remote_fw_fdt_root", "remote_fw_fdt_subnode", "remote_fw_fdt_subnode_str", "remote_fw_fdt_token"}
NEEDS = {"remote_fw_fit": None,                                     # the policy: checked as a whole below
         "remote_fw_inflate": ALONE | {"remote_fw_inflate_fast", "remote_fw_huff_slow"},   # the inflate's pair
         "remote_fw_inffast": ALONE | {"remote_fw_inflate_fast", "remote_fw_huff_slow"},
         "remote_fw_rsa": ALONE | _SHA256,
         "remote_fw_fit_sig": ALONE | _SHA256 | _FDT | {"remote_fw_rsa_verify_sha256"}}


@pytest.mark.parametrize("name", sorted(TOOLCHAINS))
def test_freestanding_and_strict_align(need, tmp_path, name):
    cc, flags, link = TOOLCHAINS[name]
    need(cc, "nm")
    if "-fuse-ld=lld" in link:
        need("ld.lld")
    for opt in ("-O0", "-O2", "-Os"):
        defined, outside = set(), set()
        for src in FIT_SOURCES:
            obj = tmp_path / f"{src.stem}{opt}.o"
            sh([cc, *flags, *WARN, opt, f"-I{KIT}", "-c", src, "-o", obj])
            undefined = {line.split()[-1] for line in sh([nm_for(cc), "-u", obj]).splitlines()
                         if line.strip()}
            # the building blocks stand alone; the signature units need the hash, the tree and RSA
            if NEEDS.get(src.stem, ALONE) is not None:
                assert undefined <= NEEDS.get(src.stem, ALONE), (src, opt, undefined)
            outside |= undefined
            defined |= {line.split()[-1] for line in
                        sh([nm_for(cc), "--defined-only", "-g", obj]).splitlines() if line.strip()}
        assert outside - defined <= {"remote_fw_crc32", "_GLOBAL_OFFSET_TABLE_"}, (opt, sorted(outside - defined))

    elf = tmp_path / "bootstrap.elf"
    sh([cc, *flags, *WARN, "-O2", "-nostdlib", "-ffunction-sections", "-fdata-sections",
        "-Wl,--gc-sections", *link, f"-I{KIT}", C / "bootstrap.c", *kit_native.SOURCES, *FIT_SOURCES,
        "-o", elf])
    syms = sh([nm_for(cc), elf])
    assert "remote_fw_fit_load" in syms and " U " not in syms
    assert "remote_fw_fit_check_sig" in syms and "remote_fw_rsa_verify_sha256" in syms    # the signature path
    has_enter = "remote_fw_fit_enter" in syms
    assert has_enter == (name in ("aarch64", "clang-aarch64", "arm-cortex-a7"))
