"""ELF record layouts and constants: the only place that knows field offsets.

Records are plain value classes (:mod:`bundler.records`) with the spec's field names (``p_paddr``,
``sh_addr``, ``st_shndx``); :class:`Layout` packs and unpacks them for one
class (ELF32/ELF64) and one byte order. Logic elsewhere never uses literal
offsets into ELF headers.
"""

from __future__ import annotations

import struct

from bundler.records import Record

# e_ident
ELFMAG = b"\x7fELF"
EI_CLASS, EI_DATA, EI_VERSION, EI_OSABI = 4, 5, 6, 7
EI_NIDENT = 16
ELFCLASS32, ELFCLASS64 = 1, 2
ELFDATA2LSB, ELFDATA2MSB = 1, 2
EV_CURRENT = 1

# e_type
ET_NONE, ET_REL, ET_EXEC, ET_DYN, ET_CORE = 0, 1, 2, 3, 4

# e_machine (the ones the tool names; any other value is carried through)
EM_386 = 3
EM_ARM = 40
EM_X86_64 = 62
EM_AARCH64 = 183
EM_RISCV = 243
MACHINE_NAMES = {EM_386: "i386", EM_ARM: "ARM", EM_X86_64: "x86-64",
                 EM_AARCH64: "AArch64", EM_RISCV: "RISC-V"}

# p_type, p_flags
PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_SHLIB, PT_PHDR, PT_TLS = range(8)
PT_GNU_EH_FRAME, PT_GNU_STACK, PT_GNU_RELRO = 0x6474E550, 0x6474E551, 0x6474E552
PF_X, PF_W, PF_R = 1, 2, 4

# sh_type, sh_flags
SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB = 0, 1, 2, 3
SHT_NOBITS = 8
SHT_SYMTAB_SHNDX = 18
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4

# special section indices
SHN_UNDEF = 0
SHN_LORESERVE = 0xFF00
SHN_ABS = 0xFFF1
SHN_COMMON = 0xFFF2
SHN_XINDEX = 0xFFFF

# symbol binding and type (st_info)
STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4
STV_DEFAULT = 0


def st_info(bind: int, typ: int) -> int:
    return (bind << 4) | (typ & 0xF)


def st_bind(info: int) -> int:
    return info >> 4


def st_type(info: int) -> int:
    return info & 0xF


class Ehdr(Record):
    e_ident: bytes
    e_type: int
    e_machine: int
    e_version: int
    e_entry: int
    e_phoff: int
    e_shoff: int
    e_flags: int
    e_ehsize: int
    e_phentsize: int
    e_phnum: int
    e_shentsize: int
    e_shnum: int
    e_shstrndx: int


class Phdr(Record):
    p_type: int
    p_flags: int
    p_offset: int
    p_vaddr: int
    p_paddr: int
    p_filesz: int
    p_memsz: int
    p_align: int


class Shdr(Record):
    sh_name: int
    sh_type: int
    sh_flags: int
    sh_addr: int
    sh_offset: int
    sh_size: int
    sh_link: int
    sh_info: int
    sh_addralign: int
    sh_entsize: int


class Sym(Record):
    st_name: int
    st_value: int
    st_size: int
    st_info: int
    st_other: int
    st_shndx: int


class _Record:
    """One record type in one layout: struct format plus field order."""

    def __init__(self, cls, fmt: str, order: tuple[str, ...]):
        self.cls = cls
        self.struct = struct.Struct(fmt)
        self.size = self.struct.size
        self.order = order  # on-disk order of the record's fields

    def unpack(self, data, offset: int = 0):
        values = dict(zip(self.order, self.struct.unpack_from(data, offset)))
        return self.cls(**values)

    def pack(self, record) -> bytes:
        return self.struct.pack(*(getattr(record, name) for name in self.order))

    def iter_unpack(self, data, offset: int, count: int):
        for i in range(count):
            yield self.unpack(data, offset + i * self.size)


def _names(cls) -> tuple[str, ...]:
    return cls._fields


class Layout:
    """Struct layouts of one ELF class and byte order.

    ``Layout(ELFCLASS32, ELFDATA2LSB)`` etc.; ``layout.phdr.unpack(data, off)``
    gives a :class:`Phdr`, ``layout.phdr.pack(p)`` its bytes.
    """

    def __init__(self, elfclass: int, elfdata: int):
        if elfclass not in (ELFCLASS32, ELFCLASS64):
            raise ValueError(f"unknown ELF class {elfclass}")
        if elfdata not in (ELFDATA2LSB, ELFDATA2MSB):
            raise ValueError(f"unknown ELF data encoding {elfdata}")
        self.elfclass = elfclass
        self.elfdata = elfdata
        self.is64 = elfclass == ELFCLASS64
        self.big_endian = elfdata == ELFDATA2MSB
        e = ">" if self.big_endian else "<"
        self.endian = e
        self.byteorder = "big" if self.big_endian else "little"
        self.addr_size = 8 if self.is64 else 4
        self.addr_max = (1 << (8 * self.addr_size)) - 1
        a = "Q" if self.is64 else "I"
        self.ehdr = _Record(Ehdr, f"{e}16sHHI{a}{a}{a}IHHHHHH", _names(Ehdr))
        if self.is64:
            self.phdr = _Record(Phdr, f"{e}IIQQQQQQ", _names(Phdr))
            self.sym = _Record(Sym, f"{e}IBBHQQ", ("st_name", "st_info", "st_other",
                                                  "st_shndx", "st_value", "st_size"))
        else:
            self.phdr = _Record(Phdr, f"{e}IIIIIIII", ("p_type", "p_offset", "p_vaddr",
                                                      "p_paddr", "p_filesz", "p_memsz",
                                                      "p_flags", "p_align"))
            self.sym = _Record(Sym, f"{e}IIIBBH", ("st_name", "st_value", "st_size",
                                                  "st_info", "st_other", "st_shndx"))
        self.shdr = _Record(Shdr, f"{e}II{a}{a}{a}{a}II{a}{a}", _names(Shdr))
        self.u16 = struct.Struct(f"{e}H")
        self.u32 = struct.Struct(f"{e}I")
        self.u64 = struct.Struct(f"{e}Q")
        self.addr = self.u64 if self.is64 else self.u32

    @classmethod
    def of(cls, data) -> "Layout":
        """The layout named by an ELF file's e_ident (caller checked the magic)."""
        return cls(data[EI_CLASS], data[EI_DATA])

    def __repr__(self) -> str:
        return f"Layout(ELF{64 if self.is64 else 32}, {'BE' if self.big_endian else 'LE'})"

