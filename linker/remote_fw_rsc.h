/*
 * remote_fw_rsc.h - the remoteproc resource table layout, for REMOTE firmware
 * to declare its `.resource_table` with (rproc-bundle kit).
 *
 * The structs are OpenAMP's (lib/include/openamp/remoteproc.h) and Linux's
 * (include/linux/remoteproc.h) struct fw_rsc_*, field for field, with a prefix
 * so that this header and theirs can meet in one program. As in OpenAMP, each
 * entry struct starts with its type word (Linux reads that word through its
 * struct fw_rsc_hdr and leaves it out of the entry structs). Every field is a
 * u32 or a u8; all entries are whole 32-bit words, so nothing needs packing:
 * the checks at the end of this file prove the sizes on every ABI.
 *
 *     #include "remote_fw_rsc.h"
 *
 *     struct my_table {                            // the instance's shape
 *             struct remote_fw_rsc_table_hdr hdr;  // ver 1, num 2
 *             uint32_t offset[2];                  // byte offsets of the entries
 *             struct remote_fw_rsc_carveout carveout;
 *             REMOTE_FW_RSC_VDEV_STRUCT(2) vdev;   // a vdev with vring[2]
 *     };
 *     __attribute__((section(".resource_table"), used))
 *     struct my_table resource_table = {
 *             { REMOTE_FW_RSC_VERSION, 2, { 0, 0 } },
 *             { offsetof(struct my_table, carveout), offsetof(struct my_table, vdev) },
 *             ...
 *
 * Also usable from assembler (`.S` files): only the constants are defined then.
 * C99, freestanding: <stddef.h> and <stdint.h> only.
 */
#ifndef REMOTE_FW_RSC_H
#define REMOTE_FW_RSC_H

/* ---- constants (no suffixes: the assembler reads them too) ------------------ */
#define REMOTE_FW_RSC_VERSION           1       /* the table header's ver */

/* entry types (Linux: enum fw_resource_type) */
#define REMOTE_FW_RSC_CARVEOUT          0       /* memory the remote needs: struct remote_fw_rsc_carveout */
#define REMOTE_FW_RSC_DEVMEM            1       /* a device's memory to map: struct remote_fw_rsc_devmem */
#define REMOTE_FW_RSC_TRACE             2       /* a trace buffer: struct remote_fw_rsc_trace */
#define REMOTE_FW_RSC_VDEV              3       /* a virtio device: struct remote_fw_rsc_vdev */
#define REMOTE_FW_RSC_VENDOR_START      128     /* 128..512: for the platform driver */
#define REMOTE_FW_RSC_VENDOR_END        512

/* sizes in bytes, the type word included (vdev: before its vrings and config) */
#define REMOTE_FW_RSC_TABLE_HDR_SIZE    16
#define REMOTE_FW_RSC_CARVEOUT_SIZE     56
#define REMOTE_FW_RSC_DEVMEM_SIZE       56
#define REMOTE_FW_RSC_TRACE_SIZE        48
#define REMOTE_FW_RSC_VDEV_SIZE         28
#define REMOTE_FW_RSC_VRING_SIZE        20
#define REMOTE_FW_RSC_NAME_LEN          32      /* name[], NUL-padded */
#define REMOTE_FW_RSC_VDEV_MAX_VRINGS   2       /* Linux refuses a vdev with more */

#define REMOTE_FW_RSC_ADDR_ANY          0xffffffff      /* "the host chooses" (FW_RSC_ADDR_ANY) */
#define REMOTE_FW_RSC_VIRTIO_ID_RPMSG   7       /* vdev id of an rpmsg device */
#define REMOTE_FW_RSC_VIRTIO_RPMSG_F_NS 0       /* dfeatures bit: name service announcements */

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

/* ---- the table ---------------------------------------------------------------
 * The table header: Linux's struct resource_table without its offset[]. The
 * instance follows it with uint32_t offset[num], the byte offset of each entry
 * from the start of the table, then the entries. */
struct remote_fw_rsc_table_hdr {                /* 16 bytes */
        uint32_t ver;                           /* REMOTE_FW_RSC_VERSION */
        uint32_t num;                           /* entries */
        uint32_t reserved[2];                   /* 0 */
};

/* ---- entries -------------------------------------------------------------- */
struct remote_fw_rsc_carveout {                 /* 56 bytes */
        uint32_t type;                          /* REMOTE_FW_RSC_CARVEOUT */
        uint32_t da;                            /* device address, or REMOTE_FW_RSC_ADDR_ANY */
        uint32_t pa;                            /* physical address, or REMOTE_FW_RSC_ADDR_ANY */
        uint32_t len;
        uint32_t flags;                         /* IOMMU protection flags */
        uint32_t reserved;                      /* 0 */
        char name[REMOTE_FW_RSC_NAME_LEN];
};

struct remote_fw_rsc_devmem {                   /* 56 bytes */
        uint32_t type;                          /* REMOTE_FW_RSC_DEVMEM */
        uint32_t da;
        uint32_t pa;
        uint32_t len;
        uint32_t flags;
        uint32_t reserved;                      /* 0 */
        char name[REMOTE_FW_RSC_NAME_LEN];
};

struct remote_fw_rsc_trace {                    /* 48 bytes */
        uint32_t type;                          /* REMOTE_FW_RSC_TRACE */
        uint32_t da;                            /* the buffer, as the remote sees it */
        uint32_t len;
        uint32_t reserved;                      /* 0 */
        char name[REMOTE_FW_RSC_NAME_LEN];
};

struct remote_fw_rsc_vdev_vring {               /* 20 bytes */
        uint32_t da;                            /* or REMOTE_FW_RSC_ADDR_ANY: the host writes it back */
        uint32_t align;                         /* non-zero */
        uint32_t num;                           /* buffers: a power of two */
        uint32_t notifyid;                      /* unique (OpenAMP: below 32 on 32-bit hosts) */
        uint32_t reserved;                      /* Linux: pa */
};

/* The fields of a vdev before its vrings (one list for both forms below). */
#define REMOTE_FW_RSC__VDEV_FIELDS                                              \
        uint32_t type;                  /* REMOTE_FW_RSC_VDEV */                \
        uint32_t id;                    /* REMOTE_FW_RSC_VIRTIO_ID_RPMSG, ... */ \
        uint32_t notifyid;                                                      \
        uint32_t dfeatures;             /* device features */                   \
        uint32_t gfeatures;             /* negotiated features: the host's */   \
        uint32_t config_len;            /* config space bytes after the vrings */ \
        uint8_t status;                 /* virtio status: the host's */         \
        uint8_t num_of_vrings;          /* at most REMOTE_FW_RSC_VDEV_MAX_VRINGS */ \
        uint8_t reserved[2]             /* 0 */

/* 28 bytes, then num_of_vrings vrings, then config_len bytes of config space. */
struct remote_fw_rsc_vdev {
        REMOTE_FW_RSC__VDEV_FIELDS;
        struct remote_fw_rsc_vdev_vring vring[];
};

/*
 * REMOTE_FW_RSC_VDEV_STRUCT(n): the same vdev as a complete struct type with
 * vring[n], for a member of a table instance: `REMOTE_FW_RSC_VDEV_STRUCT(2) vdev;`
 * (ISO C forbids a struct with a flexible array member inside another struct;
 * OpenAMP's and Linux's samples embed struct fw_rsc_vdev anyway, a GNU extension
 * that -pedantic warns about). Each use is a distinct, unnamed type.
 */
#define REMOTE_FW_RSC_VDEV_STRUCT(n)                                            \
        struct {                                                                \
                REMOTE_FW_RSC__VDEV_FIELDS;                                     \
                struct remote_fw_rsc_vdev_vring vring[n];                       \
        }

/* ---- C99 compile-time checks of the layout above -------------------------- */
#define REMOTE_FW_RSC__CHECK(name, cond) typedef char remote_fw_rsc__check_##name[(cond) ? 1 : -1]
typedef REMOTE_FW_RSC_VDEV_STRUCT(2) remote_fw_rsc__vdev2;

REMOTE_FW_RSC__CHECK(hdr, sizeof(struct remote_fw_rsc_table_hdr) == REMOTE_FW_RSC_TABLE_HDR_SIZE);
REMOTE_FW_RSC__CHECK(carveout, sizeof(struct remote_fw_rsc_carveout) == REMOTE_FW_RSC_CARVEOUT_SIZE);
REMOTE_FW_RSC__CHECK(carveout_name, offsetof(struct remote_fw_rsc_carveout, name) == 24);
REMOTE_FW_RSC__CHECK(devmem, sizeof(struct remote_fw_rsc_devmem) == REMOTE_FW_RSC_DEVMEM_SIZE);
REMOTE_FW_RSC__CHECK(devmem_name, offsetof(struct remote_fw_rsc_devmem, name) == 24);
REMOTE_FW_RSC__CHECK(trace, sizeof(struct remote_fw_rsc_trace) == REMOTE_FW_RSC_TRACE_SIZE);
REMOTE_FW_RSC__CHECK(trace_name, offsetof(struct remote_fw_rsc_trace, name) == 16);
REMOTE_FW_RSC__CHECK(vring, sizeof(struct remote_fw_rsc_vdev_vring) == REMOTE_FW_RSC_VRING_SIZE);
REMOTE_FW_RSC__CHECK(vdev, sizeof(struct remote_fw_rsc_vdev) == REMOTE_FW_RSC_VDEV_SIZE);
REMOTE_FW_RSC__CHECK(vdev_config_len, offsetof(struct remote_fw_rsc_vdev, config_len) == 20);
REMOTE_FW_RSC__CHECK(vdev_status, offsetof(struct remote_fw_rsc_vdev, status) == 24);
REMOTE_FW_RSC__CHECK(vdev_num_of_vrings, offsetof(struct remote_fw_rsc_vdev, num_of_vrings) == 25);
REMOTE_FW_RSC__CHECK(vdev_vring, offsetof(struct remote_fw_rsc_vdev, vring) == REMOTE_FW_RSC_VDEV_SIZE);
REMOTE_FW_RSC__CHECK(vdev2_vring, offsetof(remote_fw_rsc__vdev2, vring) == REMOTE_FW_RSC_VDEV_SIZE);
REMOTE_FW_RSC__CHECK(vdev2, sizeof(remote_fw_rsc__vdev2) ==
                     REMOTE_FW_RSC_VDEV_SIZE + 2 * REMOTE_FW_RSC_VRING_SIZE);

#endif /* !__ASSEMBLER__ */

#endif /* REMOTE_FW_RSC_H */
