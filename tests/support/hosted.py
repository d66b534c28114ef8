"""Hosted ELF layouts built in memory, and an independent check of the loader rules.

(The hosted counterpart of tests/support/elf.py's bare-metal builders, on the same
``assemble`` step.)

:func:`build_hosted` makes the shape a GNU or LLVM linker gives an operating
system's program: PT_PHDR first, then optional PT_INTERP, page-aligned
PT_LOADs with p_offset congruent to p_vaddr (the first holding the ELF header
and the program header table at file offset 0), PT_DYNAMIC/PT_GNU_RELRO/
PT_GNU_STACK after them, one section per PT_LOAD and a .bss in the last.

:func:`loader_rule_violations` restates, without the project's code, the rules
an OS loader applies (Linux binfmt_elf, glibc's dl-load, qemu-user) and that
docs/design.md promises for every bundled output, so a property test can compare
it with ``bundle verify``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bundler.elf import spec
from bundler.elf.spec import Ehdr, Layout, Phdr, Shdr, Sym
from tests.support.elf import StringTable, assemble, ident

PT_GNU_STACK, PT_GNU_RELRO = 0x6474E551, 0x6474E552


@dataclass
class HostedSpec:
    elfclass: int = spec.ELFCLASS64
    elfdata: int = spec.ELFDATA2LSB
    machine: int = spec.EM_X86_64
    e_type: int = spec.ET_DYN
    page: int = 0x1000
    base: int = 0                       # p_vaddr of the first PT_LOAD (0 for PIE, 0x400000 for ET_EXEC)
    sizes: list[int] = field(default_factory=lambda: [0x300, 0x1234, 0x200])  # file bytes per PT_LOAD
    bss: int = 0x400                    # memsz - filesz of the last PT_LOAD
    skew: list[int] = field(default_factory=list)   # extra page offset of each PT_LOAD's address
    interp: bool = True
    phdr: bool = True                   # a PT_PHDR entry (static non-PIE programs have none)
    relro: bool = True
    gap_after_phdrs: int = 0            # free bytes inside the first PT_LOAD after the table


# a real machine for each class and byte order (LIEF, like readers in general, knows which exist)
MACHINES = {(spec.ELFCLASS32, spec.ELFDATA2LSB): spec.EM_386, (spec.ELFCLASS32, spec.ELFDATA2MSB): 20,  # PPC
            (spec.ELFCLASS64, spec.ELFDATA2LSB): spec.EM_X86_64, (spec.ELFCLASS64, spec.ELFDATA2MSB): 22}  # S390


def build_hosted(hs: HostedSpec | None = None, **kw) -> bytes:
    hs = hs or HostedSpec(**kw)
    if (hs.elfclass, hs.elfdata) != (spec.ELFCLASS64, spec.ELFDATA2LSB) and hs.machine == spec.EM_X86_64:
        hs = HostedSpec(**{**hs.__dict__, "machine": MACHINES[hs.elfclass, hs.elfdata]})
    lay = Layout(hs.elfclass, hs.elfdata)
    n_loads = len(hs.sizes)
    kinds = ([spec.PT_PHDR] if hs.phdr else []) + ([spec.PT_INTERP] if hs.interp else []) \
        + [spec.PT_LOAD] * n_loads + [spec.PT_DYNAMIC] + ([PT_GNU_RELRO] if hs.relro else []) + [PT_GNU_STACK]
    ph_off = lay.ehdr.size
    ph_size = len(kinds) * lay.phdr.size
    interp = b"/lib/ld-test.so.1\0"

    head = ph_off + ph_size + hs.gap_after_phdrs        # the first load starts at 0 and holds the headers
    loads = _plan_loads(hs, head, len(interp))
    n_loads = len(loads)
    offset = loads[-1][0] + loads[-1][2]

    shstr = StringTable()
    sname = shstr.add
    A, AX, WA = spec.SHF_ALLOC, spec.SHF_ALLOC | spec.SHF_EXECINSTR, spec.SHF_ALLOC | spec.SHF_WRITE
    sections = [Shdr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    body = bytearray(offset)
    interp_off = head
    body[interp_off:interp_off + len(interp)] = interp
    sections.append(Shdr(sname(".interp"), spec.SHT_PROGBITS, A, hs.base + interp_off, interp_off,
                         len(interp), 0, 0, 1, 0))
    dyn = None
    for i, (off, va, filesz, _) in enumerate(loads):
        start = interp_off + len(interp) if i == 0 else off
        content = bytes((i * 37 + k) & 0xFF for k in range(off + filesz - start))
        body[start:off + filesz] = content
        flags = AX if i == 1 else (WA if i == n_loads - 1 else A)
        name = ".dynamic" if i == n_loads - 1 else f".seg{i}"
        sections.append(Shdr(sname(name), spec.SHT_PROGBITS, flags, va + (start - off), start,
                             off + filesz - start, 0, 0, 8, 0))
        if i == n_loads - 1:
            dyn = (start, va + (start - off), min(off + filesz - start, 16 * lay.addr_size))
    last = loads[-1]
    if hs.bss:
        sections.append(Shdr(sname(".bss"), spec.SHT_NOBITS, WA, last[1] + last[2], last[0] + last[2],
                             hs.bss, 0, 0, 8, 0))
    strtab = StringTable()
    syms = [Sym(0, 0, 0, 0, 0, 0)]
    for index in range(2, len(sections)):
        at = strtab.add(f"sym{index}")
        syms.append(Sym(at, sections[index].sh_addr, 0, spec.st_info(spec.STB_GLOBAL, spec.STT_OBJECT), 0,
                        index))
    tail = (len(body) + 7) & ~7
    symtab = b"".join(lay.sym.pack(s) for s in syms)
    symtab_index = len(sections)
    sections.append(Shdr(sname(".symtab"), spec.SHT_SYMTAB, 0, 0, tail, len(symtab), symtab_index + 1, 1,
                         lay.addr_size, lay.sym.size))
    strtab_off = tail + len(symtab)
    sections.append(Shdr(sname(".strtab"), spec.SHT_STRTAB, 0, 0, strtab_off, len(strtab), 0, 0, 1, 0))
    shstrndx = len(sections)
    shstr_off = strtab_off + len(strtab)
    sections.append(Shdr(sname(".shstrtab"), spec.SHT_STRTAB, 0, 0, shstr_off, 0, 0, 0, 1, 0))
    sections[-1] = Shdr(sections[-1].sh_name, spec.SHT_STRTAB, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
    sh_off = (shstr_off + len(shstr) + 7) & ~7

    phdrs = _program_headers(kinds, loads, ph_off, ph_size, (interp_off, len(interp)), dyn, hs.page)
    ehdr = Ehdr(ident(hs.elfclass, hs.elfdata), hs.e_type, hs.machine, 1, loads[min(1, n_loads - 1)][1], ph_off,
                sh_off, 0, lay.ehdr.size, lay.phdr.size, len(phdrs), lay.shdr.size, len(sections), shstrndx)
    blobs = [(interp_off, bytes(body[interp_off:])), (tail, symtab), (strtab_off, bytes(strtab)),
             (shstr_off, bytes(shstr))]
    return assemble(lay, ehdr, sh_off + len(sections) * lay.shdr.size, phdrs, blobs, sections)


def _plan_loads(hs: HostedSpec, head: int, interp_len: int) -> list[tuple[int, int, int, int]]:
    """(p_offset, p_vaddr, p_filesz, p_memsz) of each PT_LOAD, offsets congruent to addresses."""
    loads = []
    offset, vaddr = head, hs.base
    for i, size in enumerate(hs.sizes):
        skew = hs.skew[i] if i < len(hs.skew) else 0
        if i == 0:
            start_off, start_va, filesz = 0, hs.base, head + interp_len + size
        else:
            start_va = (vaddr + hs.page - 1) // hs.page * hs.page + skew * hs.page + offset % hs.page
            start_off, filesz = offset, size
        memsz = filesz + (hs.bss if i == len(hs.sizes) - 1 else 0)
        loads.append((start_off, start_va, filesz, memsz))
        offset, vaddr = start_off + filesz, start_va + memsz
    return loads


def _program_headers(kinds, loads, ph_off, ph_size, interp, dyn, page) -> list[Phdr]:
    first_va = loads[0][1]
    interp_off, interp_len = interp
    n_loads = len(loads)
    phdrs = []
    for kind in kinds:
        if kind == spec.PT_PHDR:
            phdrs.append(Phdr(kind, spec.PF_R, ph_off, first_va + ph_off, first_va + ph_off, ph_size, ph_size, 8))
        elif kind == spec.PT_INTERP:
            phdrs.append(Phdr(kind, spec.PF_R, interp_off, first_va + interp_off, first_va + interp_off,
                              interp_len, interp_len, 1))
        elif kind == spec.PT_LOAD:
            i = sum(1 for p in phdrs if p.p_type == spec.PT_LOAD)
            off, va, filesz, memsz = loads[i]
            flags = spec.PF_R | (spec.PF_X if i == 1 else 0) | (spec.PF_W if i == n_loads - 1 else 0)
            phdrs.append(Phdr(kind, flags, off, va, va, filesz, memsz, page))
        elif kind == spec.PT_DYNAMIC:
            phdrs.append(Phdr(kind, spec.PF_R | spec.PF_W, dyn[0], dyn[1], dyn[1], dyn[2], dyn[2], 8))
        elif kind == PT_GNU_RELRO:
            phdrs.append(Phdr(kind, spec.PF_R, dyn[0], dyn[1], dyn[1], dyn[2], dyn[2], 1))
        else:
            phdrs.append(Phdr(kind, spec.PF_R | spec.PF_W, 0, 0, 0, 0, 0, 16))
    return phdrs


# ---- the rules, restated ------------------------------------------------------------

HOSTED = {spec.PT_INTERP, spec.PT_DYNAMIC, spec.PT_PHDR, spec.PT_TLS, PT_GNU_RELRO}


def _headers(data: bytes):
    lay = Layout.of(data)
    eh = lay.ehdr.unpack(data)
    return lay, eh, list(lay.phdr.iter_unpack(data, eh.e_phoff, eh.e_phnum))


def loader_rule_violations(data: bytes, original: bytes | None = None) -> list[str]:
    """Every loader rule ``data`` breaks; ``original`` (the host before bundling) tells which
    PT_LOADs are new, for the page rules of a hosted host."""
    lay, eh, phdrs = _headers(data)
    out = []
    loads = [p for p in phdrs if p.p_type == spec.PT_LOAD]
    hosted = any(p.p_type in HOSTED for p in phdrs)
    vaddrs = [p.p_vaddr for p in loads if p.p_memsz]      # an empty PT_LOAD maps nothing
    if vaddrs != sorted(vaddrs):
        out.append("PT_LOADs not in ascending p_vaddr order")
    for p in loads:
        if p.p_align > 1 and (p.p_filesz or hosted) and (p.p_offset - p.p_vaddr) % p.p_align:
            out.append(f"PT_LOAD at {p.p_vaddr:#x}: p_offset not congruent to p_vaddr modulo p_align")
    table = (eh.e_phoff, eh.e_phoff + eh.e_phnum * lay.phdr.size)
    holder = next((p for p in loads if p.p_offset <= table[0] and table[1] <= p.p_offset + p.p_filesz), None)
    for p in phdrs:
        if p.p_type == spec.PT_PHDR:
            if (p.p_offset, p.p_offset + p.p_filesz) != table:
                out.append("PT_PHDR does not describe the table at e_phoff")
            elif holder is None:
                out.append("PT_PHDR describes a table no PT_LOAD maps")
            elif p.p_vaddr != holder.p_vaddr + (p.p_offset - holder.p_offset):
                out.append("PT_PHDR's address is not where its PT_LOAD maps the table")
    if hosted and holder is None:
        out.append("hosted program whose program header table is in no PT_LOAD")
    if original is not None and hosted:
        _, _, before = _headers(original)
        old = [p for p in before if p.p_type == spec.PT_LOAD]
        page = max(p.p_align for p in old)
        pages = [(p.p_vaddr // page, (p.p_vaddr + p.p_memsz + page - 1) // page) for p in old if p.p_memsz]
        new = [p for p in loads if p not in old]
        for p in new:
            if p.p_align < page:
                out.append(f"new PT_LOAD at {p.p_vaddr:#x} with p_align {p.p_align:#x} below the page size")
            lo, hi = p.p_vaddr // page, (p.p_vaddr + p.p_memsz + page - 1) // page
            if any(a < hi and lo < b for a, b in pages):
                out.append(f"new PT_LOAD at {p.p_vaddr:#x} shares a page with the host")
    return out
