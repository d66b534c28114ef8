"""remote_fw_find / remote_fw_verify / remote_fw_crc32.

In-process: libkit.so carries descriptors alpha, beta (post-link: nothing
linked) and gamma_bin (pre-link: gamma.o from `objcopy -I binary`); the tests
make the descriptor pages writable and patch fields as `bundle` would.
Out of process: the PIE driver's descriptor is patched in the ELF file bytes,
exactly the post-link flow, and the run proves the load bias is applied.
"""

from __future__ import annotations

import ctypes
import struct
import subprocess
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kit.kit_native import DESC_MAGIC, E, F_BUNDLED, F_CRC32, GAMMA_BYTES, Desc, Image

PAYLOAD = bytes(range(256)) * 3 + b"tail"


@pytest.fixture
def payload():
    buf = ctypes.create_string_buffer(PAYLOAD, len(PAYLOAD))
    return buf, ctypes.addressof(buf)


def bundle_into(desc: Desc, base: int, size: int, crc: int | None, bias: int = 0) -> None:
    """Fill desc as `bundle` does; bias = (address now - address as linked)."""
    desc.link_addr = (ctypes.addressof(desc) - bias) % (1 << 64)
    desc.base = (base - bias) % (1 << 64)
    desc.size = size
    desc.flags = F_BUNDLED | (F_CRC32 if crc is not None else 0)
    desc.crc32 = crc or 0


def in_address_order(kit, descs) -> list[str]:
    return sorted(descs, key=lambda n: ctypes.addressof(descs[n]))


# ---- find ----------------------------------------------------------------------------

def test_declared_but_not_bundled(kit, descs):
    assert descs["alpha"].magic == DESC_MAGIC
    assert descs["alpha"].desc_size == ctypes.sizeof(Desc) == 64
    assert descs["alpha"].start is None and descs["alpha"].end is None
    assert kit.find(b"alpha")[0] == E["ENOTBUNDLED"]
    assert kit.find(b"beta")[0] == E["ENOTBUNDLED"]


@pytest.mark.parametrize("name", [b"", b"alph", b"alphax", b"Alpha", b"remote_elf"])
def test_unknown_name(kit, descs, name):
    assert kit.find(name)[0] == E["ENOENT"]


def test_invalid_arguments(kit):
    img = Image()
    assert kit.lib.remote_fw_find(None, ctypes.byref(img)) == E["EINVAL"]
    assert kit.lib.remote_fw_find(b"alpha", None) == E["EINVAL"]
    assert kit.lib.remote_fw_verify(None) == E["EINVAL"]
    good = kit.image(b"x", name=None)
    assert kit.verify(good) == E["EINVAL"]
    assert kit.verify(Image(None, 1, b"alpha")) == E["EINVAL"]


def test_prelink_flow_uses_the_linked_symbols(kit, descs):
    err, img = kit.find(b"gamma_bin")
    assert err == 0
    assert img.base == kit.symbol_address("_binary_gamma_bin_start")
    assert img.size == len(GAMMA_BYTES)
    assert img.name == b"gamma_bin"
    assert ctypes.string_at(img.base, img.size) == GAMMA_BYTES
    # objcopy records no checksum
    assert kit.verify(img) == E["ENOCSUM"]


def test_prelink_symbols_win_over_bundled_fields(kit, descs, payload):
    _, addr = payload
    bundle_into(descs["gamma_bin"], addr, len(PAYLOAD), zlib.crc32(GAMMA_BYTES))
    err, img = kit.find(b"gamma_bin")
    assert (err, img.base) == (0, kit.symbol_address("_binary_gamma_bin_start"))
    assert kit.verify(img) == 0          # a recorded checksum is checked in either flow


@pytest.mark.parametrize("bias", [0, 0x10000, -0x12345678, 1 << 40])
def test_postlink_flow_applies_the_load_bias(kit, descs, payload, bias):
    _, addr = payload
    bundle_into(descs["alpha"], addr, len(PAYLOAD), zlib.crc32(PAYLOAD), bias)
    err, img = kit.find(b"alpha")
    assert err == 0
    assert (img.base, img.size, img.name) == (addr, len(PAYLOAD), b"alpha")
    assert kit.verify(img) == 0
    # beta is untouched by alpha's bundling
    assert kit.find(b"beta")[0] == E["ENOTBUNDLED"]


def test_verify_detects_corruption_and_missing_checksum(kit, descs, payload):
    buf, addr = payload
    bundle_into(descs["beta"], addr, len(PAYLOAD), zlib.crc32(PAYLOAD))
    err, img = kit.find(b"beta")
    assert err == 0 and kit.verify(img) == 0
    for pos in (0, 1, len(PAYLOAD) // 2, len(PAYLOAD) - 1):
        old = buf[pos]
        buf[pos] = bytes([old[0] ^ 0x01])
        assert kit.verify(img) == E["ECSUM"], pos
        buf[pos] = old
    assert kit.verify(Image(addr, len(PAYLOAD) - 1, b"beta")) == E["ECSUM"]
    descs["beta"].flags = F_BUNDLED
    assert kit.verify(img) == E["ENOCSUM"]
    # verify looks the descriptor up by name: an unknown name is ENOENT
    assert kit.verify(Image(addr, len(PAYLOAD), b"nobody")) == E["ENOENT"]


def test_checksum_without_bundled_flag_is_not_an_image(kit, descs, payload):
    _, addr = payload
    bundle_into(descs["alpha"], addr, len(PAYLOAD), zlib.crc32(PAYLOAD))
    descs["alpha"].flags = F_CRC32
    assert kit.find(b"alpha")[0] == E["ENOTBUNDLED"]


@pytest.mark.parametrize("field,value", [
    ("size", 0),
    ("base", (1 << 64) - 16),            # base + size wraps the address space
])
def test_bundled_fields_that_cannot_be_an_image(kit, descs, payload, field, value):
    _, addr = payload
    bundle_into(descs["alpha"], addr, len(PAYLOAD), zlib.crc32(PAYLOAD))
    setattr(descs["alpha"], field, value)
    if field == "base":
        descs["alpha"].link_addr = ctypes.addressof(descs["alpha"])
    assert kit.find(b"alpha")[0] == E["EDESC"]


@pytest.mark.parametrize("field,value", [("magic", 0), ("magic", DESC_MAGIC ^ 1),
                                         ("version", 0), ("version", 2),
                                         ("desc_size", 0), ("desc_size", 8), ("desc_size", 56),
                                         ("desc_size", 72), ("desc_size", 0xFFFF)])
def test_corrupt_descriptor_stops_the_walk(kit, descs, field, value):
    order = in_address_order(kit, descs)
    first = order[0]
    setattr(descs[first], field, value)
    for name in order:
        assert kit.find(name.encode())[0] == E["EDESC"], name
    assert kit.find(b"nobody")[0] == E["EDESC"]


def test_corrupt_last_descriptor_keeps_earlier_ones(kit, descs):
    order = in_address_order(kit, descs)
    descs[order[-1]].magic = 0
    for name in order[:-1]:
        assert kit.find(name.encode())[0] != E["EDESC"], name
    assert kit.find(order[-1].encode())[0] == E["EDESC"]
    assert kit.find(b"nobody")[0] == E["EDESC"]


def test_zero_padding_after_the_last_descriptor_ends_the_walk(kit, descs):
    """As bundler/postlink/descriptor.py does: an all-zero tail is padding, not corruption."""
    order = in_address_order(kit, descs)
    last = descs[order[-1]]
    ctypes.memset(ctypes.addressof(last), 0, ctypes.sizeof(last))
    assert kit.find(order[-1].encode())[0] == E["ENOENT"]
    assert kit.find(b"nobody")[0] == E["ENOENT"]
    for name in order[:-1]:
        assert kit.find(name.encode())[0] == E["ENOTBUNDLED"] or name == "gamma_bin"
    last.size = 1                                   # one non-zero byte: corrupt again
    assert kit.find(b"nobody")[0] == E["EDESC"]


def test_descriptor_section_is_bounded_by_start_stop(kit, descs):
    start = kit.symbol_address("__start_remote_fw_desc")
    stop = kit.symbol_address("__stop_remote_fw_desc")
    addrs = sorted(ctypes.addressof(d) for d in descs.values())
    assert addrs[0] == start and stop == addrs[-1] + 64 and stop - start == 3 * 64


# ---- CRC-32 --------------------------------------------------------------------------

def test_crc32_known_values(kit):
    assert kit.crc32(b"") == 0
    assert kit.crc32(b"123456789") == 0xCBF43926
    assert kit.crc32(b"\0" * 4096) == zlib.crc32(b"\0" * 4096)
    assert kit.lib.remote_fw_crc32(None, 100) == 0      # NULL is read as no bytes


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=5000))
def test_crc32_equals_zlib(kit, data):
    assert kit.crc32(data) == zlib.crc32(data)


# ---- post-link flow in a real executable ---------------------------------------------

def _symbols(exe):
    from elftools.elf.elffile import ELFFile
    with open(exe, "rb") as f:
        elf = ELFFile(f)
        symtab = elf.get_section_by_name(".symtab")
        out = {}
        for name in ("remote_fw_desc_drv_alpha", "remote_fw_desc_drv_beta", "drv_payload"):
            sym = symtab.get_symbol_by_name(name)[0]
            sec = elf.get_section(sym["st_shndx"])
            out[name] = (sym["st_value"], sym["st_value"] - sec["sh_addr"] + sec["sh_offset"])
        return out, elf.header["e_type"]


def _patch_desc(data: bytearray, off: int, *, flags, crc, base, size, link_addr):
    struct.pack_into("<IIQQQ", data, off + 8, flags, crc, base, size, link_addr)


def _run(exe, *args):
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    f = proc.stdout.split()
    return int(f[0]), int(f[1]), int(f[2]), int(f[3]), f[4]


@pytest.mark.parametrize("build", ["asan", "lto"])
def test_postlink_patch_of_a_pie_executable(request, build, tmp_path):
    """Patch the descriptor's file bytes as `bundle` does and run the driver:
    the image is found at its run-time address (PIE: a non-zero load bias).
    The -O2 -flto build proves the optimiser never used the initialiser's
    values (flags 0: "not bundled") instead of the patched bytes."""
    pytest.importorskip("elftools")
    driver_exe = request.getfixturevalue("driver_exe" if build == "asan" else "driver_lto_exe")
    syms, e_type = _symbols(driver_exe)
    assert e_type == "ET_DYN", "the native driver is expected to be PIE here"
    assert _run(driver_exe, "find", "drv_alpha")[0] == E["ENOTBUNDLED"]
    payload_addr, payload_off = syms["drv_payload"]
    desc_addr, desc_off = syms["remote_fw_desc_drv_alpha"]
    raw = bytearray(driver_exe.read_bytes())
    payload = bytes(raw[payload_off:payload_off + 64])
    assert payload.startswith(b"rproc-bundle driver payload")

    exe = tmp_path / "patched"
    _patch_desc(raw, desc_off, flags=F_BUNDLED | F_CRC32, crc=zlib.crc32(payload),
                base=payload_addr, size=64, link_addr=desc_addr)
    exe.write_bytes(raw)
    exe.chmod(0o755)
    assert _run(exe, "find", "drv_alpha") == (0, 0, 64, 0, "drv_alpha")
    assert _run(exe, "find", "drv_beta")[0] == E["ENOTBUNDLED"]

    # A stale checksum is caught.
    _patch_desc(raw, desc_off, flags=F_BUNDLED | F_CRC32, crc=zlib.crc32(payload) ^ 1,
                base=payload_addr, size=64, link_addr=desc_addr)
    exe.write_bytes(raw)
    assert _run(exe, "find", "drv_alpha") == (0, 0, 64, E["ECSUM"], "drv_alpha")

    # Without link_addr the loader could not tell the bias: a wrong link_addr
    # moves the image by exactly the difference.
    _patch_desc(raw, desc_off, flags=F_BUNDLED, crc=0, base=payload_addr, size=64,
                link_addr=desc_addr + 0x40)
    exe.write_bytes(raw)
    assert _run(exe, "find", "drv_alpha")[:4] == (0, -0x40, 64, E["ENOCSUM"])
