"""Pre-link objects: any file's bytes as a relocatable ELF object (``bundle object``).

What ``objcopy -I binary`` makes, with the same three symbols
(``_binary_<stem>_start``/``_end`` in the data section, ``_size`` SHN_ABS,
all GLOBAL NOTYPE size 0), but read-only (``.rodata.remote_fw.<stem>``),
aligned (8 by default) and with the ELF header a linker of the host's build
expects: e_flags and EI_OSABI as the target's compiler writes them (or copied
from an object of the host's own build, ``--like``), and ``.note.GNU-stack``
where that compiler emits one.

Bytes in, chunks out: the image is never copied (a memoryview of it is one
of the chunks); :mod:`bundler.fileio` streams the chunks to disk.
"""

from __future__ import annotations

from bundler import align as align_mod
from bundler.align import align_up
from bundler.elf.reader import is_elf, parse_elf
from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.elf.strtab import StringTable
from bundler.elf.spec import Ehdr, Layout, Shdr, Sym
from bundler.errors import BadInputError, NoFitError, UsageError, option
from bundler.records import Record
from bundler.stems import check_stem, symbol_names

DEFAULT_ALIGN = 8
SECTION_PREFIX = ".rodata.remote_fw."
GNU_STACK = ".note.GNU-stack"
RESOURCE_TABLE = ".resource_table"
MAX_ALIGN = 1 << 16

ELFOSABI_NONE = 0
EF_ARM_EABI_VER5 = 0x05000000
EF_RISCV_FLOAT_ABI_DOUBLE = 0x0004


class Target(Record):
    """What the object's ELF header says, and how objcopy names the same target."""

    name: str
    elfclass: int
    elfdata: int
    e_machine: int
    e_flags: int
    bfd_name: str | None = None     # objcopy -O (the differential test)
    bfd_arch: str | None = None     # objcopy -B
    ei_osabi: int = ELFOSABI_NONE
    gnu_stack: bool = False         # emit an empty, non-executable .note.GNU-stack

    @property
    def layout(self) -> Layout:
        return Layout(self.elfclass, self.elfdata)


_C32, _C64 = spec.ELFCLASS32, spec.ELFCLASS64
_LE, _BE = spec.ELFDATA2LSB, spec.ELFDATA2MSB

# e_flags and .note.GNU-stack as the usual compiler for the target writes them
# into its objects: arm-none-eabi-gcc (EABI version 5; objcopy writes 0, which
# GNU ld refuses when the object comes first on the link line), riscv64-unknown-elf
# -gcc's default lp64d / the common ilp32 (the float ABI only: ld.lld refuses to
# mix float ABIs, and a data object has no compressed code), x86 and AArch64
# Linux gcc (which emit .note.GNU-stack; without it GNU ld warns on x86).
TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("arm", _C32, _LE, spec.EM_ARM, EF_ARM_EABI_VER5, "elf32-littlearm", "arm"),
    Target("armeb", _C32, _BE, spec.EM_ARM, EF_ARM_EABI_VER5, "elf32-bigarm", "arm"),
    Target("aarch64", _C64, _LE, spec.EM_AARCH64, 0, "elf64-littleaarch64", "aarch64",
           gnu_stack=True),
    Target("riscv32", _C32, _LE, spec.EM_RISCV, 0, "elf32-littleriscv", "riscv"),
    Target("riscv64", _C64, _LE, spec.EM_RISCV, EF_RISCV_FLOAT_ABI_DOUBLE,
           "elf64-littleriscv", "riscv"),
    Target("x86_64", _C64, _LE, spec.EM_X86_64, 0, "elf64-x86-64", "i386:x86-64", gnu_stack=True),
    Target("i386", _C32, _LE, spec.EM_386, 0, "elf32-i386", "i386", gnu_stack=True),
)}


def find_target(name: str) -> Target | None:
    return TARGETS.get(name)


def target_like(obj: ElfFile, label: str = "--like object") -> Target:
    """The target of an object of the host's build: class, byte order, machine,
    e_flags, EI_OSABI, and whether it carries .note.GNU-stack."""
    if obj.ehdr.e_type != spec.ET_REL:
        kind = {spec.ET_NONE: "ET_NONE", spec.ET_EXEC: "ET_EXEC (a linked executable)",
                spec.ET_DYN: "ET_DYN (a shared object or PIE)", spec.ET_CORE: "ET_CORE"}
        e_type = kind.get(obj.ehdr.e_type, obj.ehdr.e_type)
        raise BadInputError(f"not a relocatable object: e_type is {e_type}", file=label,
                            hint="pass a .o file that the host's compiler made, e.g. the host's main.o")
    return Target(name=f"like {label}", elfclass=obj.layout.elfclass, elfdata=obj.layout.elfdata,
                  e_machine=obj.ehdr.e_machine, e_flags=obj.ehdr.e_flags,
                  ei_osabi=obj.ehdr.e_ident[spec.EI_OSABI],
                  gnu_stack=obj.find_section(GNU_STACK) is not None)


class ObjectResult(Record):
    """The object file as chunks (the image itself is one of them, uncopied)."""

    chunks: list
    size: int
    stem: str
    section: str
    align: int
    image_offset: int       # where the image's bytes sit in the file
    image_size: int
    target: Target

    def to_bytes(self) -> bytes:
        return b"".join(bytes(c) for c in self.chunks)


def check_align(align: int) -> int:
    """An object section's alignment: a power of two up to MAX_ALIGN."""
    return align_mod.check_align(align, limit=MAX_ALIGN, hint="use 8 (the default), 4, 16, 4096, ...")


def check_section_name(name: str) -> str:
    if not name or "\0" in name or not name.isascii() or any(c.isspace() for c in name):
        raise UsageError(f"invalid section name {name!r}",
                         hint="use printable ASCII without spaces, e.g. .rodata.remote_fw.r5")
    return name


def make_object(data, stem: str, target: Target, *, section: str | None = None,
                align: int = DEFAULT_ALIGN, trailer: bytes = b"") -> ObjectResult:
    """An ET_REL object holding ``data`` in one read-only section, with objcopy's symbols.
    ``trailer`` (a signed manifest) follows the image in the same section at the next
    8-aligned offset, after ``_binary_<stem>_end``; the section must then be 8-aligned.

    File layout: ELF header, the image (at an offset aligned to ``align``),
    .symtab, .strtab, .shstrtab, then the section header table.
    """
    check_stem(stem)
    check_align(align)
    section = check_section_name(section if section is not None else SECTION_PREFIX + stem)
    view = memoryview(data).cast("B")
    size = len(view)
    if size == 0:
        raise BadInputError("is empty (0 bytes)", size=0,
                            hint="pass the built remote image; an empty file gives nothing to load")
    lay = target.layout
    if trailer and align < 8:
        raise UsageError(f"a signed image's section needs 8-byte alignment, not {align}", param="align",
                         hint=f"pass {option('align')} 8 or more")
    pad = b"" if not trailer else bytes(-size % 8)
    trailer = pad + trailer

    shstr = StringTable()
    strtab = StringTable()
    start, end, size_sym = symbol_names(stem)

    # section indices: 1 the image, [2 .note.GNU-stack], then .symtab, .strtab, .shstrtab
    image_ndx = 1
    names = [section] + ([GNU_STACK] if target.gnu_stack else []) + [".symtab", ".strtab", ".shstrtab"]
    strtab_ndx, shstrtab_ndx = len(names) - 1, len(names)
    name_offs = [shstr.add(n) for n in names]

    glob = spec.st_info(spec.STB_GLOBAL, spec.STT_NOTYPE)
    syms = [Sym(0, 0, 0, 0, 0, spec.SHN_UNDEF),
            Sym(strtab.add(start), 0, 0, glob, spec.STV_DEFAULT, image_ndx),
            Sym(strtab.add(end), size, 0, glob, spec.STV_DEFAULT, image_ndx),
            Sym(strtab.add(size_sym), size, 0, glob, spec.STV_DEFAULT, spec.SHN_ABS)]
    symtab = b"".join(lay.sym.pack(s) for s in syms)

    word = lay.addr_size
    image_off = align_up(lay.ehdr.size, align)
    symtab_off = align_up(image_off + size + len(trailer), word)
    strtab_off = symtab_off + len(symtab)
    shstrtab_off = strtab_off + len(strtab.data)
    shoff = align_up(shstrtab_off + len(shstr.data), word)
    if shoff + (len(names) + 1) * lay.shdr.size > lay.addr_max + 1:
        bits = 64 if lay.is64 else 32
        raise NoFitError(f"is {size} bytes, too large for an ELF{bits} object (its file offsets "
                         f"are {bits}-bit: at most {lay.addr_max} bytes in all)", size=size,
                         hint=f"use a 64-bit target, or {option('like')} an object of a 64-bit build")

    shdrs = [Shdr(0, spec.SHT_NULL, 0, 0, 0, 0, 0, 0, 0, 0),
             Shdr(name_offs[0], spec.SHT_PROGBITS, spec.SHF_ALLOC, 0, image_off, size + len(trailer), 0, 0,
                  align, 0)]
    if target.gnu_stack:
        shdrs.append(Shdr(name_offs[1], spec.SHT_PROGBITS, 0, 0, image_off + size + len(trailer), 0, 0, 0, 1, 0))
    shdrs += [Shdr(name_offs[-3], spec.SHT_SYMTAB, 0, 0, symtab_off, len(symtab), strtab_ndx, 1,
                   word, lay.sym.size),
              Shdr(name_offs[-2], spec.SHT_STRTAB, 0, 0, strtab_off, len(strtab.data), 0, 0, 1, 0),
              Shdr(name_offs[-1], spec.SHT_STRTAB, 0, 0, shstrtab_off, len(shstr.data), 0, 0, 1, 0)]
    assert len(shdrs) == shstrtab_ndx + 1

    ident = bytearray(spec.EI_NIDENT)
    ident[:4] = spec.ELFMAG
    ident[spec.EI_CLASS] = lay.elfclass
    ident[spec.EI_DATA] = lay.elfdata
    ident[spec.EI_VERSION] = spec.EV_CURRENT
    ident[spec.EI_OSABI] = target.ei_osabi
    ehdr = Ehdr(e_ident=bytes(ident), e_type=spec.ET_REL, e_machine=target.e_machine,
                e_version=spec.EV_CURRENT, e_entry=0, e_phoff=0, e_shoff=shoff,
                e_flags=target.e_flags, e_ehsize=lay.ehdr.size, e_phentsize=0, e_phnum=0,
                e_shentsize=lay.shdr.size, e_shnum=len(shdrs), e_shstrndx=shstrtab_ndx)

    head = lay.ehdr.pack(ehdr) + bytes(image_off - lay.ehdr.size)
    tail = b"".join((trailer, bytes(symtab_off - image_off - size - len(trailer)), symtab, strtab.data, shstr.data,
                     bytes(shoff - shstrtab_off - len(shstr.data)),
                     *(lay.shdr.pack(s) for s in shdrs)))
    total = len(head) + size + len(tail)
    assert total == shoff + len(shdrs) * lay.shdr.size
    return ObjectResult(chunks=[head, view, tail], size=total, stem=stem, section=section,
                        align=align, image_offset=image_off, image_size=size, target=target)


def image_warnings(data, label: str) -> list[str]:
    """What will make an ELF remote hard to load once embedded; nothing for other files
    (a FIT image, a DTB or a raw binary is the host's to read)."""
    if not is_elf(data):
        return []
    try:
        elf = parse_elf(data, what="remote ELF")
    except BadInputError as exc:
        return [f"{label}: {exc.message}: remote_fw_load will refuse it"]
    out = []
    if elf.ehdr.e_type != spec.ET_EXEC:
        kind = {spec.ET_REL: "a relocatable object", spec.ET_DYN: "ET_DYN (position-independent)"}
        out.append(f"{label} is {kind.get(elf.ehdr.e_type, f'e_type {elf.ehdr.e_type}')}, not a "
                   "linked executable (ET_EXEC): remoteproc loaders such as U-Boot's refuse it")
    if not any(p.p_memsz for p in elf.iter_loads()):
        out.append(f"{label} has no PT_LOAD segment: remote_fw_load has nothing to load")
    if elf.find_section(RESOURCE_TABLE) is None:
        out.append(f"{label} has no {RESOURCE_TABLE} section: Linux remoteproc refuses it "
                   "and remote_fw_rsc_table returns REMOTE_FW_ENORSC")
    return out
