/*
 * rsc.S - remote_fw_rsc.h from the assembler: its constants, and nothing the
 * assembler cannot read. Assembled for every toolchain by
 * test_kit_freestanding.py, which reads the words back.
 */
#include "remote_fw_rsc.h"

        .section .rodata.rsc_constants, "a"
        .balign 4
        .long REMOTE_FW_RSC_VERSION
        .long REMOTE_FW_RSC_CARVEOUT, REMOTE_FW_RSC_DEVMEM, REMOTE_FW_RSC_TRACE, REMOTE_FW_RSC_VDEV
        .long REMOTE_FW_RSC_VENDOR_START, REMOTE_FW_RSC_VENDOR_END
        .long REMOTE_FW_RSC_TABLE_HDR_SIZE, REMOTE_FW_RSC_CARVEOUT_SIZE, REMOTE_FW_RSC_DEVMEM_SIZE
        .long REMOTE_FW_RSC_TRACE_SIZE, REMOTE_FW_RSC_VDEV_SIZE, REMOTE_FW_RSC_VRING_SIZE
        .long REMOTE_FW_RSC_NAME_LEN, REMOTE_FW_RSC_VDEV_MAX_VRINGS
        .long REMOTE_FW_RSC_ADDR_ANY, REMOTE_FW_RSC_VIRTIO_ID_RPMSG, REMOTE_FW_RSC_VIRTIO_RPMSG_F_NS
