"""Linux remoteproc platform drivers as data (``bundle verify --driver NAME``).

Each :class:`Driver` is one module of Linux's drivers/remoteproc/, read from
the source of one kernel (:data:`KERNEL`): which ops it uses (the default
ELF ops, its own ``.load``/``.parse_fw``, Qualcomm's mdt loader), whether it
needs a resource table, what it does with vendor resource entries, its
fixed device-to-system address map and its ``da_to_va`` rule, and the
compatible strings its ``of_match`` table names. The facts are fields, each
citing the function it was read from; :mod:`.maps` turns a device tree node
into the memory the driver maps (in device addresses), :mod:`.rules` holds the
few checks that differ from the default ELF ops, :mod:`.imx_att` the i.MX
translation tables. ``bundle verify --driver list`` prints :func:`listing`;
docs/verify.md's driver table is :func:`markdown`.
"""

from __future__ import annotations

from bundler.records import Record

KERNEL = "6.12.118"
KERNEL_SOURCE = "Debian linux-source-6.12 6.12.118-1~deb12u1"

REQUIRED, OPTIONAL, IGNORED = "required", "optional", "ignored"


class Driver(Record):
    name: str                   # module name: drivers/remoteproc/<name>.c
    compatibles: tuple          # its of_match table (the cluster's and the cores' for K3 R5F, xlnx)
    ops: str                    # which ops load the image (function names)
    table: str                  # REQUIRED (boot fails without one), OPTIONAL (it goes on), IGNORED (never read)
    table_words: str            # what it prints when there is none ("" when the core refuses: -EINVAL)
    load: str                   # "elf" default rproc_elf_load_segments; "elf-filesz" an own loop that skips
    #                             PT_LOADs with p_filesz 0; "mdt" qcom_mdt_load; "mba" the file copied whole
    vendor: str                 # what becomes of resource entries 128..512
    address_map: str            # its fixed device-to-system map / where its memories come from
    da_to_va: str               # the rule its da_to_va applies
    map: str                    # the builder in .maps for --dtb/--node
    elf32_only: bool = False    # its own loader reads struct elf32_hdr/phdr whatever EI_CLASS says
    iommu: bool = False         # rproc->has_iommu: devmem entries are mapped, carveouts IOMMU-mapped at their da
    kernel: str = KERNEL

    @property
    def source(self) -> str:
        return f"drivers/remoteproc/{self.name}.c"


_ELF = ("rproc_elf_load_segments (default), rproc_elf_sanity_check, "
        "rproc_elf_find_loaded_rsc_table")
_CORE_VENDOR = ("no handle_rsc: rproc_handle_rsc_entry skips it (\"unsupported vendor resource %d\")")

# qcom_q6v5_pas.c's qcom_pas_of_match, in its order
_QCOM_PAS = (
    "qcom,msm8226-adsp-pil", "qcom,msm8953-adsp-pil", "qcom,msm8974-adsp-pil", "qcom,msm8996-adsp-pil",
    "qcom,msm8996-slpi-pil", "qcom,msm8998-adsp-pas", "qcom,msm8998-slpi-pas", "qcom,qcs404-adsp-pas",
    "qcom,qcs404-cdsp-pas", "qcom,qcs404-wcss-pas", "qcom,sa8775p-adsp-pas", "qcom,sa8775p-cdsp0-pas",
    "qcom,sa8775p-cdsp1-pas", "qcom,sa8775p-gpdsp0-pas", "qcom,sa8775p-gpdsp1-pas", "qcom,sar2130p-adsp-pas",
    "qcom,sc7180-adsp-pas", "qcom,sc7180-mpss-pas", "qcom,sc7280-adsp-pas", "qcom,sc7280-cdsp-pas",
    "qcom,sc7280-mpss-pas", "qcom,sc7280-wpss-pas", "qcom,sc8180x-adsp-pas", "qcom,sc8180x-cdsp-pas",
    "qcom,sc8180x-mpss-pas", "qcom,sc8280xp-adsp-pas", "qcom,sc8280xp-nsp0-pas", "qcom,sc8280xp-nsp1-pas",
    "qcom,sdm660-adsp-pas", "qcom,sdm845-adsp-pas", "qcom,sdm845-cdsp-pas", "qcom,sdm845-slpi-pas",
    "qcom,sdx55-mpss-pas", "qcom,sdx75-mpss-pas", "qcom,sm6115-adsp-pas", "qcom,sm6115-cdsp-pas",
    "qcom,sm6115-mpss-pas", "qcom,sm6350-adsp-pas", "qcom,sm6350-cdsp-pas", "qcom,sm6350-mpss-pas",
    "qcom,sm6375-adsp-pas", "qcom,sm6375-cdsp-pas", "qcom,sm6375-mpss-pas", "qcom,sm8150-adsp-pas",
    "qcom,sm8150-cdsp-pas", "qcom,sm8150-mpss-pas", "qcom,sm8150-slpi-pas", "qcom,sm8250-adsp-pas",
    "qcom,sm8250-cdsp-pas", "qcom,sm8250-slpi-pas", "qcom,sm8350-adsp-pas", "qcom,sm8350-cdsp-pas",
    "qcom,sm8350-slpi-pas", "qcom,sm8350-mpss-pas", "qcom,sm8450-adsp-pas", "qcom,sm8450-cdsp-pas",
    "qcom,sm8450-slpi-pas", "qcom,sm8450-mpss-pas", "qcom,sm8550-adsp-pas", "qcom,sm8550-cdsp-pas",
    "qcom,sm8550-mpss-pas", "qcom,sm8650-adsp-pas", "qcom,sm8650-cdsp-pas", "qcom,sm8650-mpss-pas",
    "qcom,x1e80100-adsp-pas", "qcom,x1e80100-cdsp-pas",
)

DRIVERS = {d.name: d for d in (
    Driver("stm32_rproc", ("st,stm32mp1-m4",),
           f"{_ELF}; own parse_fw stm32_rproc_parse_fw", OPTIONAL, "no resource table found for this firmware",
           "elf", _CORE_VENDOR,
           "stm32_rproc_of_memory_translations: the parent bus's dma-ranges (da, pa, size) as u32 triples; "
           "stm32_rproc_prepare registers every memory-region as a carveout at its translated da "
           "(vdev0buffer only as the vdev's DMA pool)",
           "core carveouts only (no own da_to_va)", "stm32"),
    Driver("imx_rproc", ("fsl,imx7ulp-cm4", "fsl,imx7d-cm4", "fsl,imx6sx-cm4", "fsl,imx8mq-cm4",
                         "fsl,imx8mm-cm4", "fsl,imx8mn-cm7", "fsl,imx8mp-cm7", "fsl,imx8mn-cm7-mmio",
                         "fsl,imx8mp-cm7-mmio", "fsl,imx8qxp-cm4", "fsl,imx8qm-cm4", "fsl,imx8ulp-cm33",
                         "fsl,imx93-cm33"),
           f"{_ELF} (find_loaded_rsc_table: imx_rproc_elf_find_loaded_rsc_table); own parse_fw "
           "imx_rproc_parse_fw", OPTIONAL, "No resource table in elf", "elf", _CORE_VENDOR,
           "imx_rproc_att per SoC (da, sa, size, flags); ATT_OWN rows mapped at probe, plus memory-region "
           "nodes not named vdev* (imx_rproc_addr_init)",
           "imx_rproc_da_to_sys: first row with da + len < row end (strict), then sys + len < a mapped "
           "memory's end", "imx"),
    Driver("ti_k3_r5_remoteproc", ("ti,am654-r5fss", "ti,j721e-r5fss", "ti,j7200-r5fss", "ti,am64-r5fss",
                                   "ti,am62-r5fss", "ti,j721s2-r5fss", "ti,am654-r5f", "ti,j721e-r5f",
                                   "ti,j7200-r5f", "ti,am64-r5f", "ti,am62-r5f", "ti,j721s2-r5f"),
           f"{_ELF} (defaults from rproc_alloc_ops)", REQUIRED, "", "elf", _CORE_VENDOR,
           "reg atcm/btcm at device 0x0 and 0x41010000 (swapped unless ti,loczrama), also at their SoC "
           "addresses; memory-region[0] is the vrings' DMA pool, memory-region[1..] static carveouts at "
           "da = their physical address (u32)",
           "k3_r5_rproc_da_to_va: TCMs (R5F or SoC view), sram, then reserved regions; da + len <= end",
           "k3_r5"),
    Driver("ti_k3_m4_remoteproc", ("ti,am64-m4fss",),
           f"{_ELF} (defaults from rproc_alloc_ops)", REQUIRED, "", "elf", _CORE_VENDOR,
           "reg iram at device 0x0 and dram at 0x30000 (K3_M4_IRAM_DEV_ADDR, K3_M4_DRAM_DEV_ADDR), also at "
           "their SoC addresses; memory-region[0] is the vrings' DMA pool, memory-region[1..] static "
           "carveouts at da = their physical address (u32)",
           "k3_m4_rproc_da_to_va: iram/dram (M4 or SoC view), then reserved regions; da + len <= end",
           "k3_m4"),
    Driver("omap_remoteproc", ("ti,omap4-dsp", "ti,omap4-ipu", "ti,omap5-dsp", "ti,omap5-ipu", "ti,dra7-dsp",
                               "ti,dra7-ipu"),
           f"{_ELF} (defaults from rproc_alloc_ops)", REQUIRED, "", "elf", _CORE_VENDOR,
           "behind an IOMMU (rproc->has_iommu = true): the remote sees only what Linux maps, the resource "
           "table's carveouts (allocated from the memory-region CMA pool, mapped at their da) and devmem "
           "entries (da -> pa); internal memories: IPU l2ram at 0x20000000, DRA7 DSP l2ram 0x800000, "
           "l1pram 0xe00000, l1dram 0xf00000 (ipu_mems, dra7_dsp_mems)",
           "omap_rproc_da_to_va: internal memories, then the core's carveouts; da + len <= end",
           "omap", iommu=True),
    Driver("pru_rproc", ("ti,am3356-pru", "ti,am4376-pru", "ti,am5728-pru", "ti,am642-pru", "ti,am642-rtu",
                         "ti,am642-tx-pru", "ti,k2g-pru", "ti,am654-pru", "ti,am654-rtu", "ti,am654-tx-pru",
                         "ti,j721e-pru", "ti,j721e-rtu", "ti,j721e-tx-pru", "ti,am625-pru"),
           "own load pru_rproc_load_elf_segments and parse_fw pru_rproc_parse_fw; rproc_elf_sanity_check "
           "(set by rproc_alloc_ops before the driver replaces load and parse_fw)", OPTIONAL,
           "no resource table found for this fw", "elf-filesz",
           _CORE_VENDOR + "; its interrupt map is the .pru_irq_map section, not a resource entry",
           "PF_X segments go to the core's IRAM (reg iram) at da 0 after da &= 0xfffff; others to Data RAM: "
           "dram0 at 0x0, dram1 at 0x2000 (swapped on PRU1), shared RAM at 0x10000 (the PRUSS memories node)",
           "pru_i_da_to_va / pru_d_da_to_va: da + len <= end", "pru", elf32_only=True),
    Driver("wkup_m3_rproc", ("ti,am3352-wkup-m3", "ti,am4372-wkup-m3"),
           f"{_ELF} (defaults from rproc_alloc_ops)", REQUIRED, "", "elf", _CORE_VENDOR,
           "reg umem at device 0x0, dmem at its offset from umem (dev_addr = address - umem's address)",
           "wkup_m3_rproc_da_to_va: umem/dmem, da + len <= end", "wkup_m3"),
    Driver("xlnx_r5_remoteproc", ("xlnx,versal-net-r52fss", "xlnx,versal-r5fss", "xlnx,zynqmp-r5fss"),
           f"{_ELF}; own parse_fw zynqmp_r5_parse_fw", OPTIONAL, "no resource table found.", "elf", _CORE_VENDOR,
           "TCM banks as carveouts: from the core node's reg (da = the untranslated address) or, without one, "
           "the ZynqMP tables (split: atcm 0x0 <- 0xffe00000, btcm 0x20000 <- 0xffe20000, 64 KiB each; lockstep, "
           "the default, adds 0x10000 and 0x30000); memory-region carveouts at da = their physical address",
           "core carveouts only", "xlnx"),
    Driver("mtk_scp", ("mediatek,mt8183-scp", "mediatek,mt8186-scp", "mediatek,mt8188-scp",
                       "mediatek,mt8188-scp-dual", "mediatek,mt8192-scp", "mediatek,mt8195-scp",
                       "mediatek,mt8195-scp-dual", "mediatek,scp-core"),
           "own load scp_load (scp_elf_load_segments), own parse_fw scp_parse_fw (scp_ipi_init), "
           "rproc_elf_sanity_check", IGNORED, "", "elf-filesz",
           "never reads a resource table", "SRAM (reg sram) at device 0x0 (mt8183, mt8186) or at its physical "
           "address (mt8192 and later); DRAM from memory-region[0] at its DMA address",
           "mt8183_scp_da_to_va / mt8192_scp_da_to_va: offset + len <= size", "mtk", elf32_only=True),
    Driver("qcom_q6v5_pas", _QCOM_PAS,
           "own load qcom_pas_load, the image loaded by qcom_mdt_load_no_init (drivers/soc/qcom/mdt_loader.c) "
           "in qcom_pas_start; parse_fw qcom_register_dump_segments; no rproc_elf_sanity_check", IGNORED, "",
           "mdt", "never reads a resource table",
           "memory-region[0]: the whole image goes there; a relocatable image (a PT_LOAD with "
           "QCOM_MDT_RELOCATABLE) is placed by its lowest p_paddr, else p_paddr - the region's start",
           "qcom_pas_da_to_va: da - mem_reloc inside mem_size", "qcom_pas", elf32_only=True),
    Driver("qcom_q6v5_mss", ("qcom,q6v5-pil", "qcom,msm8909-mss-pil", "qcom,msm8916-mss-pil",
                             "qcom,msm8953-mss-pil", "qcom,msm8974-mss-pil", "qcom,msm8996-mss-pil",
                             "qcom,msm8998-mss-pil", "qcom,sc7180-mss-pil", "qcom,sc7280-mss-pil",
                             "qcom,sdm660-mss-pil", "qcom,sdm845-mss-pil"),
           "own load q6v5_load: the MBA file copied whole into the mba region (no ELF parsing); the modem "
           "image later through the mdt loader (q6v5_mpss_load)", IGNORED, "", "mba",
           "never reads a resource table", "the MBA (a file named mba*, firmware-name[0]) into the mba region "
           "(memory-region[0] or child node mba), at most 1 MiB; the modem (any other name, firmware-name[1]) "
           "into the mpss region (memory-region[1] or child node mpss), placed as the mdt loader places "
           "segments", "q6v5_load: fw->size <= mba_size and <= SZ_1M; q6v5_mpss_load: p_paddr - mpss_reloc "
           "inside mpss_size", "qcom_mss"),
)}


def find_driver(name: str) -> Driver:
    """The profile named ``name``; UsageError (exit 2) naming the known ones otherwise."""
    from bundler.errors import UsageError, option
    if name not in DRIVERS:
        raise UsageError(f"unknown {option('driver')} {name!r}", hint=f"one of {', '.join(DRIVERS)}")
    return DRIVERS[name]


def driver_for(compatibles) -> Driver | None:
    """The driver whose of_match table holds one of ``compatibles`` (a node's, in its order)."""
    for c in compatibles or ():
        for d in DRIVERS.values():
            if c in d.compatibles or (d.name == "imx_rproc" and c in _imx_compatibles()):
                return d
    return None


def _imx_compatibles():
    from bundler.loaders.drivers.imx_att import BY_COMPATIBLE
    return BY_COMPATIBLE


def listing() -> str:
    """``bundle verify --driver list``: one line per driver with the kernel it was read from."""
    width = max(len(n) for n in DRIVERS)
    return "\n".join(f"{d.name:<{width}}  Linux {d.kernel} ({d.source}; {KERNEL_SOURCE})" for d in DRIVERS.values())


def markdown() -> str:
    """docs/verify.md's driver table."""
    rows = ["| driver | source (Linux " + KERNEL + ") | ops | resource table | vendor entries | address map |",
            "|---|---|---|---|---|---|"]
    for d in DRIVERS.values():
        table = d.table + (f" (\"{d.table_words}\")" if d.table_words else "")
        rows.append(f"| `{d.name}` | {d.source} | {d.ops} | {table} | {d.vendor} | {d.address_map}; "
                    f"{d.da_to_va} |")
    return "\n".join(rows)


__all__ = ["Driver", "DRIVERS", "KERNEL", "find_driver", "driver_for", "listing", "markdown",
           "REQUIRED", "OPTIONAL", "IGNORED"]
