/*
 * host.c - the smallest host that uses the kit, linked -nostdlib for every
 * toolchain by test_kit_freestanding.py (with and without remote_fw.ld).
 */
#include "remote_fw.h"

REMOTE_FW_DECLARE(remote_elf);
REMOTE_FW_DECLARE(second_elf);

static const struct remote_fw_region regions[1] = { { 0x20000000u, 0x10000u } };
volatile int result;
volatile uintptr_t entry_point;

void _start(void)
{
        struct remote_fw_image img;
        const void *table;
        size_t table_size;
        uintptr_t entry = 0;
        int err = remote_fw_find("remote_elf", &img);

        if (!err)
                err = remote_fw_verify(&img);
        if (!err || err == REMOTE_FW_ENOCSUM)
                err = remote_fw_rsc_table(&img, &table, &table_size);
        if (!err)
                err = remote_fw_load(&img, regions, 1, &entry);
        result = err;
        entry_point = entry;
        (void)remote_fw_strerror(err);
        for (;;)
                ;
}
