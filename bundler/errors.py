"""The exception tree, following the pipeline; ``bundler.cli`` maps it to exit codes.

Every error carries what a person needs to act: the file, the address (hex)
and size (bytes) where they apply, and a hint that says what to do.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_VERIFY = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_NO_FIT = 4
EXIT_OUTPUT = 5


class BundleError(Exception):
    """Base of every error the tool reports; ``exit_code`` is its exit status."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, file: str | None = None,
                 address: int | None = None, size: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.address = address
        self.size = size
        self.hint = hint

    def with_file(self, file: str) -> "BundleError":
        """Attach the file name if the raiser (a core module) did not know it."""
        if self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}: ")
        parts.append(self.message)
        if self.hint:
            parts.append(f"; {self.hint}")
        return "".join(parts)


class UsageError(BundleError):
    """The command line is wrong (exit 2)."""

    exit_code = EXIT_USAGE


class BadInputError(BundleError):
    """An input file is missing, unreadable, malformed or unsupported (exit 3)."""

    exit_code = EXIT_BAD_INPUT


class NoFitError(BundleError):
    """An image does not fit where it must go, or would overlap something (exit 4)."""

    exit_code = EXIT_NO_FIT


class OutputError(BundleError):
    """An output could not be written (exit 5)."""

    exit_code = EXIT_OUTPUT


class VerificationFailed(BundleError):
    """``bundle verify`` found at least one error finding (exit 1)."""

    exit_code = EXIT_VERIFY
