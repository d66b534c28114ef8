"""The descriptor that REMOTE_FW_DECLARE reserves in the host (linker/remote_fw.h).

Owns its layout (the same on every 32-bit ABI and every 64-bit ABI), finds the
descriptors in a host image and encodes the bytes ``bundle`` writes into one.
"""

from __future__ import annotations

from bundler.elf.model import ElfFile
from bundler.errors import BadInputError
from bundler.records import Record

SECTION = "remote_fw_desc"
SYMBOL_PREFIX = "remote_fw_desc_"   # REMOTE_FW_DECLARE(stem) defines remote_fw_desc_<stem>
MAGIC = 0x44574652          # "RFWD" read little-endian
VERSION = 1
F_BUNDLED = 0x1             # base, size and link_addr are valid
F_CRC32 = 0x2               # crc32 is valid
F_SIGNED = 0x4              # a signed manifest follows the image, 8-aligned (bundler.signing)

# field offsets (P = pointer size): see the table in remote_fw.h
OFF_MAGIC, OFF_VERSION, OFF_DESC_SIZE, OFF_FLAGS, OFF_CRC32 = 0, 4, 6, 8, 12
OFF_BASE, OFF_SIZE, OFF_LINK_ADDR, OFF_NAME = 16, 24, 32, 40
PATCH_START, PATCH_END = OFF_FLAGS, OFF_NAME   # bundle writes flags .. link_addr


def desc_size(pointer_size: int) -> int:
    return OFF_NAME + 3 * pointer_size + (4 if pointer_size == 4 else 0)  # 56 or 64


class Descriptor(Record):
    """One descriptor as found in a host image."""

    stem: str | None        # None where the name pointer leads nowhere readable
    address: int            # VMA of the descriptor
    offset: int             # file offset of its bytes
    size: int               # desc_size
    flags: int
    crc32: int
    base: int
    size_field: int
    link_addr: int
    name_ptr: int
    start: int              # pre-link: &_binary_<stem>_start (0 post-link)
    end: int

    @property
    def is_bundled(self) -> bool:
        return bool(self.flags & F_BUNDLED)

    @property
    def is_linked(self) -> bool:
        """Filled in by the linker (pre-link flow)."""
        return self.start != 0 and self.end > self.start


def iter_descriptors(elf: ElfFile):
    """Every descriptor in the host's ``remote_fw_desc`` section, in address order."""
    sec = elf.find_section(SECTION)
    if sec is None or not sec.has_file_bytes:
        return
    lay = elf.layout
    ptr = lay.addr_size
    expected = desc_size(ptr)
    raw = elf.section_bytes(sec)
    # A position-independent host with RELA relocations may leave the name
    # pointer's file bytes 0 until run time: then the descriptor's own symbol,
    # remote_fw_desc_<stem>, names it.
    by_symbol = {s.st_value: s.name[len(SYMBOL_PREFIX):] for s in elf.symbols
                 if s.name.startswith(SYMBOL_PREFIX) and s.is_defined}
    pos = 0
    while pos + 8 <= len(raw):
        if not any(raw[pos:]):          # trailing padding
            return
        address = sec.hdr.sh_addr + pos
        magic = lay.u32.unpack_from(raw, pos + OFF_MAGIC)[0]
        version = lay.u16.unpack_from(raw, pos + OFF_VERSION)[0]
        size = lay.u16.unpack_from(raw, pos + OFF_DESC_SIZE)[0]
        if magic != MAGIC or version != VERSION or size != expected or pos + size > len(raw):
            raise BadInputError(
                f"corrupt descriptor at {address:#x} in section {SECTION} (magic {magic:#x}, "
                f"version {version}, size {size} bytes; expected {MAGIC:#x}, {VERSION}, {expected})",
                address=address, size=size,
                hint="rebuild the host with the linker/remote_fw.h that matches this bundle")
        name_ptr = lay.addr.unpack_from(raw, pos + OFF_NAME)[0]
        yield Descriptor(
            stem=elf.read_cstring(name_ptr) if name_ptr else by_symbol.get(address),
            address=address, offset=sec.hdr.sh_offset + pos, size=size,
            flags=lay.u32.unpack_from(raw, pos + OFF_FLAGS)[0],
            crc32=lay.u32.unpack_from(raw, pos + OFF_CRC32)[0],
            base=lay.u64.unpack_from(raw, pos + OFF_BASE)[0],
            size_field=lay.u64.unpack_from(raw, pos + OFF_SIZE)[0],
            link_addr=lay.u64.unpack_from(raw, pos + OFF_LINK_ADDR)[0],
            name_ptr=name_ptr,
            start=lay.addr.unpack_from(raw, pos + OFF_NAME + ptr)[0],
            end=lay.addr.unpack_from(raw, pos + OFF_NAME + 2 * ptr)[0])
        pos += size


def find_descriptor(elf: ElfFile, stem: str) -> Descriptor | None:
    for desc in iter_descriptors(elf):
        if desc.stem == stem:
            return desc
    return None


def encode_fill(elf: ElfFile, desc: Descriptor, *, base: int, size: int, crc32: int,
                signed: bool = False) -> bytes:
    """The bytes for [PATCH_START, PATCH_END) of a descriptor: flags, crc32, base, size, link_addr."""
    lay = elf.layout
    flags = desc.flags | F_BUNDLED | F_CRC32 | (F_SIGNED if signed else 0)
    return b"".join((lay.u32.pack(flags), lay.u32.pack(crc32),
                     lay.u64.pack(base), lay.u64.pack(size), lay.u64.pack(desc.address)))
