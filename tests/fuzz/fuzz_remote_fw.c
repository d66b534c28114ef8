/*
 * fuzz_remote_fw.c - libFuzzer target for the host-side kit (linker/remote_fw*.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *         -Ilinker tests/fuzz/fuzz_remote_fw.c linker/remote_fw.c linker/remote_fw_crc32.c \
 *         linker/remote_fw_elf.c linker/remote_fw_rsc.c -o fuzz_remote_fw
 *   (tests/fuzz/run.sh SECONDS does this and runs it)
 *
 * Each input is an embedded image. It goes through remote_fw_rsc_table,
 * remote_fw_load and remote_fw_find/remote_fw_verify (through a writable
 * descriptor set up here, as `bundle` would fill it), and every result is
 * checked against what the API promises; a broken promise aborts.
 *
 * The allowed regions are mapped at fixed addresses, between PROT_NONE guard
 * pages, so that real images load and any write outside them faults:
 *   REGION0  0x10000000, 4 MiB   the seeds in tests/fuzz/corpus (make_seeds.py)
 *   REGION1  0x20000000, 20 MiB  Cortex-M SRAM-style addresses (samples/cortex-m3)
 * (0x80000000, where samples/riscv64-amp's remote loads, is ASan's shadow on
 * x86-64: make_seeds.py adds a copy of it rebased into REGION0.)
 *
 * The last input byte selects a mode, so the fuzzer explores them all:
 *   bits 0-1: 0 both regions; 1 REGION0 split in two halves (a segment across
 *             the split must be refused); 2 the image is copied into REGION0
 *             and loaded from there (segments over it: REMOTE_FW_EOVERLAP);
 *             3 no region at all;
 *   bit 2:    the checksum recorded in the descriptor is wrong;
 *   bit 3:    the second descriptor is corrupted from the input bytes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz_common.h"
#include "remote_fw.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define REGION0_START   0x10000000u
#define REGION0_SIZE    0x00400000u
#define REGION1_START   0x20000000u
#define REGION1_SIZE    0x01400000u
#define IMAGE_IN_REGION 0x00300000u     /* offset of the image copy in mode 2 */

/* Writable descriptors (REMOTE_FW_DECLARE makes const ones). */
#define FUZZ_DESC(stem) { REMOTE_FW_DESC_MAGIC, REMOTE_FW_DESC_VERSION,        \
                          (uint16_t)sizeof(struct remote_fw_desc), 0u, 0u,      \
                          0u, 0u, 0u, #stem, 0, 0 }
struct remote_fw_desc fuzz_desc
        __attribute__((section("remote_fw_desc"), used, aligned(8))) = FUZZ_DESC(fuzz);
struct remote_fw_desc fuzz_desc2
        __attribute__((section("remote_fw_desc"), used, aligned(8))) = FUZZ_DESC(fuzz2);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        map_region(REGION0_START, REGION0_SIZE);
        map_region(REGION1_START, REGION1_SIZE);
        return 0;
}

static int known(int err)
{
        return err <= REMOTE_FW_OK && err >= REMOTE_FW_EDESC;
}

static void fuzz_rsc_table(const struct remote_fw_image *img)
{
        const void *table = (const void *)1;
        size_t size = 1, i;
        unsigned sum = 0;
        int err = remote_fw_rsc_table(img, &table, &size);

        CHECK(known(err));
        if (err) {
                CHECK(table == NULL && size == 0);
                return;
        }
        /* The table lies inside the image; read it all (ASan checks). */
        CHECK((const uint8_t *)table >= img->base && size >= 16);
        CHECK(size <= img->size - (size_t)((const uint8_t *)table - img->base));
        for (i = 0; i < size; i++)
                sum += ((const uint8_t *)table)[i];
        (void)sum;
}

static void fuzz_load(const struct remote_fw_image *img, unsigned mode)
{
        struct remote_fw_region both[2] = {
                { REGION0_START, REGION0_SIZE }, { REGION1_START, REGION1_SIZE } };
        struct remote_fw_region split[3] = {
                { REGION0_START, REGION0_SIZE / 2 },
                { REGION0_START + REGION0_SIZE / 2, REGION0_SIZE / 2 },
                { REGION1_START, REGION1_SIZE } };
        uintptr_t entry = 0xe0e0;
        int err;

        switch (mode & 3) {
        case 1:
                err = remote_fw_load(img, split, 3, &entry);
                break;
        case 3:
                err = remote_fw_load(img, both, 0, &entry);
                CHECK(err != 0);
                break;
        default:
                err = remote_fw_load(img, both, 2, &entry);
                break;
        }
        CHECK(known(err));
        if (err)
                CHECK(entry == 0xe0e0);
}

static void fuzz_find_verify(const uint8_t *data, size_t size, unsigned mode)
{
        struct remote_fw_image img;
        uint32_t crc = remote_fw_crc32(data, size);
        int err;

        fuzz_desc.flags = REMOTE_FW_F_BUNDLED | REMOTE_FW_F_CRC32;
        fuzz_desc.crc32 = (mode & 4) ? ~crc : crc;
        fuzz_desc.base = (uintptr_t)data;
        fuzz_desc.size = size;
        fuzz_desc.link_addr = (uintptr_t)&fuzz_desc;

        if (mode & 8) {
                /* Corrupt the second descriptor from the input's first bytes. */
                fuzz_desc2.magic = size > 0 && data[0] < 0x80 ? 0 : REMOTE_FW_DESC_MAGIC;
                fuzz_desc2.version = size > 1 ? data[1] & 3 : 1;
                fuzz_desc2.desc_size = size > 2 ? (uint16_t)(data[2] * 8) : 0;
        }
        err = remote_fw_find("fuzz", &img);
        if (mode & 8) {
                /* The walk ends; which way depends on where fuzz2 sits. */
                CHECK(err == 0 || err == REMOTE_FW_EDESC || err == REMOTE_FW_ENOENT);
                err = remote_fw_find("fuzz2", &img);
                CHECK(err == REMOTE_FW_ENOTBUNDLED || err == REMOTE_FW_EDESC ||
                      err == REMOTE_FW_ENOENT);
                fuzz_desc2.magic = REMOTE_FW_DESC_MAGIC;
                fuzz_desc2.version = REMOTE_FW_DESC_VERSION;
                fuzz_desc2.desc_size = sizeof(struct remote_fw_desc);
                err = remote_fw_find("fuzz", &img);
        }
        if (size == 0) {
                CHECK(err == REMOTE_FW_EDESC);
                return;
        }
        CHECK(err == 0 && img.base == data && img.size == size);
        err = remote_fw_verify(&img);
        CHECK(err == ((mode & 4) ? REMOTE_FW_ECSUM : 0));
        fuzz_desc.flags = REMOTE_FW_F_BUNDLED;
        CHECK(remote_fw_verify(&img) == REMOTE_FW_ENOCSUM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        unsigned mode = size ? data[size - 1] : 0;
        struct remote_fw_image img = { data, size, "fuzz" };

        if ((mode & 3) == 2) {
                /* Load from a copy inside REGION0: segments over it must be refused. */
                if (size > REGION0_SIZE - IMAGE_IN_REGION)
                        return 0;
                img.base = (const uint8_t *)(uintptr_t)(REGION0_START + IMAGE_IN_REGION);
                memcpy((void *)(uintptr_t)img.base, data, size);
        }
        if (size == 0)
                img.base = (const uint8_t *)(uintptr_t)REGION0_START;   /* non-NULL, 0 bytes */
        fuzz_rsc_table(&img);
        fuzz_load(&img, mode);
        if ((mode & 3) == 2)
                CHECK(memcmp(img.base, data, size) == 0);      /* the image survived */
        fuzz_find_verify(data, size, mode);
        return 0;
}
