"""Flattened device tree (FDT, ``.dtb``) reader: the whole blob validated, then a model.

Owns the FDT layout (Devicetree Specification v0.4, chapter 5) and nothing
else. ``parse_fdt(data)`` checks the entire structure once before anything is
used (as libfdt's ``fdt_check_full`` does): the header, every block inside
``totalsize`` and the buffer, the memory reservation map, every token, the
nesting, each name NUL-terminated (any bytes, at most 255; shown as UTF-8
with other bytes as ``\\xNN``), each property's length and ``nameoff`` inside its block, one root node, no duplicate property or sibling names, no
duplicate phandles. Any fault raises ``BadInputError`` with a one-line
message giving the offset (hex) and size (bytes). The model it returns
(``Fdt``, ``FdtNode``, ``FdtProperty``) is then safe to walk; values are
decoded on request (``as_u32``, ``as_string``, ``iter_reg`` ...) and each
decoder again raises ``BadInputError`` naming the property on a bad length.

The blob may sit at the start of a larger buffer (a FIT built with
``mkimage -E`` has its image data after ``totalsize``); ``Fdt.totalsize`` says
where the tree ends. Works on ``bytes``, ``bytearray``, ``mmap`` or
``memoryview``; property values are copied out as ``bytes``.
"""

from __future__ import annotations

import struct
from typing import Iterator

from bundler.errors import BadInputError
from bundler.records import Factory, FrozenRecord, Record

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE = 0x1
FDT_END_NODE = 0x2
FDT_PROP = 0x3
FDT_NOP = 0x4
FDT_END = 0x9

# struct fdt_header: ten big-endian u32 fields (version 17), in FdtHeader's field order
_HEADER = struct.Struct(">10I")
HEADER_SIZE = _HEADER.size          # 40
_U32 = struct.Struct(">I")
_RSV = struct.Struct(">QQ")         # struct fdt_reserve_entry: address, size
_PROP = struct.Struct(">II")        # struct fdt_property after the token: len, nameoff

MIN_VERSION = 17                    # the only layout dtc and mkimage write; 16 lacks size_dt_struct
MAX_DEPTH = 64                      # libfdt's FDT_MAX_DEPTH
MAX_NAME = 255                      # longest node or property name accepted (the spec says 31; real trees exceed it)
MAX_CELLS = 4                       # #address-cells / #size-cells beyond this are refused
DEFAULT_ADDRESS_CELLS = 2           # spec 2.3.5: when a parent has no #address-cells
DEFAULT_SIZE_CELLS = 1              # spec 2.3.5: when a parent has no #size-cells


def _fail(message: str, hint: str = "the device tree is truncated or corrupt; rebuild it with dtc") -> BadInputError:
    return BadInputError(f"FDT: {message}", hint=hint)


class FdtHeader(FrozenRecord):
    """``struct fdt_header``, field names from the spec."""

    magic: int
    totalsize: int
    off_dt_struct: int
    off_dt_strings: int
    off_mem_rsvmap: int
    version: int
    last_comp_version: int
    boot_cpuid_phys: int
    size_dt_strings: int
    size_dt_struct: int


class ReserveEntry(FrozenRecord):
    """One ``struct fdt_reserve_entry`` of the memory reservation map."""

    address: int
    size: int


class RegEntry(FrozenRecord):
    """One (address, size) pair of a ``reg`` property, decoded with the parent's cell counts."""

    address: int
    size: int


class FdtProperty(Record):
    """A property: its name, its raw value, and where the value sits in the blob."""

    name: str
    value: bytes
    offset: int             # of the value's first byte, from the start of the blob
    node_path: str = ""

    def _where(self) -> str:
        return f"{self.node_path.rstrip('/')}/{self.name}" if self.node_path != "/" else f"/{self.name}"

    def _bad(self, want: str) -> BadInputError:
        return _fail(f"property {self._where()} at {self.offset:#x} is {len(self.value)} bytes, not {want}",
                     hint="fix the device tree source")

    def as_u32(self) -> int:
        if len(self.value) != 4:
            raise self._bad("one 32-bit cell (4 bytes)")
        return _U32.unpack(self.value)[0]

    def as_u64(self) -> int:
        if len(self.value) != 8:
            raise self._bad("a 64-bit value (8 bytes)")
        return int.from_bytes(self.value, "big")

    def as_int(self) -> int:
        """One or two cells, as U-Boot reads ``load``/``entry`` (``fit_image_get_address``)."""
        if len(self.value) not in (4, 8):
            raise self._bad("one or two 32-bit cells (4 or 8 bytes)")
        return int.from_bytes(self.value, "big")

    def iter_u32(self) -> Iterator[int]:
        if len(self.value) % 4:
            raise self._bad("a whole number of 32-bit cells")
        for (cell,) in _U32.iter_unpack(self.value):
            yield cell

    def as_string(self) -> str:
        """A NUL-terminated string, read as C reads it (libfdt users: U-Boot, the kit): the value must
        end in NUL, and the string is the bytes before the first NUL (UTF-8; bad bytes as U+FFFD)."""
        v = self.value
        if not v or v[-1] != 0:
            raise self._bad("one NUL-terminated string")
        return v[:v.index(0)].decode("utf-8", "replace")

    def is_one_string(self) -> bool:
        """True when the value is exactly one NUL-terminated string (no NUL inside)."""
        v = self.value
        return bool(v) and v[-1] == 0 and 0 not in v[:-1]

    def as_strings(self) -> list[str]:
        """A string list: NUL-terminated strings back to back."""
        v = self.value
        if not v or v[-1] != 0:
            raise self._bad("a list of NUL-terminated strings")
        return [s.decode("utf-8", "replace") for s in v[:-1].split(b"\0")]

    def is_empty(self) -> bool:
        return not self.value


class FdtNode(Record):
    """A node: name (with any ``@unit-address``), full path, properties in blob order, children."""

    name: str
    path: str
    offset: int                                   # of its FDT_BEGIN_NODE token
    parent: "FdtNode | None" = None
    properties: dict = Factory(dict)              # name -> FdtProperty, in blob order
    children: list = Factory(list)                # FdtNode, in blob order
    end_offset: int = 0                           # of its FDT_END_NODE token

    def __repr__(self) -> str:                    # the default would recurse through parent/children
        return f"FdtNode({self.path!r}, {len(self.properties)} properties, {len(self.children)} children)"

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def find_property(self, name: str) -> FdtProperty | None:
        return self.properties.get(name)

    def has_property(self, name: str) -> bool:
        return name in self.properties

    def iter_properties(self) -> Iterator[FdtProperty]:
        return iter(self.properties.values())

    def find_child(self, name: str) -> "FdtNode | None":
        """A child by full name (``memory@40000000``), else by the name before ``@`` if unique."""
        for c in self.children:
            if c.name == name:
                return c
        if "@" not in name:
            matches = [c for c in self.children if c.name.split("@", 1)[0] == name]
            if len(matches) == 1:
                return matches[0]
        return None

    def iter_children(self) -> Iterator["FdtNode"]:
        return iter(self.children)

    def iter_nodes(self) -> Iterator["FdtNode"]:
        """This node and every descendant, depth first, in blob order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    # -- typed lookups: None when absent, BadInputError when present but malformed
    def find_u32(self, name: str) -> int | None:
        p = self.properties.get(name)
        return None if p is None else p.as_u32()

    def find_int(self, name: str) -> int | None:
        p = self.properties.get(name)
        return None if p is None else p.as_int()

    def find_string(self, name: str) -> str | None:
        p = self.properties.get(name)
        return None if p is None else p.as_string()

    def find_strings(self, name: str) -> list[str] | None:
        p = self.properties.get(name)
        return None if p is None else p.as_strings()

    @property
    def phandle(self) -> int | None:
        """The node's ``phandle`` (or legacy ``linux,phandle``), else None."""
        p = self.properties.get("phandle") or self.properties.get("linux,phandle")
        return None if p is None else p.as_u32()

    def _cells(self, name: str, default: int) -> int:
        p = self.properties.get(name)
        if p is None:
            return default
        n = p.as_u32()
        if n > MAX_CELLS:
            raise _fail(f"{self.path} has {name} = {n}; at most {MAX_CELLS} are supported",
                        hint="fix the device tree source")
        return n

    def address_cells(self) -> int:
        """``#address-cells`` this node gives its children (default 2)."""
        return self._cells("#address-cells", DEFAULT_ADDRESS_CELLS)

    def size_cells(self) -> int:
        """``#size-cells`` this node gives its children (default 1)."""
        return self._cells("#size-cells", DEFAULT_SIZE_CELLS)

    def iter_reg(self) -> Iterator[RegEntry]:
        """The ``reg`` pairs, decoded with the parent's ``#address-cells``/``#size-cells``.

        Addresses are in the parent bus's address space (no ``ranges``
        translation). Nothing when the node has no ``reg``.
        """
        p = self.properties.get("reg")
        if p is None:
            return
        parent = self.parent
        ac = parent.address_cells() if parent is not None else DEFAULT_ADDRESS_CELLS
        sc = parent.size_cells() if parent is not None else DEFAULT_SIZE_CELLS
        stride = 4 * (ac + sc)
        if stride == 0 or len(p.value) % stride:
            raise _fail(f"{self.path}/reg at {p.offset:#x} is {len(p.value)} bytes, not a multiple of "
                        f"{stride} (#address-cells {ac} + #size-cells {sc}, 4 bytes each)",
                        hint="fix the device tree source")
        v = p.value
        for i in range(0, len(v), stride):
            yield RegEntry(int.from_bytes(v[i:i + 4 * ac], "big"),
                           int.from_bytes(v[i + 4 * ac:i + stride], "big"))

    def iter_phandles(self, name: str) -> Iterator[int]:
        """The cells of a phandle list property (``memory-region``); nothing when absent."""
        p = self.properties.get(name)
        if p is None:
            return
        yield from p.iter_u32()


class Fdt(Record):
    """A validated device tree: header, memory reservations, root node, phandle index."""

    header: FdtHeader
    reserved: list            # ReserveEntry, in map order (the terminating 0,0 left out)
    root: FdtNode
    phandles: dict            # phandle -> FdtNode
    end_offset: int = 0       # of the FDT_END token (the structure block may go on after it)

    def __repr__(self) -> str:
        return f"Fdt(totalsize={self.header.totalsize}, {sum(1 for _ in self.root.iter_nodes())} nodes)"

    @property
    def totalsize(self) -> int:
        return self.header.totalsize

    @property
    def boot_cpuid_phys(self) -> int:
        return self.header.boot_cpuid_phys

    def find_node(self, path: str) -> FdtNode | None:
        """A node by absolute path (``/reserved-memory/rproc@70000000``); None if absent.

        A component without ``@unit`` matches a child of that base name when it is the only one.
        """
        if not path.startswith("/"):
            return None
        node = self.root
        for part in path.strip("/").split("/"):
            if not part:
                continue
            node = node.find_child(part)
            if node is None:
                return None
        return node

    def iter_nodes(self) -> Iterator[FdtNode]:
        return self.root.iter_nodes()

    def find_by_phandle(self, phandle: int) -> FdtNode | None:
        return self.phandles.get(phandle)

    def resolve_phandles(self, node: FdtNode, name: str) -> list[FdtNode]:
        """The nodes a phandle-list property points to (``memory-region``); BadInputError on a dangling one."""
        out = []
        for ph in node.iter_phandles(name):
            target = self.phandles.get(ph)
            if target is None:
                raise _fail(f"{node.path}/{name} refers to phandle {ph:#x}, which no node has",
                            hint="fix the device tree source")
            out.append(target)
        return out


def is_fdt(data) -> bool:
    """True if ``data`` starts with the FDT magic (cheap; ``parse_fdt`` does the checking)."""
    return len(data) >= 4 and _U32.unpack_from(data, 0)[0] == FDT_MAGIC


def parse_header(data) -> FdtHeader:
    """The header, checked: magic, version, every block inside ``totalsize`` and the buffer."""
    n = len(data)
    if n < HEADER_SIZE:
        raise _fail(f"{n} bytes is shorter than the {HEADER_SIZE}-byte header")
    h = FdtHeader(*_HEADER.unpack_from(data, 0))
    if h.magic != FDT_MAGIC:
        raise _fail(f"bad magic {h.magic:#010x} (want {FDT_MAGIC:#010x})", hint="this is not a device tree blob")
    if h.version < MIN_VERSION or h.last_comp_version > MIN_VERSION:
        raise _fail(f"version {h.version} (last_comp_version {h.last_comp_version}) is not supported; "
                    f"version {MIN_VERSION} is", hint="rebuild it with a current dtc")
    if h.totalsize < HEADER_SIZE:
        raise _fail(f"totalsize {h.totalsize} is smaller than the {HEADER_SIZE}-byte header")
    if h.totalsize > n:
        raise _fail(f"totalsize {h.totalsize} ({h.totalsize:#x}) runs past the {n} bytes given "
                    f"({h.totalsize - n} bytes missing)")
    blocks = (("memory reservation map", h.off_mem_rsvmap, None, 8),
              ("structure block", h.off_dt_struct, h.size_dt_struct, 4),
              ("strings block", h.off_dt_strings, h.size_dt_strings, 1))
    spans = []
    for what, off, size, align in blocks:
        if off % align:
            raise _fail(f"{what} offset {off:#x} is not {align}-byte aligned")
        if off < HEADER_SIZE or off > h.totalsize:
            raise _fail(f"{what} offset {off:#x} lies outside {HEADER_SIZE:#x}..{h.totalsize:#x}")
        if size is not None:
            if off + size > h.totalsize:
                raise _fail(f"{what} at {off:#x}, {size} bytes, runs past totalsize {h.totalsize:#x}")
            if size:
                spans.append((off, off + size, what))
    spans.sort()
    for (a0, a1, aw), (b0, b1, bw) in zip(spans, spans[1:]):
        if b0 < a1:
            raise _fail(f"the {aw} ({a0:#x}..{a1:#x}) overlaps the {bw} ({b0:#x}..{b1:#x})")
    return h


def _reserve_map(data, h: FdtHeader) -> list[ReserveEntry]:
    out = []
    off = h.off_mem_rsvmap
    ends = [e for e in (h.off_dt_struct, h.off_dt_strings) if e > off] + [h.totalsize]
    limit = min(ends)
    while True:
        if off + _RSV.size > limit:
            raise _fail(f"the memory reservation map at {h.off_mem_rsvmap:#x} has no (0, 0) terminator "
                        f"before {limit:#x}")
        address, size = _RSV.unpack_from(data, off)
        off += _RSV.size
        if address == 0 and size == 0:
            return out
        out.append(ReserveEntry(address, size))


def _find_nul(data, start: int, end: int) -> int:
    """Offset of the first NUL in ``data[start:end]``, else -1 (no copy for bytes, bytearray, mmap)."""
    find = getattr(data, "find", None)
    if find is not None:
        return find(b"\0", start, end)
    pos = start
    while pos < end:                                   # memoryview: look in small copies
        i = bytes(data[pos:min(pos + 256, end)]).find(b"\0")
        if i >= 0:
            return pos + i
        pos += 256
    return -1


def _cstring(data, start: int, end: int, what: str) -> tuple[str, int]:
    """The NUL-terminated name at ``start`` (before ``end``, at most MAX_NAME bytes) and the offset after its NUL.

    The length bound keeps a hostile blob (many names pointing into one long
    string) from costing time quadratic in its size.
    """
    nul = _find_nul(data, start, min(end, start + MAX_NAME + 1))
    if nul < 0:
        if end - start > MAX_NAME:
            raise _fail(f"{what} at {start:#x} is longer than {MAX_NAME} bytes (or not NUL-terminated)")
        raise _fail(f"{what} at {start:#x} is not NUL-terminated before {end:#x}")
    # bytes that are not UTF-8 are kept visible as \xNN (libfdt and the kit accept any bytes in names)
    return bytes(data[start:nul]).decode("utf-8", "backslashreplace"), nul + 1


def _align4(n: int) -> int:
    return (n + 3) & ~3


def parse_fdt(data) -> Fdt:
    """Validate the whole blob at the start of ``data`` and return its model (BadInputError on any fault)."""
    h = parse_header(data)
    reserved = _reserve_map(data, h)
    walk = _Walk(data, h)
    walk.run()
    return Fdt(h, reserved, walk.root, walk.phandles, walk.end_offset)


class _Walk:
    """One pass over the structure block, a method per token; every offset checked before it is read."""

    def __init__(self, data, h: FdtHeader):
        self.data, self.h = data, h
        self.end = h.off_dt_struct + h.size_dt_struct
        self.off = h.off_dt_struct
        self.names: dict[int, str] = {}        # nameoff -> property name, each read once
        self.root: FdtNode | None = None
        self.stack: list[FdtNode] = []
        self.child_names: list[set] = []       # per open node: its children's names so far (O(1) sibling check)
        self.phandles: dict[int, FdtNode] = {}

    def run(self) -> None:
        handlers = {FDT_BEGIN_NODE: self.begin_node, FDT_END_NODE: self.end_node, FDT_PROP: self.prop,
                    FDT_NOP: lambda at: None}
        while True:
            if self.off + 4 > self.end:
                raise _fail(f"the structure block ends at {self.end:#x} without an FDT_END token")
            token = _U32.unpack_from(self.data, self.off)[0]
            at = self.off
            self.off += 4
            if token == FDT_END:
                self.finish(at)
                self.end_offset = at
                return
            handler = handlers.get(token)
            if handler is None:
                raise _fail(f"unknown token {token:#x} at {at:#x}")
            handler(at)
            if self.off > self.end:
                raise _fail(f"the structure block overruns its end {self.end:#x}")

    def begin_node(self, at: int) -> None:
        name, after = _cstring(self.data, self.off, self.end, "node name")
        self.off = _align4(after)
        if self.off > self.end:
            raise _fail(f"node name at {at + 4:#x} runs past the structure block end {self.end:#x}")
        if self.stack:
            parent = self.stack[-1]
            if not name or "/" in name:
                raise _fail(f"node at {at:#x} under {parent.path} has the invalid name {name!r}")
            if name in self.child_names[-1]:
                raise _fail(f"node {parent.path.rstrip('/')}/{name} at {at:#x} appears twice")
            node = FdtNode(name, f"{parent.path.rstrip('/')}/{name}", at, parent)
            parent.children.append(node)
            self.child_names[-1].add(name)
        else:
            if self.root is not None:
                raise _fail(f"a second root node at {at:#x}")
            node = self.root = FdtNode("", "/", at, None)     # its name (dtc writes "") is not used
        if len(self.stack) >= MAX_DEPTH:
            raise _fail(f"node {node.path} at {at:#x} is nested deeper than {MAX_DEPTH} levels")
        self.stack.append(node)
        self.child_names.append(set())

    def end_node(self, at: int) -> None:
        if not self.stack:
            raise _fail(f"FDT_END_NODE at {at:#x} closes no open node")
        self.stack.pop().end_offset = at
        self.child_names.pop()

    def prop(self, at: int) -> None:
        if not self.stack:
            raise _fail(f"property at {at:#x} lies outside any node")
        if self.off + _PROP.size > self.end:
            raise _fail(f"property header at {at:#x} runs past the structure block end {self.end:#x}")
        length, nameoff = _PROP.unpack_from(self.data, self.off)
        self.off += _PROP.size
        if length > self.end - self.off:
            raise _fail(f"property at {at:#x} says {length} bytes, but only {self.end - self.off} remain "
                        f"in the structure block")
        node = self.stack[-1]
        if self.child_names[-1]:
            raise _fail(f"property at {at:#x} in {node.path} comes after a subnode")
        pname = self.name_at(nameoff, at)
        if pname in node.properties:
            raise _fail(f"property {node.path.rstrip('/')}/{pname} at {at:#x} appears twice")
        prop = FdtProperty(pname, bytes(self.data[self.off:self.off + length]), self.off, node.path)
        node.properties[pname] = prop
        self.off = _align4(self.off + length)
        if pname in ("phandle", "linux,phandle"):
            self.phandle(node, prop.as_u32())

    def name_at(self, nameoff: int, at: int) -> str:
        got = self.names.get(nameoff)
        if got is None:
            h = self.h
            if nameoff >= h.size_dt_strings:
                raise _fail(f"property at {at:#x} has nameoff {nameoff:#x}, outside the "
                            f"{h.size_dt_strings}-byte strings block")
            got, _ = _cstring(self.data, h.off_dt_strings + nameoff, h.off_dt_strings + h.size_dt_strings,
                              f"property name (nameoff {nameoff:#x})")
            self.names[nameoff] = got
        return got

    def phandle(self, node: FdtNode, ph: int) -> None:
        if ph in (0, 0xFFFFFFFF):
            raise _fail(f"{node.path} has the invalid phandle {ph:#x}")
        other = self.phandles.get(ph)
        if other is not None and other is not node:
            raise _fail(f"phandle {ph:#x} is on both {other.path} and {node.path}")
        self.phandles[ph] = node

    def finish(self, at: int) -> None:
        if self.stack:
            raise _fail(f"FDT_END at {at:#x} while {self.stack[-1].path} is still open")
        if self.root is None:
            raise _fail("the structure block has no root node")
