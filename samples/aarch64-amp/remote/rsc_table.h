/*
 * rsc_table.h - the remoteproc resource table layout (Linux
 * include/linux/remoteproc.h, OpenAMP remoteproc.h): little-endian u32 fields,
 * packed, entries located through the offset[] array after the header.
 */
#ifndef RSC_TABLE_H
#define RSC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define RSC_CARVEOUT      0u
#define RSC_DEVMEM        1u
#define RSC_TRACE         2u
#define RSC_VDEV          3u
#define VIRTIO_ID_RPMSG   7u
#define VIRTIO_RPMSG_F_NS 0u            /* name service announcements */
#define FW_RSC_ADDR_ANY   0xffffffffu

struct fw_rsc_hdr {
        uint32_t ver;                   /* 1 */
        uint32_t num;                   /* entries */
        uint32_t reserved[2];           /* 0 */
};

struct fw_rsc_carveout {                /* 56 bytes */
        uint32_t type;
        uint32_t da;
        uint32_t pa;
        uint32_t len;
        uint32_t flags;
        uint32_t reserved;
        char name[32];
};

struct fw_rsc_trace {                   /* 48 bytes */
        uint32_t type;
        uint32_t da;
        uint32_t len;
        uint32_t reserved;
        char name[32];
};

struct fw_rsc_vdev_vring {              /* 20 bytes */
        uint32_t da;
        uint32_t align;
        uint32_t num;
        uint32_t notifyid;
        uint32_t reserved;
};

struct fw_rsc_vdev {                    /* 28 bytes + vrings + config */
        uint32_t type;
        uint32_t id;
        uint32_t notifyid;
        uint32_t dfeatures;
        uint32_t gfeatures;
        uint32_t config_len;
        uint8_t status;
        uint8_t num_of_vrings;
        uint8_t reserved[2];
        struct fw_rsc_vdev_vring vring[2];
};

/* This firmware's table: a carveout, a trace buffer and one rpmsg vdev. */
#define REMOTE_RSC_NUM 3u

struct remote_resource_table {
        struct fw_rsc_hdr hdr;
        uint32_t offset[REMOTE_RSC_NUM];
        struct fw_rsc_carveout carveout;
        struct fw_rsc_trace trace;
        struct fw_rsc_vdev vdev;
} __attribute__((packed));

_Static_assert(sizeof(struct fw_rsc_carveout) == 56, "carveout is 56 bytes");
_Static_assert(sizeof(struct fw_rsc_trace) == 48, "trace is 48 bytes");
_Static_assert(sizeof(struct fw_rsc_vdev_vring) == 20, "vring is 20 bytes");
_Static_assert(sizeof(struct fw_rsc_vdev) == 28 + 2 * 20, "vdev with 2 vrings is 68 bytes");
_Static_assert(offsetof(struct remote_resource_table, carveout) == 16 + 4 * REMOTE_RSC_NUM,
               "entries follow the offset array");
_Static_assert(sizeof(struct remote_resource_table) == 28 + 56 + 48 + 68, "table is 200 bytes");

#endif
