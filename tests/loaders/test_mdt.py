"""Qualcomm split images (.mdt + .bNN), read as Linux's mdt loader reads them (issue 17 item 5).

The input is the Cortex-M3 sample's prebuilt remote (a real GNU ld output): its PT_LOADs
get the two program headers a Qualcomm image starts with (phdr 0: PT_NULL over the ELF
and program headers; phdr 1: the hash segment, p_flags type QCOM_MDT_TYPE_HASH), then
it is split as Qualcomm's pil-splitter splits it: X.mdt = ELF header + program headers
+ hash segment packed after them; X.bNN = segment NN's file bytes.
"""

from __future__ import annotations

import hashlib
import json

from bundler.elf import spec
from bundler.elf.reader import parse_elf
from bundler.elf.spec import Ehdr, Phdr
from bundler.loaders.mdt import QCOM_MDT_RELOCATABLE, QCOM_MDT_TYPE_HASH
from tests.support.cli import run_bundle
from tests.support.paths import ROOT

REMOTE = ROOT / "samples" / "cortex-m3" / "prebuilt" / "remote.elf"


def qualcomm_image(flags: int = 0) -> tuple[bytes, list[Phdr]]:
    """(whole ELF, its program headers): the remote's PT_LOADs after a header and a hash segment;
    ``flags`` added to each PT_LOAD's p_flags (QCOM_MDT_RELOCATABLE)."""
    src = parse_elf(REMOTE.read_bytes())
    lay = src.layout
    loads = [p for p in src.iter_loads() if p.p_memsz]
    phnum = 2 + len(loads)
    head = lay.ehdr.size + phnum * lay.phdr.size
    hash_blob = b"".join(hashlib.sha256(bytes(src.data[p.p_offset:p.p_offset + p.p_filesz])).digest()
                         for p in loads)
    at = 0x1000
    phdrs = [Phdr(spec.PT_NULL, 7 << 24, 0, 0, 0, head, 0, 0),
             Phdr(spec.PT_NULL, QCOM_MDT_TYPE_HASH, at, 0x9DF00000, 0x9DF00000, len(hash_blob), 0x1000, 0x1000)]
    blobs = [(at, hash_blob)]
    at = 0x2000
    for p in loads:
        phdrs.append(Phdr(spec.PT_LOAD, p.p_flags | flags, at, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz, 0x1000))
        blobs.append((at, bytes(src.data[p.p_offset:p.p_offset + p.p_filesz])))
        at = (at + p.p_filesz + 0xFFF) & ~0xFFF
    e = src.ehdr
    ehdr = Ehdr(e.e_ident, spec.ET_EXEC, e.e_machine, e.e_version, e.e_entry, lay.ehdr.size, 0, e.e_flags,
                lay.ehdr.size, lay.phdr.size, phnum, 0, 0, 0)
    out = bytearray(at)
    out[:lay.ehdr.size] = lay.ehdr.pack(ehdr)
    for i, p in enumerate(phdrs):
        at = lay.ehdr.size + i * lay.phdr.size
        out[at:at + lay.phdr.size] = lay.phdr.pack(p)
    for offset, blob in blobs:
        out[offset:offset + len(blob)] = blob
    return bytes(out), phdrs


def split(tmp_path, stem="modem", flags=0):
    """pil-splitter's output in ``tmp_path``: the .mdt path and the whole image."""
    whole, phdrs = qualcomm_image(flags)
    head = phdrs[0].p_filesz
    h = phdrs[1]
    (tmp_path / f"{stem}.mdt").write_bytes(whole[:head] + whole[h.p_offset:h.p_offset + h.p_filesz])
    for i, p in enumerate(phdrs):
        if i and p.p_filesz:
            (tmp_path / f"{stem}.b{i:02d}").write_bytes(whole[p.p_offset:p.p_offset + p.p_filesz])
    return tmp_path / f"{stem}.mdt", whole


def test_inspect_reads_the_parts(tmp_path):
    mdt, whole = split(tmp_path)
    text = run_bundle("inspect", mdt)
    assert text.returncode == 0, text.stderr
    assert "split image: 2 part(s) read beside the .mdt: segment 2 from modem.b02, segment 3 from modem.b03" \
        in text.stdout and " LOAD " in text.stdout
    doc = json.loads(run_bundle("inspect", mdt, "--json").stdout)
    loads = [s for s in doc["segments"] if s["type"] == "LOAD"]
    assert [(s["p_paddr"], s["p_filesz"]) for s in loads] == \
        [(p.p_paddr, p.p_filesz) for p in parse_elf(whole).iter_loads()]
    assert [p["segment"] for p in doc["split"]["parts"]] == [2, 3]


def test_verify_judges_as_the_mdt_loader(tmp_path):
    mdt, _ = split(tmp_path)
    ok = run_bundle("verify", mdt, "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    report = json.loads(ok.stdout)
    assert report["ok"] and report["loader"]["kernel"] == "6.12" and report["split"]["hash_segment"] == 1
    text = run_bundle("verify", mdt, "--kernel", "6.1").stdout
    assert "checked as Linux qcom mdt_loader" in text and "Linux 6.1" in text
    # a part cut short: the kernel's words
    part = tmp_path / "modem.b02"
    part.write_bytes(part.read_bytes()[:-4])
    bad = run_bundle("verify", mdt)
    assert bad.returncode == 1
    assert "failed to load segment 2 from truncated file modem.b02" in bad.stdout and "[mdt-part-truncated]" in bad.stdout


def test_missing_part_is_one_line_naming_it(tmp_path):
    mdt, _ = split(tmp_path)
    (tmp_path / "modem.b03").unlink()
    for cmd in ("inspect", "verify"):
        proc = run_bundle(cmd, mdt)
        assert proc.returncode == 3 and proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert "modem.b03, which is missing" in lines[0] and "segment 3" in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr


def test_no_hash_segment_is_the_kernels_refusal(tmp_path):
    mdt, _ = split(tmp_path)
    data = bytearray(mdt.read_bytes())
    lay = spec.Layout.of(bytes(data))
    at = lay.ehdr.size + lay.phdr.size + 24         # phdr 1's p_flags (at 24 in an Elf32_Phdr)
    data[at:at + 4] = (0).to_bytes(4, "little")
    mdt.write_bytes(bytes(data))
    proc = run_bundle("verify", mdt)
    assert proc.returncode == 1 and 'no hash segment found in modem.mdt' in proc.stdout, proc.stdout + proc.stderr


def test_memory_fixed_and_relocatable(tmp_path):
    """Fixed segments must lie in the memory; a relocatable image only needs a range as big as
    its span (qcom_mdt_load moves it to the region's start)."""
    mdt, whole = split(tmp_path)
    loads = list(parse_elf(whole).iter_loads())
    low = min(p.p_paddr for p in loads)
    span = max((p.p_paddr + p.p_memsz + 0xFFF) & ~0xFFF for p in loads) - low
    assert run_bundle("verify", mdt, "--memory", f"{low:#x}:{span:#x}").returncode == 0
    elsewhere = run_bundle("verify", mdt, "--memory", f"{0x8E000000:#x}:{span:#x}")
    assert elsewhere.returncode == 1 and '"segment outside memory range"' in elsewhere.stdout
    reloc_dir = tmp_path / "reloc"
    reloc_dir.mkdir()
    mdt, _ = split(reloc_dir, flags=QCOM_MDT_RELOCATABLE)
    assert run_bundle("verify", mdt, "--memory", f"{0x8E000000:#x}:{span:#x}").returncode == 0
    small = run_bundle("verify", mdt, "--memory", f"{0x8E000000:#x}:{span - 0x800:#x}")
    assert small.returncode == 1 and "relocatable: placed by the lowest p_paddr" in small.stdout


def test_a_whole_elf_named_mdt_needs_no_parts(tmp_path):
    """qcom_mdt_bins_are_split: when every segment's bytes are in the file, nothing is split."""
    whole, _ = qualcomm_image()
    path = tmp_path / "adsp.mdt"
    path.write_bytes(whole)
    proc = run_bundle("verify", path, "--json")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["split"]["parts"] == []


def test_filesz_above_memsz_without_memory(tmp_path):
    """qcom_mdt_load refuses p_filesz > p_memsz whatever the memory (before, only with a region)."""
    mdt, _ = split(tmp_path)
    data = bytearray(mdt.read_bytes())
    lay = spec.Layout.of(bytes(data))
    at = lay.ehdr.size + 2 * lay.phdr.size + 20         # phdr 2's p_memsz (at 20 in an Elf32_Phdr)
    data[at:at + 4] = (4).to_bytes(4, "little")
    mdt.write_bytes(bytes(data))
    proc = run_bundle("verify", mdt)
    assert proc.returncode == 1 and "refusing to load segment 2 with p_filesz > p_memsz" in proc.stdout, proc.stdout
