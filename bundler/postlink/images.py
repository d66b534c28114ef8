"""The images a file carries, found by their symbols, descriptors and bundle record.

Discovery only, for verify, inspect and extract: which stems the file knows
(a ``_binary_<stem>_start/_end/_size`` symbol, a REMOTE_FW_DECLARE descriptor,
an entry of the ``.rproc_bundle`` record), where each image is, and which
PT_LOAD holds its bytes. Whether the sources agree is :mod:`bundler.checks`'s
question.
"""

from __future__ import annotations

import re

from bundler.postlink import descriptor as desc_mod
from bundler.postlink.bundle_record import BundleRecord, RecordEntry, read_record
from bundler.elf.model import ElfFile, Section, Symbol
from bundler.elf.spec import Phdr
from bundler.errors import BadInputError, UsageError, option
from bundler.records import Factory, Record

_SYMBOL_RE = re.compile(r"_binary_(.+)_(start|end|size)\Z")
_SYMBOL_ATTR = {"start": "start", "end": "end", "size": "size_symbol"}

POST_LINK, PRE_LINK, DECLARED, SYMBOLS_ONLY = "post-link", "pre-link", "declared", "symbols"


class Placement(Record):
    """Where an image's bytes are: the PT_LOAD that holds them in its file part."""

    segment: int            # index in the program header table
    phdr: Phdr
    lma: int                # p_paddr of the image's first byte
    offset: int             # file offset of the image's first byte


class EmbeddedImage(Record):
    stem: str
    start: Symbol | None = None
    end: Symbol | None = None
    size_symbol: Symbol | None = None
    descriptor: desc_mod.Descriptor | None = None
    record: RecordEntry | None = None   # this stem's entry in the bundle record

    @property
    def symbols(self) -> tuple[Symbol | None, Symbol | None, Symbol | None]:
        return self.start, self.end, self.size_symbol

    @property
    def flow(self) -> str:
        """How the image got there: post-link bundle, pre-link object, or not at all."""
        if self.record is not None or (self.descriptor and self.descriptor.is_bundled):
            return POST_LINK
        if self.descriptor is not None and self.descriptor.is_linked:
            return PRE_LINK
        if self.start is not None:
            return SYMBOLS_ONLY
        return DECLARED

    @property
    def symbol_extent(self) -> tuple[int, int] | None:
        """(address, size) as the _start/_end symbols say (else _start/_size), or None."""
        if self.start is None:
            return None
        if self.end is not None:
            return self.start.st_value, self.end.st_value - self.start.st_value
        if self.size_symbol is not None:
            return self.start.st_value, self.size_symbol.st_value
        return None

    @property
    def extent(self) -> tuple[int, int] | None:
        """(address, size) from the best source: record, then symbols, then descriptor."""
        if self.record is not None:
            return self.record.address, self.record.size
        by_symbols = self.symbol_extent
        if by_symbols is not None and by_symbols[1] >= 0:
            return by_symbols
        if self.start is not None and self.size_symbol is not None:
            return self.start.st_value, self.size_symbol.st_value
        d = self.descriptor
        if d is not None and d.is_bundled:
            return d.base, d.size_field
        if d is not None and d.is_linked:
            return d.start, d.end - d.start
        return None


class Inventory(Record):
    """Everything :func:`survey` found; a source it could not read is an error here, not a raise."""

    images: list[EmbeddedImage]
    record: BundleRecord | None = None
    record_error: BadInputError | None = None
    descriptors: list[desc_mod.Descriptor] = Factory(list)
    descriptor_error: BadInputError | None = None

    def find(self, stem: str) -> EmbeddedImage | None:
        return next((img for img in self.images if img.stem == stem), None)

    @property
    def carried(self) -> list[EmbeddedImage]:
        """The images that are there (not merely declared)."""
        return [img for img in self.images if img.flow != DECLARED]


def survey(elf: ElfFile) -> Inventory:
    """Every stem the file knows, in address order (declared-only stems last, by name)."""
    inv = Inventory(images=[])
    by_stem: dict[str, EmbeddedImage] = {}

    def image(stem: str) -> EmbeddedImage:
        return by_stem.setdefault(stem, EmbeddedImage(stem))

    for sym in elf.symbols:
        m = _SYMBOL_RE.match(sym.name)
        if m and sym.is_defined:
            stem, which = m.groups()
            img = image(stem)
            attr = _SYMBOL_ATTR[which]
            if getattr(img, attr) is None:
                setattr(img, attr, sym)
    try:
        inv.descriptors = list(desc_mod.iter_descriptors(elf))
    except BadInputError as exc:
        inv.descriptor_error = exc
    for d in inv.descriptors:
        if d.stem is not None and image(d.stem).descriptor is None:
            image(d.stem).descriptor = d
    try:
        inv.record = read_record(elf)
    except BadInputError as exc:
        inv.record_error = exc
    if inv.record is not None:
        for entry in inv.record.images:
            image(entry.stem).record = entry

    def order(img: EmbeddedImage):
        ext = img.extent
        return (ext is None, ext[0] if ext else 0, img.stem)

    inv.images = sorted(by_stem.values(), key=order)
    return inv


def find_placement(elf: ElfFile, address: int, size: int) -> Placement | None:
    """The PT_LOAD whose file bytes hold [address, address + size) at its VMA, if one does."""
    where = elf.find_load(address, size)
    if where is None:
        return None
    index, lma, offset = where
    return Placement(segment=index, phdr=elf.segments[index], lma=lma, offset=offset)


def image_bytes(elf: ElfFile, img: EmbeddedImage) -> memoryview | None:
    """The image as the host sees it (the file bytes of the PT_LOAD that holds it), or None."""
    ext = img.extent
    if ext is None:
        return None
    where = find_placement(elf, *ext)
    if where is None:
        return None
    return memoryview(elf.data)[where.offset:where.offset + ext[1]]


def image_section(elf: ElfFile, img: EmbeddedImage) -> Section | None:
    """The image's section: the one the bundle record names (post-link), else its _start symbol's."""
    by_symbol = section_of(elf, img.start)
    if img.record is not None:
        if by_symbol is not None and by_symbol.name == img.record.section:
            return by_symbol            # the right one, should two sections share the name
        return elf.find_section(img.record.section)
    return by_symbol


def section_of(elf: ElfFile, sym: Symbol | None) -> Section | None:
    if sym is None or not 0 < sym.st_shndx < len(elf.sections):
        return None
    return elf.sections[sym.st_shndx]


def extract(elf: ElfFile, stem: str | None) -> tuple[str, memoryview]:
    """The bytes of the image ``stem`` (or of the only image, if ``stem`` is None): (stem, bytes)."""
    inv = survey(elf)
    carried = inv.carried
    names = ", ".join(img.stem for img in carried) or "none"
    if stem is None:
        if len(carried) != 1:
            raise UsageError(f"carries {len(carried)} images ({names}): say which with {option('stem')}",
                             param="stem", hint=f"pass {option('stem')} STEM")
        img = carried[0]
    else:
        img = inv.find(stem)
        if img is None or img.flow == DECLARED:
            raise BadInputError(f"carries no image {stem}" + (" (declared, but not bundled)" if img else ""),
                                hint=f"the images it carries: {names}")
    data = image_bytes(elf, img)
    if data is None:
        address, size = img.extent
        raise BadInputError(f"image {img.stem} at {address:#x} ({size} bytes) is not in the file bytes of any "
                            "PT_LOAD", address=address, size=size, hint="run 'bundle verify' on the file")
    return img.stem, data
