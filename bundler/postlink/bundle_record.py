"""The bundle record: the ``.rproc_bundle`` section a bundled host carries.

A small non-allocated section (JSON, sorted keys, one line) that remembers the
original host's size, the bytes the edit overwrote (``restore``) and one
:class:`RecordEntry` per image it added. With it a bundled host can be bundled
again (the result is always "original host + images") and verify can check
that nothing of the host changed. This module owns its format: encode, read
(any defect is a BadInputError) and undo.
"""

from __future__ import annotations

from bundler.elf.model import ElfFile
from bundler.errors import BadInputError
from bundler.records import FrozenRecord, Record

RECORD_SECTION = ".rproc_bundle"
RECORD_FORMAT = 1


class RecordEntry(FrozenRecord):
    """One image the record lists: where bundle put it and how."""

    stem: str
    section: str
    address: int
    size: int
    align: int
    crc32: int
    placed: str                 # how it was placed: "--address", "slot", "region", ...
    sig_section: str = ""       # the section of its signed manifest, "" when unsigned

    def to_dict(self) -> dict:
        d = {"stem": self.stem, "section": self.section, "address": self.address, "size": self.size,
             "align": self.align, "crc32": self.crc32, "placed": self.placed}
        if self.sig_section:                # absent when unsigned: unsigned records keep their bytes
            d["sig_section"] = self.sig_section
        return d


class BundleRecord(Record):
    """The record of a bundled host."""

    host_size: int
    restore: list[tuple[int, bytes]]        # (file offset, the original bytes there)
    images: list[RecordEntry]


def encode_record(host_data, ranges: list[tuple[int, int]], entries: list[RecordEntry]) -> bytes:
    """The section's bytes: ``ranges`` (offset, length) of ``host_data`` to restore, and the entries."""
    record = {
        "format": RECORD_FORMAT,
        "tool": "rproc-bundle",
        "host_size": len(host_data),
        "restore": [[offset, host_data[offset:offset + length].hex()] for offset, length in ranges],
        "images": [e.to_dict() for e in entries],
    }
    return canonical_json(record).encode() + b"\n"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def canonical_json(value) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"))`` for the record's types
    (dict with str keys, list, tuple, int, str), without importing json (and with it the
    regex module) on every bundle's start-up; a test holds it to json.dumps."""
    if isinstance(value, str):
        out = []
        for c in value:
            if c in _ESCAPES:
                out.append(_ESCAPES[c])
            elif " " <= c <= "~":
                out.append(c)
            elif ord(c) < 0x10000:
                out.append(f"\\u{ord(c):04x}")
            else:                                   # a surrogate pair, as json writes it
                v = ord(c) - 0x10000
                out.append(f"\\u{0xD800 | (v >> 10):04x}\\u{0xDC00 | (v & 0x3FF):04x}")
        return '"' + "".join(out) + '"'
    if isinstance(value, bool) or value is None:
        raise TypeError(f"the bundle record holds no {type(value).__name__}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(canonical_json(k) + ":" + canonical_json(value[k]) for k in sorted(value)) + "}"
    raise TypeError(f"the bundle record holds no {type(value).__name__}")


def read_record(elf: ElfFile, name: str = "ELF file") -> BundleRecord | None:
    """The bundle record of a bundled file, or None if it was never bundled."""
    sec = elf.find_section(RECORD_SECTION)
    if sec is None:
        return None
    import json
    try:
        raw = json.loads(bytes(elf.section_bytes(sec)))
        if raw.get("format") != RECORD_FORMAT:
            raise ValueError(f"format {raw.get('format')!r}")
        host_size = int(raw["host_size"])
        restore = [(int(off), bytes.fromhex(hexbytes)) for off, hexbytes in raw["restore"]]
        images = [RecordEntry(stem=str(i["stem"]), section=str(i["section"]), address=int(i["address"]),
                              size=int(i["size"]), align=int(i["align"]), crc32=int(i["crc32"]),
                              placed=str(i["placed"]), sig_section=str(i.get("sig_section", "")))
                  for i in raw["images"]]
        if not 0 < host_size <= len(elf.data) or any(o + len(b) > host_size for o, b in restore):
            raise ValueError("sizes out of range")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadInputError(f"corrupt {RECORD_SECTION} section ({exc})", file=name,
                            hint="the file was edited after bundling; bundle the original host again") from exc
    return BundleRecord(host_size=host_size, restore=restore, images=images)


def unbundle_bytes(elf: ElfFile, record: BundleRecord) -> bytes:
    """The original host, byte for byte, that a bundled file was made from."""
    out = bytearray(elf.data[:record.host_size])
    for offset, original in record.restore:
        out[offset:offset + len(original)] = original
    return bytes(out)
