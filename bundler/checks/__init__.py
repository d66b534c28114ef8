"""``bundle verify``: check that a host will find, trust and load the images it carries.

A package of checks: each area is a function of the shared :class:`Context`
that yields :class:`~bundler.findings.Finding` records (codes from the one
registry, :data:`bundler.findings.CODES`). :func:`verify` runs the areas of
:data:`AREAS` in order and collects every finding into a :class:`Report`; it
never prints and raises only where the file is no readable ELF at all.
docs/json.md lists the codes, docs/verify.md says why each matters.

    inventory    what the survey could not read (record, descriptors)   images.py
    segments     PT_LOAD congruence, overlap, order; PT_PHDR             segments.py
    descriptors  each descriptor aligned, loaded, named                  descriptors.py
    images       each image: symbols, section, record, descriptor,
                 checksums, alignment; its embedded ELF and table        images.py, embedded.py
    host         the original host unchanged; hosted page rules          host.py
    remotes      the --remote files match                                remotes.py
    parsers      LIEF and pyelftools read the file as the reader does    parsers.py
    emulation    --emulate: the host's remote_fw_find, emulated          emulation.py
    loaders      --loader/--memory: each embedded ELF as its loader will  loaders.py
    signatures   --key: each image signed by a given key, and unchanged  signatures.py

A file that carries, declares and records no image is a remote's firmware:
:func:`verify` checks it as its loader will instead (:mod:`bundler.loaders`).
"""

from __future__ import annotations

from bundler.checks.context import Context
from bundler.checks.descriptors import check_descriptors
from bundler.checks.emulation import check_emulation
from bundler.checks.host import check_host_unchanged
from bundler.checks.images import check_images, check_inventory
from bundler.checks.loaders import check_loaders, is_plain_firmware
from bundler.checks.parsers import check_second_parser, compare_parsers
from bundler.checks.remotes import check_remotes
from bundler.checks.report import Emulation, Finding, ImageSummary, RemoteFile, Report
from bundler.checks.segments import check_segments
from bundler.checks.signatures import check_signatures
from bundler.elf.model import ElfFile

__all__ = ["AREAS", "Context", "Emulation", "Finding", "ImageSummary", "RemoteFile", "Report",
           "compare_parsers", "verify"]

# (name, check) in the order verify runs them; each check(ctx) yields findings
AREAS = [
    ("inventory", check_inventory),
    ("segments", check_segments),
    ("descriptors", check_descriptors),
    ("images", check_images),
    ("host", check_host_unchanged),
    ("remotes", check_remotes),
    ("parsers", check_second_parser),
    ("emulation", check_emulation),
    ("loaders", check_loaders),
    ("signatures", check_signatures),
]


def verify(elf: ElfFile, remotes: list[RemoteFile] = (), *, emulate: bool = False,
           loader: str | None = None, memory=None, driver=None, kernel: str | None = None,
           name: str | None = None, keys: list[bytes] = ()) -> Report:
    """Every check on ``elf`` (a bundled host), with ``remotes`` as the expected images.

    A plain firmware image (no embedded image, descriptor or record; no ``remotes``)
    is checked as its loader will (``loader``, default linux: bundler.loaders). With
    ``loader`` or ``memory`` (a bundler.remoteproc.memory.MemoryMap, or (start, size[, name])
    ranges), each embedded ELF image is checked that way too; so with ``driver`` (verify --driver:
    that Linux driver's ops, bundler.loaders.drivers); ``kernel`` is the Linux version whose rules
    apply (default the newest modelled); ``keys`` (raw Ed25519 public keys) checks every image's signature."""
    if not remotes and not emulate and not keys and is_plain_firmware(elf):
        from bundler.loaders import verify_firmware
        return verify_firmware(elf.data, loader, memory, driver=driver, kernel=kernel, name=name)
    if driver is not None or memory is not None:
        from bundler.loaders import resolve_driver
        driver = resolve_driver(loader, driver, memory)
    ctx = Context(elf, remotes, emulate, loader=loader, memory=memory, driver=driver, kernel=kernel)
    ctx.keys = list(keys)
    for _, check in AREAS:
        ctx.report.findings.extend(check(ctx))
    return ctx.report
