/*
 * remote/main.c - the remote firmware, run by CPU 1 from its own RAM area,
 * where the host's loader (remote_fw_load) put it; the host started CPU 1
 * here with PSCI CPU_ON. It checks that the loader copied .data and zeroed
 * .bss, that its resource table reads back as the C structs describe it and
 * that the host marked the rpmsg vdev ready (status DRIVER_OK in the loaded
 * table), says so on the UART, writes its verdict and its CPU number to
 * shared memory, which the host is polling, and turns its CPU off again
 * (PSCI CPU_OFF). The host does not print while it waits, so the two CPUs
 * never write to the UART at once.
 */
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"
#include "remote_fw_rsc.h"         /* the kit's resource table layout */
#include "pl011.h"
#include "psci.h"

#define TRACE_BUF_SIZE          1024u
#define VIRTIO_STATUS_OK        0x07u   /* ACKNOWLEDGE | DRIVER | DRIVER_OK */

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
static enum psci_conduit conduit;

static void say(const char *s)
{
        uart_puts(s);
        while (*s != '\0' && trace_len < TRACE_BUF_SIZE - 1u)
                trace_buf[trace_len++] = *s++;
}

static uint64_t current_el(void)
{
        uint64_t el;

        __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
        return (el >> 2) & 3u;
}

static void report(uint32_t verdict, uint32_t cpu)
{
        uart_flush();   /* our output is out before the host may print again */
        __asm__ volatile("dmb sy" ::: "memory");
        *(volatile uint32_t *)REMOTE_CPU = cpu;
        __asm__ volatile("dmb sy" ::: "memory");
        *(volatile uint32_t *)REMOTE_REPORT = verdict;
        __asm__ volatile("dsb sy" ::: "memory");
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

/* rsc_table.S against remote_fw_rsc.h and the linker's addresses, and the
 * host's write-back: the vdev status byte it sets once the vrings are ready */
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
               t->vdev.vring[1].da == (uint32_t)VRING1_DA &&
               t->vdev.status == VIRTIO_STATUS_OK;
}

void remote_main(uint64_t mpidr, uint64_t context)
{
        uint32_t cpu = (uint32_t)(mpidr & 0xffu);
        int dok = data_ok();
        int bok = bss_ok();
        int rok = rsc_ok();
        int cok = context == SHM_BASE;

        /* the conduit the host used to start us: SMC only where we run at EL2 */
        conduit = current_el() == 2u ? PSCI_SMC : PSCI_HVC;
        say("remote: hello from cpu ");
        uart_put_dec(cpu);
        say("\nremote: running, data ");
        say(dok ? "ok" : "BAD");
        say(", bss ");
        say(bok ? "ok" : "BAD");
        say(rok ? "" : ", rsc table BAD");
        say(cok ? "" : ", context id BAD");
        say("\n");
        report(dok && bok && rok && cok ? (uint32_t)REPORT_OK
               : (uint32_t)REPORT_BAD | (dok ? 0u : 1u) | (bok ? 0u : 2u) | (rok ? 0u : 4u) |
                 (cok ? 0u : 16u), cpu);
        psci_call(conduit, PSCI_CPU_OFF, 0, 0, 0);      /* returns only on failure */
}

/* start.S's vectors land here with the vector's number (0..15) */
__attribute__((noreturn)) void remote_trap(uint64_t vector)
{
        uint64_t esr, elr, mpidr;

        if (current_el() == 2u) {
                __asm__ volatile("mrs %0, esr_el2" : "=r"(esr));
                __asm__ volatile("mrs %0, elr_el2" : "=r"(elr));
        } else {
                __asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
                __asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
        }
        __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
        uart_puts("remote: trap vector=");
        uart_put_dec((int64_t)vector);
        uart_puts(" esr=");
        uart_put_hex(esr);
        uart_puts(" elr=");
        uart_put_hex(elr);
        uart_puts("\n");
        report((uint32_t)REPORT_BAD | 8u, (uint32_t)(mpidr & 0xffu));
        for (;;)
                __asm__ volatile("wfe");
}
