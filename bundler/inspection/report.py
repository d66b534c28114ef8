"""``bundle inspect``: what an ELF file holds, as a report dict (docs/json.md).

For any ELF: its header and segments, and its own resource table if it has
one (a remote). For a host: every image it carries or declares (stem, where
it is, how it got there, checksum, descriptor) and, for each embedded ELF,
its segments and decoded resource table. Never raises on a broken table or
embedded image: what cannot be read is reported with the reason.
"""

from __future__ import annotations

import hashlib

from bundler.checksum import crc32
from bundler.signing import check as signing_check
from bundler.fit import report as fit_inspect
from bundler.postlink import images as images_mod
from bundler.remoteproc import rsc_table
from bundler.elf.reader import is_elf, parse_elf
from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.errors import BadInputError

SEGMENT_TYPES = {spec.PT_NULL: "NULL", spec.PT_LOAD: "LOAD", spec.PT_DYNAMIC: "DYNAMIC",
                 spec.PT_INTERP: "INTERP", spec.PT_NOTE: "NOTE", spec.PT_SHLIB: "SHLIB",
                 spec.PT_PHDR: "PHDR", spec.PT_TLS: "TLS", 0x6474E550: "GNU_EH_FRAME",
                 0x6474E551: "GNU_STACK", 0x6474E552: "GNU_RELRO", 0x6474E553: "GNU_PROPERTY"}
# processor-specific p_type values mean different things per machine
MACHINE_SEGMENT_TYPES = {spec.EM_ARM: {0x70000001: "ARM_EXIDX"},
                         spec.EM_AARCH64: {0x70000002: "AARCH64_MEMTAG_MTE"},
                         spec.EM_RISCV: {0x70000003: "RISCV_ATTRIBUTES"}}
E_TYPES = {spec.ET_NONE: "NONE", spec.ET_REL: "REL", spec.ET_EXEC: "EXEC", spec.ET_DYN: "DYN",
           spec.ET_CORE: "CORE"}


def inspect(elf: ElfFile) -> dict:
    """The report for one ELF file: header, segments, images, resource table."""
    inv = images_mod.survey(elf)
    report = _elf_part(elf)
    report["images"] = [_image(elf, img) for img in inv.images]
    notes = []
    if inv.record_error is not None:
        notes.append(f"the bundle record is unreadable: {inv.record_error.message}")
    if inv.descriptor_error is not None:
        notes.append(f"the descriptors are unreadable: {inv.descriptor_error.message}")
    report["notes"] = notes
    return report


def _elf_part(elf: ElfFile) -> dict:
    """Header, segments and resource table: what inspect shows of a remote and of each embedded ELF."""
    return {"elf": describe_header(elf), "segments": describe_segments(elf),
            "resource_table": describe_resource_table(elf)}


def describe_header(elf: ElfFile) -> dict:
    e = elf.ehdr
    return {"class": 64 if elf.layout.is64 else 32, "byte_order": elf.layout.byteorder,
            "e_machine": e.e_machine, "machine": spec.MACHINE_NAMES.get(e.e_machine),
            "e_type": e.e_type, "type": E_TYPES.get(e.e_type), "e_entry": e.e_entry,
            "e_flags": e.e_flags}


def segment_type_name(elf: ElfFile, p_type: int) -> str | None:
    return SEGMENT_TYPES.get(p_type) or MACHINE_SEGMENT_TYPES.get(elf.ehdr.e_machine, {}).get(p_type)


def flags_text(p_flags: int) -> str:
    return "".join(c if p_flags & bit else "-" for c, bit in (("R", spec.PF_R), ("W", spec.PF_W), ("X", spec.PF_X)))


def describe_segments(elf: ElfFile) -> list[dict]:
    return [{"index": i, "p_type": p.p_type, "type": segment_type_name(elf, p.p_type),
             "p_flags": p.p_flags, "flags": flags_text(p.p_flags), "p_offset": p.p_offset,
             "p_vaddr": p.p_vaddr, "p_paddr": p.p_paddr, "p_filesz": p.p_filesz, "p_memsz": p.p_memsz,
             "p_align": p.p_align}
            for i, p in enumerate(elf.segments)]


def describe_resource_table(elf: ElfFile) -> dict | None:
    sec, table = rsc_table.find_table(elf)
    if sec is None:
        return None
    out = {"section": sec.name, "sh_addr": sec.hdr.sh_addr, "sh_offset": sec.hdr.sh_offset}
    out.update(table.to_dict())
    return out


def _image(elf: ElfFile, img: images_mod.EmbeddedImage) -> dict:
    d = img.descriptor
    out = {"stem": img.stem, "flow": img.flow, "placed": img.record.placed if img.record else None,
           "address": None, "size": None, "section": None, "segment": None, "lma": None,
           "file_offset": None, "crc32": None, "sha256": None,
           "symbols": {which: (sym.st_value if sym is not None else None)
                       for which, sym in zip(("start", "end", "size"), img.symbols)},
           "descriptor": None if d is None else {
               "address": d.address, "flags": d.flags, "crc32": d.crc32, "base": d.base,
               "size": d.size_field, "link_addr": d.link_addr, "start": d.start, "end": d.end},
           "image": None, "signature": None, "error": None}
    ext = img.extent
    if ext is None:
        out["error"] = "declared, but no image is bundled or linked"
        return out
    address, size = ext
    out.update(address=address, size=size)
    sec = images_mod.image_section(elf, img)
    out["section"] = sec.name if sec is not None else None
    where = images_mod.find_placement(elf, address, size)
    if where is None:
        out["error"] = f"{address:#x}-{address + size:#x} is not in the file bytes of any PT_LOAD"
        return out
    data = elf.data[where.offset:where.offset + size]
    out.update(segment=where.segment, lma=where.lma, file_offset=where.offset,
               crc32=crc32(data), sha256=hashlib.sha256(data).hexdigest())
    manifest = signing_check.find_manifest(elf, d, address, size)
    out["signature"] = signing_check.summary(img.stem, bytes(data), manifest)
    if fit_inspect.looks_like_fit(data):        # a FIT (issue 13): decoded by bundler.fit.report
        out["fit"] = fit_inspect.describe(data)
        return out
    if not is_elf(data):
        out["error"] = "not an ELF image"
        return out
    try:
        inner = parse_elf(data, what=f"embedded image {img.stem}")
        out["image"] = _elf_part(inner)
        nested = [_image(inner, i) for i in images_mod.survey(inner).images]
        if nested:                              # a bootstrap carrying its own images (a FIT)
            out["image"]["images"] = nested
    except BadInputError as exc:
        out["error"] = f"embedded ELF unreadable: {exc.message}"
    return out
