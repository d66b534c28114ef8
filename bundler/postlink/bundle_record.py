"""The bundle record: the ``.rproc_bundle`` section a bundled host carries.

A small non-allocated section (JSON, sorted keys, one line) that remembers the
original host's size, the bytes the edit overwrote (``restore``) and one
:class:`RecordEntry` per image it added. With it a bundled host can be bundled
again (the result is always "original host + images") and verify can check
that nothing of the host changed. This module owns its format: encode, read
(any defect is a BadInputError) and undo.
"""

from __future__ import annotations

import json

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

    def to_dict(self) -> dict:
        return {"stem": self.stem, "section": self.section, "address": self.address, "size": self.size,
                "align": self.align, "crc32": self.crc32, "placed": self.placed}


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
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def read_record(elf: ElfFile, name: str = "ELF file") -> BundleRecord | None:
    """The bundle record of a bundled file, or None if it was never bundled."""
    sec = elf.find_section(RECORD_SECTION)
    if sec is None:
        return None
    try:
        raw = json.loads(bytes(elf.section_bytes(sec)))
        if raw.get("format") != RECORD_FORMAT:
            raise ValueError(f"format {raw.get('format')!r}")
        host_size = int(raw["host_size"])
        restore = [(int(off), bytes.fromhex(hexbytes)) for off, hexbytes in raw["restore"]]
        images = [RecordEntry(stem=str(i["stem"]), section=str(i["section"]), address=int(i["address"]),
                              size=int(i["size"]), align=int(i["align"]), crc32=int(i["crc32"]),
                              placed=str(i["placed"])) for i in raw["images"]]
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
