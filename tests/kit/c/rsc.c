/*
 * rsc.c - a remote's resource table declared with remote_fw_rsc.h, compiled
 * for every toolchain by test_kit_freestanding.py: the sizes include/linux/remoteproc.h
 * gives (checked here independently of the header's own checks), and a table
 * of every entry type whose section bytes the test decodes and validates.
 * remote_fw.h is included too: the two kit headers share a program.
 */
#include "remote_fw.h"
#include "remote_fw_rsc.h"

#define CHECK(name, cond) typedef char rsc_test_check_##name[(cond) ? 1 : -1]
CHECK(hdr, sizeof(struct remote_fw_rsc_table_hdr) == 16);
CHECK(carveout, sizeof(struct remote_fw_rsc_carveout) == 56);
CHECK(devmem, sizeof(struct remote_fw_rsc_devmem) == 56);
CHECK(trace, sizeof(struct remote_fw_rsc_trace) == 48);
CHECK(vdev, sizeof(struct remote_fw_rsc_vdev) == 28);
CHECK(vring, sizeof(struct remote_fw_rsc_vdev_vring) == 20);

#define N_ENTRIES 4

struct table {
        struct remote_fw_rsc_table_hdr hdr;
        uint32_t offset[N_ENTRIES];
        struct remote_fw_rsc_carveout carveout;
        struct remote_fw_rsc_devmem devmem;
        struct remote_fw_rsc_trace trace;
        REMOTE_FW_RSC_VDEV_STRUCT(2) vdev;
        uint8_t config[8];              /* the vdev's config space */
};

CHECK(carveout_at, offsetof(struct table, carveout) == 16 + 4 * N_ENTRIES);
CHECK(no_padding, sizeof(struct table) == 16 + 4 * N_ENTRIES + 56 + 56 + 48 + 28 + 2 * 20 + 8);

__attribute__((section(".resource_table"), used, aligned(8)))
struct table resource_table = {
        { REMOTE_FW_RSC_VERSION, N_ENTRIES, { 0, 0 } },
        {
                offsetof(struct table, carveout),
                offsetof(struct table, devmem),
                offsetof(struct table, trace),
                offsetof(struct table, vdev),
        },
        { REMOTE_FW_RSC_CARVEOUT, 0x20000000u, REMOTE_FW_RSC_ADDR_ANY, 0x10000u, 0, 0, "ram" },
        { REMOTE_FW_RSC_DEVMEM, 0x40000000u, 0x40000000u, 0x1000u, 0, 0, "uart" },
        { REMOTE_FW_RSC_TRACE, 0x20008000u, 0x400u, 0, "trace" },
        {
                REMOTE_FW_RSC_VDEV, REMOTE_FW_RSC_VIRTIO_ID_RPMSG, 0,
                1u << REMOTE_FW_RSC_VIRTIO_RPMSG_F_NS, 0, 8, 0, 2, { 0, 0 },
                {
                        { REMOTE_FW_RSC_ADDR_ANY, 16, 256, 1, 0 },
                        { 0x20010000u, 4096, 16, 2, 0 },
                },
        },
        { 1, 2, 3, 4, 5, 6, 7, 8 },
};
