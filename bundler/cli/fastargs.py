"""An exact-spelling command-line parser for the hot path, ``bundle HOST REMOTE... -o OUT``.

argparse and the regular-expression module it brings cost a small bundle's
start-up more than its work. A command that declares its arguments as a
table (:class:`Arg`) is parsed here when the command line uses only what
argparse would read in exactly one way: options spelled in full (``--output
OUT``, ``--output=OUT``, ``-o OUT``), values that do not start with ``-``,
and the positionals in one run before or after the options. Anything else
(``--help``, an abbreviation, ``--``, an unknown option, a usage error)
returns None, and the caller asks argparse, which stays the one reference: a
property test holds this parser to argparse on generated command lines.
"""

from __future__ import annotations


class Arg:
    """One argument as ``add_argument`` takes it: ``flags`` (or one positional name) and the
    keywords this parser understands (dest, action store/append/store_true, nargs '+',
    default, required; metavar and help only for argparse)."""

    __slots__ = ("flags", "kwargs")

    def __init__(self, *flags: str, **kwargs):
        self.flags = flags
        self.kwargs = kwargs

    @property
    def positional(self) -> bool:
        return not self.flags[0].startswith("-")

    @property
    def dest(self) -> str:
        if "dest" in self.kwargs:
            return self.kwargs["dest"]
        if self.positional:
            return self.flags[0]
        name = next((f for f in self.flags if f.startswith("--")), self.flags[0])
        return name.lstrip("-").replace("-", "_")

    @property
    def action(self) -> str:
        return self.kwargs.get("action", "store")

    def default(self):
        value = self.kwargs.get("default", False if self.action == "store_true" else None)
        return list(value) if isinstance(value, list) else value

    def add_to(self, parser) -> None:
        parser.add_argument(*self.flags, **self.kwargs)


class Namespace:
    """What parse() returns: the arguments as attributes, like argparse.Namespace."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def __eq__(self, other):
        return vars(self) == vars(other)

    def __repr__(self):
        return f"Namespace({', '.join(f'{k}={v!r}' for k, v in sorted(vars(self).items()))})"


def parse(argv: list[str], table) -> Namespace | None:
    """``argv`` read by ``table`` (a sequence of :class:`Arg`), or None where argparse must decide."""
    options = {}
    positionals = [a for a in table if a.positional]
    for a in table:
        if a.action not in ("store", "append", "store_true") or a.kwargs.get("nargs") not in (None, "+"):
            return None                     # a table this parser does not understand
        for flag in a.flags:
            if not a.positional:
                options[flag] = a
    values = {a.dest: a.default() for a in table}
    given: list[str] = []
    runs, last_was_positional = 0, False
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("-") or token == "-":
            given.append(token)
            runs += not last_was_positional
            last_was_positional = True
            continue
        last_was_positional = False
        name, eq, value = token.partition("=") if token.startswith("--") else (token, "", "")
        arg = options.get(name)
        if arg is None:
            return None                     # --help, an abbreviation, "--", an unknown option
        if arg.action == "store_true":
            if eq:
                return None
            values[arg.dest] = True
            continue
        if not eq:
            if i == len(argv) or argv[i].startswith("-"):
                return None                 # argparse decides what a missing or dashed value means
            value = argv[i]
            i += 1
        if arg.action == "append":
            values[arg.dest].append(value)
        else:
            values[arg.dest] = value
    if runs > 1 or not _fill_positionals(positionals, given, values):
        return None
    if any(a.kwargs.get("required") and values[a.dest] is None for a in table if not a.positional):
        return None
    return Namespace(**values)


def _fill_positionals(positionals, given: list[str], values: dict) -> bool:
    """Assign ``given`` to the positionals in order (one each; a trailing '+' takes the rest)."""
    for n, a in enumerate(positionals):
        if a.kwargs.get("nargs") == "+":
            if n != len(positionals) - 1 or not given:
                return False
            values[a.dest], given = list(given), []
        else:
            if not given:
                return False
            values[a.dest] = given.pop(0)
    return not given
