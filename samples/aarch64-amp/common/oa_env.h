/*
 * common/oa_env.h - what a program of this sample linked with OpenAMP,
 * libmetal and picolibc needs from its environment (common/oa_env.c): an
 * identity-mapped MMU with FP/SIMD on, and picolibc's stdout/stderr on the
 * PL011. Used by the OpenAMP host (openamp/host.c) and both ends of the
 * rpmsg echo (echo/host.c, echo/remote.c).
 */
#ifndef OA_ENV_H
#define OA_ENV_H

#include <stddef.h>

#include <metal/io.h>

/* Identity map at EL1 (0..1 GiB Device-nGnRnE, 1..2 GiB Normal
 * non-cacheable), then FP/SIMD on. */
void mmu_and_fp_on(void);

/* Each program says how it dies (abort, _exit, a failed assert): the line it
 * prints and what it does then. */
__attribute__((noreturn)) void oa_fatal(const char *what, int rc);

/* io over [base, base + size), virtual == physical: libmetal's generic
 * system maps a region in pages of 1 << page_shift, and the customary "one
 * page" page_shift, sizeof(metal_phys_addr_t) * 8, is a shift by 64 on this
 * 64-bit target (undefined); the region translates with offset/phys ops
 * instead. *phys must stay valid as long as io (libmetal keeps the pointer). */
void oa_io_init(struct metal_io_region *io, metal_phys_addr_t *phys, size_t size);

/* A remoteproc mmap op over one io region (oa_io_init'ed): [*pa or *da,
 * + size) must lie inside it; sets *pa = *da and *io, returns the address,
 * NULL for anything else (a segment or carveout elsewhere is refused). */
void *oa_io_map(struct metal_io_region *area, metal_phys_addr_t *pa, metal_phys_addr_t *da,
                size_t size, struct metal_io_region **io);

#endif
