"""Session-wide test settings and fixtures. Shared helpers live in
:mod:`tests.support` (import them from there, never from a conftest).

The fast loop is ``pytest -m "not slow and not toolchain"``; HACKING.md says
what each marker means and how long the suites take.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.support.cli import run_bundle
from tests.support.tools import in_ci, need_tool
from tests.support.wheel import build_wheel, make_venv

# Under CI, property tests draw the same examples every run: a red CI run is
# always reproducible, never a coin toss. Locally they explore anew each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

__all__ = ["in_ci"]


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def need():
    return need_tool


@pytest.fixture
def bundle_cli():
    return run_bundle


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    """The project's wheel, built once per session."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory):
    """The bin directory of a fresh virtual environment holding only the wheel
    (with its dependencies) and SCons: what a user has after pip install."""
    return make_venv(tmp_path_factory.mktemp("venv") / "venv", str(wheel), "scons")
