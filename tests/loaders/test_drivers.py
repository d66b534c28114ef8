"""verify --driver: each profile's rule that differs from Linux's default ELF ops, the compatible ->
driver table, --driver list, and the driver's own address map from a device tree (blobs built in
memory by tests.support.fdt, so this runs in the fast loop)."""

from __future__ import annotations

import json

import pytest

import bundler
from bundler.cli import main
from bundler.elf import spec
from bundler.loaders import check_firmware
from bundler.loaders.drivers import DRIVERS, KERNEL, driver_for, imx_att, listing, markdown
from bundler.loaders.drivers.maps import board_memory
from bundler.loaders.drivers.rules import QCOM_MDT_RELOCATABLE
from bundler.remoteproc.memory import MemoryMap, MemoryRange
from tests.loaders import mutate
from tests.support import rsc
from tests.support.elf import build_remote
from tests.support.fdt import build, cells, string
from tests.support.paths import ROOT

NO_TABLE = build_remote(paddr=0x0)


def codes(findings, severity=None):
    return [f.code for f in findings if severity is None or f.severity == severity]


def dtb(node_name, props, *, bus_props=(), regions=(), root_cells=1, siblings=()):
    """A tree: /reserved-memory with ``regions`` (name, address, size), /bus with ``bus_props`` holding
    ``node_name`` (``props``) and ``siblings``; memory-region phandles 1.. in order."""
    rmem = [(f"{name}@{addr:x}", ([("reg", cells(*_cells(addr, size, root_cells))),
                                   ("phandle", cells(i + 1))], [])) for i, (name, addr, size) in enumerate(regions)]
    handles = [("memory-region", cells(*range(1, len(regions) + 1)))] if regions else []
    bus = ([("#address-cells", cells(1)), ("#size-cells", cells(1)), *bus_props],
           [*siblings, (node_name, (list(props) + handles, []))])
    tree = ([("#address-cells", cells(root_cells)), ("#size-cells", cells(root_cells))],
            [("reserved-memory", ([("#address-cells", cells(root_cells)), ("#size-cells", cells(root_cells)),
                                   ("ranges", b"")], rmem)), ("bus", bus)])
    return build(tree)[0]


def _cells(addr, size, n):
    return (addr >> 32, addr & 0xFFFFFFFF, size >> 32, size & 0xFFFFFFFF) if n == 2 else (addr, size)


# -- the table of drivers ------------------------------------------------------------------------

def test_every_driver_the_issue_names_is_modelled_from_one_kernel():
    want = {"stm32_rproc", "imx_rproc", "ti_k3_r5_remoteproc", "ti_k3_m4_remoteproc", "omap_remoteproc",
            "pru_rproc", "wkup_m3_rproc", "xlnx_r5_remoteproc", "mtk_scp", "qcom_q6v5_pas", "qcom_q6v5_mss"}
    assert want <= set(DRIVERS)
    assert {d.kernel for d in DRIVERS.values()} == {KERNEL}


def test_driver_list(capsys):
    assert main(["verify", "--driver", "list"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == listing()
    for name, d in DRIVERS.items():
        line = next(x for x in out.splitlines() if x.startswith(name + " "))
        assert f"Linux {d.kernel}" in line and d.source in line


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_each_compatible_chooses_its_driver(name):
    for compatible in DRIVERS[name].compatibles:
        assert driver_for(["vendor,board-specific", compatible]).name == name
    assert driver_for(["vendor,unknown"]) is None


def test_imx_compatibles_all_have_an_att_table():
    assert set(imx_att.BY_COMPATIBLE) == set(DRIVERS["imx_rproc"].compatibles)
    assert set(imx_att.BY_COMPATIBLE.values()) <= set(imx_att.TABLES)


def test_docs_carry_the_driver_table():
    assert markdown() in (ROOT / "docs" / "verify.md").read_text()


# -- the resource table: required, optional, ignored ---------------------------------------------

@pytest.mark.parametrize("name", ["stm32_rproc", "imx_rproc", "pru_rproc", "xlnx_r5_remoteproc"])
def test_a_missing_table_is_only_a_warning_where_parse_fw_goes_on(name):
    found = check_firmware(NO_TABLE, driver=name)
    assert "linux-rsc-missing" not in codes(found)
    warn = next(f for f in found if f.code == "driver-rsc-optional")
    assert warn.severity == "warning" and DRIVERS[name].table_words in warn.message
    assert "linux-rsc-missing" in codes(check_firmware(NO_TABLE), "error")           # the default ops refuse


@pytest.mark.parametrize("name", ["ti_k3_r5_remoteproc", "ti_k3_m4_remoteproc", "omap_remoteproc", "wkup_m3_rproc"])
def test_default_ops_drivers_need_a_table(name):
    assert "linux-rsc-missing" in codes(check_firmware(NO_TABLE, driver=name), "error")


def test_mtk_scp_never_reads_the_table_and_loads_only_file_bytes():
    table = rsc.rsc_table_bytes([rsc.raw_entry(9, b"\0" * 8)])     # a type Linux's core would skip
    data = rsc.build_remote_elf(table, text_addr=0x0, data_addr=0x900000)
    memory = MemoryMap([MemoryRange(0, 0x80000, "sram")])
    found = check_firmware(data, memory=memory, driver="mtk_scp")
    assert "driver-rsc-ignored" in codes(found, "warning")
    assert "linux-rsc-unknown" not in codes(found)
    # the data segment (table + .bss) is at 0x900000, outside the SRAM: scp_elf_load_segments refuses it
    assert "linux-segment-da" in codes(found, "error")
    # a PT_LOAD with no file bytes (.bss only) outside memory: the SCP's own loop skips it, the default ops don't
    bss_only = mutate.phdr(data, 1, p_filesz=0)
    assert "linux-segment-da" not in codes(check_firmware(bss_only, memory=memory, driver="mtk_scp"))
    assert "linux-segment-da" in codes(check_firmware(bss_only, memory=memory), "error")
    assert "driver-scp-ipi-default" in codes(found, "warning")


def test_pru_routes_executable_segments_to_iram_after_masking():
    # GNU ld puts PRU IRAM at 0x20000000: pru_i_da_to_va masks it with 0xfffff
    data = rsc.build_remote_elf(rsc.rsc_table_bytes([rsc.raw_entry(128, b"\0" * 4)]), text_addr=0x20000000,
                                data_addr=0x0)
    memory = MemoryMap([MemoryRange(0, 0x2000, "iram"), MemoryRange(0, 0x2000, "dram0")])
    found = check_firmware(data, memory=memory, driver="pru_rproc")
    assert codes(found, "error") == [], found
    assert "linux-rsc-vendor" in codes(found, "warning")             # pru_rproc has no handle_rsc in 6.12
    not_x = mutate.phdr(data, 0, p_flags=spec.PF_R)                  # not PF_X: a data-RAM address, too high
    assert "linux-segment-da" in codes(check_firmware(not_x, memory=memory, driver="pru_rproc"), "error")


def test_omap_maps_devmem_and_its_carveouts_must_fit_the_cma_pool():
    table = rsc.rsc_table_bytes([rsc.carveout(da=0x0, pa=0, len=0x3000000, name="IPU_MEM_TEXT"),
                                 rsc.carveout(da=0x80000000, pa=0, len=0x100000, name="IPU_MEM_DATA")])
    data = rsc.build_remote_elf(table, text_addr=0x0, data_addr=0x80000000)
    blob = dtb("ipu@58820000", [("compatible", string("ti,dra7-ipu")), ("reg", cells(0x58820000, 0x10000)),
                                ("reg-names", string("l2ram")), ("iommus", cells(99))],
               regions=[("ipu1-memory", 0x9D000000, 0x2000000)], bus_props=[("ranges", b"")])
    memory = board_memory(blob, "/bus/ipu@58820000")
    found = check_firmware(data, memory=memory, driver="omap_remoteproc")
    pool = next(f for f in found if f.code == "mem-iommu-pool")
    assert pool.severity == "error" and "failed to allocate dma memory: len 0x3100000" in pool.message
    assert "linux-segment-da" not in codes(found)                     # both segments in IOMMU-mapped carveouts
    devmem = rsc.rsc_table_bytes([rsc.raw_entry(1, bytes(52))])
    assert "linux-devmem-iommu" not in codes(check_firmware(rsc.build_remote_elf(devmem), driver="omap_remoteproc"))


# -- address maps --------------------------------------------------------------------------------

def test_imx8mp_att_translates_and_refuses_a_block_ending_at_a_window_end():
    blob = dtb("imx8mp-cm7", [("compatible", string("fsl,imx8mp-cm7"))],
               regions=[("m7-reserved", 0x80000000, 0x1000000), ("vdev0vring0", 0x55000000, 0x8000)])
    memory = board_memory(blob, "/bus/imx8mp-cm7")
    assert memory.driver == "imx_rproc" and memory.strict_end
    got = {(r.name, r.start, r.system) for r in memory.ranges}
    assert ("ITCM", 0x0, 0x7E0000) in got and ("DTCM", 0x20000000, 0x800000) in got
    assert ("m7-reserved", 0x80000000, 0x80000000) in got
    assert not any(r.name == "vdev0vring0" for r in memory.ranges)   # imx_rproc_addr_init skips vdev*
    fits = build_remote(paddr=0x0, code=b"\0" * 0x100)
    assert "linux-segment-da" not in codes(check_firmware(fits, memory=memory, driver="imx_rproc"))
    edge = build_remote(paddr=0x20000 - 0x110, code=b"\0" * 0x100)   # p_memsz 0x110: ends exactly at ITCM's end
    found = check_firmware(edge, memory=memory, driver="imx_rproc")
    seg = next(f for f in found if f.code == "linux-segment-da")
    assert seg.system_address == 0x7E0000 + 0x20000 - 0x110


def test_k3_r5_loczrama_swaps_the_tcms():
    def memory(loczrama):
        extra = [] if loczrama is None else [("ti,loczrama", cells(loczrama))]
        blob = dtb("r5f@78000000", [("compatible", string("ti,am62-r5f")),
                                    ("reg", cells(0x78000000, 0x8000, 0x78100000, 0x8000)),
                                    ("reg-names", string("atcm", "btcm")), *extra],
                   regions=[("r5f-dma-memory", 0x9DA00000, 0x100000), ("r5f-memory", 0x9DB00000, 0xC00000)],
                   bus_props=[("ranges", b"")])
        return {r.name: r.start for r in board_memory(blob, "/bus/r5f@78000000").ranges}
    assert memory(None)["atcm"] == 0 and memory(None)["btcm"] == 0x41010000
    assert memory(0)["atcm"] == 0x41010000 and memory(0)["btcm"] == 0
    assert memory(1)["r5f-memory"] == 0x9DB00000 and "r5f-dma-memory" not in memory(1)


def test_wkup_m3_sees_umem_at_zero_and_dmem_at_its_offset():
    blob = dtb("wkup_m3@100000", [("compatible", string("ti,am3352-wkup-m3")),
                                  ("reg", cells(0x100000, 0x4000, 0x180000, 0x2000)),
                                  ("reg-names", string("umem", "dmem"))],
               bus_props=[("ranges", cells(0x0, 0x44C00000, 0x400000))])
    got = {r.name: (r.start, r.system) for r in board_memory(blob, "/bus/wkup_m3@100000").ranges}
    assert got == {"umem": (0x0, 0x44D00000), "dmem": (0x80000, 0x44D80000)}


def test_xlnx_r5_tcm_and_carveouts():
    def memory(mode, core=0, reg=None):
        core_props = [("compatible", string("xlnx,zynqmp-r5f"))]
        bus = [("xlnx,cluster-mode", cells(mode))] if mode is not None else []
        if reg:         # zynqmp.dtsi's newer layout: the cluster maps the cores' TCM view onto 0xffe00000
            core_props += [("reg", cells(*reg)), ("reg-names", string("atcm0", "btcm0"))]
            bus += [("ranges", cells(0x0, 0xFFE00000, 0x10000, 0x20000, 0xFFE20000, 0x10000))]
        sibling = [("r5f@0", ([("compatible", string("xlnx,zynqmp-r5f"))], []))] if core == 1 else []
        blob = dtb(f"r5f@{core}", core_props, regions=[("rproc0", 0x3ED00000, 0x40000)], bus_props=bus,
                   siblings=sibling)
        return {r.name: (r.start, r.system) for r in board_memory(blob, f"/bus/r5f@{core}", "xlnx_r5_remoteproc").ranges}
    split0, split1, lockstep = memory(0), memory(0, core=1), memory(None)
    assert split0["atcm0"] == (0x0, 0xFFE00000) and split0["btcm0"] == (0x20000, 0xFFE20000)
    assert split1["atcm1"] == (0x0, 0xFFE90000) and "atcm0" not in split1
    assert lockstep["atcm1"] == (0x10000, 0xFFE10000)                  # no xlnx,cluster-mode: lockstep
    assert split0["rproc0"] == (0x3ED00000, 0x3ED00000)
    dt = memory(0, reg=(0x0, 0x10000, 0x20000, 0x10000))              # da untranslated, system through ranges
    assert dt["atcm0"] == (0x0, 0xFFE00000) and dt["btcm0"] == (0x20000, 0xFFE20000)


# -- Qualcomm: no ELF ops --------------------------------------------------------------------------

def test_qcom_pas_places_a_relocatable_image_by_its_lowest_address():
    image = build_remote(paddr=0x8B000000, code=b"\0" * 0x1000)
    region = MemoryMap([MemoryRange(0x86100000, 0x2000000, "adsp-mem")])
    fixed = check_firmware(image, memory=region, driver="qcom_q6v5_pas")
    seg = next(f for f in fixed if f.code == "driver-mdt-segment")
    assert "segment outside memory range" in seg.message
    relocatable = mutate.phdr(image, 0, p_flags=spec.PF_R | spec.PF_X | QCOM_MDT_RELOCATABLE)
    assert codes(check_firmware(relocatable, memory=region, driver="qcom_q6v5_pas"), "error") == []
    assert "driver-rsc-ignored" not in codes(fixed)


def test_qcom_mss_copies_the_mba_whole(tmp_path):
    small, big = tmp_path / "mba.mbn", tmp_path / "mba-big.mbn"
    small.write_bytes(b"MBA!" * 0x1000)                                # no ELF at all: q6v5_load does not parse it
    big.write_bytes(b"\0" * (0x100000 + 1))
    assert bundler.verify(small, driver="qcom_q6v5_mss").ok
    report = bundler.verify(big, driver="qcom_q6v5_mss")
    assert not report.ok and codes(report.findings) == ["driver-mba-size"]


def test_json_names_the_driver(tmp_path, capsys):
    path = tmp_path / "fw.elf"
    path.write_bytes(NO_TABLE)
    assert main(["verify", str(path), "--driver", "xlnx_r5_remoteproc", "--json"]) == 0
    driver = json.loads(capsys.readouterr().out)["loader"]["driver"]
    assert driver == {"name": "xlnx_r5_remoteproc", "source": "drivers/remoteproc/xlnx_r5_remoteproc.c",
                      "kernel": KERNEL, "ops": DRIVERS["xlnx_r5_remoteproc"].ops, "resource_table": "optional"}


@pytest.mark.parametrize("compatible", sorted(imx_att.BY_COMPATIBLE))
def test_each_imx_soc_maps_its_own_rows_at_their_device_addresses(compatible):
    blob = dtb("cm", [("compatible", string(compatible))])
    memory = board_memory(blob, "/bus/cm")
    rows = imx_att.rows_for(compatible)
    got = {(r.start, r.size, r.system) for r in memory.ranges}
    for da, sa, size, flags, _ in rows:
        if flags & imx_att.ATT_OWN:
            assert (da, size, sa) in got                              # imx_rproc_addr_init maps it at probe
    assert all(any(da <= r.start and r.end <= da + size for da, _sa, size, _f, _w in rows) for r in memory.ranges)
    assert memory.to_system(rows[0][0]) == rows[0][1]                 # the table's first row translates


def test_pru_maps_from_the_pruss_node_and_pru1_swaps_its_data_rams():
    # am33xx-l4.dtsi's PRU-ICSS, the L4 window at 0x4a300000 as one ranges entry
    memories = ("memories@0", ([("reg", cells(0x0, 0x2000, 0x2000, 0x2000, 0x10000, 0x3000)),
                                ("reg-names", string("dram0", "dram1", "shrdram2"))], []))
    pru0 = ("pru@34000", ([("compatible", string("ti,am3356-pru")),
                           ("reg", cells(0x34000, 0x2000, 0x22000, 0x400, 0x22400, 0x100)),
                           ("reg-names", string("iram", "control", "debug"))], []))
    blob = dtb("pru@38000", [("compatible", string("ti,am3356-pru")),
                             ("reg", cells(0x38000, 0x2000, 0x24000, 0x400, 0x24400, 0x100)),
                             ("reg-names", string("iram", "control", "debug"))],
               bus_props=[("ranges", cells(0x0, 0x4A300000, 0x80000))], siblings=[memories, pru0])
    pru1 = {r.name: (r.start, r.system) for r in board_memory(blob, "/bus/pru@38000").ranges}
    pru0 = {r.name: (r.start, r.system) for r in board_memory(blob, "/bus/pru@34000").ranges}
    assert pru0 == {"iram": (0x0, 0x4A334000), "dram0": (0x0, 0x4A300000), "dram1": (0x2000, 0x4A302000),
                    "shrdram2": (0x10000, 0x4A310000)}
    assert pru1["iram"] == (0x0, 0x4A338000)
    assert pru1["dram1"] == (0x0, 0x4A302000) and pru1["dram0"] == (0x2000, 0x4A300000)   # swapped on PRU1


def test_a_bundles_images_are_checked_as_the_driver_does(tmp_path):
    from tests.support.paths import SAMPLES
    prebuilt = SAMPLES / "cortex-m3" / "prebuilt"
    out = tmp_path / "combined.elf"
    bundler.bundle(prebuilt / "host.elf", [prebuilt / "remote.elf"], out)
    report = bundler.verify(out, driver="mtk_scp")
    assert report.ok
    assert [(f.stem, f.code) for f in report.findings if f.code.startswith("driver-")] == \
        [("remote_elf", "driver-rsc-ignored"), ("remote_elf", "driver-scp-ipi-default")]
    with pytest.raises(bundler.BundleError) as info:
        bundler.verify(out, driver="mtk_scp", loader="kit")
    assert info.value.exit_code == 2 and "driver mtk_scp is a Linux remoteproc driver" in str(info.value)


def test_a_table_linux_refuses_is_no_table_to_a_driver_that_goes_on():
    bad = rsc.build_remote_elf(rsc.rsc_table_bytes([rsc.trace()], ver=2), text_addr=0x0)
    assert "linux-rsc-version" in codes(check_firmware(bad), "error")                  # default ops: Boot failed
    found = check_firmware(bad, driver="stm32_rproc")
    assert codes(found, "error") == []
    warn = next(f for f in found if f.code == "driver-rsc-optional")
    assert "ver is 2" in warn.message and "no resource table found for this firmware" in warn.message
    assert "Boot failed" not in warn.message
    assert "linux-rsc-version" in codes(check_firmware(bad, driver="ti_k3_m4_remoteproc"), "error")


@pytest.mark.parametrize("compatible, sram_da", [("mediatek,mt8183-scp", 0x0), ("mediatek,mt8192-scp", 0x10500000)])
def test_mtk_scp_sees_its_sram_at_zero_only_on_mt8183_and_mt8186(compatible, sram_da):
    blob = dtb("scp@10500000", [("compatible", string(compatible)),
                                ("reg", cells(0x10500000, 0x80000, 0x105C0000, 0x19080)),
                                ("reg-names", string("sram", "cfg"))],
               regions=[("scp-mem", 0x50000000, 0x2900000)], bus_props=[("ranges", b"")])
    got = {r.name: (r.start, r.system) for r in board_memory(blob, "/bus/scp@10500000").ranges}
    assert got == {"sram": (sram_da, 0x10500000), "scp-mem": (0x50000000, 0x50000000)}


def test_qcom_pas_loads_into_its_first_memory_region():
    blob = dtb("remoteproc@3000000", [("compatible", string("qcom,sm8250-adsp-pas"))],
               regions=[("adsp-mem", 0x8A100000, 0x1C00000)], bus_props=[("ranges", b"")])
    memory = board_memory(blob, "/bus/remoteproc@3000000")
    assert memory.driver == "qcom_q6v5_pas"
    assert [(r.name, r.start, r.size) for r in memory.ranges] == [("adsp-mem", 0x8A100000, 0x1C00000)]
    inside = build_remote(paddr=0x8A100000, code=b"\0" * 0x100)
    assert codes(check_firmware(inside, memory=memory, driver="qcom_q6v5_pas"), "error") == []


def test_omap_with_memory_given_still_maps_the_tables_carveouts():
    table = rsc.rsc_table_bytes([rsc.carveout(da=0x0, pa=0, len=0x100000, name="IPU_MEM_TEXT"),
                                 rsc.carveout(da=0x80000000, pa=0, len=0x100000, name="IPU_MEM_DATA")])
    data = rsc.build_remote_elf(table, text_addr=0x0, data_addr=0x80000000)
    l2ram = [(0x20000000, 0x10000, "l2ram")]
    assert codes(check_firmware(data, memory=l2ram, driver="omap_remoteproc"), "error") == []
    assert "mem-carveout" in codes(check_firmware(data, memory=l2ram), "error")      # no IOMMU: physical thinking


def test_qcom_mss_tells_its_two_files_apart_by_name(tmp_path):
    """qcom_q6v5_mss loads firmware-name[0] (mba.mbn) whole and firmware-name[1] (modem.mdt)
    through q6v5_mpss_load: the same bytes judged as the MBA (over 1 MiB: refused) and as the
    modem (segments placed in the second region: accepted, and refused where they do not fit)."""
    import bundler
    from tests.support.rsc import build_remote_elf
    data = build_remote_elf(text_addr=0x8E000000, bss=0) + bytes(1 << 20)
    mba, modem = tmp_path / "mba.mbn", tmp_path / "modem.mbn"
    mba.write_bytes(data)
    modem.write_bytes(data)
    as_mba = bundler.verify(mba, driver="qcom_q6v5_mss")
    assert [f.code for f in as_mba.errors] == ["driver-mba-size"]
    assert bundler.verify(modem, driver="qcom_q6v5_mss").ok
    small = [(0x8D000000, 0x100000, "mba"), (0x8E000000, 0x20, "mpss")]
    refused = bundler.verify(modem, driver="qcom_q6v5_mss", memory=small)
    assert [f.code for f in refused.errors] == ["driver-mdt-segment"]
    assert "segment outside memory range" in str(refused.errors[0])
    fits = [(0x8D000000, 0x100000, "mba"), (0x8E000000, 0x2000, "mpss")]
    assert bundler.verify(modem, driver="qcom_q6v5_mss", memory=fits).ok
