"""intelhex adapter: Intel HEX text in, :class:`bundler.flash.image.FlashImage` out.

The only module that imports the ``intelhex`` package; its errors become
BadInputError here. intelhex keeps one dict entry per byte, fine for the
small files ``--merge`` takes (a bootloader, another core's image) and for
tests, never used to write: :mod:`bundler.flash.ihex` does that.
"""

from __future__ import annotations

import io

from intelhex import IntelHex, IntelHexError

from bundler.errors import BadInputError
from bundler.flash.image import FlashImage, Run


def read_ihex(data: bytes, *, name: str = "Intel HEX file") -> FlashImage:
    """Parse Intel HEX bytes; the runs are intelhex's segments, the start its start record."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"not Intel HEX text (byte {exc.start} is not ASCII)", file=name,
                            hint="pass an Intel HEX (.hex) file") from None
    ih = IntelHex()
    try:
        ih.loadhex(io.StringIO(text))
        runs = [Run(start, ih.tobinstr(start=start, end=stop - 1), f"{name} [{start:#x}, {stop:#x})")
                for start, stop in ih.segments()]
    except IntelHexError as exc:
        raise BadInputError(f"not valid Intel HEX: {exc}", file=name,
                            hint="check the file; it must be Intel HEX with correct checksums") from None
    except ValueError as exc:   # intelhex raises bare ValueError for some malformed lines
        raise BadInputError(f"not valid Intel HEX: {exc}", file=name) from None
    if not runs:
        raise BadInputError("holds no data records", file=name, hint="pass a non-empty Intel HEX file")
    return FlashImage.of(runs, start=start_address(ih))


def start_address(ih: IntelHex) -> int | None:
    """intelhex's start record as one linear address (CS:IP as CS*16+IP), or None."""
    start = ih.start_addr
    if not start:
        return None
    if "EIP" in start:
        return start["EIP"]
    return (start.get("CS", 0) << 4) + start.get("IP", 0)
