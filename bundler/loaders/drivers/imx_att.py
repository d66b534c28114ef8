"""imx_rproc's address translation tables (``imx_rproc_att``), one per SoC, as data.

Read from drivers/remoteproc/imx_rproc.c of Linux 6.12.118 (Debian's
linux-source-6.12, 6.12.118-1~deb12u1): each row is ``{ da, sa, size, flags }``
exactly as the driver has it: ``da`` the M4/M7/M33's device address, ``sa``
the system bus address, ``flags`` ATT_OWN (mapped at probe: the core's own
memory, loadable without a memory-region), ATT_IOMEM, and ATT_CORE(i) (the
row belongs to core i only: i.MX8QM's two M4s). ``imx_rproc_da_to_sys``
takes the first row (of this core) with ``da >= att.da && da + len <
att.da + att.size`` (strictly less: a block that ends exactly at a row's end
is refused) and ``imx_rproc_da_to_va`` then needs ``sys`` inside a mapped
memory (an ATT_OWN row or a memory-region not named ``vdev*``), again with
``sys + len < end``.

The compatible strings choose the table as ``imx_rproc_of_match`` does.
"""

from __future__ import annotations

ATT_OWN = 1 << 31
ATT_IOMEM = 1 << 30
ATT_CORE_MASK = 0xFFFF


def ATT_CORE(i: int) -> int:  # noqa: N802 - the driver's macro name
    return 1 << i


# (da, sa, size, flags, what the driver's comment calls it)
IMX93 = (
    (0x0FFC0000, 0x201C0000, 0x00040000, ATT_OWN | ATT_IOMEM, "TCM CODE NON-SECURE"),
    (0x1FFC0000, 0x201C0000, 0x00040000, ATT_OWN | ATT_IOMEM, "TCM CODE SECURE"),
    (0x20000000, 0x20200000, 0x00040000, ATT_OWN | ATT_IOMEM, "TCM SYS NON-SECURE"),
    (0x30000000, 0x20200000, 0x00040000, ATT_OWN | ATT_IOMEM, "TCM SYS SECURE"),
    (0x80000000, 0x80000000, 0x10000000, 0, "DDR"),
    (0x90000000, 0x80000000, 0x10000000, 0, "DDR"),
    (0xC0000000, 0xC0000000, 0x10000000, 0, "DDR"),
    (0xD0000000, 0xC0000000, 0x10000000, 0, "DDR"),
)
IMX8QM = (
    (0x08000000, 0x08000000, 0x10000000, 0, ""),
    (0x1FFE0000, 0x34FE0000, 0x00020000, ATT_OWN | ATT_IOMEM | ATT_CORE(0), "TCML"),
    (0x1FFE0000, 0x38FE0000, 0x00020000, ATT_OWN | ATT_IOMEM | ATT_CORE(1), "TCML"),
    (0x20000000, 0x35000000, 0x00020000, ATT_OWN | ATT_IOMEM | ATT_CORE(0), "TCMU"),
    (0x20000000, 0x39000000, 0x00020000, ATT_OWN | ATT_IOMEM | ATT_CORE(1), "TCMU"),
    (0x80000000, 0x80000000, 0x60000000, 0, "DDR (Data)"),
)
IMX8QXP = (
    (0x08000000, 0x08000000, 0x10000000, 0, ""),
    (0x1FFE0000, 0x34FE0000, 0x00040000, ATT_OWN | ATT_IOMEM, "TCML/U"),
    (0x21000000, 0x00100000, 0x00018000, 0, "OCRAM(Low 96KB)"),
    (0x21100000, 0x00100000, 0x00040000, 0, "OCRAM"),
    (0x80000000, 0x80000000, 0x60000000, 0, "DDR (Data)"),
)
IMX8MN = (
    (0x00000000, 0x007E0000, 0x00020000, ATT_OWN | ATT_IOMEM, "ITCM"),
    (0x00180000, 0x00180000, 0x00009000, 0, "OCRAM_S"),
    (0x00900000, 0x00900000, 0x00020000, 0, "OCRAM"),
    (0x00920000, 0x00920000, 0x00020000, 0, "OCRAM"),
    (0x00940000, 0x00940000, 0x00050000, 0, "OCRAM"),
    (0x08000000, 0x08000000, 0x08000000, 0, "QSPI Code - alias"),
    (0x10000000, 0x40000000, 0x0FFE0000, 0, "DDR (Code) - alias"),
    (0x20000000, 0x00800000, 0x00020000, ATT_OWN | ATT_IOMEM, "DTCM"),
    (0x20180000, 0x00180000, 0x00008000, ATT_OWN, "OCRAM_S - alias"),
    (0x20200000, 0x00900000, 0x00020000, ATT_OWN, "OCRAM"),
    (0x20220000, 0x00920000, 0x00020000, ATT_OWN, "OCRAM"),
    (0x20240000, 0x00940000, 0x00040000, ATT_OWN, "OCRAM"),
    (0x40000000, 0x40000000, 0x80000000, 0, "DDR (Data)"),
)
IMX8MQ = (
    (0x00000000, 0x007E0000, 0x00020000, ATT_IOMEM, "TCML - alias"),
    (0x00180000, 0x00180000, 0x00008000, 0, "OCRAM_S"),
    (0x00900000, 0x00900000, 0x00020000, 0, "OCRAM"),
    (0x00920000, 0x00920000, 0x00020000, 0, "OCRAM"),
    (0x08000000, 0x08000000, 0x08000000, 0, "QSPI Code - alias"),
    (0x10000000, 0x40000000, 0x0FFE0000, 0, "DDR (Code) - alias"),
    (0x1FFE0000, 0x007E0000, 0x00040000, ATT_OWN | ATT_IOMEM, "TCML/U"),
    (0x20180000, 0x00180000, 0x00008000, ATT_OWN, "OCRAM_S"),
    (0x20200000, 0x00900000, 0x00020000, ATT_OWN, "OCRAM"),
    (0x20220000, 0x00920000, 0x00020000, ATT_OWN, "OCRAM"),
    (0x40000000, 0x40000000, 0x80000000, 0, "DDR (Data)"),
)
IMX8ULP = (
    (0x1FFC0000, 0x1FFC0000, 0xC0000, ATT_OWN, ""),
    (0x21000000, 0x21000000, 0x10000, ATT_OWN, ""),
    (0x80000000, 0x80000000, 0x60000000, 0, ""),
)
IMX7ULP = (
    (0x1FFD0000, 0x1FFD0000, 0x30000, ATT_OWN, ""),
    (0x20000000, 0x20000000, 0x10000, ATT_OWN, ""),
    (0x2F000000, 0x2F000000, 0x20000, ATT_OWN, ""),
    (0x2F020000, 0x2F020000, 0x20000, ATT_OWN, ""),
    (0x60000000, 0x60000000, 0x40000000, 0, ""),
)
IMX7D = (
    (0x00000000, 0x00180000, 0x00008000, 0, "OCRAM_S (M4 Boot code) - alias"),
    (0x00180000, 0x00180000, 0x00008000, ATT_OWN, "OCRAM_S (Code)"),
    (0x00900000, 0x00900000, 0x00020000, 0, "OCRAM (Code) - alias"),
    (0x00920000, 0x00920000, 0x00020000, 0, "OCRAM_EPDC (Code) - alias"),
    (0x00940000, 0x00940000, 0x00008000, 0, "OCRAM_PXP (Code) - alias"),
    (0x1FFF8000, 0x007F8000, 0x00008000, ATT_OWN | ATT_IOMEM, "TCML (Code)"),
    (0x10000000, 0x80000000, 0x0FFF0000, 0, "DDR (Code) - alias, first part of DDR (Data)"),
    (0x20000000, 0x00800000, 0x00008000, ATT_OWN | ATT_IOMEM, "TCMU (Data)"),
    (0x20200000, 0x00900000, 0x00020000, 0, "OCRAM (Data)"),
    (0x20220000, 0x00920000, 0x00020000, 0, "OCRAM_EPDC (Data)"),
    (0x20240000, 0x00940000, 0x00008000, 0, "OCRAM_PXP (Data)"),
    (0x80000000, 0x80000000, 0x60000000, 0, "DDR (Data)"),
)
IMX6SX = (
    (0x00000000, 0x007F8000, 0x00008000, ATT_IOMEM, "TCML (M4 Boot Code) - alias"),
    (0x00180000, 0x008F8000, 0x00004000, 0, "OCRAM_S (Code)"),
    (0x00180000, 0x008FC000, 0x00004000, 0, "OCRAM_S (Code) - alias"),
    (0x1FFF8000, 0x007F8000, 0x00008000, ATT_OWN | ATT_IOMEM, "TCML (Code)"),
    (0x10000000, 0x80000000, 0x0FFF8000, 0, "DDR (Code) - alias, first part of DDR (Data)"),
    (0x20000000, 0x00800000, 0x00008000, ATT_OWN | ATT_IOMEM, "TCMU (Data)"),
    (0x208F8000, 0x008F8000, 0x00004000, 0, "OCRAM_S (Data) - alias?"),
    (0x80000000, 0x80000000, 0x60000000, 0, "DDR (Data)"),
)

# name of the table in imx_rproc.c -> rows
TABLES = {
    "imx_rproc_att_imx93": IMX93, "imx_rproc_att_imx8qm": IMX8QM, "imx_rproc_att_imx8qxp": IMX8QXP,
    "imx_rproc_att_imx8mn": IMX8MN, "imx_rproc_att_imx8mq": IMX8MQ, "imx_rproc_att_imx8ulp": IMX8ULP,
    "imx_rproc_att_imx7ulp": IMX7ULP, "imx_rproc_att_imx7d": IMX7D, "imx_rproc_att_imx6sx": IMX6SX,
}

# imx_rproc_of_match: compatible -> its dcfg's att table
BY_COMPATIBLE = {
    "fsl,imx7ulp-cm4": "imx_rproc_att_imx7ulp",
    "fsl,imx7d-cm4": "imx_rproc_att_imx7d",
    "fsl,imx6sx-cm4": "imx_rproc_att_imx6sx",
    "fsl,imx8mq-cm4": "imx_rproc_att_imx8mq",
    "fsl,imx8mm-cm4": "imx_rproc_att_imx8mq",
    "fsl,imx8mn-cm7": "imx_rproc_att_imx8mn",
    "fsl,imx8mp-cm7": "imx_rproc_att_imx8mn",
    "fsl,imx8mn-cm7-mmio": "imx_rproc_att_imx8mn",
    "fsl,imx8mp-cm7-mmio": "imx_rproc_att_imx8mn",
    "fsl,imx8qxp-cm4": "imx_rproc_att_imx8qxp",
    "fsl,imx8qm-cm4": "imx_rproc_att_imx8qm",
    "fsl,imx8ulp-cm33": "imx_rproc_att_imx8ulp",
    "fsl,imx93-cm33": "imx_rproc_att_imx93",
}


def rows_for(compatible: str, core_index: int = 0):
    """The rows that apply to core ``core_index`` of the SoC ``compatible`` names, in table order."""
    rows = TABLES[BY_COMPATIBLE[compatible]]
    return [r for r in rows if not (r[3] & ATT_CORE_MASK) or r[3] & ATT_CORE(core_index)]
