/*
 * bench_auth_host.c - a host with one remote, "remote_1m", for
 * bench/bench_auth_load.py: built for Cortex-M3, bundled with a real signed
 * remote by `bundle --sign`, and run in the unicorn emulator, which counts the
 * instructions and the stack of each call.
 *
 *   long bench_run(long op, struct bench_args *a)
 *
 * OP_LOAD: remote_fw_find + remote_fw_load into the region {dst, cap}.
 * OP_AUTH: remote_fw_find + remote_fw_load_authenticated into the same region,
 *          trusting the one 32-byte Ed25519 key at src, minimum counter n.
 * The entry point the load returns is left in a->out.
 *
 * Built with -DBENCH_SIZE_ONLY=0, 1 or 2 it is instead the minimal host whose
 * size bench/bench_auth_load.py measures (-Os, --gc-sections): nothing, then
 * remote_fw_load, then remote_fw_load and remote_fw_load_authenticated.
 */
#include "remote_fw.h"

REMOTE_FW_DECLARE(remote_1m);

struct bench_args {
        uintptr_t src;
        uintptr_t n;
        uintptr_t dst;
        uintptr_t cap;
        uintptr_t out;
        uintptr_t unused[3];
};

enum { OP_LOAD, OP_AUTH };

long bench_run(long op, struct bench_args *a)
{
        struct remote_fw_region region = { a->dst, (size_t)a->cap };
        struct remote_fw_image img;
        uintptr_t entry = 0;
        int err;

#if defined(BENCH_SIZE_ONLY) && BENCH_SIZE_ONLY == 0
        (void)region;
        (void)img;
        (void)entry;
        (void)err;
        (void)op;
        (void)a;
        return 0;
#else
        err = remote_fw_find("remote_1m", &img);
        if (err)
                return err;
        switch (op) {
        case OP_LOAD:
                err = remote_fw_load(&img, &region, 1, &entry);
                break;
#if !defined(BENCH_SIZE_ONLY) || BENCH_SIZE_ONLY == 2
        case OP_AUTH: {
                struct remote_fw_trust trust;

                trust.ed25519_keys = (const uint8_t (*)[32])a->src;
                trust.n_keys = 1;
                trust.min_security_counter = (uint32_t)a->n;
                err = remote_fw_load_authenticated(&img, &trust, &region, 1, &entry);
                break;
        }
#endif
        default:
                return -1;
        }
        a->out = entry;
        return err;
#endif
}
