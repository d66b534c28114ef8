"""The toolchain guard: a test that needs an external tool calls ``need_tool("x")``.

Where the tool is missing the test is skipped, except under ``CI=true``, where
it fails: CI must never pass by skipping what it was meant to prove.
"""

from __future__ import annotations

import os
import shutil

import pytest


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
