"""Build-system integration helpers: copy a sample (alone, as a user starts a
project from it, or with the kit beside it as in the source tree) to a
temporary directory, run make / cmake / ninja there
with the CLI of this tree, and read what they did.

Every run has a timeout; QEMU runs only inside the samples' own `make run`,
which wraps it in `timeout`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import KIT, ROOT, SAMPLES

# BUNDLE=... for make: the CLI from this tree, whatever is installed
BUNDLE_CMD = f"env PYTHONPATH={ROOT} {sys.executable} -m bundler"
# REMOTE_FW_BUNDLE for cmake: the same command as a CMake list
BUNDLE_LIST = ";".join(["env", f"PYTHONPATH={ROOT}", sys.executable, "-m", "bundler"])
TIMEOUT = 600


def copy_sample(name: str, dst: Path, *, kit: bool = True) -> Path:
    """samples/<name> under dst, no build output; with ``kit``, linker/ beside it in
    the source tree's layout (the Makefile takes ../../linker), else alone (the
    Makefile asks ``$(BUNDLE) kit``)."""
    ignore = shutil.ignore_patterns("build", "build-*", "*.log")
    shutil.copytree(SAMPLES / name, dst / "samples" / name, ignore=ignore)
    if kit and not (dst / "linker").exists():
        shutil.copytree(KIT, dst / "linker")
    return dst / "samples" / name


def run(cmd: list[str], cwd: Path, check: bool = True, env: dict | None = None,
        timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """A command with its output captured; raises with the output on failure."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} (in {cwd}) exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def make(directory: Path, *targets: str, check: bool = True, flags: tuple[str, ...] = (),
         **variables: str) -> subprocess.CompletedProcess:
    """make -C directory [flags] VAR=value... targets (BUNDLE defaults to this tree's CLI)."""
    variables.setdefault("BUNDLE", BUNDLE_CMD)
    return run(["make", "-C", directory, *flags, *[f"{k}={v}" for k, v in variables.items()],
                *targets], cwd=directory, check=check)


def mtimes(*paths: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in paths}


def age(*paths: Path, seconds: int = 10) -> None:
    """Move the files' mtimes into the past, so that a later touch is newer
    on any file system, whatever its timestamp resolution."""
    for p in paths:
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns - seconds * 10**9, st.st_mtime_ns - seconds * 10**9))


def touch(path: Path) -> None:
    """mtime = now (later than anything age() left behind)."""
    os.utime(path, None)


def age_tree(root: Path, seconds: int = 10) -> None:
    """age() every file under root by the same amount: their order stays, and
    anything touched afterwards is the newest."""
    age(*[p for p in root.rglob("*") if p.is_file() and not p.is_symlink()], seconds=seconds)
