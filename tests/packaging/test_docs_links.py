"""The documentation points only at files the repository has: every relative
Markdown link resolves, and no page sends the reader to a file kept outside
the repository."""

from __future__ import annotations

import re

import pytest

from tests.support.paths import ROOT

PAGES = sorted([*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), *ROOT.glob("samples/*/README.md"),
                *ROOT.glob("examples/*/README.md")])
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
OUTSIDE = re.compile(r"\b(REMOTEPROC|DESIGN|REMOTE-LINUX|STYLE)\.md\b|shared/DESIGN")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve(page):
    text = page.read_text()
    for target, _ in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue                                    # http:, https:, mailto:
        assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to missing {target}"
    assert not OUTSIDE.search(text), f"{page.relative_to(ROOT)} points at a file outside the repository"


def test_sources_point_at_no_outside_file():
    for path in [*ROOT.glob("bundler/**/*.py"), *ROOT.glob("linker/*"), *ROOT.glob("tests/**/*.py"),
                 *ROOT.glob("tests/**/*.c")]:
        if path.is_file() and path.name != "test_docs_links.py":
            assert not OUTSIDE.search(path.read_text(errors="replace")), path.relative_to(ROOT)
    assert "The kit's C API" not in (ROOT / "linker" / "remote_fw.h").read_text()
