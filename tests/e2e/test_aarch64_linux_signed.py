"""samples/aarch64-linux, signed (`make run-signed`): the FIT is signed by
Debian's mkimage (-k KEYDIR -K pubkey.dtb -r) with an RSA key openssl made at
build time; the bootstrap, built with -DFIT_SIGNED and that public key,
boots Debian's arm64 kernel from it on CPU 1 of QEMU virt, and refuses,
without jumping to any kernel, the same FIT with one kernel byte flipped
after signing, the FIT signed by another key of the same name, the unsigned
FIT, and the flipped FIT whose hash nodes were recomputed.

The sample is built and `make run-signed` run once a session (out of tree):
its four boots are read from the logs the Makefile writes, line by line, and
its own verdicts from its output. Only the recomputed-hash FIT is derived
here (fdtput on the tampered FIT, bundled again with the real CLI) and
booted separately.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tests.support.cli import run_bundle
from tests.support.tools import need_tool
from tests.e2e.conftest import BUNDLE_CMD, Boot, bundle, make_sample, qemu_boot
from tests.e2e.test_aarch64_linux import (BOOT_TIMEOUT, FDT_LOAD, INIT_LINE, INITRD_LOAD,
                                          KERNEL_LOAD, LINUX_CPU1, QEMU, RE_BS_ENTER, RE_BS_ERROR,
                                          RE_BS_FIT, RE_BS_PLACED, RE_STOPPED, SAMPLE,
                                          check_bootstrap_start, check_until_handover, index)

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

KEY = "dev"                                 # the Makefile's FIT_KEY_NAME
SIGNED = "signed-rsa2048-pkcs-1.5"          # $(S) for the default FIT_KEY_BITS and FIT_PADDING

RE_REQUIRED = re.compile(rf"^bootstrap: signature required: key {KEY} rsa2048, t=\d+\.\d{{6}}$")
RE_REFUSED = re.compile(r"^bootstrap: refused: (?P<name>REMOTE_FW_E[A-Z]+) after (?P<us>\d+) us, "
                        r"t=\d+\.\d{6}$")


def kit_codes() -> dict[str, int]:
    """The kit's error codes by name, read from linker/remote_fw.h."""
    text = (ROOT / "linker" / "remote_fw.h").read_text()
    return {m[1]: int(m[2]) for m in re.finditer(r"^#define (REMOTE_FW_E[A-Z0-9]+) +(-\d+)\b", text, re.M)}


@pytest.fixture(scope="session")
def signed_run(tmp_path_factory) -> tuple[Path, Path, str]:
    """`make run-signed` once a session: (BUILD, the signed directory, make's output)."""
    need_tool("make", "aarch64-linux-gnu-gcc", "mkimage", "dtc", "gzip", "openssl", "apt-get",
              "apt-cache", "dpkg-deb", "flock", QEMU[0])
    out = tmp_path_factory.mktemp("linux-signed") / "build"
    proc = make_sample(SAMPLE, out, "run-signed", BUNDLE=BUNDLE_CMD, QEMU_TIMEOUT=str(int(BOOT_TIMEOUT)))
    return out, out / SIGNED, proc.stdout


def log(signed: Path, name: str) -> Boot:
    """The console of one of run-signed's boots (QEMU exited 0: make checked it)."""
    return Boot(0, (signed / f"{name}.log").read_text(errors="replace"), False)


def check_refused(b: Boot, signed: Path, name: str, code: str) -> int:
    """Refused with the kit's code name and number: the bootstrap said so
    right after announcing the policy, CPU 1 turned itself off, the host
    said so last; no kernel was entered. Returns the microseconds printed."""
    rc = kit_codes()[code]
    start = check_until_handover(b, signed / f"{name}.elf", signed / f"bootstrap-fit{name[8:]}.elf")
    i = check_bootstrap_start(b, start)
    assert RE_REQUIRED.match(b.lines[i + 1]), b
    m = RE_REFUSED.match(b.lines[i + 2])
    assert m and m["name"] == code, b
    m2 = RE_BS_ERROR.match(b.lines[i + 3])
    assert m2 and int(m2["rc"]) == rc, b
    m3 = RE_STOPPED.match(b.lines[i + 4])
    assert m3 and int(m3["rc"]) == rc, b
    assert len(b.lines) == i + 5, b
    assert not any("Booting Linux" in ln or ln.startswith("bootstrap: entering") for ln in b.lines), b
    return int(m["us"])


def test_run_signed_boots_linux_and_refuses_three(signed_run):
    """make run-signed's own verdicts (one boot, three refusals), and the
    good boot read line by line: policy announced, pieces placed, Linux on
    physical CPU 1, /init's line, power-off."""
    build, signed, stdout = signed_run
    assert stdout.count("== ok\n") == 1 and stdout.count("== ok: refused\n") == 3, stdout
    assert "== FAIL" not in stdout, stdout
    b = log(signed, "combined")
    start = check_until_handover(b, signed / "combined.elf", signed / "bootstrap-fit.elf")
    i = check_bootstrap_start(b, start)
    assert int(RE_BS_FIT.match(b.lines[i])["size"], 16) == (signed / "linux.itb").stat().st_size, b
    assert RE_REQUIRED.match(b.lines[i + 1]), b
    m = RE_BS_PLACED.match(b.lines[i + 2])
    assert m, b
    initramfs = (build / "linux" / "initramfs.cpio").stat().st_size
    assert (int(m["kernel"], 16), int(m["fdt"], 16), int(m["start"], 16), int(m["end"], 16)) == \
        (KERNEL_LOAD, FDT_LOAD, INITRD_LOAD, INITRD_LOAD + initramfs), b
    m = RE_BS_ENTER.match(b.lines[i + 3])
    assert m and int(m["entry"], 16) == KERNEL_LOAD, b
    assert LINUX_CPU1.match(b.lines[i + 4]), b
    assert index(b, INIT_LINE) > i + 4, b
    assert not any(ln.startswith(("bootstrap: refused", "bootstrap: error")) for ln in b.lines), b
    assert "Kernel panic" not in b.output, b


def test_flipped_kernel_byte_is_refused(signed_run):
    """One byte of the gzip kernel inverted after signing: the signature
    still holds (it covers the hash values, not the data), the kernel's
    sha256 does not: REMOTE_FW_EHASH, before anything is written."""
    _, signed, _ = signed_run
    good, bad = (signed / "linux.itb").read_bytes(), (signed / "linux-tampered.itb").read_bytes()
    assert len(good) == len(bad) and sum(x != y for x, y in zip(good, bad)) == 1
    check_refused(log(signed, "combined-tampered"), signed, "combined-tampered", "REMOTE_FW_EHASH")


def test_fit_signed_by_another_key_is_refused(signed_run):
    """The same FIT signed by another key that has the trusted key's name
    (key-name-hint dev): REMOTE_FW_EFITSIG."""
    _, signed, _ = signed_run
    check_refused(log(signed, "combined-other"), signed, "combined-other", "REMOTE_FW_EFITSIG")


def test_unsigned_fit_is_refused(signed_run):
    """`make run`'s FIT (no signature node) given to the signed bootstrap:
    REMOTE_FW_EFITUNSIGNED."""
    _, signed, _ = signed_run
    check_refused(log(signed, "combined-unsigned"), signed, "combined-unsigned",
                  "REMOTE_FW_EFITUNSIGNED")


def test_flipped_kernel_with_recomputed_hashes_is_refused(signed_run, tmp_path):
    """The attacker's next step: the flipped kernel with its sha256 hash value
    recomputed (fdtput, in place), so every hash matches again (the sample's
    FIT has one hash per image): the signature covers that value,
    REMOTE_FW_EFITSIG."""
    need_tool("fdtput")
    build, signed, _ = signed_run
    fit = bytearray((signed / "linux-tampered.itb").read_bytes())
    kernel = (build / "linux" / "Image.gz").read_bytes()
    at = (signed / "linux.itb").read_bytes().find(kernel)
    assert at > 0
    data = bytes(fit[at:at + len(kernel)])
    assert data != kernel
    itb = tmp_path / "rehashed.itb"
    itb.write_bytes(bytes(fit))
    subprocess.run(["fdtput", "-t", "bx", str(itb), "/images/kernel/hash-1", "value",
                    *[f"{x:02x}" for x in hashlib.sha256(data).digest()]], check=True)
    assert itb.read_bytes().count(data) == 1       # fdtput packs the blob; the data stays
    # offline, the hashes now pass and the signature does not
    proc = run_bundle("verify", itb, "--key", signed / "keys" / f"{KEY}.pub.pem")
    assert proc.returncode == 1 and "[fit-sig-invalid]" in proc.stdout, proc.stdout + proc.stderr
    assert "fit-hash-mismatch" not in proc.stdout, proc.stdout
    bs = bundle(signed / "bootstrap.elf", itb, tmp_path / "bootstrap-fit-rehashed.elf", "--name", "linux_itb")
    combined = bundle(build / "host.elf", bs, tmp_path / "combined-rehashed.elf", "--name", "bootstrap_elf")
    b = qemu_boot([*QEMU, "-kernel", str(combined)], timeout=BOOT_TIMEOUT)
    assert not b.timed_out and b.returncode == 0, b
    start = check_until_handover(b, combined, bs)
    i = check_bootstrap_start(b, start)
    assert RE_REQUIRED.match(b.lines[i + 1]), b
    m = RE_REFUSED.match(b.lines[i + 2])
    assert m and m["name"] == "REMOTE_FW_EFITSIG", b
    assert int(RE_STOPPED.match(b.lines[i + 4])["rc"]) == kit_codes()["REMOTE_FW_EFITSIG"], b
    assert not any("Booting Linux" in ln for ln in b.lines), b


def test_bootstrap_key_is_the_key_mkimage_wrote(signed_run):
    """The C key the bootstrap was built with (fit_key.h, from the public
    PEM) is the key mkimage -K wrote into U-Boot's control DTB for the
    same signing key: same modulus, exponent and size, required for
    configurations."""
    need_tool("fdtget")
    _, signed, _ = signed_run
    header = (signed / "fit_key.h").read_text()
    modulus = bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", header.split("{", 1)[1]))
    exponent = int(re.search(r"#define FIT_KEY_EXPONENT (\d+)u", header)[1])

    def fdtget(prop: str, kind: str) -> str:
        return subprocess.run(["fdtget", "-t", kind, str(signed / "pubkey.dtb"), f"/signature/key-{KEY}",
                               prop], capture_output=True, text=True, check=True).stdout.strip()

    words = [int(w, 16) for w in fdtget("rsa,modulus", "x").split()]
    assert b"".join(w.to_bytes(4, "big") for w in words) == modulus
    assert len(modulus) == 256 and modulus[0] & 0x80
    assert int(fdtget("rsa,num-bits", "u")) == 2048
    hi, lo = (int(w) for w in fdtget("rsa,exponent", "u").split())
    assert (hi << 32 | lo) == exponent == 65537
    assert fdtget("required", "s") == "conf"
    assert fdtget("algo", "s") == "sha256,rsa2048"
