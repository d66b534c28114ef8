"""Damage a firmware ELF one field at a time: headers, program and section
headers, resource-table fields. Each function takes and returns bytes; the
layout comes from the image's own e_ident (bundler.elf.spec)."""

from __future__ import annotations

from bundler.remoteproc import rsc_table
from bundler.elf import spec
from bundler.loaders.resources import find_table_section


def _lay(data: bytes) -> spec.Layout:
    return spec.Layout(data[spec.EI_CLASS], data[spec.EI_DATA])


def ehdr(data: bytes, **fields) -> bytes:
    lay = _lay(data)
    h = lay.ehdr.unpack(data)
    h.__dict__.update(fields)
    out = bytearray(data)
    out[:lay.ehdr.size] = lay.ehdr.pack(h)
    return bytes(out)


def ident(data: bytes, index: int, value: int) -> bytes:
    out = bytearray(data)
    out[index] = value
    return bytes(out)


def phdr(data: bytes, index: int, **fields) -> bytes:
    lay = _lay(data)
    h = lay.ehdr.unpack(data)
    at = h.e_phoff + index * lay.phdr.size
    p = lay.phdr.unpack(data, at)
    p.__dict__.update(fields)
    out = bytearray(data)
    out[at:at + lay.phdr.size] = lay.phdr.pack(p)
    return bytes(out)


def loads(data: bytes) -> list[int]:
    """Indices of the PT_LOAD program headers."""
    lay = _lay(data)
    h = lay.ehdr.unpack(data)
    return [i for i in range(h.e_phnum)
            if lay.phdr.unpack(data, h.e_phoff + i * lay.phdr.size).p_type == spec.PT_LOAD]


def load_phdr(data: bytes, n: int = 0):
    lay = _lay(data)
    h = lay.ehdr.unpack(data)
    return lay.phdr.unpack(data, h.e_phoff + loads(data)[n] * lay.phdr.size)


def section_index(data: bytes, name: str) -> int:
    lay = _lay(data)
    h = lay.ehdr.unpack(data)
    names = lay.shdr.unpack(data, h.e_shoff + h.e_shstrndx * lay.shdr.size)
    for i in range(h.e_shnum):
        sh = lay.shdr.unpack(data, h.e_shoff + i * lay.shdr.size)
        at = names.sh_offset + sh.sh_name
        if data[at:at + len(name) + 1] == name.encode() + b"\0":
            return i
    raise KeyError(name)


def shdr(data: bytes, index: int, **fields) -> bytes:
    lay = _lay(data)
    h = lay.ehdr.unpack(data)
    at = h.e_shoff + index * lay.shdr.size
    s = lay.shdr.unpack(data, at)
    s.__dict__.update(fields)
    out = bytearray(data)
    out[at:at + lay.shdr.size] = lay.shdr.pack(s)
    return bytes(out)


def rsc_shdr(data: bytes, **fields) -> bytes:
    return shdr(data, section_index(data, rsc_table.SECTION), **fields)


def table_offset(data: bytes) -> int:
    return find_table_section(data)[0]


def entry_offset(data: bytes, kind: str, n: int = 0) -> int:
    """File offset of the n-th entry of that kind (carveout, devmem, trace, vdev)."""
    off, size, _ = find_table_section(data)
    order = "big" if data[spec.EI_DATA] == spec.ELFDATA2MSB else "little"
    entries = [e for e in rsc_table.decode(data[off:off + size], order).entries if e.get("kind") == kind]
    return off + entries[n]["offset"]


def u32(data: bytes, at: int, value: int) -> bytes:
    out = bytearray(data)
    out[at:at + 4] = _lay(data).u32.pack(value & 0xFFFFFFFF)
    return bytes(out)


def u8(data: bytes, at: int, value: int) -> bytes:
    out = bytearray(data)
    out[at] = value
    return bytes(out)


def rsc_u32(data: bytes, offset_in_table: int, value: int) -> bytes:
    return u32(data, table_offset(data) + offset_in_table, value)


def entry_u32(data: bytes, kind: str, field_offset: int, value: int, n: int = 0) -> bytes:
    return u32(data, entry_offset(data, kind, n) + field_offset, value)


def truncate(data: bytes, size: int) -> bytes:
    return data[:size]


def byteswap_ident(data: bytes) -> bytes:
    """EI_DATA flipped, nothing else: the header now claims the other byte order."""
    return ident(data, spec.EI_DATA, 3 - data[spec.EI_DATA])


def ehdr_field(data: bytes, name: str) -> int:
    return getattr(_lay(data).ehdr.unpack(data), name)


def rsc_size(data: bytes) -> int:
    return find_table_section(data)[1]


def phdr_at(data: bytes, index: int):
    lay = _lay(data)
    h = lay.ehdr.unpack(data)
    return lay.phdr.unpack(data, h.e_phoff + index * lay.phdr.size)


def read_u32(data: bytes, at: int) -> int:
    return _lay(data).u32.unpack_from(data, at)[0]


def pn_xnum(data: bytes) -> bytes:
    """e_phnum = PN_XNUM (0xffff), the real count in section 0's sh_info (gABI extended numbering)."""
    h = _lay(data).ehdr.unpack(data)
    return shdr(ehdr(data, e_phnum=0xFFFF), 0, sh_info=h.e_phnum)


def third_vring(data: bytes) -> bytes:
    """A vdev with a third vring (da any, align 4096, num 16, notify id 3) after its two, the table grown by it."""
    at = entry_offset(data, "vdev")
    end = at + 28 + 2 * 20
    out = bytearray(data)
    out[end:end + 20] = b"".join(_lay(data).u32.pack(v) for v in (0xFFFFFFFF, 4096, 16, 3, 0))
    out[at + 25] = 3
    return rsc_shdr(bytes(out), sh_size=rsc_size(data) + 20)
