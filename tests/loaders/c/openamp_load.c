/*
 * openamp_load.c - test harness: the real OpenAMP remoteproc_load on one image.
 * Not part of the product; built natively with ASan against the pinned
 * libmetal/open-amp (tests/loaders/openamp_native.py).
 *
 *   openamp_load IMAGE START:SIZE...
 *
 * The image is read into a heap block of exactly its size (ASan catches any
 * read past it). Each START:SIZE is one platform memory (pa == da == START),
 * backed by a heap block (START aligned to SIZE rounded up to a power of
 * two: one libmetal page), registered with remoteproc_add_mem; there is no
 * mmap op, so anything else has no mapping. The image store checks every
 * read against the image and every copy against the I/O region, and refuses
 * (-RPROC_EINVAL) outside them. Prints one line:
 *
 *   rc <remoteproc_load's return> rsc <1 if rproc->rsc_table is set> entry <hex>
 *
 * and OpenAMP's own log messages on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <metal/alloc.h>
#include <metal/io.h>
#include <metal/sys.h>
#include <openamp/remoteproc.h>
#include <openamp/remoteproc_loader.h>

#define MAX_MEMS 8

struct store {
        const unsigned char *data;
        size_t size;
};

static int store_open(void *store, const char *path, const void **img_data)
{
        struct store *s = store;

        (void)path;
        if (s->size == 0)
                return -RPROC_EINVAL;
        *img_data = s->data;
        return (int)s->size;
}

static void store_close(void *store)
{
        (void)store;
}

static int store_load(void *store, size_t offset, size_t size, const void **data,
                      metal_phys_addr_t pa, struct metal_io_region *io, char is_blocking)
{
        struct store *s = store;
        unsigned long io_off;

        (void)is_blocking;
        if (offset > s->size || size > s->size - offset)
                return -RPROC_EINVAL;
        if (pa == RPROC_LOAD_ANYADDR) {
                *data = s->data + offset;
                return (int)size;
        }
        io_off = metal_io_phys_to_offset(io, pa);
        if (io_off == METAL_BAD_OFFSET || size > io->size - io_off)
                return -RPROC_EINVAL;
        if (metal_io_block_write(io, io_off, s->data + offset, (int)size) != (int)size)
                return -RPROC_EINVAL;
        return (int)size;
}

static const struct image_store_ops store_ops = {
        .open = store_open,
        .close = store_close,
        .load = store_load,
        .features = SUPPORT_SEEK,
};

static struct remoteproc *ops_init(struct remoteproc *rproc, const struct remoteproc_ops *ops, void *arg)
{
        (void)arg;
        rproc->ops = ops;
        return rproc;
}

static void ops_remove(struct remoteproc *rproc)
{
        (void)rproc;
}

static const struct remoteproc_ops rproc_ops = {
        .init = ops_init,
        .remove = ops_remove,
};

int main(int argc, char **argv)
{
        static struct metal_io_region ios[MAX_MEMS];
        static struct remoteproc_mem mems[MAX_MEMS];
        static metal_phys_addr_t physmap[MAX_MEMS];
        struct metal_init_params params = METAL_INIT_DEFAULTS;
        struct remoteproc rproc;
        struct store st;
        unsigned char *buf;
        FILE *f;
        long n;
        int i, rc;

        if (argc < 2 || argc - 2 > MAX_MEMS) {
                fprintf(stderr, "usage: openamp_load IMAGE START:SIZE...\n");
                return 2;
        }
        f = fopen(argv[1], "rb");
        if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
                perror(argv[1]);
                return 2;
        }
        buf = malloc(n ? (size_t)n : 1);
        if (!buf || (n && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
                perror(argv[1]);
                return 2;
        }
        fclose(f);
        st.data = buf;
        st.size = (size_t)n;

        params.log_level = METAL_LOG_DEBUG;
        if (metal_init(&params)) {
                fprintf(stderr, "metal_init failed\n");
                return 2;
        }
        memset(&rproc, 0, sizeof(rproc));
        if (!remoteproc_init(&rproc, &rproc_ops, NULL)) {
                fprintf(stderr, "remoteproc_init failed\n");
                return 2;
        }
        for (i = 0; i < argc - 2; i++) {
                unsigned long long start, size;
                unsigned int shift;
                void *mem;
                char name[16];

                if (sscanf(argv[i + 2], "%llx:%llx", &start, &size) != 2) {
                        fprintf(stderr, "bad memory %s\n", argv[i + 2]);
                        return 2;
                }
                /*
                 * One page covering the whole memory: libmetal's generic
                 * system maps page by page, and the usual "no pages" shift
                 * (the width of metal_phys_addr_t) is an undefined shift.
                 */
                for (shift = 0; shift < 63 && (1ull << shift) < size; shift++)
                        ;
                if (start & ((1ull << shift) - 1)) {
                        fprintf(stderr, "memory %s: start not aligned to its size rounded up\n", argv[i + 2]);
                        return 2;
                }
                mem = calloc(1, (size_t)size);
                if (!mem)
                        return 2;
                physmap[i] = (metal_phys_addr_t)start;
                metal_io_init(&ios[i], mem, &physmap[i], (size_t)size, shift, 0, NULL);
                snprintf(name, sizeof(name), "mem%d", i);
                remoteproc_init_mem(&mems[i], name, (metal_phys_addr_t)start, (metal_phys_addr_t)start,
                                    (size_t)size, &ios[i]);
                remoteproc_add_mem(&rproc, &mems[i]);
        }
        if (remoteproc_config(&rproc, NULL)) {
                fprintf(stderr, "remoteproc_config failed\n");
                return 2;
        }
        rc = remoteproc_load(&rproc, NULL, &st, &store_ops, NULL);
        printf("rc %d rsc %d entry %llx\n", rc, rproc.rsc_table != NULL,
               (unsigned long long)rproc.bootaddr);
        fflush(stdout);
        free(buf);
        return 0;
}
