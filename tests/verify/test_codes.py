"""One registry of finding codes (bundler.findings.CODES): docs/json.md lists
exactly it, every code the checks and the resource-table decoder emit is in
it, and every code in it is emitted somewhere."""

from __future__ import annotations

import re

import pytest

from bundler.findings import CODES, finding
from tests.support.paths import ROOT

ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (error|warning|note) \| (.*) \|$", re.M)
# finding("code", ...), finding("a" if x else "b", ...), problem(...), Problem(...)
EMITTED = re.compile(r"""(?:finding|problem|Problem)\(\s*"([a-z0-9-]+)"(?:\s+if\s+\w+\s+else\s+"([a-z0-9-]+)")?""")


def test_json_md_lists_the_registry():
    documented = {(c, s, m) for c, s, m in ROW.findall((ROOT / "docs" / "json.md").read_text())}
    registered = {(c.code, c.severity, c.meaning) for c in CODES.values()}
    assert documented - registered == set(), "in docs/json.md, not in bundler/findings.py"
    assert registered - documented == set(), "in bundler/findings.py, not in docs/json.md"


def test_emitted_codes_are_registered_and_registered_codes_emitted():
    sources = [p.read_text() for p in (ROOT / "bundler").rglob("*.py") if p.name != "findings.py"]
    emitted = {code for text in sources for pair in EMITTED.findall(text) for code in pair if code}
    assert emitted - CODES.keys() == set()
    assert CODES.keys() - emitted == set()


def test_an_unregistered_code_fails_at_once():
    with pytest.raises(KeyError):
        finding("no-such-code", "message")
    assert finding("no-images", "x").severity == "error"
    assert finding("rsc-missing", "x").severity == "warning"
