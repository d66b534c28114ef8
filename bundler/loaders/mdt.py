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
:func:`check` gives the mdt loader's findings. The joined bytes are an ordinary
ELF for ``inspect`` and the memory checks.
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
    return Split(mdt=str(mdt), mdt_size=len(raw), data=bytes(out), parts=parts, hash_segment=hash_segment)


def check(split: Split, memory=None) -> list[Finding]:
    """What qcom_mdt_read_metadata and qcom_mdt_load refuse, in their order."""
    raw_size, data = split.mdt_size, split.data
    lay = spec.Layout.of(data)
    ehdr = lay.ehdr.unpack(data)
    phdrs = list(lay.phdr.iter_unpack(data, ehdr.e_phoff, ehdr.e_phnum))
    out = []
    name = Path(split.mdt).name
    if ehdr.e_phentsize != lay.phdr.size:
        out.append(finding("mdt-metadata", f"e_phentsize is {ehdr.e_phentsize}, not {lay.phdr.size}: "
                                           "mdt_header_valid refuses the .mdt (-EINVAL)"))
    if ehdr.e_shnum and ehdr.e_shoff + ehdr.e_shnum * lay.shdr.size > raw_size:
        out.append(finding("mdt-metadata", f"{ehdr.e_shnum} section headers at {ehdr.e_shoff:#x} lie past the "
                                           f"{raw_size}-byte .mdt: mdt_header_valid refuses it (-EINVAL)"))
    if len(phdrs) < 2 or phdrs[0].p_type == spec.PT_LOAD:
        out.append(finding("mdt-metadata", "the .mdt needs at least two program headers, the first not PT_LOAD: "
                                           "qcom_mdt_read_metadata returns -EINVAL"))
    elif split.hash_segment is None:
        out.append(finding("mdt-metadata", f"no program header has the hash type (p_flags & {QCOM_MDT_TYPE_MASK:#x} "
                                           f"== {QCOM_MDT_TYPE_HASH:#x}) (\"no hash segment found in {name}\")"))
    parts = {p.segment: p for p in split.parts}
    relocatable = any(loaded(p) and p.p_flags & QCOM_MDT_RELOCATABLE for p in phdrs)
    if memory is not None and relocatable:
        out.extend(_check_relocated(phdrs, memory))
    for i, p in enumerate(phdrs):
        if i in parts and parts[i].size != p.p_filesz:
            part = Path(parts[i].path).name
            out.append(finding("mdt-part-truncated", f"{part} holds {parts[i].size} bytes, segment {i} has p_filesz "
                                                     f"{p.p_filesz} (\"failed to load segment {i} from truncated "
                                                     f"file {part}\")", None, p.p_paddr, p.p_filesz))
        if not loaded(p):
            continue
        if p.p_filesz > p.p_memsz:
            out.append(finding("mdt-segment", f"segment {i} has p_filesz {p.p_filesz} > p_memsz {p.p_memsz} "
                                              f"(\"refusing to load segment {i} with p_filesz > p_memsz\")", None,
                               p.p_paddr, p.p_memsz))
        elif memory is not None and not relocatable and memory.find_holding(p.p_paddr, p.p_memsz) is None:
            out.append(finding("mdt-memory", f"segment {i} (p_paddr {p.p_paddr:#x}, {p.p_memsz} bytes) is "
                                             f"{memory.describe_miss(p.p_paddr, p.p_memsz)} (\"segment outside "
                                             "memory range\")", None, p.p_paddr, p.p_memsz))
    return out


def _check_relocated(phdrs, memory) -> list[Finding]:
    """A relocatable image (QCOM_MDT_RELOCATABLE) is moved as a whole: each segment goes to the
    region's start + (p_paddr - the lowest p_paddr), and the span up to the highest end (aligned to
    4 KiB) must fit the region the driver gives (one of the memory ranges)."""
    loads = [p for p in phdrs if loaded(p)]
    low = min(p.p_paddr for p in loads)
    high = max((p.p_paddr + p.p_memsz + 0xFFF) & ~0xFFF for p in loads)
    if any(r.size >= high - low for r in memory.ranges):
        return []
    biggest = max(memory.ranges, key=lambda r: r.size)
    return [finding("mdt-memory", f"the relocatable image spans {high - low} bytes from p_paddr {low:#x}, more than "
                                  f"the largest memory range ({biggest}) holds (\"segment outside memory range\")",
                    None, low, high - low)]
