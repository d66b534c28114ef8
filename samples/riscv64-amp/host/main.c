/*
 * host/main.c - the host firmware on hart 0: find the remote image it carries,
 * check it, read its resource table, load it into the remote area, hand the
 * entry to hart 1 through the mailbox, wait for the remote's report, and
 * power QEMU off with the verdict.
 *
 * Output (UART0), one fact a line:
 *   host: boot on hart 0
 *   host: image remote_elf base=0x8000xxxx size=0x0000xxxx
 *   host: checksum ok                     (or: host: checksum none: <why>)
 *   host: rsc entries=3 size=0x000000c8
 *   host: entry=0x80200000
 *   host: starting hart 1
 *   ... the remote's lines ...
 *   host: remote reported 0x600df00d
 *   host: pass
 * and on any failure
 *   host: error: <remote_fw_strerror(rc)> (<rc>)   then the test device's FAIL with code -rc
 */
#include <stdint.h>

#include "memmap.h"
#include "remote_fw.h"
#include "uart.h"

#define FINISHER_PASS 0x5555u
#define FINISHER_FAIL 0x3333u
#define ERR_TIMEOUT   100       /* remote did not report */
#define ERR_REMOTE    101       /* remote reported a failure */
#define REPORT_WAIT_S 5u

REMOTE_FW_DECLARE(remote_elf);

/* The loader may write only here. (Writable: a board could adjust it.) */
static struct remote_fw_region allowed[] = {
        { REMOTE_RAM_BASE, REMOTE_RAM_SIZE },
};

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define REG64(a) (*(volatile uint64_t *)(uintptr_t)(a))

__attribute__((noreturn)) static void poweroff(uint32_t code)
{
        uart_flush();
        REG32(SIFIVE_TEST_BASE) = code == 0u ? FINISHER_PASS : (code << 16) | FINISHER_FAIL;
        for (;;)
                __asm__ volatile("wfi");
}

__attribute__((noreturn)) static void fail(int rc)
{
        uart_puts("host: error: ");
        uart_puts(remote_fw_strerror(rc));
        uart_puts(" (");
        uart_put_dec(rc);
        uart_puts(")\n");
        poweroff(rc < 0 ? (uint32_t)-rc : 1u);
}

static uint32_t get_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Fill the remote area with a pattern, so that the remote's .bss check proves
 * the loader zeroed it (QEMU's RAM starts out zero anyway). */
static void poison_remote_area(void)
{
        volatile uint64_t *p = (volatile uint64_t *)REMOTE_RAM_BASE;
        volatile uint64_t *end = (volatile uint64_t *)(REMOTE_RAM_BASE + REMOTE_RAM_SIZE);

        while (p < end)
                *p++ = 0xa5a5a5a5a5a5a5a5u;
}

static uint32_t wait_for_report(void)
{
        uint64_t t0 = REG64(CLINT_MTIME);
        uint32_t r;

        while ((r = REG32(REMOTE_REPORT)) == 0u)
                if (REG64(CLINT_MTIME) - t0 > REPORT_WAIT_S * MTIME_HZ)
                        break;
        __asm__ volatile("fence rw, rw" ::: "memory");
        return r;
}

int main(void)
{
        struct remote_fw_image img;
        const void *table;
        size_t table_size;
        uintptr_t entry;
        uint32_t report;
        int rc;

        uart_puts("host: boot on hart 0\n");

        rc = remote_fw_find("remote_elf", &img);
        if (rc != 0)
                fail(rc);
        uart_puts("host: image ");
        uart_puts(img.name);
        uart_puts(" base=");
        uart_put_hex((uintptr_t)img.base);
        uart_puts(" size=");
        uart_put_hex(img.size);
        uart_puts("\n");

        rc = remote_fw_verify(&img);
        if (rc == 0) {
                uart_puts("host: checksum ok\n");
        } else if (rc == REMOTE_FW_ENOCSUM) {
                uart_puts("host: checksum none: ");
                uart_puts(remote_fw_strerror(rc));
                uart_puts("\n");
        } else {
                fail(rc);
        }

        rc = remote_fw_rsc_table(&img, &table, &table_size);
        if (rc != 0)
                fail(rc);
        uart_puts("host: rsc entries=");
        uart_put_dec(get_le32((const uint8_t *)table + 4));
        uart_puts(" size=");
        uart_put_hex(table_size);
        uart_puts("\n");

        poison_remote_area();
        rc = remote_fw_load(&img, allowed, sizeof(allowed) / sizeof(allowed[0]), &entry);
        if (rc != 0)
                fail(rc);
        uart_puts("host: entry=");
        uart_put_hex(entry);
        uart_puts("\n");

        /* From here until the report the UART belongs to the remote. */
        uart_puts("host: starting hart 1\n");
        uart_flush();
        REG32(REMOTE_REPORT) = 0u;
        __asm__ volatile("fence rw, rw" ::: "memory");
        REG64(MAILBOX_ENTRY) = entry;
        __asm__ volatile("fence rw, rw" ::: "memory");
        REG32(CLINT_MSIP(1)) = 1u;

        report = wait_for_report();
        if (report == 0u) {
                uart_puts("host: error: remote did not report\n");
                poweroff(ERR_TIMEOUT);
        }
        uart_puts("host: remote reported ");
        uart_put_hex(report);
        uart_puts("\n");
        if (report != REPORT_OK) {
                uart_puts("host: error: remote reported a failure\n");
                poweroff(ERR_REMOTE);
        }
        uart_puts("host: pass\n");
        poweroff(0u);
}

__attribute__((aligned(4), noreturn)) void host_trap(void)
{
        uint64_t mcause, mepc;

        __asm__ volatile("csrr %0, mcause" : "=r"(mcause));
        __asm__ volatile("csrr %0, mepc" : "=r"(mepc));
        uart_puts("host: trap mcause=");
        uart_put_hex(mcause);
        uart_puts(" mepc=");
        uart_put_hex(mepc);
        uart_puts("\n");
        poweroff(102u);
}
