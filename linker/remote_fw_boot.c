/*
 * remote_fw_boot.c - rproc-bundle kit: enter a loaded Linux kernel
 * (remote_fw_fit_enter; see remote_fw_fit.h and docs/kit.md "Entering the
 * kernel"), per architecture's boot protocol. Where REMOTE_FW_FIT_HAVE_ENTER
 * is not defined (Cortex-M, RISC-V, x86) this unit is empty.
 *
 * C99 with GNU inline assembly, freestanding.
 */
#include "remote_fw_fit.h"

#if defined(REMOTE_FW_FIT_HAVE_ENTER) && defined(__aarch64__)
/* Documentation/arch/arm64/booting.rst: x0 = dtb, x1 = x2 = x3 = 0. */
void remote_fw_fit_enter(const struct remote_fw_fit_boot *boot)
{
        uintptr_t entry = boot->entry, fdt = boot->fdt;

        __asm__ volatile(
                "msr    daifset, #0xf\n\t"      /* D, A, I, F masked */
                "ic     iallu\n\t"              /* no stale instructions of the pieces */
                "dsb    sy\n\t"
                "isb\n\t"
                "mov    x0, %0\n\t"
                "mov    x1, xzr\n\t"
                "mov    x2, xzr\n\t"
                "mov    x3, xzr\n\t"
                "br     %1\n\t"
                : : "r"(fdt), "r"(entry) : "x0", "x1", "x2", "x3", "memory");
        __builtin_unreachable();
}
#elif defined(REMOTE_FW_FIT_HAVE_ENTER) && defined(__arm__)
/* Documentation/arch/arm/booting.rst: r0 = 0, r1 = ~0 (device tree), r2 = dtb, ARM state. */
void remote_fw_fit_enter(const struct remote_fw_fit_boot *boot)
{
        uintptr_t entry = boot->entry & ~(uintptr_t)1, fdt = boot->fdt;

        __asm__ volatile(
                "cpsid  if\n\t"
#if defined(__ARM_ARCH) && __ARM_ARCH >= 7
                "mov    r0, #0\n\t"
                "mcr    p15, 0, r0, c7, c5, 0\n\t"     /* ICIALLU */
                "dsb\n\t"
                "isb\n\t"
#endif
                "mov    r0, #0\n\t"
                "mvn    r1, #0\n\t"
                "mov    r2, %0\n\t"
                "bx     %1\n\t"
                : : "r"(fdt), "r"(entry) : "r0", "r1", "r2", "memory");
        __builtin_unreachable();
}
#endif
