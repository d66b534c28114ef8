"""The wheel ships the tool and the C kit: build it, install it outside the
source tree, and run the installed package from an unrelated directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from tests.support.paths import FIT_SOURCES, KIT_SOURCES, ROOT

from tests.support.cli import run_bundle
from tests.support.elf import build_host, build_remote

KIT_FILES = {"remote_fw.h", "remote_fw_rsc.h", "remote_fw.ld", "bundle.mk", "RemoteFw.cmake",
             "remote_fw_openamp.h", "remote_fw_openamp.c", "remote_fw_fit.h",
             "remote_fw_bounds.h", "remote_fw_bytes.h", "remote_fw_elf.h", "remote_fw_crc32.h",
             "remote_fw_crc32_tables.h", "remote_fw_sha256.h", "remote_fw_sha1.h", "remote_fw_inflate.h",
             "remote_fw_inflate_state.h", "remote_fw_fdt.h",
             "remote_fw_fit_sig.h", "remote_fw_rsa.h",
             "remote_fw_sha512.h", "remote_fw_sha512.c", "remote_fw_ed25519.h", "remote_fw_ed25519.c",
             *(p.name for p in KIT_SOURCES + FIT_SOURCES)}


def test_wheel_installs_a_working_bundle_and_kit(tmp_path, wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"bundler/kit/{f}" for f in KIT_FILES} <= names
    assert "bundler/cli/__init__.py" in names
    assert "bundler/py.typed" in names           # type checkers read the installed package's hints
    assert any(n.startswith("bundler/flash/_records.") and n.endswith((".so", ".pyd")) for n in names), \
        "the wheel lacks the C record encoder (a C compiler is on this machine)"

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
    for f in sorted(KIT_FILES):     # the kit as in the tree, the OpenAMP store included
        assert (ROOT / "linker" / f).read_bytes() == open(os.path.join(kit_dir, f), "rb").read(), f

    encoder = subprocess.run([sys.executable, "-c", "from bundler.flash import textrecords as t; "
                              "print(t._records.__file__)"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert encoder.returncode == 0 and encoder.stdout.startswith(str(site)), encoder.stdout + encoder.stderr

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
