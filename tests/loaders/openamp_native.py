"""A harness (c/openamp_load.c) that runs the real OpenAMP remoteproc_load on one
image after another, against the pinned libmetal/open-amp that
tests/support/openamp.py builds natively (ASan + UBSan; cached
under build/openamp/, shared with the OpenAMP image-store tests).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support import openamp as ob

HERE = Path(__file__).resolve().parent


# The harness registers its memories with remoteproc_add_mem, so that OpenAMP's
# own remoteproc_get_mem looks them up. libmetal's metal_container_of is the
# offsetof-through-a-null-pointer idiom, which clang's UBSan reports on every
# lookup (even with -fno-sanitize=null); gcc's does not, so this build is gcc's,
# with the same sanitizers (tests.support.openamp keys its cache by compiler and flags).
CC = "gcc"


def build_harness(out: Path) -> Path:
    """c/openamp_load.c linked against the native OpenAMP build (built or found)."""
    prefix = ob.build_libs(cc=CC, cflags=ob.SAN)
    exe = out / "openamp_load"
    cmd = [CC, "-std=gnu99", "-Wall", "-Wextra", "-Werror", *ob.SAN, f"-I{prefix / 'include'}",
           str(HERE / "c" / "openamp_load.c"), str(prefix / "lib" / "libopen_amp.a"),
           str(prefix / "lib" / "libmetal.a"), "-o", str(exe)]
    proc = subprocess.run(["nice", *cmd], capture_output=True, text=True)
    if proc.returncode:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
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
        """remoteproc_load on the file ``image`` with ``memory`` (a bundler.remoteproc.memory.MemoryMap) as the platform's mems."""
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
        if code != SANITIZER_EXIT and code >= 0:
            raise AssertionError(f"openamp_load exited {code} on {image}:\n{err}")
        return Result("undefined", None, False, "".join(log) + err)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            code = self.proc.wait(timeout=60)
            err = self.proc.stderr.read()
            self.proc = None
            assert code == 0, err
