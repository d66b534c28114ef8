/*
 * common/gic.c - GICv2 and generic-timer helpers for the rpmsg echo (see
 * gic.h). RPMSG.md's measured recipe: GICD_CTLR = 1; per CPU GICC_CTLR = 1,
 * GICC_PMR = 0xff; send with dsb then GICD_SGIR; receive with IRQs masked by
 * reading GICC_IAR (1023: nothing) and writing GICC_EOIR.
 */
#include <stdint.h>

#include "gic.h"
#include "memmap.h"

#define REG32(a)        (*(volatile uint32_t *)(uintptr_t)(a))
#define REG8(a)         (*(volatile uint8_t *)(uintptr_t)(a))

#define GICD_CTLR       (GICD_BASE + 0x000u)
#define GICD_ISENABLER  (GICD_BASE + 0x100u)
#define GICD_ISPENDR    (GICD_BASE + 0x200u)
#define GICD_ITARGETSR  (GICD_BASE + 0x800u)
#define GICD_ICFGR      (GICD_BASE + 0xc00u)
#define GICD_SGIR       (GICD_BASE + 0xf00u)
#define GICC_CTLR       (GICC_BASE + 0x00u)
#define GICC_PMR        (GICC_BASE + 0x04u)
#define GICC_IAR        (GICC_BASE + 0x0cu)
#define GICC_EOIR       (GICC_BASE + 0x10u)
#define INTID_SPURIOUS  1023u
#define PPI_VTIMER      27u     /* the EL1 virtual timer (QEMU virt: PPI 11) */

void gic_cpu_on(void)
{
        REG32(GICC_PMR) = 0xffu;
        REG32(GICC_CTLR) = 1u;
        /* ISENABLER0 (SGIs, PPIs) is banked: this CPU's only */
        REG32(GICD_ISENABLER) = 1u << PPI_VTIMER | 1u << ECHO_SGI_REMOTE;
}

void gic_dist_on(void)
{
        REG32(GICD_CTLR) = 1u;
}

void gic_spi_to_cpu0(unsigned int spi)
{
        unsigned int id = 32u + spi;

        REG8(GICD_ITARGETSR + id) = 1u;
        REG32(GICD_ICFGR + 4u * (id / 16u)) |= 2u << (2u * (id % 16u));
        REG32(GICD_ISENABLER + 4u * (id / 32u)) = 1u << (id % 32u);
}

void gic_spi_pend(unsigned int spi)
{
        unsigned int id = 32u + spi;

        __asm__ volatile("dsb sy" ::: "memory");        /* the rings first */
        REG32(GICD_ISPENDR + 4u * (id / 32u)) = 1u << (id % 32u);
}

void gic_sgi(unsigned int cpu, unsigned int id)
{
        __asm__ volatile("dsb sy" ::: "memory");
        REG32(GICD_SGIR) = 1u << (16u + cpu) | id;
}

uint64_t timer_now(void)
{
        uint64_t t;

        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
        return t;
}

uint64_t timer_freq(void)
{
        uint64_t f;

        __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
        return f;
}

unsigned int irq_wait(uint64_t ticks)
{
        unsigned int n = 0;
        uint32_t iar;

        __asm__ volatile("msr cntv_cval_el0, %0\n"
                         "msr cntv_ctl_el0, %1\n"
                         "isb" : : "r"(timer_now() + ticks), "r"(1ul) : "memory");
        __asm__ volatile("dsb sy; wfi" ::: "memory");
        /* the timer's PPI is level-triggered: off before it is acknowledged */
        __asm__ volatile("msr cntv_ctl_el0, %0\nisb" : : "r"(0ul) : "memory");
        while (((iar = REG32(GICC_IAR)) & 0x3ffu) != INTID_SPURIOUS) {
                REG32(GICC_EOIR) = iar;
                if ((iar & 0x3ffu) != PPI_VTIMER)
                        n++;
        }
        __asm__ volatile("dmb sy" ::: "memory");
        return n;
}
