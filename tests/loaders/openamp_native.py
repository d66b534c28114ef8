"""The pinned OpenAMP (open-amp + libmetal from ../shared/third_party) built natively
with ASan, and a harness (c/openamp_load.c) that runs its remoteproc_load on one image.

Reusable: :func:`build_openamp` unpacks both tarballs, builds libmetal (generic
system, template machine: no libsysfs needed) and open-amp as static libraries
with CMake, and installs them under ``out/install``; :func:`build_harness`
links c/openamp_load.c against them. Both take a few seconds once per session.
"""

from __future__ import annotations

import os
import platform
import subprocess
import tarfile
from pathlib import Path

from tests.conftest import ROOT

THIRD_PARTY = ROOT.parent / "shared" / "third_party"
HERE = Path(__file__).resolve().parent
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer"]


def tarball(prefix: str) -> Path:
    found = sorted(THIRD_PARTY.glob(f"{prefix}-*.tar.gz"))
    if not found:
        raise FileNotFoundError(f"no {prefix}-*.tar.gz in {THIRD_PARTY}")
    return found[0]


def _run(cmd, cwd=None):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"})
    if proc.returncode:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def build_openamp(out: Path) -> Path:
    """libmetal.a and libopen_amp.a with headers, under out/install; returns that prefix."""
    prefix = out / "install"
    if (prefix / "lib" / "libopen_amp.a").exists():
        return prefix
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    for name in ("libmetal", "open-amp"):
        with tarfile.open(tarball(name)) as tar:
            tar.extractall(src, filter="data")
    cflags = " ".join(["-g", "-O1", *SANITIZE, f"-I{prefix / 'include'}"])
    common = ["-DCMAKE_SYSTEM_NAME=Generic", f"-DCMAKE_SYSTEM_PROCESSOR={platform.machine()}",
              "-DMACHINE=template", f"-DCMAKE_C_FLAGS={cflags}", f"-DCMAKE_INSTALL_PREFIX={prefix}",
              "-DWITH_SHARED_LIB=OFF"]
    _run(["cmake", "-S", src / "libmetal", "-B", out / "b-metal", *common, "-DWITH_DOC=OFF", "-DWITH_TESTS=OFF",
          "-DWITH_EXAMPLES=OFF", "-DWITH_DEFAULT_LOGGER=ON"])
    _run(["make", "-C", out / "b-metal", "-j2", "install"])
    _run(["cmake", "-S", src / "open-amp", "-B", out / "b-oa", *common, "-DWITH_APPS=OFF", "-DWITH_PROXY=OFF",
          f"-DCMAKE_LIBRARY_PATH={prefix / 'lib'}", f"-DCMAKE_INCLUDE_PATH={prefix / 'include'}"])
    _run(["make", "-C", out / "b-oa", "-j2", "install"])
    return prefix


def build_harness(out: Path, prefix: Path) -> Path:
    exe = out / "openamp_load"
    _run(["gcc", "-std=gnu99", "-Wall", "-Wextra", "-Werror", "-g", "-O1", *SANITIZE, f"-I{prefix / 'include'}",
          HERE / "c" / "openamp_load.c", prefix / "lib" / "libopen_amp.a", prefix / "lib" / "libmetal.a",
          "-o", exe])
    return exe


class Result:
    """One remoteproc_load: ``outcome`` loaded / refused / undefined (ASan or UBSan stopped it)."""

    def __init__(self, outcome: str, rc: int | None, table: bool, log: str):
        self.outcome, self.rc, self.table, self.log = outcome, rc, table, log

    def __repr__(self) -> str:
        return f"Result({self.outcome}, rc={self.rc}, table={self.table})"


SANITIZER_EXIT = 66
ENV = {"ASAN_OPTIONS": f"detect_leaks=0:exitcode={SANITIZER_EXIT}",
       "UBSAN_OPTIONS": f"halt_on_error=1:exitcode={SANITIZER_EXIT}"}


class Harness:
    """A persistent openamp_load process: one image in, one Result out; restarted after a sanitizer report."""

    def __init__(self, exe: Path):
        self.exe = exe
        self.proc = None

    def _start(self):
        self.proc = subprocess.Popen([str(self.exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})

    def run(self, image: Path, memory) -> Result:
        """remoteproc_load on the file ``image`` with ``memory`` (a bundler.memory.MemoryMap) as the platform's mems."""
        if self.proc is None:
            self._start()
        spec = " ".join(f"{r.start:x}:{r.size:x}" for r in memory.ranges)
        log = []
        try:
            self.proc.stdin.write(f"{image} {spec}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        while True:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("log: "):
                log.append(line[5:])
                continue
            fields = line.split()
            rc = int(fields[1])
            return Result("loaded" if rc == 0 else "refused", rc, fields[3] == "1", "".join(log))
        code = self.proc.wait(timeout=60)
        err = self.proc.stderr.read()
        self.proc = None
        if code != SANITIZER_EXIT:
            raise AssertionError(f"openamp_load exited {code} on {image}:\n{err}")
        return Result("undefined", None, False, "".join(log) + err)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            code = self.proc.wait(timeout=60)
            err = self.proc.stderr.read()
            self.proc = None
            assert code == 0, err
