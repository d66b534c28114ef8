"""ELF string tables (.strtab, .shstrtab): one builder for new tables and grown ones."""

from __future__ import annotations


class StringTable:
    """An ELF string table: ``original`` (an existing table, or just the leading NUL
    of a new one) grown by appended names. ``add`` gives a name's offset,
    reusing a whole string the table already holds and adding each new name once."""

    def __init__(self, original: bytes = b"\0"):
        self.original = bytes(original)
        self.extra = bytearray()
        self.index = {}

    def add(self, name: str) -> int:
        if name in self.index:
            return self.index[name]
        raw = name.encode()
        found = self.original.find(raw + b"\0")
        # reuse an existing whole string (start of table or after a NUL)
        while found > 0 and self.original[found - 1] != 0:
            found = self.original.find(raw + b"\0", found + 1)
        if found >= 0:
            self.index[name] = found
            return found
        at = len(self.original) + len(self.extra)
        if not self.original and not self.extra:
            self.extra += b"\0"
            at = 1
        self.extra += raw + b"\0"
        self.index[name] = at
        return at

    @property
    def grown(self) -> bool:
        return bool(self.extra)

    def content(self) -> bytes:
        base = self.original if self.original else b""
        return base + bytes(self.extra)

    @property
    def data(self) -> bytes:
        """The whole table as it stands."""
        return self.content()
