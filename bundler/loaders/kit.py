"""The project's own kit: remote_fw_load and remote_fw_rsc_table (linker/remote_fw_elf.c, remote_fw_rsc.c), rule by rule.

The kit reads in the image's own byte order, checks every bound before use
and returns the first REMOTE_FW_E... code it meets; :func:`predict` gives the
two return codes (tests/loaders compare them with the kit built natively).
``--memory`` plays the allowed regions of remote_fw_load; without it the
region check (REMOTE_FW_EREGION) is not judged. The check that a segment
does not overwrite the image itself (REMOTE_FW_EOVERLAP) needs the image's
address in the host, which a firmware file does not have: `bundle verify` of a
bundle checks that (remote-load-overlap). Host: 32-bit (uintptr_t) unless told.

This profile is the one statement of the kit's rules in Python: ``verify
REMOTE.elf --loader kit`` runs all of it, and ``verify`` of a bundle runs
:func:`check_load` on every embedded ELF (:mod:`bundler.checks.embedded`),
with the bundle's host as the machine.
"""

from __future__ import annotations

from bundler.remoteproc import rsc_table
from bundler.elf import spec
from bundler.loaders.base import REFUSED, NOTE, Context, Rule, layout, within
from bundler.records import Record

NAME = "kit"
TITLE = "rproc-bundle kit (remote_fw_load, remote_fw_rsc_table)"

PN_XNUM = 0xFFFF
SHN_XINDEX = 0xFFFF
U64_MAX = (1 << 64) - 1

STRERROR = {
    "REMOTE_FW_ENOTELF": "not a supported ELF image",
    "REMOTE_FW_EBOUNDS": "header, table or segment outside the image",
    "REMOTE_FW_ESEGMENT": "bad segment: filesz > memsz or address overflow",
    "REMOTE_FW_EREGION": "segment outside the allowed regions",
    "REMOTE_FW_ENORSC": "no .resource_table section",
    "REMOTE_FW_ERSC": "malformed resource table",
    "REMOTE_FW_ENOLOAD": "no loadable segment",
}

RULES = [
    Rule("kit-enotelf", REFUSED, "REMOTE_FW_ENOTELF"),
    Rule("kit-ebounds", REFUSED, "REMOTE_FW_EBOUNDS"),
    Rule("kit-esegment", REFUSED, "REMOTE_FW_ESEGMENT"),
    Rule("kit-eregion", REFUSED, "REMOTE_FW_EREGION"),
    Rule("kit-enoload", REFUSED, "REMOTE_FW_ENOLOAD"),
    Rule("kit-rsc-missing", NOTE, "REMOTE_FW_ENORSC"),
    Rule("kit-rsc-bounds", REFUSED, "REMOTE_FW_EBOUNDS"),
    Rule("kit-rsc", REFUSED, "REMOTE_FW_ERSC"),
]


class Prediction(Record):
    rsc: str          # "REMOTE_FW_OK" or the code remote_fw_rsc_table returns
    load: str         # the same for remote_fw_load


class _Refused(Exception):
    def __init__(self, name: str, why: str, address=None, size=None):
        super().__init__(why)
        self.name, self.why, self.address, self.size = name, why, address, size


def _open(data: bytes):
    """elf_open: the layout, or _Refused(ENOTELF)."""
    size = len(data)
    if size < spec.EI_NIDENT or bytes(data[:4]) != spec.ELFMAG:
        raise _Refused("REMOTE_FW_ENOTELF", "no \\x7fELF magic" if size >= 4 else f"{size} bytes")
    if data[spec.EI_CLASS] not in (spec.ELFCLASS32, spec.ELFCLASS64):
        raise _Refused("REMOTE_FW_ENOTELF", f"EI_CLASS is {data[spec.EI_CLASS]}")
    if data[spec.EI_DATA] not in (spec.ELFDATA2LSB, spec.ELFDATA2MSB):
        raise _Refused("REMOTE_FW_ENOTELF", f"EI_DATA is {data[spec.EI_DATA]}")
    if data[spec.EI_VERSION] != spec.EV_CURRENT:
        raise _Refused("REMOTE_FW_ENOTELF", f"EI_VERSION is {data[spec.EI_VERSION]}")
    lay = layout(data[spec.EI_CLASS], data[spec.EI_DATA])
    if size < lay.ehdr.size:
        raise _Refused("REMOTE_FW_ENOTELF", f"{size} bytes, shorter than the ELF header ({lay.ehdr.size})")
    ehdr = lay.ehdr.unpack(data)
    if ehdr.e_version != spec.EV_CURRENT:
        raise _Refused("REMOTE_FW_ENOTELF", f"e_version is {ehdr.e_version}")
    return lay, ehdr


def _sections(data: bytes, lay, ehdr):
    """elf_sections: (e_shoff, shnum, shstrndx); shnum 0 without section headers."""
    if ehdr.e_shoff == 0:
        return 0, 0, 0
    if ehdr.e_shentsize != lay.shdr.size:
        raise _Refused("REMOTE_FW_ENOTELF", f"e_shentsize is {ehdr.e_shentsize}, not {lay.shdr.size}")
    if not within(len(data), ehdr.e_shoff, lay.shdr.size):
        raise _Refused("REMOTE_FW_EBOUNDS", f"section header 0 at {ehdr.e_shoff:#x} is outside the image")
    sh0 = lay.shdr.unpack(data, ehdr.e_shoff)
    shnum = ehdr.e_shnum or sh0.sh_size
    shstrndx = sh0.sh_link if ehdr.e_shstrndx == SHN_XINDEX else ehdr.e_shstrndx
    if shnum > 0xFFFFFFFF or not within(len(data), ehdr.e_shoff, shnum * lay.shdr.size):
        raise _Refused("REMOTE_FW_EBOUNDS", f"the section header table at {ehdr.e_shoff:#x} ({shnum} entries) runs "
                                            "past the image")
    return ehdr.e_shoff, shnum, shstrndx


def load(data: bytes, memory, bits: int) -> None:
    """remote_fw_load's checks; raises _Refused with the code it returns."""
    size = len(data)
    lay, ehdr = _open(data)
    phnum = ehdr.e_phnum
    if phnum == PN_XNUM:
        shoff, shnum, _ = _sections(data, lay, ehdr)
        if shnum == 0:
            raise _Refused("REMOTE_FW_ENOTELF", "e_phnum is PN_XNUM but there are no section headers")
        phnum = lay.u32.unpack_from(data, shoff + (28 if not lay.is64 else 44))[0]   # sh_info of section 0
    if phnum == 0:
        raise _Refused("REMOTE_FW_ENOLOAD", "e_phnum is 0")
    if ehdr.e_phentsize != lay.phdr.size:
        raise _Refused("REMOTE_FW_ENOTELF", f"e_phentsize is {ehdr.e_phentsize}, not {lay.phdr.size}")
    if not within(size, ehdr.e_phoff, phnum * lay.phdr.size):
        raise _Refused("REMOTE_FW_EBOUNDS", f"the program header table at {ehdr.e_phoff:#x} ({phnum} entries) runs "
                                            f"past the end of the {size}-byte image", ehdr.e_phoff)
    umax = (1 << bits) - 1
    if ehdr.e_entry > umax:
        raise _Refused("REMOTE_FW_ESEGMENT", f"e_entry {ehdr.e_entry:#x} does not fit a {bits}-bit uintptr_t")
    loads = 0
    for i in range(phnum):
        p = lay.phdr.unpack(data, ehdr.e_phoff + i * lay.phdr.size)
        if p.p_type == spec.PT_LOAD and _check_segment(size, i, p, memory, umax):
            loads += 1
    if loads == 0:
        raise _Refused("REMOTE_FW_ENOLOAD", "no PT_LOAD has bytes (p_memsz > 0)")


def _check_segment(size: int, i: int, p, memory, umax: int) -> bool:
    """check_segment: raises _Refused; True for a PT_LOAD with bytes to load."""
    where = f"segment {i} (PT_LOAD at p_paddr {p.p_paddr:#x})"
    if not within(size, p.p_offset, p.p_filesz):
        raise _Refused("REMOTE_FW_EBOUNDS", f"{where}: file bytes {p.p_offset:#x} + {p.p_filesz} run past the "
                                            f"end of the {size}-byte image", p.p_paddr, p.p_filesz)
    if p.p_filesz > p.p_memsz:
        raise _Refused("REMOTE_FW_ESEGMENT", f"{where} has p_filesz {p.p_filesz} > p_memsz {p.p_memsz}",
                       p.p_paddr, p.p_memsz)
    if p.p_memsz > U64_MAX - p.p_paddr:
        raise _Refused("REMOTE_FW_ESEGMENT", f"{where}: p_paddr + p_memsz {p.p_memsz:#x} overflows", p.p_paddr)
    if p.p_memsz == 0:
        return False
    if p.p_paddr > umax or p.p_paddr + p.p_memsz - 1 > umax:
        raise _Refused("REMOTE_FW_EREGION", f"{where}, {p.p_memsz} bytes, is not addressable by a "
                                            f"{umax.bit_length()}-bit host", p.p_paddr, p.p_memsz)
    if memory is not None and memory.find_holding(p.p_paddr, p.p_memsz) is None:
        raise _Refused("REMOTE_FW_EREGION", f"{where}, {p.p_memsz} bytes, is "
                                            f"{memory.describe_miss(p.p_paddr, p.p_memsz)}", p.p_paddr, p.p_memsz)
    return True


def _name_is(data: bytes, strtab: int, strtab_size: int, off: int, want: bytes) -> bool:
    for i, c in enumerate(want + b"\0"):
        if off + i >= strtab_size:
            return False
        if data[strtab + off + i] != c:
            return False
        if c == 0:
            return True
    return False


def rsc(data: bytes):
    """remote_fw_rsc_table's checks: the table's bytes, or raises _Refused."""
    lay, ehdr = _open(data)
    shoff, shnum, shstrndx = _sections(data, lay, ehdr)
    if shnum == 0 or shstrndx == 0:
        raise _Refused("REMOTE_FW_ENORSC", "no section headers" if shnum == 0 else "e_shstrndx is SHN_UNDEF")
    if shstrndx >= shnum:
        raise _Refused("REMOTE_FW_EBOUNDS", f"e_shstrndx {shstrndx} is not below the section count {shnum}")
    names = lay.shdr.unpack(data, shoff + shstrndx * lay.shdr.size)
    if names.sh_type == spec.SHT_NOBITS or not within(len(data), names.sh_offset, names.sh_size):
        raise _Refused("REMOTE_FW_EBOUNDS", f"the section name table at {names.sh_offset:#x} ({names.sh_size} bytes) "
                                            "is not in the image")
    want = rsc_table.SECTION.encode()
    for i in range(shnum):
        sh = lay.shdr.unpack(data, shoff + i * lay.shdr.size)
        if not _name_is(data, names.sh_offset, names.sh_size, sh.sh_name, want):
            continue
        if sh.sh_type == spec.SHT_NOBITS:
            raise _Refused("REMOTE_FW_ERSC", f"{rsc_table.SECTION} is SHT_NOBITS")
        if not within(len(data), sh.sh_offset, sh.sh_size):
            raise _Refused("REMOTE_FW_EBOUNDS", f"{rsc_table.SECTION} at {sh.sh_offset:#x}, {sh.sh_size} bytes, runs "
                                                "past the image", sh.sh_offset, sh.sh_size)
        table = bytes(data[sh.sh_offset:sh.sh_offset + sh.sh_size])
        why = _rsc_check(table, lay)
        if why:
            raise _Refused("REMOTE_FW_ERSC", why)
        return table
    raise _Refused("REMOTE_FW_ENORSC", f"no {rsc_table.SECTION} section")


def _rsc_check(table: bytes, lay) -> str | None:
    """rsc_check: the reason the kit refuses the table, or None."""
    size = len(table)

    def u32(at):
        return lay.u32.unpack_from(table, at)[0]

    if size < 16:
        return f"the table is {size} bytes, shorter than its header"
    if u32(0) != 1 or u32(8) or u32(12):
        return f"ver {u32(0)}, reserved {u32(8):#x} {u32(12):#x} (must be 1, 0, 0)"
    num = u32(4)
    if not within(size, 16, 4 * num):
        return f"num {num}: the offset array runs past the {size}-byte table"
    for i in range(num):
        offset = u32(16 + 4 * i)
        if not within(size, offset, 4):
            return f"entry {i} at offset {offset:#x} is outside the table"
        why = _entry_check(table, u32, i, offset)
        if why:
            return why
    return None


def _entry_check(table: bytes, u32, i: int, offset: int) -> str | None:
    """One entry as rsc_check's switch checks it: the reason, or None."""
    avail, rtype = len(table) - offset, u32(offset)
    if rtype in (rsc_table.RSC_CARVEOUT, rsc_table.RSC_DEVMEM):
        if avail < 56 or u32(offset + 20):
            return f"entry {i} (type {rtype}) truncated or reserved not 0"
    elif rtype == rsc_table.RSC_TRACE:
        if avail < 48 or u32(offset + 12):
            return f"trace entry {i} truncated or reserved not 0"
    elif rtype == rsc_table.RSC_VDEV:
        return _vdev_check(table, u32, i, offset, avail)
    elif not rsc_table.RSC_VENDOR_START <= rtype <= rsc_table.RSC_VENDOR_END:
        return f"entry {i} has type {rtype}, neither 0..3 nor vendor 128..512"
    return None


def _vdev_check(table: bytes, u32, i: int, offset: int, avail: int) -> str | None:
    if avail < 28:
        return f"vdev entry {i} truncated"
    nvrings, config_len = table[offset + 25], u32(offset + 20)
    if 28 + 20 * nvrings + config_len > avail:
        return f"vdev entry {i} with {nvrings} vrings and {config_len} bytes of config runs past the table"
    if table[offset + 26] or table[offset + 27]:
        return f"vdev entry {i} has reserved bytes not 0"
    if nvrings > 2:
        return f"vdev entry {i} has {nvrings} vrings (at most 2)"
    for v in range(nvrings):
        at = offset + 28 + 20 * v
        if u32(at + 8) == 0 or u32(at + 4) == 0:
            return f"vdev entry {i} vring {v} has num or align 0"
    return None


def _load_finding(ctx: Context, r: _Refused):
    """remote_fw_load's code as the finding of its rule."""
    text, words = f"remote_fw_load returns {r.name}: {r.why}", f"{r.name}: {STRERROR[r.name]}"
    emit = {"REMOTE_FW_ENOTELF": lambda: ctx.finding("kit-enotelf", text, r.address, r.size, words),
            "REMOTE_FW_EBOUNDS": lambda: ctx.finding("kit-ebounds", text, r.address, r.size, words),
            "REMOTE_FW_ESEGMENT": lambda: ctx.finding("kit-esegment", text, r.address, r.size, words),
            "REMOTE_FW_EREGION": lambda: ctx.finding("kit-eregion", text, r.address, r.size, words),
            "REMOTE_FW_ENOLOAD": lambda: ctx.finding("kit-enoload", text, r.address, r.size, words)}
    emit[r.name]()


def _rsc_finding(ctx: Context, r: _Refused):
    """remote_fw_rsc_table's code as the finding of its rule."""
    text, words = f"remote_fw_rsc_table returns {r.name}: {r.why}", f"{r.name}: {STRERROR[r.name]}"
    emit = {"REMOTE_FW_ENOTELF": lambda: ctx.finding("kit-enotelf", text, r.address, r.size, words),
            "REMOTE_FW_ENORSC": lambda: ctx.finding("kit-rsc-missing", text, r.address, r.size, words),
            "REMOTE_FW_EBOUNDS": lambda: ctx.finding("kit-rsc-bounds", text, r.address, r.size, words),
            "REMOTE_FW_ERSC": lambda: ctx.finding("kit-rsc", text, r.address, r.size, words)}
    emit[r.name]()


def check_load(ctx: Context) -> str:
    """remote_fw_load on the image: its refusal as a finding; the code it returns.

    The one statement of what the kit's loader accepts: ``verify REMOTE.elf
    --loader kit`` and every embedded ELF of a bundle (checks/embedded.py) run it."""
    try:
        load(ctx.data, ctx.memory, ctx.host.bits)
    except _Refused as r:
        _load_finding(ctx, r)
        return r.name
    return "REMOTE_FW_OK"


def check(ctx: Context):
    entries = []
    check_load(ctx)
    try:
        table = rsc(ctx.data)
        entries = rsc_table.decode(table, layout(ctx.data[spec.EI_CLASS], ctx.data[spec.EI_DATA]).byteorder).entries
    except _Refused as r:
        if r.name == "REMOTE_FW_ENOTELF" and any(f.code == "kit-enotelf" for f in ctx.findings):
            return entries                    # remote_fw_load said it already
        _rsc_finding(ctx, r)
    return entries


def predict(data: bytes, memory, bits: int) -> Prediction:
    results = []
    for step in (lambda: rsc(data), lambda: load(data, memory, bits)):
        try:
            step()
            results.append("REMOTE_FW_OK")
        except _Refused as r:
            results.append(r.name)
    return Prediction(*results)
