"""Write an image a host carries back to a file, byte for byte.

The bytes are those a loader puts at the image's address (the file bytes of
the PT_LOAD that holds it). --name may be left out when the ELF carries
exactly one image. The output is written atomically; it may not be the input.

examples:
  bundle extract build/combined.elf --name remote_elf -o remote-copy.elf
  bundle extract combined.elf -o remote.elf
"""

from __future__ import annotations

from bundler import api
from bundler.cli import info


def add_arguments(parser) -> None:
    parser.add_argument("elf", metavar="ELF", help="the bundled host ELF")
    parser.add_argument("--name", metavar="STEM", help="the image's stem (e.g. remote_elf)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the image")


def run(args) -> int:
    result = api.extract(args.elf, args.name, args.output)
    info(args, f"wrote {args.output}: image {result.stem}, {result.size} bytes")
    return 0
