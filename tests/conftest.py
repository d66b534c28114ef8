"""Shared fixtures: paths, the `need` toolchain guard, and running the CLI.

A test that needs an external tool asks for it with ``need("arm-none-eabi-gcc")``.
Where the tool is missing the test is skipped, except under ``CI=true``, where it
fails: CI must never pass by skipping what it was meant to prove.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "linker"
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


# Under CI, property tests draw the same examples every run: a red CI run is
# always reproducible, never a coin toss. Locally they explore anew each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def need_tool(*names: str) -> None:
    """Skip (or, under CI=true, fail) unless every named executable is on PATH."""
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    msg = "missing tool(s): " + ", ".join(missing) + " (run ./scripts/test, which installs them)"
    if in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


@pytest.fixture
def need():
    return need_tool


def run_bundle(*args: str | os.PathLike, cwd: str | os.PathLike | None = None,
               check: bool = False, input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run the CLI as a user would (a fresh interpreter), capturing text output."""
    cmd = [sys.executable, "-m", "bundler", *[str(a) for a in args]]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"bundle {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture
def bundle_cli():
    return run_bundle
