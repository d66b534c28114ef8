#!/usr/bin/env python3
"""mkcpio.py OUT DEST=SRC... - the Linux host's initramfs: a newc cpio archive
with /dev/console (character device 5:1), the directories every DEST needs and
each file SRC at DEST (mode 0755 under bin/ and for init, else 0644).

Written here rather than with cpio(1), which copies device nodes from the file
system: making /dev/console there needs root. Deterministic bytes (inode
numbers in order, mtime 0, uid and gid 0). The format is the kernel's
Documentation/driver-api/early-userspace/buffer-format.rst.
"""

import os
import sys

S_IFDIR, S_IFCHR, S_IFREG = 0o040000, 0o020000, 0o100000
EMPTY_DIRS = ("dev", "proc", "sys")


def pad4(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 4)


def entry(ino: int, name: str, mode: int, data: bytes = b"", rdev: tuple = (0, 0)) -> bytes:
    fields = (ino, mode, 0, 0, 2 if mode & S_IFDIR else 1, 0, len(data), 0, 0,
              rdev[0], rdev[1], len(name) + 1, 0)
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    return pad4(head + name.encode() + b"\0") + pad4(data)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    files = [a.split("=", 1) for a in argv[2:]]
    dirs = set(EMPTY_DIRS)
    for dest, _ in files:
        parts = dest.split("/")[:-1]
        dirs.update("/".join(parts[:i + 1]) for i in range(len(parts)))
    out, ino = [], 1
    for d in sorted(dirs):
        out.append(entry(ino, d, S_IFDIR | 0o755))
        ino += 1
    out.append(entry(ino, "dev/console", S_IFCHR | 0o600, rdev=(5, 1)))
    ino += 1
    for dest, src in files:
        with open(src, "rb") as f:
            data = f.read()
        mode = 0o755 if dest == "init" or dest.startswith("bin/") else 0o644
        out.append(entry(ino, dest, S_IFREG | mode, data))
        ino += 1
    out.append(entry(0, "TRAILER!!!", 0))
    blob = b"".join(out)
    tmp = argv[1] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob + b"\0" * (-len(blob) % 512))
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
