"""The kit's descriptors, each on its own: aligned, loaded, named."""

from __future__ import annotations

from typing import Iterator

from bundler.postlink import images as images_mod
from bundler.checks.context import Context
from bundler.findings import Finding, finding


def check_descriptors(ctx: Context) -> Iterator[Finding]:
    for d in ctx.inv.descriptors:
        if d.address % 8:
            yield finding("descriptor-align", f"descriptor at {d.address:#x} is not 8-byte aligned: "
                                              "remote_fw_find returns REMOTE_FW_EDESC", d.stem, d.address)
        where = images_mod.find_placement(ctx.elf, d.address, d.size)
        if where is None or where.offset != d.offset:
            yield finding("descriptor-not-loaded", f"descriptor at {d.address:#x}: its bytes (file offset "
                                                   f"{d.offset:#x}) are not what a PT_LOAD puts there: the "
                                                   "values bundle wrote never reach the host",
                   d.stem, d.address, d.size)
        if d.stem is None:
            yield finding("descriptor-corrupt", f"descriptor at {d.address:#x} has a name pointer "
                                                f"{d.name_ptr:#x} that leads to no string in the file",
                   None, d.address, d.size)
