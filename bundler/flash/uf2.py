"""UF2 (Microsoft's USB flashing format): 512-byte blocks of 256 payload bytes.

Each block: a 32-byte header (magic 0x0A324655 and 0x9E5D5157, flags,
target address, payload size 256, block number, block count, family id when
flag 0x2000 is set, else 0), the payload in a 476-byte data area padded with
zeros, and the end magic 0x0AB16F30; all little-endian. Blocks go in address
order, numbered from 0.

Every block covers one 256-byte aligned page, as the RP2040/RP2350 boot ROMs
require. A page the image covers only in part (a run that starts or ends
off a 256-byte boundary, or two runs sharing a page) is padded with the fill
byte, 0x00 by default as uf2conv.py and elf2uf2 do; addresses are never
refused for their alignment. Blocks are assembled 256 at a time with
strided word copies, not one Python call per block.
"""

from __future__ import annotations

import struct
import sys
from array import array

from bundler.errors import BadInputError
from bundler.flash.image import FlashImage, runs_from_records
from bundler.flash.textrecords import settle_allocator
from bundler.records import Record

MAGIC_START0 = 0x0A324655
MAGIC_START1 = 0x9E5D5157
MAGIC_END = 0x0AB16F30
FLAG_NOT_MAIN_FLASH = 0x00000001
FLAG_FAMILY_ID = 0x00002000
BLOCK_SIZE = 512
PAYLOAD = 256
DATA_AREA = 476
HEADER = struct.Struct("<8I")
END = struct.Struct("<I")
BLOCKS_PER_CHUNK = 256
LIMIT = 1 << 32

# word indices (uint32) of the varying header fields inside a block
_W_ADDR, _W_BLOCKNO, _WORDS = 3, 5, BLOCK_SIZE // 4


def iter_uf2(image: FlashImage, *, family: int | None, fill: int = 0x00):
    """Check ``image`` fits 32-bit UF2 addresses, then return an iterator of block chunks."""
    image.check_below(LIMIT, "UF2")
    if family is not None and not 0 <= family <= 0xFFFFFFFF:
        raise ValueError(f"family id {family:#x} is not 32-bit")
    pages = plan_pages(image, fill)
    return _chunks(pages, family, sum(len(d) for _, d in pages) // PAYLOAD)


def encode_uf2(image: FlashImage, *, family: int | None, fill: int = 0x00) -> bytes:
    return b"".join(iter_uf2(image, family=family, fill=fill))


def plan_pages(image: FlashImage, fill: int) -> list[tuple[int, memoryview | bytearray]]:
    """``(address, bytes)`` spans of whole 256-byte pages, in address order.

    Pages wholly inside a run are views of it; a page a run covers in part
    is assembled from the fill byte and every run that touches it.
    """
    spans = []
    partial: dict[int, bytearray] = {}

    def put(address: int, data) -> None:
        page = address & ~(PAYLOAD - 1)
        buf = partial.get(page)
        if buf is None:
            buf = partial[page] = bytearray((fill,)) * PAYLOAD
        buf[address - page:address - page + len(data)] = data

    for run in image.runs:
        a, e, data = run.address, run.end, memoryview(run.data)
        first_full = (a + PAYLOAD - 1) & ~(PAYLOAD - 1)
        last_full = e & ~(PAYLOAD - 1)
        head_end = min(first_full, e)
        if a < head_end:
            put(a, data[:head_end - a])
        if first_full < last_full:
            spans.append((first_full, data[first_full - a:last_full - a]))
        tail = max(last_full, head_end)
        if tail < e:
            put(tail, data[tail - a:])
    spans.extend(partial.items())
    spans.sort(key=lambda s: s[0])
    return spans


def _column(values) -> memoryview:
    col = array("I", values)
    if sys.byteorder == "big":
        col.byteswap()
    return memoryview(col)


def _chunks(pages, family: int | None, total: int):
    flags = FLAG_FAMILY_ID if family is not None else 0
    template = (HEADER.pack(MAGIC_START0, MAGIC_START1, flags, 0, PAYLOAD, 0, total, family or 0)
                + bytes(DATA_AREA) + END.pack(MAGIC_END))
    blockno = 0
    settle_allocator()
    for address, data in pages:
        data = memoryview(data)
        for at in range(0, len(data), BLOCKS_PER_CHUNK * PAYLOAD):
            part = data[at:at + BLOCKS_PER_CHUNK * PAYLOAD]
            count = len(part) // PAYLOAD
            out = bytearray(template * count)
            words = memoryview(out).cast("I")
            base = address + at
            words[_W_ADDR::_WORDS] = _column(range(base, base + count * PAYLOAD, PAYLOAD))
            words[_W_BLOCKNO::_WORDS] = _column(range(blockno, blockno + count))
            quads, src = memoryview(out).cast("Q"), part.cast("Q")
            for j in range(PAYLOAD // 8):           # payload word j of every block at once
                quads[HEADER.size // 8 + j::BLOCK_SIZE // 8] = src[j::PAYLOAD // 8]
            blockno += count
            yield out


class Uf2Contents(Record):
    image: FlashImage
    families: set[int]          # family ids of the blocks that carry one
    blocks: int


def decode_uf2(data: bytes, *, name: str = "UF2 file") -> Uf2Contents:
    """Parse UF2 blocks; BadInputError on bad magic, size, numbering or overlapping payloads.

    Blocks flagged "not main flash" are skipped. Numbering must run 0..n-1
    with the same block count in every block, as one file from one tool has it.
    """
    if len(data) % BLOCK_SIZE:
        raise BadInputError(f"{len(data)} bytes is not a whole number of {BLOCK_SIZE}-byte blocks",
                            file=name, size=len(data))
    count = len(data) // BLOCK_SIZE
    pieces, families = [], set()
    for index in range(count):
        off = index * BLOCK_SIZE
        m0, m1, flags, address, size, blockno, numblocks, fam = HEADER.unpack_from(data, off)
        (end,) = END.unpack_from(data, off + BLOCK_SIZE - END.size)
        if (m0, m1, end) != (MAGIC_START0, MAGIC_START1, MAGIC_END):
            raise BadInputError(f"block {index} at offset {off:#x}: bad magic", file=name, address=off)
        if size > DATA_AREA:
            raise BadInputError(f"block {index}: payload size {size} exceeds {DATA_AREA}", file=name)
        if blockno != index or numblocks != count:
            raise BadInputError(f"block {index}: numbered {blockno} of {numblocks}, expected "
                                f"{index} of {count}", file=name)
        if flags & FLAG_FAMILY_ID:
            families.add(fam)
        if flags & FLAG_NOT_MAIN_FLASH:
            continue
        pieces.append((address, data[off + HEADER.size:off + HEADER.size + size], index))
    return Uf2Contents(FlashImage.of(runs_from_records(pieces, name, unit="block")), families, count)

