/*
 * rsc_table.S - the remote's resource table (layout: the kit's remote_fw_rsc.h).
 * In assembler because a 64-bit C compiler cannot put a 32-bit truncation of
 * an address (the trace buffer's, the carveout's) into a static initializer;
 * `.word symbol` can. main.c checks this table against the C structs at run time.
 */
#include "memmap.h"
#include "remote_fw_rsc.h"         /* constants only, from assembler */

#define TRACE_BUF_SIZE  1024

/* -DRSC_ECHO: the rpmsg echo's table (echo/remote.c), the same layout with
 * the echo's vrings; -DRSC_VRING0_DA=addr moves vring 0 (a remote the host
 * must refuse: make remote-echo-badvring). */
#ifdef RSC_ECHO
#define RSC_VRING0      ECHO_VRING0_DA
#define RSC_VRING1      ECHO_VRING1_DA
#else
#define RSC_VRING0      VRING0_DA
#define RSC_VRING1      VRING1_DA
#endif
#ifdef RSC_VRING0_DA
#undef RSC_VRING0
#define RSC_VRING0      RSC_VRING0_DA
#endif

        .macro name32 text
0:      .ascii "\text"
1:      .rept 32 - (1b - 0b)    /* .rept, not .fill: keeps the size checks below constant */
        .byte 0
        .endr
        .endm

        .section .resource_table, "aw", %progbits
        .balign 8
        .globl resource_table
        .type resource_table, %object
resource_table:
        .word REMOTE_FW_RSC_VERSION     /* ver */
        .word 3                         /* num */
        .word 0, 0                      /* reserved */
        .word carveout - resource_table /* offset[0] */
        .word trace - resource_table    /* offset[1] */
        .word vdev - resource_table     /* offset[2] */

carveout:                               /* struct remote_fw_rsc_carveout */
        .word REMOTE_FW_RSC_CARVEOUT
        .word __remote_ram_start        /* da */
        .word __remote_ram_start        /* pa */
        .word __remote_ram_size         /* len */
        .word 0                         /* flags */
        .word 0                         /* reserved */
        name32 "remote-ram"

trace:                                  /* struct remote_fw_rsc_trace */
        .word REMOTE_FW_RSC_TRACE
        .word trace_buf                 /* da */
        .word TRACE_BUF_SIZE            /* len */
        .word 0                         /* reserved */
        name32 "remote-trace"

vdev:                                   /* struct remote_fw_rsc_vdev, two vrings */
        .word REMOTE_FW_RSC_VDEV
        .word REMOTE_FW_RSC_VIRTIO_ID_RPMSG /* id */
        .word 0                         /* notifyid */
        .word 1 << REMOTE_FW_RSC_VIRTIO_RPMSG_F_NS /* dfeatures */
        .word 0                         /* gfeatures */
        .word 0                         /* config_len */
        .byte 0                         /* status */
        .byte 2                         /* num_of_vrings */
        .byte 0, 0                      /* reserved */
        .word RSC_VRING0, VRING_ALIGN, VRING_NUM, 1, 0  /* da, align, num, notifyid, reserved */
        .word RSC_VRING1, VRING_ALIGN, VRING_NUM, 2, 0
#ifdef RSC_ECHO
        .globl resource_table_end       /* echo/remote.c hands OpenAMP the table's size */
#endif
resource_table_end:
        .size resource_table, resource_table_end - resource_table

        .if trace - carveout != REMOTE_FW_RSC_CARVEOUT_SIZE
        .error "carveout entry must be 56 bytes"
        .endif
        .if vdev - trace != REMOTE_FW_RSC_TRACE_SIZE
        .error "trace entry must be 48 bytes"
        .endif
        .if resource_table_end - vdev != REMOTE_FW_RSC_VDEV_SIZE + 2 * REMOTE_FW_RSC_VRING_SIZE
        .error "vdev entry with two vrings must be 68 bytes"
        .endif
        .if carveout - resource_table != REMOTE_FW_RSC_TABLE_HDR_SIZE + 4 * 3
        .error "entries must follow the offset array"
        .endif
