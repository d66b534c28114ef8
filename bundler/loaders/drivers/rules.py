"""The checks where a driver's ops differ from Linux's default ELF ops.

:mod:`bundler.loaders.linux` runs the default ops and calls in here where a
driver says otherwise (``ctx.driver``): a missing resource table that the
driver's own ``parse_fw`` tolerates (:func:`no_table`), a table it never
reads (:func:`table_ignored`), its own segment loop (:func:`own_segments`:
pru_rproc_load_elf_segments, scp_elf_load_segments skip PT_LOADs without
file bytes, and PRU routes PF_X segments to its IRAM) and its own sections
(``.pru_irq_map``, ``.ipi_buffer``). Qualcomm's drivers load with no ELF ops
at all: :func:`check_mdt` (qcom_mdt_load) and :func:`check_mba` (q6v5_load).
Behind an IOMMU, :func:`iommu_space` is the device address space the
driver maps: the table's carveouts and devmem. All read from Linux 6.12.118.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.loaders.base import ACCEPTED, FW_RSC_ADDR_ANY, NOTE, REFUSED, Context, Rule, layout, read_phdrs, \
    read_shdr, within
from bundler.loaders.drivers import OPTIONAL
from bundler.remoteproc.memory import MemoryMap, MemoryRange

RULES = [
    Rule("driver-rsc-optional", NOTE, ""),
    Rule("driver-rsc-ignored", NOTE, ""),
    Rule("driver-pru-irq-map", REFUSED, ".pru_irq_map section truncated"),
    Rule("driver-scp-ipi", REFUSED, "IPI buffer does not fit in SRAM."),
    Rule("driver-scp-ipi-default", NOTE, ""),
    Rule("driver-mdt-header", REFUSED, ""),
    Rule("driver-mdt-segment", REFUSED, "segment outside memory range"),
    Rule("driver-mba-size", REFUSED, "MBA firmware load failed"),
    Rule("mem-iommu-pool", REFUSED, "failed to allocate dma memory: len 0x%zx"),
]

QCOM_MDT_TYPE_MASK = 7 << 24
QCOM_MDT_TYPE_HASH = 2 << 24
QCOM_MDT_RELOCATABLE = 1 << 27
MBA_MAX = 1 << 20                       # q6v5_load: SZ_1M
PAGE = 4096
# mtk_scp.c: mt8183/mt8186 data's ipi_buf_offset; struct mtk_share_obj is id, len (u32 each) and
# share_buf[ipi_share_buffer_size]: 288 bytes (mt8183, mt8186, mt8192), 600 (mt8188, mt8195)
SCP_DEFAULT_IPI = {"mediatek,mt8183-scp": 0x7BDB0, "mediatek,mt8186-scp": 0x3BDB0}


def no_table(ctx: Context) -> bool:
    """No .resource_table: True when this driver goes on without one (its parse_fw only prints)."""
    drv = ctx.driver
    if drv is None or drv.table != OPTIONAL:
        return False
    ctx.finding("driver-rsc-optional", f"no .resource_table section: {drv.name}'s parse_fw goes on without one "
                                       "(no vdev, no carveouts, no trace)", words=drv.table_words)
    return True


# find_table's refusals: rproc_elf_load_rsc_table returns -EINVAL for each, as for no table at all
TABLE_REFUSALS = ("linux-rsc-truncated", "linux-rsc-headerless", "linux-rsc-version", "linux-rsc-reserved",
                  "linux-rsc-incomplete")


def table_refused(ctx: Context, mark: int) -> None:
    """A table rproc_elf_load_rsc_table refuses (-EINVAL) is, to a driver whose parse_fw only prints on
    failure, no table at all: the boot goes on without it. Its findings since ``mark`` become warnings."""
    drv = ctx.driver
    if drv is None or drv.table != OPTIONAL:
        return
    for k in range(mark, len(ctx.findings)):
        f = ctx.findings[k]
        if f.code in TABLE_REFUSALS:
            del ctx.findings[k]
            what = f.message.rsplit(' ("', 1)[0]            # without the refusal's words and "Boot failed"
            ctx.finding("driver-rsc-optional", f"{what}: rproc_elf_load_rsc_table returns -EINVAL and "
                                               f"{drv.name}'s parse_fw goes on without a table (no vdev, no "
                                               "carveouts, no trace)", f.address, f.size, words=drv.table_words)
            ctx.findings.insert(k, ctx.findings.pop())


def table_ignored(ctx: Context) -> None:
    from bundler.loaders.resources import find_table_section
    if find_table_section(ctx.data) is not None:
        ctx.finding("driver-rsc-ignored", f".resource_table is present but {ctx.driver.name} never reads it "
                                          f"({ctx.driver.ops}): its carveouts, vdevs and trace buffers do nothing")


def _section(data: bytes, lay, ehdr, name: bytes):
    """The section header called ``name``, read with bounds checks; None if none."""
    names = read_shdr(data, lay, ehdr.e_shoff + ehdr.e_shstrndx * lay.shdr.size) if ehdr.e_shnum else None
    if names is None:
        return None
    for i in range(ehdr.e_shnum):
        sh = read_shdr(data, lay, ehdr.e_shoff + i * lay.shdr.size)
        if sh is None:
            return None
        at = names.sh_offset + sh.sh_name
        if bytes(data[at:at + len(name) + 1]) == name + b"\0":
            return sh
    return None


def own_segments(ctx: Context, lay, ehdr) -> None:
    """pru_rproc_load_elf_segments / scp_elf_load_segments: PT_LOADs with p_filesz 0 are skipped (never
    checked, never zeroed); the rest must fit the file and land where the driver's da_to_va maps."""
    from bundler.loaders.linux import _boot_finding
    drv, data = ctx.driver, ctx.data
    for i, p in read_phdrs(data, lay, ehdr.e_phoff, ehdr.e_phnum):
        if p is None:
            break
        if p.p_type != spec.PT_LOAD or not p.p_filesz:
            continue
        where = f"segment {i} (PT_LOAD at p_paddr {p.p_paddr:#x})"
        if p.p_filesz > p.p_memsz:
            _boot_finding("linux-segment-filesz", ctx, f"{where} has p_filesz {p.p_filesz} > p_memsz {p.p_memsz}",
                          f"bad phdr filesz {p.p_filesz:#x} memsz {p.p_memsz:#x}", address=p.p_paddr, size=p.p_memsz)
            return
        if p.p_offset + p.p_filesz > len(data):
            _boot_finding("linux-segment-truncated", ctx, f"{where}: file bytes {p.p_offset:#x} + {p.p_filesz} run "
                                                          f"past the end of the {len(data)}-byte image",
                          f"truncated fw: need {p.p_offset + p.p_filesz:#x} avail {len(data):#x}", address=p.p_paddr,
                          size=p.p_filesz)
            return
        if ctx.memory is None:
            continue
        da, memory, space = p.p_paddr, ctx.memory, ""
        if drv.map == "pru":
            iram = bool(p.p_flags & spec.PF_X)
            da = p.p_paddr & 0xFFFFF if iram else p.p_paddr
            keep = (lambda r: r.name == "iram") if iram else (lambda r: r.name != "iram")
            memory = MemoryMap(ranges=[r for r in ctx.memory.ranges if keep(r)], source=ctx.memory.source)
            space = f" (PF_X: instruction RAM, da {da:#x})" if iram else " (data RAM)"
        if memory.find_holding(da, p.p_memsz) is None:
            _boot_finding("linux-segment-da", ctx, f"{where}{space}, {p.p_memsz} bytes, is "
                                                   f"{memory.describe_miss(da, p.p_memsz)}",
                          f"bad phdr da {p.p_paddr:#x} mem {p.p_memsz:#x}", address=da, size=p.p_memsz)
            return


def own_sections(ctx: Context, lay, ehdr) -> None:
    """pru_rproc_find_interrupt_map (.pru_irq_map) and scp_ipi_init (.ipi_buffer)."""
    data, drv = ctx.data, ctx.driver
    if drv.map == "pru":
        sh = _section(data, lay, ehdr, b".pru_irq_map")
        if sh is not None and (sh.sh_offset + sh.sh_size > len(data)):
            ctx.finding("driver-pru-irq-map", f".pru_irq_map at {sh.sh_offset:#x}, {sh.sh_size} bytes, runs past the "
                                              f"end of the {len(data)}-byte image", sh.sh_offset, sh.sh_size,
                        words=".pru_irq_map section truncated")
        elif sh is not None and sh.sh_size < 2:
            ctx.finding("driver-pru-irq-map", f".pru_irq_map is {sh.sh_size} bytes, shorter than struct pru_irq_rsc "
                                              "(2 bytes)", sh.sh_offset, sh.sh_size,
                        words="header-less .pru_irq_map section")
    elif drv.map == "mtk":
        sh = _section(data, lay, ehdr, b".ipi_buffer")
        sram = next((r for r in ctx.memory.ranges if r.name == "sram"), None) if ctx.memory is not None else None
        if sh is None:
            ctx.finding("driver-scp-ipi-default", "no .ipi_buffer section: scp_ipi_init falls back on the SoC's "
                                          "ipi_buf_offset, which only mt8183 (0x7bdb0) and mt8186 (0x3bdb0) have; "
                                          "on the others parse_fw fails (-ENOENT)")
        elif sram is not None and sh.sh_addr + 2 * (8 + 288) > sram.size:
            ctx.finding("driver-scp-ipi", f".ipi_buffer at {sh.sh_addr:#x} + the two {8 + 288}-byte share objects "
                                          f"pass the end of the {sram.size}-byte SRAM", sh.sh_addr, 2 * (8 + 288),
                        words="IPI buffer does not fit in SRAM.")


def iommu_space(ctx: Context, entries: list[dict], memory: MemoryMap) -> MemoryMap:
    """Behind an IOMMU the remote's device addresses are what its driver maps: the map's internal
    memories, each carveout (rproc_handle_carveout: allocated, then iommu_map at its da) and each devmem
    (da -> pa). Also the carveouts must all come out of the CMA pool (rproc_alloc_carveout)."""
    from bundler.loaders.resources import vring_size
    ranges, total = list(memory.ranges), 0
    for e in entries:
        if e.get("truncated"):
            continue
        if e.get("kind") == "carveout":
            total += (e["len"] + PAGE - 1) & ~(PAGE - 1)
            if e["da"] != FW_RSC_ADDR_ANY:
                ranges.append(MemoryRange(e["da"], e["len"], f"carveout {e.get('name', '')!r} (IOMMU-mapped)"))
        elif e.get("kind") == "devmem":
            ranges.append(MemoryRange(e["da"], e["len"], f"devmem {e.get('name', '')!r}", e.get("pa")))
        elif e.get("kind") == "vdev":
            for v, ring in enumerate(e.get("vrings", [])):
                if ring["da"] != FW_RSC_ADDR_ANY:
                    ranges.append(MemoryRange(ring["da"], vring_size(ring["num"], ring["align"]),
                                              f"vring {v} (IOMMU-mapped)"))
    if memory.pool is not None and total > memory.pool.size:
        ctx.finding("mem-iommu-pool", f"the resource table's carveouts need {total} bytes (page-aligned), the CMA "
                                      f"pool {memory.pool} has {memory.pool.size}: dma_alloc_coherent fails",
                    memory.pool.start, total, words=f"failed to allocate dma memory: len {total:#x}; Boot failed: -12")
    return MemoryMap(ranges=ranges, source=memory.source, carveout_names=memory.carveout_names,
                     windows=memory.windows, iommu=memory.iommu, pool=memory.pool, driver=memory.driver)


def is_mpss_image(name: str | None) -> bool:
    """qcom_q6v5_mss loads two files, firmware-name[0] (default mba.mbn) copied whole as the MBA and
    firmware-name[1] (default modem.mdt) through q6v5_mpss_load: a file named other than mba* is the
    second. Without a name (bytes given), the MBA."""
    if not name:
        return False
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return not base.startswith("mba")


def check_mdt(ctx: Context, region_index: int = 0) -> None:
    """qcom_mdt_load_no_init (drivers/soc/qcom/mdt_loader.c): mdt_header_valid, then each PT_LOAD that is
    not the hash segment and has p_memsz placed at p_paddr - mem_reloc inside the memory-region.
    q6v5_mss's q6v5_mpss_load reads its modem image by the same rules (qcom_mdt_read_metadata, then
    offset = p_paddr - mpss_reloc inside mpss_size, "segment outside memory range"), into its second
    region (``region_index`` 1: memory-region[1] or the mpss child node)."""
    data = ctx.data
    lay = layout(spec.ELFCLASS32, spec.ELFDATA2LSB)
    if len(data) < lay.ehdr.size or bytes(data[:4]) != spec.ELFMAG:
        ctx.finding("driver-mdt-header", f"the {len(data)}-byte file is no ELF32 image (mdt_header_valid fails: "
                                         "-EINVAL)")
        return
    ehdr = lay.ehdr.unpack(data)
    bad = None
    if ehdr.e_phentsize != lay.phdr.size:
        bad = f"e_phentsize is {ehdr.e_phentsize}, not {lay.phdr.size}"
    elif not within(len(data), ehdr.e_phoff, ehdr.e_phnum * lay.phdr.size):
        bad = f"the program header table ({ehdr.e_phnum} at {ehdr.e_phoff:#x}) runs past the end of the file"
    elif (ehdr.e_shentsize or ehdr.e_shnum) and ehdr.e_shentsize != lay.shdr.size:
        bad = f"e_shentsize is {ehdr.e_shentsize}, not {lay.shdr.size}"
    elif (ehdr.e_shentsize or ehdr.e_shnum) and not within(len(data), ehdr.e_shoff, ehdr.e_shnum * lay.shdr.size):
        bad = f"the section header table ({ehdr.e_shnum} at {ehdr.e_shoff:#x}) runs past the end of the file"
    if bad:
        ctx.finding("driver-mdt-header", f"{bad}: mdt_header_valid fails (-EINVAL)")
        return
    loads = [(i, p) for i, p in read_phdrs(data, lay, ehdr.e_phoff, ehdr.e_phnum)
             if p is not None and p.p_type == spec.PT_LOAD and p.p_memsz
             and (p.p_flags & QCOM_MDT_TYPE_MASK) != QCOM_MDT_TYPE_HASH]
    if not loads:
        return
    ranges = ctx.memory.ranges if ctx.memory is not None else []
    region = ranges[min(region_index, len(ranges) - 1)] if ranges else None
    relocate = any(p.p_flags & QCOM_MDT_RELOCATABLE for _, p in loads)
    reloc = min(p.p_paddr for _, p in loads) if relocate or region is None else region.start
    for i, p in loads:
        offset = p.p_paddr - reloc
        if region is not None and (offset < 0 or offset + p.p_memsz > region.size):
            how = "relocatable: placed by the lowest p_paddr" if relocate else "not relocatable"
            ctx.finding("driver-mdt-segment", f"segment {i} (p_paddr {p.p_paddr:#x}, {p.p_memsz} bytes; {how}) lands "
                                              f"at offset {offset:#x} of memory-region {region}",
                        region.start + offset if offset >= 0 else p.p_paddr, p.p_memsz,
                        words="segment outside memory range")
            return
        if p.p_filesz > p.p_memsz:
            ctx.finding("driver-mdt-segment", f"segment {i} has p_filesz {p.p_filesz} > p_memsz {p.p_memsz}",
                        p.p_paddr, p.p_memsz, words=f"refusing to load segment {i} with p_filesz > p_memsz")
            return


def check_mba(ctx: Context) -> None:
    """q6v5_load: the MBA file is copied whole (no ELF parsing) into the mba region: at most 1 MiB and
    no bigger than the region."""
    size = len(ctx.data)
    region = ctx.memory.ranges[0] if ctx.memory is not None and ctx.memory.ranges else None
    if size > MBA_MAX or (region is not None and size > region.size):
        limit = f"the mba region {region}" if region is not None and region.size < MBA_MAX else "1 MiB (SZ_1M)"
        ctx.finding("driver-mba-size", f"the MBA image is {size} bytes, more than {limit}",
                    region.start if region is not None else None, size, words="MBA firmware load failed")


__all__ = ["RULES", "no_table", "table_ignored", "own_segments", "own_sections", "iommu_space", "check_mdt",
           "check_mba", "is_mpss_image", "ACCEPTED"]
