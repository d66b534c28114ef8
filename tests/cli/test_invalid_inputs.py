"""Bad input through the real CLI: exit code, one-line message, no traceback,
no output file, no temporary file, and every input unchanged.

The corpus tests/data/invalid/invalid_<reason>.elf is made by make_invalid.py
beside it; each file must be listed here with what it gives.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from tests.support.paths import DATA

from tests.support.cli import run_bundle
from tests.support.elf import HostSpec, build_host, build_remote

INVALID = DATA / "invalid"

# reason -> (exit code, regex the message must match)
CASES = {
    "not_elf": (3, r"not an ELF file \(no \\x7fELF magic at offset 0x0, 140 bytes\)"),
    "empty": (3, r"not an ELF file .* 0 bytes"),
    "truncated_ident": (3, r"not an ELF file .* 10 bytes"),
    "truncated_header": (3, r"truncated: 40 bytes, shorter than the ELF header \(52 bytes\)"),
    "truncated_half": (3, r"section header table at offset 0x[0-9a-f]+ \(\d+ bytes\) runs past the end"),
    "bad_class": (3, r"unknown ELF class 7"),
    "bad_data_encoding": (3, r"unknown ELF data encoding 9"),
    "bad_version": (3, r"unsupported ELF version 5"),
    "absurd_phnum": (3, r"program header table at offset 0x34 \(2097088 bytes\) runs past the end"),
    "absurd_shnum": (3, r"section header table .* runs past the end"),
    "phoff_past_end": (3, r"program header table at offset 0x7ffffff0"),
    "shoff_past_end": (3, r"section header table at offset 0xffffff00"),
    "bad_phentsize": (3, r"e_phentsize is 7, expected 32"),
    "bad_shentsize": (3, r"e_shentsize is 3, expected 40"),
    "shstrndx_out_of_range": (3, r"e_shstrndx 200 is not below the section count"),
    "segment_past_end": (3, r"segment 0 \(PT_LOAD\) data at offset 0x1000 \(268435456 bytes\)"),
    "filesz_above_memsz": (3, r"segment 1 .* p_filesz 16 > p_memsz 1"),
    "segment_wraps": (3, r"wraps around the address space"),
    "section_past_end": (3, r"section 1 data at offset 0x7ffffff0"),
    "symtab_bad_entsize": (3, r"sh_entsize 5, expected 16"),
    "relocatable_host": (3, r"not a linked executable .*bundle object"),
    "descriptor_bad_magic": (3, r"corrupt descriptor at 0x[0-9a-f]+ in section remote_fw_desc"),
    "descriptor_not_loaded": (3, r"descriptor remote_elf at 0x[0-9a-f]+ \(56 bytes\) is in no PT_LOAD's file "
                                 r"bytes: the values bundle writes would never reach the host"),
    "descriptor_dangling_name": (3, r"has a name pointer 0x90000000 that leads to no string"),
    "segment_misaligned": (3, r"segment 0 \(PT_LOAD at 0x0\) has p_align 0x6d, not a power of two"),
    "segments_overlap": (3, r"segments 0 and 1 overlap by LMA at 0x10"),
    "hosted_loads_unsorted": (3, r"segment 4 \(PT_LOAD at 0x1512\) follows a PT_LOAD at 0x3746: this hosted "
                                 r"program's \(PT_PHDR\) PT_LOADs are not in ascending p_vaddr order"),
    "strtab_unterminated": (3, r"string table \(section 7\) does not end with a NUL byte"),
    "symbol_in_no_section": (3, r"symbol \d+ has section index 2042, but there are only \d+ sections"),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean_failure(proc, code, pattern, out: Path, inputs):
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if not l.startswith("bundle: warning:")]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("bundle: error: ")
    assert re.search(pattern, lines[0]), lines[0]
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")], "temporary file left"
    for path, before in inputs:
        assert digest(path) == before, f"{path} changed"


def test_every_corpus_file_is_listed():
    on_disk = {p.name[len("invalid_"):-len(".elf")] for p in INVALID.glob("invalid_*.elf")}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("reason", sorted(CASES))
def test_invalid_host(reason, tmp_path):
    code, pattern = CASES[reason]
    host = INVALID / f"invalid_{reason}.elf"
    remote = tmp_path / "remote.elf"
    remote.write_bytes(build_remote())
    out = tmp_path / "out.elf"
    inputs = [(host, digest(host)), (remote, digest(remote))]
    proc = run_bundle(host, remote, "-o", out)
    assert_clean_failure(proc, code, pattern, out, inputs)
    assert str(host) in proc.stderr      # the message names the file


@pytest.fixture
def host_and_remote(tmp_path):
    host = tmp_path / "host.elf"
    host.write_bytes(build_host(HostSpec(slot=(0x3C0000, 0x3C1000))))
    remote = tmp_path / "remote.elf"
    remote.write_bytes(build_remote())
    return host, remote


def _inputs(*paths):
    return [(p, digest(p)) for p in paths]


def test_missing_host(tmp_path, host_and_remote):
    _, remote = host_and_remote
    out = tmp_path / "out.elf"
    proc = run_bundle(tmp_path / "nope.elf", remote, "-o", out)
    assert_clean_failure(proc, 3, r"nope\.elf: no such file; check the path of the host ELF", out,
                         _inputs(remote))


def test_missing_remote(tmp_path, host_and_remote):
    host, _ = host_and_remote
    out = tmp_path / "out.elf"
    proc = run_bundle(host, tmp_path / "gone.elf", "-o", out)
    assert_clean_failure(proc, 3, r"gone\.elf: no such file", out, _inputs(host))


def test_empty_remote(tmp_path, host_and_remote):
    host, _ = host_and_remote
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    out = tmp_path / "out.elf"
    proc = run_bundle(host, empty, "-o", out)
    assert_clean_failure(proc, 3, r"empty\.bin: is empty \(0 bytes\)", out, _inputs(host, empty))


@pytest.mark.parametrize("which", ["host", "remote"])
def test_output_equal_to_an_input_is_refused(tmp_path, host_and_remote, which):
    host, remote = host_and_remote
    target = host if which == "host" else remote
    inputs = _inputs(host, remote)
    proc = run_bundle(host, remote, "-o", target)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert re.search(r"output .* is the input", proc.stderr)
    for path, before in inputs:
        assert digest(path) == before
    # the same file by another path is caught too
    link = tmp_path / "alias.elf"
    os.link(target, link)
    proc = run_bundle(host, remote, "-o", link)
    assert proc.returncode == 2


def test_remote_that_loads_onto_the_host_is_refused(tmp_path, host_and_remote):
    host, _ = host_and_remote
    remote = tmp_path / "onto_host.elf"
    remote.write_bytes(build_remote(paddr=0x20000000))      # the host's RAM
    out = tmp_path / "out.elf"
    proc = run_bundle(host, remote, "-o", out)
    assert_clean_failure(proc, 4, r"onto_host\.elf: segment 0 loads at 0x20000000 \(32 bytes\), onto segment 1 "
                                  r"\(PT_LOAD, VMA 0x20000000-0x20000110\).*would overwrite the host",
                         out, _inputs(host, remote))


def test_overlap_with_explicit_address(tmp_path, host_and_remote):
    host, remote = host_and_remote
    out = tmp_path / "out.elf"
    proc = run_bundle(host, remote, "-o", out, "--address", "0x0")
    assert_clean_failure(proc, 4, r"image remote_elf .* at 0x0 \(\d+ bytes\) would overlap segment 0 "
                                  r"\(PT_LOAD, LMA 0x0-0x[0-9a-f]+\)", out, _inputs(host, remote))


def test_too_big_for_the_slot(tmp_path, host_and_remote):
    host, _ = host_and_remote
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(0x1000 + 24))
    out = tmp_path / "out.elf"
    proc = run_bundle(host, big, "-o", out)
    assert_clean_failure(proc, 4, r"does not fit in the slot 0x3c0000-0x3c1000 \(4096 bytes\): 24 bytes short",
                         out, _inputs(host, big))


@pytest.mark.parametrize("args,pattern", [
    (["--align", "3"], r"--align 3 is not a power of two"),
    (["--address", "0xZZ"], r"--address '0xZZ' is not a number"),
    (["--region", "0x100"], r"is not START:SIZE"),
    (["--name", "bad-name"], r"invalid stem 'bad-name'"),
    (["--name", "a", "--name", "b"], r"2 --name for 1 remotes"),
    (["--bogus"], r"unrecognized arguments: --bogus"),
])
def test_usage_errors(tmp_path, host_and_remote, args, pattern):
    host, remote = host_and_remote
    out = tmp_path / "out.elf"
    proc = run_bundle(host, remote, "-o", out, *args)
    assert_clean_failure(proc, 2, pattern, out, _inputs(host, remote))


def test_missing_output_option(host_and_remote):
    host, remote = host_and_remote
    proc = run_bundle(host, remote)
    assert proc.returncode == 2 and "-o/--output" in proc.stderr and "Traceback" not in proc.stderr


def test_output_directory_missing(tmp_path, host_and_remote):
    host, remote = host_and_remote
    out = tmp_path / "no" / "such" / "dir" / "out.elf"
    proc = run_bundle(host, remote, "-o", out)
    assert proc.returncode == 5 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_debug_brings_the_traceback_back(tmp_path):
    proc = run_bundle(INVALID / "invalid_not_elf.elf", INVALID / "invalid_empty.elf", "-o",
                      tmp_path / "o.elf", "--debug")
    assert proc.returncode == 3 and "Traceback" in proc.stderr


def test_success_writes_output_with_host_mode(tmp_path, host_and_remote):
    host, remote = host_and_remote
    os.chmod(host, 0o755)
    out = tmp_path / "out.elf"
    proc = run_bundle(host, remote, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_mode & 0o777 == 0o755
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.elf.")]


def test_a_reader_that_goes_away_is_no_error(tmp_path, host_and_remote):
    """bundle inspect x.elf | head: exit 141 quietly, as a program killed by SIGPIPE would."""
    import subprocess
    import sys
    host, remote = host_and_remote
    out = tmp_path / "out.elf"
    assert run_bundle(host, remote, "-o", out).returncode == 0
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, "-m", "bundler", "inspect", str(out), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()                     # the reader is gone before the first write
    err = proc.stderr.read().decode()
    assert proc.wait() == 141, err
    assert err == ""
