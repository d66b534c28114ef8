"""Draw the address space as one picture: an SVG, or an HTML page with a table and tips.

One column per view: a bundle's host at its load addresses (p_paddr) with the
images it carries; each embedded remote at its device addresses (PT_LOADs,
resource table, carveouts, devmem, trace buffers, vrings); a FIT's kernel,
ramdisk and device tree at their load addresses; and, with --memory or
--dtb/--node, the memory the remote core can reach. Every range is labelled
with its name, address and size, drawn to scale where it fits and with a break
mark where it does not. What verify finds at an address (an overlap, a segment
outside the memory) is drawn there in red, with its words. The format follows
the output's extension (.svg, .html). --remote-view leaves a bundle's host
column out. Findings are drawn, not an exit status:
0 when the picture is written. docs/map.md has the details.

examples:
  bundle map build/combined.elf -o map.svg
  bundle map build/combined.elf --remote-view --memory 0x20200000:256K:ram -o remote.svg
  bundle map remote.elf --dtb board.dtb --node /m4@0 -o map.html
  bundle map remote.elf --loader openamp --memory 0x10000000:256K:sram -o map.svg
  bundle map linux.itb --memory 0x48000000:128M:ddr -o fit.svg
"""

from __future__ import annotations

from bundler import api
from bundler.cli import info
from bundler.cli.verify_cmd import LOADERS, add_memory_arguments, memory_map


def add_arguments(parser) -> None:
    parser.add_argument("elf", metavar="ELF", help="a bundled host ELF, a remote firmware ELF, or a FIT (.itb)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the picture: FILE.svg or FILE.html")
    parser.add_argument("--remote-view", action="store_true",
                        help="draw only what the remote cores see: leave a bundle's host column out")
    parser.add_argument("--loader", choices=LOADERS, default=None,
                        help="find what this loader would refuse, and draw it (as bundle verify --loader)")
    parser.add_argument("--driver", metavar="NAME", default=None,
                        help="check as this Linux remoteproc driver does and draw its findings (as bundle "
                             "verify --driver; 'bundle verify --driver list' names them); with --dtb/--node, "
                             "the node's compatible chooses it")
    add_memory_arguments(parser)       # drawn as the memory column (and a system column where it translates)


def run(args) -> int:
    if args.driver is not None:     # a wrong name is a usage error before any file is read
        from bundler.loaders.drivers import find_driver
        find_driver(args.driver)
    board = memory_map(args)        # --dtb/--node read here, as verify reads them
    api.draw_map_views(args.elf, args.output, loader=args.loader, driver=args.driver, memory=board,
                       remote_view=args.remote_view)
    info(args, f"wrote {args.output}")
    return 0
