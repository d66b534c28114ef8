"""One way to write a flash file, shared by ``bundle hex``, ``bundle --hex`` and the API.

:class:`FlashOptions` holds every choice (format, line ends, record length,
gap fill, span limit, UF2 family, start record, whole segments, merged
images); :func:`plan` turns an ELF (a parsed :class:`~bundler.elf.model.ElfFile`
or the chunks a bundle produced) into a :class:`FlashPlan` whose ``chunks``
the caller streams to disk. Every check runs in :func:`plan`, before the
first byte: the chunks themselves are made lazily, one window at a time.
No paths are opened here; ``name`` is only for the S-record header and
messages.
"""

from __future__ import annotations

import os

from bundler.errors import Notice, UsageError, option
from bundler.fileio import WINDOW, release
from bundler.flash import FORMATS, find_format_for_path
from bundler.flash.binary import DEFAULT_MAX_SPAN, iter_binary
from bundler.flash.families import parse_family
from bundler.flash.ihex import iter_ihex
from bundler.flash.image import FlashImage, image_from_chunks, image_from_elf
from bundler.flash.srec import DEFAULT_LEN, MAX_LEN, iter_srec
from bundler.flash.uf2 import iter_uf2
from bundler.records import Factory, Record, replace

EOLS = {"crlf": b"\r\n", "lf": b"\n"}


class FlashOptions(Record):
    """How to write a flash file; every field has the command line's default."""

    format: str | None = None           # ihex, srec, bin, uf2; None: from the output's extension
    eol: str = "crlf"                   # line ends of Intel HEX and S-records: crlf or lf
    srec_len: int = DEFAULT_LEN         # data bytes per S-record, 1..MAX_LEN
    gap_fill: int | None = None         # bin: fill byte for gaps (required if there are any); uf2: page fill
    max_span: int = DEFAULT_MAX_SPAN    # bin: the largest span written
    family: int | str | None = None     # uf2: an id, a name (RP2040), or "none"; required for uf2
    start: bool = True                  # write the start address (e_entry) record
    whole_segments: bool = False        # every p_filesz byte, not only the sections' bytes
    merge: list[FlashImage] = Factory(list)   # other images to write too (decoded Intel HEX files)


class FlashPlan(Record):
    """A checked flash file, ready to stream: ``chunks`` is lazy."""

    format: str
    image: FlashImage
    chunks: object
    family: int | None = None
    notes: list[str] = Factory(list)


def find_format(name: str, options: FlashOptions) -> str:
    """The format ``options`` names, else the one the extension of ``name`` names."""
    fmt = options.format or find_format_for_path(name)
    if fmt is None:
        raise UsageError(f"cannot tell the flash format of {name} from its extension", param="format",
                         hint="name it .hex, .srec, .s19, .s28, .s37, .bin or .uf2, "
                              f"or pass {option('format')}")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    return fmt


def plan(source, name: str, options: FlashOptions | None = None, *, on_note=None) -> FlashPlan:
    """Check everything and prepare the flash file ``name`` of ``source``.

    ``source`` is a parsed ELF, or a list of chunks that make one (a bundle's
    output, read in place). ``on_note(text)`` hears each note as soon as it is
    known (a segment left out). Raises UsageError, BadInputError or NoFitError.
    """
    options = options or FlashOptions()
    name = os.fspath(name)
    fmt = find_format(name, options)
    if isinstance(source, (list, tuple)):
        image = image_from_chunks(source, whole_segments=options.whole_segments)
    else:
        image = image_from_elf(source, whole_segments=options.whole_segments)
    notes = [Notice(n) for n in image.notes]
    for note in notes:
        if on_note is not None:
            on_note(note)
    for other in options.merge:
        image = image.merged_with(other)
    if not options.start:
        image = replace(image, start=None)
    family = None
    if fmt == "uf2":
        if options.family is None:
            raise UsageError(f"UF2 needs {option('family')}", param="family",
                             hint=f"e.g. {option('family')} RP2040, a number such as 0xe48bff56, or "
                                  f"{option('family')} none; 'bundle hex --list-families' lists names")
        family = options.family if isinstance(options.family, int) else parse_family(options.family)
    chunks = _handing_back(encode(image, fmt, options, name=name, family=family), image)
    return FlashPlan(format=fmt, image=image, chunks=chunks, family=family, notes=notes)


def _handing_back(chunks, image: FlashImage, every: int = WINDOW):
    """``chunks`` as they come; after every ``every`` bytes of them, the pages of the maps the
    image's runs view are handed back (:func:`bundler.fileio.release`), so a large input read
    end to end never stays resident."""
    maps = {}
    for run in image.runs:
        base = run.data.obj if isinstance(run.data, memoryview) else run.data
        maps[id(base)] = base
    since = 0
    for chunk in chunks:
        yield chunk
        since += len(chunk)
        if since >= every:
            since = 0
            for base in maps.values():
                release(base)


def encode(image: FlashImage, fmt: str, options: FlashOptions, *, name: str = "",
           family: int | None = None):
    """The flash file of ``image`` in ``fmt`` as lazy chunks; every check runs first."""
    if options.eol not in EOLS:
        raise UsageError(f"line end {options.eol!r} is neither crlf nor lf", hint="pass crlf or lf")
    eol = EOLS[options.eol]
    fill = options.gap_fill
    if fill is not None and not 0 <= fill <= 0xFF:
        raise UsageError(f"{option('gap_fill')} {fill} is not a byte value", hint="give 0..255, e.g. 0xFF")
    if fmt == "ihex":
        return iter_ihex(image, eol=eol)
    if fmt == "srec":
        if not 1 <= options.srec_len <= MAX_LEN:
            raise UsageError(f"{option('srec_len')} {options.srec_len} is outside 1..{MAX_LEN}",
                             hint=f"an S3 record holds at most {MAX_LEN} data bytes")
        header = os.fsencode(os.path.basename(name))
        return iter_srec(image, header=header, eol=eol, length=options.srec_len)
    if fmt == "bin":
        return iter_binary(image, fill=fill, max_span=options.max_span)
    if fmt == "uf2":
        return iter_uf2(image, family=family, fill=0 if fill is None else fill)
    raise UsageError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
