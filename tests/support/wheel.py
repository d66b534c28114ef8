"""The wheel, built once per session, and a clean virtual environment with it installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT


def build_wheel(into: Path) -> Path:
    """``pip wheel`` of the checkout (no build isolation when this interpreter has setuptools)."""
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(into), str(ROOT)], capture_output=True, text=True)
    if build.returncode != 0:  # no setuptools in this interpreter: build it isolated
        build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                                str(into), str(ROOT)], capture_output=True, text=True)
    if build.returncode != 0:
        raise AssertionError(build.stderr)
    (wheel,) = into.glob("rproc_bundle-*.whl")
    return wheel


def make_venv(where: Path, *requirements: str) -> Path:
    """A new virtual environment at ``where`` with ``requirements`` installed; its bin directory."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    pip = subprocess.run([str(where / "bin" / "pip"), "install", "-q", *requirements],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise AssertionError(pip.stderr)
    return where / "bin"
