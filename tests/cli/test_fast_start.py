"""The post-link command's start-up path: the exact-spelling parser against argparse,
the regex-free helpers against the regexes they replace, and what the path imports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.postlink.bundle_record import canonical_json
from bundler.cli import COMMON, bundle_cmd, fastargs
from bundler.cli.argparsing import make_parser
from bundler.cli.numbers import _NUM, _SUFFIX, parse_int
from bundler.errors import OPTIONS, BundleError, render
from bundler.stems import is_valid_stem
from tests.support.paths import ROOT

TABLE = COMMON + bundle_cmd.ARGUMENTS

# tokens a command line is made of: full spellings, abbreviations, values, traps
WORDS = ["host.elf", "r5.elf", "m4.bin", "out.elf", "-", "0x1000", "8", "a b", "", "x=y"]
OPTS = ["-o", "--output", "--name", "--address", "--align", "--region", "--replace", "--section-prefix",
        "--hex", "--depfile", "--debug", "-v", "--verbose"]
TRAPS = ["--out", "--addr", "--", "-h", "--help", "-ofile", "-vo", "--replace=1", "-o=x", "-5", "--bogus",
         "--output=", "--name=n1", "--align=16"]
token = st.sampled_from(WORDS + OPTS + TRAPS)


def argparse_reading(argv):
    """What argparse makes of ``argv`` (a dict), or None where it refuses it."""
    parser = make_parser(bundle_cmd, "bundle", COMMON)
    try:
        return vars(parser.parse_args(argv))
    except (BundleError, SystemExit):
        return None


@settings(max_examples=1500, deadline=None)
@given(st.lists(token, max_size=9))
def test_fast_parser_agrees_with_argparse(argv):
    fast = fastargs.parse(argv, TABLE)
    if fast is not None:
        assert vars(fast) == argparse_reading(argv), argv


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS[:4]), min_size=2, max_size=4),
       st.lists(st.tuples(st.sampled_from(["--name", "--address", "--align", "--hex", "--output",
                                           "--section-prefix", "--depfile", "--region"]),
                          st.sampled_from(["n", "0x20", "16", "o.hex"])), max_size=4),
       st.booleans(), st.booleans())
def test_common_command_lines_take_the_fast_path(positionals, options, options_first, spelled_eq):
    """The ordinary Makefile forms are read by the fast parser, and read as argparse reads them."""
    flat = []
    for flag, value in options + [("-o", "out.elf")]:
        flat += [f"{flag}={value}"] if spelled_eq and flag.startswith("--") else [flag, value]
    argv = flat + positionals if options_first else positionals + flat
    fast = fastargs.parse(argv, TABLE)
    assert fast is not None, argv
    assert vars(fast) == argparse_reading(argv)


def test_fast_parser_leaves_help_and_errors_to_argparse():
    for argv in (["-h"], ["h.elf", "r.elf"], ["h.elf", "-o", "o.elf"], ["h.elf", "r.elf", "--out", "o"],
                 ["h.elf", "-o", "o.elf", "r.elf"], ["h.elf", "r.elf", "-o", "--", "x"]):
        assert fastargs.parse(argv, TABLE) is None, argv


@settings(max_examples=2000)
@given(st.lists(st.sampled_from(["\x1f", "a", "_", "replace", "names", "X", "1", " ", "-"]),
                max_size=12).map("".join), st.booleans())
def test_render_is_the_regex_it_replaces(text, cli):
    mark = re.compile("\x1f([a-z_]+)\x1f")
    expected = mark.sub(lambda m: OPTIONS[m[1]][1 if cli else 0] if m[1] in OPTIONS else m[1], text)
    assert render(text, cli=cli) == expected


@settings(max_examples=2000)
@given(st.lists(st.sampled_from(list("0123456789_xXbBoOkKmMgGi ") + ["0x", "00", "-", "+"]),
                max_size=8).map("".join))
def test_parse_int_is_the_regex_rule(text):
    m = re.match(_NUM, text)
    try:
        digits = m.group(1) if m else ""
        expected = int(digits, 0 if digits[:2].lower() in ("0x", "0b", "0o") else 10) * _SUFFIX[m.group(2)]
    except (ValueError, AttributeError):
        expected = None
    try:
        got = parse_int(text)
    except BundleError:
        got = None
    assert got == expected, text


def test_parse_int_reads_leading_zeros_as_decimal_and_refuses_stray_underscores():
    assert parse_int("010") == 10 and parse_int("0x10") == 16 and parse_int("4MiB") == 4 << 20
    for text in ("_1", "1__0", "0x", "-1", "+1", ""):
        try:
            parse_int(text)
        except BundleError as exc:
            assert exc.exit_code == 2
        else:
            raise AssertionError(f"{text!r} was accepted")


@given(st.text(max_size=8))
def test_stem_rule_is_the_regex_it_replaces(text):
    assert is_valid_stem(text) == bool(re.match(r"[A-Za-z0-9_]+\Z", text))


@settings(max_examples=500)
@given(st.recursive(st.integers(-2**70, 2**70) | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                max_size=3),
                    max_leaves=8))
def test_record_json_is_json_dumps(value):
    assert canonical_json(value) == json.dumps(value, sort_keys=True, separators=(",", ":"))


def test_bundle_path_imports_no_parser_or_regex(tmp_path):
    """What keeps a small bundle's start-up near the interpreter's own (bench/bench_bundle.py
    measures it): none of these is imported on the way."""
    host = ROOT / "samples" / "cortex-m3" / "prebuilt" / "host.elf"
    remote = tmp_path / "remote.bin"
    remote.write_bytes(os.urandom(8192))
    code = ("import sys; from bundler.cli import main; rc = main(sys.argv[1:]); "
            "print(' '.join(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code, str(host), str(remote), "-o", str(tmp_path / "o.elf"),
                           "--align", "16", "--name", "fw"], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    loaded = set(proc.stdout.split())
    assert "bundler.postlink.bundling" in loaded
    heavy = {"argparse", "re", "json", "enum", "threading", "shutil", "contextlib", "typing", "signal"}
    assert not heavy & loaded, sorted(heavy & loaded)
