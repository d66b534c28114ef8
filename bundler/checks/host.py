"""The host around the images: against the original the bundle record restores,
nothing of it changed; on a hosted program, new segments keep to their own pages."""

from __future__ import annotations

from typing import Generator, Iterator

from bundler.postlink import descriptor as desc_mod
from bundler.align import align_down, align_up
from bundler.postlink.bundle_record import unbundle_bytes
from bundler.checks.context import Context
from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.elf.reader import parse_elf
from bundler.errors import BadInputError
from bundler.findings import Finding, finding


def check_host_unchanged(ctx: Context) -> Iterator[Finding]:
    """Against the original host the bundle record restores: every segment, section and
    symbol of it is still there, and no byte a loader writes changed but the descriptors'."""
    record = ctx.inv.record
    if record is None:
        return
    try:
        original = parse_elf(unbundle_bytes(ctx.elf, record), what="original host")
    except BadInputError as exc:
        yield finding("record-corrupt", f"the bundle record does not restore a readable host: {exc.message}")
        return
    out = ctx.elf
    changed = yield from host_segments_changed(ctx, original)
    for sec in original.sections:
        o = out.sections[sec.index] if sec.index < len(out.sections) else None
        h = sec.hdr
        same = o is not None and o.name == sec.name and \
            (o.hdr.sh_type, o.hdr.sh_flags, o.hdr.sh_addr) == (h.sh_type, h.sh_flags, h.sh_addr) and \
            (not sec.is_alloc or (o.hdr.sh_offset, o.hdr.sh_size) == (h.sh_offset, h.sh_size))
        if not same:
            changed.append(f"section {sec.index} ({sec.name}) changed or is gone")
    for sym in original.symbols:
        o = out.symbols[sym.index] if sym.index < len(out.symbols) else None
        if o is None or o.name != sym.name:
            changed.append(f"symbol {sym.index} ({sym.name}) is gone")
        elif (o.st_value, o.st_size, o.st_info, o.st_shndx) != (sym.st_value, sym.st_size, sym.st_info,
                                                                sym.st_shndx) \
                and not (sym.st_shndx == spec.SHN_UNDEF and sym.name.startswith("_binary_")):
            changed.append(f"symbol {sym.name} changed")
    allowed = [(0, original.layout.ehdr.size)]
    if out.ehdr.e_phoff == original.ehdr.e_phoff:       # the table, rewritten in place
        allowed.append((out.ehdr.e_phoff, out.ehdr.e_phoff + out.ehdr.e_phnum * out.layout.phdr.size))
    for d in ctx.inv.descriptors:
        allowed.append((d.offset + desc_mod.PATCH_START, d.offset + desc_mod.PATCH_END))
    loads = [(p.p_offset, p.p_offset + p.p_filesz) for p in original.iter_loads() if p.p_filesz]
    for offset, data in record.restore:
        for at in range(offset, offset + len(data)):
            if any(a <= at < b for a, b in allowed):
                continue
            if any(a <= at < b for a, b in loads) and out.data[at] != data[at - offset]:
                changed.append(f"file byte {at:#x}, inside a PT_LOAD, changed")
                break
    for what in changed:
        yield finding("host-changed", f"{what}: bundling must leave the host as it was")


def host_segments_changed(ctx: Context, original: ElfFile) -> Generator[Finding, None, list[str]]:
    """The original's program headers must all be in the output, in the same relative
    order and unchanged (PT_PHDR may follow the table); on a hosted host, every new
    PT_LOAD must be page-aligned and share no page with a host segment."""
    out, changed = ctx.elf.segments, []
    at = 0
    for i, p in enumerate(original.segments):
        j = next((j for j in range(at, len(out)) if _same_segment(out[j], p)), None)
        if j is None:
            changed.append(f"segment {i} (p_type {p.p_type:#x} at {p.p_vaddr:#x}) changed or is gone")
            continue
        at = j + 1
    if original.hosted_by is None:
        return changed
    host_loads = list(original.iter_loads())
    page = original.page_size
    host = [(align_down(p.p_vaddr, page), align_up(p.p_vaddr + p.p_memsz, page))
            for p in original.iter_loads() if p.p_memsz]
    for j, q in enumerate(out):
        if q.p_type != spec.PT_LOAD or not q.p_memsz or q in host_loads:
            continue
        if q.p_align < page:
            yield finding("segment-page-align", f"segment {j} (PT_LOAD at {q.p_vaddr:#x}) has p_align "
                                                f"{q.p_align:#x}, below the host's page size {page:#x}: "
                                                f"{original.hosted_by} makes this a hosted program, whose "
                                                "loader maps whole pages", address=q.p_vaddr)
        lo, hi = align_down(q.p_vaddr, page), align_up(q.p_vaddr + q.p_memsz, page)
        shared = next(((a, b) for a, b in host if a < hi and lo < b), None)
        if shared is not None:
            yield finding("segment-shares-page", f"segment {j} (PT_LOAD at {q.p_vaddr:#x}, {q.p_memsz} "
                                                 f"bytes) shares a {page:#x}-byte page with the host's "
                                                 f"segment at {shared[0]:#x}-{shared[1]:#x}: mapping one "
                                                 "replaces the other's page", address=q.p_vaddr,
                   size=q.p_memsz)
    return changed


def _same_segment(out: spec.Phdr, original: spec.Phdr) -> bool:
    """The output's program header is the original's (PT_PHDR may follow a moved or grown table)."""
    if original.p_type == spec.PT_PHDR:
        return (out.p_type, out.p_flags, out.p_align) == (original.p_type, original.p_flags, original.p_align)
    return out == original
