"""Flash export: an ELF's load image as Intel HEX, S-records, raw binary or UF2.

:mod:`.image` turns an ELF into a :class:`~.image.FlashImage` (sorted,
non-overlapping runs at load addresses); one module per format encodes it
(``iter_*`` generators of byte chunks, ``encode_*`` for the whole file) and
decodes it back (``decode_*``). Paths never appear here; the CLI owns them.
"""

from __future__ import annotations

import os

FORMATS = ("ihex", "srec", "bin", "uf2")

EXTENSIONS = {
    ".hex": "ihex", ".ihex": "ihex", ".ihx": "ihex",
    ".srec": "srec", ".s19": "srec", ".s28": "srec", ".s37": "srec", ".mot": "srec",
    ".bin": "bin",
    ".uf2": "uf2",
}


def find_format_for_path(path) -> str | None:
    """The format a file name's extension names (case-insensitive), or None."""
    return EXTENSIONS.get(os.path.splitext(os.fspath(path))[1].lower())
