"""Intel HEX: encode a :class:`FlashImage` the way GNU objcopy does, and decode.

Layout, record for record as ``objcopy -O ihex`` (binutils bfd/ihex.c):
16 data bytes a record, counted from the start of each run (each section),
a record never crosses a 64 KiB boundary, upper case, CRLF unless told
otherwise. The address state is objcopy's: nothing below 64 KiB; the first
record above the current 64 KiB window gets a type 02 (segment) record while
no type 04 was written and the address is at most 0xFFFFF, else a type 04
(linear) record, preceded by ``02 0000`` if a segment base was set. A start
address becomes type 03 (CS:IP) up to 0xFFFFF and type 05 above; there is
none when it is 0 or absent. Every address must be below 4 GiB.
"""

from __future__ import annotations

from bundler.errors import option, BadInputError, NoFitError
from bundler.flash.image import FlashImage, runs_from_records
from bundler.flash.textrecords import encode_records, one_record, settle_allocator

RECORD_LEN = 16
DATA, EOF, EXT_SEGMENT, START_SEGMENT, EXT_LINEAR, START_LINEAR = range(6)
LIMIT = 1 << 32


def _record(rtype: int, address: int, payload: bytes, eol: bytes) -> bytes:
    head = bytes((len(payload), address >> 8, address & 0xFF, rtype))
    checksum = (-(sum(head) + sum(payload))) & 0xFF
    return one_record(b":" + head.hex().upper().encode("ascii"), payload, checksum, eol)


def iter_ihex(image: FlashImage, *, eol: bytes = b"\r\n"):
    """Check ``image`` fits Intel HEX (NoFitError if not), then return an iterator of text chunks.

    One chunk per 64 KiB window of each run, so memory stays bounded.
    """
    image.check_below(LIMIT, "Intel HEX")
    if image.start is not None and image.start >= LIMIT:
        raise NoFitError(f"the start address {image.start:#x} does not fit a 32-bit Intel HEX start "
                         "record", address=image.start, hint=f"pass {option('no_start')} to leave it out")
    return _chunks(image, eol)


def encode_ihex(image: FlashImage, *, eol: bytes = b"\r\n") -> bytes:
    return b"".join(iter_ihex(image, eol=eol))


def _chunks(image: FlashImage, eol: bytes):
    settle_allocator()
    segbase = extbase = 0
    for run in image.runs:
        data = memoryview(run.data)
        pos = 0
        while pos < len(data):
            where = run.address + pos
            head = b""
            if where > segbase + extbase + 0xFFFF:
                if extbase == 0 and where <= 0xFFFFF:
                    segbase = where & 0xF0000
                    head = _record(EXT_SEGMENT, 0, (segbase >> 4).to_bytes(2, "big"), eol)
                else:
                    if segbase:
                        head = _record(EXT_SEGMENT, 0, b"\0\0", eol)
                        segbase = 0
                    extbase = where & 0xFFFF0000
                    head += _record(EXT_LINEAR, 0, (extbase >> 16).to_bytes(2, "big"), eol)
            offset = where - (segbase + extbase)
            size = min(len(data) - pos, 0x10000 - offset)
            whole = size - size % RECORD_LEN
            body = encode_records(data[pos:pos + whole], RECORD_LEN, lead=b":10AAAA00", addr_at=3,
                                  low16=offset, constant=RECORD_LEN, complement="twos", eol=eol)
            if whole < size:
                body += _record(DATA, offset + whole, data[pos + whole:pos + size], eol)
            if head:
                yield head
            yield body
            pos += size
    tail = b""
    if image.start:
        start = image.start
        if start <= 0xFFFFF:
            payload = bytes(((start & 0xF0000) >> 12, 0, (start >> 8) & 0xFF, start & 0xFF))
            tail = _record(START_SEGMENT, 0, payload, eol)
        else:
            tail = _record(START_LINEAR, 0, start.to_bytes(4, "big"), eol)
    yield tail + _record(EOF, 0, b"", eol)


def decode_ihex(text: bytes, *, name: str = "Intel HEX file") -> FlashImage:
    """Parse Intel HEX (any line ending, either case) into an image; BadInputError on any fault.

    Checks every checksum and count; data records that overlap are an error;
    adjacent records become one run. Type 02/04 bases and 03/05 starts as the spec says.
    """
    pieces: list[tuple[int, bytes, int]] = []
    base = 0
    start = None
    ended = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if ended:
            raise BadInputError(f"line {lineno}: data after the end-of-file record", file=name)
        if line[:1] != b":":
            raise BadInputError(f"line {lineno}: does not start with ':'", file=name)
        try:
            rec = bytes.fromhex(line[1:].decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise BadInputError(f"line {lineno}: not hex digits", file=name) from None
        if len(rec) < 5 or len(rec) != rec[0] + 5:
            raise BadInputError(f"line {lineno}: length {len(rec)} bytes does not match its count "
                                f"{rec[0] if rec else 0}", file=name)
        if sum(rec) & 0xFF:
            raise BadInputError(f"line {lineno}: bad checksum", file=name)
        count, address, rtype, payload = rec[0], int.from_bytes(rec[1:3], "big"), rec[3], rec[4:-1]
        if rtype == DATA:
            if count:
                pieces.append((base + address, payload, lineno))
        elif rtype == EOF:
            ended = True
        elif rtype in (EXT_SEGMENT, EXT_LINEAR) and count == 2:
            value = int.from_bytes(payload, "big")
            base = value << 4 if rtype == EXT_SEGMENT else value << 16
        elif rtype == START_SEGMENT and count == 4:
            start = (int.from_bytes(payload[:2], "big") << 4) + int.from_bytes(payload[2:], "big")
        elif rtype == START_LINEAR and count == 4:
            start = int.from_bytes(payload, "big")
        else:
            raise BadInputError(f"line {lineno}: record type {rtype:02X} with {count} bytes is not "
                                "valid Intel HEX", file=name)
    if not ended:
        raise BadInputError("no end-of-file record (type 01): the file is truncated", file=name)
    return FlashImage.of(runs_from_records(pieces, name), start=start)

