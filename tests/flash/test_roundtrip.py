"""Round trips: random memory images encode and decode back exactly, in every format.

Also: the vectorised record helpers against one-record-at-a-time reference
code, intelhex reading what we write, and UF2 blocks checked field by field
with struct (not with our decoder).
"""

from __future__ import annotations

import struct

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.adapters.intelhex import read_ihex
from bundler.flash.binary import decode_binary, encode_binary
from bundler.flash.ihex import decode_ihex, encode_ihex
from bundler.flash.image import FlashImage, Run
from bundler.flash.textrecords import add_bytes, encode_records, record_sums
from bundler.flash.srec import MAX_LEN, decode_srec, encode_srec, record_type
from bundler.flash.uf2 import (BLOCK_SIZE, FLAG_FAMILY_ID, MAGIC_END, MAGIC_START0, MAGIC_START1,
                               PAYLOAD, decode_uf2, encode_uf2)

LIMIT = 1 << 32


@st.composite
def images(draw, max_runs=5, max_size=700, top=LIMIT):
    """Sorted, non-overlapping runs anywhere below ``top``, and a start address (None or non-zero)."""
    runs, at = [], draw(st.sampled_from([0, 0xFFF0, 0x8FFF9, 0xFFFFF, 0x08000000, 0xFFFEFFF0]))
    at += draw(st.integers(0, 300))
    for _ in range(draw(st.integers(1, max_runs))):
        data = draw(st.binary(min_size=1, max_size=max_size))
        if at + len(data) > top:
            break
        runs.append(Run(at, data, "r"))
        at += len(data) + draw(st.sampled_from([0, 0, 1, 5, 255, 256, 0x10000 - 3, 0x123457]))
    if not runs:
        runs = [Run(0, b"\x5a", "r")]
    start = draw(st.one_of(st.none(), st.integers(1, LIMIT - 1)))
    return FlashImage.of(runs, start=start)


@settings(max_examples=150, deadline=None)
@given(image=images(), eol=st.sampled_from([b"\r\n", b"\n"]))
def test_ihex_round_trip(image, eol):
    text = encode_ihex(image, eol=eol)
    assert all(line.endswith(eol) for line in text.splitlines(keepends=True))
    assert text == text.upper()
    back = decode_ihex(text)
    assert back.coalesced() == image.coalesced()
    assert back.start == image.start
    by_intelhex = read_ihex(text)
    assert by_intelhex.coalesced() == image.coalesced()
    assert by_intelhex.start == image.start


@settings(max_examples=150, deadline=None)
@given(image=images(), length=st.one_of(st.just(16), st.integers(1, MAX_LEN)),
       eol=st.sampled_from([b"\r\n", b"\n"]), header=st.binary(max_size=60))
def test_srec_round_trip(image, length, eol, header):
    text = encode_srec(image, header=header, eol=eol, length=length)
    lines = text.split(eol)[:-1]
    rtype = record_type(image)
    assert lines[0].startswith(b"S0") and bytes.fromhex(lines[0][8:-2].decode()) == header[:40]
    assert all(line[:2] == b"S%d" % rtype for line in lines[1:-1])
    assert lines[-1][:2] == b"S%d" % (10 - rtype)
    assert max(len(bytes.fromhex(line[2:].decode())) for line in lines) <= 256
    back = decode_srec(text)
    assert back.coalesced() == image.coalesced()
    assert back.start == image.start


@settings(max_examples=100, deadline=None)
@given(image=images(top=0x08000000 + (1 << 20), max_size=300), fill=st.integers(0, 255))
def test_binary_round_trip(image, fill):
    if image.span > 4 << 20:
        image = FlashImage.of(image.runs[:1])
    data = encode_binary(image, fill=fill)
    assert len(data) == image.span
    expected = bytearray((fill,)) * image.span
    for run in image.runs:
        expected[run.address - image.lowest:run.end - image.lowest] = run.data
    assert data == expected
    assert decode_binary(data, address=image.lowest).coalesced() == [(image.lowest, bytes(expected))]


@settings(max_examples=120, deadline=None)
@given(image=images(max_size=900), fill=st.integers(0, 255),
       family=st.one_of(st.none(), st.sampled_from([0xE48BFF56, 0x57755A57, 0xADA52840])))
def test_uf2_round_trip_and_blocks(image, fill, family):
    data = encode_uf2(image, family=family, fill=fill)
    # the pages we expect: every 256-byte page the image touches, padded with the fill byte
    pages: dict[int, bytearray] = {}
    for run in image.runs:
        for i, byte in enumerate(run.data):
            address = run.address + i
            pages.setdefault(address & ~0xFF, bytearray((fill,)) * PAYLOAD)[address & 0xFF] = byte
    count = len(data) // BLOCK_SIZE
    assert len(data) == count * BLOCK_SIZE and count == len(pages)
    for index, page in enumerate(sorted(pages)):
        block = data[index * BLOCK_SIZE:(index + 1) * BLOCK_SIZE]
        m0, m1, flags, address, size, blockno, numblocks, fid = struct.unpack_from("<8I", block)
        assert (m0, m1, struct.unpack_from("<I", block, 508)[0]) == (MAGIC_START0, MAGIC_START1, MAGIC_END)
        assert (address, size, blockno, numblocks) == (page, PAYLOAD, index, count)
        assert flags == (FLAG_FAMILY_ID if family is not None else 0)
        assert fid == (family or 0)
        assert block[32:32 + PAYLOAD] == pages[page]
        assert block[32 + PAYLOAD:508] == bytes(476 - PAYLOAD)
    back = decode_uf2(data)
    assert back.blocks == count
    assert back.families == ({family} if family is not None else set())
    assert back.image.coalesced() == FlashImage.of(
        [Run(a, bytes(p), "p") for a, p in pages.items()]).coalesced()


def test_uf2_many_blocks_cross_chunk_boundaries():
    """More blocks than one assembly chunk, a run off page alignment, and a shared page."""
    big = bytes(range(256)) * 1300
    image = FlashImage.of([Run(0x10000010, big, "a"), Run(0x10000010 + len(big), b"\x99" * 5, "b")])
    back = decode_uf2(encode_uf2(image, family=0xE48BFF56, fill=0xFF))
    assert back.blocks == (0x10 + len(big) + 5 + 255) // 256
    (address, data), = back.image.coalesced()
    assert address == 0x10000000
    assert data == b"\xff" * 0x10 + big + b"\x99" * 5 + b"\xff" * (len(data) - 0x10 - len(big) - 5)


# ---- the vectorised helpers against per-record reference code -------------------

@settings(max_examples=200, deadline=None)
@given(length=st.integers(1, MAX_LEN), count=st.integers(0, 40), seed=st.binary(min_size=1, max_size=64))
def test_record_sums_match_sum(length, count, seed):
    data = (seed * (length * count // len(seed) + 1))[:length * count]
    assert record_sums(data, length) == bytes(sum(data[i:i + length]) & 0xFF
                                              for i in range(0, len(data), length))


@given(a=st.binary(max_size=300), b=st.binary(max_size=300))
def test_add_bytes(a, b):
    n = min(len(a), len(b))
    assert add_bytes(a[:n], b[:n]) == bytes((x + y) & 0xFF for x, y in zip(a[:n], b[:n]))


@settings(max_examples=200, deadline=None)
@given(length=st.integers(1, 64), count=st.integers(1, 30), low16=st.integers(0, 0xFFFF),
       data=st.data(), constant=st.integers(0, 1000), complement=st.sampled_from(["twos", "ones"]),
       eol=st.sampled_from([b"\r\n", b"\n"]))
def test_encode_records_matches_one_at_a_time(length, count, low16, data, constant, complement, eol):
    count = min(count, (0xFFFF - low16) // length + 1)
    payload = data.draw(st.binary(min_size=length * count, max_size=length * count))
    lead = b"S3" + b"%02X" % (length + 5) + b"0102AAAA"
    got = encode_records(memoryview(payload), length, lead=lead, addr_at=len(lead) - 4, low16=low16,
                         constant=constant, complement=complement, eol=eol)
    expected = b""
    for k in range(count):
        address = low16 + k * length
        chunk = payload[k * length:(k + 1) * length]
        total = constant + (address >> 8) + (address & 0xFF) + sum(chunk)
        cs = (-total) & 0xFF if complement == "twos" else 0xFF - (total & 0xFF)
        expected += lead[:-4] + b"%04X" % address + chunk.hex().upper().encode() + b"%02X" % cs + eol
    assert bytes(got) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.sampled_from([1, 2, 3, 16, 32, 250]), st.integers(0, 0xFFFF),
       st.integers(0, 255), st.sampled_from(["twos", "ones"]), st.sampled_from([b"\r\n", b"\n"]),
       st.sampled_from([(b":10AAAA00", 3), (b"S3150000AAAA", 8), (b"S1AAAA", 2)]))
def test_c_record_encoder_is_the_python_one(data, length, low16, constant, complement, eol, lead):
    """bundler.flash._records (built by every install with a C compiler) writes exactly the
    bytes of the Python encoder it stands in for."""
    from bundler.flash import textrecords
    if textrecords._records is None:
        from tests.support.tools import in_ci
        (pytest.fail if in_ci() else pytest.skip)("bundler.flash._records was not built")
    data = data[:len(data) - len(data) % length]
    count = len(data) // length
    low16 = min(low16, 0xFFFF - max(count - 1, 0) * length) if count else low16
    if low16 < 0 or not data:
        return
    lead_text, addr_at = lead
    kw = dict(lead=lead_text, addr_at=addr_at, low16=low16, constant=constant, complement=complement, eol=eol)
    assert textrecords.encode_records(data, length, **kw) == textrecords.encode_records_py(data, length, **kw)
