/*
 * sha256_jobs.c - a list of SHA-256 jobs behind one entry point, for
 * tests/fit_kit/test_sha256.py, which runs it in the unicorn emulator:
 *
 *   long bench_run(long njobs, const struct job *jobs)
 *
 * A job hashes n bytes at src into digest: in one call (chunk 0), or through
 * init/update/final in pieces of chunk bytes (the last one shorter).
 */
#include "remote_fw_sha256.h"

struct job {
        uintptr_t src, n, chunk, digest;
};

long bench_run(long njobs, const struct job *jobs)
{
        struct remote_fw_sha256_ctx c;
        uintptr_t done, step;
        long i;

        for (i = 0; i < njobs; i++) {
                const struct job *j = &jobs[i];

                if (j->chunk == 0) {
                        remote_fw_sha256((const void *)j->src, (size_t)j->n, (uint8_t *)j->digest);
                        continue;
                }
                remote_fw_sha256_init(&c);
                for (done = 0; done < j->n; done += step) {
                        step = j->n - done < j->chunk ? j->n - done : j->chunk;
                        remote_fw_sha256_update(&c, (const uint8_t *)(j->src + done), (size_t)step);
                }
                remote_fw_sha256_final(&c, (uint8_t *)j->digest);
        }
        return njobs;
}
