/*
 * fault_driver.c - a host's authenticated load behind one entry point, for
 * bench/fault_campaign.py, which runs it in the unicorn emulator (Cortex-M3)
 * once per skipped instruction.
 *
 *   long fault_run(struct fault_args *a)
 *
 * finds the image "alpha" (its descriptor written by the campaign, as
 * `bundle --sign` writes it), calls remote_fw_load_authenticated and, only
 * if that succeeded, calls fault_boot(entry): the point where a host would
 * start the remote core (the campaign watches it); a refusal calls
 * fault_refused(rc), where the campaign ends the run (fault_host.c).
 *
 * The caller's test is the host's own code: one `if (rc != 0)` is one
 * branch a single skipped instruction passes. So this host tests the result
 * twice, through a volatile (docs/kit.md "Fault resistance": the pattern a
 * host that must resist faults follows).
 */
#include "fault_host.h"

REMOTE_FW_DECLARE(alpha);

long fault_run(struct fault_args *a)
{
        struct remote_fw_trust trust = { a->keys, a->n_keys, a->min_counter };
        struct remote_fw_region region = { a->region_start, a->region_size };
        struct remote_fw_image img;
        uintptr_t entry = 0;
        volatile int rc;

        if (remote_fw_find("alpha", &img) != 0)
                fault_refused(-1);
        rc = -1;                /* a skipped store of the result leaves a refusal */
        rc = remote_fw_load_authenticated(&img, &trust, &region, 1, &entry);
        if (rc != 0)
                fault_refused(rc);
        if (rc != 0)            /* again: one skipped branch is not enough */
                fault_refused(rc);
        a->entry = (uint32_t)entry;
        fault_boot(entry);
        return 0;
}
