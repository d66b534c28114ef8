/*
 * common/oa_env.c - the environment of this sample's programs on OpenAMP
 * (see oa_env.h): the MMU that lets libraries built without -mstrict-align
 * run, and picolibc's C library glue. Each program defines oa_fatal.
 */
#include <stdint.h>
#include <limits.h>
#include <stdio.h>

#include "oa_env.h"
#include "pl011.h"

/* ---- C library glue (picolibc): libmetal's logger writes to stderr --------- */

static int uart_putc(char c, FILE *f)
{
        char s[2] = { c, '\0' };

        (void)f;
        uart_puts(s);
        return (unsigned char)c;
}

static FILE uart_file = FDEV_SETUP_STREAM(uart_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &uart_file;
FILE *const stderr = &uart_file;

/* a failed metal_assert (picolibc's __assert_func) aborts: no signals here */
__attribute__((noreturn)) void abort(void)
{
        oa_fatal("abort", -1);
}

__attribute__((noreturn)) void _exit(int status)
{
        oa_fatal("exit", status);
}

/*
 * ---- MMU: identity map, RAM as Normal non-cacheable ------------------------
 * picolibc and OpenAMP were not built for -mstrict-align, and with the MMU
 * off every data access is Device memory, where an unaligned access faults.
 * One level-1 table (4 KiB granule, 39-bit VA: 1 GiB blocks): 0..1 GiB
 * Device-nGnRnE (UART, GIC), 1..2 GiB Normal non-cacheable (RAM: no cache
 * maintenance between the CPUs, whatever the other side's MMU does; Linux
 * maps the echo's shared memory non-cacheable too).
 */
#define MAIR_DEVICE_nGnRnE      0x00u
#define MAIR_NORMAL_NC          0x44u
#define ATTR_DEVICE             0u      /* MAIR index */
#define ATTR_NORMAL             1u
#define PTE_BLOCK               1u
#define PTE_AF                  (1u << 10)
#define PTE_ISH                 (3u << 8)
#define TCR_T0SZ_39             25u
#define TCR_EPD1                (1u << 23)
#define TCR_IPS_40              (2ull << 32)
#define SCTLR_M                 1u
#define SCTLR_A                 2u
#define CPACR_FPEN              (3u << 20)

static uint64_t l1_table[512] __attribute__((aligned(4096)));

void mmu_and_fp_on(void)
{
        uint64_t sctlr, cpacr;

        l1_table[0] = 0x00000000u | PTE_AF | ATTR_DEVICE << 2 | PTE_BLOCK;
        l1_table[1] = 0x40000000u | PTE_AF | PTE_ISH | ATTR_NORMAL << 2 | PTE_BLOCK;
        __asm__ volatile("dsb sy\n"
                         "msr mair_el1, %0\n"
                         "msr tcr_el1, %1\n"
                         "msr ttbr0_el1, %2\n"
                         "isb\n"
                         "tlbi vmalle1\n"
                         "dsb sy\n"
                         "isb"
                         :
                         : "r"((uint64_t)MAIR_DEVICE_nGnRnE | (uint64_t)MAIR_NORMAL_NC << 8),
                           "r"((uint64_t)TCR_T0SZ_39 | TCR_EPD1 | TCR_IPS_40),
                           "r"((uint64_t)(uintptr_t)l1_table)
                         : "memory");
        __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
        sctlr = (sctlr | SCTLR_M) & ~(uint64_t)SCTLR_A;
        __asm__ volatile("msr sctlr_el1, %0\nisb" : : "r"(sctlr) : "memory");
        /* picolibc may use FP/SIMD registers, which CPACR_EL1 traps at reset */
        __asm__ volatile("mrs %0, cpacr_el1" : "=r"(cpacr));
        __asm__ volatile("msr cpacr_el1, %0\nisb" : : "r"(cpacr | CPACR_FPEN));
}

/* ---- libmetal io regions, virtual == physical (oa_env.h) -------------------- */

static metal_phys_addr_t flat_offset_to_phys(struct metal_io_region *io, unsigned long offset)
{
        return offset < io->size ? io->physmap[0] + offset : METAL_BAD_PHYS;
}

static unsigned long flat_phys_to_offset(struct metal_io_region *io, metal_phys_addr_t phys)
{
        return phys >= io->physmap[0] && phys - io->physmap[0] < io->size ?
               (unsigned long)(phys - io->physmap[0]) : METAL_BAD_OFFSET;
}

static const struct metal_io_ops flat_io_ops = {
        .offset_to_phys = flat_offset_to_phys,
        .phys_to_offset = flat_phys_to_offset,
};

void oa_io_init(struct metal_io_region *io, metal_phys_addr_t *phys, size_t size)
{
        metal_io_init(io, (void *)(uintptr_t)*phys, phys, size,
                      sizeof(metal_phys_addr_t) * CHAR_BIT - 1, 0, &flat_io_ops);
}

void *oa_io_map(struct metal_io_region *area, metal_phys_addr_t *pa, metal_phys_addr_t *da,
                size_t size, struct metal_io_region **io)
{
        metal_phys_addr_t base = area->physmap[0], a = *pa != METAL_BAD_PHYS ? *pa : *da;

        if (a == METAL_BAD_PHYS || a < base || a - base > area->size ||
            size > area->size - (a - base))
                return NULL;
        *pa = a;
        *da = a;
        if (io != NULL)
                *io = area;
        return (void *)(uintptr_t)a;
}
