"""Build small linked ELF files with chosen PT_LOADs and sections, in memory.

Each :class:`Seg` becomes one PT_LOAD (``p_paddr`` = LMA, ``p_vaddr`` = VMA)
whose file bytes are its ``parts`` laid end to end; a named part is also an
SHF_ALLOC PROGBITS section, an unnamed part is padding that no section
covers (what a linker leaves between aligned sections). ``bss`` adds
p_memsz beyond p_filesz. The flash tests feed these to ``bundle hex`` and
to GNU objcopy and compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bundler.elf import spec
from bundler.elf.spec import Ehdr, Layout, Phdr, Shdr
from tests.support.elf import StringTable, assemble, ident


@dataclass
class Seg:
    paddr: int
    parts: list[tuple[str | None, bytes]] = field(default_factory=list)
    vaddr: int | None = None
    bss: int = 0

    @property
    def filesz(self) -> int:
        return sum(len(data) for _, data in self.parts)


def build_elf(segs: list[Seg], *, entry: int = 0, elfclass: int = spec.ELFCLASS32,
              elfdata: int = spec.ELFDATA2LSB, machine: int = spec.EM_ARM,
              sections: bool = True) -> bytes:
    """An ET_EXEC file holding ``segs``; ``sections=False`` leaves out the section headers."""
    lay = Layout(elfclass, elfdata)
    ph_off = lay.ehdr.size
    off = ph_off + len(segs) * lay.phdr.size
    phdrs, blobs, shdrs = [], [], [Shdr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    shstr = StringTable()
    sname = shstr.add

    for seg in segs:
        off = (off + 15) & ~15
        vaddr = seg.paddr if seg.vaddr is None else seg.vaddr
        phdrs.append(Phdr(spec.PT_LOAD, spec.PF_R | spec.PF_W | spec.PF_X, off, vaddr, seg.paddr,
                          seg.filesz, seg.filesz + seg.bss, 4))
        at = 0
        for name, data in seg.parts:
            if name is not None:
                shdrs.append(Shdr(sname(name), spec.SHT_PROGBITS, spec.SHF_ALLOC | spec.SHF_WRITE,
                                  vaddr + at, off + at, len(data), 0, 0, 1, 0))
            blobs.append((off + at, data))
            at += len(data)
        off += at
    e_shoff = e_shnum = e_shstrndx = 0
    if sections:
        e_shstrndx = len(shdrs)
        shdrs.append(Shdr(sname(".shstrtab"), spec.SHT_STRTAB, 0, 0, off, len(shstr), 0, 0, 1, 0))
        blobs.append((off, bytes(shstr)))
        off += len(shstr)
        e_shoff = (off + 7) & ~7
        e_shnum = len(shdrs)
        off = e_shoff + e_shnum * lay.shdr.size
    ehdr = Ehdr(ident(elfclass, elfdata), spec.ET_EXEC, machine, spec.EV_CURRENT, entry, ph_off, e_shoff, 0,
                lay.ehdr.size, lay.phdr.size, len(phdrs), lay.shdr.size, e_shnum, e_shstrndx)
    return assemble(lay, ehdr, off, phdrs, blobs, shdrs if sections else ())
