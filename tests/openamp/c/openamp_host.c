/*
 * openamp_host.c - a native (x86-64 Linux user space) OpenAMP host for the
 * tests: libmetal (generic system) and open-amp built from the pinned sources
 * with ASan and UBSan, loading remotes through the kit's image store.
 *
 *   openamp_host load START SIZE OUT STEM
 *       remoteproc_load(path = STEM) on the image the linker embedded (bundle
 *       object --target x86_64 --name STEM), then again with the image passed
 *       to remote_fw_store_init (path NULL); the two RAM windows must agree.
 *       Writes the window to OUT, prints one line:
 *       "load STEM rc=0 store=0 rsc=<offset in window or -1> rsc_len=N entry=0x.. start=1"
 *   openamp_host hostile START SIZE FILE...
 *       each FILE read into a heap buffer of exactly its size (ASan sees any
 *       read past it), remoteproc_load through the store (path NULL); one line
 *       a file: "hostile FILE rc=N store=N (message) wrote=N"
 *   openamp_host contract START SIZE
 *       remote_fw_store_ops called directly at the edges of their contract;
 *       one line a call: "contract WHAT ret=N error=N" (see test_store_contract)
 *   openamp_host bare START SIZE FILE
 *       OpenAMP behind a store that only bounds-checks offset and size against
 *       the file (what a careful user writes today): for the corpus's table of
 *       what OpenAMP alone does. One line: "bare FILE rc=N rsc=0|1".
 *
 * The remote's RAM is a heap buffer (the "window") that stands for physical
 * [START, START + SIZE), filled with 0xa5 first. Its metal_io_region
 * translates with offset_to_phys/phys_to_offset ops: libmetal's generic
 * system computes page sizes as 1 << page_shift, and the usual "one page"
 * page_shift (sizeof(metal_phys_addr_t) * 8) is a shift by 64 on this host.
 * With the ops, page_shift only needs to cover the window, and 63 does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <metal/io.h>
#include <metal/sys.h>
#include <openamp/remoteproc.h>

#include "remote_fw_openamp.h"

REMOTE_FW_DECLARE(aarch64_amp_remote);
REMOTE_FW_DECLARE(cortex_m3_remote);
REMOTE_FW_DECLARE(riscv64_amp_remote);

/* csum_desc.c: a writable descriptor, filled in by cmd_contract as `bundle`
 * fills one post-link (the aarch64 image, a CRC-32 recorded right or wrong) */
extern struct remote_fw_desc csum_desc;

#define FILL 0xa5

struct window {
        metal_phys_addr_t phys;
        size_t size;
        unsigned char *buf;
        struct metal_io_region io;
        int started;
};

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

static void window_init(struct window *w, metal_phys_addr_t phys, size_t size)
{
        w->phys = phys;
        w->size = size;
        w->buf = malloc(size);
        if (w->buf == NULL) {
                perror("malloc");
                exit(2);
        }
        memset(w->buf, FILL, size);
        w->started = 0;
        metal_io_init(&w->io, w->buf, &w->phys, size, sizeof(metal_phys_addr_t) * CHAR_BIT - 1,
                      0, &win_io_ops);
}

/* rproc ops: the window is the remote's memory, da == pa */
static void *host_mmap(struct remoteproc *rproc, metal_phys_addr_t *pa, metal_phys_addr_t *da,
                       size_t size, unsigned int attribute, struct metal_io_region **io)
{
        struct window *w = rproc->priv;
        metal_phys_addr_t a = *pa != METAL_BAD_PHYS ? *pa : *da;

        (void)attribute;
        if (a == METAL_BAD_PHYS || a < w->phys || a - w->phys > w->size ||
            size > w->size - (a - w->phys))
                return NULL;
        *pa = a;
        *da = a;
        if (io != NULL)
                *io = &w->io;
        return w->buf + (a - w->phys);
}

static int host_start(struct remoteproc *rproc)
{
        struct window *w = rproc->priv;

        w->started = 1;
        return 0;
}

static struct remoteproc *host_init(struct remoteproc *rproc, const struct remoteproc_ops *ops,
                                    void *arg)
{
        (void)ops;
        (void)arg;
        return rproc;
}

static const struct remoteproc_ops host_ops = {
        .init = host_init,
        .mmap = host_mmap,
        .start = host_start,
};

/* A store as careful users write it: offset and size inside the file, nothing else. */
struct bare_store {
        const unsigned char *base;
        size_t size;
};

static int bare_open(void *store, const char *path, const void **img_data)
{
        struct bare_store *b = store;

        (void)path;
        *img_data = b->base;
        return (int)b->size;
}

static void bare_close(void *store)
{
        (void)store;
}

static int bare_load(void *store, size_t offset, size_t size, const void **data,
                     metal_phys_addr_t pa, struct metal_io_region *io, char is_blocking)
{
        struct bare_store *b = store;

        (void)is_blocking;
        if (offset > b->size || size > b->size - offset)
                return -EINVAL;
        if (pa == RPROC_LOAD_ANYADDR) {
                *data = b->base + offset;
                return (int)size;
        }
        return metal_io_block_write(io, metal_io_phys_to_offset(io, pa), b->base + offset, (int)size);
}

static const struct image_store_ops bare_ops = {
        .open = bare_open, .close = bare_close, .load = bare_load, .features = SUPPORT_SEEK,
};

static int setup(struct remoteproc *rproc, struct window *w, metal_phys_addr_t start, size_t size)
{
        window_init(w, start, size);
        if (remoteproc_init(rproc, &host_ops, w) == NULL)
                return -1;
        return remoteproc_config(rproc, NULL);
}

static void teardown(struct remoteproc *rproc, struct window *w)
{
        remoteproc_shutdown(rproc);
        remoteproc_remove(rproc);
        free(w->buf);
}

static long rsc_offset(const struct remoteproc *rproc, const struct window *w)
{
        const unsigned char *t = rproc->rsc_table;

        if (t == NULL || t < w->buf || t >= w->buf + w->size)
                return -1;
        return (long)(t - w->buf);
}

static unsigned char *read_file(const char *path, size_t *size)
{
        FILE *f = fopen(path, "rb");
        unsigned char *p;
        long n;

        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
                perror(path);
                exit(2);
        }
        p = malloc(n ? (size_t)n : 1);
        if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
                perror(path);
                exit(2);
        }
        fclose(f);
        *size = (size_t)n;
        return p;
}

static int cmd_load(metal_phys_addr_t start, size_t size, const char *out, const char *stem)
{
        struct remoteproc rp[2];
        struct window w[2];
        struct remote_fw_store st[2];
        struct remote_fw_image img;
        int rc[2], i;
        FILE *f;

        if (remote_fw_find(stem, &img) != 0) {
                printf("load %s not embedded\n", stem);
                return 1;
        }
        for (i = 0; i < 2; i++) {
                if (setup(&rp[i], &w[i], start, size) != 0)
                        return 2;
                /* 0: by stem, as a host carrying its image says it; 1: the image given */
                remote_fw_store_init(&st[i], i == 0 ? NULL : &img);
                rc[i] = remoteproc_load(&rp[i], i == 0 ? stem : NULL, &st[i], &remote_fw_store_ops, NULL);
                if (rc[i] == 0)
                        rc[i] = remoteproc_start(&rp[i]);
                printf("load %s via=%s rc=%d store=%d rsc=%ld rsc_len=%zu entry=0x%llx start=%d\n",
                       stem, i == 0 ? "stem" : "image", rc[i], remote_fw_store_error(&st[i]),
                       rsc_offset(&rp[i], &w[i]), rp[i].rsc_len,
                       (unsigned long long)rp[i].bootaddr, w[i].started);
        }
        printf("load %s same=%d\n", stem, memcmp(w[0].buf, w[1].buf, size) == 0);
        f = fopen(out, "wb");
        if (f == NULL || fwrite(w[0].buf, 1, size, f) != size || fclose(f) != 0) {
                perror(out);
                return 2;
        }
        for (i = 0; i < 2; i++)
                teardown(&rp[i], &w[i]);
        return rc[0] || rc[1];
}

static void said(const char *what, int ret, const struct remote_fw_store *st)
{
        printf("contract %s ret=%d error=%d\n", what, ret, remote_fw_store_error(st));
}

static int cmd_contract(metal_phys_addr_t start, size_t size)
{
        const struct image_store_ops *ops = &remote_fw_store_ops;
        struct remote_fw_store st;
        struct remote_fw_image img, none = { NULL, 0, NULL };
        struct window w;
        const void *data = NULL;
        int ret;

        window_init(&w, start, size);
        if (remote_fw_find("aarch64_amp_remote", &img) != 0)
                return 2;
        printf("contract features=%u seek=%d\n", ops->features, ops->features == SUPPORT_SEEK);
        remote_fw_store_init(&st, NULL);
        said("init-null-store", remote_fw_store_init(NULL, NULL), &st);
        ret = remote_fw_store_init(&st, &none);
        said("init-image-without-base", ret, &st);
        remote_fw_store_init(&st, NULL);
        said("load-before-open", ops->load(&st, 0, 16, &data, RPROC_LOAD_ANYADDR, NULL, 1), &st);
        said("open-null-path-no-image", ops->open(&st, NULL, &data), &st);
        said("open-unknown-stem", ops->open(&st, "no_such_remote", &data), &st);
        ret = ops->open(&st, "aarch64_amp_remote", &data);
        said("open-stem", ret, &st);
        printf("contract open-stem size=%d base=%d\n", ret == (int)img.size, data == img.base);
        said("load-offset-at-end", ops->load(&st, img.size, 1, &data, RPROC_LOAD_ANYADDR, NULL, 1), &st);
        said("load-past-end", ops->load(&st, img.size - 4, 8, &data, RPROC_LOAD_ANYADDR, NULL, 1), &st);
        said("load-offset-wraps", ops->load(&st, (size_t)-2, 4, &data, RPROC_LOAD_ANYADDR, NULL, 1), &st);
        said("load-zero-bytes", ops->load(&st, 0, 0, &data, RPROC_LOAD_ANYADDR, NULL, 1), &st);
        said("load-null-data", ops->load(&st, 0, 16, NULL, RPROC_LOAD_ANYADDR, NULL, 1), &st);
        data = NULL;
        ret = ops->load(&st, 64, 56, &data, RPROC_LOAD_ANYADDR, NULL, 1);
        said("load-pointer", ret, &st);
        printf("contract load-pointer at=%d\n", data == img.base + 64);
        said("copy-no-io", ops->load(&st, 0, 16, &data, start, NULL, 1), &st);
        said("copy-below-io", ops->load(&st, 0, 16, &data, start - 8, &w.io, 1), &st);
        said("copy-across-io-end", ops->load(&st, 0, 16, &data, start + size - 8, &w.io, 1), &st);
        said("copy-pa-wraps", ops->load(&st, 0, 16, &data, (metal_phys_addr_t)-8, &w.io, 1), &st);
        ret = ops->load(&st, 0, 128, &data, start + 0x100, &w.io, 1);
        said("copy", ret, &st);
        printf("contract copy same=%d before=%d after=%d\n", memcmp(w.buf + 0x100, img.base, 128) == 0,
               w.buf[0xff] == FILL, w.buf[0x180] == FILL);
        ops->close(&st);
        said("load-after-close", ops->load(&st, 0, 16, &data, RPROC_LOAD_ANYADDR, NULL, 1), &st);
        ret = ops->open(&st, "aarch64_amp_remote", &data);
        said("reopen-clears-error", ret, &st);
        ops->close(&st);

        /* post-link: a checksum recorded, right then wrong */
        csum_desc.base = (uint64_t)(uintptr_t)img.base;
        csum_desc.size = img.size;
        csum_desc.link_addr = (uint64_t)(uintptr_t)&csum_desc;
        csum_desc.crc32 = remote_fw_crc32(img.base, img.size);
        csum_desc.flags = REMOTE_FW_F_BUNDLED | REMOTE_FW_F_CRC32;
        said("open-checksum-ok", ops->open(&st, "csum_remote", &data) == (int)img.size, &st);
        ops->close(&st);
        csum_desc.crc32 ^= 1u;
        said("open-checksum-wrong", ops->open(&st, "csum_remote", &data), &st);
        free(w.buf);
        return 0;
}

static int cmd_hostile(metal_phys_addr_t start, size_t size, int n, char **files)
{
        int i, bad = 0;

        for (i = 0; i < n; i++) {
                struct remoteproc rproc;
                struct window w;
                struct remote_fw_store st;
                struct remote_fw_image img;
                size_t j, wrote = 0;
                int rc;

                img.base = read_file(files[i], &img.size);
                img.name = NULL;
                if (setup(&rproc, &w, start, size) != 0)
                        return 2;
                remote_fw_store_init(&st, &img);
                rc = remoteproc_load(&rproc, NULL, &st, &remote_fw_store_ops, NULL);
                for (j = 0; j < size; j++)
                        wrote += w.buf[j] != FILL;
                printf("hostile %s rc=%d store=%d (%s) wrote=%zu\n", files[i], rc,
                       remote_fw_store_error(&st), remote_fw_strerror(remote_fw_store_error(&st)),
                       wrote);
                fflush(stdout);
                bad |= rc == 0;
                teardown(&rproc, &w);
                free((void *)img.base);
        }
        return bad;
}

static int cmd_bare(metal_phys_addr_t start, size_t size, const char *file)
{
        struct remoteproc rproc;
        struct window w;
        struct bare_store b;
        int rc;

        b.base = read_file(file, &b.size);
        if (setup(&rproc, &w, start, size) != 0)
                return 2;
        rc = remoteproc_load(&rproc, NULL, &b, &bare_ops, NULL);
        printf("bare %s rc=%d rsc=%d\n", file, rc, rproc.rsc_table != NULL);
        teardown(&rproc, &w);
        free((void *)b.base);
        return 0;
}

int main(int argc, char **argv)
{
        struct metal_init_params params = METAL_INIT_DEFAULTS;
        metal_phys_addr_t start;
        size_t size;
        int rc;

        if (argc < 4) {
                fprintf(stderr, "usage: %s load|hostile|bare START SIZE ...\n", argv[0]);
                return 2;
        }
        start = strtoull(argv[2], NULL, 0);
        size = strtoull(argv[3], NULL, 0);
        params.log_level = METAL_LOG_WARNING;
        if (metal_init(&params) != 0)
                return 2;
        if (strcmp(argv[1], "load") == 0 && argc == 6)
                rc = cmd_load(start, size, argv[4], argv[5]);
        else if (strcmp(argv[1], "contract") == 0 && argc == 4)
                rc = cmd_contract(start, size);
        else if (strcmp(argv[1], "hostile") == 0)
                rc = cmd_hostile(start, size, argc - 4, argv + 4);
        else if (strcmp(argv[1], "bare") == 0 && argc == 5)
                rc = cmd_bare(start, size, argv[4]);
        else
                rc = 2;
        metal_finish();
        return rc;
}
