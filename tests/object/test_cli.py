"""`bundle object` through the real CLI: options, warnings, and bad input
(exit code, one-line message, no output file, no temporary file left behind,
inputs unchanged).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from bundler.elf.reader import parse_elf
from bundler.elf import spec
from bundler.prelink.object import TARGETS, Target, make_object
from tests.support.paths import SAMPLES
from tests.support.cli import run_bundle
from tests.support.elf import build_host, build_remote

PREBUILT_REMOTE = SAMPLES / "cortex-m3" / "prebuilt" / "remote.elf"


def symbols_of(path: Path) -> list[str]:
    return [s.name for s in parse_elf(path.read_bytes()).symbols if s.name]


def test_stem_from_base_name_wherever_it_runs(tmp_path):
    """objcopy names symbols after the path as typed; bundle object after the
    base name, so the object does not depend on the directory it ran from."""
    sub = tmp_path / "build" / "fw"
    sub.mkdir(parents=True)
    (sub / "remote.elf").write_bytes(PREBUILT_REMOTE.read_bytes())
    a, b = tmp_path / "a.o", tmp_path / "b.o"
    assert run_bundle("object", "build/fw/remote.elf", "-o", a, "--target", "arm",
                      cwd=tmp_path).returncode == 0
    assert run_bundle("object", "./remote.elf", "-o", b, "--target", "arm", cwd=sub).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    assert symbols_of(a) == ["_binary_remote_elf_start", "_binary_remote_elf_end", "_binary_remote_elf_size"]


def test_name_section_align_and_verbose(tmp_path):
    remote = tmp_path / "r5 image.bin"
    remote.write_bytes(b"\x01" * 100)
    out = tmp_path / "r5.o"
    proc = run_bundle("object", remote, "-o", out, "--target", "riscv64", "--name", "r5_fw",
                      "--section", ".rodata.r5", "--align", "0x1000", "-v")
    assert proc.returncode == 0, proc.stderr
    assert "r5_fw: 100 bytes in .rodata.r5 (align 4096)" in proc.stderr
    assert f"wrote {out}" in proc.stderr
    assert out.read_bytes() == make_object(b"\x01" * 100, "r5_fw", TARGETS["riscv64"],
                                           section=".rodata.r5", align=4096).to_bytes()
    # without --name: the mangled base name
    run_bundle("object", remote, "-o", out, "--target", "riscv64", check=True)
    assert symbols_of(out)[0] == "_binary_r5_image_bin_start"


def test_like_uses_the_objects_header(tmp_path):
    like = tmp_path / "main.o"
    odd = Target(name="x", elfclass=spec.ELFCLASS32, elfdata=spec.ELFDATA2LSB,
                 e_machine=spec.EM_ARM, e_flags=0x5000400, gnu_stack=True)
    like.write_bytes(make_object(b"x", "t", odd).to_bytes())
    remote = tmp_path / "remote.bin"
    remote.write_bytes(b"\x02" * 33)
    out = tmp_path / "remote.o"
    proc = run_bundle("object", remote, "-o", out, "--like", like)
    assert proc.returncode == 0 and proc.stderr == ""
    assert out.read_bytes() == make_object(b"\x02" * 33, "remote_bin", odd).to_bytes()


def test_deterministic_and_quiet_for_a_good_remote(tmp_path):
    outs = []
    for i in range(2):
        out = tmp_path / f"{i}.o"
        proc = run_bundle("object", PREBUILT_REMOTE, "-o", out, "--target", "arm")
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_any_file_no_warning(tmp_path):
    dtb = tmp_path / "board.dtb"
    dtb.write_bytes(b"\xd0\x0d\xfe\xed" + bytes(124))
    proc = run_bundle("object", dtb, "-o", tmp_path / "dtb.o", "--target", "aarch64")
    assert proc.returncode == 0 and proc.stderr == ""


def test_warns_about_hard_to_load_elf(tmp_path):
    remote = tmp_path / "remote.elf"
    remote.write_bytes(build_remote())                       # PT_LOAD, but no .resource_table
    out = tmp_path / "remote.o"
    proc = run_bundle("object", remote, "-o", out, "--target", "arm")
    assert proc.returncode == 0 and out.is_file()
    assert proc.stderr.splitlines() == [
        f"bundle: warning: {remote} has no .resource_table section: Linux remoteproc refuses it "
        "and remote_fw_rsc_table returns REMOTE_FW_ENORSC"]
    obj = tmp_path / "obj.elf"                               # an object: no PT_LOAD either
    obj.write_bytes(make_object(b"x", "x", TARGETS["arm"]).to_bytes())
    proc = run_bundle("object", obj, "-o", tmp_path / "o.o", "--target", "arm")
    lines = proc.stderr.splitlines()
    assert proc.returncode == 0 and len(lines) == 3 and all(l.startswith("bundle: warning: ") for l in lines)
    assert "no PT_LOAD segment" in proc.stderr


# ---- bad input ------------------------------------------------------------------------

def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _setup(tmp_path: Path) -> dict[str, Path]:
    files = {
        "remote": tmp_path / "remote.elf",
        "empty": tmp_path / "empty.bin",
        "text": tmp_path / "notes.txt",
        "exe": tmp_path / "host.elf",
        "pie": tmp_path / "host-pie.elf",
    }
    files["remote"].write_bytes(PREBUILT_REMOTE.read_bytes())
    files["empty"].write_bytes(b"")
    files["text"].write_bytes(b"not an object\n")
    files["exe"].write_bytes(build_host())
    files["pie"].write_bytes(build_host(e_type=spec.ET_DYN))
    return files


# argv (with {name} for the files above and {out} for the output) -> exit code, message regex
BAD = {
    "missing_file": ("{tmp}/nope.elf -o {out} --target arm", 3, r"nope\.elf: no such file"),
    "directory": ("{tmp} -o {out} --target arm", 3, r": is a directory"),
    "empty_file": ("{empty} -o {out} --target arm", 3, r"empty\.bin: is empty \(0 bytes\)"),
    "unknown_target": ("{remote} -o {out} --target mips", 2,
                       r"unknown target 'mips'; choose one of arm, armeb, aarch64, riscv32, riscv64, "
                       r"x86_64, i386"),
    "no_target": ("{remote} -o {out}", 2, r"one of the arguments --target --like is required"),
    "both": ("{remote} -o {out} --target arm --like {exe}", 2, r"not allowed with argument"),
    "no_output": ("{remote} --target arm", 2, r"-o/--output"),
    "like_missing": ("{remote} -o {out} --like {tmp}/main.o", 3, r"main\.o: no such file"),
    "like_not_elf": ("{remote} -o {out} --like {text}", 3, r"notes\.txt: not an ELF file"),
    "like_executable": ("{remote} -o {out} --like {exe}", 3,
                        r"host\.elf: not a relocatable object: e_type is ET_EXEC"),
    "like_shared": ("{remote} -o {out} --like {pie}", 3,
                    r"host-pie\.elf: not a relocatable object: e_type is ET_DYN"),
    "like_empty": ("{remote} -o {out} --like {empty}", 3, r"empty\.bin: not an ELF file"),
    "bad_align": ("{remote} -o {out} --target arm --align 6", 2, r"--align 6 is not a power of two"),
    "align_not_number": ("{remote} -o {out} --target arm --align eight", 2,
                         r"--align 'eight' is not a number"),
    "bad_name": ("{remote} -o {out} --target arm --name remote.elf", 2, r"invalid stem 'remote\.elf'"),
    "bad_section": ("{remote} -o {out} --target arm --section=", 2, r"invalid section name ''"),
    "output_is_input": ("{remote} -o {remote} --target arm", 2, r"is the input"),
    "output_is_like": ("{remote} -o {exe} --like {exe}", 2, r"is the input"),
    "output_dir_missing": ("{remote} -o {tmp}/no/such/dir/r.o --target arm", 5, r"does not exist"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input(tmp_path, case):
    argv, code, pattern = BAD[case]
    files = _setup(tmp_path)
    out = tmp_path / "out.o"
    before = {p: digest(p) for p in tmp_path.iterdir()}
    words = argv.format(tmp=tmp_path, out=out, **files).split()
    proc = run_bundle("object", *words)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bundle: error: "), proc.stderr
    assert re.search(pattern, lines[0]), lines[0]
    assert not out.exists()
    after = {p: digest(p) for p in tmp_path.iterdir()}
    assert after == before, "an input changed or a file was left behind"
