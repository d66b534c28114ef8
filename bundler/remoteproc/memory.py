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
    start: int
    size: int
    name: str | None = None

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
        return f"{name}{self.start:#x}-{self.end:#x} ({self.size} bytes)"


class MemoryMap(Record):
    """Ranges the remote core can reach; ``carveout_names`` are the names a
    platform driver registers (a device tree's memory-region node names), or
    None when the map did not come from a device tree."""

    ranges: list = Factory(list)
    source: str = "--memory"
    carveout_names: list | None = None

    def find_holding(self, address: int, size: int) -> MemoryRange | None:
        return next((r for r in self.ranges if r.holds(address, size)), None)

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
                "ranges": [{"start": r.start, "size": r.size, "name": r.name} for r in self.ranges],
                "carveout_names": self.carveout_names}


def memory_from_dtb(blob, node_path: str) -> MemoryMap:
    """The memory of the remoteproc node ``node_path`` in a device tree blob: each
    ``memory-region`` phandle's node under /reserved-memory (named by its node name,
    as platform drivers register carveouts: ``vdev0vring0@...`` gives ``vdev0vring0``)
    and the node's own ``reg`` (its internal memories). BadInputError when the blob,
    the node or a phandle is wrong."""
    from bundler.errors import BadInputError, option
    from bundler.fit.fdt import parse_fdt

    fdt = parse_fdt(blob)
    node = fdt.find_node(node_path)
    if node is None:
        raise BadInputError(f"the device tree has no node {node_path}",
                            hint=f"give {option('node')} the remoteproc node's full path, e.g. /remoteproc@0")
    ranges, names = [], []
    for region in fdt.resolve_phandles(node, "memory-region"):
        if region.parent is None or region.parent.path != "/reserved-memory":
            raise BadInputError(f"{node_path}/memory-region points at {region.path}, which is not a child of "
                                "/reserved-memory", hint="fix the device tree source")
        name = region.name.split("@", 1)[0]
        names.append(name)
        for entry in region.iter_reg():
            if entry.size:
                ranges.append(MemoryRange(entry.address, entry.size, name))
    for i, entry in enumerate(node.iter_reg()):
        if entry.size:
            ranges.append(MemoryRange(entry.address, entry.size, f"{node.name.split('@', 1)[0]} reg[{i}]"))
    return MemoryMap(ranges=ranges, source=f"device tree node {node_path}", carveout_names=names)


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
