"""A Python reference of what remote_fw_load and remote_fw_rsc_table accept,
written from the rules (Linux remoteproc, the ELF spec), for differential tests:
the C kit and this model must agree on accept/refuse, on the bytes written
and on the table found, for any input.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tests.support.kit_elf import EHDR, EHSIZE, PHDR, PHENTSIZE, PN_XNUM, PT_LOAD, SHDR, SHENTSIZE, SHN_XINDEX, \
    SHT_NOBITS


class Refused(Exception):
    pass


@dataclass
class Parsed:
    data: bytes
    bits: int
    msb: bool

    def u(self, off: int, code: str) -> int:
        n = struct.calcsize(code)
        if off < 0 or off + n > len(self.data):
            raise Refused(f"read of {n} at {off} outside {len(self.data)}")
        return struct.unpack_from((">" if self.msb else "<") + code, self.data, off)[0]

    def eh(self, name: str) -> int:
        off, code = EHDR[self.bits][name]
        return self.u(off, code)

    def ph(self, phoff: int, i: int, name: str) -> int:
        off, code = PHDR[self.bits][name]
        return self.u(phoff + i * PHENTSIZE[self.bits] + off, code)

    def sh(self, shoff: int, i: int, name: str) -> int:
        off, code = SHDR[self.bits][name]
        return self.u(shoff + i * SHENTSIZE[self.bits] + off, code)


def parse(data: bytes) -> Parsed:
    if len(data) < 16 or data[:4] != b"\x7fELF" or data[4] not in (1, 2) \
            or data[5] not in (1, 2) or data[6] != 1:
        raise Refused("ident")
    p = Parsed(data, 32 if data[4] == 1 else 64, data[5] == 2)
    if len(data) < EHSIZE[p.bits] or p.eh("e_version") != 1:
        raise Refused("ehdr")
    return p


def sections(p: Parsed) -> tuple[int, int, int]:
    """(e_shoff, shnum, shstrndx); shnum 0 when there is no table."""
    shoff = p.eh("e_shoff")
    if shoff == 0:
        return 0, 0, 0
    if p.eh("e_shentsize") != SHENTSIZE[p.bits]:
        raise Refused("shentsize")
    if shoff + SHENTSIZE[p.bits] > len(p.data):     # the kit reads the extended counts from a whole section 0
        raise Refused("section 0")
    shnum = p.eh("e_shnum") or p.sh(shoff, 0, "sh_size")
    shstrndx = p.eh("e_shstrndx")
    if shstrndx == SHN_XINDEX:
        shstrndx = p.sh(shoff, 0, "sh_link")
    if shnum > 0xFFFFFFFF or shoff + shnum * SHENTSIZE[p.bits] > len(p.data):
        raise Refused("section table")
    return shoff, shnum, shstrndx


def model_load(data: bytes, regions: list[tuple[int, int]], image_addr: int,
               ptr_bits: int = 64) -> tuple[int, list[tuple[int, bytes]]]:
    """(entry, [(address, bytes written)]) or Refused."""
    p = parse(data)
    phoff, phnum = p.eh("e_phoff"), p.eh("e_phnum")
    if phnum == PN_XNUM:
        shoff, shnum, _ = sections(p)
        if shnum == 0:
            raise Refused("PN_XNUM without sections")
        phnum = p.sh(shoff, 0, "sh_info")
    if phnum == 0:
        raise Refused("no program headers")
    if p.eh("e_phentsize") != PHENTSIZE[p.bits] or phoff + phnum * PHENTSIZE[p.bits] > len(data):
        raise Refused("program header table")
    entry = p.eh("e_entry")
    if entry >= 1 << ptr_bits:
        raise Refused("entry")
    writes = []
    for i in range(phnum):
        if p.ph(phoff, i, "p_type") != PT_LOAD:
            continue
        off, paddr = p.ph(phoff, i, "p_offset"), p.ph(phoff, i, "p_paddr")
        filesz, memsz = p.ph(phoff, i, "p_filesz"), p.ph(phoff, i, "p_memsz")
        if off + filesz > len(data) or filesz > memsz or paddr + memsz >= 1 << 64:
            raise Refused("segment")
        if memsz == 0:
            continue
        if paddr + memsz > 1 << ptr_bits or paddr + memsz > 1 << p.bits:
            raise Refused("unaddressable")      # this host's pointers; ELF32 below 4 GiB
        if not any(s <= paddr and paddr + memsz <= s + n for s, n in regions):
            raise Refused("region")
        if paddr < image_addr + len(data) and image_addr < paddr + memsz:
            raise Refused("overlap")
        writes.append((paddr, data[off:off + filesz] + bytes(memsz - filesz)))
    if not writes:
        raise Refused("nothing to load")
    return entry, writes


# ---- resource table -------------------------------------------------------------------

VENDOR = range(128, 513)


def check_table(t: bytes, msb: bool) -> None:
    def u32(off):
        if off + 4 > len(t):
            raise Refused("table read")
        return struct.unpack_from(">I" if msb else "<I", t, off)[0]

    if len(t) < 16 or u32(0) != 1 or u32(8) or u32(12):
        raise Refused("table header")
    num = u32(4)
    if 16 + 4 * num > len(t):
        raise Refused("offsets")
    for i in range(num):
        off = u32(16 + 4 * i)
        if off + 4 > len(t):
            raise Refused("entry offset")
        _check_entry(t, off, u32)


def _check_entry(t: bytes, off: int, u32) -> None:
    avail = len(t) - off
    rtype = u32(off)
    if rtype in (0, 1):
        if avail < 56 or u32(off + 20):
            raise Refused("carveout/devmem")
    elif rtype == 2:
        if avail < 48 or u32(off + 12):
            raise Refused("trace")
    elif rtype == 3:
        if avail < 28:
            raise Refused("vdev")
        nvr, cfg = t[off + 25], u32(off + 20)
        if 28 + 20 * nvr + cfg > avail or t[off + 26] or t[off + 27] or nvr > 2:
            raise Refused("vdev")
        for v in range(nvr):
            at = off + 28 + 20 * v
            if u32(at + 8) == 0 or u32(at + 4) == 0:
                raise Refused("vring")
    elif rtype not in VENDOR:
        raise Refused("type")


def model_rsc(data: bytes) -> tuple[int, int] | None:
    """(offset, size) of a valid table; None when the image has no table;
    Refused when it is malformed or not an ELF."""
    p = parse(data)
    shoff, shnum, shstrndx = sections(p)
    if shnum == 0 or shstrndx == 0:
        return None
    if shstrndx >= shnum or p.sh(shoff, shstrndx, "sh_type") == SHT_NOBITS:
        raise Refused("shstrndx")
    str_off, str_size = p.sh(shoff, shstrndx, "sh_offset"), p.sh(shoff, shstrndx, "sh_size")
    if str_off + str_size > len(data):
        raise Refused("shstrtab")
    strtab = data[str_off:str_off + str_size]
    for i in range(shnum):
        name_off = p.sh(shoff, i, "sh_name")
        end = strtab.find(b"\0", name_off) if name_off < len(strtab) else -1
        if end < 0 or strtab[name_off:end] != b".resource_table":
            continue
        if p.sh(shoff, i, "sh_type") == SHT_NOBITS:
            raise Refused("NOBITS table")
        off, size = p.sh(shoff, i, "sh_offset"), p.sh(shoff, i, "sh_size")
        if off + size > len(data):
            raise Refused("table outside image")
        check_table(data[off:off + size], p.msb)
        return off, size
    return None
