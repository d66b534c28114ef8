"""Write a relocatable ELF object holding REMOTE's bytes, for the host's link (pre-link flow).

The object defines _binary_<stem>_start and _end (in the image's section) and
_binary_<stem>_size (SHN_ABS), GLOBAL NOTYPE, as `objcopy -I binary` does, so
REMOTE_FW_DECLARE(<stem>) in the host is filled in by the linker. Unlike
objcopy: the section is read-only (.rodata.remote_fw.<stem>) and 8-aligned,
the stem comes from the base name, and the ELF header matches the host's
objects (e_flags, EI_OSABI, .note.GNU-stack), so neither GNU ld nor ld.lld
complains. Any file can be embedded; an ELF remote that will be hard to load
gets a warning.

targets: arm armeb aarch64 riscv32 riscv64 x86_64 i386
  (riscv64 assumes the lp64d float ABI, riscv32 ilp32: for another ABI, or a
  Linux ARM host, use --like)

examples:
  bundle object build/remote.elf -o build/remote.o --target arm
  bundle object r5.elf -o r5.o --like build/main.o --name r5_fw
  bundle object board.dtb -o dtb.o --target riscv64 --align 16
  bundle object remote.elf -o remote.o --target arm --sign key.pem --version 1.0.0
"""

from __future__ import annotations

from bundler import api
from bundler.prelink import object as core
from bundler.cli import info, warn
from bundler.cli.numbers import parse_int


def add_arguments(parser) -> None:
    parser.add_argument("remote", metavar="REMOTE", help="the file to embed (a remote ELF, or any file)")
    parser.add_argument("-o", "--output", required=True, metavar="OBJ", help="the object file to write")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--target", metavar="T",
                       help="object format: " + ", ".join(core.TARGETS))
    which.add_argument("--like", metavar="SOME.o",
                       help="copy class, byte order, machine, e_flags, EI_OSABI and "
                            ".note.GNU-stack from this object of the host's build")
    parser.add_argument("--name", metavar="STEM",
                        help="symbol stem (default: the file's base name, objcopy-mangled)")
    parser.add_argument("--section", metavar="NAME",
                        help=f"section name (default {core.SECTION_PREFIX}<stem>)")
    parser.add_argument("--align", default=str(core.DEFAULT_ALIGN), metavar="N",
                        help=f"section alignment in bytes, a power of two (default {core.DEFAULT_ALIGN})")
    parser.add_argument("--sign", metavar="KEY.pem",
                        help="sign the image with this Ed25519 private key; the manifest follows it in the section")
    parser.add_argument("--security-counter", metavar="N", help="the signed security counter (default 0)")
    parser.add_argument("--version", metavar="X.Y.Z", help="the signed version (default 0.0.0)")


def run(args) -> int:
    align = parse_int(args.align, "--align")
    result = api.make_object(args.remote, args.output, target=args.target, like=args.like, name=args.name,
                             section=args.section, align=align, on_warning=warn, sign=args.sign,
                             security_counter=None if args.security_counter is None else
                             parse_int(args.security_counter, "--security-counter"), version=args.version)
    stem = result.stem
    info(args, f"{stem}: {result.image_size} bytes in {result.section} (align {result.align}), "
               f"symbols _binary_{stem}_start/_end/_size, {result.target}")
    info(args, f"wrote {args.output} ({result.size} bytes)")
    return 0
