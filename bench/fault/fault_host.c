/*
 * fault_host.c - the start hook and the refusal stop of fault_host.h.
 */
#include "fault_host.h"

volatile uint32_t fault_booted;
volatile int fault_refusal;

__attribute__((noinline)) void fault_boot(uintptr_t entry)
{
        fault_booted = (uint32_t)entry;
}

__attribute__((noinline, noreturn)) void fault_refused(int rc)
{
        fault_refusal = rc;
        for (;;)
                ;
}
