/*
 * common/oa_env.h - what a program of this sample linked with OpenAMP,
 * libmetal and picolibc needs from its environment (common/oa_env.c): an
 * identity-mapped MMU with FP/SIMD on, and picolibc's stdout/stderr on the
 * PL011. Used by the OpenAMP host (openamp/host.c) and both ends of the
 * rpmsg echo (echo/host.c, echo/remote.c).
 */
#ifndef OA_ENV_H
#define OA_ENV_H

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
struct metal_io_region;
void oa_io_init(struct metal_io_region *io, unsigned long *phys, unsigned long size);

#endif
