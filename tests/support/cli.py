"""Running the command line, two ways with one result shape (``returncode``,
``stdout``, ``stderr``, as :class:`subprocess.CompletedProcess` has them):

- :func:`run_bundle`: a fresh interpreter, as a user or a Makefile runs it
  (exit codes, signals, start-up, the console script's real streams);
- :func:`call_bundle`: ``bundler.cli.main`` in this process, fast enough for
  hypothesis to try hundreds of inputs.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from typing import NamedTuple

from tests.support.paths import ROOT


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run_bundle(*args: str | os.PathLike, cwd: str | os.PathLike | None = None,
               check: bool = False, input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m bundler ARGS`` in a fresh interpreter, capturing text output."""
    cmd = [sys.executable, "-m", "bundler", *[str(a) for a in args]]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"bundle {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def call_bundle(*args: str | os.PathLike) -> Ran:
    """Run ``bundler.cli.main(ARGS)`` in this process, capturing what it prints."""
    from bundler.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Ran(code, out.getvalue(), err.getvalue())
