"""The remoteproc resource table: decode it, and check it the way Linux does.

:func:`decode` takes the bytes of a ``.resource_table`` section and the
image's byte order and never raises: it returns the header, every entry it
could read (fields by name, as Linux's ``struct fw_rsc_*`` call them) and one
:class:`Problem` for each thing Linux's ``rproc_handle_resources()`` and its
handlers, the virtio ring setup, OpenAMP's notify-id bitmap or the kit's
``remote_fw_rsc_table`` would refuse. A broken table is decoded as far as it
is valid. This module owns the resource table layouts (Linux include/linux/remoteproc.h).
"""

from __future__ import annotations

import struct

from bundler.elf.model import ElfFile, Section
from bundler.findings import ERROR, severity_of
from bundler.records import Factory, Record

SECTION = ".resource_table"

RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE, RSC_VDEV = 0, 1, 2, 3
RSC_VENDOR_START, RSC_VENDOR_END = 128, 512
KIND_NAMES = {RSC_CARVEOUT: "carveout", RSC_DEVMEM: "devmem", RSC_TRACE: "trace", RSC_VDEV: "vdev"}

FW_RSC_ADDR_ANY = 0xFFFFFFFF        # "any address" and "any notify id"
VDEV_MAX_VRINGS = 2                 # Linux: num_of_vrings <= 2
OPENAMP_NOTIFYID_LIMIT = 32         # OpenAMP's notify-id bitmap is one 32-bit unsigned long
NAME_LEN = 32

# struct resource_table: ver, num, reserved[2], then offset[num]
HDR_FIELDS = ("ver", "num", "reserved", "reserved")
HDR_SIZE = 16
OFFSET_SIZE = 4
# each entry starts with a u32 type; sizes below include it
CARVEOUT_FIELDS = ("type", "da", "pa", "len", "flags", "reserved")      # then name[32]
CARVEOUT_SIZE = 4 * len(CARVEOUT_FIELDS) + NAME_LEN                    # 56
TRACE_FIELDS = ("type", "da", "len", "reserved")                        # then name[32]
TRACE_SIZE = 4 * len(TRACE_FIELDS) + NAME_LEN                          # 48
VDEV_FIELDS = ("type", "id", "notifyid", "dfeatures", "gfeatures", "config_len")
VDEV_SIZE = 4 * len(VDEV_FIELDS) + 4                                   # + status, num_of_vrings, reserved[2]: 28
VRING_FIELDS = ("da", "align", "num", "notifyid", "pa")
VRING_SIZE = 4 * len(VRING_FIELDS)                                     # 20

class Problem(Record):
    """One thing Linux, OpenAMP or the kit does with the table: refuses it (error), works
    around it (warning), or ignores it (note)."""

    code: str
    message: str
    severity: str = ERROR
    entry: int | None = None        # index into offset[], if the problem is one entry's
    offset: int | None = None       # byte offset in the table

    def to_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "entry": self.entry,
                "offset": self.offset, "message": self.message}


class RscTable(Record):
    """A decoded table: ``header`` is None when even the 16-byte header is missing."""

    size: int
    header: dict | None
    entries: list[dict] = Factory(list)
    problems: list[Problem] = Factory(list)

    @property
    def is_valid(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    def to_dict(self) -> dict:
        return {"size": self.size, "valid": self.is_valid, "header": self.header,
                "entries": self.entries, "problems": [p.to_dict() for p in self.problems]}


def decode(data: bytes | memoryview, byteorder: str = "little") -> RscTable:
    """Decode and check a resource table; never raises, whatever ``data`` holds."""
    return _Decoder(bytes(data), byteorder).run()


def find_table(elf: ElfFile) -> tuple[Section | None, RscTable | None]:
    """The ``.resource_table`` section of an image and its decoded table; (None, None) without one."""
    sec = elf.find_section(SECTION)
    if sec is None:
        return None, None
    if not sec.has_file_bytes:
        table = RscTable(size=sec.hdr.sh_size, header=None)
        table.problems.append(Problem("rsc-not-in-file", f"{SECTION} is SHT_NOBITS: the file holds no table "
                                                         "to read", severity_of("rsc-not-in-file")))
        return sec, table
    return sec, decode(elf.section_bytes(sec), elf.layout.byteorder)


class _Decoder:
    def __init__(self, data: bytes, byteorder: str):
        self.data = data
        self.e = ">" if byteorder == "big" else "<"
        self.table = RscTable(size=len(data), header=None)

    def problem(self, code: str, message: str, *, entry: int | None = None, offset: int | None = None) -> None:
        self.table.problems.append(Problem(code, message, severity_of(code), entry, offset))

    def u32s(self, offset: int, count: int) -> tuple[int, ...]:
        return struct.unpack_from(f"{self.e}{count}I", self.data, offset)

    def run(self) -> RscTable:
        size = len(self.data)
        if size < HDR_SIZE:
            self.problem("rsc-truncated", f"the table is {size} bytes, shorter than its "
                                          f"{HDR_SIZE}-byte header", offset=0)
            return self.table
        ver, num, r0, r1 = self.u32s(0, len(HDR_FIELDS))
        header = {"ver": ver, "num": num, "reserved": [r0, r1], "offset": []}
        self.table.header = header
        if ver != 1:
            self.problem("rsc-version", f"ver is {ver}, Linux accepts only 1", offset=0)
        if r0 or r1:
            self.problem("rsc-reserved", f"header reserved words are {r0:#x}, {r1:#x}, must be 0", offset=8)
        room = (size - HDR_SIZE) // OFFSET_SIZE
        if num > room:
            self.problem("rsc-truncated", f"num is {num}: the offset array needs {HDR_SIZE + OFFSET_SIZE * num} "
                                          f"bytes, the table has {size} (room for {room} offsets)",
                         offset=HDR_SIZE)
        offsets = self.u32s(HDR_SIZE, min(num, room))
        header["offset"] = list(offsets)
        ends = sorted(set(offsets) | {size})
        for index, offset in enumerate(offsets):
            entry = self.entry(index, offset, next((e for e in ends if e > offset), size))
            self.table.entries.append(entry)
        self.check_notify_ids()
        return self.table

    def entry(self, index: int, offset: int, next_start: int) -> dict:
        size = len(self.data)
        out = {"index": index, "offset": offset}
        if offset + 4 > size:
            out["kind"] = None
            self.problem("rsc-truncated", f"entry {index} at offset {offset:#x} lies outside the "
                                          f"{size}-byte table", entry=index, offset=offset)
            return out
        (rtype,) = self.u32s(offset, 1)
        avail = size - offset
        out["type"] = rtype
        if rtype in (RSC_CARVEOUT, RSC_DEVMEM):
            return self.fixed(out, CARVEOUT_FIELDS, CARVEOUT_SIZE, avail, index, offset)
        if rtype == RSC_TRACE:
            return self.fixed(out, TRACE_FIELDS, TRACE_SIZE, avail, index, offset)
        if rtype == RSC_VDEV:
            return self.vdev(out, avail, index, offset)
        raw = self.data[offset + 4:max(offset + 4, min(next_start, size))]
        if RSC_VENDOR_START <= rtype <= RSC_VENDOR_END:
            out.update(kind="vendor", raw=raw.hex())
            return out
        out.update(kind="unknown", raw=raw.hex())
        self.problem("rsc-unknown-type", f"entry {index} at offset {offset:#x} has type {rtype}, neither "
                                         f"0..3 nor vendor {RSC_VENDOR_START}..{RSC_VENDOR_END}: Linux says "
                                         f"\"unsupported resource {rtype}\" and skips it (a vendor kernel's "
                                         "own type; the kit's remote_fw_rsc_table refuses the table)",
                     entry=index, offset=offset)
        return out

    def fixed(self, out: dict, names, entry_size: int, avail: int, index: int, offset: int) -> dict:
        kind = KIND_NAMES[out["type"]]
        out["kind"] = kind
        fit = min(len(names), avail // 4)           # the u32 fields that lie inside the table
        values = dict(zip(names[1:fit], self.u32s(offset + 4, fit - 1)))
        out.update(values)
        if avail < entry_size:
            self.problem("rsc-truncated", f"{kind} entry {index} at offset {offset:#x} needs {entry_size} "
                                          f"bytes, {avail} are left in the table", entry=index, offset=offset)
            out["truncated"] = True
            return out
        out["name"] = _cstring(self.data[offset + 4 * len(names):offset + entry_size])
        if values["reserved"]:
            self.problem("rsc-reserved", f"{kind} entry {index} at offset {offset:#x} has reserved "
                                         f"{values['reserved']:#x}, must be 0", entry=index, offset=offset)
        return out

    def vdev(self, out: dict, avail: int, index: int, offset: int) -> dict:
        out["kind"] = "vdev"
        if avail < VDEV_SIZE:
            self.problem("rsc-truncated", f"vdev entry {index} at offset {offset:#x} needs {VDEV_SIZE} bytes, "
                                          f"{avail} are left in the table", entry=index, offset=offset)
            out["truncated"] = True
            return out
        values = dict(zip(VDEV_FIELDS, self.u32s(offset, len(VDEV_FIELDS))))
        del values["type"]
        out.update(values)
        status, nvrings, r0, r1 = self.data[offset + VDEV_SIZE - 4:offset + VDEV_SIZE]
        out.update(status=status, num_of_vrings=nvrings, reserved=[r0, r1], vrings=[])
        need = VDEV_SIZE + VRING_SIZE * nvrings + values["config_len"]
        if need > avail:
            self.problem("rsc-truncated", f"vdev entry {index} at offset {offset:#x} with {nvrings} vrings and "
                                          f"{values['config_len']} bytes of config space needs {need} bytes, "
                                          f"{avail} are left in the table", entry=index, offset=offset)
            out["truncated"] = True
        if r0 or r1:
            self.problem("rsc-reserved", f"vdev entry {index} at offset {offset:#x} has reserved bytes "
                                         f"{r0:#x}, {r1:#x}, must be 0", entry=index, offset=offset)
        if nvrings > VDEV_MAX_VRINGS:
            self.problem("rsc-vdev-vrings", f"vdev entry {index} at offset {offset:#x} has {nvrings} vrings, "
                                            f"Linux accepts at most {VDEV_MAX_VRINGS}", entry=index, offset=offset)
        for v in range(nvrings):
            at = offset + VDEV_SIZE + VRING_SIZE * v
            if at + VRING_SIZE > len(self.data):
                break
            vring = dict(zip(VRING_FIELDS, self.u32s(at, len(VRING_FIELDS))))
            out["vrings"].append(vring)
            if not vring["num"] or not vring["align"]:
                self.problem("rsc-vring", f"vdev entry {index} vring {v} has num {vring['num']} and align "
                                          f"{vring['align']}: Linux says \"invalid qsz ({vring['num']}) or "
                                          f"alignment ({vring['align']})\" and the remote boots without its "
                                          "virtio device", entry=index, offset=at)
            elif vring["num"] & (vring["num"] - 1):
                self.problem("rsc-vring", f"vdev entry {index} vring {v} has num {vring['num']}, not a power "
                                          "of two: the split ring's index arithmetic breaks", entry=index, offset=at)
        if not out.get("truncated"):
            config_at = offset + VDEV_SIZE + VRING_SIZE * nvrings
            out["config"] = self.data[config_at:config_at + values["config_len"]].hex()
        return out

    def check_notify_ids(self) -> None:
        """OpenAMP keeps notify ids in a one-word bitmap: below 32 (ANY excepted), and hands a taken
        id another one; Linux ignores them (rproc_alloc_vring assigns its own and writes them back)."""
        seen: dict[int, str] = {}
        for entry in self.table.entries:
            if entry.get("kind") != "vdev" or "notifyid" not in entry:
                continue
            index = entry["index"]
            ids = [(f"vdev entry {index}", entry["notifyid"])]
            ids += [(f"vdev entry {index} vring {v}", r["notifyid"]) for v, r in enumerate(entry["vrings"])]
            for who, nid in ids:
                if nid == FW_RSC_ADDR_ANY:
                    continue
                if nid >= OPENAMP_NOTIFYID_LIMIT:
                    self.problem("rsc-notifyid-range", f"{who} has notify id {nid}: OpenAMP needs ids below "
                                                       f"{OPENAMP_NOTIFYID_LIMIT} (Linux assigns its own)",
                                 entry=index, offset=entry["offset"])
                if nid in seen:
                    self.problem("rsc-notifyid-duplicate", f"{who} has notify id {nid}, as {seen[nid]} has: "
                                                           "Linux assigns the vrings' ids itself (idr_alloc) and "
                                                           "writes them back", entry=index, offset=entry["offset"])
                else:
                    seen[nid] = who


def _cstring(raw: bytes) -> str:
    """A fixed-size name field: up to the first NUL, undecodable bytes escaped."""
    return raw.split(b"\0", 1)[0].decode("ascii", errors="backslashreplace")
