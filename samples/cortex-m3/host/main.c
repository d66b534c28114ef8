/*
 * host/main.c - the host firmware: find the remote image it carries, check it,
 * read its resource table, load it into the remote area and start it.
 *
 * mps2-an385 has one core, so "starting the remote" means handing this core
 * over: the host jumps to the remote's e_entry with a fresh stack at the top of
 * the remote area, and the remote takes it from there (its own vector table).
 *
 * Output (semihosting), one fact a line:
 *   host: boot
 *   host: image remote_elf base=0x0000xxxx size=0x0000xxxx
 *   host: checksum ok                     (or: host: checksum none: <why>)
 *   host: rsc entries=3 size=0x000000c8
 *   host: entry=0x2020xxxx
 *   host: starting remote
 * and on any failure
 *   host: error: <remote_fw_strerror(rc)> (<rc>)   then exit status -rc
 *
 * Built with -DREMOTE_FW_SIGNED_HOST (`make run-signed`, host-signed.elf) the
 * same source loads only a signed remote: remote_fw_load_authenticated with
 * the public key of trusted_key.h (generated at build time from a key
 * openssl made) and a minimum security counter of SIGNED_MIN_COUNTER; the
 * CRC-32 check is left out (it proves nothing against an attacker) and the
 * resource table is read only after the image was proven. It prints
 *   host: signed image accepted (counter >= N)
 * in place of the checksum line, or the error line above.
 */
#include <stdint.h>

#include "memmap.h"
#include "remote_fw.h"
#include "semihost.h"

REMOTE_FW_DECLARE(remote_elf);

#ifdef REMOTE_FW_SIGNED_HOST
#include "trusted_key.h"        /* static const uint8_t trusted_keys[][32] */
#ifndef SIGNED_MIN_COUNTER
#define SIGNED_MIN_COUNTER 1u
#endif
/* The host's rollback floor. A product keeps it in storage the remote cannot
 * write and raises it after a good boot; this sample compiles it in. */
static const struct remote_fw_trust trust = {
        trusted_keys, sizeof(trusted_keys) / sizeof(trusted_keys[0]), SIGNED_MIN_COUNTER,
};
#endif

/* The loader may write only here. (Writable: a board could adjust it.) */
static struct remote_fw_region allowed[] = {
        { REMOTE_RAM_BASE, REMOTE_RAM_SIZE },
};

__attribute__((noreturn)) static void fail(int rc)
{
        sh_puts("host: error: ");
        sh_puts(remote_fw_strerror(rc));
        sh_puts(" (");
        sh_put_dec(rc);
        sh_puts(")\n");
        sh_exit(rc < 0 ? -rc : 1);
}

static uint32_t get_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Fill the remote area with a pattern, so that the remote's .bss check proves
 * the loader zeroed it (QEMU's RAM starts out zero anyway). */
static void poison_remote_area(void)
{
        volatile uint32_t *p = (volatile uint32_t *)REMOTE_RAM_BASE;
        volatile uint32_t *end = (volatile uint32_t *)(REMOTE_RAM_BASE + REMOTE_RAM_SIZE);

        while (p < end)
                *p++ = 0xa5a5a5a5u;
}

__attribute__((noreturn)) static void start_remote(uintptr_t entry, uint32_t sp)
{
        __asm__ volatile(
                "cpsid i\n"
                "msr msp, %1\n"
                "dsb\n"
                "isb\n"
                "bx %0\n"
                : : "r"(entry | 1u), "r"(sp) : "memory");
        __builtin_unreachable();
}

int main(void)
{
        struct remote_fw_image img;
        const void *table;
        size_t table_size;
        uintptr_t entry;
        int rc;

        sh_puts("host: boot\n");

        rc = remote_fw_find("remote_elf", &img);
        if (rc != 0)
                fail(rc);
        sh_puts("host: image ");
        sh_puts(img.name);
        sh_puts(" base=");
        sh_put_hex32((uint32_t)(uintptr_t)img.base);
        sh_puts(" size=");
        sh_put_hex32((uint32_t)img.size);
        sh_puts("\n");

#ifdef REMOTE_FW_SIGNED_HOST
        poison_remote_area();
        {
                /* docs/kit.md "Fault resistance": the verdict tested twice through a
                 * volatile that starts as a refusal, so one skipped instruction (a
                 * store or a branch) cannot turn a refusal into a start */
                volatile int verdict = -1;

                verdict = remote_fw_load_authenticated(&img, &trust, allowed,
                                                       sizeof(allowed) / sizeof(allowed[0]), &entry);
                if (verdict != 0)
                        fail(verdict);
                if (verdict != 0)
                        fail(verdict);
        }
        sh_puts("host: signed image accepted (counter >= ");
        sh_put_dec((int32_t)SIGNED_MIN_COUNTER);
        sh_puts(")\n");
#else
        rc = remote_fw_verify(&img);
        if (rc == 0) {
                sh_puts("host: checksum ok\n");
        } else if (rc == REMOTE_FW_ENOCSUM) {
                sh_puts("host: checksum none: ");
                sh_puts(remote_fw_strerror(rc));
                sh_puts("\n");
        } else {
                fail(rc);
        }
#endif

        rc = remote_fw_rsc_table(&img, &table, &table_size);
        if (rc != 0)
                fail(rc);
        sh_puts("host: rsc entries=");
        sh_put_dec((int32_t)get_le32((const uint8_t *)table + 4));
        sh_puts(" size=");
        sh_put_hex32((uint32_t)table_size);
        sh_puts("\n");

#ifndef REMOTE_FW_SIGNED_HOST
        poison_remote_area();
        rc = remote_fw_load(&img, allowed, sizeof(allowed) / sizeof(allowed[0]), &entry);
        if (rc != 0)
                fail(rc);
#endif
        sh_puts("host: entry=");
        sh_put_hex32((uint32_t)entry);
        sh_puts("\n");

        sh_puts("host: starting remote\n");
        start_remote(entry, REMOTE_RAM_BASE + REMOTE_RAM_SIZE);
}
