"""rproc-bundle: carry remote-core ELF images inside a host ELF image.

The Python API (docs/python-api.md): the command line's jobs as functions,
on paths or bytes, raising :class:`BundleError` subclasses instead of exiting::

    import bundler
    bundler.bundle("host.elf", ["remote.elf"], "combined.elf", hex="combined.hex")
    report = bundler.verify("combined.elf", remotes=["remote.elf"])

Core modules work on bytes and models (never paths); :mod:`bundler.api` and
``bundler.cli`` are the only places that touch the file system, through
:mod:`bundler.fileio`.
"""

from bundler.api import (BundleOutcome, Extracted, FlashOutcome, ObjectOutcome, bundle, draw_map, export_flash,
                         extract, inspect, kit_dir, make_object, verify)
from bundler.errors import (BadInputError, BundleError, NoFitError, OutputError, UsageError,
                            VerificationFailed)

__version__ = "0.1.0"

__all__ = [
    "bundle", "verify", "inspect", "extract", "make_object", "export_flash", "kit_dir", "draw_map",
    "FlashOptions", "BundleOutcome", "ObjectOutcome", "FlashOutcome", "Extracted",
    "BundleError", "UsageError", "BadInputError", "NoFitError", "OutputError", "VerificationFailed",
    "__version__",
]


def __getattr__(name: str):
    # FlashOptions brings the flash encoders with it: loaded when asked for, not by every `bundle` run
    if name == "FlashOptions":
        from bundler.flash.export import FlashOptions
        return FlashOptions
    raise AttributeError(f"module 'bundler' has no attribute {name!r}")
