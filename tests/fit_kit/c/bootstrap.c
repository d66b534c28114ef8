/*
 * bootstrap.c - the smallest bootstrap that uses the FIT part of the kit: a
 * FIT linked in as bytes, remote_fw_fit_load into one region, then the entry
 * helper where the architecture has one. Built by test_fit_freestanding.py
 * with -nostdlib to prove the kit needs nothing from a library.
 */
#include "remote_fw_fit.h"

extern const uint8_t fit_start[], fit_end[];
const uint8_t fit_start[16] = { 0 }, fit_end[1] = { 0 };

volatile int result;

void _start(void)
{
        static const struct remote_fw_region ram = { 0x48000000u, 0x08000000u };
        struct remote_fw_fit_boot boot;

        result = remote_fw_fit_load(fit_start, (size_t)(fit_end - fit_start), NULL,
                                    &ram, 1, &boot);
#ifdef REMOTE_FW_FIT_HAVE_ENTER
        if (result == 0)
                remote_fw_fit_enter(&boot);
#endif
        for (;;)
                ;
}
