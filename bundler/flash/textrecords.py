"""Text flash records (Intel HEX, S-records), thousands of records per call.

A record line is ``lead`` (type, count and address digits) + data in upper
case hex + a one-byte checksum in hex + end of line. Encoding one record at a
time in Python costs about a microsecond per record, too slow for 64 MiB
images (4 M records), and one Python object per byte is out of the question.
So a run of equal-length records is encoded at once, with no per-record
Python code:

* hex text with a separator between records (``binascii.hexlify(data, sep,
  -length)``), upper-cased by one ``bytes.translate`` (a table lookup, faster
  than ``bytes.upper``'s per-byte case test), the separator then replaced by
  "checksum placeholder, end of line, next lead" in one ``bytes.replace``;
* the varying low 16 address bits written as four columns, by extended-slice
  assignment from a table of every 4-digit address;
* the checksum from per-record byte sums computed on big integers: pair the
  bytes into 16-bit lanes, multiply by ``sum(2**(16*j))`` so the lane that
  ends each record holds its sum (at most 250 * 255, so lanes never carry),
  add the per-record address sums bytewise (SWAR), and map the result
  through one 256-byte table to the two checksum hex digits.

The functions here are format-neutral; :mod:`bundler.flash.ihex` and
:mod:`bundler.flash.srec` supply lead, constant sum and checksum rule.

Where the optional C module ``bundler.flash._records`` was built (it is
with every install that has a C compiler), :func:`encode_records` hands the
same job to it: the same bytes, about six times faster, and without the GIL,
so the writer thread's system calls overlap the next window's encoding.
"""

from __future__ import annotations

import binascii
import sys
from array import array
from functools import lru_cache

try:
    from bundler.flash import _records
except ImportError:             # built without a C compiler: the Python encoder, same bytes
    _records = None

HEX_DIGITS = b"0123456789ABCDEF"
SEP = b"|"                      # never a hex digit, so replace() finds only separators
PLACEHOLDER_SUM = b"CC"         # the checksum, overwritten by columns
UPPER = bytes.maketrans(b"abcdef", b"ABCDEF")


@lru_cache(maxsize=1)
def _addr_digits() -> bytes:
    """``%04X`` of every 16-bit value, concatenated (256 KiB)."""
    values = array("H", range(1 << 16))
    if sys.byteorder == "little":
        values.byteswap()                       # big-endian, so hex() reads most significant first
    return binascii.hexlify(values.tobytes()).upper()


@lru_cache(maxsize=1)
def _addr_sums() -> bytes:
    """(high byte + low byte) & 0xFF of every 16-bit value."""
    row = bytes(range(256))
    return b"".join(row[high:] + row[:high] for high in range(256))


@lru_cache(maxsize=512)
def checksum_digit_tables(constant: int, complement: str) -> tuple[bytes, bytes]:
    """Tables from (sum of data and low address bytes) to the checksum's two hex digits.

    ``constant`` is the part of the byte sum that is the same for every
    record (count, type, high address bytes); ``complement`` is "twos" (Intel
    HEX: the checksum makes the record sum 0) or "ones" (S-records: 0xFF - sum).
    """
    if complement == "twos":
        cs = [(-(x + constant)) & 0xFF for x in range(256)]
    elif complement == "ones":
        cs = [0xFF - ((x + constant) & 0xFF) for x in range(256)]
    else:
        raise ValueError(complement)
    return bytes(HEX_DIGITS[c >> 4] for c in cs), bytes(HEX_DIGITS[c & 15] for c in cs)


_masks: dict[str, int] = {}


def _mask(pattern: bytes, nbytes: int) -> int:
    """``pattern`` repeated over at least ``nbytes`` bytes, as a little-endian int (cached, grown)."""
    key = pattern.hex()
    have = _masks.get(key)
    if have is None or have.bit_length() < 8 * nbytes - 8:
        size = max(nbytes, 1 << 17)
        have = int.from_bytes(pattern * (size // len(pattern) + 1), "little")
        _masks[key] = have
    return have


@lru_cache(maxsize=64)
def _lane_ones(lanes: int) -> int:
    return sum(1 << (16 * j) for j in range(lanes))


def record_sums(data, length: int) -> bytes:
    """For each ``length``-byte record in ``data`` (whole records only), its byte sum & 0xFF."""
    n = len(data)
    if n == 0:
        return b""
    if n % length:
        raise ValueError("record_sums needs whole records")
    if length % 2 == 0:
        x = int.from_bytes(data, "little")
        m = _mask(b"\xff\x00", n)
        lanes = (x & m) + ((x >> 8) & m)                 # byte pairs in 16-bit lanes
        total = lanes * _lane_ones(length // 2)
        # record k's sum sits in lane k*length/2 + length/2 - 1, i.e. at byte k*length + length - 2
        return total.to_bytes(n + length, "little")[length - 2:n:length]
    spread = bytearray(2 * n)
    spread[0::2] = data                                  # one byte per 16-bit lane
    total = int.from_bytes(spread, "little") * _lane_ones(length)
    return total.to_bytes(2 * n + 2 * length, "little")[2 * length - 2:2 * n:2 * length]


def add_bytes(a: bytes, b: bytes) -> bytes:
    """``(a[i] + b[i]) & 0xFF`` for every i, on big integers (no carry between bytes)."""
    n = len(a)
    if n != len(b):
        raise ValueError("add_bytes needs equal lengths")
    if n == 0:
        return b""
    x, y = int.from_bytes(a, "little"), int.from_bytes(b, "little")
    low7, top = _mask(b"\x7f", n), _mask(b"\x80", n)
    return (((x & low7) + (y & low7)) ^ ((x ^ y) & top)).to_bytes(n, "little")


def encode_records(data, length: int, *, lead: bytes, addr_at: int, low16: int, constant: int,
                   complement: str, eol: bytes) -> bytearray:
    """Whole ``length``-byte records of ``data`` as text lines.

    ``lead`` is each line's text before the data, with four placeholder
    digits at ``addr_at`` for the low 16 address bits; record k has low
    address bits ``low16 + k * length``, which must stay below 0x10000 (the
    caller splits runs where the higher address digits change).
    ``constant`` is the byte sum common to every record (count, type, high
    address bytes).
    """
    n = len(data)
    count = n // length
    if count * length != n:
        raise ValueError("encode_records needs whole records")
    if count == 0:
        return bytearray()
    if low16 + (count - 1) * length > 0xFFFF:
        raise ValueError("records cross a 64 KiB address boundary")
    if _records is not None and complement in ("twos", "ones"):
        return _records.encode_records(data, length, lead, addr_at, low16, constant & 0xFF,
                                       complement == "twos", eol)
    return encode_records_py(data, length, lead=lead, addr_at=addr_at, low16=low16, constant=constant,
                             complement=complement, eol=eol)


def encode_records_py(data, length: int, *, lead: bytes, addr_at: int, low16: int, constant: int,
                      complement: str, eol: bytes) -> bytearray:
    """:func:`encode_records` in Python alone (the reference the C module is held to)."""
    n = len(data)
    text = binascii.hexlify(data, SEP, -length).translate(UPPER).replace(SEP, PLACEHOLDER_SUM + eol + lead)
    out = bytearray().join((lead, text, PLACEHOLDER_SUM, eol))
    width = len(lead) + 2 * length + 2 + len(eol)
    digits = _addr_digits()
    for c in range(4):
        out[addr_at + c::width] = digits[4 * low16 + c:4 * (low16 + n):4 * length]
    sums = add_bytes(record_sums(data, length), _addr_sums()[low16:low16 + n:length])
    hi, lo = checksum_digit_tables(constant & 0xFF, complement)
    at = width - len(eol) - 2
    out[at::width] = sums.translate(hi)
    out[at + 1::width] = sums.translate(lo)
    return out


def settle_allocator() -> None:
    """Allocate and free one 8 MiB buffer before encoding a large image.

    glibc's malloc raises its mmap and trim thresholds to the size of a freed
    mmapped block (mallopt(3), "dynamic threshold"), so afterwards the
    per-window temporaries (a few hundred KiB) are reused from the heap
    instead of being returned to the kernel and faulted in again after every
    window, which otherwise costs about as much system time as the writes.
    Elsewhere it is just a short-lived allocation.
    """
    ballast = bytearray(8 << 20)
    del ballast


def one_record(lead: bytes, payload, checksum: int, eol: bytes) -> bytes:
    """A single record: ``lead`` text, payload hex, checksum byte hex, eol (for edges and specials)."""
    return lead + bytes(payload).hex().upper().encode("ascii") + b"%02X" % checksum + eol
