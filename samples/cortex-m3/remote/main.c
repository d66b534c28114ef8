/*
 * remote/main.c - the remote firmware. It runs from its own RAM area, put there
 * by the host's loader (remote_fw_load): nothing here copies .data or zeroes
 * .bss. Its first job is to check that the loader did both, then report over
 * semihosting and end the QEMU run with the verdict as the exit status.
 */
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"
#include "remote_fw_rsc.h"         /* the kit's resource table layout */
#include "semihost.h"

#define TRACE_BUF_SIZE 1024u

/* From the linker script (remote.ld / remote-bad.ld). */
extern char __remote_ram_start[];
extern char __remote_ram_size[];
extern uint32_t _estack[];

/* .data: the loader must have copied these bytes from the image. */
volatile uint32_t data_words[4] = { 0x11223344u, 0x55667788u, 0xdeadbeefu, 0x0badc0deu };
volatile char data_text[] = "initialised .data";

/* .bss: the host fills the remote area with 0xa5 before loading, so these are
 * zero only if the loader zeroed p_filesz..p_memsz. */
volatile uint32_t bss_words[256];
static char trace_buf[TRACE_BUF_SIZE];

/* Resource table: a carveout for this area, the trace buffer, one rpmsg vdev
 * with two vrings in shared memory. Writable: a remoteproc host writes vring
 * addresses and notify ids back into the loaded copy. */
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

__attribute__((section(".resource_table"), used, aligned(8)))
struct remote_resource_table resource_table = {
        .hdr = { REMOTE_FW_RSC_VERSION, REMOTE_RSC_NUM, { 0u, 0u } },
        .offset = {
                offsetof(struct remote_resource_table, carveout),
                offsetof(struct remote_resource_table, trace),
                offsetof(struct remote_resource_table, vdev),
        },
        .carveout = {
                REMOTE_FW_RSC_CARVEOUT, (uint32_t)__remote_ram_start, (uint32_t)__remote_ram_start,
                (uint32_t)__remote_ram_size, 0u, 0u, "remote-ram",
        },
        .trace = { REMOTE_FW_RSC_TRACE, (uint32_t)trace_buf, TRACE_BUF_SIZE, 0u, "remote-trace" },
        .vdev = {
                REMOTE_FW_RSC_VDEV, REMOTE_FW_RSC_VIRTIO_ID_RPMSG, 0u,
                1u << REMOTE_FW_RSC_VIRTIO_RPMSG_F_NS, 0u, 0u, 0u, 2u, { 0u, 0u },
                {
                        { VRING0_DA, VRING_ALIGN, VRING_NUM, 1u, 0u },
                        { VRING1_DA, VRING_ALIGN, VRING_NUM, 2u, 0u },
                },
        },
};

static size_t trace_len;

static void trace_puts(const char *s)
{
        while (*s != '\0' && trace_len < TRACE_BUF_SIZE - 1u)
                trace_buf[trace_len++] = *s++;
}

static void say(const char *s)
{
        sh_puts(s);
        trace_puts(s);
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

__attribute__((noreturn, used)) static void remote_main(void)
{
        int dok = data_ok();
        int bok = bss_ok();

        say("remote: running, data ");
        say(dok ? "ok" : "BAD");
        say(", bss ");
        say(bok ? "ok" : "BAD");
        say("\n");
        sh_exit((dok ? 0 : 1) | (bok ? 0 : 2));
}

static void remote_fault(void)
{
        sh_puts("remote: fault\n");
        sh_exit(4);
}

/* e_entry. The host jumps here with interrupts off; take our own stack and
 * vector table before any C runs. */
__attribute__((naked, noreturn)) void remote_entry(void)
{
        __asm__ volatile(
                "ldr r0, =_estack\n"
                "msr msp, r0\n"
                "ldr r0, =remote_vectors\n"
                "ldr r1, =0xE000ED08\n"         /* SCB->VTOR */
                "str r0, [r1]\n"
                "dsb\n"
                "isb\n"
                "b remote_main\n");
}

__attribute__((section(".vectors"), used))
void (*const remote_vectors[16])(void) = {
        (void (*)(void))_estack, remote_entry, remote_fault, remote_fault,
        remote_fault, remote_fault, remote_fault, 0, 0, 0, 0,
        remote_fault, remote_fault, 0, remote_fault, remote_fault,
};
