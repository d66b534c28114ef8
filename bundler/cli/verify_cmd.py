"""Prove that a bundled host will find, trust and load the images it carries, or
that a remote's firmware passes its loader (Linux, U-Boot, OpenAMP, the kit).

Runs every check, lists every finding, then exits 0 if none is an error and 1
otherwise; warnings never change the exit status. Checks: symbols, descriptor,
section and bundle record agree; each image lies in the file bytes of one
PT_LOAD; its CRC-32 matches the descriptor and its bytes the --remote files
(SHA-256); alignment; no two segments overlap by LMA; each embedded ELF is
sound, loads nowhere onto the host, and has a resource table Linux and
OpenAMP accept; bundle's reader and LIEF read the file alike. --emulate also runs
the host's own remote_fw_find in a CPU emulator (ARM, AArch64, RISC-V,
x86-64) and checks the base and size it returns. docs/verify.md has the list.

A plain firmware ELF (one that carries no image) is checked as its loader
will: --loader linux (the default), uboot, openamp or kit, each that
loader's own rules and words ("bad phdr da 0x...", "truncated fw: ..."),
against the memory the remote core can reach when --memory or --dtb/--node
give it. With --loader or --memory, each image a bundle carries is checked
the same way. --kernel 6.1|6.12 picks the Linux version whose rules apply
(default the newest); a file that is not ELF, with a loader named, is judged
("Image is corrupted (bad magic)"). A Qualcomm split image (X.mdt with its
X.bNN parts beside it) is judged as Linux's mdt loader reads it. A FIT (on
its own, bundled, or inside an embedded bootstrap ELF) has every hash,
configuration and load range checked (docs/fit.md);
with --key PUB.pem (RSA, repeatable), each of a FIT's configurations must
carry a U-Boot signature that verifies with one of the keys, by the rules
the kit's remote_fw_fit_load_opts applies (docs/kit.md, "Signed FITs"). For
an ELF that carries images, --key PUB.pem (Ed25519) makes every image need a
manifest signed with one of the keys, judged as remote_fw_load_authenticated
judges it (docs/kit.md, "Authenticated remotes").

examples:
  bundle verify build/combined.elf --remote build/remote.elf
  bundle verify combined.elf --emulate
  bundle verify combined.elf --key pub.pem           (signed images: docs/kit.md)
  bundle verify combined.elf --json > report.json
  bundle verify remote.elf --loader linux --memory 0x10000000:256K:retram
  bundle verify remote.elf --kernel 6.1
  bundle verify remote.elf --dtb board.dtb --node /m4@0
  bundle verify rproc-m4-fw.elf --driver stm32_rproc --dtb stm32mp157c-dk2.dtb --node /ahb/m4@10000000
  bundle verify --driver list
  bundle verify linux.itb --memory 0x48000000:128M     (a FIT: docs/fit.md)
  bundle verify linux.itb --key keys/dev.pem            (its configuration signatures)
"""

from __future__ import annotations

import json

from bundler import api
from bundler.cli.numbers import parse_memory, parse_region
from bundler.errors import EXIT_OK, EXIT_VERIFY, BundleError, UsageError
from bundler.fileio import read_input
from bundler.loaders import linux as linux_rules
from bundler.loaders.drivers.maps import board_memory
from bundler.remoteproc.memory import MemoryMap, MemoryRange

LOADERS = ("linux", "uboot", "openamp", "kit")
KERNELS, DEFAULT_KERNEL = linux_rules.KERNELS, linux_rules.DEFAULT_KERNEL


def add_arguments(parser) -> None:
    parser.add_argument("elf", metavar="ELF", nargs="?",
                        help="the bundled host ELF, a remote firmware ELF (or a Qualcomm split image, .mdt), or a "
                             "FIT (.itb)")
    parser.add_argument("--remote", action="append", default=[], metavar="FILE",
                        help="a remote image the ELF must carry, byte for byte (repeatable; matched by "
                             "stem, else by content)")
    parser.add_argument("--emulate", action="store_true",
                        help="also call the host's remote_fw_find in a CPU emulator")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (docs/json.md)")
    parser.add_argument("--loader", choices=LOADERS, default=None,
                        help="check the firmware as this loader will (default for a plain firmware ELF: linux)")
    parser.add_argument("--kernel", choices=KERNELS, default=None,
                        help=f"the Linux version whose rules apply (default {DEFAULT_KERNEL}, the newest modelled; "
                             "implies --loader linux)")
    add_memory_arguments(parser)
    parser.add_argument("--driver", metavar="NAME",
                        help="check as this Linux remoteproc driver does (its module name, e.g. stm32_rproc; "
                             "implies --loader linux); 'list' prints them with the kernel each was read from")


def add_memory_arguments(parser) -> None:
    """--memory, --region, --dtb and --node: the memory the remote core can reach (verify and map)."""
    parser.add_argument("--memory", action="append", default=[], metavar="START:SIZE[:NAME]",
                        help="memory the remote core can reach (repeatable); every PT_LOAD, carveout, devmem, "
                             "trace buffer and vring must lie inside")
    parser.add_argument("--region", action="append", default=[], metavar="START:SIZE",
                        help="the same as --memory, unnamed (repeatable)")
    parser.add_argument("--dtb", metavar="FILE", help="a device tree blob giving that memory (with --node)")
    parser.add_argument("--key", action="append", default=[], metavar="PUB.pem",
                        help="a public key (repeatable; any one of them will do): Ed25519 (openssl pkey "
                             "-pubout) every image an ELF carries must be signed with, or RSA a FIT's "
                             "configurations must be signed with (docs/kit.md)")
    parser.add_argument("--node", metavar="PATH",
                        help="the remoteproc node in --dtb: its memory-region phandles and its own reg, in the "
                             "remote's device addresses (dma-ranges, the driver's own map); its compatible "
                             "chooses --driver")


def memory_map(args) -> MemoryMap | None:
    """--memory and --dtb/--node as one map (None when neither is given)."""
    if (args.dtb is None) != (args.node is None):
        raise UsageError("--dtb and --node go together", hint="for example --dtb board.dtb --node /remoteproc@0")
    ranges = [parse_memory(text) for text in args.memory]
    ranges += [MemoryRange(r.start, r.size) for r in map(parse_region, args.region)]
    if args.dtb is None:
        return MemoryMap(ranges=ranges) if ranges else None
    try:
        linux = args.loader in (None, "linux")          # another loader reads the node generically
        board = board_memory(read_input(args.dtb, "device tree"), args.node, args.driver if linux else None,
                             choose=linux)
    except BundleError as exc:
        raise exc.with_file(str(args.dtb)) from None
    board.ranges = ranges + board.ranges
    if ranges:
        board.source += " and --memory"
    return board


def run(args) -> int:
    if args.driver == "list":
        from bundler.loaders.drivers import listing
        print(listing())
        return EXIT_OK
    if args.elf is None:
        raise UsageError("verify needs the ELF to check", hint="bundle verify FILE (or --driver list)")
    if args.driver is not None:                         # a wrong name is a usage error before any file is read
        from bundler.loaders.drivers import find_driver
        find_driver(args.driver)
    report = api.verify(args.elf, remotes=args.remote, emulate=args.emulate, loader=args.loader,
                        memory=memory_map(args), driver=args.driver, kernel=args.kernel, keys=args.key)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        print(render(args.elf, report))
    return EXIT_OK if report.ok else EXIT_VERIFY


def render(name: str, report) -> str:
    lines = []
    if hasattr(report, "loader"):
        return render_firmware(name, report)
    n = len(report.images)
    subject = getattr(report, "subject", None)          # "FIT" for a FIT on its own
    lines.append(f"{name}: {subject}" if subject else f"{name}: {n} image{'' if n == 1 else 's'}")
    for img in report.images:
        if img.address is None:
            lines.append(f"  {img.stem}: {img.flow}, no image")
            continue
        crc = f", crc32 {img.crc32:#010x}" if img.crc32 is not None else ""
        lma = f", LMA {img.lma:#x}" if img.lma is not None and img.lma != img.address else ""
        lines.append(f"  {img.stem}: {img.address:#x}, {img.size} bytes{lma}{crc}, {img.flow}")
    for conf, sigs in getattr(report, "signatures", {}).items():
        from bundler.fit.report import render_signatures
        lines.append(f"  configuration {conf}:")
        lines.extend(render_signatures({"signatures": [s.to_dict() for s in sigs],
                                        "signature_refusal": None}, "    "))
    if report.emulation is not None and report.emulation.target:
        lines.append(f"emulated {report.emulation.target}:")
        for r in report.emulation.results:
            if r.rc == 0:
                lines.append(f"  remote_fw_find(\"{r.stem}\") = 0: base {r.base:#x} size {r.size:#x}")
            else:
                lines.append(f"  remote_fw_find(\"{r.stem}\") = {r.rc} ({r.rc_name})")
    return _with_findings(lines, report)


def _with_findings(lines: list[str], report) -> str:
    """``lines``, then every finding and the verdict line: the end of every verify report."""
    lines = lines + [str(f) for f in report.findings]
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "ok" if report.ok else "FAILED"
    notes = len(getattr(report, "notes", ()))
    also = f", {notes} note{'' if notes == 1 else 's'}" if notes else ""
    lines.append(f"verify: {verdict} ({errors} error{'' if errors == 1 else 's'}, "
                 f"{warnings} warning{'' if warnings == 1 else 's'}{also})")
    return "\n".join(lines)


def render_firmware(name: str, report) -> str:
    title = report.title
    if report.driver is not None:
        d = report.driver
        title = f"Linux remoteproc driver {d.name} ({d.source}, Linux {d.kernel}: {d.ops})"
    lines = [f"{name}: {report.kind or 'not ELF'} firmware, checked as {title}"]
    if report.memory is None:
        lines.append("  memory: not given (--memory or --dtb/--node): addresses not checked")
    else:
        lines.append(f"  memory ({report.memory.source}), device addresses:")
        lines.extend(f"    {r}" for r in report.memory.ranges)
        if report.memory.iommu is not None:
            lines.append(f"    and, behind the IOMMU: {report.memory.iommu}")
    return _with_findings(lines, report)
