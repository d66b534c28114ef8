/*
 * fuzz_remote_fw_openamp.c - libFuzzer target for the kit's OpenAMP image
 * store (linker/remote_fw_openamp.c) on its open + load path, driven by real
 * OpenAMP: each input is an image given to remote_fw_store_init and loaded
 * with remoteproc_load (libmetal and open-amp built with ASan + UBSan from
 * the pinned sources, tests/support/openamp.py).
 *
 *   tests/fuzz/run.sh SECONDS with FUZZ_TARGET=openamp builds and runs it.
 *
 * The input is copied into a heap buffer of exactly its size, so ASan sees
 * any read past the image by the store or by OpenAMP. The remote's RAM is
 * three heap windows standing for the physical ranges the seeds load to
 * (tests/fuzz/corpus): 0x10000000 4 MiB (make_seeds.py's REGION0),
 * 0x20000000 4 MiB (samples/cortex-m3), 0x40400000 1 MiB (samples/aarch64-amp);
 * their io regions translate with offset_to_phys/phys_to_offset ops (see
 * tests/openamp/c/openamp_host.c for why). The rproc's mmap hands out a window
 * only for a range wholly inside it.
 *
 * Promises checked (a broken one aborts):
 *   - the store refuses exactly the images remote_fw_check refuses with
 *     REMOTE_FW_CHECK_OPENAMP, with the same reason;
 *   - a refusal makes remoteproc_load fail; success means the check passed;
 *   - after success the boot address is e_entry as remote_fw_check reads it.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <metal/io.h>
#include <metal/sys.h>
#include <openamp/remoteproc.h>

#include "fuzz_common.h"
#include "remote_fw_openamp.h"

struct window {
        metal_phys_addr_t phys;
        size_t size;
        unsigned char *buf;
        struct metal_io_region io;
};

static struct window windows[] = {
        { 0x10000000u, 0x00400000u, NULL, { 0 } },
        { 0x20000000u, 0x00400000u, NULL, { 0 } },
        { 0x40400000u, 0x00100000u, NULL, { 0 } },
};
#define N_WINDOWS (sizeof(windows) / sizeof(windows[0]))

static metal_phys_addr_t win_offset_to_phys(struct metal_io_region *io, unsigned long offset)
{
        return offset < io->size ? io->physmap[0] + offset : METAL_BAD_PHYS;
}

static unsigned long win_phys_to_offset(struct metal_io_region *io, metal_phys_addr_t phys)
{
        return phys >= io->physmap[0] && phys - io->physmap[0] < io->size ?
               (unsigned long)(phys - io->physmap[0]) : METAL_BAD_OFFSET;
}

static const struct metal_io_ops win_io_ops = {
        .offset_to_phys = win_offset_to_phys,
        .phys_to_offset = win_phys_to_offset,
};

static void *fuzz_mmap(struct remoteproc *rproc, metal_phys_addr_t *pa, metal_phys_addr_t *da,
                       size_t size, unsigned int attribute, struct metal_io_region **io)
{
        metal_phys_addr_t a = *pa != METAL_BAD_PHYS ? *pa : *da;
        size_t i;

        (void)rproc;
        (void)attribute;
        for (i = 0; i < N_WINDOWS; i++) {
                struct window *w = &windows[i];

                if (a != METAL_BAD_PHYS && a >= w->phys && a - w->phys <= w->size &&
                    size <= w->size - (a - w->phys)) {
                        *pa = a;
                        *da = a;
                        if (io != NULL)
                                *io = &w->io;
                        return w->buf + (a - w->phys);
                }
        }
        return NULL;
}

static struct remoteproc *fuzz_init(struct remoteproc *rproc, const struct remoteproc_ops *ops,
                                    void *arg)
{
        (void)ops;
        (void)arg;
        return rproc;
}

static const struct remoteproc_ops fuzz_ops = { .init = fuzz_init, .mmap = fuzz_mmap };

static void quiet(enum metal_log_level level, const char *format, ...)
{
        (void)level;
        (void)format;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        struct metal_init_params params = METAL_INIT_DEFAULTS;
        size_t i;

        (void)argc;
        (void)argv;
        params.log_handler = quiet;
        params.log_level = METAL_LOG_EMERGENCY;
        if (metal_init(&params) != 0)
                abort();
        for (i = 0; i < N_WINDOWS; i++) {
                struct window *w = &windows[i];

                w->buf = calloc(1, w->size);
                if (w->buf == NULL)
                        abort();
                metal_io_init(&w->io, w->buf, &w->phys, w->size,
                              sizeof(metal_phys_addr_t) * CHAR_BIT - 1, 0, &win_io_ops);
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct remoteproc rproc;
        struct remote_fw_store st;
        struct remote_fw_image img;
        uintptr_t entry = 0;
        uint8_t *copy;
        int check, rc, why;

        copy = malloc(size ? size : 1);
        if (copy == NULL)
                abort();
        memcpy(copy, data, size);
        img.base = copy;
        img.size = size;
        img.name = NULL;

        check = remote_fw_check(&img, REMOTE_FW_CHECK_OPENAMP, NULL, 0, &entry);
        CHECK(remoteproc_init(&rproc, &fuzz_ops, NULL) == &rproc);
        CHECK(remoteproc_config(&rproc, NULL) == 0);
        CHECK(remote_fw_store_init(&st, &img) == 0);
        rc = remoteproc_load(&rproc, NULL, &st, &remote_fw_store_ops, NULL);
        why = remote_fw_store_error(&st);

        CHECK(rc <= 0);
        CHECK(*remote_fw_strerror(why) != '\0');
        if (check != 0)
                CHECK(rc < 0 && why == check);
        if (why != 0)
                CHECK(rc < 0);
        if (rc == 0)
                CHECK(check == 0 && why == 0 && rproc.bootaddr == (metal_phys_addr_t)entry);
        remoteproc_shutdown(&rproc);
        remoteproc_remove(&rproc);
        free(copy);
        return 0;
}
