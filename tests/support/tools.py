"""The toolchain guard: a test that needs an external tool calls ``need_tool("x")``.

Where the tool is missing the test is skipped, except under ``CI=true``, where
it fails: CI must never pass by skipping what it was meant to prove.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

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


def need_library(name: str) -> str:
    """The path ctypes loads for lib<name> (ctypes.util.find_library); skip (or,
    under CI=true, fail) where the system has none."""
    import ctypes.util

    found = ctypes.util.find_library(name)
    if found:
        return found
    msg = f"missing library: lib{name} (run ./scripts/test, which installs it)"
    if in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


# "readelf: Warning: ...", "llvm-readelf: warning: ..." (not a section named .gnu.warning.*)
_READELF_WARNING = re.compile(r"^\s*(\S*readelf: )?warning\b", re.IGNORECASE)


def readelf_warnings(tool: str, path) -> set[str]:
    """The warnings ``tool -a -W path`` prints (readelf or llvm-readelf), with the file name
    replaced by FILE so that two files' warnings compare."""
    need_tool(tool)
    proc = subprocess.run([tool, "-a", "-W", str(path)], capture_output=True, text=True, errors="replace")
    return {line.replace(str(path), "FILE").strip() for line in (proc.stderr + proc.stdout).splitlines()
            if _READELF_WARNING.match(line)}


def new_readelf_warnings(before, after) -> dict[str, set[str]]:
    """{tool: warnings about ``after`` that ``before`` does not give} for readelf and llvm-readelf."""
    return {tool: readelf_warnings(tool, after) - readelf_warnings(tool, before)
            for tool in ("readelf", "llvm-readelf")}
