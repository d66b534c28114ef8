"""Build resource tables and remote ELF images with a ``.resource_table`` section, in memory.

    table = rsc_table_bytes([carveout(da=0x20200000, len=0x40000, name="ram"), trace(...), vdev(...)])
    remote = build_remote_elf(table=table)

Record layouts come from :mod:`bundler.elf.spec` (ELF) and
:mod:`bundler.remoteproc.rsc_table` (resource table field order); tests never write
offset literals.
"""

from __future__ import annotations

import struct

from bundler.remoteproc import rsc_table as R
from bundler.elf import spec
from bundler.elf.spec import Ehdr, Layout, Phdr, Shdr
from tests.support.elf import StringTable, assemble, ident


def _u32s(e: str, values) -> bytes:
    return struct.pack(f"{e}{len(values)}I", *values)


def _name(name: str) -> bytes:
    return name.encode().ljust(R.NAME_LEN, b"\0")[:R.NAME_LEN]


def carveout(da=0x20200000, pa=0x20200000, len=0x40000, flags=0, reserved=0, name="remote-ram", *,
             rtype=R.RSC_CARVEOUT, e="<") -> bytes:
    return _u32s(e, (rtype, da, pa, len, flags, reserved)) + _name(name)


def trace(da=0x20200300, len=0x400, reserved=0, name="remote-trace", *, e="<") -> bytes:
    return _u32s(e, (R.RSC_TRACE, da, len, reserved)) + _name(name)


def vring(da=0x20300000, align=0x1000, num=16, notifyid=1, pa=0, *, e="<") -> bytes:
    return _u32s(e, (da, align, num, notifyid, pa))


def vdev(vrings=((0x20300000, 0x1000, 16, 1, 0), (0x20304000, 0x1000, 16, 2, 0)), *, vid=7, notifyid=0,
         dfeatures=1, gfeatures=0, config=b"", status=0, num_of_vrings=None, reserved=(0, 0), e="<") -> bytes:
    n = len(vrings) if num_of_vrings is None else num_of_vrings
    head = _u32s(e, (R.RSC_VDEV, vid, notifyid, dfeatures, gfeatures, len(config)))
    head += bytes([status, n, *reserved])
    return head + b"".join(vring(*v, e=e) for v in vrings) + bytes(config)


def raw_entry(rtype: int, payload: bytes = b"", *, e="<") -> bytes:
    return _u32s(e, (rtype,)) + payload


def rsc_table_bytes(entries: list[bytes], *, ver=1, reserved=(0, 0), num=None, e="<") -> bytes:
    """The header, offset[] and the entries one after another."""
    count = len(entries) if num is None else num
    offset = R.HDR_SIZE + R.OFFSET_SIZE * len(entries)
    offsets = []
    for entry in entries:
        offsets.append(offset)
        offset += len(entry)
    return _u32s(e, (ver, count, *reserved)) + _u32s(e, offsets) + b"".join(entries)


def sample_table(e="<") -> bytes:
    """The samples' table: a carveout, a trace buffer and an rpmsg vdev with two vrings."""
    return rsc_table_bytes([carveout(e=e), trace(e=e), vdev(e=e)], e=e)


def build_remote_elf(table: bytes | None = None, *, elfclass=spec.ELFCLASS32, elfdata=spec.ELFDATA2LSB,
                     machine=spec.EM_ARM, text_addr=0x20200000, text=b"\x70\x47" * 32,
                     data_addr=None, bss=0x100, nobits_table=False, extra=b"") -> bytes:
    """A linked remote: PT_LOAD R X (.text) and PT_LOAD R W (.resource_table, then .bss).

    ``extra`` goes after .text in the first segment (to vary the image's size).
    """
    lay = Layout(elfclass, elfdata)
    text = bytes(text) + bytes(extra)
    table = b"" if table is None else bytes(table)
    data_addr = data_addr if data_addr is not None else (text_addr + len(text) + 0xFF) & ~0xFF
    n_ph = 2
    text_off = (lay.ehdr.size + n_ph * lay.phdr.size + 0xF) & ~0xF
    data_off = text_off + len(text)
    data_off += (data_addr - data_off) % 16          # p_offset congruent to p_vaddr
    file_table = b"" if nobits_table else table
    shstr = StringTable()
    sname = shstr.add

    AX, WA = spec.SHF_ALLOC | spec.SHF_EXECINSTR, spec.SHF_ALLOC | spec.SHF_WRITE
    sections = [Shdr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                Shdr(sname(".text"), spec.SHT_PROGBITS, AX, text_addr, text_off, len(text), 0, 0, 4, 0)]
    if table or nobits_table:
        kind = spec.SHT_NOBITS if nobits_table else spec.SHT_PROGBITS
        sections.append(Shdr(sname(".resource_table"), kind, WA, data_addr, data_off, len(table), 0, 0, 4, 0))
    bss_addr = data_addr + len(table)
    sections.append(Shdr(sname(".bss"), spec.SHT_NOBITS, WA, bss_addr, data_off + len(file_table), bss,
                         0, 0, 4, 0))
    shstr_off = data_off + len(file_table)
    shstrndx = len(sections)
    sections.append(Shdr(sname(".shstrtab"), spec.SHT_STRTAB, 0, 0, shstr_off, 0, 0, 0, 1, 0))
    sections[-1].sh_size = len(shstr)
    sh_off = (shstr_off + len(shstr) + 7) & ~7
    phdrs = [Phdr(spec.PT_LOAD, spec.PF_R | spec.PF_X, text_off, text_addr, text_addr, len(text), len(text), 16),
             Phdr(spec.PT_LOAD, spec.PF_R | spec.PF_W, data_off, data_addr, data_addr, len(file_table),
                  len(table) + bss, 16)]
    flags = 0x5000200 if machine == spec.EM_ARM else 0     # ARM: EABI version 5
    ehdr = Ehdr(ident(elfclass, elfdata), spec.ET_EXEC, machine, 1, text_addr | 1, lay.ehdr.size, sh_off, flags,
                lay.ehdr.size, lay.phdr.size, n_ph, lay.shdr.size, len(sections), shstrndx)
    blobs = [(text_off, text), (data_off, file_table), (shstr_off, bytes(shstr))]
    return assemble(lay, ehdr, sh_off + len(sections) * lay.shdr.size, phdrs, blobs, sections)
