"""A tiny ELF and resource-table builder for the kit tests (struct only).

This module owns every record layout the kit tests use: tests say
``patch_ehdr(img, "e_phoff", 0x1000)``, never an offset literal.

    img = build_elf(bits=32, msb=False, entry=0x10000001,
                    segments=[Segment(0x10000000, b"code", memsz=64)],
                    sections=[Section(".resource_table", rsc_table([]))])
    img.data          # the bytes
    img.phoff, img.shoff, img.segment_offsets, img.section_offsets
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

PT_NULL, PT_LOAD, PT_NOTE = 0, 1, 4
SHT_NULL, SHT_PROGBITS, SHT_STRTAB, SHT_NOBITS = 0, 1, 3, 8
ET_EXEC = 2
EM_ARM, EM_RISCV, EM_X86_64 = 40, 243, 62
PN_XNUM = 0xFFFF
SHN_XINDEX = 0xFFFF

# name -> (offset, struct code) per class; codes without byte-order prefix.
EHDR = {
    32: {"e_ident": (0, "16s"), "e_type": (16, "H"), "e_machine": (18, "H"),
         "e_version": (20, "I"), "e_entry": (24, "I"), "e_phoff": (28, "I"),
         "e_shoff": (32, "I"), "e_flags": (36, "I"), "e_ehsize": (40, "H"),
         "e_phentsize": (42, "H"), "e_phnum": (44, "H"), "e_shentsize": (46, "H"),
         "e_shnum": (48, "H"), "e_shstrndx": (50, "H")},
    64: {"e_ident": (0, "16s"), "e_type": (16, "H"), "e_machine": (18, "H"),
         "e_version": (20, "I"), "e_entry": (24, "Q"), "e_phoff": (32, "Q"),
         "e_shoff": (40, "Q"), "e_flags": (48, "I"), "e_ehsize": (52, "H"),
         "e_phentsize": (54, "H"), "e_phnum": (56, "H"), "e_shentsize": (58, "H"),
         "e_shnum": (60, "H"), "e_shstrndx": (62, "H")},
}
PHDR = {
    32: {"p_type": (0, "I"), "p_offset": (4, "I"), "p_vaddr": (8, "I"),
         "p_paddr": (12, "I"), "p_filesz": (16, "I"), "p_memsz": (20, "I"),
         "p_flags": (24, "I"), "p_align": (28, "I")},
    64: {"p_type": (0, "I"), "p_flags": (4, "I"), "p_offset": (8, "Q"),
         "p_vaddr": (16, "Q"), "p_paddr": (24, "Q"), "p_filesz": (32, "Q"),
         "p_memsz": (40, "Q"), "p_align": (48, "Q")},
}
SHDR = {
    32: {"sh_name": (0, "I"), "sh_type": (4, "I"), "sh_flags": (8, "I"),
         "sh_addr": (12, "I"), "sh_offset": (16, "I"), "sh_size": (20, "I"),
         "sh_link": (24, "I"), "sh_info": (28, "I"), "sh_addralign": (32, "I"),
         "sh_entsize": (36, "I")},
    64: {"sh_name": (0, "I"), "sh_type": (4, "I"), "sh_flags": (8, "Q"),
         "sh_addr": (16, "Q"), "sh_offset": (24, "Q"), "sh_size": (32, "Q"),
         "sh_link": (40, "I"), "sh_info": (44, "I"), "sh_addralign": (48, "Q"),
         "sh_entsize": (56, "Q")},
}
EHSIZE = {32: 52, 64: 64}
PHENTSIZE = {32: 32, 64: 56}
SHENTSIZE = {32: 40, 64: 64}


def _pack_record(layout: dict, size: int, msb: bool, values: dict) -> bytes:
    out = bytearray(size)
    bo = ">" if msb else "<"
    for name, value in values.items():
        off, code = layout[name]
        struct.pack_into(bo + code, out, off, value)
    return bytes(out)


@dataclass
class Segment:
    p_paddr: int
    data: bytes = b""
    memsz: int | None = None          # default: len(data)
    p_type: int = PT_LOAD
    p_vaddr: int | None = None        # default: p_paddr
    align: int = 4                    # file alignment of the data


@dataclass
class Section:
    name: str
    data: bytes = b""
    sh_type: int = SHT_PROGBITS
    sh_addr: int = 0
    align: int = 4


@dataclass
class Built:
    data: bytes
    bits: int
    msb: bool
    phoff: int
    shoff: int
    segment_offsets: list[int] = field(default_factory=list)
    section_offsets: list[int] = field(default_factory=list)   # file offset of each Section's data
    section_index: dict[str, int] = field(default_factory=dict)

    def ehdr_off(self, name: str) -> int:
        return EHDR[self.bits][name][0]

    def phdr_off(self, index: int, name: str) -> int:
        return self.phoff + index * PHENTSIZE[self.bits] + PHDR[self.bits][name][0]

    def shdr_off(self, index: int, name: str) -> int:
        return self.shoff + index * SHENTSIZE[self.bits] + SHDR[self.bits][name][0]


def build_elf(bits: int = 32, msb: bool = False, entry: int = 0,
              segments: list[Segment] = (), sections: list[Section] = (),
              machine: int = EM_ARM, with_section_headers: bool = True) -> Built:
    """Lay out ehdr, phdrs, segment data, section data, .shstrtab, shdrs."""
    assert bits in (32, 64)
    out = bytearray(EHSIZE[bits])
    phoff = len(out) if segments else 0
    out += bytes(PHENTSIZE[bits] * len(segments))

    def place(blob: bytes, align: int) -> int:
        while len(out) % align:
            out.append(0)
        off = len(out)
        out.extend(blob)
        return off

    seg_offs = [place(s.data, s.align) for s in segments]
    sec_offs = [place(s.data if s.sh_type != SHT_NOBITS else b"", s.align) for s in sections]

    shoff = 0
    shnum = 0
    shstrndx = 0
    index: dict[str, int] = {}
    if with_section_headers:
        names = bytearray(b"\0")
        name_offs = []
        for s in list(sections) + [Section(".shstrtab")]:
            name_offs.append(len(names))
            names += s.name.encode() + b"\0"
        strtab_off = place(bytes(names), 1)
        shoff = place(b"", 8)
        shdrs = [bytes(SHENTSIZE[bits])]
        for i, (s, off) in enumerate(zip(sections, sec_offs)):
            shdrs.append(_pack_record(SHDR[bits], SHENTSIZE[bits], msb, {
                "sh_name": name_offs[i], "sh_type": s.sh_type, "sh_addr": s.sh_addr,
                "sh_offset": off, "sh_size": len(s.data), "sh_addralign": s.align}))
            index[s.name] = i + 1
        shdrs.append(_pack_record(SHDR[bits], SHENTSIZE[bits], msb, {
            "sh_name": name_offs[-1], "sh_type": SHT_STRTAB, "sh_offset": strtab_off,
            "sh_size": len(names), "sh_addralign": 1}))
        shstrndx = len(shdrs) - 1
        shnum = len(shdrs)
        out += b"".join(shdrs)

    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 2 if msb else 1, 1]) + bytes(9)
    out[:EHSIZE[bits]] = _pack_record(EHDR[bits], EHSIZE[bits], msb, {
        "e_ident": ident, "e_type": ET_EXEC, "e_machine": machine, "e_version": 1,
        "e_entry": entry, "e_phoff": phoff, "e_shoff": shoff, "e_ehsize": EHSIZE[bits],
        "e_phentsize": PHENTSIZE[bits], "e_phnum": len(segments),
        "e_shentsize": SHENTSIZE[bits] if with_section_headers else 0,
        "e_shnum": shnum, "e_shstrndx": shstrndx})
    for i, (s, off) in enumerate(zip(segments, seg_offs)):
        rec = _pack_record(PHDR[bits], PHENTSIZE[bits], msb, {
            "p_type": s.p_type, "p_offset": off,
            "p_vaddr": s.p_paddr if s.p_vaddr is None else s.p_vaddr,
            "p_paddr": s.p_paddr, "p_filesz": len(s.data),
            "p_memsz": len(s.data) if s.memsz is None else s.memsz,
            "p_flags": 7, "p_align": s.align})
        out[phoff + i * PHENTSIZE[bits]:phoff + (i + 1) * PHENTSIZE[bits]] = rec
    return Built(bytes(out), bits, msb, phoff, shoff, seg_offs, sec_offs, index)


def patch(data: bytes, off: int, code: str, value, msb: bool) -> bytes:
    """Return data with one field (struct code, image byte order) replaced."""
    out = bytearray(data)
    struct.pack_into((">" if msb else "<") + code, out, off, value)
    return bytes(out)


def patch_field(img: Built, table: str, name: str, value, index: int = 0,
                data: bytes | None = None) -> bytes:
    """Patch an ehdr/phdr/shdr field of img by spec name ("p_filesz", ...)."""
    layouts = {"ehdr": EHDR, "phdr": PHDR, "shdr": SHDR}
    off, code = layouts[table][img.bits][name]
    base = {"ehdr": 0, "phdr": img.phoff + index * PHENTSIZE[img.bits],
            "shdr": img.shoff + index * SHENTSIZE[img.bits]}[table]
    return patch(img.data if data is None else data, base + off, code, value, img.msb)


# ---- resource table (struct resource_table and entries, remoteproc.h) ------

RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE, RSC_VDEV = 0, 1, 2, 3
FW_ADDR_ANY = 0xFFFFFFFF
VIRTIO_ID_RPMSG = 7


def _u32s(msb: bool, *values: int) -> bytes:
    return struct.pack((">" if msb else "<") + "I" * len(values), *values)


def _name32(name: bytes) -> bytes:
    return name[:32].ljust(32, b"\0")


def carveout(da=FW_ADDR_ANY, pa=FW_ADDR_ANY, len_=0x1000, flags=0, reserved=0,
             name=b"carveout", msb=False, rtype=RSC_CARVEOUT) -> bytes:
    return _u32s(msb, rtype, da, pa, len_, flags, reserved) + _name32(name)


def devmem(da=0x1000, pa=0x1000, len_=0x1000, flags=0, reserved=0, name=b"devmem",
           msb=False) -> bytes:
    return carveout(da, pa, len_, flags, reserved, name, msb, rtype=RSC_DEVMEM)


def trace(da=0x20000000, len_=0x400, reserved=0, name=b"trace", msb=False) -> bytes:
    return _u32s(msb, RSC_TRACE, da, len_, reserved) + _name32(name)


def vring(da=FW_ADDR_ANY, align=0x1000, num=256, notifyid=0, pa=0, msb=False) -> bytes:
    return _u32s(msb, da, align, num, notifyid, pa)


def vdev(vrings=None, config=b"", vid=VIRTIO_ID_RPMSG, notifyid=0, dfeatures=1,
         gfeatures=0, status=0, reserved=(0, 0), num_of_vrings=None, config_len=None,
         msb=False) -> bytes:
    if vrings is None:
        vrings = [vring(notifyid=0, msb=msb), vring(notifyid=1, msb=msb)]
    head = _u32s(msb, RSC_VDEV, vid, notifyid, dfeatures, gfeatures,
                 len(config) if config_len is None else config_len)
    head += bytes([status, len(vrings) if num_of_vrings is None else num_of_vrings,
                   reserved[0], reserved[1]])
    return head + b"".join(vrings) + config


def vendor(rtype=128, payload=b"", msb=False) -> bytes:
    return _u32s(msb, rtype) + payload


def rsc_table(entries: list[bytes], ver=1, reserved=(0, 0), num=None, offsets=None,
              msb=False, tail=b"") -> bytes:
    """struct resource_table followed by the entries, packed in order."""
    n = len(entries)
    head_len = 16 + 4 * n
    if offsets is None:
        offsets, pos = [], head_len
        for e in entries:
            offsets.append(pos)
            pos += len(e)
    return (_u32s(msb, ver, n if num is None else num, *reserved)
            + _u32s(msb, *offsets) + b"".join(entries) + tail)


def sample_table(msb=False) -> bytes:
    """The table an OpenAMP rpmsg remote carries: carveout, trace, vdev."""
    return rsc_table([carveout(msb=msb), trace(msb=msb), vdev(msb=msb),
                      vendor(200, b"\x01\x02\x03\x04", msb=msb)], msb=msb)
