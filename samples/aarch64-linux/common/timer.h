/*
 * timer.h - the generic timer's physical counter as a boot clock. On QEMU's
 * virt board CNTPCT_EL0 counts QEMU's virtual clock (62.5 MHz), which starts
 * at 0 when the machine starts running: host, bootstrap and the remote's /init
 * (CNTVCT_EL0, the same count at EL0: CNTVOFF is 0) print it, so each step of
 * the boot has a time on one clock.
 */
#ifndef TIMER_H
#define TIMER_H

#include <stdint.h>

#include "pl011.h"

static inline uint64_t timer_count(void)
{
        uint64_t t;

        __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t));
        return t;
}

static inline uint64_t timer_freq(void)
{
        uint64_t f;

        __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
        return f;
}

/* "t=S.UUUUUU" seconds since the machine started */
static inline void put_time(void)
{
        uint64_t f = timer_freq(), t = timer_count();
        uint64_t us = f != 0u ? t / f * 1000000u + t % f * 1000000u / f : 0u;
        int64_t frac = (int64_t)(us % 1000000u), d;

        uart_puts("t=");
        uart_put_dec((int64_t)(us / 1000000u));
        uart_puts(".");
        for (d = 100000; d > 1 && frac < d; d /= 10)
                uart_puts("0");
        uart_put_dec(frac);
}

#endif
