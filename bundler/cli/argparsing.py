"""argparse for the command line: one-line usage errors, and help whose width needs no shutil.

Loaded only when a command line needs argparse (help, a command without an
ARGUMENTS table, or one that bundler.cli.fastargs leaves to it).
"""

from __future__ import annotations

import argparse
import sys

from bundler.errors import UsageError


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line, exit 2) instead of printing usage."""

    def error(self, message):
        raise UsageError(message, hint=f"see '{self.prog} --help'")

    def _get_formatter(self):
        # argparse makes a formatter for every add_argument; its default width comes from
        # shutil.get_terminal_size, whose import (with bz2, lzma, fnmatch) costs more than
        # the rest of a small bundle's start-up. The same rule, from os alone:
        if self._columns is None:
            ArgumentParser._columns = _terminal_columns()
        return self.formatter_class(prog=self.prog, width=self._columns - 2)

    _columns: int | None = None


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's, else 80."""
    import os
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def make_parser(module, prog: str, common) -> ArgumentParser:
    """The parser of a command module: its docstring as description and epilog, the
    ``common`` arguments, then the module's own (``add_arguments``)."""
    doc = (module.__doc__ or "").strip()
    parser = ArgumentParser(prog=prog, description=doc.split("\n\n", 1)[0] if doc else None,
                            epilog=doc.split("\n\n", 1)[1] if "\n\n" in doc else None,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    for arg in common:
        arg.add_to(parser)
    module.add_arguments(parser)
    return parser
