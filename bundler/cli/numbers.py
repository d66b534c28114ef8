"""Parsing numbers, sizes and ranges from the command line."""

from __future__ import annotations

from bundler.errors import UsageError
from bundler.postlink.placement import Region

_SUFFIX = {"": 1, "k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30}
_NUM = r"\s*(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9_]+)([kKmMgG]?)(i?[bB])?\s*\Z"
_DECIMAL = frozenset("0123456789")


def parse_int(text: str, what: str = "number") -> int:
    """``0x20000000``, ``4096``, ``256K``, ``4MiB``: a non-negative integer."""
    if text and _DECIMAL.issuperset(text) and (text[0] != "0" or len(text) == 1):
        return int(text)                # the common case, without the regex module's start-up cost
    import re
    m = re.match(_NUM, text or "")
    digits = m.group(1) if m else ""
    try:        # a leading 0 is decimal (int(.., 0) refuses "010"); "_1" and "1__0" are no numbers
        value = int(digits, 0 if digits[:2].lower() in ("0x", "0b", "0o") else 10)
    except ValueError:
        m = None
    if not m:
        raise UsageError(f"{what} {text!r} is not a number",
                         hint="use decimal, 0x hex, or a K/M/G suffix (1024-based)")
    return value * _SUFFIX[m.group(2)]


def parse_region(text: str) -> Region:
    """``START:SIZE`` (both numbers), e.g. ``0x00100000:1M``."""
    if text.count(":") != 1:
        raise UsageError(f"--region {text!r} is not START:SIZE", hint="for example --region 0x100000:256K")
    start, size = text.split(":")
    region = Region(parse_int(start, "region start"), parse_int(size, "region size"))
    if region.size == 0:
        raise UsageError(f"--region {text!r} has size 0", hint="give the region's size in bytes")
    return region


def parse_memory(text: str):
    """``START:SIZE[:NAME]`` (``--memory``), e.g. ``0x20200000:256K:sram``: a
    :class:`bundler.remoteproc.memory.MemoryRange`."""
    from bundler.remoteproc.memory import MemoryRange

    parts = (text or "").split(":", 2)
    if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
        raise UsageError(f"--memory {text!r} is not START:SIZE[:NAME]",
                         hint="for example --memory 0x20200000:256K:sram")
    start = parse_int(parts[0], "memory start")
    size = parse_int(parts[1], "memory size")
    name = parts[2].strip() if len(parts) == 3 and parts[2].strip() else None
    if size == 0:
        raise UsageError(f"--memory {text!r} has size 0", hint="give the range's size in bytes")
    if start + size > 1 << 64:
        raise UsageError(f"--memory {text!r} runs past the end of a 64-bit address space",
                         hint="check START and SIZE")
    return MemoryRange(start, size, name)
