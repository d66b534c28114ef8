"""Property tests: random and mutated images against the kit.

- in-process (ctypes): random valid images load exactly as the Python model
  says; random resource tables are accepted exactly when the model accepts;
- out of process: mutated images go through the ASan/UBSan driver, where any
  read outside the image or write outside the region is fatal, and the
  driver's results must agree with the model (accept/refuse, bytes written,
  entry, table found).
"""

from __future__ import annotations

import zlib

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import tests.support.kit_elf as ke
from tests.kit.kit_model import Refused, check_table, model_load, model_rsc
from tests.kit.kit_native import DRIVER_REGION, E, LoadDriver

KNOWN_CODES = set(E.values())
FILL = 0xAA


# ---- strategies ---------------------------------------------------------------------

@st.composite
def segments(draw, base: int, span: int):
    n = draw(st.integers(1, 4))
    segs = []
    for _ in range(n):
        at = draw(st.integers(0, span - 64))
        filesz = draw(st.integers(0, 40))
        memsz = filesz + draw(st.integers(0, 23))
        data = draw(st.binary(min_size=filesz, max_size=filesz))
        ptype = draw(st.sampled_from([ke.PT_LOAD, ke.PT_LOAD, ke.PT_LOAD, ke.PT_NOTE]))
        segs.append(ke.Segment(base + at, data, memsz=memsz, p_type=ptype,
                               align=draw(st.sampled_from([1, 2, 4, 8]))))
    return segs


@st.composite
def entries(draw, msb: bool):
    kind = draw(st.sampled_from(["carveout", "devmem", "trace", "vdev", "vendor"]))
    if kind == "carveout":
        return ke.carveout(msb=msb, reserved=draw(st.sampled_from([0, 0, 0, 1])))
    if kind == "devmem":
        return ke.devmem(msb=msb, reserved=draw(st.sampled_from([0, 0, 0, 1])))
    if kind == "trace":
        return ke.trace(msb=msb, reserved=draw(st.sampled_from([0, 0, 0, 1])))
    if kind == "vdev":
        n = draw(st.integers(0, 3))
        vrings = [ke.vring(num=draw(st.sampled_from([0, 16, 256])),
                           align=draw(st.sampled_from([0, 4, 4096])), notifyid=i, msb=msb)
                  for i in range(n)]
        return ke.vdev(vrings=vrings, config=draw(st.binary(max_size=12)), msb=msb,
                       reserved=(draw(st.sampled_from([0, 0, 1])), 0))
    return ke.vendor(draw(st.sampled_from([4, 127, 128, 200, 512, 513])),
                     draw(st.binary(max_size=8)), msb=msb)


@st.composite
def images(draw, base: int, span: int):
    bits = draw(st.sampled_from([32, 64]))
    msb = draw(st.booleans())
    table = ke.rsc_table(draw(st.lists(entries(msb), max_size=4)), msb=msb)
    img = ke.build_elf(bits, msb, entry=draw(st.integers(0, (1 << bits) - 1)),
                       segments=draw(segments(base, span)),
                       sections=[ke.Section(".text", b"\0" * 4),
                                 ke.Section(".resource_table", table)])
    return img


INTERESTING = [0, 1, 2, 3, 4, 7, 8, 15, 16, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x7FFFFFFF,
               0xFFFFFFFF, 0xFFFFFFF0, 1 << 32, (1 << 63) - 1, (1 << 64) - 1]


@st.composite
def mutated(draw, base: int, span: int):
    img = draw(images(base, span))
    data = bytearray(img.data)
    extra = [len(data), len(data) - 1, base, base + span, base + span - 1]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["ehdr", "phdr", "shdr", "byte", "table", "truncate"]))
        value = draw(st.one_of(st.sampled_from(INTERESTING + extra), st.integers(0, (1 << 64) - 1)))
        if op in ("ehdr", "phdr", "shdr"):
            layout = {"ehdr": ke.EHDR, "phdr": ke.PHDR, "shdr": ke.SHDR}[op][img.bits]
            name = draw(st.sampled_from(sorted(k for k in layout if k != "e_ident")))
            count = {"ehdr": 1, "phdr": 8, "shdr": 5}[op]
            index = draw(st.integers(0, count - 1))
            off, code = layout[name]
            at = {"ehdr": 0, "phdr": img.phoff + index * ke.PHENTSIZE[img.bits],
                  "shdr": img.shoff + index * ke.SHENTSIZE[img.bits]}[op] + off
            size = {"H": 2, "I": 4, "Q": 8}[code]
            if at + size <= len(data):
                data[:] = ke.patch(bytes(data), at, code, value & ((1 << (8 * size)) - 1), img.msb)
        elif op == "byte" and data:
            data[draw(st.integers(0, len(data) - 1))] = value & 0xFF
        elif op == "table":
            start = img.section_offsets[1]
            pos = start + draw(st.integers(0, 120))
            if pos < len(data):
                data[pos] = value & 0xFF
        elif op == "truncate":
            del data[draw(st.integers(0, len(data))):]
    return bytes(data)


# ---- in process -----------------------------------------------------------------------

def expected_memory(fill_len: int, start: int, writes) -> bytes:
    mem = bytearray([FILL]) * fill_len
    for addr, blob in writes:
        mem[addr - start:addr - start + len(blob)] = blob
    return bytes(mem)


SPAN = 0x2000


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(img=images(0, SPAN), misalign=st.integers(0, 7))
def test_random_images_load_as_modelled(kit, region, img, misalign):
    # The strategy draws addresses relative to 0; shift them into the region.
    data = rebase(img, region.start)
    region.fill(FILL)
    image = kit.image(data, misalign)
    try:
        entry, writes = model_load(data, [(region.start, SPAN)], image.base)
    except Refused:
        event("refused")
        err, _ = kit.load(image, [(region.start, SPAN)])
        assert err in KNOWN_CODES and err != 0
        assert region.read(0, SPAN) == bytes([FILL]) * SPAN
        return
    assert kit.load(image, [(region.start, SPAN)]) == (0, entry)
    assert region.read(0, SPAN) == expected_memory(SPAN, region.start, writes)


def rebase(img: ke.Built, delta: int) -> bytes:
    """img with every p_paddr moved up by delta."""
    data = img.data
    n = len(img.segment_offsets)
    for i in range(n):
        off, code = ke.PHDR[img.bits]["p_paddr"]
        at = img.phoff + i * ke.PHENTSIZE[img.bits] + off
        old = int.from_bytes(data[at:at + (4 if code == "I" else 8)], "big" if img.msb else "little")
        data = ke.patch(data, at, code, old + delta, img.msb)
    return data


@settings(max_examples=400, deadline=None)
@given(msb=st.booleans(), data=st.data())
def test_random_tables_validated_as_modelled(kit, msb, data):
    entries_ = data.draw(st.lists(entries(msb), max_size=5))
    table = bytearray(ke.rsc_table(entries_, msb=msb))
    for _ in range(data.draw(st.integers(0, 3))):
        if table:
            table[data.draw(st.integers(0, len(table) - 1))] = data.draw(st.integers(0, 255))
    table = bytes(table[:data.draw(st.integers(0, len(table)))]) if data.draw(st.booleans()) \
        else bytes(table)
    img = ke.build_elf(32, msb, 0, [], [ke.Section(".resource_table", table)])
    try:
        check_table(table, msb)
        want = 0
    except Refused:
        want = E["ERSC"]
    assert kit.rsc_table(kit.image(img.data, 1))[0] == want


# ---- out of process: the sanitizer driver ------------------------------------------------

@pytest.fixture(scope="module")
def load_driver(driver_exe):
    drv = LoadDriver(driver_exe)
    yield drv
    drv.close()


def check_against_model(drv: LoadDriver, data: bytes) -> None:
    start, size = DRIVER_REGION
    res = drv.run(data)
    event(f"load={res.load} rsc={res.rsc}")
    assert res.load in KNOWN_CODES and res.rsc in KNOWN_CODES
    # The driver's copy of the image is on its heap, far from the region, so
    # overlap never decides here; pass an address no segment can reach.
    try:
        entry, writes = model_load(data, [(start, size)], 1 << 63)
    except Refused as why:
        assert res.load != 0, f"kit loaded what the model refuses ({why})"
        assert res.region_crc == zlib.crc32(bytes([FILL]) * size), "memory written on refusal"
    else:
        assert res.load == 0, f"kit refused ({res.load}) what the model loads"
        assert res.entry == entry
        assert res.region_crc == zlib.crc32(expected_memory(size, start, writes))
    try:
        table = model_rsc(data)
    except Refused as why:
        assert res.rsc not in (0, E["ENORSC"]), f"kit accepted a table the model refuses ({why})"
        return
    if table is None:
        assert res.rsc == E["ENORSC"]
    else:
        assert (res.rsc, res.rsc_offset, res.rsc_size) == (0, *table)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated(DRIVER_REGION[0], DRIVER_REGION[1]))
def test_mutated_images_in_the_sanitizer_driver(load_driver, data):
    check_against_model(load_driver, data)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_in_the_sanitizer_driver(load_driver, data):
    check_against_model(load_driver, data)


@settings(max_examples=300, deadline=None)
@given(bits=st.sampled_from([32, 64]), msb=st.booleans(), rest=st.binary(min_size=48, max_size=600),
       fix=st.booleans(), phoff=st.integers(0, 600), shoff=st.integers(0, 600),
       phnum=st.integers(0, 12), shnum=st.integers(0, 12), shstrndx=st.integers(0, 12))
def test_random_elf_headers_in_the_sanitizer_driver(load_driver, bits, msb, rest, fix, phoff,
                                                    shoff, phnum, shnum, shstrndx):
    """A valid identification and e_version, random everything else; half of
    the time with sane table geometry, so the random bytes reach the tables."""
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 2 if msb else 1, 1]) + bytes(9)
    version = (1).to_bytes(4, "big" if msb else "little")
    data = ident + rest[:4] + version + rest[4:]
    if fix:
        img = ke.Built(data, bits, msb, 0, 0)
        for name, value in (("e_phentsize", ke.PHENTSIZE[bits]), ("e_shentsize", ke.SHENTSIZE[bits]),
                            ("e_phoff", phoff), ("e_shoff", shoff), ("e_phnum", phnum),
                            ("e_shnum", shnum), ("e_shstrndx", shstrndx)):
            data = ke.patch_field(img, "ehdr", name, value, data=data)
    check_against_model(load_driver, data)
