"""What a user starts from works outside the tree, with only the installed
package: examples/scons (through the Python API) and each sample's Makefile
(through `bundle kit`), copied alone into an empty directory."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.cli import run_bundle
from tests.support.paths import ROOT, SAMPLES
from tests.support.tools import need_tool

pytestmark = pytest.mark.slow


def user_env(bin_dir) -> dict:
    """A shell's environment with the virtual environment first on PATH, nothing of this tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def scons(bin_dir, work):
    return subprocess.run([str(bin_dir / "scons"), "-Q"], cwd=work, env=user_env(bin_dir),
                          capture_output=True, text=True, timeout=300)


def test_scons_example_from_a_clean_venv(tmp_path, installed):
    work = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "scons", work)
    for name in ("host.elf", "remote.elf"):
        shutil.copy(SAMPLES / "cortex-m3" / "prebuilt" / name, work / name)
    first = scons(installed, work)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "verify: ok" in first.stdout and "bundled remote_elf" in first.stdout

    ref = tmp_path / "ref"
    ref.mkdir()
    run_bundle(work / "host.elf", work / "remote.elf", "-o", ref / "combined.elf",
               "--hex", ref / "combined.hex", check=True)
    for name in ("combined.elf", "combined.hex"):
        assert (work / name).read_bytes() == (ref / name).read_bytes(), name

    again = scons(installed, work)
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout

    (work / "remote.elf").write_bytes(b"")            # an empty remote: the build fails, cleanly
    bad = scons(installed, work)
    assert bad.returncode != 0 and "bundle: error:" in bad.stdout and "is empty (0 bytes)" in bad.stdout


@pytest.mark.toolchain
def test_a_sample_copied_alone_runs_with_the_installed_kit(tmp_path, installed):
    """samples/cortex-m3 alone, its prebuilt ELFs: `make run` bundles, verifies and
    boots them with the kit `bundle kit` names inside the virtual environment."""
    need_tool("make", "qemu-system-arm")
    work = tmp_path / "my-project"
    shutil.copytree(SAMPLES / "cortex-m3", work, ignore=shutil.ignore_patterns("build", "*.log"))
    env = user_env(installed)
    kit = subprocess.run(["bundle", "kit"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert kit.startswith(str(installed.parent)), kit
    proc = subprocess.run(["make", "run", "ELFDIR=prebuilt"], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("== ok") == 3, proc.stdout
