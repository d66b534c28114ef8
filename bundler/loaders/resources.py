"""Resource-table entries against the memory map: carveouts, devmem, trace buffers, vrings.

Shared by every loader profile. The table is decoded by :mod:`bundler.remoteproc.rsc_table`
(no second decoder here); this module only says where each entry's bytes are
and whether the memory the remote core can reach holds them. A vring's bytes
are the virtio split ring's: descriptors, available ring, padding to
``align``, used ring (:func:`vring_size`, as Linux's ``vring_size()``).
An address of 0xFFFFFFFF (FW_RSC_ADDR_ANY) is the host's to choose: not checked.
"""

from __future__ import annotations

from bundler.remoteproc import rsc_table
from bundler.elf import spec
from bundler.loaders.base import FW_RSC_ADDR_ANY, NOTE, Context, Rule, layout, read_shdr, within
from bundler.remoteproc.memory import MemoryMap

VRING_DESC_SIZE = 16       # struct vring_desc: addr u64, len u32, flags u16, next u16
VRING_AVAIL_WORD = 2       # __virtio16: flags, idx, ring[num], used_event
VRING_USED_ELEM = 8        # struct vring_used_elem: id u32, len u32
PAGE_SIZE = 4096

RULES = [
    Rule("mem-load", NOTE, ""),
    Rule("mem-carveout", NOTE, ""),
    Rule("mem-devmem", NOTE, ""),
    Rule("mem-trace", NOTE, ""),
    Rule("mem-vring", NOTE, ""),
    Rule("mem-carveout-name", NOTE, "Allocated carveout doesn't fit device address request"),
    Rule("mem-vring-name", NOTE, ""),
]


def vring_size(num: int, align: int) -> int:
    """Bytes of a split virtqueue of ``num`` entries, used ring aligned to ``align`` (Linux's vring_size)."""
    head = VRING_DESC_SIZE * num + VRING_AVAIL_WORD * (3 + num)
    if align:
        head = (head + align - 1) & ~(align - 1)
    return head + VRING_AVAIL_WORD * 3 + VRING_USED_ELEM * num


def page_align(n: int) -> int:
    return (n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)


def find_table_section(data: bytes, elfdata: int | None = None):
    """(sh_offset, sh_size, sh_addr) of ``.resource_table``, read without trusting anything
    (every header and name bounds-checked), or None."""
    if len(data) < spec.EI_NIDENT or bytes(data[:4]) != spec.ELFMAG:
        return None
    lay = layout(data[spec.EI_CLASS], elfdata or (data[spec.EI_DATA] if data[spec.EI_DATA] in
                                                    (spec.ELFDATA2LSB, spec.ELFDATA2MSB) else spec.ELFDATA2LSB))
    if len(data) < lay.ehdr.size:
        return None
    ehdr = lay.ehdr.unpack(data)
    strtab = read_shdr(data, lay, ehdr.e_shoff + ehdr.e_shstrndx * lay.shdr.size) if ehdr.e_shnum else None
    if strtab is None or not within(len(data), strtab.sh_offset, strtab.sh_size):
        return None
    want = rsc_table.SECTION.encode() + b"\0"
    for i in range(ehdr.e_shnum):
        sh = read_shdr(data, lay, ehdr.e_shoff + i * lay.shdr.size)
        if sh is None:
            return None
        at = strtab.sh_offset + sh.sh_name
        if sh.sh_name < strtab.sh_size and bytes(data[at:at + len(want)]) == want \
                and at + len(want) <= strtab.sh_offset + strtab.sh_size:
            if sh.sh_type == spec.SHT_NOBITS or not within(len(data), sh.sh_offset, sh.sh_size):
                return None
            return sh.sh_offset, sh.sh_size, sh.sh_addr
    return None


def iter_regions(entries: list[dict]):
    """(kind, label, da, size, entry) for every entry that names target memory."""
    vdev_index = 0
    for e in entries:
        kind = e.get("kind")
        if e.get("truncated"):
            continue
        if kind in ("carveout", "devmem", "trace") and "da" in e and "len" in e:
            name = e.get("name") or ""
            yield kind, f"{kind} entry {e['index']}{f' ({name!r})' if name else ''}", e["da"], e["len"], e
        elif kind == "vdev":
            for v, ring in enumerate(e.get("vrings", [])):
                yield "vring", f"vdev {vdev_index} (entry {e['index']}) vring {v}", ring["da"], \
                    vring_size(ring["num"], ring["align"]), ring
            vdev_index += 1


def check_memory(ctx: Context, entries: list[dict], memory: MemoryMap) -> None:
    """mem-* findings: every entry with a fixed address inside the memory map (unless the
    profile's own rule said so already)."""
    said = {f.address for f in ctx.findings if f.address is not None and not f.code.startswith("mem-")}
    for kind, label, da, size, _ in iter_regions(entries):
        if da == FW_RSC_ADDR_ANY or size == 0 or da in said:
            continue
        if memory.find_holding(da, size) is None:
            _mem_finding(ctx, kind, f"{label} at {da:#x}, {size} bytes, is {memory.describe_miss(da, size)}",
                         da, size)


def _mem_finding(ctx: Context, kind: str, text: str, da: int, size: int) -> None:
    if kind == "carveout":
        ctx.finding("mem-carveout", text, da, size)
    elif kind == "devmem":
        ctx.finding("mem-devmem", text, da, size)
    elif kind == "trace":
        ctx.finding("mem-trace", text, da, size)
    else:
        ctx.finding("mem-vring", text, da, size)


def check_names(ctx: Context, entries: list[dict], memory: MemoryMap) -> None:
    """With a device tree: the names the platform driver registers against the table's."""
    names = memory.carveout_names or []
    vdev_index = 0
    for e in entries:
        if e.get("truncated"):
            continue
        if e.get("kind") == "carveout" and "name" in e and e["name"] not in names:
            ctx.finding("mem-carveout-name", f"carveout entry {e['index']} is named {e['name']!r}, which is no "
                                         f"memory-region of the node ({', '.join(names) or 'none'}): Linux "
                                         "allocates it from the DMA pool instead of the reserved region",
                    e.get("da"), e.get("len"), words="Allocated carveout doesn't fit device address request")
        elif e.get("kind") == "vdev":
            for v, ring in enumerate(e.get("vrings", [])):
                want = f"vdev{vdev_index}vring{v}"
                if ring["da"] != FW_RSC_ADDR_ANY and want not in names:
                    ctx.finding("mem-vring-name", f"vdev {vdev_index} vring {v} wants da {ring['da']:#x}, but the node "
                                              f"has no memory-region named {want} ({', '.join(names) or 'none'}): "
                                              "Linux allocates the ring from the DMA pool, not at that address",
                            ring["da"], vring_size(ring["num"], ring["align"]))
            vdev_index += 1
