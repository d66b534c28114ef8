/*
 * remote/main.c - the remote firmware, run by hart 1 from its own RAM area,
 * where the host's loader (remote_fw_load) put it. It checks that the loader
 * copied .data and zeroed .bss, and that its resource table reads back as the
 * C structs describe it, says so on the UART, then writes its verdict to the
 * shared report word, which the host is polling. The host does not print while
 * it waits, so the two harts never write to the UART at once.
 */
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"
#include "remote_fw_rsc.h"         /* the kit's resource table layout */
#include "uart.h"

#define TRACE_BUF_SIZE 1024u

/* rsc_table.S's table, as C sees it: a carveout, a trace buffer and one rpmsg
 * vdev with two vrings. */
#define REMOTE_RSC_NUM 3u

struct remote_resource_table {
        struct remote_fw_rsc_table_hdr hdr;
        uint32_t offset[REMOTE_RSC_NUM];
        struct remote_fw_rsc_carveout carveout;
        struct remote_fw_rsc_trace trace;
        REMOTE_FW_RSC_VDEV_STRUCT(2) vdev;
} __attribute__((packed));

/* C99 compile-time check: the entries follow the offset array, 200 bytes in all */
typedef char remote_rsc_table_check[
        offsetof(struct remote_resource_table, carveout) == 16 + 4 * REMOTE_RSC_NUM &&
        sizeof(struct remote_resource_table) == 28 + 56 + 48 + 68 ? 1 : -1];

extern struct remote_resource_table resource_table;     /* rsc_table.S */
extern char __remote_ram_start[], __remote_ram_size[];  /* linker script */

/* .data: the loader must have copied these bytes from the image. */
volatile uint32_t data_words[4] = { 0x11223344u, 0x55667788u, 0xdeadbeefu, 0x0badc0deu };
volatile char data_text[] = "initialised .data";

/* .bss: the host fills the remote area with 0xa5 before loading, so these are
 * zero only if the loader zeroed p_filesz..p_memsz. */
volatile uint64_t bss_words[128];
char trace_buf[TRACE_BUF_SIZE];         /* named in the resource table */

static size_t trace_len;

static void say(const char *s)
{
        uart_puts(s);
        while (*s != '\0' && trace_len < TRACE_BUF_SIZE - 1u)
                trace_buf[trace_len++] = *s++;
}

static void report(uint32_t verdict)
{
        uart_flush();   /* our output is out before the host may print again */
        __asm__ volatile("fence rw, rw" ::: "memory");
        *(volatile uint32_t *)REMOTE_REPORT = verdict;
        __asm__ volatile("fence rw, rw" ::: "memory");
}

static int data_ok(void)
{
        static const char want[] = "initialised .data";
        size_t i;

        if (data_words[0] != 0x11223344u || data_words[1] != 0x55667788u ||
            data_words[2] != 0xdeadbeefu || data_words[3] != 0x0badc0deu)
                return 0;
        for (i = 0; i < sizeof(want); i++)
                if (data_text[i] != want[i])
                        return 0;
        return 1;
}

static int bss_ok(void)
{
        size_t i;

        for (i = 0; i < sizeof(bss_words) / sizeof(bss_words[0]); i++)
                if (bss_words[i] != 0u)
                        return 0;
        for (i = 0; i < TRACE_BUF_SIZE; i++)
                if (((volatile char *)trace_buf)[i] != 0)
                        return 0;
        return 1;
}

/* rsc_table.S against remote_fw_rsc.h and the linker's addresses */
static int rsc_ok(void)
{
        const volatile struct remote_resource_table *t = &resource_table;

        return t->hdr.ver == REMOTE_FW_RSC_VERSION && t->hdr.num == REMOTE_RSC_NUM &&
               t->offset[0] == offsetof(struct remote_resource_table, carveout) &&
               t->offset[1] == offsetof(struct remote_resource_table, trace) &&
               t->offset[2] == offsetof(struct remote_resource_table, vdev) &&
               t->carveout.type == REMOTE_FW_RSC_CARVEOUT &&
               t->carveout.da == (uint32_t)(uintptr_t)__remote_ram_start &&
               t->carveout.len == (uint32_t)(uintptr_t)__remote_ram_size &&
               t->trace.type == REMOTE_FW_RSC_TRACE &&
               t->trace.da == (uint32_t)(uintptr_t)trace_buf &&
               t->trace.len == TRACE_BUF_SIZE &&
               t->vdev.type == REMOTE_FW_RSC_VDEV && t->vdev.id == REMOTE_FW_RSC_VIRTIO_ID_RPMSG &&
               t->vdev.num_of_vrings == 2u &&
               t->vdev.vring[0].da == (uint32_t)VRING0_DA &&
               t->vdev.vring[1].da == (uint32_t)VRING1_DA;
}

void remote_main(unsigned long hartid)
{
        int dok = data_ok();
        int bok = bss_ok();
        int rok = rsc_ok();

        say("remote: hello from hart ");
        uart_put_dec((int64_t)hartid);
        say("\nremote: running, data ");
        say(dok ? "ok" : "BAD");
        say(", bss ");
        say(bok ? "ok" : "BAD");
        say(rok ? "" : ", rsc table BAD");
        say("\n");
        report(dok && bok && rok ? (uint32_t)REPORT_OK
               : (uint32_t)REPORT_BAD | (dok ? 0u : 1u) | (bok ? 0u : 2u) | (rok ? 0u : 4u));
}

__attribute__((aligned(4), noreturn)) void remote_trap(void)
{
        uint64_t mcause, mepc;

        __asm__ volatile("csrr %0, mcause" : "=r"(mcause));
        __asm__ volatile("csrr %0, mepc" : "=r"(mepc));
        uart_puts("remote: trap mcause=");
        uart_put_hex(mcause);
        uart_puts(" mepc=");
        uart_put_hex(mepc);
        uart_puts("\n");
        report((uint32_t)REPORT_BAD | 8u);
        for (;;)
                __asm__ volatile("wfi");
}
