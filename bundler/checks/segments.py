"""The host's program headers: PT_LOAD congruence, overlap and order, PT_PHDR."""

from __future__ import annotations

from typing import Iterator

from bundler.checks.context import Context
from bundler.elf import spec
from bundler.findings import Finding, finding


def check_segments(ctx: Context) -> Iterator[Finding]:
    for i, p in ctx.elf.iter_misaligned_loads():
        yield finding("segment-align", f"segment {i} (PT_LOAD at {p.p_vaddr:#x}) has p_offset "
                                       f"{p.p_offset:#x} and p_vaddr {p.p_vaddr:#x}, not congruent "
                                       f"modulo p_align {p.p_align:#x}", address=p.p_vaddr)
    basis = ctx.elf.load_basis
    for i, p, j, q, lo, hi in ctx.elf.iter_overlapping_loads():
        (a, b), (c, d) = ctx.elf.load_range(p), ctx.elf.load_range(q)
        yield finding("segment-overlap",
                      f"segments {i} and {j} overlap by {basis}: {a:#x}-{b:#x} and {c:#x}-{d:#x} share "
                      f"{hi - lo} bytes at {lo:#x}: a loader writes one over the other", address=lo, size=hi - lo)
    hosted = ctx.elf.hosted_by
    for i, p, prev in ctx.elf.iter_unsorted_loads():
        # an OS loader depends on the order; a bare-metal loader loads each PT_LOAD at p_paddr
        why = f"Linux sizes the mapping of this hosted program ({hosted}) from the first and the last" \
            if hosted else "a bare-metal loader does not mind"
        yield finding("segment-order" if hosted else "segment-order-bare-metal",
                      f"segment {i} (PT_LOAD at {p.p_vaddr:#x}) follows a PT_LOAD at {prev.p_vaddr:#x}: the "
                      f"gABI wants PT_LOADs in ascending p_vaddr order; {why}", address=p.p_vaddr)
    yield from check_phdr_table(ctx)


def check_phdr_table(ctx: Context) -> Iterator[Finding]:
    """PT_PHDR describes the table e_phoff points at, and a loaded one; a hosted program's
    table is loaded (ld.so and static glibc read it in memory through AT_PHDR)."""
    elf, lay = ctx.elf, ctx.elf.layout
    size = elf.ehdr.e_phnum * lay.phdr.size
    holder = elf.find_phdr_load()
    for i, p in enumerate(elf.segments):
        if p.p_type != spec.PT_PHDR:
            continue
        if (p.p_offset, p.p_filesz) != (elf.ehdr.e_phoff, size):
            yield finding("phdr-mismatch", f"PT_PHDR (segment {i}) describes {p.p_filesz} bytes at file "
                                           f"offset {p.p_offset:#x}, the program header table is {size} "
                                           f"bytes at e_phoff {elf.ehdr.e_phoff:#x}: ld.so computes the "
                                           "load bias from it", address=p.p_vaddr, size=p.p_filesz)
        elif holder is None:
            yield finding("phdr-not-loaded", f"PT_PHDR (segment {i}) describes a table that no PT_LOAD "
                                             "maps", address=p.p_vaddr, size=p.p_filesz)
        elif p.p_vaddr != holder.p_vaddr + p.p_offset - holder.p_offset:
            yield finding("phdr-mismatch", f"PT_PHDR (segment {i}) says the table is at {p.p_vaddr:#x}, "
                                           "the PT_LOAD that holds it maps it at "
                                           f"{holder.p_vaddr + p.p_offset - holder.p_offset:#x}",
                   address=p.p_vaddr, size=p.p_filesz)
    if elf.hosted_by and holder is None and not any(p.p_type == spec.PT_PHDR for p in elf.segments):
        yield finding("phdr-not-loaded", f"the program header table ({size} bytes at e_phoff "
                                         f"{elf.ehdr.e_phoff:#x}) is in no PT_LOAD of this hosted program "
                                         f"({elf.hosted_by}): AT_PHDR points at unmapped memory",
               size=size)
