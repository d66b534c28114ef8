"""The append-only ELF editor: add loadable images to a linked ELF file.

What it changes in the original bytes, and nothing else:
  - the ELF header's e_phoff/e_phnum/e_shoff/e_shnum;
  - the program header table, rewritten in place with the new PT_LOADs if the
    gap after it is free (see ``_phdr_plan``); else a new table is written at
    the end of the file and the old one stays, unused;
  - the caller's ``patches`` (the descriptors' fields).
PT_LOAD entries stay in ascending p_vaddr order (the gABI's rule; Linux sizes
a mapping from the first and the last): each new one goes before the first
host PT_LOAD above it, so host segments keep their relative order.

Two layouts, chosen from the host's own program headers (``ElfFile.hosted_by``):
  - bare metal: a new PT_LOAD's p_align is the image's alignment; a moved
    program header table lies outside every PT_LOAD (a bare-metal loader reads
    it from the file);
  - hosted (an operating system maps the file page by page): a new PT_LOAD's
    p_align is the host's page size and its p_offset is congruent to p_vaddr
    modulo that page size; a moved program header table gets a PT_LOAD of its
    own above every other segment, at p_vaddr = the first PT_LOAD's
    (p_vaddr - p_offset) + its file offset, so that every way a loader finds
    it (PT_PHDR, AT_PHDR = load bias + e_phoff on older kernels and qemu-user,
    the PT_LOAD holding e_phoff on newer ones, __ehdr_start + e_phoff in
    static glibc) gives the same address; PT_PHDR is kept in step.
Everything else is appended: each image (one SHF_ALLOC PROGBITS section and
one PT_LOAD with p_paddr = p_vaddr = its address, p_filesz = p_memsz = its
size), new copies of .symtab/.strtab/.shstrtab grown by the new entries (the
section headers keep their indices and point at the copies), any extra
non-allocated sections, and the section header table. Existing sections,
segments and symbols keep their address and size, except the grown string
and symbol tables, whose size grows, and PT_PHDR, which follows the table;
undefined symbols the new ones define (the kit's weak references) are
defined in place in the copy.

The result is a list of chunks (bytes or memoryviews) so a large image is
written straight from its buffer, never copied into one big bytes object.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.elf.strtab import StringTable
from bundler.elf.spec import Phdr, Shdr, Sym
from bundler.errors import BadInputError, NoFitError
from bundler.records import Factory, Record, replace

MAX_SECTIONS = spec.SHN_LORESERVE - 1
# A hosted host's moved program header table goes at a file offset congruent to its
# address with the host's load bias; past this much padding, the editor settles for
# an address above the host that newer kernels and ld.so accept (and says so).
MAX_PHDR_PADDING = 64 << 20


class NewImage(Record):
    """An image to add: its bytes at ``address`` in a section named ``section``."""

    section: str
    address: int
    data: bytes | memoryview
    align: int = 8
    symbols: list[tuple[str, str]] = Factory(list)  # (name, "start"|"end"|"size")


class NewNote(Record):
    """A non-allocated section to append (the bundle record)."""

    section: str
    data: bytes


class EditResult(Record):
    chunks: list
    size: int
    image_offsets: list[int]
    phdr_moved: bool
    phdr_load: Phdr | None = None       # the PT_LOAD added for a hosted host's moved table
    warnings: list[str] = Factory(list)

    def to_bytes(self) -> bytes:
        return b"".join(bytes(c) for c in self.chunks)


class _Appender:
    """Builds the tail of the file: aligned chunks after the original bytes."""

    def __init__(self, start: int):
        self.chunks = []
        self.offset = start

    def align(self, alignment: int) -> None:
        pad = (-self.offset) % max(alignment, 1)
        if pad:
            self.chunks.append(bytes(pad))
            self.offset += pad

    def put(self, data, alignment: int = 1) -> int:
        self.align(alignment)
        at = self.offset
        self.chunks.append(data)
        self.offset += len(data)
        return at

    def put_at_least(self, data, offset: int) -> int:
        """Append ``data`` at ``offset`` (not below the current end), padding up to it."""
        if offset > self.offset:
            self.chunks.append(bytes(offset - self.offset))
            self.offset = offset
        return self.put(data)

    def put_congruent(self, data, address: int, page: int) -> int:
        """Append ``data`` at the next offset congruent to ``address`` modulo ``page``."""
        return self.put_at_least(data, self.offset + (address - self.offset) % page)


def add_images(elf: ElfFile, images: list[NewImage], *, patches: list[tuple[int, bytes]] = (),
               notes: list[NewNote] = ()) -> EditResult:
    """Return the new file as chunks: ``elf`` plus ``images`` and ``notes``."""
    lay = elf.layout
    data = elf.data
    ehdr = elf.ehdr
    prefix = bytearray(data)

    def write_prefix(offset: int, new: bytes) -> None:
        """Overwrite original bytes: only within planned_prefix_ranges (the bundle record relies on it)."""
        prefix[offset:offset + len(new)] = new

    for offset, new in patches:
        write_prefix(offset, new)

    sections = [replace(s.hdr) for s in elf.sections]
    shstrndx = _editable_shstrndx(elf)
    old_shnum = len(sections)

    # string and symbol tables that grow (shared tables are grown once)
    tables: dict[int, StringTable] = {}

    def strtab(index: int) -> StringTable:
        if index not in tables:
            sec = elf.sections[index]
            _refuse_alloc_table(sec)
            tables[index] = StringTable(elf.section_bytes(sec))
        return tables[index]

    if elf.symtab is not None:
        _refuse_alloc_table(elf.symtab)
    symtab_index = elf.symtab.index if elf.symtab else None
    new_section_index = old_shnum
    if symtab_index is None:
        # a stripped host: new .symtab and .strtab after the image sections
        strtab_index = old_shnum + len(images) + len(notes)
        symtab_index = strtab_index + 1
        tables[strtab_index] = StringTable(b"\0")
        sym_entries = [bytes(lay.sym.size)]
        first_global = 1
    else:
        strtab_index = elf.symtab.hdr.sh_link
        sym_entries = None
        first_global = elf.symtab.hdr.sh_info
    shstr = strtab(shstrndx)

    hosted = elf.hosted_by is not None
    page = elf.page_size if hosted else 1
    tail = _Appender(len(prefix))
    new_phdrs: list[Phdr] = []
    new_shdrs: list[Shdr] = []
    new_syms: list[Sym] = []
    define_in_place: dict[int, Sym] = {}
    image_offsets = []
    by_name = {s.name: s for s in elf.symbols if not s.is_defined and s.index}

    for image in images:
        size = len(image.data)
        if hosted:
            offset = tail.put_congruent(image.data, image.address, max(page, image.align))
        else:
            offset = tail.put(image.data, image.align)
        image_offsets.append(offset)
        index = new_section_index
        new_section_index += 1
        new_shdrs.append(Shdr(sh_name=shstr.add(image.section), sh_type=spec.SHT_PROGBITS,
                              sh_flags=spec.SHF_ALLOC, sh_addr=image.address, sh_offset=offset,
                              sh_size=size, sh_link=0, sh_info=0, sh_addralign=image.align,
                              sh_entsize=0))
        new_phdrs.append(Phdr(p_type=spec.PT_LOAD, p_flags=spec.PF_R, p_offset=offset,
                              p_vaddr=image.address, p_paddr=image.address, p_filesz=size,
                              p_memsz=size, p_align=max(page, image.align) if hosted else image.align))
        _define_symbols(elf, image, index, by_name, define_in_place, new_syms,
                        lambda name: strtab(strtab_index).add(name))

    for note in notes:
        offset = tail.put(note.data, 1)
        new_shdrs.append(Shdr(sh_name=shstr.add(note.section), sh_type=spec.SHT_PROGBITS,
                              sh_flags=0, sh_addr=0, sh_offset=offset, sh_size=len(note.data),
                              sh_link=0, sh_info=0, sh_addralign=1, sh_entsize=0))
        new_section_index += 1

    _write_tables(elf, tables, sections, new_shdrs, tail, shstr, strtab_index, first_global, sym_entries,
                  define_in_place, new_syms)

    shnum = old_shnum + len(new_shdrs)
    if shnum > MAX_SECTIONS:
        raise BadInputError(f"the output would have {shnum} sections; the limit is {MAX_SECTIONS}",
                            hint="bundle fewer images into this host")

    phdrs, e_phoff, phdr_load, warnings = _place_phdrs(elf, new_phdrs, tail, write_prefix, page)
    phdr_moved = e_phoff != ehdr.e_phoff

    if ehdr.e_shnum == 0 and ehdr.e_shoff:          # extended section numbering
        sections[0] = replace(sections[0], sh_size=shnum)
    all_shdrs = sections + new_shdrs
    e_shoff = tail.put(b"".join(lay.shdr.pack(s) for s in all_shdrs), lay.addr_size)

    if tail.offset > lay.addr_max:
        raise NoFitError(f"the output would be {tail.offset} bytes; an ELF{64 if lay.is64 else 32} file "
                         f"cannot exceed {lay.addr_max} bytes", size=tail.offset,
                         hint="bundle smaller images, or fewer into one host")
    new_ehdr = replace(ehdr, e_phoff=e_phoff, e_phnum=len(phdrs),
                       e_phentsize=lay.phdr.size, e_shoff=e_shoff,
                       e_shnum=0 if ehdr.e_shnum == 0 and ehdr.e_shoff else shnum)
    if len(phdrs) >= 0xFFFF:
        raise BadInputError(f"the output would have {len(phdrs)} program headers; the limit is 65534",
                            hint="bundle fewer images into this host")
    write_prefix(0, lay.ehdr.pack(new_ehdr))

    chunks = [prefix] + tail.chunks
    return EditResult(chunks=chunks, size=tail.offset, image_offsets=image_offsets,
                      phdr_moved=phdr_moved, phdr_load=phdr_load, warnings=warnings)


def _place_phdrs(elf: ElfFile, new_phdrs: list[Phdr], tail: "_Appender", write_prefix, page: int):
    """The program header table with ``new_phdrs``: rewritten in place where the gap after
    the table allows, else a new table at the end (on a hosted host, in a PT_LOAD of its
    own). Returns (phdrs, e_phoff, the table's own PT_LOAD or None, warnings)."""
    lay = elf.layout
    hosted = elf.hosted_by is not None
    phdr_load = None
    warnings: list[str] = []
    in_place = _phdr_plan(elf, len(new_phdrs))
    if in_place is not None:
        phdrs = _with_phdr_table(_merge_loads(elf.segments, new_phdrs), in_place, lay)
        write_prefix(in_place, b"".join(lay.phdr.pack(p) for p in phdrs))
        e_phoff = in_place
    elif not hosted:
        phdrs = _merge_loads(elf.segments, new_phdrs)
        e_phoff = tail.put(b"".join(lay.phdr.pack(p) for p in phdrs), lay.addr_size)
    else:
        table_size = (len(elf.segments) + len(new_phdrs) + 1) * lay.phdr.size
        e_phoff, vaddr, warning = _hosted_phdr_place(elf, new_phdrs, tail.offset, table_size, page)
        if warning:
            warnings.append(warning)
        phdr_load = Phdr(p_type=spec.PT_LOAD, p_flags=spec.PF_R, p_offset=e_phoff, p_vaddr=vaddr,
                         p_paddr=vaddr, p_filesz=table_size, p_memsz=table_size, p_align=page)
        phdrs = _with_phdr_table(_merge_loads(elf.segments, new_phdrs + [phdr_load]), e_phoff, lay)
        tail.put_at_least(b"".join(lay.phdr.pack(p) for p in phdrs), e_phoff)
    return phdrs, e_phoff, phdr_load, warnings


def _write_tables(elf: ElfFile, tables: dict, sections: list[Shdr], new_shdrs: list[Shdr], tail: "_Appender",
                  shstr: StringTable, strtab_index: int, first_global: int, sym_entries,
                  define_in_place: dict, new_syms: list[Sym]) -> None:
    """Append the symbol table (a copy with in-place definitions and appended globals) and
    the grown string tables, and repoint their section headers (new ones for a stripped host)."""
    lay = elf.layout
    old_shnum = len(elf.sections)
    if sym_entries is None:
        old = elf.section_bytes(elf.symtab)
        sym_entries = [old[i:i + lay.sym.size] for i in range(0, len(old), lay.sym.size)]
    sym_entries = list(sym_entries)
    for index, sym in define_in_place.items():
        sym_entries[index] = lay.sym.pack(sym)
    sym_entries.extend(lay.sym.pack(s) for s in new_syms)
    symtab_bytes = b"".join(bytes(e) for e in sym_entries)

    if elf.symtab is None:
        strtab_name = shstr.add(".strtab")
        symtab_name = shstr.add(".symtab")

    # the grown string tables (every name is added by now), appended and repointed
    for index, table in sorted(tables.items()):
        if index >= old_shnum:
            continue
        if table.grown:
            content = table.content()
            offset = tail.put(content, 1)
            sections[index] = replace(sections[index], sh_offset=offset, sh_size=len(content))
    if elf.symtab is not None:
        if define_in_place or new_syms:
            offset = tail.put(symtab_bytes, lay.addr_size)
            sections[elf.symtab.index] = replace(sections[elf.symtab.index], sh_offset=offset,
                                                 sh_size=len(symtab_bytes))
            _grow_shndx_table(elf, sections, tail, len(new_syms))
    else:
        content = tables[strtab_index].content()
        offset = tail.put(content, 1)
        new_shdrs.append(Shdr(sh_name=strtab_name, sh_type=spec.SHT_STRTAB, sh_flags=0, sh_addr=0,
                              sh_offset=offset, sh_size=len(content), sh_link=0, sh_info=0,
                              sh_addralign=1, sh_entsize=0))
        offset = tail.put(symtab_bytes, lay.addr_size)
        new_shdrs.append(Shdr(sh_name=symtab_name, sh_type=spec.SHT_SYMTAB, sh_flags=0, sh_addr=0,
                              sh_offset=offset, sh_size=len(symtab_bytes), sh_link=strtab_index,
                              sh_info=first_global, sh_addralign=lay.addr_size,
                              sh_entsize=lay.sym.size))


def _define_symbols(elf: ElfFile, image: NewImage, index: int, by_name: dict, define_in_place: dict,
                    new_syms: list[Sym], add_name) -> None:
    """The image's _start/_end (in section ``index``) and _size (SHN_ABS): an undefined
    symbol of the name is defined in place, any other is appended (``add_name`` gives its
    string's offset)."""
    size = len(image.data)
    for name, which in image.symbols:
        value = {"start": image.address, "end": image.address + size, "size": size}[which]
        shndx = spec.SHN_ABS if which == "size" else index
        sym = Sym(st_name=0, st_value=value, st_size=0,
                  st_info=spec.st_info(spec.STB_GLOBAL, spec.STT_NOTYPE),
                  st_other=spec.STV_DEFAULT, st_shndx=shndx)
        if name in by_name:
            old = by_name[name]
            define_in_place[old.index] = replace(sym, st_name=_raw_sym(elf, old.index).st_name)
        else:
            new_syms.append(replace(sym, st_name=add_name(name)))


def _editable_shstrndx(elf: ElfFile) -> int:
    """The index of the section name table of a host that has section headers and one."""
    if not elf.sections:
        raise BadInputError("the host has no section headers",
                            hint="bundle needs a host ELF with its section header table (not stripped with --strip-sections)")
    shstrndx = _shstrndx(elf)
    if shstrndx == 0:
        raise BadInputError("the host has no section name table (e_shstrndx is 0)",
                            hint="rebuild the host without stripping its section headers")
    return shstrndx


def planned_prefix_ranges(elf: ElfFile, n_images: int,
                          patches: list[tuple[int, bytes]] = ()) -> list[tuple[int, int]]:
    """(offset, length) of every range of the original bytes :func:`add_images` may overwrite."""
    ranges = [(0, elf.layout.ehdr.size)]
    ranges += [(offset, len(new)) for offset, new in patches]
    in_place = _phdr_plan(elf, n_images)
    if in_place is not None:
        ranges.append((in_place, (elf.ehdr.e_phnum + n_images) * elf.layout.phdr.size))
    return sorted(ranges)


def _merge_loads(segments: list[Phdr], new: list[Phdr]) -> list[Phdr]:
    """The host's program headers with ``new`` PT_LOADs inserted in ascending p_vaddr order:
    each before the first non-empty PT_LOAD (in table order) above it, else after the last
    PT_LOAD. Empty PT_LOADs map nothing and do not count for the order."""
    out = list(segments)
    for p in sorted(new, key=lambda q: q.p_vaddr):
        loads = [i for i, q in enumerate(out) if q.p_type == spec.PT_LOAD]
        above = next((i for i in loads if out[i].p_memsz and out[i].p_vaddr > p.p_vaddr), None)
        out.insert(above if above is not None else (loads[-1] + 1 if loads else len(out)), p)
    return out


def _with_phdr_table(phdrs: list[Phdr], offset: int, lay: spec.Layout) -> list[Phdr]:
    """``phdrs`` with PT_PHDR describing the table of ``phdrs`` at file ``offset``: its address
    is where the PT_LOAD that holds that offset maps it."""
    size = len(phdrs) * lay.phdr.size
    holder = next((p for p in phdrs if p.p_type == spec.PT_LOAD
                   and p.p_offset <= offset and offset + size <= p.p_offset + p.p_filesz), None)
    out = []
    for p in phdrs:
        if p.p_type == spec.PT_PHDR and holder is not None:
            vaddr = holder.p_vaddr + offset - holder.p_offset
            p = replace(p, p_offset=offset, p_vaddr=vaddr, p_paddr=holder.p_paddr + offset - holder.p_offset,
                        p_filesz=size, p_memsz=size)
        out.append(p)
    return out


def _hosted_phdr_place(elf: ElfFile, new_loads: list[Phdr], end: int, size: int,
                       page: int) -> tuple[int, int, str | None]:
    """(file offset, address, warning) for a hosted host's moved program header table: one
    page-aligned PT_LOAD above every segment, its address the load bias (the first PT_LOAD's
    p_vaddr - p_offset) plus its offset, so AT_PHDR computed either way finds it."""
    segments = [p for p in elf.iter_loads() if p.p_memsz] + new_loads
    top = max((max(p.p_vaddr, p.p_paddr) + p.p_memsz for p in segments), default=0)
    top = (top + page - 1) // page * page
    offset = (end + page - 1) // page * page
    first = next(elf.iter_loads(), None)
    bias = first.p_vaddr - first.p_offset if first is not None else 0
    warning = None
    if top - bias - offset > MAX_PHDR_PADDING:
        vaddr = top
        warning = (f"the program header table moves to file offset {offset:#x} and address {top:#x}; "
                   f"keeping address - offset equal to the first PT_LOAD's would cost "
                   f"{top - bias - offset} bytes of padding, so kernels before Linux 5.18 and "
                   "qemu-user, which take AT_PHDR as that difference plus e_phoff, will not find it")
    else:
        offset = max(offset, top - bias)
        vaddr = bias + offset
    if vaddr + size > elf.layout.addr_max + 1:
        raise NoFitError(f"the moved program header table ({size} bytes) would end at {vaddr + size:#x}, "
                         f"past the ELF{64 if elf.layout.is64 else 32} address space", address=vaddr,
                         size=size, hint="bundle fewer or smaller images into this host")
    return offset, vaddr, warning


def _phdr_plan(elf: ElfFile, n_new: int) -> int | None:
    """The offset at which the program header table, grown by ``n_new`` entries, can be
    rewritten in place (its own e_phoff), or None if it must move. The bytes after the table
    must belong to no section and no other segment, and be loaded exactly as the table is:
    on a hosted host inside the PT_LOAD that holds it (so PT_PHDR stays loaded), on bare metal
    outside every PT_LOAD (so no byte a loader writes changes)."""
    if not elf.ehdr.e_phnum or not n_new:
        return None
    start = elf.ehdr.e_phoff
    end = start + elf.ehdr.e_phnum * elf.layout.phdr.size
    gap = (end, end + n_new * elf.layout.phdr.size)
    holder = elf.find_phdr_load()
    if elf.hosted_by is not None:
        if holder is None or gap[1] > holder.p_offset + holder.p_filesz:
            return None
    elif any(p.p_offset < gap[1] and start < p.p_offset + p.p_filesz for p in elf.iter_loads()):
        return None
    return start if _gap_is_free(elf, *gap) else None


def _refuse_alloc_table(sec) -> None:
    """The tables the editor grows and moves must not be loaded (SHF_ALLOC)."""
    if sec.is_alloc:
        raise BadInputError(f"section {sec.index} ({sec.name}) is a symbol or string table with SHF_ALLOC: "
                            "bundle grows these tables, and a loaded one must not move",
                            address=sec.hdr.sh_addr, size=sec.hdr.sh_size,
                            hint="the section headers are corrupt, or the host was linked unusually")


def _shstrndx(elf: ElfFile) -> int:
    if elf.ehdr.e_shstrndx == spec.SHN_XINDEX:
        return elf.sections[0].hdr.sh_link
    return elf.ehdr.e_shstrndx


def _raw_sym(elf: ElfFile, index: int) -> Sym:
    lay = elf.layout
    return lay.sym.unpack(elf.data, elf.symtab.hdr.sh_offset + index * lay.sym.size)


def _grow_shndx_table(elf: ElfFile, sections: list[Shdr], tail: _Appender, added: int) -> None:
    """Extend a SHT_SYMTAB_SHNDX table by one zero word per appended symbol."""
    for sec in elf.sections:
        if sec.hdr.sh_type == spec.SHT_SYMTAB_SHNDX and sec.hdr.sh_link == elf.symtab.index:
            content = bytes(elf.section_bytes(sec)) + bytes(4 * added)
            offset = tail.put(content, 4)
            sections[sec.index] = replace(sections[sec.index], sh_offset=offset, sh_size=len(content))


def _gap_is_free(elf: ElfFile, start: int, end: int) -> bool:
    """True if file bytes [start, end) lie in the file and belong to no header, section or
    segment other than a PT_LOAD or PT_PHDR (the caller decides about those)."""
    if end > len(elf.data):
        return False
    lay = elf.layout
    used = [(0, lay.ehdr.size)]
    if elf.ehdr.e_shoff:
        used.append((elf.ehdr.e_shoff, elf.ehdr.e_shoff + len(elf.sections) * lay.shdr.size))
    for sec in elf.sections[1:]:
        if sec.has_file_bytes and sec.hdr.sh_size:
            used.append((sec.hdr.sh_offset, sec.hdr.sh_offset + sec.hdr.sh_size))
    for p in elf.segments:
        if p.p_filesz and p.p_type not in (spec.PT_LOAD, spec.PT_PHDR):
            used.append((p.p_offset, p.p_offset + p.p_filesz))
    return not any(a < end and start < b for a, b in used)
