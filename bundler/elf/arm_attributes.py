"""ARM build attributes: the file-scope "aeabi" attributes of ``.ARM.attributes``
(ARM IHI 0045, "Addenda to the ABI for the Arm architecture"), as numbers and
strings by tag. Read from the model's section bytes; nothing is refused:
what cannot be read is left out.
"""

from __future__ import annotations

from bundler.elf.model import ElfFile

SHT_ARM_ATTRIBUTES = 0x70000003
TAG_FILE, TAG_CPU_ARCH, TAG_CPU_ARCH_PROFILE = 1, 6, 7


def arm_attributes(elf: ElfFile) -> dict[int, int | str]:
    """File-scope "aeabi" build attributes (Tag_CPU_arch and friends); {} if absent or unreadable."""
    sec = next((s for s in elf.sections if s.hdr.sh_type == SHT_ARM_ATTRIBUTES), None)
    if sec is None:
        return {}
    raw = bytes(elf.section_bytes(sec))
    if not raw or raw[0] != ord("A"):
        return {}
    out: dict[int, int | str] = {}
    pos = 1
    try:
        while pos + 4 <= len(raw):
            length = elf.layout.u32.unpack_from(raw, pos)[0]
            end = pos + length
            if length < 5 or end > len(raw):
                break
            vendor_end = raw.index(b"\0", pos + 4)
            if raw[pos + 4:vendor_end] == b"aeabi":
                _file_attributes(raw, vendor_end + 1, end, elf.layout, out)
            pos = end
    except (ValueError, IndexError):
        return out
    return out


def _uleb(raw: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = raw[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _file_attributes(raw: bytes, pos: int, end: int, layout, out: dict) -> None:
    while pos + 5 <= end:
        tag, body = _uleb(raw, pos)
        size = layout.u32.unpack_from(raw, body)[0]
        sub_end = pos + size
        if size < 5 or sub_end > end:
            return
        if tag == TAG_FILE:
            at = body + 4
            while at < sub_end:
                attr, at = _uleb(raw, at)
                # strings: tags 4, 5 and odd tags above 32; 32 is a number then a string
                if attr in (4, 5) or (attr > 32 and attr & 1):
                    nul = raw.index(b"\0", at)
                    out[attr] = raw[at:nul].decode("ascii", errors="replace")
                    at = nul + 1
                else:
                    out[attr], at = _uleb(raw, at)
                    if attr == 32:
                        at = raw.index(b"\0", at) + 1
        pos = sub_end
