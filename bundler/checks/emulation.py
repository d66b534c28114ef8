"""``--emulate``: the host's own remote_fw_find, run in a CPU emulator, finds each image."""

from __future__ import annotations

from typing import Iterator

from bundler.postlink import images as images_mod
from bundler.checks.context import Context
from bundler.checks.report import Emulation
from bundler.findings import Finding, finding


def check_emulation(ctx: Context) -> Iterator[Finding]:
    """With ``emulate``: call remote_fw_find for every declared stem and compare with the symbols."""
    if not ctx.emulate:
        return
    from bundler.inspection import emulate as emu
    from bundler.adapters.unicorn import EmulatorError

    ctx.report.emulation = Emulation(target=None)
    wanted = [img for img in ctx.inv.images if img.descriptor is not None]
    if not wanted:
        yield finding("emulate-unavailable", "--emulate: no image has a descriptor, so remote_fw_find "
                                             "can find none")
        return
    try:
        target, results = emu.find_images(ctx.elf, [img.stem for img in wanted])
    except emu.EmulationUnavailable as exc:
        yield finding("emulate-unavailable", f"--emulate: {exc}")
        return
    except EmulatorError as exc:
        yield finding("emulate-failed", f"--emulate: {exc.message}")
        return
    ctx.report.emulation = Emulation(target=target.description, results=results)
    for img, res in zip(wanted, results):
        if res.rc != 0 and img.flow == images_mod.DECLARED and ctx.carries_images \
                and res.rc_name == "REMOTE_FW_ENOTBUNDLED":
            continue                # what the image-declared-only warning says
        if res.rc != 0:
            yield finding("emulate-error", f"remote_fw_find(\"{img.stem}\") returned {res.rc} "
                                           f"({res.rc_name})", img.stem)
            continue
        # what the symbols say; without them, what the other sources agree on
        want = img.symbol_extent or ctx.extents.get(img.stem)
        wrong = []
        if want is not None and (res.base, res.size) != want:
            wrong.append(f"base {res.base:#x} size {res.size:#x}, the symbols say base {want[0]:#x} "
                         f"size {want[1]:#x}")
        if res.name != img.stem:
            wrong.append(f"name {res.name!r}")
        if wrong:
            yield finding("emulate-mismatch", f"remote_fw_find(\"{img.stem}\") returned " + "; ".join(wrong),
                   img.stem, res.base, res.size)
