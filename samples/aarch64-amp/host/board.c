/*
 * host/board.c - what both hosts of this sample do around the loader (the
 * kit's in host/main.c, OpenAMP's in openamp/host.c): the PSCI conduit from
 * QEMU's device tree, the resource table served as a remoteproc host serves
 * it, the remote's report in shared memory, errors and power-off.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "memmap.h"
#include "pl011.h"
#include "psci.h"

enum psci_conduit conduit = PSCI_HVC;

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

uint32_t get_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t get_le64(const uint8_t *p)
{
        return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

uint32_t get_be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int str_eq(const char *a, const char *b)
{
        while (*a != '\0' && *a == *b) {
                a++;
                b++;
        }
        return *a == *b;
}

/* a fixed-size name field: up to its NUL or its end */
void put_name(const char *name, size_t n)
{
        char buf[33];
        size_t i;

        for (i = 0; i < n && i < sizeof(buf) - 1u && name[i] != '\0'; i++)
                buf[i] = name[i];
        buf[i] = '\0';
        uart_puts(buf);
}

uint64_t current_el(void)
{
        uint64_t el;

        __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
        return (el >> 2) & 3u;
}

__attribute__((noreturn)) void poweroff(void)
{
        uart_flush();
        psci_call(conduit, PSCI_SYSTEM_OFF, 0, 0, 0);
        for (;;)                        /* SYSTEM_OFF does not return */
                __asm__ volatile("wfe");
}

__attribute__((noreturn)) void fail_msg(const char *what, int64_t rc)
{
        uart_puts("host: error: ");
        uart_puts(what);
        uart_puts(" (");
        uart_put_dec(rc);
        uart_puts(")\n");
        poweroff();
}

/*
 * The PSCI conduit from the device tree QEMU left at the base of RAM: the
 * "method" property of the node /psci. A flattened tree (devicetree spec v0.4,
 * ch. 5): big-endian header, then a structure block of tokens.
 * Returns 1 if found (and sets *smc), 0 if there is no tree or no /psci.
 */
#define FDT_MAGIC       0xd00dfeedu
#define FDT_BEGIN_NODE  1u
#define FDT_END_NODE    2u
#define FDT_PROP        3u
#define FDT_NOP         4u
#define FDT_END         9u

static int dtb_psci_method(const uint8_t *fdt, int *smc)
{
        uint32_t total, off_struct, off_strings, size_struct, p, end;
        int depth = 0, in_psci = 0;

        if (get_be32(fdt) != FDT_MAGIC)
                return 0;
        total = get_be32(fdt + 4);
        off_struct = get_be32(fdt + 8);
        off_strings = get_be32(fdt + 12);
        size_struct = get_be32(fdt + 36);
        if (total > (2u << 20) || off_struct > total || size_struct > total - off_struct ||
            off_strings > total)
                return 0;
        p = off_struct;
        end = off_struct + size_struct;
        while (p + 4u <= end) {
                uint32_t tok = get_be32(fdt + p);

                p += 4u;
                if (tok == FDT_BEGIN_NODE) {
                        const char *name = (const char *)fdt + p;
                        uint32_t n = 0;

                        while (p + n < end && name[n] != '\0')
                                n++;
                        depth++;
                        /* "/psci" or "/psci@..." directly under the root */
                        in_psci = depth == 2 && n >= 4u && name[0] == 'p' && name[1] == 's' &&
                                  name[2] == 'c' && name[3] == 'i' && (n == 4u || name[4] == '@');
                        p = (p + n + 1u + 3u) & ~3u;
                } else if (tok == FDT_END_NODE) {
                        depth--;
                        in_psci = 0;
                } else if (tok == FDT_PROP) {
                        uint32_t len, nameoff;

                        if (p + 8u > end)
                                return 0;
                        len = get_be32(fdt + p);
                        nameoff = get_be32(fdt + p + 4u);
                        p += 8u;
                        if (len > end - p || nameoff >= total - off_strings)
                                return 0;
                        if (in_psci && str_eq((const char *)fdt + off_strings + nameoff, "method")) {
                                const char *v = (const char *)fdt + p;

                                if (len >= 4u && str_eq(v, "smc")) {
                                        *smc = 1;
                                        return 1;
                                }
                                if (len >= 4u && str_eq(v, "hvc")) {
                                        *smc = 0;
                                        return 1;
                                }
                                return 0;
                        }
                        p = (p + len + 3u) & ~3u;
                } else if (tok == FDT_NOP) {
                        continue;
                } else {
                        break;          /* FDT_END or garbage */
                }
        }
        return 0;
}

void psci_setup(void)
{
        int smc = 0;
        int64_t v;

        if (!dtb_psci_method((const uint8_t *)DTB_BASE, &smc)) {
                /* no tree: what QEMU does at EL1 without EL3 firmware */
                smc = current_el() == 2u;
                uart_puts("host: no /psci in a dtb at ");
                uart_put_hex(DTB_BASE);
                uart_puts(", assuming ");
                uart_puts(smc ? "smc" : "hvc");
                uart_puts("\n");
        }
        conduit = smc ? PSCI_SMC : PSCI_HVC;
        v = psci_call(conduit, PSCI_VERSION, 0, 0, 0);
        if (v < 0)
                fail_msg("PSCI_VERSION failed", v);
        uart_puts("host: psci ");
        uart_put_dec(v >> 16);
        uart_puts(".");
        uart_put_dec(v & 0xffff);
        uart_puts(smc ? " via smc" : " via hvc");
        uart_puts(" (/psci method in the dtb at ");
        uart_put_hex(DTB_BASE);
        uart_puts(")\n");
}

/* Fill the remote area with a pattern, so that the remote's .bss check proves
 * the loader zeroed it (QEMU's RAM starts out zero anyway). */
void poison_remote_area(void)
{
        volatile uint64_t *p = (volatile uint64_t *)REMOTE_RAM_BASE;
        volatile uint64_t *end = (volatile uint64_t *)(REMOTE_RAM_BASE + REMOTE_RAM_SIZE);

        while (p < end)
                *p++ = 0xa5a5a5a5a5a5a5a5u;
}

void zero(uintptr_t start, size_t n)
{
        volatile uint64_t *p = (volatile uint64_t *)start;

        for (n /= 8u; n != 0u; n--)
                *p++ = 0u;
}

/*
 * What a remoteproc host does with the table before it starts the remote
 * (Linux rproc_handle_resources): note the carveout, and for the rpmsg vdev
 * check that each vring lies in the memory the host shares with the remote
 * and that the notify ids are unique and below 32 (OpenAMP's bitmap), then
 * clear the rings' memory. Returns the offset of the vdev entry.
 */
uint32_t serve_resources(const uint8_t *t, size_t size)
{
        uint32_t num = get_le32(t + 4), i, vdev_off = 0;
        uint32_t seen = 0;

        for (i = 0; i < num; i++) {
                uint32_t off = get_le32(t + 16 + 4 * i);    /* remote_fw_rsc_table checked the bounds */
                const uint8_t *e = t + off;
                uint32_t type = get_le32(e);

                if (type == RSC_CARVEOUT) {
                        uart_puts("host: rsc carveout ");
                        put_name((const char *)e + 24, 32u);
                        uart_puts(" da=");
                        uart_put_hex(get_le32(e + 4));
                        uart_puts(" len=");
                        uart_put_hex(get_le32(e + 12));
                        uart_puts("\n");
                } else if (type == RSC_VDEV && get_le32(e + 4) == VIRTIO_ID_RPMSG) {
                        uint32_t nv = e[25], v;

                        vdev_off = off;
                        seen = 1u << (get_le32(e + 8) & 31u);
                        if (get_le32(e + 8) >= 32u || nv != 2u)
                                fail_msg("rpmsg vdev: notify id >= 32 or not 2 vrings", HOST_ERSC);
                        for (v = 0; v < nv; v++) {
                                const uint8_t *r = e + 28 + 20 * v;
                                uint32_t da = get_le32(r), nid = get_le32(r + 12);

                                if (da < SHM_BASE || da > SHM_BASE + SHM_SIZE - VRING_BYTES ||
                                    nid >= 32u || (seen & (1u << nid)) != 0u)
                                        fail_msg("rpmsg vring outside shared memory or notify id reused",
                                                 HOST_ERSC);
                                seen |= 1u << nid;
                                zero(da, VRING_BYTES);
                        }
                        uart_puts("host: rsc vdev id=7 vrings=2 notifyids=");
                        uart_put_dec(get_le32(e + 8));
                        uart_puts(",");
                        uart_put_dec(get_le32(e + 28 + 12));
                        uart_puts(",");
                        uart_put_dec(get_le32(e + 48 + 12));
                        uart_puts("\n");
                }
        }
        if (vdev_off == 0u || size < vdev_off + 28u)
                fail_msg("no rpmsg vdev in the resource table", HOST_ERSC);
        return vdev_off;
}

uint32_t wait_for_report(void)
{
        uint64_t f, t0, t;
        uint32_t r;

        __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
        __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t0));
        do {
                r = REG32(REMOTE_REPORT);
                __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t));
        } while (r == 0u && t - t0 < REPORT_WAIT_S * f);
        __asm__ volatile("dmb sy" ::: "memory");
        return r;
}

/* AFFINITY_INFO until CPU 1 reads `want` (or about a second passes) */
int64_t wait_affinity(int64_t want)
{
        int64_t s;
        uint32_t n = 0;

        do
                s = psci_call(conduit, PSCI_AFFINITY_INFO_64, REMOTE_MPIDR, 0, 0);
        while (s != want && ++n < 1000000u);
        return s;
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
