"""Motorola S-records: encode a :class:`FlashImage` the way GNU objcopy does, and decode.

As ``objcopy -O srec`` (binutils bfd/srec.c): an S0 header holding the
output file's name (at most 40 bytes; we use its base name, objcopy the path
as typed), one record type for the whole file chosen by the highest data
address (S1 up to 0xFFFF, S2 up to 0xFFFFFF, else S3) with the matching
S9/S8/S7 terminator carrying the start address (0 when there is none), no S5
count record, 16 data bytes a record by default (objcopy's ``--srec-len``),
counted from the start of each run; records may cross 64 KiB boundaries.
Upper case, CRLF unless told otherwise.

One deliberate difference: when the start address is above the highest
data address and does not fit the record type, objcopy truncates it in the
terminator; here the type is widened so it fits.
"""

from __future__ import annotations

from bundler.errors import option, BadInputError, NoFitError
from bundler.flash.image import FlashImage, runs_from_records
from bundler.flash.textrecords import encode_records, one_record, settle_allocator

DEFAULT_LEN = 16
MAX_LEN = 250                   # the most an S3 record holds (its count byte is at most 255)
HEADER_MAX = 40                 # objcopy's limit on the S0 text
LIMIT = 1 << 32


def record_type(image: FlashImage) -> int:
    """1, 2 or 3: the narrowest data record that holds every data and the start address."""
    top = max(image.end - 1, image.start or 0)
    return 1 if top <= 0xFFFF else 2 if top <= 0xFFFFFF else 3


def _record(rtype: int, address: int, payload, eol: bytes) -> bytes:
    width = {0: 2, 1: 2, 2: 3, 3: 4, 5: 2, 6: 3, 7: 4, 8: 3, 9: 2}[rtype]
    head = bytes((width + len(payload) + 1,)) + address.to_bytes(width, "big")
    checksum = 0xFF - ((sum(head) + sum(payload)) & 0xFF)
    return one_record(b"S%d" % rtype + head.hex().upper().encode("ascii"), payload, checksum, eol)


def iter_srec(image: FlashImage, *, header: bytes = b"", eol: bytes = b"\r\n",
              length: int = DEFAULT_LEN):
    """Check ``image`` fits S-records (NoFitError if not), then return an iterator of text chunks."""
    if not 1 <= length <= MAX_LEN:
        raise ValueError(f"S-record data length {length} is outside 1..{MAX_LEN}")
    image.check_below(LIMIT, "Motorola S-record")
    if image.start is not None and image.start >= LIMIT:
        raise NoFitError(f"the start address {image.start:#x} does not fit a 32-bit S7 record",
                         address=image.start, hint=f"pass {option('no_start')} to leave it out")
    return _chunks(image, bytes(header[:HEADER_MAX]), eol, length)


def encode_srec(image: FlashImage, *, header: bytes = b"", eol: bytes = b"\r\n",
                length: int = DEFAULT_LEN) -> bytes:
    return b"".join(iter_srec(image, header=header, eol=eol, length=length))


def _chunks(image: FlashImage, header: bytes, eol: bytes, length: int):
    rtype = record_type(image)
    width = rtype + 1
    count = width + length + 1
    settle_allocator()
    yield _record(0, 0, header, eol)
    for run in image.runs:
        data = memoryview(run.data)
        pos = 0
        while pos < len(data):
            where = run.address + pos
            # the records that start in this 64 KiB window share their high address digits
            records = -(-(((where | 0xFFFF) + 1) - where) // length)
            size = min(len(data) - pos, records * length)
            whole = size - size % length
            high = where >> 16
            high_digits = "" if rtype == 1 else f"{high:02X}" if rtype == 2 else f"{high:04X}"
            lead = f"S{rtype}{count:02X}{high_digits}AAAA".encode("ascii")
            body = encode_records(data[pos:pos + whole], length, lead=lead, addr_at=len(lead) - 4,
                                  low16=where & 0xFFFF, constant=count + (high >> 8) + (high & 0xFF),
                                  complement="ones", eol=eol)
            if whole < size:
                body += _record(rtype, where + whole, data[pos + whole:pos + size], eol)
            yield body
            pos += size
    yield _record(10 - rtype, image.start or 0, b"", eol)


def decode_srec(text: bytes, *, name: str = "S-record file") -> FlashImage:
    """Parse S-records into an image; BadInputError on any fault.

    Checks counts and checksums, and an S5/S6 count where present. The start
    address comes from S7/S8/S9; 0 there means none (objcopy writes 0 then).
    """
    pieces = []
    start = None
    data_records = 0
    ended = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if ended:
            raise BadInputError(f"line {lineno}: records after the S7/S8/S9 terminator", file=name)
        if line[:1] not in (b"S", b"s") or not line[1:2].isdigit() or line[1:2] == b"4":
            raise BadInputError(f"line {lineno}: not an S0-S3 or S5-S9 record", file=name)
        rtype = int(line[1:2])
        try:
            rec = bytes.fromhex(line[2:].decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise BadInputError(f"line {lineno}: not hex digits", file=name) from None
        width = {0: 2, 1: 2, 2: 3, 3: 4, 5: 2, 6: 3, 7: 4, 8: 3, 9: 2}[rtype]
        if len(rec) < width + 2 or len(rec) != rec[0] + 1:
            raise BadInputError(f"line {lineno}: length does not match its count byte", file=name)
        if (sum(rec) & 0xFF) != 0xFF:
            raise BadInputError(f"line {lineno}: bad checksum", file=name)
        address = int.from_bytes(rec[1:1 + width], "big")
        payload = rec[1 + width:-1]
        if rtype in (1, 2, 3):
            data_records += 1
            if payload:
                pieces.append((address, payload, lineno))
        elif rtype in (5, 6):
            if address != data_records & ((1 << (8 * width)) - 1):
                raise BadInputError(f"line {lineno}: count record says {address} data records, "
                                    f"the file has {data_records}", file=name)
        elif rtype in (7, 8, 9):
            start = address or None
            ended = True
    return FlashImage.of(runs_from_records(pieces, name), start=start)
