"""Board-true addresses: a device tree's physical addresses as a remote core sees them.

A remoteproc node's memories are written in the CPU's (system) physical
addresses: ``reg`` in its parent bus's space, translated to the root through
each ancestor's ``ranges``; ``/reserved-memory`` regions the same way. The
remote core reaches memory through its bus's ``dma-ranges`` instead, so the
address it (and its firmware's ``p_paddr``) uses can differ: the STM32MP157's
M4 sees RETRAM at 0x0, which is physical 0x38000000.

The rules, as the Devicetree Specification (v0.4, 2.3.8 and 2.3.9) and
Linux's drivers/of/address.c (6.12.118: ``of_translate_one``,
``of_dma_get_range``) apply them:

- ``ranges`` on the way from a node to the root: empty is identity; absent
  stops the translation (the address is not visible to the CPU).
- ``dma-ranges``, from the node's parent bus up: the first non-empty one
  gives the windows (child bus address, parent address, size); an empty one
  is identity and the walk goes on; absent means no translation on that bus
  (Linux's ``of_dma_get_range`` returns -ENODEV and the device's addresses are
  its physical ones). The windows' parent side is then carried on up through
  the ancestors' ``dma-ranges`` (absent or empty: 1:1, as ``of_translate_one``
  treats ``dma-ranges``).

:class:`Window` is one (device, system, size) mapping; :func:`dma_windows`
gives a node's list, :func:`to_device` / :func:`to_system` map one address.
Nothing here knows a driver: :mod:`bundler.loaders.drivers` adds each
driver's own fixed map.
"""

from __future__ import annotations

from bundler.records import FrozenRecord


class Window(FrozenRecord):
    """``size`` bytes at ``device`` in the remote's view are ``system`` in the CPU's physical view."""

    device: int
    system: int
    size: int

    def holds_device(self, address: int) -> bool:
        return self.device <= address < self.device + self.size

    def holds_system(self, address: int) -> bool:
        return self.system <= address < self.system + self.size


IDENTITY = [Window(0, 0, 1 << 64)]


def _cells(value: bytes, at: int, n: int) -> int:
    return int.from_bytes(value[at:at + 4 * n], "big")


def _triples(prop, child_ac: int, parent_ac: int, sc: int, where: str) -> list[tuple[int, int, int]]:
    """(child address, parent address, size) entries of a ``ranges``/``dma-ranges`` value."""
    from bundler.errors import BadInputError
    stride = 4 * (child_ac + parent_ac + sc)
    v = prop.value
    if stride == 0 or len(v) % stride:
        raise BadInputError(f"{where}/{prop.name} at {prop.offset:#x} is {len(v)} bytes, not a multiple of {stride} "
                            f"(#address-cells {child_ac} + parent's {parent_ac} + #size-cells {sc}, 4 bytes each)",
                            hint="fix the device tree source")
    out = []
    for i in range(0, len(v), stride):
        out.append((_cells(v, i, child_ac), _cells(v, i + 4 * child_ac, parent_ac),
                    _cells(v, i + 4 * (child_ac + parent_ac), sc)))
    return out


def _parent_ac(bus) -> int:
    return bus.parent.address_cells() if bus.parent is not None else bus.address_cells()


def _up(bus, address: int, prop_name: str, absent_stops: bool) -> int | None:
    """``address`` on ``bus``'s child side carried up to the root through each bus's ``prop_name``
    (empty: 1:1; absent: None when ``absent_stops``, else 1:1); None when no entry holds it."""
    while bus is not None and bus.parent is not None:
        prop = bus.find_property(prop_name)
        if prop is None and absent_stops:
            return None
        if prop is not None and not prop.is_empty():
            for child, parent, size in _triples(prop, bus.address_cells(), _parent_ac(bus), bus.size_cells(),
                                                bus.path):
                if child <= address < child + size:
                    address = parent + (address - child)
                    break
            else:
                return None
        bus = bus.parent
    return address


def translate_reg(node, address: int) -> int | None:
    """``address`` in ``node``'s parent bus space, as a CPU physical address (``ranges`` up to
    the root); None where a bus has no ``ranges`` (not CPU-visible) or no entry holds it."""
    return _up(node.parent, address, "ranges", True)


def dma_windows(node) -> list[Window]:
    """The windows through which the remote ``node`` reaches system memory: its parent bus's (or the
    nearest ancestor's) non-empty ``dma-ranges``, carried up to the root; [identity] when there is none."""
    bus = node.parent
    while bus is not None:
        prop = bus.find_property("dma-ranges")
        if prop is None:
            return list(IDENTITY)
        if not prop.is_empty():
            out = []
            for child, parent, size in _triples(prop, bus.address_cells(), _parent_ac(bus), bus.size_cells(),
                                                bus.path):
                system = _up(bus.parent, parent, "dma-ranges", False)
                if system is not None and size:
                    out.append(Window(child, system, size))
            return out
        bus = bus.parent
    return list(IDENTITY)


def to_device(windows: list[Window], system: int) -> int | None:
    """The device address of physical ``system`` through ``windows`` (the first that holds it)."""
    for w in windows:
        if w.holds_system(system):
            return w.device + (system - w.system)
    return None


def to_system(windows: list[Window], device: int) -> int | None:
    """The physical address of device address ``device`` through ``windows``."""
    for w in windows:
        if w.holds_device(device):
            return w.system + (device - w.device)
    return None


__all__ = ["Window", "IDENTITY", "translate_reg", "dma_windows", "to_device", "to_system"]
