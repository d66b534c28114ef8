/*
 * openamp_load.c - test harness: the real OpenAMP remoteproc_load on one image.
 * Not part of the product; built natively with ASan against the pinned
 * libmetal/open-amp (tests/loaders/openamp_native.py).
 *
 *   openamp_load            then, on stdin, one line per image: "IMAGE START:SIZE..."
 *
 * The image is read into a heap block of exactly its size (ASan catches any
 * read past it). Each START:SIZE is one platform memory (pa == da == START),
 * backed by a heap block mapped in 4 KiB libmetal pages (START 4 KiB aligned),
 * registered with remoteproc_add_mem; there is no
 * mmap op, so anything else has no mapping. The image store checks every
 * read against the image and every copy against the I/O region, and refuses
 * (-RPROC_EINVAL) outside them. Prints one line:
 *
 *   rc <remoteproc_load's return> rsc <1 if rproc->rsc_table is set> entry <hex>
 *
 * after OpenAMP's own log messages, each on a line "log: ...". One process
 * runs many images (a new remoteproc and new memories each time); a sanitizer
 * report ends it.
 */
#include <stdarg.h>
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

static void log_handler(enum metal_log_level level, const char *format, ...)
{
        char msg[1024];
        va_list args;
        size_t n;

        (void)level;
        va_start(args, format);
        vsnprintf(msg, sizeof(msg), format, args);
        va_end(args);
        n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
                msg[--n] = 0;
        printf("log: %s\n", msg);
}

#define PAGE_SHIFT 12

/* Load one image with the memories given; 0, or 2 on a usage error. */
static int load_one(char *line)
{
        struct metal_io_region ios[MAX_MEMS];
        struct remoteproc_mem mems[MAX_MEMS];
        metal_phys_addr_t *physmaps[MAX_MEMS];
        void *blocks[MAX_MEMS];
        struct remoteproc rproc;
        struct store st;
        unsigned char *buf;
        char *path, *spec, *save = NULL;
        FILE *f;
        long n;
        int i, nmem = 0, rc;

        path = strtok_r(line, " \n", &save);
        if (!path)
                return 2;
        f = fopen(path, "rb");
        if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
                perror(path);
                return 2;
        }
        buf = malloc(n ? (size_t)n : 1);
        if (!buf || (n && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
                perror(path);
                return 2;
        }
        fclose(f);
        st.data = buf;
        st.size = (size_t)n;

        memset(&rproc, 0, sizeof(rproc));
        if (!remoteproc_init(&rproc, &rproc_ops, NULL)) {
                fprintf(stderr, "remoteproc_init failed\n");
                return 2;
        }
        while ((spec = strtok_r(NULL, " \n", &save)) != NULL) {
                unsigned long long start, size, p, pages;
                char name[16];

                if (nmem == MAX_MEMS || sscanf(spec, "%llx:%llx", &start, &size) != 2 || !size ||
                    (start & ((1ull << PAGE_SHIFT) - 1))) {
                        fprintf(stderr, "bad memory %s (START:SIZE in hex, START 4 KiB aligned)\n", spec);
                        return 2;
                }
                pages = (size + (1ull << PAGE_SHIFT) - 1) >> PAGE_SHIFT;
                physmaps[nmem] = malloc(pages * sizeof(metal_phys_addr_t));
                blocks[nmem] = calloc(1, (size_t)size);
                if (!physmaps[nmem] || !blocks[nmem])
                        return 2;
                for (p = 0; p < pages; p++)
                        physmaps[nmem][p] = (metal_phys_addr_t)(start + (p << PAGE_SHIFT));
                metal_io_init(&ios[nmem], blocks[nmem], physmaps[nmem], (size_t)size, PAGE_SHIFT, 0, NULL);
                snprintf(name, sizeof(name), "mem%d", nmem);
                remoteproc_init_mem(&mems[nmem], name, (metal_phys_addr_t)start, (metal_phys_addr_t)start,
                                    (size_t)size, &ios[nmem]);
                remoteproc_add_mem(&rproc, &mems[nmem]);
                nmem++;
        }
        if (remoteproc_config(&rproc, NULL)) {
                fprintf(stderr, "remoteproc_config failed\n");
                return 2;
        }
        rc = remoteproc_load(&rproc, NULL, &st, &store_ops, NULL);
        printf("rc %d rsc %d entry %llx\n", rc, rproc.rsc_table != NULL, (unsigned long long)rproc.bootaddr);
        fflush(stdout);
        remoteproc_remove(&rproc);
        for (i = 0; i < nmem; i++) {
                free(blocks[i]);
                free(physmaps[i]);
        }
        free(buf);
        return 0;
}

int main(void)
{
        struct metal_init_params params = METAL_INIT_DEFAULTS;
        char line[8192];

        params.log_handler = log_handler;
        params.log_level = METAL_LOG_DEBUG;
        if (metal_init(&params)) {
                fprintf(stderr, "metal_init failed\n");
                return 2;
        }
        while (fgets(line, sizeof(line), stdin)) {
                if (load_one(line))
                        return 2;
        }
        metal_finish();
        return 0;
}
