/*
 * fault_host.h - what fault_driver.c and toy_check.c share for
 * bench/fault_campaign.py: the arguments the campaign writes, the start
 * hook and the refusal stop (fault_host.c), both watched by the campaign.
 */
#ifndef FAULT_HOST_H
#define FAULT_HOST_H

#include "remote_fw.h"

struct fault_args {
        const uint8_t (*keys)[32];      /* trusted keys */
        uint32_t n_keys;
        uint32_t min_counter;
        uint32_t region_start;          /* the one allowed region */
        uint32_t region_size;
        uint32_t entry;                 /* out: the entry the remote was started at */
};

/* The start hook: a host would release the remote core here. */
void fault_boot(uintptr_t entry);

/* A refusal stops the host here (the campaign ends the run at its entry;
 * a real host reports and halts). It never returns, so no skipped return
 * falls through into the start. */
__attribute__((noreturn)) void fault_refused(int rc);

#endif
