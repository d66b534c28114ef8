"""Qualcomm split images: a ``.mdt`` and its ``.bNN`` parts, read as Linux's mdt loader reads them.

Read from drivers/soc/qcom/mdt_loader.c of Debian's 6.1.192 and 6.12.118
(mdt_header_valid, qcom_mdt_read_metadata, qcom_mdt_load, mdt_load_split_segment;
the rules are the same in both). Qualcomm's pil-splitter writes ``X.mdt`` = the
ELF32 header, the program headers (phdr 0 a non-PT_LOAD covering them) and the
hash segment (p_flags & QCOM_MDT_TYPE_MASK == QCOM_MDT_TYPE_HASH) packed after
them, and ``X.bNN`` = the file bytes of segment NN. The kernel asks for
``X.bNN`` (the last three letters of the name replaced) for every segment whose
bytes are not in the .mdt.

:func:`join` reassembles the image (each segment's bytes at its p_offset) from
the parts beside the .mdt, refusing in one line when a part is missing;
:func:`check` gives the mdt loader's findings (mdt_header_valid and the
segment placement are the qcom_q6v5_pas driver rules' ``check_mdt``, shared).
The joined bytes are an ordinary ELF for ``inspect``.
"""

from __future__ import annotations

import os
from pathlib import Path

from bundler.elf import spec
from bundler.errors import BadInputError
from bundler.fileio import read_input
from bundler.findings import Finding, finding
from bundler.records import Factory, Record, replace

QCOM_MDT_TYPE_MASK = 7 << 24
QCOM_MDT_TYPE_HASH = 2 << 24
QCOM_MDT_RELOCATABLE = 1 << 27
TITLE = "Linux qcom mdt_loader (qcom_mdt_load: .mdt and .bNN parts)"


def is_mdt(path) -> bool:
    return isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith(".mdt")


def part_path(mdt: Path, segment: int) -> Path:
    """mdt_load_split_segment's name: the last three letters of the .mdt's name become bNN."""
    return mdt.with_name(mdt.name[:-3] + f"b{segment:02d}")


class Part(Record):
    segment: int
    path: str
    size: int           # bytes the part holds
    wanted: int         # the segment's p_filesz


class Split(Record):
    """A split image joined: ``data`` holds every segment's bytes at its p_offset."""

    mdt: str
    mdt_size: int
    data: bytes
    head: bytes                     # the .mdt file itself, as request_firmware gives it
    parts: list = Factory(list)     # Part, in segment order
    hash_segment: int | None = None

    def to_dict(self) -> dict:
        return {"mdt": self.mdt, "mdt_size": self.mdt_size, "hash_segment": self.hash_segment,
                "parts": [{"segment": p.segment, "path": p.path, "size": p.size, "p_filesz": p.wanted}
                          for p in self.parts]}


def _is_hash(p) -> bool:
    return (p.p_flags & QCOM_MDT_TYPE_MASK) == QCOM_MDT_TYPE_HASH


def loaded(p) -> bool:
    """mdt_phdr_valid: a PT_LOAD with memory that is not the hash segment."""
    return p.p_type == spec.PT_LOAD and not _is_hash(p) and bool(p.p_memsz)


def join(path) -> Split:
    """The .mdt at ``path`` and its parts as one ELF image; BadInputError naming a missing part."""
    mdt = Path(path)
    raw = bytes(read_input(mdt, "split image (.mdt)"))
    if len(raw) < spec.EI_NIDENT or raw[:4] != spec.ELFMAG or raw[spec.EI_CLASS] != spec.ELFCLASS32:
        raise BadInputError("is not an ELF32 header: Linux's mdt loader reads only ELF32 .mdt files", file=str(mdt),
                            hint="give the .mdt that Qualcomm's pil-splitter wrote")
    lay = spec.Layout.of(raw)
    ehdr = lay.ehdr.unpack(raw)
    if ehdr.e_phoff + ehdr.e_phnum * lay.phdr.size > len(raw):
        raise BadInputError(f"its {ehdr.e_phnum} program headers at {ehdr.e_phoff:#x} run past its end "
                            f"({len(raw)} bytes)", file=str(mdt), address=ehdr.e_phoff, size=len(raw),
                            hint="the .mdt is truncated; copy it again")
    phdrs = list(lay.phdr.iter_unpack(raw, ehdr.e_phoff, ehdr.e_phnum))
    hash_segment = next((i for i in range(1, len(phdrs)) if _is_hash(phdrs[i])), None)
    size = max([len(raw)] + [p.p_offset + p.p_filesz for p in phdrs if p.p_filesz])
    out = bytearray(size)
    out[:len(raw)] = raw
    parts = []
    packed = len(phdrs) > 1 and hash_segment is not None and \
        phdrs[0].p_filesz + phdrs[hash_segment].p_filesz == len(raw)
    # qcom_mdt_bins_are_split: any segment's bytes past the .mdt means every loaded one is in a part
    split = any(p.p_filesz and p.p_offset + p.p_filesz > len(raw) for p in phdrs)
    for i, p in enumerate(phdrs):
        if not p.p_filesz or i == 0:
            continue
        if i == hash_segment:                   # qcom_mdt_read_metadata's three places for the hash
            if packed:
                out[p.p_offset:p.p_offset + p.p_filesz] = raw[phdrs[0].p_filesz:phdrs[0].p_filesz + p.p_filesz]
                continue
            if p.p_offset + p.p_filesz <= len(raw):
                continue
        elif not split or not loaded(p):
            continue
        part = part_path(mdt, i)
        if not part.exists():
            raise BadInputError(f"segment {i} ({p.p_filesz} bytes, p_paddr {p.p_paddr:#x}) is in {part.name}, which "
                                f"is missing from {part.parent}", file=str(mdt), address=p.p_paddr, size=p.p_filesz,
                                hint=f"copy every part ({mdt.name[:-3]}bNN) beside the .mdt, as /lib/firmware has "
                                     "them")
        data = bytes(read_input(part, "split image part"))
        out[p.p_offset:p.p_offset + min(len(data), p.p_filesz)] = data[:p.p_filesz]
        parts.append(Part(segment=i, path=str(part), size=len(data), wanted=p.p_filesz))
    if ehdr.e_shnum and ehdr.e_shoff + ehdr.e_shnum * lay.shdr.size > len(out):
        out[:lay.ehdr.size] = lay.ehdr.pack(replace(ehdr, e_shoff=0, e_shnum=0, e_shstrndx=0))
    return Split(mdt=str(mdt), mdt_size=len(raw), data=bytes(out), head=raw, parts=parts, hash_segment=hash_segment)


def check(split: Split, memory=None) -> list[Finding]:
    """What the mdt loader refuses, in its order: mdt_header_valid on the .mdt (the driver rules'
    check_mdt, bundler.loaders.drivers.rules), qcom_mdt_read_metadata, each part's size
    (mdt_load_split_segment), then each segment (check_mdt again: p_filesz, and with memory, where
    it lands in the region: the first range)."""
    from bundler.loaders.base import Context
    from bundler.loaders.drivers import rules as driver_rules
    ctx = Context(data=split.head, memory=memory, rules={r.code: r for r in driver_rules.RULES})
    driver_rules.check_mdt(ctx)
    header = [f for f in ctx.findings if f.code == "driver-mdt-header"]
    if header:
        return header
    data = split.head
    lay = spec.Layout.of(data)
    ehdr = lay.ehdr.unpack(data)
    phdrs = list(lay.phdr.iter_unpack(data, ehdr.e_phoff, ehdr.e_phnum))
    out = []
    name = Path(split.mdt).name
    if len(phdrs) < 2 or phdrs[0].p_type == spec.PT_LOAD:
        out.append(finding("mdt-metadata", "the .mdt needs at least two program headers, the first not PT_LOAD: "
                                           "qcom_mdt_read_metadata returns -EINVAL"))
    elif split.hash_segment is None:
        out.append(finding("mdt-metadata", f"no program header has the hash type (p_flags & {QCOM_MDT_TYPE_MASK:#x} "
                                           f"== {QCOM_MDT_TYPE_HASH:#x}) (\"no hash segment found in {name}\")"))
    for part in split.parts:
        if part.size != part.wanted:
            p, base = phdrs[part.segment], Path(part.path).name
            out.append(finding("mdt-part-truncated", f"{base} holds {part.size} bytes, segment {part.segment} has "
                                                     f"p_filesz {part.wanted} (\"failed to load segment "
                                                     f"{part.segment} from truncated file {base}\")", None,
                               p.p_paddr, p.p_filesz))
    return out + ctx.findings
