"""Real third-party ELF files, bundled and checked: nothing of the host may change.

The corpus is what Debian ships and scripts/setup installs (nothing here is built by the
project): the C libraries and dynamic loaders of eleven cross architectures (both byte
orders, ELF32 and ELF64, ET_DYN), Debian's U-Boot builds for QEMU (whose .dynsym and
.rela.dyn carry sh_link 0, legal and once refused), QEMU's firmware ELFs, OpenSBI,
busybox-static, and an NXP-SDK-style bare-metal image linked here with GNU ld (a PT_LOAD
with no file bytes whose p_offset lies past the end of the file, empty PT_LOADs sharing an
address, a zero-filesz p_offset that is not congruent).

For each: every pre-existing section, segment and symbol unchanged; every loadable byte
unchanged at its address; readelf and llvm-readelf print no new warning; LIEF parses the
output; ``bundle verify`` passes it; ``bundle extract`` gives the remote back.
"""

from __future__ import annotations

import random
import struct
import subprocess
from pathlib import Path

import pytest

from bundler.postlink import bundling as core
from bundler import checks as V
from bundler.adapters import lief as lief_adapter
from bundler.cli import main as cli_main
from bundler.elf import spec
from bundler.elf.reader import parse_elf
from tests.support.corpus import CORPUS, need_file
from tests.support.tools import need_tool, new_readelf_warnings

HERE = Path(__file__).resolve().parent

def _blob(n: int = 4096) -> bytes:
    rng = random.Random(n)
    return bytes(rng.getrandbits(8) for _ in range(n))


def _same_segment(out: spec.Phdr, orig: spec.Phdr) -> bool:
    if orig.p_type == spec.PT_PHDR:         # follows the table, by design
        return (out.p_type, out.p_flags, out.p_align) == (orig.p_type, orig.p_flags, orig.p_align)
    return out == orig


def check_host_unchanged(orig_bytes: bytes, out_bytes: bytes) -> None:
    orig, out = parse_elf(orig_bytes), parse_elf(out_bytes)
    # sections: same index, name, type, flags, address and size (loaded ones also same offset)
    for sec in orig.sections:
        o = out.sections[sec.index]
        h, g = sec.hdr, o.hdr
        assert o.name == sec.name, f"section {sec.index} renamed"
        assert (g.sh_type, g.sh_flags, g.sh_addr, g.sh_addralign) == (h.sh_type, h.sh_flags, h.sh_addr,
                                                                       h.sh_addralign), sec.name
        if sec.is_alloc or h.sh_type not in (spec.SHT_SYMTAB, spec.SHT_STRTAB, spec.SHT_SYMTAB_SHNDX):
            assert (g.sh_offset, g.sh_size) == (h.sh_offset, h.sh_size), sec.name
    # segments: all of them, in the same relative order
    at = 0
    for i, p in enumerate(orig.segments):
        j = next((j for j in range(at, len(out.segments)) if _same_segment(out.segments[j], p)), None)
        assert j is not None, f"segment {i} ({p}) changed or moved out of order"
        at = j + 1
    # symbols: same index and value (the kit's weak _binary_ references may become defined)
    for sym in orig.symbols:
        o = out.symbols[sym.index]
        assert o.name == sym.name
        if not (sym.st_shndx == spec.SHN_UNDEF and sym.name.startswith("_binary_")):
            assert (o.st_value, o.st_size, o.st_info, o.st_shndx) == (sym.st_value, sym.st_size, sym.st_info,
                                                                      sym.st_shndx), sym.name
    # loadable bytes: what each original PT_LOAD puts in memory is still there, but for the ELF
    # header's table fields and a program header table rewritten in place
    allowed = [(0, orig.layout.ehdr.size)]
    if out.ehdr.e_phoff == orig.ehdr.e_phoff:
        allowed.append((out.ehdr.e_phoff, out.ehdr.e_phoff + out.ehdr.e_phnum * out.layout.phdr.size))
    for p in orig.iter_loads():
        a, b = p.p_offset, p.p_offset + p.p_filesz
        for x, y in allowed:
            if x < b and a < y:
                assert orig_bytes[a:x] == out_bytes[a:x] and orig_bytes[y:b] == out_bytes[y:b]
                break
        else:
            assert orig_bytes[a:b] == out_bytes[a:b], f"PT_LOAD at {p.p_paddr:#x} changed"


def _check(host: Path, tmp_path: Path) -> None:
    blob = _blob()
    (tmp_path / "blob.bin").write_bytes(blob)
    orig_bytes = host.read_bytes()
    result = core.bundle(parse_elf(orig_bytes, what="host ELF"),
                         [core.Remote(stem="blob_bin", data=blob, label="blob.bin")])
    out_bytes = result.to_bytes()
    out = tmp_path / "out.elf"
    out.write_bytes(out_bytes)
    check_host_unchanged(orig_bytes, out_bytes)
    for tool, new in new_readelf_warnings(host, out).items():
        assert not new, f"{tool}: {sorted(new)}"
    lief = lief_adapter.read(out_bytes)
    assert len(lief.sections) == len(parse_elf(out_bytes).sections)
    report = V.verify(parse_elf(out_bytes), [V.RemoteFile("blob.bin", "blob_bin", blob)])
    errors = [str(f) for f in report.findings if f.severity == "error"]
    assert errors == []
    assert cli_main(["extract", str(out), "--name", "blob_bin", "-o", str(tmp_path / "back.bin")]) == 0
    assert (tmp_path / "back.bin").read_bytes() == blob


@pytest.mark.toolchain
@pytest.mark.parametrize("path,package", [(p, pkg) for _, p, pkg in CORPUS], ids=[i for i, _, _ in CORPUS])
def test_third_party_host(path, package, tmp_path):
    _check(need_file(path, package), tmp_path)


def build_nxp_style(tmp_path: Path) -> Path:
    """A Cortex-M4 image linked by GNU ld (tests/hosted/c/nxp): its .bss PT_LOAD has no file
    bytes and, as the NXP SDK's output has it, a p_offset past the end of the file; two empty
    PT_LOADs share address 0 at a p_offset that is not congruent."""
    need_tool("arm-none-eabi-gcc")
    src = HERE / "c" / "nxp"
    elf = tmp_path / "fw.elf"
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-Os", "-nostdlib", "-T",
                    str(src / "fw.ld"), str(src / "fw.c"), "-o", str(elf)], check=True)
    data = bytearray(elf.read_bytes())
    e = parse_elf(bytes(data))
    lay = e.layout
    (i, bss), = [(i, p) for i, p in enumerate(e.segments) if p.p_type == spec.PT_LOAD and p.p_memsz
                 and not p.p_filesz]
    empty = [p for p in e.segments if p.p_type == spec.PT_LOAD and not p.p_memsz]
    assert len(empty) == 2 and empty[0].p_vaddr == empty[1].p_vaddr and empty[0].p_offset % empty[0].p_align
    at = e.ehdr.e_phoff + i * lay.phdr.size + 4            # p_offset of an Elf32_Phdr
    struct.pack_into("<I", data, at, len(data) + 0x3000)
    elf.write_bytes(bytes(data))
    return elf


@pytest.mark.toolchain
def test_nxp_style_zero_filesz_segments(tmp_path):
    _check(build_nxp_style(tmp_path), tmp_path)
