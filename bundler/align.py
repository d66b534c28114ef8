"""Alignment arithmetic, in one place: rounding addresses and offsets, and the
one check of an alignment a caller asked for (a power of two, maybe bounded)."""

from __future__ import annotations

from bundler.errors import UsageError, option


def align_up(value: int, align: int) -> int:
    """The least multiple of ``align`` at or above ``value``."""
    return (value + align - 1) // align * align


def align_down(value: int, align: int) -> int:
    """The greatest multiple of ``align`` at or below ``value``."""
    return value // align * align


def is_power_of_two(value: int) -> bool:
    return value >= 1 and not value & (value - 1)


def check_align(align: int, *, limit: int | None = None, hint: str = "use 1, 2, 4, 8, 16, ...") -> int:
    """``align`` if it is a power of two (at most ``limit``, if one is given), else a UsageError."""
    if not is_power_of_two(align) or (limit is not None and align > limit):
        bound = f" between 1 and {limit}" if limit is not None else ""
        raise UsageError(f"{option('align')} {align} is not a power of two{bound}", param="align", hint=hint)
    return align
