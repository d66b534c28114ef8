"""Symbol stems: objcopy's name mangling, applied to a file's base name.

``objcopy -I binary build/remote.elf`` names its symbols after the path as
typed (``_binary_build_remote_elf_start``); rproc-bundle uses the base name
only, so output never depends on the directory a command ran in.
"""

from __future__ import annotations

import os

from bundler.errors import UsageError

_STEM_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def mangle(name: str | bytes) -> str:
    """objcopy's mangling: every byte that is not ASCII alphanumeric becomes ``_``."""
    raw = os.fsencode(name) if isinstance(name, str) else bytes(name)
    return "".join(chr(b) if (chr(b).isascii() and chr(b).isalnum()) else "_" for b in raw)


def stem_for(path: str | os.PathLike) -> str:
    """The stem of a file: the mangled base name (``build/remote.elf`` gives ``remote_elf``)."""
    return mangle(os.path.basename(os.fspath(path)))


def is_valid_stem(stem: str) -> bool:
    """Non-empty, ASCII letters, digits and ``_`` only (it becomes part of C identifiers)."""
    return bool(stem) and _STEM_CHARS.issuperset(stem)


def check_stem(stem: str) -> str:
    """Accept a ``--name`` value, or raise a UsageError that says what a stem may hold."""
    if not is_valid_stem(stem):
        raise UsageError(f"invalid stem {stem!r}",
                         hint="a stem may hold only ASCII letters, digits and '_' "
                              "(it becomes part of C symbol names)")
    return stem


def symbol_names(stem: str) -> tuple[str, str, str]:
    """The three objcopy symbols for a stem: start, end, size."""
    return (f"_binary_{stem}_start", f"_binary_{stem}_end", f"_binary_{stem}_size")
