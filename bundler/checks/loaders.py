"""``--loader``/``--memory``/``--driver`` on a bundle: each embedded ELF image checked as its loader
will (:mod:`bundler.loaders`), its findings under the image's stem; and what makes a
file a remote's firmware rather than a bundle."""

from __future__ import annotations

from bundler.postlink import images as images_mod
from bundler.elf.model import ElfFile
from bundler.elf.reader import is_elf


def check_loaders(ctx):
    if ctx.loader is None and ctx.memory is None and ctx.driver is None and ctx.kernel is None:
        return
    from bundler.loaders import DEFAULT_LOADER, check_firmware
    from bundler.loaders.base import Host
    loader = ctx.loader or DEFAULT_LOADER
    # the kit's remote_fw_load runs on the bundle's host: its word size bounds the addresses
    host = Host(ctx.elf.layout.byteorder, 64 if ctx.elf.layout.is64 else 32) if loader == "kit" else None
    for stem, data in ctx.image_bytes.items():
        if is_elf(data):
            yield from check_firmware(data, loader, ctx.memory, stem=stem, host=host, driver=ctx.driver,
                                      kernel=ctx.kernel, name=stem)     # the stem: the file's base name


def is_plain_firmware(elf: ElfFile) -> bool:
    """True when the file carries, declares and records no image: a remote's firmware, not a bundle."""
    inv = images_mod.survey(elf)
    return not inv.images and not inv.descriptors and inv.record is None and inv.record_error is None \
        and inv.descriptor_error is None
