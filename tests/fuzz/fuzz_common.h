/*
 * fuzz_common.h - what every fuzz target here shares: CHECK (a broken promise
 * aborts, which libFuzzer reports as a crash; test_fuzz.py also looks for the
 * words) and map_region (a fixed region with an inaccessible guard page on
 * each side, so a write one byte outside what the kit was allowed faults).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define CHECK(cond)                                                             \
        do {                                                                    \
                if (!(cond)) {                                                  \
                        fprintf(stderr, "%s:%d: broken promise: %s\n",          \
                                __FILE__, __LINE__, #cond);                     \
                        abort();                                                \
                }                                                               \
        } while (0)

#define FUZZ_GUARD      0x1000u

static inline void map_region(uintptr_t start, size_t size)
{
        uint8_t *p = mmap((void *)(start - FUZZ_GUARD), size + 2 * FUZZ_GUARD, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                          -1, 0);

        if (p != (uint8_t *)(start - FUZZ_GUARD)) {
                fprintf(stderr, "%s: cannot map 0x%lx+0x%lx\n", __FILE__,
                        (unsigned long)start, (unsigned long)size);
                abort();
        }
        if (mprotect(p + FUZZ_GUARD, size, PROT_READ | PROT_WRITE))
                abort();
}

/* Pages of [start, start + size) that are resident, i.e. written since the
 * last MADV_DONTNEED (mincore): how a target proves the kit wrote nothing. */
static inline size_t resident_pages(uintptr_t start, size_t size)
{
        static unsigned char vec[1024];
        size_t n = 0, done, i, chunk;

        for (done = 0; done < size; done += chunk) {
                chunk = size - done < sizeof(vec) * FUZZ_GUARD ? size - done : sizeof(vec) * FUZZ_GUARD;
                CHECK(mincore((void *)(start + done), chunk, vec) == 0);
                for (i = 0; i < (chunk + FUZZ_GUARD - 1) / FUZZ_GUARD; i++)
                        n += vec[i] & 1;
        }
        return n;
}

#endif
