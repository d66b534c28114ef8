"""``bundle map`` over the production corpus (tests/data/linuxjudge/corpus.json: the remoteproc
firmware Debian ships, fetched by tests/linuxjudge/corpus.py): each image drawn through the CLI with
the driver verify judges it by (exit 0), every PT_LOAD that GNU readelf lists drawn at its p_paddr,
and each error verify gives with an address it locates drawn in red."""

from __future__ import annotations

import re

import pytest

import bundler
from bundler.cli import main
from bundler.memmap.model import is_located
from tests.linuxjudge import corpus
from tests.support.map_pictures import check_picture, loads
from tests.support.tools import need_tool

pytestmark = pytest.mark.toolchain


def test_production_corpus_drawn(corpus_files, tmp_path):
    need_tool("readelf")
    rows = corpus.table()["images"]
    for n, row in enumerate(rows):
        path = corpus_files[row["path"]]
        out = tmp_path / f"{n}.html"
        driver = ["--driver", row["verify_driver"]] if row["verify_driver"] else []
        assert main(["map", str(path), "-o", str(out), *driver]) == 0, row["path"]
        page = out.read_text()
        svg = page[page.index("<svg"):page.index("</svg>") + 6]
        check_picture(svg, loads(path), "elf")
        red = set(re.findall(r'class="range k-[a-z_]+ sev-error"[^>]*><title>[^\n]*\n0x([0-9a-f]+) \.\. ', svg))
        for f in bundler.verify(path, driver=row["verify_driver"]).findings:
            if f.severity == "error" and f.address is not None and is_located(f):
                assert f"{f.address:08x}" in red, (row["path"], str(f))
    assert len(rows) >= 14
