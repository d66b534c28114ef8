#!/usr/bin/env python3
"""mkcpio.py INIT OUT - the remote Linux's initramfs: a newc cpio archive with
/dev, /dev/console (character device 5:1) and /init (the file INIT, mode 0755).

Written here rather than with cpio(1), which copies device nodes from the file
system: making /dev/console there needs root. Deterministic bytes (inode
numbers in order, mtime 0, uid and gid 0), so the FIT is reproducible.
The format is the kernel's Documentation/driver-api/early-userspace/buffer-format.rst.
"""

import os
import sys

S_IFDIR, S_IFCHR, S_IFREG = 0o040000, 0o020000, 0o100000


def pad4(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 4)


def entry(ino: int, name: str, mode: int, data: bytes = b"", rdev: tuple = (0, 0)) -> bytes:
    fields = (ino, mode, 0, 0, 2 if mode & S_IFDIR else 1, 0, len(data), 0, 0,
              rdev[0], rdev[1], len(name) + 1, 0)
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    return pad4(head + name.encode() + b"\0") + pad4(data)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    init = open(argv[1], "rb").read()
    out = (entry(1, "dev", S_IFDIR | 0o755)
           + entry(2, "dev/console", S_IFCHR | 0o600, rdev=(5, 1))
           + entry(3, "init", S_IFREG | 0o755, init)
           + entry(0, "TRAILER!!!", 0))
    tmp = argv[2] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out + b"\0" * (-len(out) % 512))
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
