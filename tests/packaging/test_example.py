"""examples/scons runs from a clean virtual environment that has only the
wheel (and SCons) installed, copied out of the tree as a user copies it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.support.cli import run_bundle
from tests.support.paths import ROOT, SAMPLES


@pytest.mark.slow
def test_scons_example_from_a_clean_venv(tmp_path, wheel):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel), "scons"],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr

    work = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "scons", work)
    for name in ("host.elf", "remote.elf"):
        shutil.copy(SAMPLES / "cortex-m3" / "prebuilt" / name, work / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    first = subprocess.run([str(venv / "bin" / "scons"), "-Q"], cwd=work, env=env,
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "verify: ok" in first.stdout and "bundled remote_elf" in first.stdout

    ref = tmp_path / "ref"
    ref.mkdir()
    run_bundle(work / "host.elf", work / "remote.elf", "-o", ref / "combined.elf",
               "--hex", ref / "combined.hex", check=True)
    for name in ("combined.elf", "combined.hex"):
        assert (work / name).read_bytes() == (ref / name).read_bytes(), name

    again = subprocess.run([str(venv / "bin" / "scons"), "-Q"], cwd=work, env=env,
                           capture_output=True, text=True)
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout

    (work / "remote.elf").write_bytes(b"")            # an empty remote: the build fails, cleanly
    bad = subprocess.run([str(venv / "bin" / "scons"), "-Q"], cwd=work, env=env,
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "bundle: error:" in bad.stdout and "is empty (0 bytes)" in bad.stdout
