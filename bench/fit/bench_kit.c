/*
 * bench_kit.c - the kit's hot paths behind one entry point, for
 * bench/bench_fit.py, which runs it in the unicorn emulator (AArch64 and
 * Cortex-M3) and counts the instructions each operation executes.
 *
 *   long bench_run(long op, struct bench_args *a)
 *
 * Built freestanding with the kit (linker/remote_fw*.c) and
 * REMOTE_FW_FIT_ARCH="arm64" on both cores, so the same FIT is accepted.
 */
#include "remote_fw_fit.h"

struct bench_args {
        uintptr_t src;          /* input bytes */
        uintptr_t n;            /* their count */
        uintptr_t dst;          /* output (copy, inflate) or the allowed region (load, fit) */
        uintptr_t cap;          /* output room, or the region's size */
        uintptr_t out[4];       /* results: inflate (used, len), fit (struct remote_fw_fit_boot) */
};

enum { OP_COPY, OP_CRC32, OP_SHA256, OP_INFLATE, OP_VERIFY, OP_LOAD, OP_FIT, OP_ENTER };

REMOTE_FW_DECLARE(bench_elf);

uint8_t bench_digest[32];

typedef uintptr_t __attribute__((may_alias)) word;

/* The reference: the same bytes moved a machine word at a time (both aligned). */
static void word_copy(uintptr_t dst, uintptr_t src, uintptr_t n)
{
        volatile word *d = (volatile word *)dst;
        const word *s = (const word *)src;
        uintptr_t i;

        for (i = 0; i < n / sizeof(word); i++)
                d[i] = s[i];
}

long bench_run(long op, struct bench_args *a)
{
        struct remote_fw_region region = { a->dst, (size_t)a->cap };
        struct remote_fw_image img;
        uintptr_t entry;
        size_t used, len;
        int err;

        switch (op) {
        case OP_COPY:
                word_copy(a->dst, a->src, a->n);
                return 0;
        case OP_CRC32:
                return (long)remote_fw_crc32((const void *)a->src, (size_t)a->n);
        case OP_SHA256:
                remote_fw_sha256((const void *)a->src, (size_t)a->n, bench_digest);
                return 0;
        case OP_INFLATE:
                err = remote_fw_inflate((const void *)a->src, (size_t)a->n, (void *)a->dst,
                                        (size_t)a->cap, &used, &len);
                a->out[0] = used;
                a->out[1] = len;
                return err;
        case OP_VERIFY:
                err = remote_fw_find("bench_elf", &img);
                return err ? err : remote_fw_verify(&img);
        case OP_LOAD:
                img.base = (const uint8_t *)a->src;
                img.size = (size_t)a->n;
                img.name = "bench_elf";
                return remote_fw_load(&img, &region, 1, &entry);
        case OP_FIT:
                return remote_fw_fit_load((const void *)a->src, (size_t)a->n, NULL, &region, 1,
                                          (struct remote_fw_fit_boot *)a->out);
#ifdef REMOTE_FW_FIT_HAVE_ENTER
        case OP_ENTER:          /* out[] is a struct remote_fw_fit_boot; never returns */
                remote_fw_fit_enter((const struct remote_fw_fit_boot *)a->out);
#endif
        default:
                return -1;
        }
}
