"""A real big-endian remote (the Cortex-M3 sample built with -mbig-endian, BE8) under
each loader on a little-endian host: Linux refuses its byte order, U-Boot reads
e_type byte-swapped first, OpenAMP reads every field byte-swapped, the kit reads
it in its own order; the real OpenAMP and kit agree with their profiles."""

from __future__ import annotations

import pytest

from bundler.elf import spec
from bundler.loaders import Host, check_firmware, make_context
from bundler.loaders import kit as kit_profile
from bundler.loaders import openamp as openamp_profile
from tests.loaders.boards import board_memory

pytestmark = pytest.mark.toolchain


@pytest.fixture(scope="module")
def image(built):
    data = built["cortex-m3"]["big-endian"]
    assert data[spec.EI_DATA] == spec.ELFDATA2MSB
    return data


def codes(data, loader):
    return [(f.code, f.message) for f in check_firmware(data, loader, board_memory("cortex-m3"),
                                                        host=Host("little", 64))]


def test_each_loader_on_a_big_endian_remote(image):
    [(code, message)] = codes(image, "linux")
    assert code == "linux-endianness" and "Unsupported firmware endianness; Boot failed: -22" in message
    [(code, message)] = codes(image, "uboot")
    assert code == "uboot-not-exec" and "e_type is 512" in message          # ET_EXEC (2) read byte-swapped
    got = codes(image, "openamp")
    assert [c for c, _ in got] == ["openamp-byteorder", "openamp-header-bounds"]
    assert "load image data failed 0x34000000," in got[1][1]                 # e_phoff 0x34 byte-swapped
    assert codes(image, "kit") == []


def test_the_real_loaders_agree(image, openamp_load, kit_driver, tmp_path):
    from tests.kit.kit_native import LoadDriver
    from tests.loaders import openamp_native

    memory = board_memory("cortex-m3")
    path = tmp_path / "be.elf"
    path.write_bytes(image)
    harness = openamp_native.Harness(openamp_load)
    try:
        real = harness.run(path, memory)
    finally:
        harness.close()
    predicted = openamp_profile.predict(make_context(image, "openamp", memory, host=Host("little", 64)))
    assert (real.outcome, real.table) == (predicted.outcome, predicted.table) == ("refused", False)
    assert "load image data failed 0x34000000," in real.log
    # the kit loads it (into its region: relocated as in test_kit)
    from tests.loaders.test_kit import REGION, relocate
    from bundler.remoteproc.memory import MemoryMap, MemoryRange
    moved = relocate("cortex-m3", image)
    driver = LoadDriver(kit_driver)
    try:
        result = driver.run(moved)
    finally:
        driver.close()
    assert (result.rsc, result.load) == (0, 0)
    assert kit_profile.predict(moved, MemoryMap([MemoryRange(*REGION)]), 64) == \
        kit_profile.Prediction("REMOTE_FW_OK", "REMOTE_FW_OK")
