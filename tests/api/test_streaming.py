"""Large inputs stream (bundler.fileio): a mapped remote is copied file to file by the
kernel, or by sendfile, or in windows, and every way writes the same bytes; a file replaced
after it was mapped is written from the map; an encoder that fails mid-stream leaves nothing."""

from __future__ import annotations

import errno
import os

import pytest

import bundler
from bundler import fileio
from tests.support.elf import build_host, build_remote


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    d = tmp_path_factory.mktemp("stream")
    host, remote = d / "host.elf", d / "remote.elf"
    host.write_bytes(build_host())
    remote.write_bytes(build_remote(code=os.urandom(3 << 20)))      # > MMAP_THRESHOLD: mapped
    return host, remote


def _refuse(*_args, **_kwargs):
    raise OSError(errno.EINVAL, "not here")


@pytest.mark.parametrize("way", ["copy_file_range", "sendfile", "windows"])
def test_every_copy_writes_the_same_bytes(pair, tmp_path, monkeypatch, way):
    host, remote = pair
    expected = bundler.bundle(host.read_bytes(), [remote.read_bytes()], None, names=["remote_elf"]).to_bytes()
    assert os.path.getsize(remote) >= fileio.MMAP_THRESHOLD
    used = []

    def spy(real):
        def call(*args, **kwargs):
            used.append(real.__name__)
            return real(*args, **kwargs)
        return call

    if way == "copy_file_range":
        monkeypatch.setattr(os, "copy_file_range", spy(os.copy_file_range))
    else:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
        monkeypatch.setattr(os, "sendfile", spy(os.sendfile) if way == "sendfile" else _refuse)
    out = tmp_path / "out.elf"
    outcome = bundler.bundle(host, [remote], out)
    assert out.read_bytes() == expected
    assert set(used) == ({way} if way != "windows" else set())
    assert outcome.written[str(out)] == len(expected)


def test_a_file_replaced_after_mapping_is_written_from_the_map(tmp_path):
    path = tmp_path / "input.bin"
    original = os.urandom(fileio.MMAP_THRESHOLD + 4096)
    path.write_bytes(original)
    mapped = fileio.read_input(path, allow_mmap=True)
    assert isinstance(mapped, fileio.MappedInput)
    other = tmp_path / "other.bin"
    other.write_bytes(os.urandom(len(original)))
    os.replace(other, path)                 # same size, another file: the identity check sees it
    out = tmp_path / "out.bin"
    fileio.write_outputs([(out, [b"head", mapped], None)])
    assert out.read_bytes() == b"head" + original


def test_iter_windows_covers_the_buffer_and_hands_pages_back(tmp_path):
    path = tmp_path / "input.bin"
    data = os.urandom(3 * fileio.WINDOW + 123)
    path.write_bytes(data)
    mapped = fileio.read_input(path, allow_mmap=True)
    assert b"".join(bytes(w) for w in fileio.iter_windows(mapped)) == data
    assert bytes(mapped[:16]) == data[:16]          # pages handed back fault in again, unchanged


def test_an_encoder_that_fails_mid_stream_leaves_nothing(tmp_path):
    def chunks():
        for _ in range(40):
            yield b"x" * 65536
        raise RuntimeError("encoder failed")

    out = tmp_path / "out.hex"
    with pytest.raises(RuntimeError, match="encoder failed"):
        fileio.write_outputs([(out, chunks(), None)])
    assert os.listdir(tmp_path) == []


def test_a_write_that_fails_mid_stream_stops_the_encoder(tmp_path, monkeypatch):
    made = []

    def chunks():
        for i in range(10_000):
            made.append(i)
            yield b"y" * 4096

    calls = []
    real_write = fileio._write_chunk

    def failing(f, chunk, at):
        calls.append(at)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(f, chunk, at)

    monkeypatch.setattr(fileio, "_write_chunk", failing)
    out = tmp_path / "out.hex"
    with pytest.raises(bundler.OutputError, match="no space left"):
        fileio.write_outputs([(out, chunks(), None)])
    assert len(made) < 10_000               # the producer stopped soon after the failure
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("setting, synced", [(None, False), ("0", False), ("1", True)])
def test_fsync_only_when_asked(pair, tmp_path, monkeypatch, setting, synced):
    """Like ld and objcopy, outputs are left to writeback unless BUNDLE_FSYNC=1 asks for
    a flush of every file (written and fsync'ed before any rename)."""
    host, remote = pair
    if setting is None:
        monkeypatch.delenv("BUNDLE_FSYNC", raising=False)
    else:
        monkeypatch.setenv("BUNDLE_FSYNC", setting)
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(fileio.os, "replace", lambda a, b: (events.append("rename"), real_replace(a, b))[1])
    out, hexfile = tmp_path / "out.elf", tmp_path / "out.hex"
    bundler.bundle(host, [remote], out, hex=hexfile)
    assert events == (["fsync", "fsync", "rename", "rename"] if synced else ["rename", "rename"])
    assert out.read_bytes()[:4] == b"\x7fELF" and hexfile.read_text().startswith(":")


@pytest.mark.parametrize("exchange", [True, False])
def test_a_large_output_replaces_an_existing_file_whole(pair, tmp_path, monkeypatch, exchange):
    """Over an existing file a large output is swapped in (renameat2 RENAME_EXCHANGE, then
    the old file unlinked: no ext4 flush on replace) or, where there is no exchange, renamed;
    either way the destination holds the new bytes and nothing else is left in the directory."""
    host, remote = pair
    monkeypatch.delenv("BUNDLE_FSYNC", raising=False)
    if not exchange:
        monkeypatch.setattr(fileio, "_renameat2", lambda: None)
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(fileio.os, "replace", lambda a, b: (replaced.append(b), real_replace(a, b))[1])
    out = tmp_path / "out.elf"
    out.write_bytes(b"old output")
    old_inode = out.stat().st_ino
    bundler.bundle(host, [remote], out)
    assert out.read_bytes() == bundler.bundle(host, [remote], None).to_bytes()
    assert out.stat().st_ino != old_inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.elf"]
    assert replaced == ([] if exchange and _exchange_works(tmp_path) else [str(out)])


def _exchange_works(directory) -> bool:
    """Whether this file system swaps two names (tmpfs and ext4 do; some others refuse)."""
    a, b = directory / "probe-a", directory / "probe-b"
    a.write_bytes(b"a")
    b.write_bytes(b"b")
    call = fileio._renameat2()
    ok = call is not None and call(-100, os.fsencode(a), -100, os.fsencode(b), fileio.RENAME_EXCHANGE) == 0
    a.unlink()
    b.unlink()
    return ok
