"""Paths live here and in the CLI only: reading inputs, atomic writes.

Every output is written to a temporary file in the destination directory,
flushed, fsync'ed and renamed over the destination; on any failure, signal
included, the temporary file is removed and the destination is untouched.
Inputs are only ever opened for reading.
"""

from __future__ import annotations

import errno
import os
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bundler.errors import BadInputError, OutputError, UsageError


class Interrupted(BaseException):
    """SIGTERM/SIGHUP turned into an exception, so cleanup code runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def read_input(path: str | os.PathLike, what: str = "input") -> bytes:
    """The whole file, or a BadInputError that names it and says what to do."""
    p = os.fspath(path)
    try:
        with open(p, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise BadInputError("no such file", file=p, hint=f"check the path of the {what}") from None
    except IsADirectoryError:
        raise BadInputError("is a directory", file=p, hint=f"pass the {what} file itself") from None
    except PermissionError:
        raise BadInputError("cannot be read (permission denied)", file=p,
                            hint="check its permissions") from None
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc.strerror})", file=p) from None


def refuse_overwriting_inputs(outputs, inputs) -> None:
    """An output path that names an input (the same file, by any path) is a usage error."""
    ins = [os.fspath(i) for i in inputs if i is not None]
    for out in outputs:
        if out is None:
            continue
        o = os.fspath(out)
        for i in ins:
            if _same_file(o, i):
                raise UsageError(f"output {o} is the input {i}",
                                 file=o, hint="write the output to a new file; inputs are never changed")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, chunks, *, mode: int | None = None) -> int:
    """Write ``chunks`` (bytes-like) to ``path`` atomically; returns the byte count."""
    return write_outputs([(path, chunks, mode)])[0]


def write_outputs(items) -> list[int]:
    """Write several outputs, ``(path, chunks, mode)`` each: all of them or none.

    Phase one writes every output to a temporary file beside it (fsync'ed);
    only when all are complete are they renamed into place. Any failure or
    signal removes the temporary files and leaves every destination as it was.
    """
    temps: list[tuple[str, Path]] = []
    sizes = []
    try:
        with _terminate_as_exception():
            for path, chunks, mode in items:
                dest = Path(os.fspath(path))
                tmp, size = _write_temp(dest, chunks, mode)
                temps.append((tmp, dest))
                sizes.append(size)
            for tmp, dest in temps:
                try:
                    os.replace(tmp, dest)
                except OSError as exc:
                    raise OutputError(f"cannot rename the finished file into place ({exc.strerror})",
                                      file=str(dest), hint="check the directory's permissions") from None
    except BaseException:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
    return sizes


def _write_temp(dest: Path, chunks, mode: int | None) -> tuple[str, int]:
    directory = dest.parent
    if dest.is_dir():
        raise OutputError("is a directory", file=str(dest), hint="give a file name for the output")
    if not directory.is_dir():
        raise OutputError(f"directory {directory} does not exist", file=str(dest),
                          hint="create the directory first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot create a file in {directory} ({exc.strerror})", file=str(dest),
                          hint="check that the directory is writable") from None
    total = 0
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
                total += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, (0o666 & ~_umask()) if mode is None else mode)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            reason = "no space left on the device" if exc.errno == errno.ENOSPC else \
                "file size limit exceeded" if exc.errno == errno.EFBIG else exc.strerror
            raise OutputError(f"cannot write ({reason}; {total} bytes written before the failure)",
                              file=str(dest), size=total,
                              hint="free space or fix permissions, then run again; "
                                   "nothing was left behind") from None
        raise
    return tmp, total


@contextmanager
def _terminate_as_exception():
    """Within the block, SIGTERM and SIGHUP raise Interrupted instead of killing us."""
    def handler(signum, frame):
        raise Interrupted(signum)

    old = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            old[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        yield
    finally:
        for sig, prev in old.items():
            signal.signal(sig, prev)
