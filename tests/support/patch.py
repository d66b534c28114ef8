"""Small surgical edits of ELF bytes, for tests that tamper with a good file."""

from __future__ import annotations

from bundler.elf import spec
from bundler.elf.reader import parse_elf
from bundler.records import replace


def patch(data: bytes, offset: int, new: bytes) -> bytes:
    """``data`` with ``new`` written at ``offset``."""
    return data[:offset] + new + data[offset + len(new):]


def move_symbol(data: bytes, name: str, delta: int) -> bytes:
    """Add ``delta`` to the st_value of symbol ``name``."""
    elf = parse_elf(data)
    sym = elf.find_symbol(name)
    lay = elf.layout
    at = elf.symtab.hdr.sh_offset + sym.index * lay.sym.size
    raw = lay.sym.unpack(data, at)
    return patch(data, at, lay.sym.pack(replace(raw, st_value=raw.st_value + delta)))


def set_phdr(data: bytes, index: int, **fields) -> bytes:
    """Change fields of program header ``index``."""
    elf = parse_elf(data)
    lay = elf.layout
    at = elf.ehdr.e_phoff + index * lay.phdr.size
    return patch(data, at, lay.phdr.pack(replace(elf.segments[index], **fields)))


def image_segment(elf, stem: str = "remote_elf") -> int:
    """The index of the PT_LOAD that carries the image (PT_LOADs are sorted by p_vaddr, so
    it need not be the last)."""
    sec = elf.find_section(f".remote_fw.{stem}")
    return next(i for i, p in enumerate(elf.segments)
                if p.p_type == spec.PT_LOAD and p.p_vaddr == sec.hdr.sh_addr and p.p_filesz == sec.hdr.sh_size)
