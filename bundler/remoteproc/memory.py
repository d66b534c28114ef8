"""The memory a core can reach: named address ranges, from ``--memory`` or a device tree.

A :class:`MemoryMap` answers two questions for the loader checks
(:mod:`bundler.loaders`): which range wholly holds ``[address, address +
size)`` (:meth:`MemoryMap.find_holding`), and, when none does, which range is
nearest (:meth:`MemoryMap.nearest`), so a finding can say where the bytes
should have gone.
"""

from __future__ import annotations

from bundler.records import Factory, FrozenRecord, Record


class MemoryRange(FrozenRecord):
    """``size`` bytes at device address ``start`` (the remote core's view); ``system`` is the
    same bytes' CPU physical address where the map knows it (a device tree, a driver's table)."""

    start: int
    size: int
    name: str | None = None
    system: int | None = None

    @property
    def end(self) -> int:
        return self.start + self.size

    def holds(self, address: int, size: int) -> bool:
        return self.start <= address and address + size <= self.end

    def distance(self, address: int, size: int) -> int:
        """0 when the ranges touch or overlap, else the gap in bytes."""
        if address + size <= self.start:
            return self.start - (address + size)
        if address >= self.end:
            return address - self.end
        return 0

    def __str__(self) -> str:
        name = f"{self.name} " if self.name else ""
        system = f", system address {self.system:#x}" if self.system is not None and self.system != self.start \
            else ""
        return f"{name}{self.start:#x}-{self.end:#x} ({self.size} bytes{system})"


class MemoryMap(Record):
    """Ranges the remote core can reach; ``carveout_names`` are the names a
    platform driver registers (a device tree's memory-region node names), or
    None when the map did not come from a device tree."""

    ranges: list = Factory(list)
    source: str = "--memory"
    carveout_names: list | None = None
    windows: list = Factory(list)       # bundler.remoteproc.addressing.Window: device -> system, beyond the ranges
    strict_end: bool = False            # the driver refuses a block ending exactly at a range's end (imx_rproc)
    iommu: str | None = None            # behind an IOMMU: what its driver maps (the table's carveouts and devmem)
    pool: MemoryRange | None = None     # behind an IOMMU: the CMA pool its carveouts are allocated from
    driver: str | None = None           # the driver a device tree node's compatible chose

    def find_holding(self, address: int, size: int) -> MemoryRange | None:
        want = size + 1 if self.strict_end else size
        return next((r for r in self.ranges if r.holds(address, want)), None)

    def to_system(self, address: int) -> int | None:
        """The CPU physical address of device address ``address``, where the map knows it."""
        for r in self.ranges:
            if r.system is not None and r.start <= address < r.end:
                return r.system + (address - r.start)
        for w in self.windows:
            if w.holds_device(address):
                return w.system + (address - w.device)
        return None

    def nearest(self, address: int, size: int) -> MemoryRange | None:
        if not self.ranges:
            return None
        return min(self.ranges, key=lambda r: (r.distance(address, size), r.start))

    def find_named(self, name: str) -> MemoryRange | None:
        return next((r for r in self.ranges if r.name == name), None)

    def describe_miss(self, address: int, size: int) -> str:
        """``outside the memory the remote core can reach (nearest: ...)``."""
        near = self.nearest(address, size)
        if near is None:
            return "outside the memory the remote core can reach (none given)"
        how = "overlaps its end" if near.distance(address, size) == 0 else \
            f"{near.distance(address, size)} bytes away"
        return f"outside the memory the remote core can reach (nearest: {near}, {how})"

    def to_dict(self) -> dict:
        return {"source": self.source,
                "ranges": [{"start": r.start, "size": r.size, "name": r.name, "system_address": r.system}
                           for r in self.ranges],
                "carveout_names": self.carveout_names, "iommu": self.iommu}


def remote_node(blob, node_path: str):
    """(the parsed tree, the node ``node_path``); BadInputError when the blob or the path is wrong."""
    from bundler.errors import BadInputError, option
    from bundler.fit.fdt import parse_fdt
    fdt = parse_fdt(blob)
    node = fdt.find_node(node_path)
    if node is None:
        raise BadInputError(f"the device tree has no node {node_path}",
                            hint=f"give {option('node')} the remoteproc node's full path, e.g. /remoteproc@0")
    return fdt, node


class Region(FrozenRecord):
    """One memory-region of a node: its node name (before ``@``), physical start and size."""

    name: str
    system: int
    size: int


def regions(fdt, node) -> list[Region]:
    """The node's ``memory-region`` phandles, each /reserved-memory child's first ``reg`` made physical
    (``ranges`` up the tree); BadInputError for a phandle to anything else."""
    from bundler.errors import BadInputError
    from bundler.remoteproc.addressing import translate_reg
    out = []
    for region in fdt.resolve_phandles(node, "memory-region"):
        if region.parent is None or region.parent.path != "/reserved-memory":
            raise BadInputError(f"{node.path}/memory-region points at {region.path}, which is not a child of "
                                "/reserved-memory", hint="fix the device tree source")
        reg = next(iter(region.iter_reg()), None)
        if reg is None or not reg.size:
            continue
        system = translate_reg(region, reg.address)
        out.append(Region(region.name.split("@", 1)[0], reg.address if system is None else system, reg.size))
    return out


def node_memory(fdt, node) -> MemoryMap:
    """The generic reading of a remoteproc node (no driver's own map): each memory-region (named by its
    node name, as platform drivers register carveouts: ``vdev0vring0@...`` gives ``vdev0vring0``) and
    the node's own ``reg``, at the device addresses its bus's ``dma-ranges`` give."""
    from bundler.remoteproc.addressing import dma_windows, to_device, translate_reg
    windows = dma_windows(node)
    ranges, names = [], []
    for r in regions(fdt, node):
        names.append(r.name)
        da = to_device(windows, r.system)
        ranges.append(MemoryRange(r.system if da is None else da, r.size, r.name, r.system))
    for i, entry in enumerate(node.iter_reg()):
        if entry.size:
            ranges.append(MemoryRange(entry.address, entry.size, f"{node.name.split('@', 1)[0]} reg[{i}]",
                                      translate_reg(node, entry.address)))
    return MemoryMap(ranges=ranges, source=f"device tree node {node.path}", carveout_names=names, windows=windows)


def memory_from_dtb(blob, node_path: str) -> MemoryMap:
    """:func:`node_memory` of ``node_path`` in a device tree blob. BadInputError when the blob, the
    node or a phandle is wrong. ``bundle verify --dtb`` uses bundler.loaders.drivers.maps.board_memory,
    which also applies the node's driver."""
    return node_memory(*remote_node(blob, node_path))


def as_memory_map(memory) -> MemoryMap | None:
    """The Python API's ``memory=``: a MemoryMap, or ranges as MemoryRange or (start, size[, name]) tuples."""
    if memory is None or isinstance(memory, MemoryMap):
        return memory
    ranges = []
    for r in memory:
        if isinstance(r, MemoryRange):
            ranges.append(r)
        else:
            start, size, *name = r
            ranges.append(MemoryRange(int(start), int(size), name[0] if name else None))
    return MemoryMap(ranges=ranges, source="memory=")
