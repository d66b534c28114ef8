"""The pieces under the loader profiles that need no toolchain: --memory parsing,
the memory map's lookups, the virtio ring size, and profiles on tiny images."""

from __future__ import annotations

import pytest

from bundler.cli.numbers import parse_memory
from bundler.errors import UsageError
from bundler.loaders import PROFILES, check_firmware, verify_firmware
from bundler.loaders.resources import page_align, vring_size
from bundler.remoteproc.memory import MemoryMap, MemoryRange, as_memory_map


def test_parse_memory():
    assert parse_memory("0x20200000:256K:sram") == MemoryRange(0x20200000, 0x40000, "sram")
    assert parse_memory("4096:0x1000") == MemoryRange(4096, 4096, None)
    assert parse_memory("0:1M:") == MemoryRange(0, 1 << 20, None)
    for bad in ("0x1000", ":4K", "0x1000:", "x:4K", "0x1000:0", "0xffffffffffffffff:2"):
        with pytest.raises(UsageError):
            parse_memory(bad)


def test_vring_size_is_linux_vring_size():
    # vring_size(num, align) from include/uapi/linux/virtio_ring.h: known values
    assert vring_size(16, 4096) == 4230
    assert vring_size(256, 4096) == 10246
    assert vring_size(8, 16) == 16 * 8 + 2 * 11 + 6 + 8 * 8 + 10   # 150 padded to 160, then the used ring
    assert page_align(4230) == 8192


def test_memory_map_lookups():
    m = MemoryMap([MemoryRange(0x1000, 0x1000, "a"), MemoryRange(0x10000, 0x100, "b")])
    assert m.find_holding(0x1000, 0x1000).name == "a"
    assert m.find_holding(0x1fff, 2) is None
    assert m.nearest(0x2100, 4).name == "a"
    assert m.nearest(0xff00, 4).name == "b"
    assert "nearest: a 0x1000-0x2000 (4096 bytes), overlaps its end" in m.describe_miss(0x1ff0, 0x20)
    assert as_memory_map([(0x1000, 16, "x"), (0x2000, 8)]).ranges == [MemoryRange(0x1000, 16, "x"),
                                                                      MemoryRange(0x2000, 8)]


@pytest.mark.parametrize("data", [b"", b"\x7fELF", b"\x7fELF\x02\x01\x01" + bytes(40), b"MZ" + bytes(100),
                                  b"\x7fELF\x01\x02\x01" + bytes(45) + b"\xff" * 60])
def test_tiny_images_give_findings_not_exceptions(data):
    for loader in PROFILES:
        findings = check_firmware(data, loader, MemoryMap([MemoryRange(0, 0x1000)]))
        assert findings and all(f.severity in ("error", "warning") for f in findings)
    assert not verify_firmware(data).ok
