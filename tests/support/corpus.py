"""Real third-party ELF files that Debian ships (and scripts/setup installs): the
corpus tests/hosted bundles into and tests/map draws. Nothing here is built by the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.tools import in_ci

CROSS = ["aarch64-linux-gnu", "arm-linux-gnueabihf", "hppa-linux-gnu", "m68k-linux-gnu", "mips-linux-gnu",
         "mipsel-linux-gnu", "powerpc-linux-gnu", "powerpc64-linux-gnu", "riscv64-linux-gnu",
         "s390x-linux-gnu", "sparc64-linux-gnu"]
LOADERS = {"aarch64-linux-gnu": "ld-linux-aarch64.so.1", "arm-linux-gnueabihf": "ld-linux-armhf.so.3",
           "powerpc64-linux-gnu": "ld64.so.1", "riscv64-linux-gnu": "ld-linux-riscv64-lp64d.so.1",
           "s390x-linux-gnu": "ld64.so.1", "sparc64-linux-gnu": None}
UBOOT = ["malta64el", "maltael", "qemu-ppce500", "qemu-riscv64", "qemu-riscv64_smode", "qemu-x86",
         "qemu-x86_64", "qemu_arm", "qemu_arm64"]
QEMU_FIRMWARE = ["openbios-ppc", "openbios-sparc32", "openbios-sparc64", "hppa-firmware.img",
                 "palcode-clipper", "s390-ccw.img", "s390-netboot.img", "opensbi-riscv64-generic-fw_dynamic.elf"]

# (id, path, Debian package that ships it)
CORPUS = (
    [(f"libc-{t}", f"/usr/{t}/lib/libc.so.6", f"libc6-{t.split('-')[0]}-cross") for t in CROSS]
    + [(f"ldso-{t}", f"/usr/{t}/lib/{LOADERS.get(t) or 'ld.so.1'}", f"libc6-{t.split('-')[0]}-cross")
       for t in CROSS if LOADERS.get(t, "ld.so.1")]
    + [(f"u-boot-{b}", f"/usr/lib/u-boot/{b}/uboot.elf", "u-boot-qemu") for b in UBOOT]
    + [(f"qemu-{f}", f"/usr/share/qemu/{f}", "qemu-system-data") for f in QEMU_FIRMWARE]
    + [("opensbi-fw_jump", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf", "opensbi"),
       ("busybox-static", "/bin/busybox", "busybox-static")]
)


def need_file(path: str, package: str) -> Path:
    p = Path(path)
    if not p.exists():
        msg = f"{path} is missing: install Debian's {package} (./scripts/test does)"
        if in_ci():
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return p.resolve()
