"""Each embedded ELF: a sound header and PT_LOADs that land nowhere on the host,
and a resource table Linux and OpenAMP accept."""

from __future__ import annotations

from typing import Generator, Iterator

from bundler.postlink import placement
from bundler.remoteproc import rsc_table
from bundler.checks.context import RSC_SECTION, Context
from bundler.checks.fit import check_nested_fits
from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.elf.reader import is_elf, parse_elf
from bundler.errors import BadInputError
from bundler.findings import Finding, finding


def check_embedded_elf(ctx: Context, stem: str, data: memoryview) -> Iterator[Finding]:
    """The image as remote_fw_load and Linux read it: header, PT_LOADs, where they land,
    then its resource table."""
    parsed = yield from _check_header(ctx, stem, data)
    if parsed is None:
        return
    lay, phdrs = parsed
    sound, loads = yield from _check_loads(stem, data, lay, phdrs)
    occupied = placement.occupied_ranges(ctx.elf)
    for i, p in loads:
        hit = placement.overlaps(occupied, p.p_paddr, p.p_paddr + p.p_memsz)
        if hit:
            yield finding("remote-load-overlap", f"segment {i} loads at {p.p_paddr:#x}-"
                                                 f"{p.p_paddr + p.p_memsz:#x}, onto {hit[0].what} of "
                                                 "the host: loading it overwrites the host",
                          stem, p.p_paddr, p.p_memsz)
    if not sound:
        return
    try:
        remote = parse_elf(data, what=f"embedded image {stem}")
    except BadInputError as exc:
        yield finding("remote-elf-sections", f"{exc.message}: remote_fw_rsc_table cannot read it", stem)
        return
    yield from check_resource_table(ctx, stem, remote)
    yield from check_nested_fits(ctx, stem, remote)       # a bootstrap carrying a FIT


def _check_header(ctx: Context, stem: str, data: memoryview) -> Generator[Finding, None, tuple | None]:
    """The ELF header and the program header table's bounds; (layout, phdrs) if they are readable."""
    if not is_elf(data):
        yield finding("image-not-elf", "is not an ELF image: remote_fw_load refuses it (fine for a "
                                       "blob the host reads itself)", stem)
        return None
    ident = data[:spec.EI_NIDENT]
    if ident[spec.EI_CLASS] not in (spec.ELFCLASS32, spec.ELFCLASS64) or \
            ident[spec.EI_DATA] not in (spec.ELFDATA2LSB, spec.ELFDATA2MSB) or \
            ident[spec.EI_VERSION] != spec.EV_CURRENT:
        yield finding("remote-elf-header", f"unknown ELF class {ident[spec.EI_CLASS]}, data encoding "
                                           f"{ident[spec.EI_DATA]} or version {ident[spec.EI_VERSION]}: "
                                           "remote_fw_load returns REMOTE_FW_ENOTELF", stem)
        return None
    lay = spec.Layout.of(data)
    if len(data) < lay.ehdr.size:
        yield finding("remote-elf-header", f"{len(data)} bytes, shorter than the ELF header "
                                           f"({lay.ehdr.size} bytes)", stem)
        return None
    ehdr = lay.ehdr.unpack(data)
    if lay.elfdata != ctx.elf.layout.elfdata:
        yield finding("remote-elf-byteorder", f"is {'big' if lay.big_endian else 'little'}-endian, the "
                                              "host is not: Linux's remoteproc refuses it (the kit "
                                              "loads it)", stem)
    phnum = ehdr.e_phnum
    if phnum == 0xFFFF:             # PN_XNUM: the count is in section 0's sh_info
        phnum = lay.shdr.unpack(data, ehdr.e_shoff).sh_info \
            if ehdr.e_shoff and ehdr.e_shoff + lay.shdr.size <= len(data) else 0
    if phnum and ehdr.e_phentsize != lay.phdr.size:
        yield finding("remote-elf-header", f"e_phentsize is {ehdr.e_phentsize}, expected "
                                           f"{lay.phdr.size}: remote_fw_load returns REMOTE_FW_ENOTELF", stem)
        return None
    if ehdr.e_phoff + phnum * lay.phdr.size > len(data):
        yield finding("remote-elf-bounds", f"the program header table at {ehdr.e_phoff:#x} ({phnum} "
                                           f"entries) runs past the end of the image ({len(data)} bytes)",
               stem)
        return None
    return lay, list(lay.phdr.iter_unpack(data, ehdr.e_phoff, phnum))


def _check_loads(stem: str, data: memoryview, lay, phdrs) -> Generator[Finding, None, tuple[bool, list]]:
    """Each PT_LOAD within the image and the address space; (sound, the loads with bytes)."""
    sound, loads = True, []
    for i, p in enumerate(phdrs):
        if p.p_type != spec.PT_LOAD:
            continue
        if p.p_offset + p.p_filesz > len(data):
            sound = False
            yield finding("remote-elf-bounds", f"segment {i} (PT_LOAD at {p.p_paddr:#x}): file bytes "
                                               f"{p.p_offset:#x}+{p.p_filesz} run past the end of the "
                                               f"image ({len(data)} bytes)", stem, p.p_paddr, p.p_filesz)
        if p.p_filesz > p.p_memsz:
            sound = False
            yield finding("remote-elf-segment", f"segment {i} (PT_LOAD at {p.p_paddr:#x}) has p_filesz "
                                                f"{p.p_filesz} > p_memsz {p.p_memsz}", stem, p.p_paddr)
        if p.p_paddr + p.p_memsz > lay.addr_max + 1:
            sound = False
            yield finding("remote-elf-segment", f"segment {i} (PT_LOAD at {p.p_paddr:#x}, {p.p_memsz} "
                                                "bytes) wraps around the address space", stem, p.p_paddr)
        if p.p_memsz:
            loads.append((i, p))
    if not loads:
        yield finding("remote-elf-noload", "has no PT_LOAD with bytes: remote_fw_load returns "
                                           "REMOTE_FW_ENOLOAD", stem)
    return sound, loads


def check_resource_table(ctx: Context, stem: str, remote: ElfFile) -> Iterator[Finding]:
    sec, table = rsc_table.find_table(remote)
    if sec is None:
        yield finding("rsc-missing", f"has no {RSC_SECTION} section: fine for OpenAMP, fatal for "
                                     "Linux's default ELF loader; remote_fw_rsc_table returns "
                                     "REMOTE_FW_ENORSC", stem)
        return
    for p in table.problems:
        where = f"{RSC_SECTION}+{p.offset:#x}: " if p.offset is not None else f"{RSC_SECTION}: "
        yield finding(p.code, where + p.message, stem)
    if not sec.has_file_bytes:
        return
    h = sec.hdr
    if sec.is_alloc and not any(
            p.p_vaddr <= h.sh_addr and h.sh_addr + h.sh_size <= p.p_vaddr + p.p_filesz
            for p in remote.iter_loads()):
        yield finding("rsc-not-loaded", f"{RSC_SECTION} at {h.sh_addr:#x} is not in the file bytes of "
                                        "a PT_LOAD: Linux finds no loaded table to update", stem)
