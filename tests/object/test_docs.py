"""docs/prelink.md's Makefile and CMake snippets, built exactly as written
(Cortex-M3, arm-none-eabi-gcc; only BUNDLE comes from outside) in a temporary
tree laid out as the snippets expect (host/ beside remote/build/remote.elf).
The linked host must carry the image with the descriptor filled in, and a new
remote image must be picked up by the next build.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

from tests.support.tools import need_tool
from tests.object.toolchains import HOST_C, HOST_LD, check_linked

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

DOC = ROOT / "docs" / "prelink.md"
ENV = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def snippet(lang: str) -> str:
    blocks = re.findall(rf"^```{lang}\n(.*?)^```$", DOC.read_text(), re.M | re.S)
    assert len(blocks) == 1, f"docs/prelink.md must hold exactly one ```{lang} block"
    return blocks[0]


def tree(tmp_path, build_file: str, text: str):
    host = tmp_path / "host"
    host.mkdir()
    (host / build_file).write_text(text)
    (host / "main.c").write_text(HOST_C.replace("@STEM@", "remote_elf"))
    (host / "host.ld").write_text(HOST_LD)
    remote = tmp_path / "remote" / "build" / "remote.elf"
    remote.parent.mkdir(parents=True)
    remote.write_bytes(bytes(range(251)) * 9)
    return host, remote


def build(cmd, cwd):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_makefile_snippet(tmp_path):
    need_tool("make", "arm-none-eabi-gcc")
    host, remote = tree(tmp_path, "Makefile", snippet("make"))
    bundle = f"{sys.executable} -m bundler"
    proc = build(["make", f"BUNDLE={bundle}"], host)
    assert proc.stderr == "", proc.stderr
    assert "--like build/main.o" in proc.stdout
    check_linked(host / "build" / "host.elf", "remote_elf", remote.read_bytes())
    again = build(["make", f"BUNDLE={bundle}"], host).stdout
    assert "is up to date" in again and "bundler" not in again, again
    new = bytes(reversed(remote.read_bytes())) + b"v2"
    remote.write_bytes(new)
    os.utime(remote, (remote.stat().st_atime, remote.stat().st_mtime + 5))
    build(["make", f"BUNDLE={bundle}"], host)
    check_linked(host / "build" / "host.elf", "remote_elf", new)


@pytest.mark.parametrize("generator", ["Ninja", "Unix Makefiles"])
def test_cmake_snippet(tmp_path, generator):
    need_tool("cmake", "arm-none-eabi-gcc", "ninja" if generator == "Ninja" else "make")
    host, remote = tree(tmp_path, "CMakeLists.txt", snippet("cmake"))
    out = tmp_path / "build"
    arch = "-mcpu=cortex-m3 -mthumb"
    build(["cmake", "-S", host, "-B", out, "-G", generator,
           "-DCMAKE_SYSTEM_NAME=Generic", "-DCMAKE_C_COMPILER=arm-none-eabi-gcc",
           "-DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY",
           f"-DCMAKE_C_FLAGS={arch} -Os -ffreestanding -ffunction-sections -fdata-sections",
           f"-DCMAKE_EXE_LINKER_FLAGS={arch}",
           f"-DBUNDLE={sys.executable};-m;bundler"], tmp_path)
    build(["cmake", "--build", out], tmp_path)
    elf = out / "host"
    check_linked(elf, "remote_elf", remote.read_bytes())
    new = bytes(reversed(remote.read_bytes())) + b"v2"
    remote.write_bytes(new)
    os.utime(remote, (remote.stat().st_atime, remote.stat().st_mtime + 5))
    build(["cmake", "--build", out], tmp_path)
    check_linked(elf, "remote_elf", new)
