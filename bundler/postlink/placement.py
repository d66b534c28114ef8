"""Where an image goes in the host's address space.

Rules, in order: an explicit ``--address``; else the slot that remote_fw.ld
reserved (``__remote_fw_slot_start/_end``); else the first free address after
the host's loadable content in the region that holds its read-only data. An
image never overlaps any host PT_LOAD or SHF_ALLOC section, by LMA (p_paddr)
or by VMA (p_vaddr / sh_addr), nor an image placed before it. An image placed
automatically must fit inside the bound that is known (``--region``, else the
slot); an explicit ``--address`` is bounded by ``--region`` only.

A hosted host (one an operating system loads: see ``ElfFile.hosted_by``) is
mapped page by page, so there every range counts in whole pages of the host's
page size (its largest PT_LOAD p_align): an image shares no page with the host
or with another image, and is placed above the host's highest segment, where
the kernel's brk and the mapping size computed from the last PT_LOAD stay
right.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.align import align_down, align_up, check_align
from bundler.errors import NoFitError, UsageError, option
from bundler.records import FrozenRecord

SLOT_START, SLOT_END = "__remote_fw_slot_start", "__remote_fw_slot_end"


class Region(FrozenRecord):
    start: int
    size: int

    @property
    def end(self) -> int:
        return self.start + self.size

    def __str__(self) -> str:
        return f"{self.start:#x}-{self.end:#x} ({self.size} bytes)"


class Occupied(FrozenRecord):
    """A range of host (or earlier image) addresses, and what holds it."""

    start: int
    end: int
    what: str


def occupied_ranges(elf: ElfFile, page: int = 1) -> list[Occupied]:
    """Every address range the host uses: PT_LOADs by LMA and VMA, SHF_ALLOC sections by VMA;
    widened to whole pages of ``page`` bytes."""
    return [Occupied(align_down(o.start, page), align_up(o.end, page), o.what) if page > 1 else o
            for o in _used_ranges(elf)]


def _used_ranges(elf: ElfFile) -> list[Occupied]:
    out = []
    for i, p in enumerate(elf.segments):
        if p.p_type != spec.PT_LOAD or p.p_memsz == 0:
            continue
        out.append(Occupied(p.p_paddr, p.p_paddr + p.p_memsz,
                            f"segment {i} (PT_LOAD, LMA {p.p_paddr:#x}-{p.p_paddr + p.p_memsz:#x})"))
        if p.p_vaddr != p.p_paddr:
            out.append(Occupied(p.p_vaddr, p.p_vaddr + p.p_memsz,
                                f"segment {i} (PT_LOAD, VMA {p.p_vaddr:#x}-{p.p_vaddr + p.p_memsz:#x})"))
    for sec in elf.sections:
        if sec.is_alloc and sec.hdr.sh_size:
            h = sec.hdr
            out.append(Occupied(h.sh_addr, h.sh_addr + h.sh_size,
                                f"section {sec.name or sec.index} ({h.sh_addr:#x}-{h.sh_addr + h.sh_size:#x})"))
    return out


def find_slot(elf: ElfFile) -> Region | None:
    """The slot remote_fw.ld reserved, if the host defined REMOTE_FW_SLOT_SIZE."""
    start, end = elf.find_symbol(SLOT_START), elf.find_symbol(SLOT_END)
    if start is None or end is None or not start.is_defined or not end.is_defined:
        return None
    if end.st_value <= start.st_value:
        return None  # remote_fw.ld included without REMOTE_FW_SLOT_SIZE: no slot
    return Region(start.st_value, end.st_value - start.st_value)


def anchor_end(elf: ElfFile) -> int:
    """The end (by LMA) of the PT_LOAD that holds the host's read-only data."""
    loads = [p for p in elf.iter_loads() if p.p_memsz]
    if not loads:
        return 0
    rodata = elf.find_section(".rodata")
    anchor = None
    if rodata is not None and rodata.is_alloc:
        addr = rodata.hdr.sh_addr
        anchor = next((p for p in loads if p.p_vaddr <= addr < p.p_vaddr + p.p_memsz), None)
    if anchor is None:
        anchor = next((p for p in loads if p.p_filesz and not p.p_flags & spec.PF_W), None)
    if anchor is None:
        anchor = next((p for p in loads if p.p_filesz), loads[0])
    return anchor.p_paddr + anchor.p_memsz


def overlaps(occupied: list[Occupied], start: int, end: int) -> list[Occupied]:
    return [o for o in occupied if o.start < end and start < o.end]


class AddressSpace:
    """The address space one bundling run places images in: the host's occupied
    ranges, its slot, the address limit and ``--region`` (all computed once),
    plus every image placed so far."""

    def __init__(self, elf: ElfFile, region: Region | None = None, host_name: str = "host"):
        self.elf = elf
        self.region = region
        self.host_name = host_name
        self.hosted_by = elf.hosted_by
        self.page = elf.page_size if self.hosted_by else 1
        self.occupied = occupied_ranges(elf, self.page)
        self.top = max((o.end for o in self.occupied), default=0)
        self.slot = find_slot(elf)
        self.limit = elf.layout.addr_max + 1

    @property
    def rule(self) -> str:
        """Which placement rule applies, in words (bundle -v prints it)."""
        if self.hosted_by:
            return (f"hosted ({self.hosted_by}): images in whole {self.page}-byte pages above the host's "
                    "highest segment, p_offset congruent to p_vaddr modulo the page size")
        return "bare metal: images packed after the host's read-only data at their own alignment"

    def image_align(self, align: int) -> int:
        """The alignment an automatically placed image gets: a whole page on a hosted host."""
        return max(align, self.page)

    def overlapping(self, start: int, end: int) -> list[Occupied]:
        """What of the host, or of the images placed so far, [start, end) would overlap."""
        return overlaps(self.occupied, start, end)

    def place(self, size: int, *, label: str, align: int = 8, address: int | None = None,
              what: str | None = None) -> tuple[int, str]:
        """Choose the address of an image of ``size`` bytes and mark it taken; returns
        (address, how). ``what`` names the image in later overlap messages. Raises
        NoFitError with the bytes missing or what the image would overlap."""
        address, how = self._choose(size, label, align, address)
        self.occupied.append(Occupied(align_down(address, self.page), align_up(address + size, self.page),
                                      f"{what or label} ({address:#x}-{address + size:#x})"))
        return address, how

    def _choose(self, size: int, label: str, align: int, address: int | None) -> tuple[int, str]:
        check_align(align)
        region, slot = self.region, self.slot
        if address is not None:
            # an explicit address is the engineer's override: only an explicit --region bounds it
            if address % align:
                raise UsageError(f"{option('address')} {address:#x} for {label} is not aligned to {align} bytes",
                                 address=address, param="address",
                                 hint=f"pass an address that is a multiple of {align}, "
                                      f"or a smaller {option('align')}")
            _check_inside(label, address, size, region, option("region") if region else None, self.limit)
            hit = self.overlapping(align_down(address, self.page), align_up(address + size, self.page))
            if hit:
                raise NoFitError(f"{label} at {address:#x} ({size} bytes) would overlap {hit[0].what} "
                                 f"of {self.host_name}", address=address, size=size,
                                 param="address", hint=f"choose another {option('address')}, or leave it "
                                                       "out to place the image automatically")
            return address, "--address"

        bound, bound_name = (region, option("region")) if region else (slot, "the slot") if slot else (None, None)
        if bound is not None:
            how, cursor = ("region" if region else "slot"), bound.start
        elif self.hosted_by:
            how, cursor = "above the host's highest segment", self.top
        else:
            how, cursor = "after the host's read-only data", anchor_end(self.elf)
        while True:
            cursor = align_up(cursor, align)
            hit = self.overlapping(cursor, align_up(cursor + size, self.page))
            if not hit:
                break
            cursor = max(o.end for o in hit)
        _check_inside(label, cursor, size, bound, bound_name, self.limit)
        return cursor, how


def _check_inside(label, address, size, bound, bound_name, limit) -> None:
    if address + size > limit:
        raise NoFitError(f"{label} ({size} bytes) at {address:#x} runs past the end of the "
                         f"address space ({limit:#x}) by {address + size - limit} bytes",
                         address=address, size=size, hint=f"pass a lower {option('address')} or a {option('region')}")
    if address + size == limit:
        # the image may touch the top, but its _binary_*_end symbol holds address + size
        raise NoFitError(f"{label} ({size} bytes) at {address:#x} ends exactly at the top of the address "
                         f"space: its _binary_*_end symbol would be {limit:#x}, which an "
                         f"ELF{32 if limit == 1 << 32 else 64} symbol value cannot hold",
                         address=address, size=size,
                         hint=f"pass a lower {option('address')}, or a {option('region')} that ends below the top")
    if bound is None:
        return
    if address < bound.start or address + size > bound.end:
        if size > bound.size:
            detail = f"{size - bound.size} bytes short"
        elif address >= bound.start:
            detail = f"{address + size - bound.end} bytes short of the room left after what it holds"
        else:
            detail = f"the address lies {bound.start - address} bytes below it"
        raise NoFitError(f"{label} ({size} bytes at {address:#x}) does not fit in {bound_name} "
                         f"{bound}: {detail}", address=address, size=size,
                         hint=f"enlarge the slot (REMOTE_FW_SLOT_SIZE) or {option('region')}, or shrink the image")
