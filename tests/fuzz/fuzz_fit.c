/*
 * fuzz_fit.c - libFuzzer target for remote_fw_fit_load (linker/remote_fw_fit.c and the units it uses).
 *
 *   FUZZ_TARGET=fit tests/fuzz/run.sh SECONDS   (builds with ASan + UBSan and runs it)
 *
 * Each input is a FIT, used whole as the buffer (external data included).
 * The kit is built with REMOTE_FW_FIT_ARCH="arm64", as the bootstrap of
 * samples/aarch64-linux is; the seeds (make_fit_seeds.py) are mkimage-built
 * FITs whose pieces load into REGION.
 *
 *   REGION   0x40000000, 4 MiB, between PROT_NONE guard pages: a write
 *            outside it faults.
 *   FITAREA  0x48000000, 1 MiB (mode bit 2): the FIT is copied there and
 *            FITAREA is allowed too, so pieces may try to land on the FIT.
 *
 * The last input byte selects a mode:
 *   bits 0-1: configuration NULL (default), "conf-1", "conf-2", "conf-9" (absent);
 *   bit 2:    load from the copy in FITAREA (which must come out unchanged);
 *   bit 3:    REGION given as two halves (a piece across the middle is refused).
 *
 * Promises checked (a broken one aborts): the code is 0 or a known
 * REMOTE_FW_E...; on failure *boot is untouched; on success entry, fdt and the
 * initrd lie in the allowed memory; and, for every failure that the kit
 * decides before writing (all but EINFLATE, EFDT and ENOROOM, which can also
 * come from a decompressed or patched tree), no page of REGION was written:
 * mincore() says none is resident (REGION is dropped with MADV_DONTNEED
 * after each run that wrote).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "remote_fw_fit.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define REGION_START    0x40000000u
#define REGION_SIZE     0x00400000u
#define FITAREA_START   0x48000000u
#define FITAREA_SIZE    0x00100000u

/* FUZZ_FIT_VERBOSE=1: print each result (to check the seeds load). */
static int verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        verbose = getenv("FUZZ_FIT_VERBOSE") != NULL;
        map_region(REGION_START, REGION_SIZE);
        map_region(FITAREA_START, FITAREA_SIZE);
        return 0;
}

static void drop_region(void)
{
        CHECK(madvise((void *)(uintptr_t)REGION_START, REGION_SIZE, MADV_DONTNEED) == 0);
}

static int known(int err)
{
        return err == 0 || err == REMOTE_FW_EINVAL || err == REMOTE_FW_EBOUNDS ||
               err == REMOTE_FW_EREGION || err == REMOTE_FW_EOVERLAP ||
               (err <= REMOTE_FW_EFDT && err >= REMOTE_FW_EPIECES);
}

static int in_allowed(uintptr_t a, int fitarea)
{
        return (a >= REGION_START && a - REGION_START < REGION_SIZE) ||
               (fitarea && a >= FITAREA_START && a - FITAREA_START < FITAREA_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const configs[4] = { NULL, "conf-1", "conf-2", "conf-9" };
        unsigned mode = size ? data[size - 1] : 0;
        int fitarea = (mode & 4) != 0;
        struct remote_fw_region whole[2] = {
                { REGION_START, REGION_SIZE }, { FITAREA_START, FITAREA_SIZE } };
        struct remote_fw_region halves[3] = {
                { REGION_START, REGION_SIZE / 2 },
                { REGION_START + REGION_SIZE / 2, REGION_SIZE / 2 },
                { FITAREA_START, FITAREA_SIZE } };
        struct remote_fw_fit_boot boot = { 0xb0b0, 0xb1b1, 0xb2b2, 0xb3b3 };
        const void *fit = data;
        int err;

        if (fitarea) {
                if (size > FITAREA_SIZE)
                        return 0;
                memcpy((void *)(uintptr_t)FITAREA_START, data, size);
                fit = (const void *)(uintptr_t)FITAREA_START;
        }
        if (mode & 8) {
                if (!fitarea)
                        halves[2] = halves[1];
                err = remote_fw_fit_load(fit, size, configs[mode & 3], halves,
                                         fitarea ? 3 : 2, &boot);
        } else {
                err = remote_fw_fit_load(fit, size, configs[mode & 3], whole,
                                         fitarea ? 2 : 1, &boot);
        }
        CHECK(known(err));
        if (verbose)
                fprintf(stderr, "fuzz_fit: mode 0x%02x: %d (%s)\n", mode, err,
                        remote_fw_strerror(err));
        if (fitarea)
                CHECK(memcmp((const void *)(uintptr_t)FITAREA_START, data, size) == 0);
        if (err) {
                CHECK(boot.entry == 0xb0b0 && boot.fdt == 0xb1b1 &&
                      boot.initrd_start == 0xb2b2 && boot.initrd_end == 0xb3b3);
                if (err != REMOTE_FW_EINFLATE && err != REMOTE_FW_EFDT &&
                    err != REMOTE_FW_ENOROOM)
                        CHECK(resident_pages(REGION_START, REGION_SIZE) == 0);
        } else {
                CHECK(in_allowed(boot.entry, fitarea));
                CHECK(boot.fdt == 0 || in_allowed(boot.fdt, fitarea));
                CHECK(boot.initrd_start <= boot.initrd_end);
                CHECK(boot.initrd_start == 0 || in_allowed(boot.initrd_start, fitarea));
                CHECK(boot.initrd_end == 0 || in_allowed(boot.initrd_end - 1, fitarea));
        }
        drop_region();
        return 0;
}
