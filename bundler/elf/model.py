"""The in-memory model of an ELF file: headers, segments, sections, symbols.

Built by :mod:`bundler.elf.reader` from bytes; read by placement,
bundling, verification and export. Records keep the spec's field names.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.elf.spec import Ehdr, Layout, Phdr, Shdr
from bundler.records import Factory, Record


class Section(Record):
    index: int
    name: str
    hdr: Shdr

    @property
    def is_alloc(self) -> bool:
        return bool(self.hdr.sh_flags & spec.SHF_ALLOC)

    @property
    def has_file_bytes(self) -> bool:
        return self.hdr.sh_type not in (spec.SHT_NOBITS, spec.SHT_NULL)


class Symbol(Record):
    index: int
    name: str
    st_value: int
    st_size: int
    st_info: int
    st_other: int
    st_shndx: int

    @property
    def bind(self) -> int:
        return spec.st_bind(self.st_info)

    @property
    def type(self) -> int:
        return spec.st_type(self.st_info)

    @property
    def is_defined(self) -> bool:
        return self.st_shndx != spec.SHN_UNDEF


# Program headers that only an operating system's loader acts on: a host that has
# one is "hosted" (Linux, a BSD, ld.so, qemu-user load it), whatever its e_type.
HOSTED_TYPES = {spec.PT_INTERP: "PT_INTERP", spec.PT_DYNAMIC: "PT_DYNAMIC", spec.PT_PHDR: "PT_PHDR",
                spec.PT_TLS: "PT_TLS", spec.PT_GNU_RELRO: "PT_GNU_RELRO"}


class ElfFile(Record):
    """A parsed ELF file. ``data`` is the whole file (bytes, or a read-only buffer
    such as an mmap of a large input); nothing here is a path."""

    data: bytes
    layout: Layout
    ehdr: Ehdr
    segments: list[Phdr]
    sections: list[Section]
    symbols: list[Symbol] = Factory(list)
    symtab: Section | None = None

    # ---- lookups ---------------------------------------------------------
    def find_section(self, name: str) -> Section | None:
        for sec in self.sections:
            if sec.name == name:
                return sec
        return None

    def find_symbol(self, name: str) -> Symbol | None:
        """The defined symbol of that name if there is one, else an undefined one, else None."""
        undefined = None
        for sym in self.symbols:
            if sym.name == name:
                if sym.is_defined:
                    return sym
                undefined = undefined or sym
        return undefined

    def iter_loads(self):
        """PT_LOAD program headers, in table order."""
        return (p for p in self.segments if p.p_type == spec.PT_LOAD)

    def find_load(self, vaddr: int, size: int) -> tuple[int, int, int] | None:
        """(segment index, LMA, file offset) of the PT_LOAD whose file bytes hold
        [vaddr, vaddr+size) at its VMA, or None: where a loader puts those bytes."""
        for index, p in enumerate(self.segments):
            if p.p_type == spec.PT_LOAD and p.p_vaddr <= vaddr and vaddr + size <= p.p_vaddr + p.p_filesz:
                delta = vaddr - p.p_vaddr
                return index, p.p_paddr + delta, p.p_offset + delta
        return None

    def iter_misaligned_loads(self):
        """(index, phdr) of each PT_LOAD of a hosted program whose p_offset and p_vaddr disagree
        modulo p_align: its operating system maps it by pages (ld.so: "ELF load command
        address/offset not page-aligned"). A bare-metal loader copies p_filesz bytes from
        p_offset to p_paddr and never looks at p_align (armlink writes such images), and
        nothing bundle does depends on it. A p_align that is not a power of two (the gABI's
        rule) is a corrupt header in any file, and is yielded too."""
        hosted = self.hosted_by is not None
        for i, p in enumerate(self.segments):
            if p.p_type != spec.PT_LOAD or p.p_align <= 1:
                continue
            if p.p_align & (p.p_align - 1) or hosted and p.p_offset % p.p_align != p.p_vaddr % p.p_align:
                yield i, p

    @property
    def load_basis(self) -> str:
        """Where a loader puts each PT_LOAD: "VMA" for a hosted program (an operating system maps
        p_vaddr and ignores p_paddr: HP-UX's IA-64 programs have every p_paddr 0), else "LMA"."""
        return "VMA" if self.hosted_by is not None else "LMA"

    def load_range(self, p) -> tuple[int, int] | None:
        """[start, end) that a loader writes for PT_LOAD ``p`` (by :attr:`load_basis`), or None
        for none: on bare metal a PT_LOAD without file bytes has nothing loaded from its LMA
        (TriCore's .bss-like PT_LOADs share one), its memory is cleared at its VMA."""
        if p.p_type != spec.PT_LOAD or not p.p_memsz:
            return None
        if self.hosted_by is not None:
            return p.p_vaddr, p.p_vaddr + p.p_memsz
        return (p.p_paddr, p.p_paddr + p.p_memsz) if p.p_filesz else None

    def iter_overlapping_loads(self):
        """(i, p, j, q, lo, hi) for each pair of PT_LOADs whose load ranges (:meth:`load_range`)
        share [lo, hi)."""
        loads = [(i, p, r) for i, p in enumerate(self.segments) if (r := self.load_range(p)) is not None]
        for n, (i, p, (p_lo, p_hi)) in enumerate(loads):
            for j, q, (q_lo, q_hi) in loads[n + 1:]:
                lo, hi = max(p_lo, q_lo), min(p_hi, q_hi)
                if lo < hi:
                    yield i, p, j, q, lo, hi

    def iter_unsorted_loads(self):
        """(index, phdr, previous phdr) of each PT_LOAD whose p_vaddr is below the previous
        PT_LOAD's: the gABI wants them in ascending order, and Linux sizes a mapping from the
        first and the last. Empty PT_LOADs (p_memsz 0, as GNU ld emits for a PHDRS entry with
        only empty sections) map nothing and are not counted."""
        prev = None
        for i, p in enumerate(self.segments):
            if p.p_type != spec.PT_LOAD or not p.p_memsz:
                continue
            if prev is not None and p.p_vaddr < prev.p_vaddr:
                yield i, p, prev
            prev = p

    def find_phdr_load(self) -> Phdr | None:
        """The PT_LOAD whose file bytes hold the whole program header table, or None."""
        start = self.ehdr.e_phoff
        end = start + self.ehdr.e_phnum * self.layout.phdr.size
        for p in self.iter_loads():
            if p.p_offset <= start and end <= p.p_offset + p.p_filesz:
                return p
        return None

    # ---- which loader's rules apply ----------------------------------------
    @property
    def hosted_by(self) -> str | None:
        """The first program header that makes this a hosted program (see HOSTED_TYPES), or None
        for bare metal."""
        for p in self.segments:
            if p.p_type in HOSTED_TYPES:
                return HOSTED_TYPES[p.p_type]
        return None

    @property
    def page_size(self) -> int:
        """The largest p_align of the PT_LOADs: the page size the host was linked for."""
        return max((p.p_align for p in self.iter_loads()), default=1) or 1

    def section_bytes(self, sec: Section) -> memoryview:
        if not sec.has_file_bytes:
            return memoryview(b"")
        return memoryview(self.data)[sec.hdr.sh_offset:sec.hdr.sh_offset + sec.hdr.sh_size]

    def find_section_at(self, vaddr: int, size: int = 1) -> Section | None:
        """The SHF_ALLOC section with file bytes that holds [vaddr, vaddr+size)."""
        for sec in self.sections:
            h = sec.hdr
            if sec.is_alloc and sec.has_file_bytes and h.sh_addr <= vaddr \
                    and vaddr + size <= h.sh_addr + h.sh_size:
                return sec
        return None

    def vaddr_to_offset(self, vaddr: int, size: int = 1) -> int | None:
        """File offset of the bytes a section holds at VMA ``vaddr``, or None."""
        sec = self.find_section_at(vaddr, size)
        if sec is None:
            return None
        return sec.hdr.sh_offset + (vaddr - sec.hdr.sh_addr)

    def read_cstring(self, vaddr: int, limit: int = 256) -> str | None:
        """A NUL-terminated string at VMA ``vaddr`` (None if not in file bytes)."""
        sec = self.find_section_at(vaddr)
        if sec is None:
            return None
        off = sec.hdr.sh_offset + (vaddr - sec.hdr.sh_addr)
        end_of_sec = sec.hdr.sh_offset + sec.hdr.sh_size
        raw = bytes(memoryview(self.data)[off:min(end_of_sec, off + limit)])
        end = raw.find(b"\0")
        if end < 0:
            return None
        return raw[:end].decode("ascii", errors="replace")

    # ---- description -----------------------------------------------------
    @property
    def kind(self) -> str:
        bits = 64 if self.layout.is64 else 32
        order = "big" if self.layout.big_endian else "little"
        machine = spec.MACHINE_NAMES.get(self.ehdr.e_machine, f"machine {self.ehdr.e_machine}")
        return f"ELF{bits} {order}-endian {machine}"
