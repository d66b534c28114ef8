"""The wheel ships the tool and the C kit: build it, install it outside the
source tree, and run the installed package from an unrelated directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from tests.conftest import ROOT, run_bundle
from tests.elfbuild import build_host, build_remote

KIT_FILES = {"remote_fw.h", "remote_fw_rsc.h", "remote_fw.c", "remote_fw.ld", "bundle.mk", "RemoteFw.cmake"}


def test_wheel_installs_a_working_bundle_and_kit(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(wheels), str(ROOT)], capture_output=True, text=True)
    if build.returncode != 0:  # no setuptools in this interpreter: build it isolated
        build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                                str(wheels), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("rproc_bundle-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"bundler/kit/{f}" for f in KIT_FILES} <= names
    assert "bundler/cli/__init__.py" in names

    site = tmp_path / "site"
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                           str(site), str(wheel)], capture_output=True, text=True)
    assert inst.returncode == 0, inst.stderr
    env = dict(os.environ, PYTHONPATH=str(site))   # dependencies from this environment
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    kit = subprocess.run([sys.executable, "-m", "bundler", "kit"], cwd=elsewhere, env=env,
                         capture_output=True, text=True)
    assert kit.returncode == 0, kit.stderr
    kit_dir = kit.stdout.strip()
    assert kit_dir.startswith(str(site)), kit_dir
    assert KIT_FILES <= set(os.listdir(kit_dir))
    assert (ROOT / "linker" / "remote_fw.h").read_bytes() == open(os.path.join(kit_dir, "remote_fw.h"), "rb").read()

    host, remote, out = elsewhere / "host.elf", elsewhere / "remote.elf", elsewhere / "out.elf"
    host.write_bytes(build_host())
    remote.write_bytes(build_remote())
    proc = subprocess.run([sys.executable, "-m", "bundler", str(host), str(remote), "-o", str(out)],
                          cwd=elsewhere, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # the installed package gives the same bytes as the source tree
    ref = tmp_path / "ref.elf"
    assert run_bundle(host, remote, "-o", ref).returncode == 0
    assert out.read_bytes() == ref.read_bytes()
