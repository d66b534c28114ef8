"""Paths live here and in the CLI only: reading inputs, atomic writes.

Every output is written to a temporary file in the destination directory,
flushed, fsync'ed and renamed over the destination; on any failure, signal
included, the temporary file is removed and the destination is untouched.
Inputs are only ever opened for reading.
"""

from __future__ import annotations

import errno
import mmap
import os
import signal
from contextlib import contextmanager

from bundler.errors import BadInputError, OutputError, UsageError


class Interrupted(BaseException):
    """SIGTERM/SIGHUP turned into an exception, so cleanup code runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


MMAP_THRESHOLD = 1 << 20     # inputs this large are mapped, not read into memory


def read_input(path: str | os.PathLike, what: str = "input", *, allow_mmap: bool = False):
    """The whole file, or a BadInputError that names it and says what to do.

    With ``allow_mmap``, a large file comes back as a read-only mmap (a buffer
    that bytes-like consumers take as is): it is never copied into memory.
    """
    p = os.fspath(path)
    try:
        with open(p, "rb") as f:
            if allow_mmap and os.fstat(f.fileno()).st_size >= MMAP_THRESHOLD:
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
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


def write_outputs(items) -> list[int]:
    """Write several outputs, ``(path, chunks, mode)`` each: all of them or none.

    Phase one writes every output to a temporary file beside it (fsync'ed);
    only when all are complete are they renamed into place. Any failure or
    signal removes the temporary files and leaves every destination as it was.
    """
    temps: list[tuple[str, str]] = []
    sizes = []
    try:
        with _terminate_as_exception():
            for path, chunks, mode in items:
                dest = os.fspath(path)
                tmp, size = _write_temp(dest, chunks, mode, temps)
                sizes.append(size)
            for tmp, dest in temps:
                try:
                    os.replace(tmp, dest)
                except OSError as exc:
                    raise OutputError(f"cannot rename the finished file into place ({exc.strerror})",
                                      file=dest, hint="check the directory's permissions") from None
    except BaseException:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
    return sizes


def _create_temp(dest: str, temps: list) -> tuple[int, str]:
    """A new file beside ``dest``, named ``.<name>.<random>.tmp``, opened for writing.

    The name is recorded in ``temps`` before the file exists, so that a signal
    arriving just after it is created still finds it to remove.
    """
    directory, name = os.path.split(dest)
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{os.urandom(4).hex()}.tmp")
        temps.append((tmp, dest))
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600), tmp
        except FileExistsError:
            temps.pop()
            continue
        except OSError:
            temps.pop()
            raise
    raise FileExistsError(errno.EEXIST, "no free temporary name", dest)


def _write_temp(dest: str, chunks, mode: int | None, temps: list) -> tuple[str, int]:
    """Write ``chunks`` to a new temporary file beside ``dest`` (recorded in ``temps``)."""
    directory = os.path.dirname(dest) or "."
    if os.path.isdir(dest):
        raise OutputError("is a directory", file=dest, hint="give a file name for the output")
    if not os.path.isdir(directory):
        raise OutputError(f"directory {directory} does not exist", file=dest,
                          hint="create the directory first")
    try:
        fd, tmp = _create_temp(dest, temps)
    except OSError as exc:
        raise OutputError(f"cannot create a file in {directory} ({exc.strerror})", file=dest,
                          hint="check that the directory is writable") from None
    total = 0
    try:
        with os.fdopen(fd, "wb", buffering=0) as f:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:                 # unbuffered writes may be short
                    n = f.write(view)
                    total += n
                    view = view[n:]
            os.fsync(f.fileno())
        os.chmod(tmp, (0o666 & ~_umask()) if mode is None else mode)
    except OSError as exc:
        reason = "no space left on the device" if exc.errno == errno.ENOSPC else \
            "file size limit exceeded" if exc.errno == errno.EFBIG else exc.strerror
        raise OutputError(f"cannot write ({reason}; {total} bytes written before the failure)",
                          file=dest, size=total,
                          hint="free space or fix permissions, then run again; "
                               "nothing was left behind") from None
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
