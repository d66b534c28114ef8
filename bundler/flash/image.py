"""The memory image a flash file describes: sorted, non-overlapping runs of bytes.

:func:`image_from_elf` takes an ELF's PT_LOAD segments at ``p_paddr``. By
default it keeps, inside each segment, only the bytes of the SHF_ALLOC
sections with file contents, one run per section, which is exactly what
``objcopy -O ihex|srec|binary`` writes: alignment padding between sections
and ELF headers mapped into a segment are left out, and records restart at
each section. ``whole_segments=True`` takes every ``p_filesz`` byte instead
(what a segment loader such as remoteproc or OpenOCD copies). An ELF without
section headers always gives whole segments.

Runs hold memoryviews into the ELF's bytes: nothing is copied here.
:func:`image_from_chunks` does the same for a file that exists only as the
chunks a bundle wrote (its headers read from the chunks, its bytes viewed in
place), so ``bundle --hex`` never joins the output into one buffer.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.elf.model import ElfFile, Section
from bundler.errors import BadInputError, NoFitError, option
from bundler.records import Factory, FrozenRecord, Record


class Run(FrozenRecord):
    """``data`` (bytes-like) at ``address``; ``label`` names where it came from, for messages."""

    address: int
    data: bytes | bytearray | memoryview
    label: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def end(self) -> int:
        return self.address + len(self.data)

    def describe(self) -> str:
        return f"{self.label} at {self.address:#x} ({self.size} bytes)"


class FlashImage(Record):
    """Runs sorted by address, never overlapping, none empty; ``start`` is the entry (None: none)."""

    runs: list[Run]
    start: int | None = None
    notes: list[str] = Factory(list)

    @classmethod
    def of(cls, runs, start: int | None = None, notes=None, *, hint: str | None = None) -> "FlashImage":
        """Sort ``runs`` (dropping empty ones) and refuse any overlap (NoFitError, exit 4)."""
        ordered = sorted((r for r in runs if len(r.data)), key=lambda r: (r.address, r.end))
        for before, after in zip(ordered, ordered[1:]):
            if after.address < before.end:
                overlap = min(before.end, after.end) - after.address
                raise NoFitError(f"{after.describe()} overlaps {before.describe()}: {overlap} bytes "
                                 f"from {after.address:#x}", address=after.address, size=overlap,
                                 hint=hint or "every address may be written once; move one of them")
        return cls(runs=ordered, start=start, notes=list(notes or []))

    # ---- extent ----------------------------------------------------------------
    @property
    def size(self) -> int:
        """Bytes of data (gaps not counted)."""
        return sum(r.size for r in self.runs)

    @property
    def lowest(self) -> int:
        return self.runs[0].address

    @property
    def end(self) -> int:
        """One past the highest address that holds data."""
        return max(r.end for r in self.runs)

    @property
    def span(self) -> int:
        return self.end - self.lowest

    def iter_gaps(self):
        """``(address, size)`` of every hole between the lowest and the highest byte."""
        for before, after in zip(self.runs, self.runs[1:]):
            if after.address > before.end:
                yield before.end, after.address - before.end

    def check_below(self, limit: int, fmt: str) -> None:
        """NoFitError unless every byte sits below ``limit`` (a format's address space)."""
        for run in self.runs:
            if run.end > limit:
                raise NoFitError(f"{run.describe()} ends at {run.end:#x}, beyond what {fmt} can "
                                 f"address (below {limit:#x})", address=run.address, size=run.size,
                                 hint="relink with load addresses (p_paddr) below 4 GiB, or write "
                                      f"{option('format')} bin for this range")

    # ---- combining and comparing ---------------------------------------------
    def merged_with(self, other: "FlashImage") -> "FlashImage":
        """Both images' runs in one; an overlap is a NoFitError naming both. Keeps this start."""
        return FlashImage.of(self.runs + other.runs, self.start, self.notes + other.notes,
                             hint="a merged file may not overwrite bytes the ELF or another "
                                  "merged file already holds; drop or relocate one of them")

    def coalesced(self) -> list[tuple[int, bytes]]:
        """The memory image as maximal contiguous ``(address, bytes)`` blocks (for comparisons)."""
        out: list[tuple[int, bytearray]] = []
        for run in self.runs:
            if out and out[-1][0] + len(out[-1][1]) == run.address:
                out[-1][1].extend(run.data)
            else:
                out.append((run.address, bytearray(run.data)))
        return [(address, bytes(data)) for address, data in out]


def runs_from_records(pieces, name: str, unit: str = "line") -> list[Run]:
    """Decoded records ``(address, bytes, line or block number)`` -> runs; adjacent records join.

    Overlapping records are a BadInputError (for the decoders).
    """
    runs: list[tuple[int, bytearray, int]] = []
    for address, payload, lineno in sorted(pieces, key=lambda p: p[0]):
        if runs and address < runs[-1][0] + len(runs[-1][1]):
            raise BadInputError(f"{unit} {lineno}: data at {address:#x} overlaps earlier data",
                                file=name, address=address, size=len(payload))
        if runs and address == runs[-1][0] + len(runs[-1][1]):
            runs[-1][1].extend(payload)
        else:
            runs.append((address, bytearray(payload), lineno))
    return [Run(address, bytes(data), f"{name} {unit} {lineno}") for address, data, lineno in runs]


def image_from_elf(elf: ElfFile, *, whole_segments: bool = False) -> FlashImage:
    """The flash image of ``elf``: its PT_LOAD bytes at p_paddr, start address e_entry.

    Raises BadInputError when no PT_LOAD has file bytes, NoFitError when two
    runs overlap by load address.
    """
    loads = [(index, p) for index, p in enumerate(elf.segments)
             if p.p_type == spec.PT_LOAD and p.p_filesz > 0]
    if not loads:
        raise BadInputError(f"no PT_LOAD segment with file bytes among its {len(elf.segments)} program "
                            "headers: there is nothing to flash",
                            hint="pass a linked executable ELF (an object file or a .bss-only image "
                                 "has no load image)")
    data = elf.data if isinstance(elf.data, ChunkedFile) else memoryview(elf.data)
    contents = [s for s in elf.sections
                if s.is_alloc and s.has_file_bytes and s.hdr.sh_size > 0]
    runs, notes = [], []
    for index, p in loads:
        seg_start, seg_end = p.p_offset, p.p_offset + p.p_filesz
        inside = [] if whole_segments or not contents else \
            sorted((s for s in contents
                    if s.hdr.sh_offset < seg_end and s.hdr.sh_offset + s.hdr.sh_size > seg_start),
                   key=lambda s: s.hdr.sh_offset)
        if whole_segments or not contents:
            names = ", ".join(s.name for s in contents
                              if seg_start <= s.hdr.sh_offset < seg_end) if contents else ""
            runs.append(Run(p.p_paddr, data[seg_start:seg_end],
                            f"PT_LOAD {index}" + (f" ({names})" if names else "")))
            continue
        if not inside:
            notes.append(f"PT_LOAD {index} at {p.p_paddr:#x} ({p.p_filesz} bytes) holds no section "
                         f"and is left out, as objcopy does; {option('whole_segments')} writes it")
            continue
        for sec in inside:
            lo = max(sec.hdr.sh_offset, seg_start)
            hi = min(sec.hdr.sh_offset + sec.hdr.sh_size, seg_end)
            runs.append(Run(p.p_paddr + (lo - seg_start), data[lo:hi], f"section {sec.name or sec.index}"
                            f" (PT_LOAD {index})"))
    if not runs:
        raise BadInputError("no section lies inside a PT_LOAD segment: there is nothing to flash",
                            hint=f"pass {option('whole_segments')} to write the segments' bytes as they are")
    entry = elf.ehdr.e_entry
    return FlashImage.of(runs, start=entry if entry else None, notes=notes,
                         hint="two PT_LOAD segments (or sections in them) share load addresses "
                              "(p_paddr); fix the linker script's AT() or > REGION placement")


class ChunkedFile:
    """A file held as consecutive chunks (bytes-like), sliced without joining them.

    A slice inside one chunk is a memoryview of it; one that straddles chunks
    (rare: headers, small tables) is a copy of just those bytes.
    """

    def __init__(self, chunks):
        self.chunks = [memoryview(c).cast("B") for c in chunks]
        self.starts = []
        at = 0
        for c in self.chunks:
            self.starts.append(at)
            at += len(c)
        self.size = at

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, key: slice):
        start, stop, _ = key.indices(self.size)
        stop = max(start, stop)
        pieces = []
        for c, at in zip(self.chunks, self.starts):
            lo, hi = max(start, at), min(stop, at + len(c))
            if lo < hi:
                pieces.append(c[lo - at:hi - at])
        if len(pieces) == 1:
            return pieces[0]
        return memoryview(b"".join(pieces))


def elf_from_chunks(chunks) -> ElfFile:
    """The headers of an ELF file that exists as ``chunks`` (a bundle's output), over a
    :class:`ChunkedFile`: enough for :func:`image_from_elf`, no symbols."""
    data = ChunkedFile(chunks)
    head = data[:spec.EI_NIDENT]
    layout = spec.Layout.of(head)
    ehdr = layout.ehdr.unpack(data[:layout.ehdr.size])
    segments = list(layout.phdr.iter_unpack(data[ehdr.e_phoff:ehdr.e_phoff + ehdr.e_phnum * layout.phdr.size],
                                            0, ehdr.e_phnum))
    shnum = ehdr.e_shnum
    first = layout.shdr.unpack(data[ehdr.e_shoff:ehdr.e_shoff + layout.shdr.size]) if ehdr.e_shoff else None
    if shnum == 0 and first is not None:
        shnum = first.sh_size                     # extended section numbering
    shdrs = list(layout.shdr.iter_unpack(data[ehdr.e_shoff:ehdr.e_shoff + shnum * layout.shdr.size],
                                         0, shnum)) if shnum else []
    shstrndx = ehdr.e_shstrndx
    if shstrndx == spec.SHN_XINDEX and first is not None:
        shstrndx = first.sh_link
    names = b""
    if 0 < shstrndx < len(shdrs):
        strtab = shdrs[shstrndx]
        names = bytes(data[strtab.sh_offset:strtab.sh_offset + strtab.sh_size])

    def name_of(hdr) -> str:
        end = names.find(b"\0", hdr.sh_name)
        return names[hdr.sh_name:end if end >= 0 else len(names)].decode("utf-8", "replace")

    sections = [Section(index=i, name=name_of(h) if names else "", hdr=h) for i, h in enumerate(shdrs)]
    return ElfFile(data=data, layout=layout, ehdr=ehdr, segments=segments, sections=sections)


def image_from_chunks(chunks, *, whole_segments: bool = False) -> FlashImage:
    """:func:`image_from_elf` of the ELF file made of ``chunks``, viewed in place."""
    return image_from_elf(elf_from_chunks(chunks), whole_segments=whole_segments)
