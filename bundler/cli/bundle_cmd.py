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

import threading
import zlib

from bundler.cli import info, load_elf, warn
from bundler.cli.numbers import parse_int, parse_region
from bundler.errors import BundleError, UsageError
from bundler.fileio import read_input, refuse_overwriting_inputs, write_outputs
from bundler.stems import check_stem, stem_for

DEFAULT_SECTION_PREFIX = ".remote_fw."   # = bundler.bundle.DEFAULT_SECTION_PREFIX (test pins it)


def add_arguments(parser) -> None:
    parser.add_argument("host", metavar="HOST", help="the linked host ELF")
    parser.add_argument("remotes", metavar="REMOTE", nargs="+", help="remote image(s) to carry")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="the bundled ELF to write")
    parser.add_argument("--name", action="append", default=[], metavar="STEM",
                        help="symbol stem of a remote (once per remote, in order; "
                             "default: the file's base name, objcopy-mangled)")
    parser.add_argument("--address", action="append", default=[], metavar="ADDR",
                        help="load address of a remote (once per remote, in order)")
    parser.add_argument("--align", default="8", metavar="N", help="image alignment in bytes (default 8)")
    parser.add_argument("--region", metavar="START:SIZE",
                        help="place the images inside this address range")
    parser.add_argument("--replace", action="store_true",
                        help="re-bundle a stem the host already carries")
    parser.add_argument("--section-prefix", default=DEFAULT_SECTION_PREFIX, metavar="PREFIX",
                        help="section name prefix (default .remote_fw.)")
    parser.add_argument("--hex", metavar="FILE",
                        help="also write a flash file: Intel HEX (.hex) or S-records (.srec .s19 .s28 "
                             ".s37 .mot); for .bin and .uf2, which need --gap-fill or --family, "
                             "run 'bundle hex'")
    parser.add_argument("--depfile", metavar="FILE", help="also write a Make dependency file")


def run(args) -> int:
    remotes_paths = args.remotes
    if args.name and len(args.name) != len(remotes_paths):
        raise UsageError(f"{len(args.name)} --name for {len(remotes_paths)} remotes",
                         hint="give one --name per remote, in the same order, or none")
    if args.address and len(args.address) != len(remotes_paths):
        raise UsageError(f"{len(args.address)} --address for {len(remotes_paths)} remotes",
                         hint="give one --address per remote, in the same order, or none")
    stems = [check_stem(n) for n in args.name] or [stem_for(p) for p in remotes_paths]
    addresses = [parse_int(a, "--address") for a in args.address] or [None] * len(remotes_paths)
    align = parse_int(args.align, "--align")
    region = parse_region(args.region) if args.region else None
    outputs = [args.output, args.hex, args.depfile]
    refuse_overwriting_inputs(outputs, [args.host, *remotes_paths])

    datas = [read_input(path, "remote image", allow_mmap=True) for path in remotes_paths]
    crcs = _checksums_in_background(datas)
    from bundler import bundle as core      # the heavy imports overlap the checksums
    host = load_elf(args.host, "host ELF")
    crcs.join()
    remotes = [core.Remote(stem=stem, data=data, label=os.fspath(path), address=addr, crc32=crc)
               for stem, data, path, addr, crc in zip(stems, datas, remotes_paths, addresses, crcs.values)]
    result = _bundle(core, host, remotes, args, align, region)
    for message in result.warnings:
        warn(message)

    items = [(args.output, result.chunks, _mode_of(args.host))]
    if args.hex:
        from bundler.elf.reader import parse_elf
        from bundler.cli.hex_cmd import flash_output
        items.append(flash_output(parse_elf(result.to_bytes(), what="bundled ELF"), args.hex, args))
    if args.depfile:
        items.append((args.depfile, [depfile_text(args.output, [args.host, *remotes_paths],
                                                  [args.hex] if args.hex else [])], None))
    write_outputs(items)
    info(args, f"placement: {result.rule}")
    for img in result.images:
        info(args, f"{img.stem}: {img.address:#010x} {img.size} bytes, crc32 {img.crc32:#010x}, "
                   f"{img.how}, section {img.section}"
                   + ("" if img.descriptor else ", no descriptor"))
    info(args, f"wrote {args.output} ({result.edit.size} bytes)")
    return 0


class _Checksums(threading.Thread):
    """CRC-32 of each remote, computed while the main thread imports and parses
    (zlib releases the GIL, so the two really run at once)."""

    def __init__(self, datas):
        super().__init__(daemon=True)
        self.datas = datas
        self.values = [None] * len(datas)

    def run(self):
        for i, data in enumerate(self.datas):
            self.values[i] = zlib.crc32(data) & 0xFFFFFFFF


def _checksums_in_background(datas) -> _Checksums:
    worker = _Checksums(datas)
    worker.start()
    return worker


def _bundle(core, host, remotes, args, align, region):
    try:
        return core.bundle(host, remotes, align=align, region=region, replace=args.replace,
                           section_prefix=args.section_prefix, host_name=os.fspath(args.host))
    except BundleError as exc:
        raise exc.with_file(os.fspath(args.host))


def _mode_of(path) -> int | None:
    """The output ELF gets the host's permission bits, as objcopy does."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return None


def depfile_text(target: str, prerequisites: list[str], extra_targets: list[str] = ()) -> bytes:
    """A Make rule ``target extra: prerequisites`` with spaces and '$' escaped, plus phony rules."""
    def esc(p: str) -> str:
        return os.fspath(p).replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#")
    targets = " ".join(esc(t) for t in [target, *extra_targets])
    lines = [f"{targets}: {' '.join(esc(p) for p in prerequisites)}", ""]
    for p in prerequisites:           # like gcc -MP: a deleted prerequisite is no error
        lines += [f"{esc(p)}:", ""]
    return "\n".join(lines).encode()
