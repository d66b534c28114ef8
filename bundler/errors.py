"""The exception tree, following the pipeline; ``bundler.cli`` maps it to exit codes.

Every error carries what a person needs to act: the file, the address (hex)
and size (bytes) where they apply, and a hint that says what to do.

The core names the *parameter* a fix concerns, never a command-line flag:
it writes ``option("replace")`` into a message or hint, and the text reads
``replace=True`` for a Python caller (``str(exc)``, ``exc.hint``) and
``--replace`` on the command line (:meth:`BundleError.cli_text`, which is
what ``bundler.cli`` prints). :data:`OPTIONS` is the one table of both names.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_VERIFY = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_NO_FIT = 4
EXIT_OUTPUT = 5


# parameter key -> (its words in the Python API, its command-line flag)
OPTIONS: dict[str, tuple[str, str]] = {
    "replace": ("replace=True", "--replace"),
    "names": ("names", "--name"),              # bundle(): one stem per remote
    "stem": ("stem", "--name"),                # extract()
    "name": ("name", "--name"),                # make_object()
    "addresses": ("addresses", "--address"),
    "address": ("address", "--address"),
    "align": ("align", "--align"),
    "region": ("region", "--region"),
    "section": ("section", "--section"),
    "target": ("target", "--target"),
    "like": ("like", "--like"),
    "remotes": ("remotes", "--remote"),
    "emulate": ("emulate=True", "--emulate"),
    "keys": ("keys=", "--key"),
    "format": ("format", "--format"),
    "gap_fill": ("gap_fill", "--gap-fill"),
    "max_span": ("max_span", "--max-span"),
    "srec_len": ("srec_len", "--srec-len"),
    "no_start": ("start=False", "--no-start"),
    "whole_segments": ("whole_segments=True", "--whole-segments"),
    "family": ("family", "--family"),
    "merge": ("merge", "--merge"),
    "node": ("node_path", "--node"),           # memory_from_dtb()
    "dtb": ("dtb", "--dtb"),                   # draw_map()
    "driver": ("driver", "--driver"),          # verify(driver=)
    "loader": ("loader", "--loader"),
    "memory": ("memory", "--memory"),
    "kernel": ("kernel", "--kernel"),
    "sign": ("sign", "--sign"),                # bundle(), make_object(): the signing key
    "security_counter": ("security_counter", "--security-counter"),
    "version": ("version", "--version"),
}

_MARK = "\x1f"
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_")


def option(key: str) -> str:
    """A parameter named in a message: ``replace=True`` in Python, ``--replace`` in the CLI."""
    if key not in OPTIONS:
        raise KeyError(f"no option {key!r} in bundler.errors.OPTIONS")
    return f"\x1f{key}\x1f"


def render(text: str | None, *, cli: bool = False) -> str | None:
    """``text`` with every :func:`option` mark in Python words, or as flags with ``cli``."""
    if text is None or _MARK not in text:
        return text
    out, at = [], 0
    while True:             # each mark is \x1f key \x1f, key in [a-z_]+ (no regex: start-up cost)
        start = text.find(_MARK, at)
        end = text.find(_MARK, start + 1) if start >= 0 else -1
        if end < 0:
            out.append(text[at:])
            return "".join(out)
        key = text[start + 1:end]
        if key and _KEY_CHARS.issuperset(key):
            out += [text[at:start], OPTIONS[key][1 if cli else 0] if key in OPTIONS else key]
            at = end + 1
        else:
            out.append(text[at:start + 1])
            at = start + 1


class Notice(str):
    """A warning or note that may name parameters: the string is in Python words,
    :meth:`cli_text` names the flags instead."""

    raw: str

    def __new__(cls, raw: str) -> "Notice":
        self = super().__new__(cls, render(raw))
        self.raw = raw
        return self

    def cli_text(self) -> str:
        return render(self.raw, cli=True)


def cli_text(text) -> str:
    """``text`` (a message, :class:`Notice` or BundleError) as the command line says it."""
    if isinstance(text, (Notice, BundleError)):
        return text.cli_text()
    return render(str(text), cli=True)


class BundleError(Exception):
    """Base of every error the tool reports; ``exit_code`` is its exit status."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, file: str | None = None,
                 address: int | None = None, size: int | None = None,
                 hint: str | None = None, param: str | None = None):
        super().__init__(render(message))
        self.param = param          # the parameter (an OPTIONS key) the fix concerns, if one does
        self._message = message
        self.file = file
        self.address = address
        self.size = size
        self._hint = hint

    @property
    def message(self) -> str:
        """What is wrong, naming parameters in Python words."""
        return render(self._message)

    @message.setter
    def message(self, value: str) -> None:
        self._message = value

    @property
    def hint(self) -> str | None:
        """What to do, naming parameters in Python words (None: nothing to add)."""
        return render(self._hint)

    @hint.setter
    def hint(self, value: str | None) -> None:
        self._hint = value

    def with_file(self, file: str) -> "BundleError":
        """Attach the file name if the raiser (a core module) did not know it."""
        if self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        return self._text(cli=False)

    def cli_text(self) -> str:
        """The one-line message as the command line prints it: parameters named by their flags."""
        return self._text(cli=True)

    def _text(self, *, cli: bool) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}: ")
        parts.append(render(self._message, cli=cli))
        if self._hint:
            parts.append(f"; {render(self._hint, cli=cli)}")
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
