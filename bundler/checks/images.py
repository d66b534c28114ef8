"""Each image the file carries or declares: its symbols, section, record entry,
descriptor, checksums and alignment agree, and its bytes lie in one PT_LOAD."""

from __future__ import annotations

import hashlib
from typing import Iterator

from bundler.postlink import descriptor as desc_mod
from bundler.postlink import images as images_mod
from bundler.checks.context import MIN_ALIGN, Context
from bundler.checks.embedded import check_embedded_elf
from bundler.checks.fit import check_fit_image, looks_like_fit
from bundler.checks.report import ImageSummary
from bundler.checksum import crc32
from bundler.elf import spec
from bundler.findings import Finding, finding
from bundler.postlink.images import EmbeddedImage
from bundler.stems import symbol_names


def check_inventory(ctx: Context) -> Iterator[Finding]:
    """What the survey could not read: the bundle record, the descriptors."""
    inv = ctx.inv
    if inv.record_error is not None:
        yield finding("record-corrupt", inv.record_error.message)
    if inv.descriptor_error is not None:
        e = inv.descriptor_error
        yield finding("descriptor-corrupt", f"{e.message}: remote_fw_find returns REMOTE_FW_EDESC "
                                          "for every image", address=e.address, size=e.size)


def check_images(ctx: Context) -> Iterator[Finding]:
    """Every image, in address order; none at all is an error."""
    if not ctx.inv.images:
        yield finding("no-images", "carries no embedded image and declares none "
                                 "(no _binary_*_start symbol, descriptor or bundle record)")
    for img in ctx.inv.images:
        yield from check_image(ctx, img)


def check_image(ctx: Context, img: EmbeddedImage) -> Iterator[Finding]:
    stem, d = img.stem, img.descriptor
    if img.flow == images_mod.DECLARED:
        if ctx.carries_images:     # a staged bundle, or an optional image: the host gets a clean code
            yield finding("image-declared-only", "is declared (REMOTE_FW_DECLARE) but not bundled, "
                                                 "while other images are: remote_fw_find returns "
                                                 "REMOTE_FW_ENOTBUNDLED for it", stem,
                 d.address if d else None)
        else:
            yield finding("image-not-bundled", "is declared (REMOTE_FW_DECLARE) but no image was "
                                               "bundled or linked: remote_fw_find returns "
                                               "REMOTE_FW_ENOTBUNDLED", stem, d.address if d else None)
        ctx.report.images.append(ImageSummary(stem, img.flow, None, None, None, None, None))
        return
    extent = ctx.extents[stem] = ctx.consensus(img)
    yield from check_symbols(ctx, img, extent)
    yield from check_section(ctx, img, extent)
    yield from check_record(ctx, img, extent)
    yield from check_descriptor(ctx, img, extent)
    address, size = extent
    summary = ImageSummary(stem, img.flow, address, size, None, None, None)
    ctx.report.images.append(summary)
    where = images_mod.find_placement(ctx.elf, address, size)
    if where is None:
        yield finding("image-not-in-load", f"{address:#x}-{address + size:#x} ({size} bytes) is not "
                                             f"wholly inside the file bytes of one PT_LOAD ({ctx.near(address)}): "
                                           "no loader puts the image where the host reads it",
               stem, address, size)
        return
    data = memoryview(ctx.elf.data)[where.offset:where.offset + size]
    ctx.image_bytes[stem] = data
    crc = crc32(data)
    summary.lma, summary.crc32, summary.sha256 = where.lma, crc, hashlib.sha256(data).hexdigest()
    yield from check_checksums(ctx, img, crc, address, size)
    yield from check_alignment(ctx, img, address)
    if looks_like_fit(data):                    # a FIT (issue 13): bundler.checks.fit
        yield from check_fit_image(ctx, stem, data, where.lma)
        return
    yield from check_embedded_elf(ctx, stem, data)


def check_symbols(ctx: Context, img: EmbeddedImage, extent: tuple[int, int]) -> Iterator[Finding]:
    stem = img.stem
    address, size = extent
    names = symbol_names(stem)
    missing = [n for n, s in zip(names, img.symbols) if s is None]
    if missing:
        yield finding("symbol-missing", f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                                      "not defined (bundle defines all three, as objcopy does)", stem)
    start, end, size_sym = img.symbols
    wrong = []
    if start is not None and start.st_value != address:
        wrong.append(f"{start.name} is {start.st_value:#x}, the image starts at {address:#x}")
    if end is not None and end.st_value != address + size:
        wrong.append(f"{end.name} is {end.st_value:#x}, the image ends at {address + size:#x}")
    if size_sym is not None and size_sym.st_value != size:
        wrong.append(f"{size_sym.name} is {size_sym.st_value}, the image is {size} bytes")
    if start is not None and end is not None and start.st_shndx != end.st_shndx:
        wrong.append(f"{start.name} and {end.name} are in different sections "
                     f"({start.st_shndx} and {end.st_shndx})")
    if wrong:
        yield finding("symbol-mismatch", "; ".join(wrong), stem, address, size)
    odd = []
    for sym in (start, end, size_sym):
        if sym is not None and (sym.bind != spec.STB_GLOBAL or sym.type != spec.STT_NOTYPE):
            odd.append(f"{sym.name} is not GLOBAL NOTYPE")
    if size_sym is not None and size_sym.st_shndx != spec.SHN_ABS:
        odd.append(f"{size_sym.name} is not absolute (SHN_ABS)")
    if odd:
        yield finding("symbol-kind", "; ".join(odd) + " (objcopy -I binary makes them so)", stem)


def check_section(ctx: Context, img: EmbeddedImage, extent: tuple[int, int]) -> Iterator[Finding]:
    stem = img.stem
    address, size = extent
    sec = ctx.image_section(img)
    if sec is None:
        what = f"section {img.record.section} named by the bundle record" if img.record else \
            "section of its _start symbol"
        yield finding("section-mismatch", f"the {what} does not exist", stem, address, size)
        return
    h = sec.hdr
    problems = []
    if not sec.is_alloc or h.sh_type != spec.SHT_PROGBITS:
        problems.append(f"section {sec.name} is not SHF_ALLOC PROGBITS")
    if img.record is not None:
        if (h.sh_addr, h.sh_size) != (address, size):
            problems.append(f"section {sec.name} is {h.sh_addr:#x}-{h.sh_addr + h.sh_size:#x}, the image "
                            f"{address:#x}-{address + size:#x}")
        for sym in (img.start, img.end):
            if sym is not None and sym.st_shndx != sec.index:
                problems.append(f"{sym.name} is in section {sym.st_shndx}, not {sec.index} ({sec.name})")
    elif not (h.sh_addr <= address and address + size <= h.sh_addr + h.sh_size):
        problems.append(f"the image {address:#x}-{address + size:#x} is not inside section {sec.name} "
                        f"({h.sh_addr:#x}-{h.sh_addr + h.sh_size:#x})")
    if problems:
        yield finding("section-mismatch", "; ".join(problems), stem, address, size)


def check_record(ctx: Context, img: EmbeddedImage, extent: tuple[int, int]) -> Iterator[Finding]:
    r = img.record
    if r is None:
        return
    address, size = extent
    if (r.address, r.size) != (address, size):
        yield finding("record-mismatch", f"the bundle record says {r.address:#x} ({r.size} bytes), "
                                         f"the image is at {address:#x} ({size} bytes)",
                      img.stem, address, size)


def check_descriptor(ctx: Context, img: EmbeddedImage, extent: tuple[int, int]) -> Iterator[Finding]:
    stem, d = img.stem, img.descriptor
    address, size = extent
    if d is None:
        yield finding("descriptor-missing", f"the host declares no descriptor for it "
                                            f"(REMOTE_FW_DECLARE({stem})): remote_fw_find will not "
                                            "see it", stem, address, size)
        return
    wrong = []
    if d.is_bundled:
        if d.base != address:
            wrong.append(f"base is {d.base:#x}, the image starts at {address:#x}")
        if d.size_field != size:
            wrong.append(f"size is {d.size_field}, the image is {size} bytes")
        if d.link_addr != d.address:
            wrong.append(f"link_addr is {d.link_addr:#x}, the descriptor is at {d.address:#x} "
                         "(remote_fw_find would add the difference to base)")
    elif d.is_linked:
        if (d.start, d.end) != (address, address + size):
            wrong.append(f"start/end are {d.start:#x}/{d.end:#x}, the image is "
                         f"{address:#x}-{address + size:#x}")
    else:
        wrong.append("is neither filled in by bundle nor linked: remote_fw_find returns "
                     "REMOTE_FW_ENOTBUNDLED")
    if wrong:
        yield finding("descriptor-mismatch", f"descriptor at {d.address:#x}: " + "; ".join(wrong),
               stem, d.address)


def check_checksums(ctx: Context, img: EmbeddedImage, crc: int, address: int, size: int) -> Iterator[Finding]:
    stem, d = img.stem, img.descriptor
    if d is not None and (d.is_bundled or d.is_linked):
        if d.flags & desc_mod.F_CRC32:
            if d.crc32 != crc:
                yield finding("descriptor-crc", f"the descriptor records CRC-32 {d.crc32:#010x}, the "
                                                f"image bytes give {crc:#010x}: remote_fw_verify returns "
                                                "REMOTE_FW_ECSUM", stem, address, size)
        else:
            yield finding("descriptor-no-checksum", "the descriptor records no checksum (pre-link "
                                                    "flow): remote_fw_verify returns REMOTE_FW_ENOCSUM",
                   stem, address, size)
    if img.record is not None and img.record.crc32 != crc:
        yield finding("record-mismatch", f"the bundle record says CRC-32 {img.record.crc32:#010x}, the "
                                         f"image bytes give {crc:#010x}", stem, address, size)


def check_alignment(ctx: Context, img: EmbeddedImage, address: int) -> Iterator[Finding]:
    if img.record is not None:
        align = img.record.align
        if align > 0 and address % align:
            yield finding("image-align", f"starts at {address:#x}, not a multiple of its alignment "
                                         f"{align} (bundle --align)", img.stem, address)
            return
    if address % MIN_ALIGN:
        yield finding("image-align-low", f"starts at {address:#x}, not {MIN_ALIGN}-byte aligned: a host "
                                         "that reads the ELF header through a struct may fault",
             img.stem, address)
