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

from bundler import api
from bundler.cli import info, warn
from bundler.cli.numbers import parse_int
from bundler.errors import UsageError
from bundler.flash import FORMATS
from bundler.flash.binary import DEFAULT_MAX_SPAN
from bundler.flash.families import describe_families, find_family_name
from bundler.flash.srec import DEFAULT_LEN, MAX_LEN


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
    fill = None if args.gap_fill is None else parse_int(args.gap_fill, "--gap-fill")
    if fill is not None and fill > 0xFF:
        raise UsageError(f"--gap-fill {args.gap_fill} is not a byte value", hint="give 0..255, e.g. 0xFF")
    result = api.export_flash(args.elf, args.output, format=args.format, eol=args.eol,
                              srec_len=parse_int(args.srec_len, "--srec-len"), gap_fill=fill,
                              max_span=parse_int(args.max_span, "--max-span"), family=args.family,
                              start=not args.no_start, whole_segments=args.whole_segments,
                              merge=args.merge, on_warning=warn)
    for path, other in zip(args.merge, result.merged):
        if other.start is not None:
            info(args, f"{path}: its start address {other.start:#010x} is ignored; the ELF's is kept")
        info(args, f"{path}: merging {len(other.runs)} run(s), {other.size} bytes")
    info(args, describe(result, args.output, given=args.format is not None))
    info(args, f"wrote {args.output} ({result.size} bytes)")
    return 0


def describe(flash, path, *, given: bool) -> str:
    """The -v line about a flash file: its format, how it was chosen, and what it holds."""
    image = flash.image
    how = "--format" if given else f"from the extension {os.path.splitext(os.fspath(path))[1]}"
    start = "none" if image.start is None else f"{image.start:#010x}"
    lines = []
    if flash.format == "bin":
        lines.append(f"{path}: raw binary, load it at {image.lowest:#010x}")
    if flash.family is not None:
        lines.append(f"{path}: UF2 family {find_family_name(flash.family) or 'id'} {flash.family:#010x}")
    lines.append(f"{path}: format {flash.format} ({how}); {len(image.runs)} run(s), {image.size} bytes from "
                 f"{image.lowest:#010x} to {image.end:#010x}, start {start}")
    return "\n".join(lines)
