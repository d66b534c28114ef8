"""Hosts `bundle` refused before issue 17, in their real-world shapes: each is bundled,
its output verifies clean, LIEF parses it, readelf and llvm-readelf print no new warning,
the host's own bytes are unchanged and the image extracts back (test_corpus's _check).

- TriCore (HighTec/Tasking linker scripts): several .bss-like PT_LOADs without file
  bytes share one LMA; nothing is loaded from an LMA when p_filesz is 0.
- IA-64 HP-UX programs (ELF64 LP64 and ELF32 ILP32, ELFOSABI_HPUX): every p_paddr is 0;
  the operating system maps p_vaddr and ignores p_paddr.
- armlink: one PT_LOAD whose p_offset is not congruent to p_vaddr modulo p_align; a
  bare-metal loader copies file bytes to p_paddr and never looks at p_align.
"""

from __future__ import annotations

import pytest

from bundler.elf import spec
from bundler.elf.reader import parse_elf
from tests.hosted.test_corpus import _check
from tests.support.hosted import HostedSpec, build_hosted
from tests.support.patch import set_phdr
from tests.support.segments import Seg, build_elf
from tests.support.tools import need_tool

EM_IA_64, EM_TRICORE, ELFOSABI_HPUX = 50, 44, 1


def tricore_shared_bss_lma() -> bytes:
    """Code and data in flash at 0x80000000 (data copied to DSPR at 0xd0000000), then three
    .bss-like PT_LOADs in DSPR and LMU RAM whose p_paddr is the end of the flash image."""
    flash_end = 0x80000000 + 0x400 + 0x100
    return build_elf([Seg(0x80000000, [(".text", b"\x00\x91" * 0x200)]),
                      Seg(0x80000400, [(".data", b"\x5a" * 0x100)], vaddr=0xD0000000),
                      Seg(flash_end, [], vaddr=0xD0000100, bss=0x800),
                      Seg(flash_end, [], vaddr=0xD0004000, bss=0x1000),
                      Seg(flash_end, [], vaddr=0x90000000, bss=0x2000)],
                     entry=0x80000000, machine=EM_TRICORE)


def hpux_ia64(elfclass: int) -> bytes:
    """An IA-64 HP-UX executable: big-endian, PT_INTERP (/usr/lib/hpux64/uld.so), text in
    region 2 and data in region 3 (0x4000... and 0x6000..., ILP32: 0x04000000, 0x40000000),
    ELFOSABI_HPUX, and every p_paddr 0 as HP-UX's linker writes them."""
    is64 = elfclass == spec.ELFCLASS64
    text, data = (0x4000000000000000, 0x6000000000000000) if is64 else (0x04000000, 0x40000000)
    page = 0x10000
    raw = bytearray(build_hosted(HostedSpec(elfclass=elfclass, elfdata=spec.ELFDATA2MSB, machine=EM_IA_64,
                                            e_type=spec.ET_EXEC, page=page, base=text,
                                            sizes=[0x300, 0x1234, 0x200],
                                            skew=[0, 0, (data - text) // page - 2])))
    raw[spec.EI_OSABI] = ELFOSABI_HPUX
    out = bytes(raw)
    elf = parse_elf(out)
    for i, _ in enumerate(elf.segments):
        out = set_phdr(out, i, p_paddr=0)
    return out


def armlink_incongruent() -> bytes:
    """armlink's single load region: ER_RO and ER_RW in one PT_LOAD at 0x8000 whose file
    offset is not congruent to p_vaddr modulo its p_align."""
    out = build_elf([Seg(0x8000, [("ER_RO", b"\x00\xbf" * 0x180), ("ER_RW", b"\x11" * 0x40)], bss=0x200)],
                    entry=0x8001)
    p = parse_elf(out).segments[0]
    out = set_phdr(out, 0, p_align=0x40)
    assert p.p_offset % 0x40 != p.p_vaddr % 0x40
    return out


LAYOUTS = {
    "tricore-bss-shares-lma": tricore_shared_bss_lma,
    "hpux-ia64-lp64-paddr-0": lambda: hpux_ia64(spec.ELFCLASS64),
    "hpux-ia64-ilp32-paddr-0": lambda: hpux_ia64(spec.ELFCLASS32),
    "armlink-incongruent-load": armlink_incongruent,
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_formerly_refused_host_bundles_and_verifies(name, tmp_path):
    need_tool("readelf")
    need_tool("llvm-readelf")
    host = tmp_path / f"{name}.elf"
    host.write_bytes(LAYOUTS[name]())
    _check(host, tmp_path)


def test_the_layouts_are_what_they_claim():
    """Each input really has the shape that used to be refused."""
    tri = parse_elf(tricore_shared_bss_lma())
    empty = [p for p in tri.iter_loads() if not p.p_filesz]
    assert len(empty) == 3 and len({p.p_paddr for p in empty}) == 1
    for elfclass in (spec.ELFCLASS32, spec.ELFCLASS64):
        hp = parse_elf(hpux_ia64(elfclass))
        assert hp.hosted_by is not None and {p.p_paddr for p in hp.segments} == {0}
        assert any(p.p_type == spec.PT_INTERP for p in hp.segments)
        assert len(list(hp.iter_loads())) == 3
    arm = parse_elf(armlink_incongruent())
    (p,) = arm.iter_loads()
    assert arm.hosted_by is None and p.p_offset % p.p_align != p.p_vaddr % p.p_align
