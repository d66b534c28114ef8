"""The memory a remoteproc driver maps for one device tree node, in the remote's device addresses.

:func:`board_memory` reads ``--dtb``/``--node``: the node's ``compatible``
picks the driver (unless one is given), then that driver's builder below
says what Linux 6.12.118's driver maps and at which device addresses
(:mod:`bundler.loaders.drivers` has the facts; each builder names the
function it follows). Physical addresses come from ``reg`` through the
``ranges`` up the tree and from ``/reserved-memory`` regions; device
addresses from the bus's ``dma-ranges`` (:mod:`bundler.remoteproc.addressing`)
or the driver's own fixed map. A node no driver here claims gets the
generic reading: its ``memory-region`` regions and ``reg`` through its bus's
``dma-ranges``.
"""

from __future__ import annotations

from bundler.errors import BadInputError, option
from bundler.remoteproc import addressing
from bundler.remoteproc.addressing import Window
from bundler.loaders.drivers import DRIVERS, Driver, driver_for, find_driver
from bundler.remoteproc.memory import MemoryMap, MemoryRange, node_memory, regions, remote_node


def _bad(message: str) -> BadInputError:
    return BadInputError(message, hint=f"fix the device tree source, or give the memory with {option('memory')}")


def named_reg(node, name: str):
    """(bus address, system address, size) of the ``reg`` entry ``reg-names`` calls ``name``; None if none."""
    names = node.find_strings("reg-names") or []
    regs = list(node.iter_reg())
    if name not in names or names.index(name) >= len(regs):
        return None
    reg = regs[names.index(name)]
    system = addressing.translate_reg(node, reg.address)
    return reg.address, (reg.address if system is None else system), reg.size


def _compatibles(node) -> list[str]:
    return node.find_strings("compatible") or []


def board_memory(blob, node_path: str, driver: str | None = None, *, choose: bool = True) -> MemoryMap:
    """The memory the remote of ``node_path`` reaches, as its driver maps it; ``.driver`` names the
    driver used (given, or chosen by the node's compatible unless ``choose`` is False; None for the
    generic reading)."""
    fdt, node = remote_node(blob, node_path)
    chosen = find_driver(driver) if driver else (driver_for(_compatibles(node)) if choose else None)
    build = _BUILDERS[chosen.map] if chosen is not None else _generic
    memory = build(fdt, node, chosen)
    memory.source = f"device tree node {node_path}" + (f", as {chosen.name} maps it" if chosen else "")
    memory.driver = chosen.name if chosen is not None else None
    return memory


def _generic(fdt, node, _driver) -> MemoryMap:
    return node_memory(fdt, node)


def _stm32(fdt, node, driver) -> MemoryMap:
    """stm32_rproc_of_memory_translations (the parent's dma-ranges) and stm32_rproc_prepare: every
    memory-region a carveout at stm32_rproc_pa_to_da(base); vdev0buffer only the vdev's DMA pool."""
    windows = addressing.dma_windows(node)
    if node.parent is None or node.parent.find_property("dma-ranges") is None:
        raise _bad(f"{node.parent.path if node.parent else '/'} has no dma-ranges: stm32_rproc's probe fails "
                   "(\"dma-ranges property not defined\")")
    ranges, names = [], []
    for r in regions(fdt, node):
        da = addressing.to_device(windows, r.system)
        if da is None:
            raise _bad(f"{node.path}: memory-region {r.name} at {r.system:#x} ({r.size} bytes) is in no dma-ranges "
                       f"window of {node.parent.path}: stm32_rproc_prepare fails (\"memory region not valid "
                       f"{r.system:#x}\")")
        names.append(r.name)
        if r.name != "vdev0buffer":
            ranges.append(MemoryRange(da, r.size, r.name, r.system))
    return MemoryMap(ranges=ranges, carveout_names=names, windows=windows)


def _imx(fdt, node, driver) -> MemoryMap:
    """imx_rproc_addr_init (ATT_OWN rows, memory-regions not named vdev*) seen through the SoC's
    imx_rproc_att: each row that maps part of a mapped memory gives that part at the row's da."""
    from bundler.loaders.drivers import imx_att
    compatible = next((c for c in _compatibles(node) if c in imx_att.BY_COMPATIBLE), None)
    if compatible is None:
        raise _bad(f"{node.path} has no i.MX compatible imx_rproc knows ({', '.join(imx_att.BY_COMPATIBLE)}): "
                   "its address translation table is unknown")
    rows = imx_att.rows_for(compatible)
    mapped = [(sa, size, what or f"att {da:#x}") for da, sa, size, flags, what in rows if flags & imx_att.ATT_OWN]
    names = []
    for r in regions(fdt, node):
        names.append(r.name)
        if not r.name.startswith("vdev"):
            mapped.append((r.system, r.size, r.name))
    ranges = []
    for da, sa, size, _flags, _what in rows:
        for msys, msize, name in mapped:
            lo, hi = max(sa, msys), min(sa + size, msys + msize)
            if lo < hi:
                ranges.append(MemoryRange(da + (lo - sa), hi - lo, name, lo))
    windows = [Window(da, sa, size) for da, sa, size, _f, _w in rows]
    return MemoryMap(ranges=ranges, carveout_names=names, windows=windows, strict_end=True)


def _k3_static(fdt, node) -> tuple[list, list]:
    """k3_*_reserved_mem_init: memory-region[0] the DMA pool, the rest at da = (u32)base."""
    found = regions(fdt, node)
    if len(found) < 2:
        raise _bad(f"{node.path} has {len(found)} memory-region entries: the K3 drivers need at least two "
                   "(\"device needs at least two memory regions to be defined\")")
    ranges = [MemoryRange(r.system & 0xFFFFFFFF, r.size, r.name, r.system) for r in found[1:]]
    return ranges, [Window(r.system & 0xFFFFFFFF, r.system, r.size) for r in found[1:]]


def _internal(node, names_addrs) -> tuple[list, list]:
    """Internal memories by reg-names at fixed device addresses, plus their SoC view (bus address)."""
    ranges, windows = [], []
    for name, da in names_addrs:
        got = named_reg(node, name)
        if got is None:
            raise _bad(f"{node.path} has no reg named {name} (reg-names)")
        bus, system, size = got
        ranges.append(MemoryRange(da, size, name, system))
        ranges.append(MemoryRange(bus, size, f"{name} (SoC view)", system))
        windows.append(Window(da, system, size))
    return ranges, windows


def _k3_m4(fdt, node, driver) -> MemoryMap:
    """k3_m4_rproc_of_get_memories: iram at K3_M4_IRAM_DEV_ADDR 0x0, dram at K3_M4_DRAM_DEV_ADDR 0x30000."""
    ranges, windows = _internal(node, (("iram", 0x0), ("dram", 0x30000)))
    static, more = _k3_static(fdt, node)
    return MemoryMap(ranges=ranges + static, carveout_names=[], windows=windows + more)


def _k3_r5(fdt, node, driver) -> MemoryMap:
    """k3_r5_core_of_get_internal_memories: ATCM at 0x0 and BTCM at K3_R5_TCM_DEV_ADDR 0x41010000 when
    ti,loczrama is 1 (its default), swapped when 0."""
    loczrama = node.find_u32("ti,loczrama")
    loczrama = 1 if loczrama is None else loczrama
    atcm, btcm = (0x0, 0x41010000) if loczrama else (0x41010000, 0x0)
    ranges, windows = _internal(node, (("atcm", atcm), ("btcm", btcm)))
    static, more = _k3_static(fdt, node)
    return MemoryMap(ranges=ranges + static, carveout_names=[], windows=windows + more)


# omap_remoteproc.c: ipu_mems, dra7_dsp_mems (omap4/omap5 DSPs have none)
_OMAP_MEMS = {"ti,omap4-ipu": (("l2ram", 0x20000000),), "ti,omap5-ipu": (("l2ram", 0x20000000),),
              "ti,dra7-ipu": (("l2ram", 0x20000000),),
              "ti,dra7-dsp": (("l2ram", 0x800000), ("l1pram", 0xE00000), ("l1dram", 0xF00000))}


def _omap(fdt, node, driver) -> MemoryMap:
    """omap_rproc_of_get_internal_memories, and the IOMMU: the remote sees what Linux maps for the
    resource table (rproc->has_iommu = true), carveouts allocated from the memory-region CMA pool."""
    compatible = next((c for c in _compatibles(node) if c in driver.compatibles), "")
    ranges = []
    for name, da in _OMAP_MEMS.get(compatible, ()):
        got = named_reg(node, name)
        if got is not None:
            ranges.append(MemoryRange(da, got[2], name, got[1]))
    pool = next(iter(regions(fdt, node)), None)
    pool_range = MemoryRange(pool.system, pool.size, pool.name, pool.system) if pool is not None else None
    what = ("the IOMMU (iommus) maps only what the resource table asks for: its carveouts at their da, "
            "backed by memory Linux allocates" + (f" from the CMA pool {pool_range}" if pool_range else "") +
            ", and its devmem entries (da -> pa)")
    if not node.has_property("iommus"):
        what = "no iommus property: omap_remoteproc still sets has_iommu and the boot fails (can't enable iommu)"
    return MemoryMap(ranges=ranges, carveout_names=[], windows=[Window(r.start, r.system, r.size) for r in ranges],
                     iommu=what, pool=pool_range)


def _pru(fdt, node, driver) -> MemoryMap:
    """pru_rproc_probe (reg iram) and the PRUSS's Data RAMs (its memories node: dram0, dram1, shrdram2) at
    PRU_PDRAM_DA 0x0, PRU_SDRAM_DA 0x2000, PRU_SHRDRAM_DA 0x10000; PRU1 swaps dram0 and dram1."""
    got = named_reg(node, "iram")
    if got is None:
        raise _bad(f"{node.path} has no reg named iram")
    bus, system, size = got
    ranges = [MemoryRange(0, size, "iram", system)]
    memories = node.parent.find_child("memories") if node.parent is not None else None
    if memories is not None:
        pru1 = (bus & 0x3C000) in (0x38000, 0x6000, 0xC000)      # pru_rproc_set_id
        order = (("dram1", 0x0), ("dram0", 0x2000)) if pru1 else (("dram0", 0x0), ("dram1", 0x2000))
        for name, da in order + (("shrdram2", 0x10000),):
            m = named_reg(memories, name)
            if m is not None:
                ranges.append(MemoryRange(da, m[2], name, m[1]))
    return MemoryMap(ranges=ranges, carveout_names=[])


def _wkup_m3(fdt, node, driver) -> MemoryMap:
    """wkup_m3_rproc_probe: umem at device 0x0, dmem at (its address - umem's address)."""
    umem, dmem = named_reg(node, "umem"), named_reg(node, "dmem")
    if umem is None or dmem is None:
        raise _bad(f"{node.path} needs reg-names umem and dmem")
    ranges = [MemoryRange(0, umem[2], "umem", umem[1]), MemoryRange(dmem[0] - umem[0], dmem[2], "dmem", dmem[1])]
    return MemoryMap(ranges=ranges, carveout_names=[], windows=[Window(r.start, r.system, r.size) for r in ranges])


# xlnx_r5_remoteproc.c zynqmp_tcm_banks_split / _lockstep: (system, da, size, name) per core
_ZYNQMP_TCM = {"split": ((0xFFE00000, 0x0, 0x10000, "atcm0"), (0xFFE20000, 0x20000, 0x10000, "btcm0")),
               "split1": ((0xFFE90000, 0x0, 0x10000, "atcm1"), (0xFFEB0000, 0x20000, 0x10000, "btcm1")),
               "lockstep": ((0xFFE00000, 0x0, 0x10000, "atcm0"), (0xFFE20000, 0x20000, 0x10000, "btcm0"),
                            (0xFFE10000, 0x10000, 0x10000, "atcm1"), (0xFFE30000, 0x30000, 0x10000, "btcm1"))}


def _xlnx(fdt, node, driver) -> MemoryMap:
    """The TCMs: with a ``reg`` on the core node, zynqmp_r5_get_tcm_node_from_dt (da = the untranslated
    reg address as u32, system = its translation); else zynqmp_r5_get_tcm_node's ZynqMP tables (the
    cluster's xlnx,cluster-mode: 0 split, absent or 1 lockstep, as zynqmp_r5_cluster_init defaults).
    Then add_mem_regions_carveout: each memory-region at da = rmem->base."""
    if node.has_property("reg"):
        names = node.find_strings("reg-names") or []
        ranges = []
        for j, entry in enumerate(node.iter_reg()):
            system = addressing.translate_reg(node, entry.address)
            ranges.append(MemoryRange(entry.address & 0xFFFFFFFF, entry.size & 0xFFFFFFFF,
                                      names[j] if j < len(names) else f"tcm{j}", system))
    else:
        cluster = node.parent
        mode = cluster.find_u32("xlnx,cluster-mode") if cluster is not None else None
        index = cluster.children.index(node) if cluster is not None else 0
        key = "split1" if mode == 0 and index == 1 else ("split" if mode == 0 else "lockstep")
        ranges = [MemoryRange(da, size, name, system) for system, da, size, name in _ZYNQMP_TCM[key]]
    names = []
    for r in regions(fdt, node):
        names.append(r.name)
        ranges.append(MemoryRange(r.system, r.size, r.name, r.system))
    return MemoryMap(ranges=ranges, carveout_names=names, windows=[Window(r.start, r.system, r.size) for r in ranges
                                                                   if r.system is not None])


def _mtk(fdt, node, driver) -> MemoryMap:
    """scp probe: SRAM (reg sram) seen at 0x0 by mt8183_scp_da_to_va (mt8183, mt8186) or at its physical
    address by mt8192_scp_da_to_va; DRAM from memory-region[0] at its DMA address."""
    sram = named_reg(node, "sram")
    ranges = []
    if sram is not None:
        low = any(c in ("mediatek,mt8183-scp", "mediatek,mt8186-scp") for c in _compatibles(node))
        ranges.append(MemoryRange(0 if low else sram[1], sram[2], "sram", sram[1]))
    for r in regions(fdt, node)[:1]:
        ranges.append(MemoryRange(r.system, r.size, r.name, r.system))
    return MemoryMap(ranges=ranges, carveout_names=[], windows=[Window(r.start, r.system, r.size) for r in ranges])


def _qcom(fdt, node, driver) -> MemoryMap:
    """qcom_pas_alloc_memory_region / q6v5_alloc_memory_region: memory-region[0] (mem_phys, mem_size)."""
    found = regions(fdt, node)
    if not found:
        raise _bad(f"{node.path} has no memory-region: {driver.name} has nowhere to load")
    r = found[0]
    return MemoryMap(ranges=[MemoryRange(r.system, r.size, r.name, r.system)], carveout_names=[])


_BUILDERS = {"stm32": _stm32, "imx": _imx, "k3_m4": _k3_m4, "k3_r5": _k3_r5, "omap": _omap, "pru": _pru,
             "wkup_m3": _wkup_m3, "xlnx": _xlnx, "mtk": _mtk, "qcom_pas": _qcom, "qcom_mss": _qcom}

assert set(d.map for d in DRIVERS.values()) <= set(_BUILDERS)

__all__ = ["board_memory", "named_reg", "Driver"]
