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
#include "board.h"
#include "psci.h"
#include "remote_fw.h"

REMOTE_FW_DECLARE(remote_elf);

/* The loader may write only here. (Writable: a board could adjust it.) */
static struct remote_fw_region allowed[] = {
        { REMOTE_RAM_BASE, REMOTE_RAM_SIZE },
};

__attribute__((noreturn)) static void fail(int rc)
{
        fail_msg(remote_fw_strerror(rc), rc);
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
