"""``verify --key``: each image carried is signed, by one of the keys given, and is
the image that was signed (bundler.signing.check judges it as the kit would)."""

from __future__ import annotations

from typing import Iterator

from bundler.checks.context import Context
from bundler.findings import Finding, finding
from bundler.postlink import images as images_mod
from bundler.signing.check import find_manifest, judge


def check_signatures(ctx: Context) -> Iterator[Finding]:
    if not ctx.keys:
        return
    for img in ctx.inv.images:
        if img.flow == images_mod.DECLARED or img.stem not in ctx.image_bytes:
            continue
        address, size = ctx.extents[img.stem]
        if img.descriptor is None:
            yield finding("sig-unsigned", "has no descriptor, so remote_fw_load_authenticated cannot find it or its "
                                          "manifest (REMOTE_FW_EUNSIGNED)", img.stem, address, size)
            continue
        manifest = find_manifest(ctx.elf, img.descriptor, address, size)
        yield from judge(img.stem, bytes(ctx.image_bytes[img.stem]), manifest, ctx.keys, address, size)
