/*
 * common/gic.h - QEMU virt's GICv2 and the generic timer as the rpmsg echo
 * uses them (common/gic.c): IRQs stay masked (PSTATE.I), a CPU sleeps in
 * `wfi`, which wakes on a pending interrupt even while masked, and then
 * acknowledges whatever is pending. Addresses and interrupt numbers:
 * memmap.h (GICD_BASE, GICC_BASE, ECHO_SGI_REMOTE, ECHO_SPI_HOST).
 */
#ifndef GIC_H
#define GIC_H

#include <stdint.h>

/* this CPU's interface on, all priorities, its virtual timer's PPI enabled */
void gic_cpu_on(void);
/* the distributor on (a no-op when Linux or the other side did it already) */
void gic_dist_on(void);
/* SPI spi: edge-triggered, routed to CPU 0, enabled (the host's side) */
void gic_spi_to_cpu0(unsigned int spi);
/* set SPI spi pending (the remote's kick to its host) */
void gic_spi_pend(unsigned int spi);
/* SGI id to CPU cpu (the host's kick to the remote) */
void gic_sgi(unsigned int cpu, unsigned int id);

/* the generic timer: ticks, ticks per second */
uint64_t timer_now(void);
uint64_t timer_freq(void);
/* sleep until an interrupt or `ticks` pass, then acknowledge everything
 * pending; returns how many interrupts other than the timer's were taken */
unsigned int irq_wait(uint64_t ticks);

#endif
