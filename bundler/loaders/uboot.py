"""U-Boot's ``rproc load``, rule by rule.

Read from drivers/remoteproc/rproc-elf-loader.c: rproc_elf_load_image picks
the ELF64 path for ELFCLASS64 and the ELF32 path for anything else; both
sanity checks require ET_EXEC and the host's byte order; neither path checks
p_filesz <= p_memsz nor p_offset + p_filesz <= size (so U-Boot copies what
Linux refuses), and the ELF32 path writes to p_paddr (or device_to_virt's
answer) without checking it. Only the ELF32 path prints ("Invalid ELF32 Image
%d"); the rest is pr_debug. The resource table (rproc_elf{32,64}_load_rsc_table,
as drivers such as stm32_copro call it before loading) is checked for its
header only and copied to sh_addr; -ENODATA (no table) is not an error for
those drivers.
"""

from __future__ import annotations

from bundler.remoteproc import rsc_table
from bundler.elf import spec
from bundler.loaders.base import (ACCEPTED, ERRNO, NOTE, REFUSED, UNDEFINED, Context, Rule,
                                  layout, read_phdrs, read_shdr, within)

NAME = "uboot"
TITLE = "U-Boot rproc load (rproc-elf-loader.c)"

RULES = [
    Rule("uboot-too-small", REFUSED, "Image is too small"),
    Rule("uboot-not-exec", REFUSED, "Not an executable ELF32 image"),
    Rule("uboot-endianness", REFUSED, "Unsupported firmware endianness"),
    Rule("uboot-shoff", REFUSED, "Image is too small"),
    Rule("uboot-phnum", REFUSED, "No loadable segments"),
    Rule("uboot-phoff", REFUSED, "Firmware size is too small"),
    Rule("uboot-phdr-bounds", UNDEFINED, ""),
    Rule("uboot-shdr-bounds", UNDEFINED, ""),
    Rule("uboot-rsc-missing", NOTE, ""),
    Rule("uboot-rsc-truncated", REFUSED, "resource table truncated"),
    Rule("uboot-rsc-headerless", REFUSED, "header-less resource table"),
    Rule("uboot-rsc-version", REFUSED, "unsupported fw ver: %d"),
    Rule("uboot-rsc-reserved", REFUSED, "non zero reserved bytes"),
    Rule("uboot-rsc-incomplete", REFUSED, "resource table incomplete"),
    Rule("uboot-rsc-addr", UNDEFINED, ""),
    Rule("uboot-segment-filesz", UNDEFINED, ""),
    Rule("uboot-segment-truncated", UNDEFINED, ""),
    Rule("uboot-segment-da", REFUSED, "bad da 0x%llx mem 0x%llx"),
    Rule("uboot-no-load", ACCEPTED, ""),
]


def _uboot_finding(code: str, ctx: Context, what: str, words: str, errno: str, is64: bool, **kw):
    said = words
    if not is64 and ctx.rules[code].outcome == REFUSED:
        said = f"{words}; Invalid ELF32 Image -{ERRNO[errno]}"
    elif is64:
        said = f"{words}; the ELF64 path returns -EINVAL"
    return ctx.finding(code, what + f" (-{errno})", words=said, **kw)


def check(ctx: Context) -> None:
    data, size = ctx.data, ctx.size
    is64 = size > spec.EI_CLASS and data[spec.EI_CLASS] == spec.ELFCLASS64
    path = "ELF64" if is64 else "ELF32"
    ehsize = 64 if is64 else 52
    if size < ehsize:
        return _uboot_finding("uboot-too-small", ctx, f"the image is {size} bytes, shorter than an {path} header "
                                             f"({ehsize} bytes)", "Image is too small", "ENOSPC", is64, size=size)
    lay = layout(data[spec.EI_CLASS], ctx.host.elfdata)
    ehdr = lay.ehdr.unpack(data)
    if bytes(data[:4]) != spec.ELFMAG or ehdr.e_type != spec.ET_EXEC or \
            data[spec.EI_CLASS] != (spec.ELFCLASS64 if is64 else spec.ELFCLASS32):
        why = "no \\x7fELF magic" if bytes(data[:4]) != spec.ELFMAG else \
            f"e_type is {ehdr.e_type}, not ET_EXEC (2)" if ehdr.e_type != spec.ET_EXEC else \
            f"EI_CLASS is {data[spec.EI_CLASS]}"
        return _uboot_finding("uboot-not-exec", ctx, f"{why}: U-Boot loads only executables (link without -r, -shared or "
                                            "-pie)", f"Not an executable {path} image", "EPROTONOSUPPORT", is64)
    if data[spec.EI_DATA] != ctx.host.elfdata:
        return _uboot_finding("uboot-endianness", ctx, f"EI_DATA is {data[spec.EI_DATA]}, the host is "
                                              f"{ctx.host.byteorder}-endian", "Unsupported firmware endianness",
                     "EILSEQ", is64)
    if size < ehdr.e_shoff + lay.shdr.size:
        return _uboot_finding("uboot-shoff", ctx, f"e_shoff {ehdr.e_shoff:#x} + one section header is past the end of the "
                                         f"{size}-byte image", "Image is too small", "ENOSPC", is64,
                     address=ehdr.e_shoff)
    if ehdr.e_phnum == 0:
        return _uboot_finding("uboot-phnum", ctx, "e_phnum is 0", "No loadable segments", "ENOEXEC", is64)
    if ehdr.e_phoff > size:
        return _uboot_finding("uboot-phoff", ctx, f"e_phoff {ehdr.e_phoff:#x} is past the end of the {size}-byte image",
                     "Firmware size is too small", "ENOSPC", is64, address=ehdr.e_phoff)
    entries = check_resource_table(ctx, lay, ehdr, is64)
    check_segments(ctx, lay, ehdr, is64)
    return entries


def find_rsc_table(ctx: Context, lay, ehdr):
    """rproc_elf{32,64}_find_rsc_table's search: the .resource_table section header, or None."""
    data, size = ctx.data, ctx.size
    if ehdr.e_shnum and not within(size, ehdr.e_shoff, ehdr.e_shnum * lay.shdr.size):
        ctx.finding("uboot-shdr-bounds", f"the section header table at {ehdr.e_shoff:#x} ({ehdr.e_shnum} entries) "
                                         "runs past the end of the image: the resource table search reads past it")
        return None
    names = read_shdr(data, lay, ehdr.e_shoff + ehdr.e_shstrndx * lay.shdr.size) if ehdr.e_shnum else None
    if ehdr.e_shnum and names is None:
        ctx.finding("uboot-shdr-bounds", f"e_shstrndx {ehdr.e_shstrndx} names a section header past the end of the "
                                         "image")
        return None
    want = rsc_table.SECTION.encode() + b"\0"
    for i in range(ehdr.e_shnum):
        sh = lay.shdr.unpack(data, ehdr.e_shoff + i * lay.shdr.size)
        at = names.sh_offset + sh.sh_name
        for k, c in enumerate(want):
            if at + k >= size:
                ctx.finding("uboot-shdr-bounds", f"section {i}'s name runs past the end of the image: strcmp reads "
                                                 "past it")
                return None
            if data[at + k] != c:
                break
        else:
            return sh
    ctx.finding("uboot-rsc-missing", f"no {rsc_table.SECTION} section (-ENODATA): drivers such as stm32_copro "
                                     "load the image without one")
    return None


def check_resource_table(ctx: Context, lay, ehdr, is64: bool):
    data, size = ctx.data, ctx.size
    found = find_rsc_table(ctx, lay, ehdr)
    if found is None:
        return []
    off, tsize = found.sh_offset, found.sh_size
    end = off + tsize if is64 else (off + tsize) & 0xFFFFFFFF
    if end > size:
        _uboot_finding("uboot-rsc-truncated", ctx, f"{rsc_table.SECTION} at {off:#x}, {tsize} bytes, runs past the end of "
                                          f"the {size}-byte image", "resource table truncated", "ENOSPC", is64)
        return []
    if off + tsize > size:
        ctx.finding("uboot-shdr-bounds", f"{rsc_table.SECTION} at {off:#x}, {tsize} bytes: sh_offset + sh_size wraps "
                                     "in 32 bits, so U-Boot copies from past the image")
        return []
    if tsize < 16:
        _uboot_finding("uboot-rsc-headerless", ctx, f"{rsc_table.SECTION} is {tsize} bytes", "header-less resource table",
              "ENOSPC", is64)
        return []
    table = bytes(data[off:off + tsize])
    ver, num, r0, r1 = (lay.u32.unpack_from(table, 4 * i)[0] for i in range(4))
    if ver != 1:
        _uboot_finding("uboot-rsc-version", ctx, f"ver is {ver}", f"unsupported fw ver: {ver}", "EPROTONOSUPPORT", is64)
        return []
    if r0 or r1:
        _uboot_finding("uboot-rsc-reserved", ctx, f"reserved words are {r0:#x}, {r1:#x}", "non zero reserved bytes",
              "EBADF", is64)
        return []
    if 16 + 4 * num > tsize:
        _uboot_finding("uboot-rsc-incomplete", ctx, f"num is {num}: the offset array needs {16 + 4 * num} bytes, the table "
                                           f"has {tsize}", "resource table incomplete", "ENOSPC", is64)
        return []
    if ctx.memory is not None and ctx.memory.find_holding(found.sh_addr, tsize) is None:
        ctx.finding("uboot-rsc-addr", f"U-Boot copies {rsc_table.SECTION} to sh_addr {found.sh_addr:#x}, {tsize} "
                                  f"bytes, {ctx.memory.describe_miss(found.sh_addr, tsize)}", found.sh_addr, tsize)
    return rsc_table.decode(table, lay.byteorder).entries


def check_segments(ctx: Context, lay, ehdr, is64: bool) -> None:
    size = ctx.size
    count = ehdr.e_phnum
    if not within(size, ehdr.e_phoff, count * lay.phdr.size):
        ctx.finding("uboot-phdr-bounds", f"the program header table at {ehdr.e_phoff:#x} ({count} entries of "
                                     f"{lay.phdr.size} bytes) runs past the end of the {size}-byte image: U-Boot "
                                     "checks only e_phoff and reads past it", ehdr.e_phoff, count * lay.phdr.size)
    loads = 0
    for i, p in read_phdrs(ctx.data, lay, ehdr.e_phoff, count):
        if p is None:
            break
        if p.p_type != spec.PT_LOAD:
            continue
        loads += 1
        where = f"segment {i} (PT_LOAD at p_paddr {p.p_paddr:#x})"
        if ctx.memory is not None and ctx.memory.find_holding(p.p_paddr, p.p_memsz) is None:
            miss = ctx.memory.describe_miss(p.p_paddr, p.p_memsz)
            if is64:
                ctx.finding("uboot-segment-da", f"{where}, {p.p_memsz} bytes, is {miss}: a driver's device_to_virt "
                                            "refuses it (-EINVAL); without one U-Boot writes there",
                        p.p_paddr, p.p_memsz, words=f"bad da {p.p_paddr:#x} mem {p.p_memsz:#x}")
            else:
                ctx.finding("uboot-segment-da", f"{where}, {p.p_memsz} bytes, is {miss}: the ELF32 path writes there "
                                            "without checking device_to_virt's answer", p.p_paddr, p.p_memsz)
        if p.p_filesz > p.p_memsz:
            ctx.finding("uboot-segment-filesz", f"{where} has p_filesz {p.p_filesz} > p_memsz {p.p_memsz}: U-Boot copies "
                                            f"{p.p_filesz} bytes, then memsets memsz - filesz, which wraps to "
                                            f"{(p.p_memsz - p.p_filesz) % (1 << (64 if is64 else 32)):#x} bytes "
                                            "(Linux refuses: \"bad phdr filesz\")", p.p_paddr, p.p_filesz)
        if p.p_offset + p.p_filesz > size:
            ctx.finding("uboot-segment-truncated", f"{where}: file bytes {p.p_offset:#x} + {p.p_filesz} run past the end "
                                               f"of the {size}-byte image; U-Boot copies what follows the image in "
                                               "memory (Linux refuses: \"truncated fw\")", p.p_paddr, p.p_filesz)
    if loads == 0:
        ctx.finding("uboot-no-load", f"none of the {count} program headers is PT_LOAD: U-Boot loads nothing")
