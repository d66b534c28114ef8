"""Paths live here and in the CLI only: reading inputs, atomic writes.

Every output is written to a temporary file in the destination directory,
then renamed over the destination; on any failure, signal included, the
temporary file is removed and the destination is untouched. Like ld and
objcopy, the data is left to the kernel's writeback; ``BUNDLE_FSYNC=1`` in
the environment fsyncs each file before its rename, for outputs that must
survive a power cut (it costs the time the disk takes to write them).
Inputs are only ever opened for reading.

Large inputs stream: a file of MMAP_THRESHOLD bytes or more is a read-only
map (:class:`MappedInput`) that the parsers read only where they look (the
headers), so its payload never passes through Python objects. The writer
copies such a chunk file to file in the kernel (``copy_file_range``, else
``sendfile``, else a windowed copy), and whoever must read every byte (the
CRC, the flash encoders) walks it in windows with :func:`iter_windows`,
which hands the pages already read back to the page cache: the process's
memory stays small whatever the payload's size.
"""

from __future__ import annotations

import errno
import mmap
import os
try:
    import _signal as signal    # CPython's C module; signal.py only wraps it in enums, whose import
except ImportError:             # would cost every small bundle's start-up more than its work
    import signal

from bundler.errors import BadInputError, OutputError, UsageError


class Interrupted(BaseException):
    """SIGTERM/SIGHUP turned into an exception, so cleanup code runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


MMAP_THRESHOLD = 1 << 20     # inputs this large are mapped, not read into memory
WINDOW = 4 << 20             # bytes read between two hand-backs of a map's pages


class MappedInput(mmap.mmap):
    """A read-only map of an input file that remembers which file it maps.

    Parsers take it as any buffer; :func:`_write_chunk` copies it from the
    file itself, once it has checked that the path still names the same
    file (device, inode, size) as when it was mapped.
    """

    path: str
    identity: tuple[int, int, int]

    @classmethod
    def of(cls, f, path: str) -> "MappedInput":
        st = os.fstat(f.fileno())
        mapped = cls(f.fileno(), 0, access=mmap.ACCESS_READ)
        mapped.path = path
        mapped.identity = (st.st_dev, st.st_ino, st.st_size)
        return mapped


def release(buffer) -> None:
    """Hand back the pages of ``buffer``'s map (a MappedInput or a view into one) that this
    process has read: they stay in the page cache and fault back in if read again."""
    base = buffer.obj if isinstance(buffer, memoryview) else buffer
    if isinstance(base, mmap.mmap) and not base.closed and hasattr(mmap, "MADV_DONTNEED"):
        base.madvise(mmap.MADV_DONTNEED)


def iter_windows(buffer, window: int = WINDOW):
    """``buffer`` as consecutive memoryviews of ``window`` bytes; a map's pages are handed back
    after each window, so reading a large input end to end keeps one window resident."""
    view = memoryview(buffer)
    for at in range(0, len(view), window):
        yield view[at:at + window]
        release(view)


def read_input(path: str | os.PathLike, what: str = "input", *, allow_mmap: bool = False):
    """The whole file, or a BadInputError that names it and says what to do.

    With ``allow_mmap``, a large file comes back as a read-only mmap (a buffer
    that bytes-like consumers take as is): it is never copied into memory.
    """
    p = os.fspath(path)
    try:
        with open(p, "rb") as f:
            if allow_mmap and os.fstat(f.fileno()).st_size >= MMAP_THRESHOLD:
                return MappedInput.of(f, p)
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

    Phase one writes every output to a temporary file beside it (fsync'ed when
    ``BUNDLE_FSYNC=1``);
    only when all are complete are they renamed into place. Any failure or
    signal removes the temporary files and leaves every destination as it was.
    """
    temps: list[tuple[str, str]] = []
    sizes = []
    durable = os.environ.get("BUNDLE_FSYNC") == "1"
    try:
        with _terminate_as_exception():
            for path, chunks, mode in items:
                dest = os.fspath(path)
                tmp, size = _write_temp(dest, chunks, mode, temps, durable)
                sizes.append(size)
            for (tmp, dest), size in zip(temps, sizes):
                try:
                    _rename_into_place(tmp, dest, size, durable)
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


RENAME_EXCHANGE = 2         # renameat2's flag (linux/fs.h)


def _rename_into_place(tmp: str, dest: str, size: int, durable: bool) -> None:
    """``tmp`` becomes ``dest`` atomically. A large file replacing an existing one is
    swapped in (renameat2 RENAME_EXCHANGE) and the old file, now at ``tmp``, unlinked:
    ext4 flushes a file renamed over another (auto_da_alloc), 0.04 s for 64 MiB, the
    very flush that ld and objcopy do not pay; a ``durable`` file (BUNDLE_FSYNC=1) is on
    the disk already. Anywhere the exchange is refused (another system, a file system
    without it), a rename."""
    if size >= MMAP_THRESHOLD and not durable and os.path.isfile(dest):
        exchange = _renameat2()
        if exchange is not None and exchange(-100, os.fsencode(tmp), -100, os.fsencode(dest),
                                             RENAME_EXCHANGE) == 0:    # -100: AT_FDCWD
            os.unlink(tmp)
            return
    os.replace(tmp, dest)


def _renameat2():
    """libc's renameat2, or None where there is none (it is Linux's, glibc 2.28 on)."""
    if not hasattr(os, "sched_getaffinity"):        # not Linux
        return None
    import ctypes
    return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)


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


def _write_temp(dest: str, chunks, mode: int | None, temps: list, durable: bool) -> tuple[str, int]:
    """Write ``chunks`` to a new temporary file beside ``dest`` (recorded in ``temps``),
    fsync'ed when ``durable``."""
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
            if isinstance(chunks, (list, tuple)):
                for chunk in chunks:
                    total += _write_chunk(f, chunk, total)
            else:
                total = _write_pipelined(f, chunks)
            if durable:
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


def _write_pipelined(f, chunks) -> int:
    """Write a lazy sequence of chunks (an encoder's) while the next ones are made: a thread
    writes (the system call releases the GIL) while this one encodes. The bytes written."""
    import queue
    import threading

    pending: queue.Queue = queue.Queue(maxsize=8)
    done = object()
    failed: list[BaseException] = []
    written = [0]

    def writer():
        while True:
            chunk = pending.get()
            if chunk is done:
                return
            if failed:
                continue                    # drain what the producer still puts
            try:
                written[0] += _write_chunk(f, chunk, written[0])
            except BaseException as exc:    # re-raised in the producer's thread
                failed.append(exc)

    thread = threading.Thread(target=writer, name="bundle-writer", daemon=True)
    thread.start()
    try:
        for chunk in chunks:
            if failed:
                break
            pending.put(chunk)
    finally:
        pending.put(done)
        thread.join()
    if failed:
        raise failed[0]
    return written[0]


def _write_chunk(f, chunk, at: int) -> int:
    """Write ``chunk`` at file offset ``at`` of ``f`` (unbuffered); the bytes written."""
    if isinstance(chunk, MappedInput) and _copy_file(f, chunk, at):
        return len(chunk)
    total = 0
    for window in iter_windows(chunk) if isinstance(chunk, mmap.mmap) else (memoryview(chunk),):
        while window:                       # unbuffered writes may be short
            n = f.write(window)
            total += n
            window = window[n:]
    return total


def _copy_file(f, mapped: MappedInput, at: int) -> bool:
    """Copy ``mapped``'s file into ``f`` at ``at`` inside the kernel; False (nothing written)
    where the system cannot, or the path no longer names the file that was mapped."""
    try:
        src = os.open(mapped.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        st = os.fstat(src)
        if (st.st_dev, st.st_ino, st.st_size) != mapped.identity:
            return False
        size, done = len(mapped), 0
        copy = getattr(os, "copy_file_range", None)
        while done < size:
            try:
                if copy is not None:
                    n = copy(src, f.fileno(), size - done, done, at + done)
                else:
                    n = os.sendfile(f.fileno(), src, done, size - done)
            except OSError as exc:
                if done == 0 and exc.errno in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                    if copy is not None:            # another file system, or an old kernel
                        copy = None
                        continue
                    return False
                raise
            if n == 0:
                raise OSError(errno.EIO, f"{mapped.path} ended early")
            done += n
        if copy is None:            # sendfile writes at the file position; copy_file_range does not move it
            return True
        os.lseek(f.fileno(), at + size, os.SEEK_SET)
        return True
    finally:
        os.close(src)


class _terminate_as_exception:
    """Within the block, SIGTERM and SIGHUP raise Interrupted instead of killing us."""

    def __enter__(self):
        def handler(signum, frame):
            raise Interrupted(signum)

        self.old = {}
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                self.old[sig] = signal.signal(sig, handler)
            except (ValueError, OSError):  # not the main thread
                pass
        return self

    def __exit__(self, *exc):
        for sig, prev in self.old.items():
            if prev is not None:    # None: a handler not set from Python, which cannot be put back
                signal.signal(sig, prev)
        return False
