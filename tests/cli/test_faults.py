"""Faults while writing: a read-only directory, a full disk, a file size limit,
and SIGINT/SIGTERM in the middle of the write. Each must leave no output, no
temporary file, and every input byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.paths import ROOT

from tests.support.tools import in_ci

from tests.support.cli import run_bundle
from tests.support.elf import build_host, build_remote


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextmanager
def tmpfs(path: Path, size: str, readonly: bool = False):
    """Mount a tmpfs (root only); yields False where mounting is not possible."""
    path.mkdir()
    opts = f"size={size}" + (",ro" if readonly else "")
    ok = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)],
                                              capture_output=True).returncode == 0
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", str(path)], capture_output=True)


@pytest.fixture(params=[200 << 10, 2 << 20], ids=["read", "copied-in-kernel"])
def inputs(tmp_path, request):
    """A host and a remote: one small enough to be read, one large enough to be mapped and
    copied file to file (bundler.fileio.MMAP_THRESHOLD)."""
    host, remote = tmp_path / "host.elf", tmp_path / "remote.elf"
    host.write_bytes(build_host())
    remote.write_bytes(build_remote(code=os.urandom(request.param)))
    return host, remote, {p: digest(p) for p in (host, remote)}


def assert_nothing_left(directory: Path, out: Path, before: dict):
    assert not out.exists()
    leftovers = [p.name for p in directory.iterdir() if p.name.startswith(f".{out.name}.")] \
        if directory.is_dir() else []
    assert leftovers == [], leftovers
    for path, d in before.items():
        assert digest(path) == d, f"{path} changed"


def test_output_directory_not_writable(tmp_path, inputs):
    host, remote, before = inputs
    target = tmp_path / "ro"
    with tmpfs(target, "1m", readonly=True) as mounted:
        if not mounted:
            if os.geteuid() == 0:
                pytest.fail("cannot mount a read-only tmpfs as root") if in_ci() else \
                    pytest.skip("cannot mount a read-only tmpfs here")
            target.chmod(0o555)
        out = target / "out.elf"
        proc = run_bundle(host, remote, "-o", out)
        assert proc.returncode == 5, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "cannot create a file in" in proc.stderr and "check that the directory is writable" in proc.stderr
        assert_nothing_left(target, out, before)


def test_disk_full(tmp_path, inputs):
    host, remote, before = inputs
    target = tmp_path / "small"
    with tmpfs(target, "64k") as mounted:
        if not mounted:
            pytest.fail("cannot mount a small tmpfs as root") if in_ci() and os.geteuid() == 0 else \
                pytest.skip("needs root to mount a small tmpfs")
        out = target / "out.elf"
        proc = run_bundle(host, remote, "-o", out)
        assert proc.returncode == 5, proc.stderr
        assert "no space left on the device" in proc.stderr and "Traceback" not in proc.stderr
        assert_nothing_left(target, out, before)
        assert os.listdir(target) == []


def test_file_size_limit(tmp_path, inputs):
    host, remote, before = inputs
    out = tmp_path / "out.elf"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 1024, 100 * 1024))

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "bundler", str(host), str(remote), "-o", str(out)],
                          capture_output=True, text=True, env=env, preexec_fn=limit)
    assert proc.returncode == 5, proc.stderr
    assert "file size limit exceeded" in proc.stderr and "Traceback" not in proc.stderr
    assert_nothing_left(tmp_path, out, before)


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 128 + 15), (signal.SIGINT, 128 + 2)],
                         ids=["SIGTERM", "SIGINT"])
def test_signal_mid_write(tmp_path, signum, code):
    host = tmp_path / "host.elf"
    host.write_bytes(build_host())
    remote = tmp_path / "remote.bin"
    with open(remote, "wb") as f:          # large enough that the write takes a while
        for _ in range(96):
            f.write(os.urandom(1 << 20))
    before = {p: digest(p) for p in (host, remote)}
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "out.elf"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _attempt in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "bundler", str(host), str(remote), "-o", str(out)],
                                stderr=subprocess.PIPE, text=True, env=env)
        caught = False
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if any(n.startswith(".out.elf.") for n in os.listdir(outdir)):
                os.kill(proc.pid, signal.SIGSTOP)       # freeze it mid-write, then look
                caught = any(n.startswith(".out.elf.") for n in os.listdir(outdir)) and not out.exists()
                os.kill(proc.pid, signum)
                os.kill(proc.pid, signal.SIGCONT)
                break
        _, err = proc.communicate(timeout=60)
        if caught:
            break
        if out.exists():
            out.unlink()
    assert caught, "never caught the write in progress"
    assert proc.returncode == code, err
    assert "interrupted; no output was written" in err and "Traceback" not in err
    assert_nothing_left(outdir, out, before)
