"""Build flattened device tree blobs in memory, for tests that need shapes dtc will not write.

A tree is ``(properties, children)``: properties an ordered list of
``(name, bytes)``, children an ordered list of ``(name, tree)``. ``build``
lays it out as dtc does (header, reservation map, structure block, strings
block) and returns the blob plus a map of where each piece landed, so a test
can then corrupt one exact field.
"""

from __future__ import annotations

import struct

MAGIC = 0xD00DFEED


def cells(*values: int) -> bytes:
    return b"".join(struct.pack(">I", v) for v in values)


def string(*values: str) -> bytes:
    return b"".join(v.encode() + b"\0" for v in values)


def _pad4(b: bytearray) -> None:
    while len(b) % 4:
        b.append(0)


def build(tree, reserved=(), *, version: int = 17, boot_cpuid_phys: int = 0,
          late: tuple = ()) -> tuple[bytes, dict]:
    """The blob for ``tree`` and a layout dict (header offsets, 'props': path/name -> token offset).

    ``late`` properties go into the root after its subnodes (which the spec forbids).
    """
    strings = bytearray()
    nameoffs: dict[str, int] = {}
    struct_block = bytearray()
    props: dict[str, int] = {}

    def nameoff(name: str) -> int:
        if name not in nameoffs:
            nameoffs[name] = len(strings)
            strings.extend(name.encode() + b"\0")
        return nameoffs[name]

    def emit(name: str, node, path: str) -> None:
        struct_block.extend(cells(1))
        struct_block.extend(name.encode() + b"\0")
        _pad4(struct_block)
        properties, children = node
        for pname, value in properties:
            props[f"{path.rstrip('/')}/{pname}"] = len(struct_block)
            struct_block.extend(cells(3, len(value), nameoff(pname)))
            struct_block.extend(value)
            _pad4(struct_block)
        for cname, child in children:
            emit(cname, child, f"{path.rstrip('/')}/{cname}")
        if path == "/":
            for pname, value in late:
                struct_block.extend(cells(3, len(value), nameoff(pname)))
                struct_block.extend(value)
                _pad4(struct_block)
        struct_block.extend(cells(2))

    emit("", tree, "/")
    struct_block.extend(cells(9))
    rsv = b"".join(struct.pack(">QQ", a, s) for a, s in reserved) + struct.pack(">QQ", 0, 0)
    off_mem_rsvmap = 40
    off_dt_struct = off_mem_rsvmap + len(rsv)
    off_dt_strings = off_dt_struct + len(struct_block)
    totalsize = off_dt_strings + len(strings)
    header = struct.pack(">10I", MAGIC, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
                         16, boot_cpuid_phys, len(strings), len(struct_block))
    blob = header + rsv + bytes(struct_block) + bytes(strings)
    layout = {"off_mem_rsvmap": off_mem_rsvmap, "off_dt_struct": off_dt_struct, "off_dt_strings": off_dt_strings,
              "totalsize": totalsize, "props": {k: v + off_dt_struct for k, v in props.items()}}
    return blob, layout


def header_field_offset(name: str) -> int:
    fields = ("magic", "totalsize", "off_dt_struct", "off_dt_strings", "off_mem_rsvmap", "version",
              "last_comp_version", "boot_cpuid_phys", "size_dt_strings", "size_dt_struct")
    return 4 * fields.index(name)


def put_u32(blob: bytes, offset: int, value: int) -> bytes:
    b = bytearray(blob)
    struct.pack_into(">I", b, offset, value)
    return bytes(b)
