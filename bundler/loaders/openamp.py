"""OpenAMP's remoteproc_load, rule by rule, as a step-by-step model.

Read from the pinned open-amp (lib/remoteproc/elf_loader.c, remoteproc.c,
rsc_table_parser.c). OpenAMP checks only the ELF magic, then reads every
field in the HOST's byte order (EI_DATA is never looked at), indexes its
copies of the program and section header tables with sizeof(Elf_Phdr/Shdr)
whatever e_phentsize/e_shentsize say, and trusts the resource table's entry
offsets and vring counts. The model follows remoteproc_load in order and
stops at its first refusal, so :func:`predict` gives what remoteproc_load
returns (tests/loaders compare it with the real library, built natively).

Assumptions, as the kit's image store and the test harness behave: the image
store checks bounds (a read outside the image is refused, so a header or
segment outside the image makes remoteproc_load fail), and the platform's
memories are the memory map (pa == da, no ``mmap`` op): a segment, carveout or
the loaded table outside them has no mapping. Without a memory map, mapping
is not judged. Host: little-endian, 32-bit unsigned long (notify-id bitmap of
32 bits) unless told otherwise.
"""

from __future__ import annotations

from bundler.remoteproc import rsc_table
from bundler.elf import spec
from bundler.loaders.base import (ACCEPTED, FW_RSC_ADDR_ANY, NOTE, REFUSED, UNDEFINED, Context,
                                  Rule, layout)
from bundler.records import Record

NAME = "openamp"
TITLE = "OpenAMP remoteproc_load (elf_loader.c, rsc_table_parser.c)"

INT_MAX = (1 << 31) - 1
NEXT_SEGMENT_MASK = 0xFF         # ELF_NEXT_SEGMENT_MASK: the next segment index is kept in 8 bits

RULES = [
    Rule("openamp-open", REFUSED, "load failure: failed to open firmware %d."),
    Rule("openamp-not-elf", REFUSED, "load failure: failed to get store ops."),
    Rule("openamp-byteorder", NOTE, ""),
    Rule("openamp-header-bounds", REFUSED, "load image data failed 0x%x,%d"),
    Rule("openamp-shstrndx", REFUSED, "load header failed 0x%lx,%d."),
    Rule("openamp-overflow", UNDEFINED, ""),
    Rule("openamp-rsc-missing", NOTE, ""),
    Rule("openamp-rsc-read", ACCEPTED, "get rsc failed: 0x%llx, 0x%llx"),
    Rule("openamp-rsc-truncated", ACCEPTED, "RPROC_ERR_RSC_TAB_TRUNC"),
    Rule("openamp-rsc-version", ACCEPTED, "RPROC_ERR_RSC_TAB_VER"),
    Rule("openamp-rsc-reserved", ACCEPTED, "RPROC_ERR_RSC_TAB_RSVD"),
    Rule("openamp-carveout-map", ACCEPTED, "RPROC_EINVAL"),
    Rule("openamp-notifyid", ACCEPTED, "RPROC_ERR_RSC_TAB_NP"),
    Rule("openamp-notifyid-duplicate", NOTE, ""),
    Rule("openamp-segment-map", REFUSED, "load failed, no mapping for 0x%llx."),
    Rule("openamp-segment-data", REFUSED, "load data failed 0x%lx, 0x%lx, 0x%x"),
    Rule("openamp-segment-filesz", ACCEPTED, ""),
    Rule("openamp-no-load", ACCEPTED, ""),
    Rule("openamp-rsc-update", ACCEPTED, "load: not able to update rsc table."),
]

TABLE_LOST = {"openamp-rsc-read", "openamp-rsc-truncated", "openamp-rsc-version", "openamp-rsc-reserved",
              "openamp-carveout-map", "openamp-notifyid", "openamp-rsc-update"}


class Prediction(Record):
    """What remoteproc_load does with the image: ``outcome`` is "loaded", "refused" or "undefined";
    ``table`` is True when rproc->rsc_table is set afterwards."""

    outcome: str
    table: bool


class _Stop(Exception):
    pass


class _Model:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.data = ctx.data
        self.size = ctx.size
        self.bits = ctx.host.bits
        self.mask = (1 << self.bits) - 1
        self.memory = ctx.memory
        self.table_entries: list[dict] = []
        self.table = None                  # (sh_addr, sh_size) of a parsed table
        self.loads = 0

    # -- outcomes
    def refuse_finding(self, code, message, words, **kw):
        self.ctx.finding(code, message, words=words, **kw)
        raise _Stop

    def overflow(self, message, **kw):
        self.ctx.finding("openamp-overflow", message, **kw)
        raise _Stop

    def store(self, offset: int, length: int, what: str) -> None:
        """store_ops->load(store, offset, length): a bounds-checking store refuses outside the image."""
        if length > INT_MAX:
            self.overflow(f"{what}: {length} bytes, more than an int holds: OpenAMP's length checks go negative")
        if offset > self.size or length > self.size - offset:
            self.refuse_finding("openamp-header-bounds", f"{what} at {offset:#x}, {length} bytes, lies outside the "
                                                 f"{self.size}-byte image", f"load image data failed {offset:#x},"
                                                                           f"{length}", address=offset, size=length)

    def mem_holding(self, address: int, length: int):
        return self.memory.find_holding(address, length) if self.memory is not None else True

    # -- remoteproc_load
    def run(self) -> None:
        data, size = self.data, self.size
        if size == 0:
            self.refuse_finding("openamp-open", "the image is empty", "load failure: failed to open firmware 0.")
        if size < 4 or bytes(data[:4]) != spec.ELFMAG:
            self.refuse_finding("openamp-not-elf", f"the image starts with {bytes(data[:4]).hex()}, not \\x7fELF",
                        "load failure: failed to get store ops.")
        if size > spec.EI_DATA and data[spec.EI_DATA] != self.ctx.host.elfdata:
            self.ctx.finding("openamp-byteorder", f"EI_DATA is {data[spec.EI_DATA]}, but OpenAMP reads every field in "
                                              f"the {self.ctx.host.byteorder}-endian host's order")
        lay = self.lay = layout(data[spec.EI_CLASS] if size > spec.EI_CLASS else 0, self.ctx.host.elfdata)
        if size < lay.ehdr.size:
            self.store(0, lay.ehdr.size, "the ELF header")
        ehdr = self.ehdr = lay.ehdr.unpack(data)
        # program headers: e_phnum * e_phentsize bytes, indexed by sizeof(Elf_Phdr)
        phsize = ehdr.e_phnum * ehdr.e_phentsize
        if (ehdr.e_phoff + phsize) > self.mask:
            self.overflow(f"e_phoff {ehdr.e_phoff:#x} + {phsize} wraps a {self.bits}-bit size_t: "
                          "elf_load_header copies from outside the image")
        if size < ehdr.e_phoff + phsize:
            self.store(ehdr.e_phoff, phsize, "the program header table")
        self.phdrs = bytes(data[ehdr.e_phoff:ehdr.e_phoff + phsize])
        self.sections()
        self.resource_table()
        self.segments()
        if self.table is not None and self.memory is not None:
            sh_addr, sh_size = self.table
            if self.memory.find_holding(sh_addr, sh_size) is None:
                self.ctx.finding("openamp-rsc-update", f"{rsc_table.SECTION} at sh_addr {sh_addr:#x}, {sh_size} bytes, "
                                                   f"is {self.memory.describe_miss(sh_addr, sh_size)}: "
                                                   "rproc->rsc_table stays NULL", sh_addr, sh_size,
                             words="load: not able to update rsc table.")
                self.table = None

    def sections(self) -> None:
        ehdr, size = self.ehdr, self.size
        self.shdrs, self.names = None, None
        if ehdr.e_shnum == 0:
            return
        shsize = ehdr.e_shnum * ehdr.e_shentsize
        if ehdr.e_shoff + shsize > self.mask:
            self.overflow(f"e_shoff {ehdr.e_shoff:#x} + {shsize} wraps a {self.bits}-bit size_t")
        if size < ehdr.e_shoff + shsize:
            self.store(ehdr.e_shoff, shsize, "the section header table")
        self.shdrs = bytes(self.data[ehdr.e_shoff:ehdr.e_shoff + shsize])
        if ehdr.e_shstrndx >= ehdr.e_shnum:
            self.refuse_finding("openamp-shstrndx", f"e_shstrndx {ehdr.e_shstrndx} is not below e_shnum {ehdr.e_shnum}",
                        "load header failed 0x0,%d." % size)
        names = self.shdr(ehdr.e_shstrndx)
        if names.sh_offset + names.sh_size > self.mask:
            self.overflow(f".shstrtab at {names.sh_offset:#x} + {names.sh_size} wraps a {self.bits}-bit size_t")
        if size < names.sh_offset + names.sh_size:
            self.store(names.sh_offset, names.sh_size, ".shstrtab (section e_shstrndx)")
        if names.sh_size > INT_MAX:
            self.overflow(f".shstrtab is {names.sh_size} bytes, more than an int holds")
        self.names = bytes(self.data[names.sh_offset:names.sh_offset + names.sh_size])

    def shdr(self, index: int):
        at = index * self.lay.shdr.size
        if at + self.lay.shdr.size > len(self.shdrs):
            self.overflow(f"section header {index}: e_shentsize {self.ehdr.e_shentsize} is below sizeof(Elf_Shdr) "
                          f"({self.lay.shdr.size}): OpenAMP reads past its copy of the table")
        return self.lay.shdr.unpack(self.shdrs, at)

    def phdr(self, index: int):
        at = index * self.lay.phdr.size
        if at + self.lay.phdr.size > len(self.phdrs):
            self.overflow(f"program header {index}: e_phentsize {self.ehdr.e_phentsize} is below "
                          f"sizeof(Elf_Phdr) ({self.lay.phdr.size}): OpenAMP reads past its copy of the table")
        return self.lay.phdr.unpack(self.phdrs, at)

    def find_table(self):
        """elf_get_section_from_name(".resource_table"): strcmp against each name in the .shstrtab copy."""
        if self.shdrs is None or self.names is None:
            return None
        want = rsc_table.SECTION.encode() + b"\0"
        for i in range(self.ehdr.e_shnum):
            sh = self.shdr(i)
            for k, c in enumerate(want):
                at = sh.sh_name + k
                if at >= len(self.names):
                    self.overflow(f"section {i}'s name (sh_name {sh.sh_name:#x}) is not NUL-terminated inside "
                                  f"the {len(self.names)}-byte .shstrtab: strcmp reads past it")
                if self.names[at] != c:
                    break
            else:
                return sh
        return None

    # -- the resource table
    def resource_table(self) -> None:
        sh = self.find_table()
        if sh is None:
            self.ctx.finding("openamp-rsc-missing", f"no {rsc_table.SECTION} section: the load succeeds with no table")
            return
        off, tsize = sh.sh_offset & self.mask, sh.sh_size & self.mask
        if tsize == 0:
            self.ctx.finding("openamp-rsc-missing", f"{rsc_table.SECTION} is empty: the load succeeds with no table")
            return
        if tsize > INT_MAX:
            self.overflow(f"{rsc_table.SECTION} is {tsize} bytes, more than an int holds: the store's answer "
                          "passes the length check and memcpy runs past it")
        if off > self.size or tsize > self.size - off:
            self.ctx.finding("openamp-rsc-read", f"{rsc_table.SECTION} at file offset {off:#x}, {tsize} bytes, lies "
                                             f"outside the {self.size}-byte image: the load succeeds with no table",
                         off, tsize, words=f"get rsc failed: {off:#x}, {tsize:#x}")
            return
        table = bytes(self.data[off:off + tsize])
        if self.parse_table(table):
            self.table = (sh.sh_addr & self.mask, tsize)

    def lost_finding(self, code: str, message: str, words: str) -> bool:
        """handle_rsc_table failed: the load goes on without a table."""
        self.ctx.finding(code, f"{message}: handle_rsc_table fails ({words}), the load succeeds with no table")
        return False

    def need(self, size: int, offset: int, length: int, what: str) -> None:
        """handle_rsc_table reads ``length`` bytes at ``offset`` of a ``size``-byte table it never bounds."""
        if offset + length > size:
            self.overflow(f"{what} at table offset {offset:#x} needs {length} bytes, the table has {size}: "
                          "handle_rsc_table reads past it")

    def parse_table(self, table: bytes) -> bool:
        """handle_rsc_table, in the host's byte order; False (with a finding) where it fails."""
        u32 = self.lay.u32
        size = len(table)
        if size < 16:
            return self.lost_finding("openamp-rsc-truncated", f"the table is {size} bytes, shorter than its header",
                                     "-RPROC_ERR_RSC_TAB_TRUNC")
        ver, num, r0, r1 = (u32.unpack_from(table, 4 * i)[0] for i in range(4))
        if ver != 1:
            return self.lost_finding("openamp-rsc-version", f"ver is {ver}", "-RPROC_ERR_RSC_TAB_VER")
        if (16 + num * 4) & 0xFFFFFFFF > size:
            return self.lost_finding("openamp-rsc-truncated", f"num is {num}: the offset array needs "
                                                              f"{16 + 4 * num} bytes, the table has {size}",
                                     "-RPROC_ERR_RSC_TAB_TRUNC")
        if 16 + num * 4 > size:
            self.overflow(f"num is {num}: 16 + 4 * num wraps in 32 bits, so the offset array check passes and "
                          "handle_rsc_table reads past the table")
        if r0 or r1:
            return self.lost_finding("openamp-rsc-reserved", f"the header's reserved words are {r0:#x}, {r1:#x}",
                                     "-RPROC_ERR_RSC_TAB_RSVD")
        self.table_entries = rsc_table.decode(table, self.lay.byteorder).entries
        bitmap: set = set()
        for idx in range(num):
            (offset,) = u32.unpack_from(table, 16 + 4 * idx)
            self.need(size, offset, 4, f"entry {idx}")
            (rtype,) = u32.unpack_from(table, offset)
            if rtype == rsc_table.RSC_CARVEOUT and not self.carveout(table, idx, offset):
                return False
            if rtype == rsc_table.RSC_TRACE:
                self.need(size, offset, 12, f"trace entry {idx}")
            if rtype == rsc_table.RSC_VDEV and not self.vdev(table, idx, offset, bitmap):
                return False
        return True

    def carveout(self, table: bytes, idx: int, offset: int) -> bool:
        """handle_carve_out_rsc: reserved 0, then remoteproc_mmap(pa, da, len)."""
        self.need(len(table), offset, 24, f"carveout entry {idx}")
        da, pa, length, _flags, reserved = (self.lay.u32.unpack_from(table, offset + 4 + 4 * k)[0] for k in range(5))
        if reserved:
            return self.lost_finding("openamp-rsc-reserved", f"carveout entry {idx} has reserved {reserved:#x}",
                                     "-RPROC_ERR_RSC_TAB_RSVD")
        if length == 0:
            return self.lost_finding("openamp-carveout-map", f"carveout entry {idx} has len 0: remoteproc_mmap maps "
                                                             "nothing", "-RPROC_EINVAL")
        if self.memory is not None:
            bad_phys = self.mask
            at = pa if pa != bad_phys else da
            if at == bad_phys or self.memory.find_holding(at, length) is None:
                return self.lost_finding("openamp-carveout-map", f"carveout entry {idx} at pa {pa:#x} (da {da:#x}), "
                                                                 f"{length} bytes, is "
                                                                 f"{self.memory.describe_miss(at, length)}",
                                         "-RPROC_EINVAL")
        return True

    def vdev(self, table: bytes, idx: int, offset: int, bitmap: set) -> bool:
        """handle_vdev_rsc: a notify id for the vdev, then for each of num_of_vrings vrings."""
        size, u32 = len(table), self.lay.u32
        self.need(size, offset, 12, f"vdev entry {idx}")
        (notifyid,) = u32.unpack_from(table, offset + 8)
        if not self.allocate(bitmap, notifyid, f"vdev entry {idx}"):
            return self.lost_finding("openamp-notifyid", f"vdev entry {idx} has notify id {self.id_text(notifyid)}",
                                     "-RPROC_ERR_RSC_TAB_NP")
        self.need(size, offset, 26, f"vdev entry {idx}")
        nvrings = table[offset + 25]
        for v in range(nvrings):
            self.need(size, offset + 28 + 20 * v, 16, f"vdev entry {idx} vring {v} (of {nvrings})")
            (nid,) = u32.unpack_from(table, offset + 28 + 20 * v + 12)
            if not self.allocate(bitmap, nid, f"vdev entry {idx} vring {v}"):
                return self.lost_finding("openamp-notifyid", f"vdev entry {idx} vring {v} has notify id "
                                                             f"{self.id_text(nid)}", "-RPROC_ERR_RSC_TAB_NP")
        return True

    def id_text(self, nid: int) -> str:
        return f"{nid}, not below {self.bits} (the bits of the host's unsigned long)"

    def allocate(self, bitmap: set, nid: int, who: str) -> bool:
        """remoteproc_allocate_id(rproc, id, id + 1), or (0, bits) for 0xFFFFFFFF: it fails only out of
        range; metal_bitmap_next_clear_bit wraps around, so a taken id gets another one (or itself)."""
        start, end = (0, self.bits) if nid == FW_RSC_ADDR_ANY else (nid, nid + 1)
        if not (start < self.bits and end <= self.bits):
            return False
        got = next((bit % end for bit in range(start, end + start) if bit % end not in bitmap), start % end)
        if nid != FW_RSC_ADDR_ANY and got != nid or nid in bitmap:
            self.ctx.finding("openamp-notifyid-duplicate", f"{who} asks for notify id {nid}, already taken: "
                                                       f"remoteproc_allocate_id gives it {got} instead")
        bitmap.add(got)
        return True

    # -- segments
    def segments(self) -> None:
        ehdr = self.ehdr
        for i in range(ehdr.e_phnum):
            p = self.phdr(i)
            if p.p_type != spec.PT_LOAD:
                continue
            self.loads += 1
            if i + 1 >= NEXT_SEGMENT_MASK + 1 and i + 1 != ehdr.e_phnum:
                self.overflow(f"segment {i} is a PT_LOAD at index {i}: elf_load keeps the next index in 8 bits "
                              "and starts over, loading for ever")
            da, memsz, filesz, offset = p.p_paddr & self.mask, p.p_memsz & self.mask, p.p_filesz & self.mask, \
                p.p_offset & self.mask
            where = f"segment {i} (PT_LOAD at p_paddr {da:#x})"
            if memsz == 0:
                self.refuse_finding("openamp-segment-map", f"{where} has p_memsz 0: remoteproc_mmap maps nothing",
                            f"load failed, no mapping for {da:#x}.", address=da, size=0)
            region = self.mem_holding(da, memsz)
            if region is None:
                self.refuse_finding("openamp-segment-map", f"{where}, {memsz} bytes, is "
                                                   f"{self.memory.describe_miss(da, memsz)}",
                            f"load failed, no mapping for {da:#x}.", address=da, size=memsz)
            if filesz:
                if filesz > INT_MAX:
                    self.overflow(f"{where}: p_filesz {filesz} is more than an int holds")
                if offset > self.size or filesz > self.size - offset:
                    self.refuse_finding("openamp-segment-data", f"{where}: file bytes {offset:#x} + {filesz} lie outside "
                                                        f"the {self.size}-byte image",
                                f"load data failed {da:#x}, {offset:#x}, {filesz:#x}", address=da, size=filesz)
                if region is not True and da + filesz > region.end:
                    self.refuse_finding("openamp-segment-data", f"{where}: p_filesz {filesz} > p_memsz {memsz} runs past "
                                                        f"{region}", f"load data failed {da:#x}, {offset:#x}, "
                                                                     f"{filesz:#x}", address=da, size=filesz)
            if filesz > memsz:
                self.ctx.finding("openamp-segment-filesz", f"{where} has p_filesz {filesz} > p_memsz {memsz}: OpenAMP "
                                                       f"writes all {filesz} bytes, {filesz - memsz} past the segment",
                             da, filesz)
        if self.loads == 0:
            self.ctx.finding("openamp-no-load", f"none of the {ehdr.e_phnum} program headers is PT_LOAD: remoteproc_load "
                                            "returns 0 with nothing loaded")


def check(ctx: Context):
    model = _Model(ctx)
    try:
        model.run()
    except _Stop:
        pass
    return model.table_entries


def predict(ctx: Context) -> Prediction:
    """Run the model; what remoteproc_load returns and whether the table survives."""
    model = _Model(ctx)
    try:
        model.run()
    except _Stop:
        pass
    outcomes = {ctx.outcome_of(f) for f in ctx.findings}
    if UNDEFINED in outcomes:
        return Prediction("undefined", False)
    if REFUSED in outcomes:
        return Prediction("refused", False)
    return Prediction("loaded", model.table is not None)
