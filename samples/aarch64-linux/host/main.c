/*
 * host/main.c - the host firmware on CPU 0 of a remote that runs Linux. The
 * image it carries is the remote's bootstrap ELF (which carries the FIT); to
 * the host it is a remote like any other: find it, check its checksum, read
 * its resource table (one carveout: the remote's RAM, which must be the
 * memory this board gives the remote), load
 * its PT_LOADs into the remote's RAM, start CPU 1 at its entry with PSCI
 * CPU_ON. Then the UART belongs to the remote: the host says nothing more
 * while CPU 1 runs. It idles in WFI, woken every 10 ms by its timer through
 * the GIC (interrupts masked, polled), to ask PSCI whether CPU 1 is still on; if the bootstrap gave
 * up (it refused the FIT: it leaves its error code in the shared words, then
 * turns CPU 1 off), the host says so and ends QEMU with SYSTEM_OFF. A Linux
 * that runs keeps CPU 1 on, and the host stays silent; so it does when CPU 1
 * goes off without the bootstrap's word: that is Linux powering the machine
 * off (QEMU's PSCI SYSTEM_OFF turns the calling CPU off before QEMU exits).
 *
 * Output (PL011 UART0):
 *   host: start on cpu 0 at EL1, t=0.0xxxxx
 *   host: image bootstrap_elf base=0x402xxxxx size=0x0xxxxxxx
 *   host: checksum ok
 *   host: rsc carveout remote-linux-ram da=0x48000000 len=0x08000000
 *   host: entry=0x4c000000, t=0.xxxxxx
 *   host: starting cpu 1 via hvc
 *   ... the remote's lines (bootstrap, Linux) ...
 * and, only if the bootstrap stopped,
 *   host: cpu 1 is off: the bootstrap stopped (<rc>)
 * or on a failure
 *   host: error: <what> (<rc>)
 */
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"
#include "pl011.h"
#include "psci.h"
#include "remote_fw.h"
#include "timer.h"

#define HOST_ERSC               -101    /* the resource table is not what this host serves */
#define HOST_ETRAP              -104    /* an exception on the host (as aarch64-amp) */

REMOTE_FW_DECLARE(bootstrap_elf);

/* The loader may write only the bootstrap's part of the remote's RAM: the
 * rest is where the bootstrap puts the kernel, device tree and initramfs. */
static const struct remote_fw_region allowed[] = {
        { BOOTSTRAP_BASE, BOOTSTRAP_SIZE },
};

static enum psci_conduit conduit = PSCI_HVC;

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

static uint32_t get_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t current_el(void)
{
        uint64_t el;

        __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
        return (el >> 2) & 3u;
}

__attribute__((noreturn)) static void poweroff(void)
{
        uart_flush();
        psci_call(conduit, PSCI_SYSTEM_OFF, 0, 0, 0);
        for (;;)                        /* SYSTEM_OFF does not return */
                __asm__ volatile("wfe");
}

__attribute__((noreturn)) static void fail_msg(const char *what, int64_t rc)
{
        uart_puts("host: error: ");
        uart_puts(what);
        uart_puts(" (");
        uart_put_dec(rc);
        uart_puts(")\n");
        poweroff();
}

__attribute__((noreturn)) static void fail(int rc)
{
        fail_msg(remote_fw_strerror(rc), rc);
}

/*
 * Silent from here. The host idles as an interrupt-driven firmware does: WFI,
 * woken every WATCH_MS by its generic timer (the EL1 physical timer, PPI 30).
 * Interrupts stay masked in PSTATE (no vector is ever taken): a pending
 * interrupt ends WFI all the same, and the host acknowledges it by polling
 * the GIC's CPU interface. WFI matters: QEMU halts a vCPU in WFI, while WFE
 * only yields and spins, and a spinning CPU 0 slowed the remote's boot about
 * twofold on a loaded 2-core machine. Then ask PSCI whether CPU 1 is still on.
 *
 * The GIC: the CPU interface, PPI 30's enable and priority are banked (CPU 0's
 * own); the distributor's enable bit is shared. Linux on CPU 1 writes it 0,
 * sets up every SPI for itself, then writes it 1 again: the host's wake-up
 * waits out that window, and the host touches no SPI.
 */
#define GICD_CTLR               0x000u
#define GICD_ISENABLER0         0x100u
#define GICD_IPRIORITYR         0x400u
#define GICC_CTLR               0x000u
#define GICC_PMR                0x004u
#define GICC_IAR                0x00cu
#define GICC_EOIR               0x010u
#define GIC_SPURIOUS            1023u
#define WATCH_MS                10u

static void timer_arm(uint64_t ticks)
{
        __asm__ volatile("msr cntp_tval_el0, %0; msr cntp_ctl_el0, %1; isb"
                         : : "r"(ticks), "r"((uint64_t)1) : "memory");      /* ENABLE, not IMASK */
}

static void watch_setup(void)
{
        uint32_t prio = GICD_IPRIORITYR + (TIMER_PPI & ~3u);
        uint32_t shift = 8u * (TIMER_PPI & 3u);

        REG32(GICD_BASE + prio) = (REG32(GICD_BASE + prio) & ~(0xffu << shift)) | (0x80u << shift);
        REG32(GICD_BASE + GICD_ISENABLER0) = 1u << TIMER_PPI;
        REG32(GICD_BASE + GICD_CTLR) = 1u;
        REG32(GICC_BASE + GICC_PMR) = 0xf0u;
        REG32(GICC_BASE + GICC_CTLR) = 1u;
}

__attribute__((noreturn)) static void watch_remote(void)
{
        uint64_t period = timer_freq() / (1000u / WATCH_MS);
        uint32_t iar;

        for (;;) {
                timer_arm(period);
                __asm__ volatile("dsb sy; wfi" ::: "memory");
                iar = REG32(GICC_BASE + GICC_IAR);      /* acknowledge, never taken */
                if ((iar & 0x3ffu) != GIC_SPURIOUS)
                        REG32(GICC_BASE + GICC_EOIR) = iar;
                if (psci_call(conduit, PSCI_AFFINITY_INFO_64, REMOTE_MPIDR, 0, 0) == PSCI_AFF_OFF &&
                    REG32(STATUS_MAGIC) == STOPPED)
                        break;
        }
        __asm__ volatile("dmb sy" ::: "memory");
        uart_puts("host: cpu 1 is off: the bootstrap stopped (");
        uart_put_dec((int32_t)REG32(STATUS_RC));
        uart_puts(")\n");
        poweroff();
}

int main(void)
{
        struct remote_fw_image img;
        const void *table;
        const uint8_t *t, *carveout;
        size_t table_size;
        uintptr_t entry;
        int64_t s;
        int rc;

        /* QEMU starts CPUs at EL1 with HVC as the PSCI conduit, or at EL2
         * (virtualization=on) with SMC: the remote's device tree must say the
         * same (linux/remote.dts, PSCI_METHOD) */
        conduit = current_el() == 2u ? PSCI_SMC : PSCI_HVC;
        uart_puts("host: start on cpu 0 at EL");
        uart_put_dec((int64_t)current_el());
        uart_puts(", ");
        put_time();
        uart_puts("\n");

        rc = remote_fw_find("bootstrap_elf", &img);
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
        if (rc == 0)
                uart_puts("host: checksum ok\n");
        else if (rc == REMOTE_FW_ENOCSUM)
                uart_puts("host: checksum none: no checksum recorded\n");
        else
                fail(rc);

        /* The table as Linux's rproc_handle_resources reads it (the kit checked
         * its bounds): one carveout, for exactly the remote's RAM. */
        rc = remote_fw_rsc_table(&img, &table, &table_size);
        if (rc != 0)
                fail(rc);
        t = table;
        carveout = t + get_le32(t + 16);
        if (get_le32(t + 4) != 1u || get_le32(carveout) != 0u ||
            get_le32(carveout + 4) != REMOTE_RAM_BASE || get_le32(carveout + 12) != REMOTE_RAM_SIZE ||
            carveout[24 + 31] != 0u)
                fail_msg("the resource table does not ask for the remote's RAM", HOST_ERSC);
        uart_puts("host: rsc carveout ");
        uart_puts((const char *)carveout + 24);     /* name[32], NUL-terminated (checked) */
        uart_puts(" da=");
        uart_put_hex(get_le32(carveout + 4));
        uart_puts(" len=");
        uart_put_hex(get_le32(carveout + 12));
        uart_puts("\n");

        rc = remote_fw_load(&img, allowed, sizeof(allowed) / sizeof(allowed[0]), &entry);
        if (rc != 0)
                fail(rc);
        uart_puts("host: entry=");
        uart_put_hex(entry);
        uart_puts(", ");
        put_time();
        uart_puts("\n");

        s = psci_call(conduit, PSCI_AFFINITY_INFO_64, REMOTE_MPIDR, 0, 0);
        if (s != PSCI_AFF_OFF)
                fail_msg("cpu 1 is not off before CPU_ON", s);

        /* From here the UART belongs to the remote. */
        uart_puts(conduit == PSCI_SMC ? "host: starting cpu 1 via smc\n" : "host: starting cpu 1 via hvc\n");
        uart_flush();
        REG32(STATUS_MAGIC) = 0u;
        REG32(STATUS_RC) = 0u;
        /* caches are off (SCTLR_EL1.C = I = 0): a barrier is all the remote's
         * code and data need before another CPU fetches them */
        __asm__ volatile("dsb sy; isb" ::: "memory");
        watch_setup();
        s = psci_call(conduit, PSCI_CPU_ON_64, REMOTE_MPIDR, entry, SHM_BASE);
        if (s != PSCI_SUCCESS)
                fail_msg("PSCI CPU_ON failed", s);
        watch_remote();
}

/* start.S's vectors land here with the vector's number (0..15) */
__attribute__((noreturn)) void host_trap(uint64_t vector)
{
        uint64_t esr, elr;

        if (current_el() == 2u) {
                __asm__ volatile("mrs %0, esr_el2" : "=r"(esr));
                __asm__ volatile("mrs %0, elr_el2" : "=r"(elr));
        } else {
                __asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
                __asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
        }
        uart_puts("host: trap vector=");
        uart_put_dec((int64_t)vector);
        uart_puts(" esr=");
        uart_put_hex(esr);
        uart_puts(" elr=");
        uart_put_hex(elr);
        uart_puts("\n");
        fail_msg("trap", HOST_ETRAP);
}
