"""Real boards' remoteproc nodes, as upstream Linux's device trees have them, and firmware that fits.

Each board is a subset of upstream DTS, written out (not fetched): the
remoteproc node, the buses above it with their ``ranges``/``dma-ranges``, and
the ``/reserved-memory`` regions its ``memory-region`` names.

- STM32MP157 (DK2): arch/arm/boot/dts/st/stm32mp151.dtsi (``mlahb`` with its
  dma-ranges, ``m4@10000000``) and stm32mp15xx-dkx.dtsi (reserved-memory,
  ``&m4_rproc``), Linux 6.12.
- AM62x SK: arch/arm64/boot/dts/ti/k3-am62.dtsi (``cbass_main`` with its MCU
  domain range, ``cbass_mcu``), k3-am62-mcu.dtsi (``mcu_m4fss``) and
  k3-am62x-sk-common.dtsi (the two M4F memory regions), Linux 6.14 (the M4F
  node is not in 6.12's tree; the driver is).
- DRA7 EVM: arch/arm/boot/dts/ti/omap/dra7.dtsi (``ocp`` with its ranges and
  dma-ranges, ``ipu1``/``ipu2`` behind ``mmu_ipu1``/``mmu_ipu2``) and
  dra7-evm.dts (the CMA pools ``ipu1-memory``/``ipu2-memory``), Linux 6.12.

:data:`FIRMWARE` is one small Cortex-M4 firmware (a vector table, code, data,
.bss and a resource table: trace buffer, rpmsg vdev; the IPU's also its
carveouts and a devmem entry, as TI's IPC 3.x tables are) that each board's
linker script places where that board's driver maps memory.
"""

from __future__ import annotations

STM32MP157 = """/dts-v1/;
/ {
    #address-cells = <1>;
    #size-cells = <1>;
    model = "STMicroelectronics STM32MP157C-DK2 Discovery Board (remoteproc subset)";
    compatible = "st,stm32mp157c-dk2", "st,stm32mp157";

    reserved-memory {
        #address-cells = <1>;
        #size-cells = <1>;
        ranges;
        mcuram2: mcuram2@10000000 { compatible = "shared-dma-pool"; reg = <0x10000000 0x40000>; no-map; };
        vdev0vring0: vdev0vring0@10040000 { compatible = "shared-dma-pool"; reg = <0x10040000 0x1000>; no-map; };
        vdev0vring1: vdev0vring1@10041000 { compatible = "shared-dma-pool"; reg = <0x10041000 0x1000>; no-map; };
        vdev0buffer: vdev0buffer@10042000 { compatible = "shared-dma-pool"; reg = <0x10042000 0x4000>; no-map; };
        mcuram: mcuram@30000000 { compatible = "shared-dma-pool"; reg = <0x30000000 0x40000>; no-map; };
        retram: retram@38000000 { compatible = "shared-dma-pool"; reg = <0x38000000 0x10000>; no-map; };
    };

    mlahb: ahb {
        compatible = "st,mlahb", "simple-bus";
        #address-cells = <1>;
        #size-cells = <1>;
        ranges;
        dma-ranges = <0x00000000 0x38000000 0x10000>,
                     <0x10000000 0x10000000 0x60000>,
                     <0x30000000 0x30000000 0x60000>;

        m4_rproc: m4@10000000 {
            compatible = "st,stm32mp1-m4";
            reg = <0x10000000 0x40000>,
                  <0x30000000 0x40000>,
                  <0x38000000 0x10000>;
            memory-region = <&retram>, <&mcuram>, <&mcuram2>, <&vdev0vring0>,
                            <&vdev0vring1>, <&vdev0buffer>;
            status = "okay";
        };
    };
};
"""
STM32MP157_NODE = "/ahb/m4@10000000"

AM62X = """/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    model = "Texas Instruments AM625 SK (remoteproc subset)";
    compatible = "ti,am625-sk", "ti,am625";

    reserved-memory {
        #address-cells = <2>;
        #size-cells = <2>;
        ranges;
        mcu_m4fss_dma_memory_region: m4f-dma-memory@9cb00000 {
            compatible = "shared-dma-pool"; reg = <0x00 0x9cb00000 0x00 0x100000>; no-map;
        };
        mcu_m4fss_memory_region: m4f-memory@9cc00000 {
            compatible = "shared-dma-pool"; reg = <0x00 0x9cc00000 0x00 0xe00000>; no-map;
        };
    };

    cbass_main: bus@f0000 {
        compatible = "simple-bus";
        #address-cells = <2>;
        #size-cells = <2>;
        ranges = <0x00 0x000f0000 0x00 0x000f0000 0x00 0x00030000>, /* Main MMRs */
                 <0x00 0x04000000 0x00 0x04000000 0x00 0x01ff1400>; /* MCU Domain Range */

        cbass_mcu: bus@4000000 {
            compatible = "simple-bus";
            #address-cells = <2>;
            #size-cells = <2>;
            ranges = <0x00 0x04000000 0x00 0x04000000 0x00 0x01ff1400>; /* Peripheral window */

            mcu_m4fss: m4fss@5000000 {
                compatible = "ti,am64-m4fss";
                reg = <0x00 0x5000000 0x00 0x30000>,
                      <0x00 0x5040000 0x00 0x10000>;
                reg-names = "iram", "dram";
                firmware-name = "am62-mcu-m4f0_0-fw";
                memory-region = <&mcu_m4fss_dma_memory_region>,
                                <&mcu_m4fss_memory_region>;
                status = "okay";
            };
        };
    };
};
"""
AM62X_NODE = "/bus@f0000/bus@4000000/m4fss@5000000"

DRA7 = """/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    model = "TI DRA742 (remoteproc subset)";
    compatible = "ti,dra7-evm", "ti,dra752", "ti,dra7";

    reserved-memory {
        #address-cells = <2>;
        #size-cells = <2>;
        ranges;
        ipu2_memory_region: ipu2-memory@95800000 {
            compatible = "shared-dma-pool"; reg = <0x0 0x95800000 0x0 0x3800000>; reusable; status = "okay";
        };
        ipu1_memory_region: ipu1-memory@9d000000 {
            compatible = "shared-dma-pool"; reg = <0x0 0x9d000000 0x0 0x2000000>; reusable; status = "okay";
        };
    };

    ocp: ocp {
        compatible = "simple-pm-bus";
        #address-cells = <1>;
        #size-cells = <1>;
        ranges = <0x0 0x0 0x0 0xc0000000>;
        dma-ranges = <0x80000000 0x0 0x80000000 0x80000000>;

        mmu_ipu1: mmu@58882000 { compatible = "ti,dra7-iommu"; reg = <0x58882000 0x100>; #iommu-cells = <0>; };
        mmu_ipu2: mmu@55082000 { compatible = "ti,dra7-iommu"; reg = <0x55082000 0x100>; #iommu-cells = <0>; };

        ipu1: ipu@58820000 {
            compatible = "ti,dra7-ipu";
            reg = <0x58820000 0x10000>;
            reg-names = "l2ram";
            iommus = <&mmu_ipu1>;
            firmware-name = "dra7-ipu1-fw.xem4";
            memory-region = <&ipu1_memory_region>;
        };

        ipu2: ipu@55020000 {
            compatible = "ti,dra7-ipu";
            reg = <0x55020000 0x10000>;
            reg-names = "l2ram";
            iommus = <&mmu_ipu2>;
            firmware-name = "dra7-ipu2-fw.xem4";
            memory-region = <&ipu2_memory_region>;
        };
    };
};
"""
DRA7_NODES = ("/ocp/ipu@58820000", "/ocp/ipu@55020000")

FIRMWARE = r"""
#include <stdint.h>

#ifndef VRING0_DA
#define VRING0_DA 0xFFFFFFFFu
#define VRING1_DA 0xFFFFFFFFu
#endif
#ifndef PAD
#define PAD 16
#endif
#ifndef DATA_PAD
#define DATA_PAD 4
#endif

struct fw_rsc_carveout { uint32_t type, da, pa, len, flags, reserved; char name[32]; };
struct fw_rsc_devmem { uint32_t type, da, pa, len, flags, reserved; char name[32]; };
struct fw_rsc_trace { uint32_t type, da, len, reserved; char name[32]; };
struct fw_rsc_vdev_vring { uint32_t da, align, num, notifyid, pa; };
struct fw_rsc_vdev {
    uint32_t type, id, notifyid, dfeatures, gfeatures, config_len;
    uint8_t status, num_of_vrings, reserved[2];
    struct fw_rsc_vdev_vring vring[2];
};

#define TRACE_SIZE 1024
char trace_buf[TRACE_SIZE];                     /* .bss: the trace buffer */
volatile uint32_t counter = 0x1234;             /* .data */
const uint8_t pad[PAD] = { 1 };                 /* .rodata: sizes the code segment */
volatile uint8_t data_pad[DATA_PAD] = { 1 };    /* .data: sizes the data segment */

#ifdef IPU
#define NUM 5
#else
#define NUM 2
#endif

struct resource_table {
    uint32_t ver, num, reserved[2];
    uint32_t offset[NUM];
#ifdef IPU
    struct fw_rsc_carveout text, data;
    struct fw_rsc_devmem periph;
#endif
    struct fw_rsc_trace trace;
    struct fw_rsc_vdev vdev;
};

#define OFF(f) __builtin_offsetof(struct resource_table, f)

__attribute__((section(".resource_table"), used))
struct resource_table resource_table = {
    1, NUM, { 0, 0 },
#ifdef IPU
    { OFF(text), OFF(data), OFF(periph), OFF(trace), OFF(vdev) },
    { 0, 0x0, 0, 0x100000, 0, 0, "IPU_MEM_TEXT" },
    { 0, 0x80000000, 0, 0x100000, 0, 0, "IPU_MEM_DATA" },
    { 1, 0x6A000000, 0x4A000000, 0x1000000, 0, 0, "IPU_PERIPHERAL_L4CFG" },
#else
    { OFF(trace), OFF(vdev) },
#endif
    { 2, (uint32_t)(uintptr_t)trace_buf, TRACE_SIZE, 0, "trace" },
    { 3, 7, 2, 1, 0, 0, 0, 2, { 0, 0 },
      { { VRING0_DA, 16, 16, 0, 0 }, { VRING1_DA, 16, 16, 1, 0 } } },
};

extern uint32_t _estack;
void reset(void);
__attribute__((section(".isr_vector"), used))
const void *vectors[2] = { &_estack, (void *)reset };

void reset(void)
{
    for (;;)
        counter += pad[counter & (PAD - 1)] + data_pad[counter & (DATA_PAD - 1)] + resource_table.num;
}
"""

LINKER = """
MEMORY
{{
    CODE (rx) : ORIGIN = {code:#x}, LENGTH = {code_size:#x}
    DATA (rw) : ORIGIN = {data:#x}, LENGTH = {data_size:#x}
}}
ENTRY(reset)
_estack = ORIGIN(DATA) + LENGTH(DATA);
SECTIONS
{{
    .isr_vector : {{ KEEP(*(.isr_vector)) }} > CODE
    .text : {{ *(.text*) *(.rodata*) }} > CODE
    .resource_table : ALIGN(8) {{ KEEP(*(.resource_table)) }} > DATA
    .data : {{ *(.data*) }} > DATA
    .bss : {{ *(.bss*) *(COMMON) }} > DATA
    /DISCARD/ : {{ *(.ARM.*) *(.comment) }}
}}
"""

# board: (dts, node, {image: (code, code size, data, data size, extra cflags)})
IMAGES = {
    "stm32mp157": (STM32MP157, STM32MP157_NODE, {
        # code in RETRAM (the M4's 0x0 = physical 0x38000000), data in MCUSRAM (mcuram2)
        "fits": (0x0, 0x10000, 0x10000000, 0x40000, ("-DVRING0_DA=0x10040000u", "-DVRING1_DA=0x10041000u")),
        # the code segment starts one page below RETRAM's end and runs past it
        "outside": (0xF000, 0x2000, 0x10000000, 0x40000, ("-DVRING0_DA=0x10040000u", "-DVRING1_DA=0x10041000u",
                                                          "-DPAD=0x1800")),
    }),
    "am62x": (AM62X, AM62X_NODE, {
        # code in the M4F's IRAM (device 0x0), data in its DRAM (device 0x30000)
        "fits": (0x0, 0x30000, 0x30000, 0x10000, ()),
        # the data segment starts one page below DRAM's end and runs past it
        "outside": (0x0, 0x30000, 0x3F000, 0x2000, ("-DDATA_PAD=0x1800",)),
    }),
    "dra7-ipu1": (DRA7, DRA7_NODES[0], {
        # code in the IPU_MEM_TEXT carveout (da 0x0), data in IPU_MEM_DATA (da 0x80000000): the IOMMU maps both
        "fits": (0x0, 0x100000, 0x80000000, 0x100000, ("-DIPU",)),
        # the code one page past the text carveout
        "outside": (0x101000, 0x1000, 0x80000000, 0x100000, ("-DIPU",)),
    }),
}
IMAGES["dra7-ipu2"] = (DRA7, DRA7_NODES[1], IMAGES["dra7-ipu1"][2])
