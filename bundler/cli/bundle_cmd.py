"""Inject remote images into an already-linked host ELF.

Each REMOTE becomes one SHF_ALLOC section (.remote_fw.<stem>), one PT_LOAD
at its address (p_paddr = p_vaddr), the symbols _binary_<stem>_start/_end
(in that section) and _binary_<stem>_size (SHN_ABS), and the host's
REMOTE_FW_DECLARE(<stem>) descriptor gets its base, size and CRC-32.

placement: --address; else the slot remote_fw.ld reserved; else the first free
address after the host's read-only data. Nothing of the host moves.

examples:
  bundle build/host.elf build/remote.elf -o build/combined.elf
  bundle host.elf r5.elf m4.elf --name r5_fw --name m4_fw -o out.elf --hex out.hex
  bundle out.elf new-r5.elf --name r5_fw --replace -o out2.elf
"""

from __future__ import annotations

import os

from bundler import api
from bundler.api import DEFAULT_SECTION_PREFIX
from bundler.cli import info, warn
from bundler.cli.fastargs import Arg
from bundler.cli.numbers import parse_int, parse_region
from bundler.errors import UsageError


ARGUMENTS = (
    Arg("host", metavar="HOST", help="the linked host ELF"),
    Arg("remotes", metavar="REMOTE", nargs="+", help="remote image(s) to carry"),
    Arg("-o", "--output", required=True, metavar="OUT", help="the bundled ELF to write"),
    Arg("--name", action="append", default=[], metavar="STEM",
        help="symbol stem of a remote (once per remote, in order; "
             "default: the file's base name, objcopy-mangled)"),
    Arg("--address", action="append", default=[], metavar="ADDR",
        help="load address of a remote (once per remote, in order)"),
    Arg("--align", default="8", metavar="N", help="image alignment in bytes (default 8)"),
    Arg("--region", metavar="START:SIZE", help="place the images inside this address range"),
    Arg("--replace", action="store_true", help="re-bundle a stem the host already carries"),
    Arg("--section-prefix", default=DEFAULT_SECTION_PREFIX, metavar="PREFIX",
        help="section name prefix (default .remote_fw.)"),
    Arg("--hex", metavar="FILE",
        help="also write a flash file: Intel HEX (.hex) or S-records (.srec .s19 .s28 "
             ".s37 .mot); for .bin and .uf2, which need --gap-fill or --family, "
             "run 'bundle hex'"),
    Arg("--depfile", metavar="FILE", help="also write a Make dependency file"),
    Arg("--sign", metavar="KEY.pem",
        help="sign each remote given with this Ed25519 private key (openssl genpkey -algorithm ed25519)"),
    Arg("--security-counter", metavar="N", help="the signed security counter (default 0; with --sign)"),
    Arg("--version", metavar="X.Y.Z", help="the signed version (default 0.0.0; with --sign)"),
)


def add_arguments(parser) -> None:
    for arg in ARGUMENTS:
        arg.add_to(parser)


def run(args) -> int:
    addresses = [parse_int(a, "--address") for a in args.address] or None
    align = parse_int(args.align, "--align")
    region = parse_region(args.region) if args.region else None
    try:
        result = api.bundle(args.host, args.remotes, args.output, names=args.name or None,
                            addresses=addresses, align=align, region=region, replace=args.replace,
                            hex=args.hex, section_prefix=args.section_prefix, depfile=args.depfile,
                            on_warning=warn, sign=args.sign, version=args.version,
                            security_counter=None if args.security_counter is None else
                            parse_int(args.security_counter, "--security-counter"))
    except UsageError as exc:
        raise _hex_hint(exc, args) from None
    info(args, f"placement: {result.rule}")
    for img in result.images:
        info(args, f"{img.stem}: {img.address:#010x} {img.size} bytes, crc32 {img.crc32:#010x}, "
                   f"{img.how}, section {img.section}"
                   + ("" if img.descriptor else ", no descriptor")
                   + (f", signed ({len(img.manifest)}-byte manifest in {img.sig_section})" if img.sig_section
                      else ""))
    if result.flash is not None:
        from bundler.cli.hex_cmd import describe
        info(args, describe(result.flash, args.hex, given=False))
    info(args, f"wrote {args.output} ({result.size} bytes)")
    return 0


def _hex_hint(exc: UsageError, args) -> UsageError:
    """--hex takes no flash options: say where they are (bundle hex) instead of naming them."""
    if exc.param == "format":
        exc.hint = "name it .hex, .srec, .s19, .s28, .s37, .bin or .uf2"
    elif exc.param == "family":
        return UsageError("UF2 needs a family id, which this command cannot take", file=os.fspath(args.hex),
                          hint="write it with 'bundle hex ELF -o FILE.uf2 --family NAME'")
    elif exc.param == "gap_fill":
        exc.hint = "write the binary with 'bundle hex ELF -o FILE.bin --gap-fill 0xFF'"
    return exc

