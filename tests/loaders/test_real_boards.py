"""Real boards' remoteproc nodes (upstream DTS subsets in tests/loaders/real_boards.py, compiled with
dtc) and a Cortex-M4 firmware built with arm-none-eabi-gcc for each: the image linked where the
board's driver maps memory verifies clean, the same code linked one page off fails with its device
and physical (system) address; through the CLI, with the node's compatible choosing the driver."""

from __future__ import annotations

import json

import pytest

from bundler.cli import main
from bundler.loaders.drivers.maps import board_memory
from tests.loaders.real_boards import IMAGES

pytestmark = pytest.mark.toolchain


def verify(capsys, *args):
    rc = main(["verify", *map(str, args)])
    got = capsys.readouterr()
    return rc, got.out, got.err


DRIVER = {"stm32mp157": "stm32_rproc", "am62x": "ti_k3_m4_remoteproc", "dra7-ipu1": "omap_remoteproc",
          "dra7-ipu2": "omap_remoteproc"}


@pytest.mark.parametrize("board", sorted(IMAGES))
def test_firmware_that_fits_verifies_clean(boards, capsys, board):
    dtb, node, elfs = boards[board]
    rc, out, err = verify(capsys, elfs["fits"], "--dtb", dtb, "--node", node, "--json")
    report = json.loads(out)
    assert rc == 0, out
    assert report["findings"] == [], report["findings"]
    assert report["loader"]["driver"]["name"] == DRIVER[board]          # chosen by the node's compatible
    assert report["loader"]["driver"]["kernel"] == "6.12.118"


# board: (device address, system address or None, words Linux prints)
OUTSIDE = {
    "stm32mp157": (0xF000, 0x3800F000, "bad phdr da 0xf000 mem 0x"),       # RETRAM: device 0x0 = physical 0x38000000
    "am62x": (0x3F000, 0x504F000, "bad phdr da 0x3f000 mem 0x"),            # DRAM: device 0x30000 = physical 0x5040000
    "dra7-ipu1": (0x101000, None, "bad phdr da 0x101000 mem 0x"),           # behind the IOMMU: no fixed physical
    "dra7-ipu2": (0x101000, None, "bad phdr da 0x101000 mem 0x"),
}


@pytest.mark.parametrize("board", sorted(IMAGES))
def test_a_segment_one_page_outside_fails_with_both_addresses(boards, capsys, board):
    dtb, node, elfs = boards[board]
    device, system, words = OUTSIDE[board]
    rc, out, _ = verify(capsys, elfs["outside"], "--dtb", dtb, "--node", node, "--json")
    assert rc == 1
    found = [f for f in json.loads(out)["findings"] if f["code"] == "linux-segment-da"]
    assert len(found) == 1, out
    f = found[0]
    assert (f["device_address"], f["system_address"]) == (device, system)
    assert words in f["message"]
    rc, text, _ = verify(capsys, elfs["outside"], "--dtb", dtb, "--node", node)
    assert rc == 1
    line = next(x for x in text.splitlines() if "[linux-segment-da]" in x)
    assert f"device address {device:#x}" in line
    assert (f"system address {system:#x}" in line) if system is not None else ("behind the IOMMU" in line)


def test_stm32_memory_is_in_the_m4s_addresses(boards):
    dtb, node, _ = boards["stm32mp157"]
    memory = board_memory(dtb.read_bytes(), node)
    got = {r.name: (r.start, r.size, r.system) for r in memory.ranges}
    assert memory.driver == "stm32_rproc"
    assert got["retram"] == (0x0, 0x10000, 0x38000000)
    assert got["mcuram2"] == (0x10000000, 0x40000, 0x10000000)
    assert got["mcuram"] == (0x30000000, 0x40000, 0x30000000)
    assert "vdev0buffer" not in got and "vdev0buffer" in memory.carveout_names   # the vdev's pool, not loadable


def test_am62x_memory_is_the_m4fs_internal_rams_and_static_carveout(boards):
    dtb, node, _ = boards["am62x"]
    memory = board_memory(dtb.read_bytes(), node)
    got = {r.name: (r.start, r.size, r.system) for r in memory.ranges}
    assert got["iram"] == (0x0, 0x30000, 0x5000000)
    assert got["dram"] == (0x30000, 0x10000, 0x5040000)
    assert got["iram (SoC view)"] == (0x5000000, 0x30000, 0x5000000)
    assert got["m4f-memory"] == (0x9CC00000, 0xE00000, 0x9CC00000)
    assert "m4f-dma-memory" not in got                   # memory-region[0]: the vrings' DMA pool only


def test_dra7_ipu_space_is_what_the_iommu_maps(boards, capsys):
    dtb, node, elfs = boards["dra7-ipu1"]
    memory = board_memory(dtb.read_bytes(), node)
    assert memory.driver == "omap_remoteproc"
    assert [(r.name, r.start, r.system) for r in memory.ranges] == [("l2ram", 0x20000000, 0x58820000)]
    assert memory.pool.start == 0x9D000000 and memory.pool.size == 0x2000000
    assert "IOMMU" in memory.iommu
    # the same image with --memory only: physical thinking refuses what the IOMMU maps
    rc, out, _ = verify(capsys, elfs["fits"], "--memory", "0x9d000000:32M")
    assert rc == 1 and "carveout entry 0 ('IPU_MEM_TEXT') at 0x0" in out and "[mem-carveout]" in out


def test_an_explicit_driver_wins_and_a_wrong_one_says_why(boards, capsys):
    dtb, node, elfs = boards["stm32mp157"]
    rc, out, _ = verify(capsys, elfs["fits"], "--dtb", dtb, "--node", node, "--driver", "ti_k3_m4_remoteproc")
    assert rc == 3                                       # K3 M4 needs reg-names iram/dram: the node has none
    assert "ti_k3_m4_remoteproc" not in out


def test_driver_with_another_loader_is_a_usage_error(boards, capsys):
    dtb, node, elfs = boards["stm32mp157"]
    rc, out, err = verify(capsys, elfs["fits"], "--driver", "stm32_rproc", "--loader", "openamp")
    assert rc == 2 and out == ""
    assert "cannot go with --loader openamp" in err


def test_python_api_takes_the_board_memory_and_its_driver(boards):
    import bundler
    dtb, node, elfs = boards["am62x"]
    memory = board_memory(dtb.read_bytes(), node)
    report = bundler.verify(elfs["fits"], memory=memory)
    assert report.ok and report.findings == [] and report.driver.name == "ti_k3_m4_remoteproc"
    bad = bundler.verify(elfs["outside"], memory=memory)
    seg = next(f for f in bad.findings if f.code == "linux-segment-da")
    assert (seg.device_address, seg.system_address) == (0x3F000, 0x504F000)


def test_another_loader_reads_the_node_generically(boards, capsys):
    dtb, node, elfs = boards["am62x"]
    rc, out, _ = verify(capsys, elfs["fits"], "--dtb", dtb, "--node", node, "--loader", "uboot", "--json")
    loader = json.loads(out)["loader"]
    assert loader["driver"] is None and "as ti_k3_m4_remoteproc" not in loader["memory"]["source"]
