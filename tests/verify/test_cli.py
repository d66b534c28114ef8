"""The verify and extract commands as a user runs them: exit codes, the text and
JSON reports, each kind of damage with its own code and exit 1, and
extract(bundle(host, remote)) == remote."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.postlink import bundling as core
from bundler.postlink import descriptor as D
from bundler.postlink import images
from bundler.elf.reader import parse_elf
from bundler.cli import main
from bundler.elf import spec
from tests.support.paths import SAMPLES
from tests.support.cli import call_bundle, run_bundle
from tests.support.elf import ALL_KINDS, HostSpec, build_host, kind_id
from tests.support.rsc import build_remote_elf, rsc_table_bytes, sample_table, trace, vdev
from tests.support.patch import image_segment, move_symbol, patch, set_phdr

REMOTE = build_remote_elf(sample_table())


def write_bundle(tmp_path, remote=REMOTE, host=None, name="out.elf") -> tuple:
    h = tmp_path / "host.elf"
    h.write_bytes(host if host is not None else build_host())
    r = tmp_path / "remote.elf"
    r.write_bytes(remote)
    out = tmp_path / name
    assert main([str(h), str(r), "-o", str(out)]) == 0
    return out, r


def test_clean_bundle_exits_0_and_says_so(tmp_path):
    out, remote = write_bundle(tmp_path)
    proc = run_bundle("verify", out, "--remote", remote)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{out}: 1 image"
    assert lines[1].startswith("  remote_elf: 0x") and "post-link" in lines[1]
    assert lines[-1] == "verify: ok (0 errors, 0 warnings)"


def test_json_report(tmp_path, capsys):
    out, remote = write_bundle(tmp_path)
    rc, stdout, _ = call_bundle("verify", out, "--remote", remote, "--json")
    assert rc == 0
    report = json.loads(stdout)
    assert report["ok"] is True and report["errors"] == 0 and report["findings"] == []
    (img,) = report["images"]
    elf = parse_elf(out.read_bytes())
    assert img["address"] == elf.find_symbol("_binary_remote_elf_start").st_value
    assert img["size"] == len(REMOTE) and img["lma"] == img["address"]


def damage_descriptor(data: bytes) -> bytes:
    elf = parse_elf(data)
    d = D.find_descriptor(elf, "remote_elf")
    return patch(data, d.offset + D.OFF_BASE, elf.layout.u64.pack(d.base + 8))


def damage_overlap(data: bytes) -> bytes:
    elf = parse_elf(data)
    return set_phdr(data, image_segment(elf), p_paddr=elf.segments[0].p_paddr)


DAMAGE = {
    "descriptor-mismatch": damage_descriptor,
    "symbol-mismatch": lambda data: move_symbol(data, "_binary_remote_elf_start", -8),
    "segment-overlap": damage_overlap,
}

BAD_REMOTES = {
    "rsc-truncated": build_remote_elf(sample_table()[:-30]),
}
# tables Linux loads: what OpenAMP or the kit would do is said, the bundle verifies (issue 17)
LOADED_REMOTES = {
    "rsc-notifyid-duplicate": ("note", build_remote_elf(rsc_table_bytes(
        [trace(), vdev(notifyid=0, vrings=((0x20300000, 0x1000, 16, 0, 0), (0x20304000, 0x1000, 16, 1, 0)))]))),
    "rsc-unknown-type": ("warning", build_remote_elf(rsc_table_bytes([trace(), b"\x05\x00\x00\x00" + bytes(12)]))),
}


@pytest.mark.parametrize("code", list(DAMAGE))
def test_damaged_bundle_gives_its_code_and_exit_1(tmp_path, capsys, code):
    out, _ = write_bundle(tmp_path)
    bad = tmp_path / "bad.elf"
    bad.write_bytes(DAMAGE[code](out.read_bytes()))
    rc, stdout, _ = call_bundle("verify", bad, "--json")
    assert rc == 1
    report = json.loads(stdout)
    assert code in {f["code"] for f in report["findings"] if f["severity"] == "error"}
    assert report["ok"] is False and report["errors"] >= 1


@pytest.mark.parametrize("code", list(BAD_REMOTES))
def test_bad_remote_gives_its_code_and_exit_1(tmp_path, capsys, code):
    out, _ = write_bundle(tmp_path, remote=BAD_REMOTES[code])
    rc, stdout, _ = call_bundle("verify", out)
    assert rc == 1
    assert f"[{code}]" in stdout and stdout.splitlines()[-1].startswith("verify: FAILED")


@pytest.mark.parametrize("code", list(LOADED_REMOTES))
def test_remote_linux_loads_verifies_with_a_note_or_warning(tmp_path, capsys, code):
    """STM32Cube/Zephyr's table (vdev and vring 0 notify id 0) and TI's type 5 fail no bundle."""
    severity, remote = LOADED_REMOTES[code]
    out, _ = write_bundle(tmp_path, remote=remote)
    rc, stdout, _ = call_bundle("verify", out)
    assert rc == 0, stdout
    line = next(line for line in stdout.splitlines() if f"[{code}]" in line)
    assert line.startswith(f"{severity}: remote_elf: ")
    assert stdout.splitlines()[-1].startswith("verify: ok (0 errors")


def test_flipped_byte_and_wrong_remote_exit_1(tmp_path):
    out, remote = write_bundle(tmp_path)
    data = bytearray(out.read_bytes())
    elf = parse_elf(bytes(data))
    at = elf.find_section(".remote_fw.remote_elf").hdr.sh_offset + 100
    data[at] ^= 0x01
    bad = tmp_path / "flipped.elf"
    bad.write_bytes(bytes(data))
    proc = run_bundle("verify", bad, "--remote", remote)
    assert proc.returncode == 1
    assert "[descriptor-crc]" in proc.stdout and "[remote-mismatch]" in proc.stdout


def test_warnings_never_change_the_exit_status(tmp_path, capsys):
    out, _ = write_bundle(tmp_path, remote=build_remote_elf(None))       # no resource table
    rc, stdout, _ = call_bundle("verify", out)
    assert rc == 0 and "[rsc-missing]" in stdout and stdout.endswith("verify: ok (0 errors, 1 warning)\n")


def test_unreadable_inputs_are_bad_input(tmp_path, capsys):
    junk = tmp_path / "junk.elf"
    junk.write_bytes(b"not an elf at all")
    rc, stdout, err = call_bundle("verify", junk)
    assert rc == 3 and stdout == "" and "junk.elf" in err and "not an ELF file" in err
    rc, _, err = call_bundle("verify", tmp_path / "missing.elf")
    assert rc == 3 and "no such file" in err
    out, _ = write_bundle(tmp_path)
    rc, _, err = call_bundle("verify", out, "--remote", tmp_path / "nope.elf")
    assert rc == 3 and "nope.elf" in err


# ---- extract ------------------------------------------------------------------------

def test_extract_gives_the_remote_back(tmp_path):
    out, remote = write_bundle(tmp_path)
    back = tmp_path / "back.elf"
    proc = run_bundle("extract", out, "--name", "remote_elf", "-o", back)
    assert proc.returncode == 0, proc.stderr
    assert back.read_bytes() == remote.read_bytes()


def test_extract_from_the_samples(tmp_path, capsys):
    prebuilt = SAMPLES / "cortex-m3" / "prebuilt"
    out = tmp_path / "out.elf"
    assert main([str(prebuilt / "host-slot.elf"), str(prebuilt / "remote-bad.elf"), "--name", "remote_elf",
                 "-o", str(out)]) == 0
    back = tmp_path / "back.elf"
    rc, _, _ = call_bundle("extract", out, "-o", back)        # the only image: no --name needed
    assert rc == 0 and back.read_bytes() == (prebuilt / "remote-bad.elf").read_bytes()


def test_extract_errors_leave_no_file(tmp_path, capsys):
    host = build_host(HostSpec(stems=("remote_elf", "dsp_fw")))
    h = tmp_path / "host.elf"
    h.write_bytes(host)
    a, b = tmp_path / "a.elf", tmp_path / "b.elf"
    a.write_bytes(REMOTE)
    b.write_bytes(build_remote_elf(None, text_addr=0x20400000))
    out = tmp_path / "two.elf"
    assert main([str(h), str(a), str(b), "--name", "remote_elf", "--name", "dsp_fw", "-o", str(out)]) == 0
    dest = tmp_path / "x.elf"
    rc, _, err = call_bundle("extract", out, "-o", dest)
    assert rc == 2 and "remote_elf, dsp_fw" in err and not dest.exists()
    rc, _, err = call_bundle("extract", out, "--name", "nothing", "-o", dest)
    assert rc == 3 and "carries no image nothing" in err and not dest.exists()
    rc, _, err = call_bundle("extract", h, "--name", "remote_elf", "-o", dest)
    assert rc == 3 and "declared, but not bundled" in err and not dest.exists()
    rc, _, err = call_bundle("extract", out, "--name", "dsp_fw", "-o", out)
    assert rc == 2 and "is the input" in err
    rc, _, _ = call_bundle("extract", out, "--name", "dsp_fw", "-o", dest)
    assert rc == 0 and dest.read_bytes() == b.read_bytes()


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(ALL_KINDS), st.binary(min_size=1, max_size=2048), st.sampled_from([1, 4, 8, 64]))
def test_extract_of_bundle_is_the_remote(kind, remote, align):
    machine = spec.EM_ARM if kind[0] == spec.ELFCLASS32 else spec.EM_AARCH64
    host = parse_elf(build_host(HostSpec(elfclass=kind[0], elfdata=kind[1], machine=machine)))
    out = core.bundle(host, [core.Remote(stem="remote_elf", data=remote, label="r")], align=align)
    stem, data = images.extract(parse_elf(out.to_bytes()), "remote_elf")
    assert stem == "remote_elf" and bytes(data) == remote


@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_extract_in_every_class_and_byte_order(kind):
    machine = spec.EM_ARM if kind[0] == spec.ELFCLASS32 else spec.EM_AARCH64
    host = parse_elf(build_host(HostSpec(elfclass=kind[0], elfdata=kind[1], machine=machine, gap=False)))
    out = core.bundle(host, [core.Remote(stem="remote_elf", data=REMOTE, label="r")])
    assert bytes(images.extract(parse_elf(out.to_bytes()), None)[1]) == REMOTE
