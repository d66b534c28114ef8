"""The kit's OpenAMP image store against real OpenAMP (x86-64 user space).

libmetal and open-amp come from the pinned sources (../shared/third_party or
OPENAMP_SRC/LIBMETAL_SRC), built with ASan and UBSan like the test program.

- each sample remote, embedded with `bundle object --target x86_64`, found by
  stem and also given to remote_fw_store_init: remoteproc_load returns 0, the
  resource table is found (and lies where the remote's RAM holds it), the
  boot address is e_entry, remoteproc_start runs the start op, and the RAM is
  byte for byte what the kit's own remote_fw_load writes;
- the hostile corpus (tests/support/openamp_corpus.py): every image refused by remoteproc_load with
  the store, with the expected REMOTE_FW_E... reason, nothing written to the
  remote's RAM, no sanitizer report;
- the same images behind a store that only bounds-checks (OpenAMP alone): the
  table of what OpenAMP does without the kit's checks, so the corpus is shown
  to reach OpenAMP's weak spots;
- sources absent: skip with the reason, or fail under CI=true.
"""

from __future__ import annotations

import re
import struct
import subprocess

import pytest

from tests.support import openamp as ob
from tests.support import openamp_corpus as hostile
from tests.support.openamp import STEMS
from tests.support.paths import KIT_SOURCES, SAMPLES

pytestmark = pytest.mark.toolchain

SANITIZER = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
             "SUMMARY: UndefinedBehaviorSanitizer")
E = ob.error_codes()
CODES = {v: k for k, v in E.items()}


def run(cmd, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)


def fields(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


def e_entry(data: bytes) -> int:
    return struct.unpack_from("<Q" if data[4] == 2 else "<I", data, 24)[0]


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_sample_loads_as_the_kit_loads_it(stem, openamp_host, kit_ref, tmp_path):
    elf = SAMPLES / STEMS[stem] / "prebuilt" / "remote.elf"
    data = elf.read_bytes()
    start, size = hostile.window(data)
    got, ref = tmp_path / "openamp.bin", tmp_path / "kit.bin"

    proc = run([openamp_host, "load", hex(start), hex(size), got, stem])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and not any(m in out for m in SANITIZER), out
    lines = [fields(line) for line in proc.stdout.splitlines() if line.startswith(f"load {stem} via=")]
    assert [ln["via"] for ln in lines] == ["stem", "image"], out
    rsc_off, rsc_size = hostile.Elf(data).rsc()
    rsc_addr = hostile.Elf(data).get("shdr", "sh_addr", hostile.Elf(data).section(".resource_table"))
    for ln in lines:
        assert ln["rc"] == "0" and ln["store"] == "0", out
        assert int(ln["entry"], 16) == e_entry(data), out
        assert ln["start"] == "1", out
        # the table OpenAMP kept is the loaded one, at sh_addr in the remote's RAM
        assert int(ln["rsc"]) == rsc_addr - start and int(ln["rsc_len"]) == rsc_size, out
    assert f"load {stem} same=1" in proc.stdout, out

    proc = run([kit_ref, hex(start), hex(size), elf, ref])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert fields(proc.stdout)["entry"] == hex(e_entry(data))
    assert got.read_bytes() == ref.read_bytes()
    # and the load did something: every PT_LOAD's bytes are in the RAM
    e = hostile.Elf(data)
    ram = got.read_bytes()
    for i in e.loads():
        off, paddr = e.get("phdr", "p_offset", i), e.get("phdr", "p_paddr", i)
        filesz, memsz = e.get("phdr", "p_filesz", i), e.get("phdr", "p_memsz", i)
        assert ram[paddr - start:paddr - start + filesz] == data[off:off + filesz]
        assert ram[paddr - start + filesz:paddr - start + memsz].strip(b"\0") == b""
    assert rsc_off  # the table was in the file


@pytest.mark.parametrize("base", sorted(hostile.BASES))
def test_hostile_corpus_refused_with_a_reason(base, openamp_host, tmp_path):
    cases = hostile.cases_for(base)
    start, size = hostile.window(hostile.BASES[base].read_bytes())
    paths = []
    for name, data, _ in cases:
        p = tmp_path / f"invalid_{name}.elf"
        p.write_bytes(data)
        paths.append(p)
    proc = run([openamp_host, "hostile", hex(start), hex(size), *paths])
    out = proc.stdout + proc.stderr
    for marker in SANITIZER:
        assert marker not in out, out[-4000:]
    assert proc.returncode == 0, out[-4000:]
    results = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"hostile \S*/invalid_(\S+)\.elf rc=(-?\d+) store=(-?\d+) \((.*)\) wrote=(\d+)$", line)
        assert m, line
        results[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4), int(m.group(5)))
    assert len(results) == len(cases)
    wrong = []
    for name, _, want in cases:
        rc, code, msg, wrote = results[name]
        if rc >= 0 or CODES.get(code) != want or wrote != 0 or msg == "unknown error":
            wrong.append(f"{name}: rc={rc} store={code} ({CODES.get(code)}, {msg}) wrote={wrote}, "
                         f"want {want}")
    assert not wrong, "\n".join(wrong)


# remote_fw_store_ops called directly: (returned, remote_fw_store_error after the call)
CONTRACT = {
    "init-null-store": ("EINVAL", "OK"),
    "init-image-without-base": ("EINVAL", "EINVAL"),
    "load-before-open": ("EINVAL", "EINVAL"),
    "open-null-path-no-image": ("EINVAL", "EINVAL"),
    "open-unknown-stem": ("ENOENT", "ENOENT"),
    "open-stem": ("SIZE", "OK"),
    "load-offset-at-end": ("EBOUNDS", "EBOUNDS"),
    "load-past-end": ("EBOUNDS", "EBOUNDS"),
    "load-offset-wraps": ("EBOUNDS", "EBOUNDS"),
    "load-zero-bytes": ("EBOUNDS", "EBOUNDS"),
    "load-null-data": ("EINVAL", "EINVAL"),
    "load-pointer": (56, "EINVAL"),        # exactly size; the last refusal stays until open
    "copy-no-io": ("EIO", "EIO"),
    "copy-below-io": ("EIO", "EIO"),
    "copy-across-io-end": ("EIO", "EIO"),
    "copy-pa-wraps": ("EIO", "EIO"),
    "copy": (128, "EIO"),
    "load-after-close": ("EINVAL", "EINVAL"),
    "reopen-clears-error": ("SIZE", "OK"),
    "open-checksum-ok": (1, "OK"),          # ret == image size
    "open-checksum-wrong": ("ECSUM", "ECSUM"),
}


def test_store_contract(openamp_host):
    """open/load/close at the edges of OpenAMP's image_store_ops contract: a
    pointer or a copy of exactly `size` bytes, or a negative REMOTE_FW_E...
    code; never 0 or a short count; a recorded checksum is checked."""
    data = (SAMPLES / STEMS["aarch64_amp_remote"] / "prebuilt" / "remote.elf").read_bytes()
    start, size = hostile.window(data)
    proc = run([openamp_host, "contract", hex(start), hex(size)])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and not any(m in out for m in SANITIZER), out
    got = {m.group(1): (int(m.group(2)), int(m.group(3)))
           for m in re.finditer(r"^contract (\S+) ret=(-?\d+) error=(-?\d+)$", proc.stdout, re.M)}
    want = {k: (len(data) if r == "SIZE" else E[r] if isinstance(r, str) else r, E[e])
            for k, (r, e) in CONTRACT.items()}
    assert got == want, out
    for line in ("contract features=1 seek=1", "contract open-stem size=1 base=1",
                 "contract load-pointer at=1", "contract copy same=1 before=1 after=1"):
        assert line in proc.stdout, out


# What OpenAMP (23d4c5d, libmetal bd97c9a) does with the same images behind a
# store that checks only offset + size <= file size (measured with ASan and UBSan).
OPENAMP_ALONE = {
    "e_phoff-wraps": "sanitizer",           # elf_load_header: pointer arithmetic wraps
    "e_phentsize-8": "sanitizer",           # elf_parse_segment reads past the phdr copy
    "rsc-entry-outside-table": "sanitizer",  # handle_rsc_table reads past the table copy
    "vdev-200-vrings": "sanitizer",         # handle_vdev_rsc walks 200 vrings
    "sh_name-outside-shstrtab": "sanitizer",  # strcmp past .shstrtab
    "shstrtab-2GiB": "sanitizer",           # negative int size: NULL copy
    "p_filesz-gt-p_memsz": "success",       # loads it silently
    "rsc-table-outside-file": "success",    # succeeds, no resource table
    "p_memsz-0": "error",                   # fails with no reason (no mapping for 0 bytes)
}


@pytest.mark.parametrize("case", sorted(OPENAMP_ALONE))
def test_openamp_alone_on_the_corpus(case, openamp_host, tmp_path):
    name, data, _ = next(c for c in hostile.cases_for("elf64") if c[0] == f"elf64-{case}")
    start, size = hostile.window(hostile.BASES["elf64"].read_bytes())
    p = tmp_path / f"{name}.elf"
    p.write_bytes(data)
    proc = run([openamp_host, "bare", hex(start), hex(size), p])
    out = proc.stdout + proc.stderr
    if any(m in out for m in SANITIZER):
        seen = "sanitizer"
    else:
        rc = int(fields(proc.stdout)["rc"])
        seen = "success" if rc == 0 else "error"
    assert seen == OPENAMP_ALONE[case], out[-3000:]


def test_absent_sources_skip_outside_ci_and_fail_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAMP_SRC", str(tmp_path / "no-open-amp.tar.gz"))
    monkeypatch.setenv("LIBMETAL_SRC", str(tmp_path / "no-libmetal"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="OPENAMP_SRC and LIBMETAL_SRC"):
        ob.need_sources()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="OpenAMP sources absent"):
        ob.need_sources()


def test_sources_may_be_directories(monkeypatch, tmp_path):
    """OPENAMP_SRC/LIBMETAL_SRC as unpacked source trees build as well as tarballs."""
    openamp, libmetal = ob.need_sources()
    dirs = {}
    for env, src in (("OPENAMP_SRC", openamp), ("LIBMETAL_SRC", libmetal)):
        dirs[env] = src if src.is_dir() else ob._source_dir(src, tmp_path)
        monkeypatch.setenv(env, str(dirs[env]))
    assert ob.sources() == (dirs["OPENAMP_SRC"], dirs["LIBMETAL_SRC"])
    monkeypatch.setattr(ob, "CACHE", tmp_path / "cache")
    prefix = ob.build_libs()
    assert (prefix / "lib" / "libopen_amp.a").stat().st_size > 0
    assert (prefix / "include" / "openamp" / "remoteproc.h").exists()


def test_docs_host_example_compiles(openamp_prefix, tmp_path):
    """docs/kit.md's complete host compiles, warning-free, against real OpenAMP."""
    doc = (ob.ROOT / "docs" / "kit.md").read_text()
    section = doc[doc.index("### A complete host"):]
    code = re.search(r"```c\n(.*?)```", section, re.S).group(1)
    src = tmp_path / "host_example.c"
    src.write_text(code)
    ob.compile_c(tmp_path / "host_example.o", [src], openamp_prefix, ["-c"], libs=False)


@pytest.mark.parametrize("src", KIT_SOURCES, ids=lambda p: p.name)
def test_kit_core_includes_nothing_of_openamp(src):
    """The kit's units stay freestanding: their only headers are the kit's own
    and the compiler's <stddef.h>/<stdint.h>; OpenAMP lives in remote_fw_openamp.c."""
    ob.need_tool("gcc")
    proc = run(["gcc", "-std=c99", "-ffreestanding", "-nostdinc", "-isystem",
                run(["gcc", "-print-file-name=include"]).stdout.strip(), f"-I{ob.KIT}", "-M", src])
    assert proc.returncode == 0, proc.stderr
    deps = {p.rsplit("/", 1)[-1] for p in proc.stdout.replace("\\\n", " ").split()[1:]}
    kit = {"remote_fw.c", "remote_fw.h", "remote_fw_bounds.h", "remote_fw_crc32.c", "remote_fw_crc32.h", "remote_fw_crc32_tables.h",
           "remote_fw_elf.c", "remote_fw_elf.h", "remote_fw_rsc.c"}
    assert deps <= kit | {"stddef.h", "stdint.h", "stdint-gcc.h"}, deps
