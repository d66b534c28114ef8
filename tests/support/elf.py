"""Build small linked host ELF files in memory, for unit and property tests.

A host looks like firmware a real linker makes: a flash PT_LOAD holding
.text, .rodata and the kit's ``remote_fw_desc`` descriptors; a RAM PT_LOAD
holding .data (its LMA in flash after .rodata) and .bss; a .symtab with the
kit's weak undefined ``_binary_<stem>_start/_end`` references. Real
toolchain output is covered by the end-to-end tests; these cover the
classes, byte orders and layouts no single toolchain gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bundler.postlink import descriptor as D
from bundler.elf import spec
from bundler.elf.spec import Ehdr, Layout, Phdr, Shdr, Sym


class StringTable:
    """A string table being built: ``add(name)`` gives the name's offset; ``bytes(table)``."""

    def __init__(self):
        self.data = bytearray(b"\0")

    def add(self, name: str) -> int:
        at = len(self.data)
        self.data.extend(name.encode() + b"\0")
        return at

    def __len__(self) -> int:
        return len(self.data)

    def __bytes__(self) -> bytes:
        return bytes(self.data)


def ident(elfclass: int, elfdata: int) -> bytes:
    return spec.ELFMAG + bytes([elfclass, elfdata, spec.EV_CURRENT]) + bytes(9)


def assemble(lay: Layout, ehdr: Ehdr, size: int, phdrs=(), blobs=(), shdrs=()) -> bytes:
    """The file: ``size`` bytes with the header, ``phdrs`` at e_phoff, each ``(offset, bytes)``
    blob, and ``shdrs`` at e_shoff. Every builder here ends with this."""
    out = bytearray(size)
    out[0:lay.ehdr.size] = lay.ehdr.pack(ehdr)
    for i, p in enumerate(phdrs):
        at = ehdr.e_phoff + i * lay.phdr.size
        out[at:at + lay.phdr.size] = lay.phdr.pack(p)
    for off, blob in blobs:
        out[off:off + len(blob)] = blob
    for i, sh in enumerate(shdrs):
        at = ehdr.e_shoff + i * lay.shdr.size
        out[at:at + lay.shdr.size] = lay.shdr.pack(sh)
    return bytes(out)


@dataclass
class HostSpec:
    elfclass: int = spec.ELFCLASS32
    elfdata: int = spec.ELFDATA2LSB
    machine: int = spec.EM_ARM
    e_type: int = spec.ET_EXEC
    flash: int = 0x0
    ram: int = 0x20000000
    text: bytes = b"\x00\xbf" * 64
    rodata: bytes = b"hello, remote\0"
    data: bytes = b"\x11\x22\x33\x44" * 4
    bss_size: int = 256
    stems: tuple[str, ...] = ("remote_elf",)
    gap: bool = True            # room after the program headers for more
    symtab: bool = True
    slot: tuple[int, int] | None = None   # (start, end) symbols as remote_fw.ld defines them
    extra_symbols: list[tuple[str, int, int]] = field(default_factory=list)  # (name, value, shndx)


def _host_symbols(hs: HostSpec, name, text_addr: int, desc_addr: int, dsize: int, desc_index: int):
    """The host's symbols (``name(str)`` adds a string to .strtab) and the index of the first global."""
    syms = [Sym(0, 0, 0, 0, 0, 0),
            Sym(0, text_addr, 0, spec.st_info(spec.STB_LOCAL, spec.STT_SECTION), 0, 1)]
    first_global = len(syms)
    syms.append(Sym(name("main"), text_addr | 1, len(hs.text),
                    spec.st_info(spec.STB_GLOBAL, spec.STT_FUNC), 0, 1))
    for i, stem in enumerate(hs.stems):
        syms.append(Sym(name(f"remote_fw_desc_{stem}"), desc_addr + i * dsize, dsize,
                        spec.st_info(spec.STB_GLOBAL, spec.STT_OBJECT), 0, desc_index))
        for which in ("start", "end"):
            syms.append(Sym(name(f"_binary_{stem}_{which}"), 0, 0,
                            spec.st_info(spec.STB_WEAK, spec.STT_NOTYPE), 0, spec.SHN_UNDEF))
    if hs.slot:
        for which, value in zip(("start", "end"), hs.slot):
            syms.append(Sym(name(f"__remote_fw_slot_{which}"), value, 0,
                            spec.st_info(spec.STB_GLOBAL, spec.STT_NOTYPE), 0, spec.SHN_ABS))
    for n, value, shndx in hs.extra_symbols:
        syms.append(Sym(name(n), value, 0, spec.st_info(spec.STB_GLOBAL, spec.STT_NOTYPE), 0, shndx))
    return syms, first_global


def build_host(hs: HostSpec | None = None, **kw) -> bytes:
    hs = hs or HostSpec(**kw)
    lay = Layout(hs.elfclass, hs.elfdata)
    ptr = lay.addr_size

    # .rodata: user bytes then each stem's name string
    rodata = bytearray(hs.rodata)
    while len(rodata) % 8:
        rodata.append(0)
    names = {}
    for stem in hs.stems:
        names[stem] = len(rodata)
        rodata += stem.encode() + b"\0"
    while len(rodata) % 8:
        rodata.append(0)

    text_addr = hs.flash
    rodata_addr = text_addr + ((len(hs.text) + 7) & ~7)
    desc_addr = rodata_addr + len(rodata)
    dsize = D.desc_size(ptr)
    desc = bytearray()
    for stem in hs.stems:
        d = bytearray(dsize)
        lay.u32.pack_into(d, D.OFF_MAGIC, D.MAGIC)
        lay.u16.pack_into(d, D.OFF_VERSION, D.VERSION)
        lay.u16.pack_into(d, D.OFF_DESC_SIZE, dsize)
        lay.addr.pack_into(d, D.OFF_NAME, rodata_addr + names[stem])
        desc += d
    data_lma = desc_addr + len(desc)

    # file layout
    n_ph = 2
    ph_off = lay.ehdr.size
    first = 0x1000 if hs.gap else ph_off + n_ph * lay.phdr.size
    first = (first + 7) & ~7
    text_off = first
    rodata_off = text_off + (rodata_addr - text_addr)
    desc_off = rodata_off + len(rodata)
    data_off = desc_off + len(desc)
    flash_blob = (bytes(hs.text).ljust(rodata_addr - text_addr, b"\0") + bytes(rodata) + bytes(desc)
                  + bytes(hs.data))

    shstr = StringTable()
    sname = shstr.add

    sections = [Shdr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    A, AX, WA = spec.SHF_ALLOC, spec.SHF_ALLOC | spec.SHF_EXECINSTR, spec.SHF_ALLOC | spec.SHF_WRITE
    sections.append(Shdr(sname(".text"), spec.SHT_PROGBITS, AX, text_addr, text_off, len(hs.text), 0, 0, 4, 0))
    sections.append(Shdr(sname(".rodata"), spec.SHT_PROGBITS, A, rodata_addr, rodata_off, len(rodata), 0, 0, 8, 0))
    desc_index = len(sections)
    sections.append(Shdr(sname(D.SECTION), spec.SHT_PROGBITS, A, desc_addr, desc_off, len(desc), 0, 0, 8, 0))
    sections.append(Shdr(sname(".data"), spec.SHT_PROGBITS, WA, hs.ram, data_off, len(hs.data), 0, 0, 4, 0))
    bss_addr = hs.ram + ((len(hs.data) + 7) & ~7)
    sections.append(Shdr(sname(".bss"), spec.SHT_NOBITS, WA, bss_addr, data_off + len(hs.data),
                         hs.bss_size, 0, 0, 8, 0))
    tail = data_off + len(hs.data)

    blobs = [(text_off, flash_blob)]
    if hs.symtab:
        strtab = StringTable()
        syms, first_global = _host_symbols(hs, strtab.add, text_addr, desc_addr, dsize, desc_index)
        symtab_bytes = b"".join(lay.sym.pack(s) for s in syms)
        tail = (tail + 7) & ~7
        symtab_index = len(sections)
        sections.append(Shdr(sname(".symtab"), spec.SHT_SYMTAB, 0, 0, tail, len(symtab_bytes),
                             symtab_index + 1, first_global, ptr, lay.sym.size))
        blobs.append((tail, symtab_bytes))
        tail += len(symtab_bytes)
        sections.append(Shdr(sname(".strtab"), spec.SHT_STRTAB, 0, 0, tail, len(strtab), 0, 0, 1, 0))
        blobs.append((tail, bytes(strtab)))
        tail += len(strtab)
    shstrndx = len(sections)
    name_off = sname(".shstrtab")
    sections.append(Shdr(name_off, spec.SHT_STRTAB, 0, 0, tail, len(shstr), 0, 0, 1, 0))
    blobs.append((tail, bytes(shstr)))
    tail += len(shstr)
    sh_off = (tail + 7) & ~7

    flash_size = data_off - text_off
    phdrs = [Phdr(spec.PT_LOAD, spec.PF_R | spec.PF_X, text_off, text_addr, text_addr, flash_size,
                  flash_size, 8),
             Phdr(spec.PT_LOAD, spec.PF_R | spec.PF_W, data_off, hs.ram, data_lma, len(hs.data),
                  (bss_addr - hs.ram) + hs.bss_size, 8)]
    ehdr = Ehdr(ident(hs.elfclass, hs.elfdata), hs.e_type, hs.machine, 1, text_addr | 1, ph_off, sh_off, 0,
                lay.ehdr.size, lay.phdr.size, len(phdrs), lay.shdr.size, len(sections), shstrndx)
    return assemble(lay, ehdr, sh_off + len(sections) * lay.shdr.size, phdrs, blobs, sections)


def build_remote(elfclass=spec.ELFCLASS32, elfdata=spec.ELFDATA2LSB, machine=spec.EM_ARM,
                 paddr=0x20200000, code=b"\x70\x47" * 8, entry=None) -> bytes:
    """A minimal remote ELF: one PT_LOAD with ``code`` at ``paddr``, no sections."""
    lay = Layout(elfclass, elfdata)
    ph_off = lay.ehdr.size
    off = ph_off + lay.phdr.size
    ident = spec.ELFMAG + bytes([elfclass, elfdata, spec.EV_CURRENT]) + bytes(9)
    ehdr = Ehdr(ident, spec.ET_EXEC, machine, 1, entry if entry is not None else paddr, ph_off, 0, 0,
                lay.ehdr.size, lay.phdr.size, 1, lay.shdr.size, 0, 0)
    ph = Phdr(spec.PT_LOAD, spec.PF_R | spec.PF_X, off, paddr, paddr, len(code), len(code) + 16, 4)
    return lay.ehdr.pack(ehdr) + lay.phdr.pack(ph) + bytes(code)


ALL_KINDS = [(c, d) for c in (spec.ELFCLASS32, spec.ELFCLASS64) for d in (spec.ELFDATA2LSB, spec.ELFDATA2MSB)]


def kind_id(kind) -> str:
    c, d = kind
    return f"elf{32 if c == spec.ELFCLASS32 else 64}{'le' if d == spec.ELFDATA2LSB else 'be'}"
