"""Fixtures for the real-kernel judge: the images (tests/loaders' tables on the samples'
remotes built from source, and the production corpus fetched from Debian)."""

from __future__ import annotations

import pytest

from tests.linuxjudge import compare, corpus, debian, images
from tests.linuxjudge.judge import Image
from tests.loaders.conftest import built  # noqa: F401  (the samples' remotes, built once per session)
from tests.support.tools import need_tool


@pytest.fixture(scope="session")
def corpus_files():
    need_tool("apt-get", "dpkg-deb")
    return corpus.fetch()


@pytest.fixture(scope="session")
def judge_images(built, corpus_files) -> list[Image]:  # noqa: F811
    out = images.table_images(built)
    for row in corpus.table()["images"]:
        data = corpus_files[row["path"]].read_bytes()
        out.append(Image(label=f"corpus: {row['path'].removeprefix('lib/firmware/')}", data=data,
                         memory=images.loads_board(data), origin=row))
    for img in out:     # what verify calls undefined may oops the kernel: loaded last, so a reboot is small
        img.risky = any(compare.predict(img, series).outcome == "undefined" for series in debian.SERIES)
    return out
