"""Each embedded ELF: what the kit's ``remote_fw_load`` says of it, PT_LOADs that land
nowhere on the host, and a resource table Linux and OpenAMP accept.

What ``remote_fw_load`` accepts is stated once, in the kit's loader profile
(:func:`bundler.loaders.kit.check_load`); this module runs it with the bundle's
host as the machine, and adds what only a bundle knows: where the image's
segments land on the host.
"""

from __future__ import annotations

from typing import Iterator

from bundler.postlink import placement
from bundler.remoteproc import rsc_table
from bundler.checks.context import RSC_SECTION, Context
from bundler.checks.fit import check_nested_fits
from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.elf.reader import is_elf, parse_elf
from bundler.errors import BadInputError
from bundler.findings import Finding, finding

# remote_fw_load's refusals after which the image's structure cannot be trusted for more checks
_UNREADABLE = ("REMOTE_FW_ENOTELF", "REMOTE_FW_EBOUNDS", "REMOTE_FW_ESEGMENT")


def check_embedded_elf(ctx: Context, stem: str, data: memoryview) -> Iterator[Finding]:
    """The image as remote_fw_load and Linux read it: the kit's verdict, where its PT_LOADs
    land, then its resource table."""
    if not is_elf(data):
        yield finding("image-not-elf", "is not an ELF image: remote_fw_load refuses it (fine for a "
                                       "blob the host reads itself)", stem)
        return
    verdict = yield from _check_kit_load(ctx, stem, data)
    if verdict == "REMOTE_FW_ENOTELF":
        return
    if data[spec.EI_DATA] != ctx.elf.layout.elfdata:
        yield finding("remote-elf-byteorder", f"is {'big' if data[spec.EI_DATA] == spec.ELFDATA2MSB else 'little'}"
                                              "-endian, the host is not: Linux's remoteproc refuses it (the kit "
                                              "loads it)", stem)
    from bundler.loaders.base import iter_loads
    occupied = placement.occupied_ranges(ctx.elf)
    for i, p in iter_loads(data):
        hit = placement.overlaps(occupied, p.p_paddr, p.p_paddr + p.p_memsz)
        if hit:
            yield finding("remote-load-overlap", f"segment {i} loads at {p.p_paddr:#x}-"
                                                 f"{p.p_paddr + p.p_memsz:#x}, onto {hit[0].what} of "
                                                 "the host: loading it overwrites the host",
                          stem, p.p_paddr, p.p_memsz)
    if verdict in _UNREADABLE:
        return
    try:
        remote = parse_elf(data, what=f"embedded image {stem}")
    except BadInputError as exc:
        yield finding("remote-elf-sections", f"{exc.message}: its resource table cannot be checked", stem)
        return
    yield from check_resource_table(ctx, stem, remote)
    yield from check_nested_fits(ctx, stem, remote)       # a bootstrap carrying a FIT


def _check_kit_load(ctx: Context, stem: str, data: memoryview):
    """The kit profile's remote_fw_load on the image, the bundle's host as the machine: its
    finding, unless ``--loader kit`` states it for this image already (checks/loaders.py,
    with ``--memory``'s regions) or ``--driver`` says a Linux driver, not the kit, loads the
    image (its own rules judge it there); the code remote_fw_load returns."""
    from bundler.loaders import kit, make_context
    from bundler.loaders.base import Host
    lay = ctx.elf.layout
    kit_ctx = make_context(data, "kit", None, stem=stem,
                           host=Host(lay.byteorder, 64 if lay.is64 else 32))
    verdict = kit.check_load(kit_ctx)
    if ctx.loader != "kit" and ctx.driver is None:
        yield from kit_ctx.findings
    return verdict


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
