"""samples/cortex-m3 only (the tests every sample shares are in test_samples.py):
one core, so a damaged remote that the host has started ends the run itself,
with its verdict as the semihosting exit status.
"""

from __future__ import annotations

import pytest

from tests.support.paths import ROOT
from tests.support.tools import need_tool
from tests.e2e.conftest import BUNDLE_CMD, RE_ERROR, REMOTE_OK, make_sample
from tests.e2e.harness import CORTEX_M3, Sample, boot_with_bad_load

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]


@pytest.fixture
def sample() -> Sample:
    return CORTEX_M3


@pytest.mark.parametrize("damage", ["data", "bss"])
def test_remote_detects_a_bad_load(sample, built, tmp_path, damage):
    """The remote's own checks are real: a remote whose .data initial value was
    changed after linking reports data BAD; one whose PT_LOAD no longer covers
    .bss (so the loader leaves the host's 0xa5 fill there) reports bss BAD, and
    exits with the failed checks' bits."""
    need_tool(sample.qemu)
    b = boot_with_bad_load(sample, built, tmp_path, damage)
    assert b.returncode == {"data": 1, "bss": 2}[damage], b


def test_run_signed_boots_the_signed_remote_and_refuses_tampered_and_foreign(sample, built):
    """`make run-signed` (issue 19): the host built with -DREMOTE_FW_SIGNED_HOST and the
    key openssl made at build time boots the signed remote, and refuses the same
    output with one byte of the remote changed (REMOTE_FW_EDIGEST, after the load
    and its erasure) and one signed by another key (REMOTE_FW_ESIGNATURE); the same host
    linked with `bundle object --sign`'s object (pre-link) boots too."""
    need_tool(sample.qemu, "openssl")
    proc = make_sample(sample.name, built, "run-signed", BUNDLE=BUNDLE_CMD)
    runs = {}
    for part in proc.stdout.split("== boot ")[1:]:
        name = part.split("\n", 1)[0].rsplit("/", 1)[-1]
        runs[name] = part
    good = runs["combined-signed.elf"]
    assert "host: signed image accepted (counter >= 1)" in good and REMOTE_OK in good
    assert "== ok (exit 0)" in good
    tampered = runs["combined-signed-tampered.elf"]
    m = [RE_ERROR.match(line) for line in tampered.splitlines() if RE_ERROR.match(line)]
    assert m and m[0]["rc"] == "-46" and m[0]["msg"] == "loaded bytes differ from the signed hash: erased"
    assert REMOTE_OK not in tampered and "== ok (exit 46)" in tampered
    other = runs["combined-signed-other.elf"]
    m = [RE_ERROR.match(line) for line in other.splitlines() if RE_ERROR.match(line)]
    assert m and m[0]["rc"] == "-44" and m[0]["msg"] == "signature invalid or made by no trusted key"
    assert "== ok (exit 44)" in other
    prelink = runs["host-signed-object.elf"]
    assert "host: signed image accepted (counter >= 1)" in prelink and REMOTE_OK in prelink
    # the keys were made in the build directory, and the sample commits none
    assert (built / "keys" / "signing.pem").is_file()
    assert not list((ROOT / "samples" / "cortex-m3").rglob("*.pem"))
