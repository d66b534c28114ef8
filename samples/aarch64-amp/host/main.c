/*
 * host/main.c - the host firmware on CPU 0: find the remote image it carries,
 * check it, read its resource table the way a remoteproc host does (carveout,
 * rpmsg vdev with its vrings in shared memory), load it into the remote area,
 * set up the vrings and tell the remote through its loaded resource table,
 * start CPU 1 at the remote's entry with PSCI CPU_ON, wait for the remote's
 * report in shared memory, and power QEMU off with PSCI SYSTEM_OFF.
 *
 * Output (PL011 UART0), one fact a line:
 *   host: boot on cpu 0 at EL1
 *   host: psci 1.1 via hvc (/psci method in the dtb at 0x40000000)
 *   host: image remote_elf base=0x402xxxxx size=0x0000xxxx
 *   host: checksum ok                     (or: host: checksum none: <why>)
 *   host: rsc entries=3 size=0x000000c8
 *   host: rsc carveout remote-ram da=0x40400000 len=0x00100000
 *   host: rsc vdev id=7 vrings=2 notifyids=0,1,2
 *   host: entry=0x40400000
 *   host: rsc table at 0x404xxxxx, vdev status 0x07
 *   host: starting cpu 1
 *   ... the remote's lines ...
 *   host: remote reported 0x600df00d
 *   host: remote ran on cpu 1
 *   host: cpu 1 off
 *   host: pass
 * and on any failure
 *   host: error: <what> (<rc>)
 * QEMU exits 0 on SYSTEM_OFF either way: read the output for the verdict.
 */
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"
#include "pl011.h"
#include "psci.h"
#include "remote_fw.h"

#define RSC_CARVEOUT            0u
#define RSC_VDEV                3u
#define VIRTIO_ID_RPMSG         7u
#define VIRTIO_STATUS_OK        0x07u   /* ACKNOWLEDGE | DRIVER | DRIVER_OK */
#define REPORT_WAIT_S           5u

/* host-side errors, next to the kit's REMOTE_FW_E* (all negative) */
#define HOST_ERSC               -101    /* the resource table is not what a host can serve */
#define HOST_ETIMEOUT           -102    /* the remote did not report */
#define HOST_EREMOTE            -103    /* the remote reported a failure */
#define HOST_ETRAP              -104    /* an exception on the host */

REMOTE_FW_DECLARE(remote_elf);

/* The loader may write only here. (Writable: a board could adjust it.) */
static struct remote_fw_region allowed[] = {
        { REMOTE_RAM_BASE, REMOTE_RAM_SIZE },
};

static enum psci_conduit conduit = PSCI_HVC;

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

static uint32_t get_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
        return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static uint32_t get_be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int str_eq(const char *a, const char *b)
{
        while (*a != '\0' && *a == *b) {
                a++;
                b++;
        }
        return *a == *b;
}

/* a fixed-size name field: up to its NUL or its end */
static void put_name(const char *name, size_t n)
{
        char buf[33];
        size_t i;

        for (i = 0; i < n && i < sizeof(buf) - 1u && name[i] != '\0'; i++)
                buf[i] = name[i];
        buf[i] = '\0';
        uart_puts(buf);
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

static void psci_setup(void)
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
static void poison_remote_area(void)
{
        volatile uint64_t *p = (volatile uint64_t *)REMOTE_RAM_BASE;
        volatile uint64_t *end = (volatile uint64_t *)(REMOTE_RAM_BASE + REMOTE_RAM_SIZE);

        while (p < end)
                *p++ = 0xa5a5a5a5a5a5a5a5u;
}

static void zero(uintptr_t start, size_t n)
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
static uint32_t serve_resources(const uint8_t *t, size_t size)
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

/*
 * Where the loader put the byte at `p` of the image: the PT_LOAD whose file
 * bytes hold it, at p_paddr (ELF64 little-endian, as remote_fw_load checked).
 */
static uintptr_t loaded_address(const struct remote_fw_image *img, const void *p)
{
        const uint8_t *b = img->base;
        uint64_t off = (uint64_t)((const uint8_t *)p - b);
        uint64_t phoff = get_le64(b + 32);
        uint32_t phentsize = (uint32_t)b[54] | (uint32_t)b[55] << 8;
        uint32_t phnum = (uint32_t)b[56] | (uint32_t)b[57] << 8;
        uint32_t i;

        for (i = 0; i < phnum; i++) {
                const uint8_t *ph = b + phoff + (uint64_t)i * phentsize;
                uint64_t p_offset = get_le64(ph + 8), p_paddr = get_le64(ph + 24);
                uint64_t p_filesz = get_le64(ph + 32);

                if (get_le32(ph) == 1u && off >= p_offset && off - p_offset < p_filesz)
                        return (uintptr_t)(p_paddr + (off - p_offset));
        }
        return 0;
}

static uint32_t wait_for_report(void)
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
static int64_t wait_affinity(int64_t want)
{
        int64_t s;
        uint32_t n = 0;

        do
                s = psci_call(conduit, PSCI_AFFINITY_INFO_64, REMOTE_MPIDR, 0, 0);
        while (s != want && ++n < 1000000u);
        return s;
}

int main(void)
{
        struct remote_fw_image img;
        const void *table;
        size_t table_size;
        uintptr_t entry, loaded_table;
        uint32_t report, vdev_off;
        int64_t s;
        int rc;

        uart_puts("host: boot on cpu 0 at EL");
        uart_put_dec((int64_t)current_el());
        uart_puts("\n");
        psci_setup();

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
        vdev_off = serve_resources(table, table_size);

        poison_remote_area();
        rc = remote_fw_load(&img, allowed, sizeof(allowed) / sizeof(allowed[0]), &entry);
        if (rc != 0)
                fail(rc);
        uart_puts("host: entry=");
        uart_put_hex(entry);
        uart_puts("\n");

        /* Like Linux after rproc_start's copy: the loaded table is the one the
         * remote reads. Tell it the virtio driver is ready (vdev status byte). */
        loaded_table = loaded_address(&img, table);
        if (loaded_table < REMOTE_RAM_BASE ||
            loaded_table + table_size > REMOTE_RAM_BASE + REMOTE_RAM_SIZE)
                fail_msg("the resource table is not loaded in the remote area", HOST_ERSC);
        *(volatile uint8_t *)(loaded_table + vdev_off + 24u) = VIRTIO_STATUS_OK;
        uart_puts("host: rsc table at ");
        uart_put_hex(loaded_table);
        uart_puts(", vdev status 0x07\n");

        s = psci_call(conduit, PSCI_AFFINITY_INFO_64, REMOTE_MPIDR, 0, 0);
        if (s != PSCI_AFF_OFF)
                fail_msg("cpu 1 is not off before CPU_ON", s);

        /* From here until the report the UART belongs to the remote. */
        uart_puts("host: starting cpu 1\n");
        uart_flush();
        REG32(REMOTE_REPORT) = 0u;
        REG32(REMOTE_CPU) = 0xffffffffu;
        /* caches are off (SCTLR_EL1.C = I = 0): a barrier is all the remote's
         * code and data need before another CPU fetches them */
        __asm__ volatile("dsb sy; isb" ::: "memory");
        s = psci_call(conduit, PSCI_CPU_ON_64, REMOTE_MPIDR, entry, SHM_BASE);
        if (s != PSCI_SUCCESS)
                fail_msg("PSCI CPU_ON failed", s);

        report = wait_for_report();
        if (report == 0u)
                fail_msg("remote did not report", HOST_ETIMEOUT);
        uart_puts("host: remote reported ");
        uart_put_hex(report);
        uart_puts("\n");
        uart_puts("host: remote ran on cpu ");
        uart_put_dec(REG32(REMOTE_CPU));
        uart_puts("\n");
        if (report != REPORT_OK)
                fail_msg("remote reported a failure", HOST_EREMOTE);

        s = wait_affinity(PSCI_AFF_OFF);  /* the remote ends with CPU_OFF */
        if (s != PSCI_AFF_OFF)
                fail_msg("cpu 1 did not turn itself off", s);
        uart_puts("host: cpu 1 off\n");
        uart_puts("host: pass\n");
        poweroff();
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
