"""ruff (pyflakes, bugbear, McCabe complexity <= 15; pyproject.toml [tool.ruff])
over the package, the tests, the benchmarks and the examples: CI runs it here,
so ``.ci/run`` (scripts/test) covers it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.support.paths import ROOT
from tests.support.tools import in_ci


def test_ruff_is_clean():
    if importlib.util.find_spec("ruff") is None:
        msg = "ruff is not installed (pip install -e .[test])"
        pytest.fail(msg) if in_ci() else pytest.skip(msg)
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                           str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
