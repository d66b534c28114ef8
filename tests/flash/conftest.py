"""Fixtures for the flash export tests: real sample ELFs, bundled images, the CLI
in-process, and layout-independent decoding through srec_cat and intelhex."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.paths import SAMPLES
from tests.support.tools import need_tool
from tests.support.cli import call_bundle, run_bundle

SAMPLE_ELFS = sorted(SAMPLES.glob("*/prebuilt/*.elf"))
SAMPLE_PAIRS = sorted(d for d in SAMPLES.glob("*/prebuilt")
                      if (d / "host.elf").exists() and (d / "remote.elf").exists())


def sample_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.name}"


@pytest.fixture(scope="session")
def bundled_elfs(tmp_path_factory) -> list[Path]:
    """host + remote of every sample, bundled by the real CLI (hosts keep .data VMA != LMA)."""
    out = []
    for d in SAMPLE_PAIRS:
        target = tmp_path_factory.mktemp("bundled") / f"{d.parent.name}-combined.elf"
        run_bundle(d / "host.elf", d / "remote.elf", "-o", target, check=True)
        out.append(target)
    return out


@pytest.fixture
def cli():
    """Run ``bundle ARGS`` in this process (:func:`tests.support.cli.call_bundle`)."""
    return call_bundle


def canonical(path: Path, fmt: str) -> bytes:
    """srec_cat's re-encoding of a flash file: equal for equal memory images and start addresses."""
    need_tool("srec_cat")
    kind = {"ihex": "-Intel", "srec": "-Motorola"}[fmt]
    return subprocess.run(["srec_cat", str(path), kind, "-o", "-", "-Motorola", "-Address_Length=4",
                           "-DISable=Header"], check=True, capture_output=True).stdout


def objcopy(elf: Path, fmt: str, out: Path, *extra: str) -> Path:
    need_tool("objcopy")
    subprocess.run(["objcopy", "-O", fmt, *extra, str(elf), str(out)], check=True, capture_output=True)
    return out


def leftovers(directory: Path, keep=()) -> list[str]:
    """Files in ``directory`` other than ``keep`` (temporary files of a failed write included)."""
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)
