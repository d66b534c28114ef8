"""``bundle map`` draws every real ELF the tests hold: Debian's cross C libraries, dynamic
loaders, U-Boot, QEMU firmware, OpenSBI and busybox (tests/support/corpus.py), each on its own
and bundled with a blob, through the CLI. Each picture is well-formed XML and shows every
PT_LOAD that GNU readelf (an independent reader) lists, at its p_paddr, once."""

from __future__ import annotations

import re

import pytest

import bundler
from bundler.cli import main
from tests.support.corpus import CORPUS, need_file
from tests.support.map_pictures import check_picture, loads
from tests.support.tools import need_tool

pytestmark = pytest.mark.toolchain


@pytest.mark.parametrize("path,package", [(p, pkg) for _, p, pkg in CORPUS], ids=[i for i, _, _ in CORPUS])
def test_corpus_drawn(path, package, tmp_path):
    need_tool("readelf")
    elf = need_file(path, package)
    out = tmp_path / "alone.svg"
    assert main(["map", str(elf), "-o", str(out)]) == 0
    check_picture(out.read_text(), loads(elf), "elf")
    combined = tmp_path / "combined.elf"
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 16)
    bundler.bundle(elf, [tmp_path / "blob.bin"], combined)
    html = tmp_path / "bundled.html"
    assert main(["map", str(combined), "-o", str(html)]) == 0
    text = html.read_text()
    svg = text[text.index("<svg"):text.index("</svg>") + 6]
    check_picture(svg, loads(combined), "host")
    assert re.search(r'<g class="range k-image[^"]*" data-i="\d+" data-view="host"><title>blob_bin \(image\)', svg)
