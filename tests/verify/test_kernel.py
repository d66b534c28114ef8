"""`bundle verify --kernel`: the Linux version whose rules apply, named in the report; a file
that is not ELF judged with Linux's words when a loader is named (issue 17 item 2)."""

from __future__ import annotations

import json

import pytest

from bundler.elf.reader import parse_elf
from tests.support.cli import run_bundle
from tests.support.patch import patch
from tests.support.rsc import build_remote_elf, sample_table


def remote(tmp_path, data=None):
    path = tmp_path / "remote.elf"
    path.write_bytes(data if data is not None else build_remote_elf(sample_table()))
    return path


def shoff_at_end(data: bytes) -> bytes:
    lay = parse_elf(data).layout
    e_shoff_at = 0x20 if not lay.is64 else 0x28
    return patch(data, e_shoff_at, (lay.u32 if not lay.is64 else lay.u64).pack(len(data)))


@pytest.mark.parametrize("kernel,code,words", [
    ("6.1", "linux-shoff", "Image is too small"),
    ("6.12", "linux-shdr-count", "Section headers are out of bounds"),
])
def test_kernel_picks_the_rules_and_the_report_names_it(tmp_path, kernel, code, words):
    path = remote(tmp_path, shoff_at_end(build_remote_elf(sample_table())))
    proc = run_bundle("verify", path, "--kernel", kernel, "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["loader"]["kernel"] == kernel and report["loader"]["name"] == "linux"
    (hit,) = [f for f in report["findings"] if f["severity"] == "error"]
    assert hit["code"] == code and words in hit["message"]


def test_default_is_the_newest_modelled(tmp_path):
    report = json.loads(run_bundle("verify", remote(tmp_path), "--json").stdout)
    assert report["ok"] and report["loader"]["kernel"] == "6.12"
    text = run_bundle("verify", remote(tmp_path)).stdout
    assert "checked as Linux remoteproc (default ELF ops), Linux 6.12" in text.splitlines()[0]


def test_kernel_usage_errors(tmp_path):
    path = remote(tmp_path)
    proc = run_bundle("verify", path, "--kernel", "5.4")
    assert proc.returncode == 2 and "invalid choice: '5.4'" in proc.stderr
    proc = run_bundle("verify", path, "--loader", "uboot", "--kernel", "6.1")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "bundle: error: a kernel version applies to the linux loader, not to uboot; --kernel goes with "
        "--loader linux (the default)"]


def test_not_elf_is_judged_with_a_loader_named(tmp_path):
    path = tmp_path / "firmware.bin"
    path.write_bytes(b"\x00\x01\x02\x03" * 32)
    proc = run_bundle("verify", path, "--loader", "linux")
    assert proc.returncode == 1 and proc.stderr == ""
    assert 'the image starts with 00010203, not 7f454c46 ("Image is corrupted (bad magic); Boot failed: -22") ' \
           "[linux-bad-magic]" in proc.stdout
    assert run_bundle("verify", path, "--kernel", "6.1").returncode == 1
    assert run_bundle("verify", path).returncode == 3        # no loader named: bad input, as before
