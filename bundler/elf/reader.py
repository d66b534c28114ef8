"""The ELF reader: bytes in, :class:`bundler.elf.model.ElfFile` out.

Reads what the ELF specification defines and readelf reads, with the record
layouts of :mod:`bundler.elf.spec`, and refuses only what would make an
output wrong: a header or table that lies outside the file, a string table
without its final NUL, a name or symbol that points outside its table, a
symbol table linked to something that is not a string table. What is legal
but unusual is read as it is: ``sh_link`` 0 on ``.dynsym`` or ``.rela.dyn``
(U-Boot), a PT_LOAD with no file bytes whose ``p_offset`` lies past the end
of the file (NXP SDK firmware), zero-size segments sharing an address.

No third-party parser is involved, so nothing stricter than the spec stands
between a user and a valid file; :mod:`bundler.adapters.lief` reads the same bytes independently for
``bundle verify``.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.elf.model import ElfFile, Section, Symbol
from bundler.elf.spec import Layout
from bundler.errors import BadInputError

# Far more than any firmware has; a header claiming more is corrupt, not big.
MAX_SECTIONS = 0xFF00 - 1
MAX_SEGMENTS = 0xFFFF - 1


def parse_elf(data, *, what: str = "ELF file") -> ElfFile:
    """Parse ``data`` (a whole ELF file: bytes or any buffer, e.g. an mmap) into the
    model, or raise BadInputError. A buffer is referenced, never copied."""
    if not isinstance(data, (bytes, memoryview)) and not hasattr(data, "find"):
        data = bytes(data)
    layout, ehdr, shnum, shstrndx = _check_header(data, what)
    segments = list(layout.phdr.iter_unpack(data, ehdr.e_phoff, ehdr.e_phnum))
    shdrs = list(layout.shdr.iter_unpack(data, ehdr.e_shoff, shnum)) if shnum else []
    _check_tables(data, layout, segments, shdrs, shstrndx, what)
    names = _table(data, shdrs[shstrndx]) if shstrndx else None
    sections = [Section(index=index, name=_string(names, hdr.sh_name) if names else "", hdr=hdr)
                for index, hdr in enumerate(shdrs)]
    symtab = next((s for s in sections if s.hdr.sh_type == spec.SHT_SYMTAB), None)
    symbols = _symbols(data, layout, symtab, shdrs) if symtab else []
    return ElfFile(data=data, layout=layout, ehdr=ehdr, segments=segments,
                    sections=sections, symbols=symbols, symtab=symtab)


def is_elf(data: bytes) -> bool:
    return len(data) >= spec.EI_NIDENT and bytes(data[:4]) == spec.ELFMAG


def _table(data, table: spec.Shdr) -> bytes:
    return bytes(memoryview(data)[table.sh_offset:table.sh_offset + table.sh_size])


def _string(table: bytes, offset: int) -> str:
    """The NUL-terminated name at ``offset`` in a string table (already bounds-checked and
    NUL-terminated), decoded as readelf shows it (invalid UTF-8 replaced)."""
    end = table.find(b"\0", offset)
    return table[offset:end].decode("utf-8", errors="replace") if end >= 0 else ""


def _symbols(data, layout: Layout, symtab: Section, shdrs: list[spec.Shdr]) -> list[Symbol]:
    count = symtab.hdr.sh_size // layout.sym.size
    base = symtab.hdr.sh_offset
    shnum = len(shdrs)
    names = _table(data, shdrs[symtab.hdr.sh_link])
    out = []
    for index in range(count):
        raw = layout.sym.unpack(data, base + index * layout.sym.size)
        if raw.st_name and raw.st_name >= len(names):
            raise BadInputError(f"symbol {index}'s name (offset {raw.st_name:#x}) lies past the end of its "
                                f"string table ({len(names)} bytes)", hint="the symbol table is corrupt")
        if shnum <= raw.st_shndx < spec.SHN_LORESERVE:
            raise BadInputError(f"symbol {index} has section index {raw.st_shndx}, but there are only "
                                f"{shnum} sections", hint="the symbol table is corrupt")
        out.append(Symbol(index=index, name=_string(names, raw.st_name), st_value=raw.st_value,
                          st_size=raw.st_size, st_info=raw.st_info, st_other=raw.st_other,
                          st_shndx=raw.st_shndx))
    return out


def _check_header(data: bytes, what: str):
    size = len(data)
    if size < spec.EI_NIDENT or bytes(data[:4]) != spec.ELFMAG:
        raise BadInputError(f"not an ELF file (no \\x7fELF magic at offset 0x0, {size} bytes)",
                            hint=f"pass a linked ELF image as the {what}")
    try:
        layout = Layout.of(data)
    except ValueError as exc:
        raise BadInputError(f"unsupported ELF identification: {exc}",
                            hint="only ELF32 and ELF64, little or big endian, are supported") from exc
    if data[spec.EI_VERSION] != spec.EV_CURRENT:
        raise BadInputError(f"unsupported ELF version {data[spec.EI_VERSION]} in e_ident",
                            hint="the file is corrupt or not an ELF image")
    if size < layout.ehdr.size:
        raise BadInputError(f"truncated: {size} bytes, shorter than the ELF header "
                            f"({layout.ehdr.size} bytes)", size=size,
                            hint="the file was cut short; rebuild it")
    ehdr = layout.ehdr.unpack(data)
    if ehdr.e_phnum and ehdr.e_phentsize != layout.phdr.size:
        raise BadInputError(f"e_phentsize is {ehdr.e_phentsize}, expected {layout.phdr.size}",
                            hint="the ELF header is corrupt")
    if ehdr.e_shoff and ehdr.e_shentsize != layout.shdr.size:
        raise BadInputError(f"e_shentsize is {ehdr.e_shentsize}, expected {layout.shdr.size}",
                            hint="the ELF header is corrupt")
    _check_span(size, ehdr.e_phoff, ehdr.e_phnum * layout.phdr.size, "program header table")
    shnum, shstrndx = ehdr.e_shnum, ehdr.e_shstrndx
    if ehdr.e_shoff:
        _check_span(size, ehdr.e_shoff, max(shnum, 1) * layout.shdr.size, "section header table")
        if shnum == 0 or shstrndx == spec.SHN_XINDEX:  # extended numbering lives in section 0
            sh0 = layout.shdr.unpack(data, ehdr.e_shoff)
            if shnum == 0:
                shnum = sh0.sh_size
            if shstrndx == spec.SHN_XINDEX:
                shstrndx = sh0.sh_link
            if shnum > MAX_SECTIONS:
                raise BadInputError(f"section count {shnum} is absurd", hint="the ELF header is corrupt")
            _check_span(size, ehdr.e_shoff, shnum * layout.shdr.size, "section header table")
    else:
        shnum, shstrndx = 0, 0
    if shstrndx and shstrndx >= shnum:          # shnum 0 included: then there is no table to name
        raise BadInputError(f"e_shstrndx {shstrndx} is not below the section count {shnum}",
                            hint="the ELF header is corrupt")
    return layout, ehdr, shnum, shstrndx


def _check_span(size: int, offset: int, length: int, what: str) -> None:
    if offset + length > size:
        raise BadInputError(f"{what} at offset {offset:#x} ({length} bytes) runs past the end of "
                            f"the file ({size} bytes)", address=offset, size=length,
                            hint="the file is truncated or its header is corrupt")


def _check_tables(data, layout, segments, shdrs, shstrndx, what) -> None:
    size = len(data)
    for i, p in enumerate(segments):
        if p.p_type != spec.PT_LOAD:
            continue
        if p.p_filesz:              # no file bytes, nothing to read: p_offset may be anything
            _check_span(size, p.p_offset, p.p_filesz, f"segment {i} (PT_LOAD) data")
        if p.p_filesz > p.p_memsz:
            raise BadInputError(f"segment {i} (PT_LOAD at {p.p_paddr:#x}) has p_filesz "
                                f"{p.p_filesz} > p_memsz {p.p_memsz}", address=p.p_paddr,
                                size=p.p_filesz, hint="the program headers are corrupt")
        if p.p_paddr + p.p_memsz > layout.addr_max + 1 or p.p_vaddr + p.p_memsz > layout.addr_max + 1:
            raise BadInputError(f"segment {i} (PT_LOAD at {p.p_paddr:#x}, {p.p_memsz} bytes) wraps "
                                "around the address space", address=p.p_paddr, size=p.p_memsz,
                                hint="the program headers are corrupt")
    for i, s in enumerate(shdrs):
        if i == 0 or s.sh_type in (spec.SHT_NULL, spec.SHT_NOBITS):
            continue
        _check_span(size, s.sh_offset, s.sh_size, f"section {i} data")
    # the string tables the tool reads names from (others are carried through unread)
    if shdrs and shstrndx:
        if shdrs[shstrndx].sh_type != spec.SHT_STRTAB:
            raise BadInputError(f"e_shstrndx {shstrndx} names a section that is not a string table",
                                hint="the ELF header is corrupt")
        _check_strtab(data, shdrs, shstrndx, "the section name table")
        names_size = shdrs[shstrndx].sh_size
        for i, s in enumerate(shdrs):
            if s.sh_name and s.sh_name >= names_size:
                raise BadInputError(f"section {i}'s name (offset {s.sh_name:#x}) lies past the end of the "
                                    f"section name table ({names_size} bytes)",
                                    hint="the section headers are corrupt")
    symtab = next((i for i, s in enumerate(shdrs) if s.sh_type == spec.SHT_SYMTAB), None)
    if symtab is not None:
        s = shdrs[symtab]
        if s.sh_entsize != layout.sym.size:
            raise BadInputError(f"symbol table (section {symtab}) has sh_entsize {s.sh_entsize}, "
                                f"expected {layout.sym.size}", hint="the section headers are corrupt")
        if not 0 < s.sh_link < len(shdrs) or shdrs[s.sh_link].sh_type != spec.SHT_STRTAB:
            raise BadInputError(f"symbol table (section {symtab}) links to section {s.sh_link}, "
                                "which is not a string table: its symbols have no names",
                                hint="the section headers are corrupt")
        _check_strtab(data, shdrs, s.sh_link, f"the symbol table's string table (section {s.sh_link})")


def _check_strtab(data, shdrs, index: int, what: str) -> None:
    s = shdrs[index]
    if s.sh_size and data[s.sh_offset + s.sh_size - 1] != 0:
        raise BadInputError(f"{what} does not end with a NUL byte, as ELF requires",
                            address=s.sh_offset, size=s.sh_size, hint="the file is corrupt")
