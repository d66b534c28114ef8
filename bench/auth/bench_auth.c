/*
 * bench_auth.c - the kit's crypto core behind one entry point, for
 * bench/bench_auth.py, which runs it in the unicorn emulator (Cortex-M3) and
 * counts the instructions and the stack each operation takes.
 *
 *   long bench_run(long op, struct bench_args *a)
 *
 * OP_SHA512: SHA-512 of src[0..n) into bench_digest.
 * OP_VERIFY: src holds signature (64 bytes), public key (32), then the n-byte
 *            message; returns remote_fw_ed25519_verify's result.
 */
#include "remote_fw_ed25519.h"
#include "remote_fw_sha512.h"

struct bench_args {
        uintptr_t src;
        uintptr_t n;
        uintptr_t unused[6];
};

enum { OP_SHA512, OP_VERIFY };

uint8_t bench_digest[REMOTE_FW_SHA512_SIZE];

long bench_run(long op, struct bench_args *a)
{
        const uint8_t *src = (const uint8_t *)a->src;

        switch (op) {
        case OP_SHA512:
                remote_fw_sha512(src, (size_t)a->n, bench_digest);
                return 0;
        case OP_VERIFY:
                return remote_fw_ed25519_verify(src, src + 64, src + 96, (size_t)a->n);
        default:
                return -1;
        }
}
