"""Write a flash programmer file from an ELF: Intel HEX, S-records, raw binary or UF2.

The data are the ELF's PT_LOAD segments at their load addresses (p_paddr):
by default the bytes of the sections inside them, exactly what objcopy
writes (padding between sections is left out); --whole-segments takes every
p_filesz byte, as a segment loader copies them. The start address is e_entry.

formats (from the output's extension unless --format is given):
  ihex  .hex .ihex .ihx                 = objcopy -O ihex, record for record
  srec  .srec .s19 .s28 .s37 .mot       = objcopy -O srec (S0 holds the file's base name)
  bin   .bin                            from the lowest address; gaps need --gap-fill
  uf2   .uf2                            256-byte blocks; needs --family

examples:
  bundle hex build/combined.elf -o build/combined.hex
  bundle hex combined.elf -o combined.s37 --eol lf
  bundle hex combined.elf -o combined.bin --gap-fill 0xFF
  bundle hex combined.elf -o combined.uf2 --family RP2040
  bundle hex app.elf -o full.hex --merge bootloader.hex
"""

from __future__ import annotations

import argparse
import os

from bundler.cli import info, load_elf, warn
from bundler.cli.numbers import parse_int
from bundler.errors import BundleError, UsageError
from bundler.fileio import read_input, refuse_overwriting_inputs, write_outputs
from bundler.flash import FORMATS, find_format_for_path
from bundler.flash.binary import DEFAULT_MAX_SPAN, iter_binary
from bundler.flash.families import describe_families, find_family_name, parse_family
from bundler.flash.ihex import iter_ihex
from bundler.flash.image import image_from_elf
from bundler.flash.srec import DEFAULT_LEN, MAX_LEN, iter_srec
from bundler.flash.uf2 import iter_uf2
from bundler.records import replace


class _ListFamilies(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(describe_families())
        parser.exit(0)


def add_arguments(parser) -> None:
    parser.add_argument("elf", metavar="ELF", help="the linked (or bundled) ELF")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the flash file to write")
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from FILE's extension)")
    parser.add_argument("--no-start", action="store_true",
                        help="no start address record (Intel HEX 03/05; S-record terminator says 0)")
    parser.add_argument("--eol", choices=("crlf", "lf"), default="crlf",
                        help="line ends of Intel HEX and S-records (default crlf, as objcopy)")
    parser.add_argument("--srec-len", default=str(DEFAULT_LEN), metavar="N",
                        help=f"data bytes per S-record, 1..{MAX_LEN} (default {DEFAULT_LEN}, as objcopy)")
    parser.add_argument("--gap-fill", metavar="BYTE",
                        help="fill byte for gaps (bin: required when the image has gaps; "
                             "uf2: pads partly covered 256-byte pages, default 0x00)")
    parser.add_argument("--max-span", default=str(DEFAULT_MAX_SPAN), metavar="SIZE",
                        help="largest raw binary to write, lowest to highest address (default 256M)")
    parser.add_argument("--family", metavar="NAME|ID",
                        help="UF2 family: a name (RP2040, STM32F4, ...), a number, or 'none'")
    parser.add_argument("--list-families", action=_ListFamilies, help="print the known UF2 families")
    parser.add_argument("--merge", action="append", default=[], metavar="FILE.hex",
                        help="also write the data of this Intel HEX file (repeatable); "
                             "any address it shares with the ELF or another merge is an error")
    parser.add_argument("--whole-segments", action="store_true",
                        help="every p_filesz byte of each PT_LOAD, padding between sections included")


def run(args) -> int:
    refuse_overwriting_inputs([args.output], [args.elf, *args.merge])
    elf = load_elf(args.elf, "ELF")
    item = flash_output(elf, args.output, args, source=os.fspath(args.elf))
    size = write_outputs([item])[0]
    info(args, f"wrote {args.output} ({size} bytes)")
    return 0


def flash_output(elf, path, args, *, source: str | None = None):
    """``(path, chunks, mode)`` for :func:`bundler.fileio.write_outputs`: ``elf``'s flash file.

    The format comes from ``args.format`` or the extension of ``path``. Every
    check runs here, before the first byte is written; the chunks are made
    lazily, one 64 KiB window at a time. ``args`` may lack the hex options
    (the bundle command's ``--hex``): their defaults apply.
    """
    path = os.fspath(path)
    source = source or getattr(args, "elf", None) or getattr(args, "output", None) or "ELF"
    given = getattr(args, "format", None)
    fmt = given or find_format_for_path(path)
    if fmt is None:
        raise UsageError(f"cannot tell the flash format of {path} from its extension",
                         hint="name it .hex, .srec, .s19, .s28, .s37, .bin or .uf2"
                              + (", or pass --format" if hasattr(args, "format") else ""))
    try:
        image = image_from_elf(elf, whole_segments=getattr(args, "whole_segments", False))
        for note in image.notes:
            warn(f"{source}: {note}")
        for merge in getattr(args, "merge", None) or []:
            image = image.merged_with(_read_merge(merge, args))
        if getattr(args, "no_start", False):
            image = replace(image, start=None)
        chunks = _encoder(fmt, image, path, args)
    except BundleError as exc:
        raise exc.with_file(source)
    how = "--format" if given else f"from the extension {os.path.splitext(path)[1]}"
    start = "none" if image.start is None else f"{image.start:#010x}"
    info(args, f"{path}: format {fmt} ({how}); {len(image.runs)} run(s), {image.size} bytes from "
               f"{image.lowest:#010x} to {image.end:#010x}, start {start}")
    return path, chunks, None


def _read_merge(path, args):
    from bundler.adapters.intelhex import read_ihex

    other = read_ihex(read_input(path, "merge file"), name=os.fspath(path))
    if other.start is not None:
        info(args, f"{path}: its start address {other.start:#010x} is ignored; the ELF's is kept")
    info(args, f"{path}: merging {len(other.runs)} run(s), {other.size} bytes")
    return other


def _encoder(fmt: str, image, path: str, args):
    eol = b"\n" if getattr(args, "eol", "crlf") == "lf" else b"\r\n"
    fill_text = getattr(args, "gap_fill", None)
    fill = None if fill_text is None else parse_int(fill_text, "--gap-fill")
    if fill is not None and fill > 0xFF:
        raise UsageError(f"--gap-fill {fill_text} is not a byte value", hint="give 0..255, e.g. 0xFF")
    if fmt == "ihex":
        return iter_ihex(image, eol=eol)
    if fmt == "srec":
        length = parse_int(getattr(args, "srec_len", None) or str(DEFAULT_LEN), "--srec-len")
        if not 1 <= length <= MAX_LEN:
            raise UsageError(f"--srec-len {length} is outside 1..{MAX_LEN}",
                             hint=f"an S3 record holds at most {MAX_LEN} data bytes")
        header = os.fsencode(os.path.basename(path))
        return iter_srec(image, header=header, eol=eol, length=length)
    if fmt == "bin":
        max_span = parse_int(getattr(args, "max_span", None) or str(DEFAULT_MAX_SPAN), "--max-span")
        info(args, f"{path}: raw binary, load it at {image.lowest:#010x}")
        try:
            return iter_binary(image, fill=fill, max_span=max_span)
        except UsageError as exc:
            if not hasattr(args, "gap_fill"):      # the bundle command's --hex
                exc.hint = "write the binary with 'bundle hex ELF -o FILE.bin --gap-fill 0xFF'"
            raise
    if fmt == "uf2":
        if not hasattr(args, "family"):
            raise UsageError("UF2 needs a family id, which this command cannot take", file=path,
                             hint="write it with 'bundle hex ELF -o FILE.uf2 --family NAME'")
        if args.family is None:
            raise UsageError("UF2 needs --family", hint="e.g. --family RP2040, a number such as "
                             "0xe48bff56, or --family none; 'bundle hex --list-families' lists names")
        family = parse_family(args.family)
        if family is not None:
            info(args, f"{path}: UF2 family {find_family_name(family) or 'id'} {family:#010x}")
        return iter_uf2(image, family=family, fill=0 if fill is None else fill)
    raise UsageError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
