"""Session fixtures for the OpenAMP tests: libmetal and open-amp built once
(clang, ASan + UBSan, see tests/support/openamp.py), the native host program with the
three sample remotes embedded by `bundle object --target x86_64`, and the
kit's reference loader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import openamp as ob
from tests.support.paths import KIT_SOURCES, SAMPLES

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def openamp_prefix() -> Path:
    return ob.build_libs()


@pytest.fixture(scope="session")
def openamp_host(openamp_prefix, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("openamp_host")
    objs = []
    for stem, sample in ob.STEMS.items():
        obj = work / f"{stem}.o"
        proc = subprocess.run([sys.executable, "-m", "bundler", "object", "--target", "x86_64",
                               "--name", stem, str(SAMPLES / sample / "prebuilt" / "remote.elf"),
                               "-o", str(obj)], capture_output=True, text=True, cwd=ob.ROOT)
        assert proc.returncode == 0, proc.stderr
        objs.append(obj)
    return ob.compile_c(work / "openamp_host", [HERE / "c" / "openamp_host.c", HERE / "c" / "csum_desc.c",
                                                ob.KIT / "remote_fw_openamp.c", *KIT_SOURCES,
                                                *objs], openamp_prefix, ob.SAN)


@pytest.fixture(scope="session")
def kit_ref(tmp_path_factory) -> Path:
    ob.need_tool("clang")
    work = tmp_path_factory.mktemp("kit_ref")
    # UBSan only: the reference maps the remote's RAM at its physical address
    return ob.compile_c(work / "kit_ref", [HERE / "c" / "kit_ref.c", *KIT_SOURCES], None,
                        ["-fsanitize=undefined", "-fno-sanitize-recover=all", "-g", "-O1"])
