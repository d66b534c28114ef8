/*
 * driver.c - hosted test driver for the kit, built with ASan/UBSan (and with
 * -m32 where multilib exists). Not part of the kit.
 *
 *   driver load          read records "u32 length (LE), bytes" from stdin; for
 *                        each, run remote_fw_rsc_table and remote_fw_load into
 *                        the fixed region and print one line:
 *                        "<rsc> <rsc size> <rsc offset> <load> <entry hex> <region crc hex>"
 *   driver find NAME     print "<find> <base - &drv_payload> <size> <verify>"
 *   driver info          print the region and the host's pointer size
 *
 * The image is copied into a heap block of exactly its size, so any read past
 * it is an ASan report. The region REGION_START..+REGION_SIZE is mapped at a
 * fixed address between two PROT_NONE guard pages, so any write outside it
 * faults.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "remote_fw.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define REGION_START    0x10000000u
#define REGION_SIZE     0x00100000u
#define GUARD           0x1000u
#define FILL            0xaa

REMOTE_FW_DECLARE(drv_alpha);
REMOTE_FW_DECLARE(drv_beta);

/* The bytes a patched descriptor points at (see test_kit_find.py). */
__attribute__((used)) const uint8_t drv_payload[64] = "rproc-bundle driver payload: 64 bytes of test data, crc checked";

static uint8_t *map_region(void)
{
        uint8_t *p = mmap((void *)(uintptr_t)(REGION_START - GUARD), REGION_SIZE + 2 * GUARD,
                          PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

        if (p == MAP_FAILED || p != (uint8_t *)(uintptr_t)(REGION_START - GUARD)) {
                fprintf(stderr, "driver: cannot map the region at 0x%x\n", REGION_START);
                exit(2);
        }
        if (mprotect(p + GUARD, REGION_SIZE, PROT_READ | PROT_WRITE)) {
                perror("mprotect");
                exit(2);
        }
        return p + GUARD;
}

static int read_all(void *buf, size_t n)
{
        size_t got = 0;

        while (got < n) {
                size_t r = fread((uint8_t *)buf + got, 1, n - got, stdin);
                if (r == 0)
                        return -1;
                got += r;
        }
        return 0;
}

static int do_load(void)
{
        uint8_t *region = map_region();
        struct remote_fw_region allowed = { REGION_START, REGION_SIZE };
        uint8_t len_le[4];

        while (read_all(len_le, 4) == 0) {
                size_t len = len_le[0] | len_le[1] << 8 | (size_t)len_le[2] << 16 |
                             (size_t)len_le[3] << 24;
                uint8_t *buf = malloc(len ? len : 1);
                struct remote_fw_image img;
                const void *table = NULL;
                size_t rsc_size = 0;
                uintptr_t entry = 0;
                int rsc, load;

                if (buf == NULL || read_all(buf, len)) {
                        fprintf(stderr, "driver: short record\n");
                        return 2;
                }
                memset(region, FILL, REGION_SIZE);
                img.base = buf;
                img.size = len;
                img.name = "stdin";
                rsc = remote_fw_rsc_table(&img, &table, &rsc_size);
                load = remote_fw_load(&img, &allowed, 1, &entry);
                printf("%d %zu %lld %d %llx %08x\n", rsc, rsc_size,
                       table ? (long long)((const uint8_t *)table - buf) : -1LL,
                       load, (unsigned long long)entry,
                       (unsigned)remote_fw_crc32(region, REGION_SIZE));
                fflush(stdout);
                free(buf);
        }
        return 0;
}

static int do_find(const char *name)
{
        struct remote_fw_image img = { 0, 0, 0 };
        int find = remote_fw_find(name, &img);
        int verify = find ? find : remote_fw_verify(&img);

        printf("%d %lld %zu %d %s\n", find,
               find ? 0LL : (long long)((intptr_t)img.base - (intptr_t)drv_payload),
               img.size, verify, find ? "-" : img.name);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc == 2 && strcmp(argv[1], "load") == 0)
                return do_load();
        if (argc == 3 && strcmp(argv[1], "find") == 0)
                return do_find(argv[2]);
        if (argc == 2 && strcmp(argv[1], "info") == 0) {
                printf("0x%x 0x%x %zu\n", REGION_START, REGION_SIZE, sizeof(void *));
                return 0;
        }
        fprintf(stderr, "usage: driver load | find NAME | info\n");
        return 2;
}
