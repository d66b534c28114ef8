"""Where the host-side C kit is: linker/ in a source tree, bundler/kit in a wheel."""

from __future__ import annotations

from pathlib import Path

from bundler.errors import BadInputError

_MARKER = "remote_fw.h"


def kit_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "kit", here.parent / "linker"):
        if (candidate / _MARKER).is_file():
            return candidate
    raise BadInputError("the C kit is not installed next to the bundler package",
                        hint="reinstall rproc-bundle (pip install rproc-bundle)")
