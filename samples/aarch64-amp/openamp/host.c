/*
 * openamp/host.c - the host on CPU 0 on real OpenAMP: the same job as
 * host/main.c, with OpenAMP's remoteproc doing the loading through the kit's
 * image store (linker/remote_fw_openamp.h):
 *
 *   remoteproc_init(&rproc, &ops, ...)    ops.mmap over the remote area,
 *                                          ops.start = PSCI CPU_ON at the entry,
 *                                          ops.stop  = wait for the remote's CPU_OFF
 *   remoteproc_config(&rproc, NULL)
 *   remoteproc_load(&rproc, "remote_elf", &st, &remote_fw_store_ops, NULL)
 *   remoteproc_start(&rproc)
 *
 * libmetal (generic system) and open-amp are cross-built for this bare-metal
 * host by the Makefile (make run-openamp); picolibc is the C library. Output:
 *   host: boot on cpu 0 at EL1 (openamp)
 *   host: psci 1.1 via hvc (/psci method in the dtb at 0x40000000)
 *   host: remoteproc_load remote_elf through the kit's image store
 *   host: remoteproc_load rc=0 entry=0x40400000
 *   host: rsc table at 0x40401848 size=0x000000c8 (as OpenAMP wrote it back)
 *   host: rsc carveout remote-ram da=0x40400000 len=0x00100000
 *   host: rsc vdev id=7 vrings=2 notifyids=0,1,2
 *   host: vdev status 0x07
 *   host: remoteproc_start: cpu 1 at 0x40400000
 *   ... the remote's lines ...
 *   host: remote reported 0x600df00d
 *   host: remote ran on cpu 1
 *   host: remoteproc_stop: cpu 1 off
 *   host: pass
 * and on failure "host: error: <what> (<rc>)", with the store's
 * REMOTE_FW_E... reason when the store refused the image.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <metal/io.h>
#include <metal/sys.h>
#include <openamp/remoteproc.h>

#include "board.h"
#include "memmap.h"
#include "oa_env.h"
#include "pl011.h"
#include "psci.h"
#include "remote_fw_openamp.h"

#define HOST_EEL                -105    /* not at EL1: this host sets up EL1's MMU */
#define HOST_ELOAD              -106    /* remoteproc_load failed, the store refused nothing */

REMOTE_FW_DECLARE(remote_elf);

/* a failed assert, abort or exit (common/oa_env.c) */
__attribute__((noreturn)) void oa_fatal(const char *what, int rc)
{
        fail_msg(what, rc);
}

/* ---- the remote's memory for OpenAMP: one io region over the remote area -- */
static metal_phys_addr_t remote_phys = REMOTE_RAM_BASE;
static struct metal_io_region remote_io;

static struct remoteproc *rproc_init(struct remoteproc *rproc, const struct remoteproc_ops *ops,
                                     void *arg)
{
        (void)ops;
        (void)arg;
        oa_io_init(&remote_io, &remote_phys, REMOTE_RAM_SIZE);
        return rproc;
}

/* Only the remote area: anything else (a segment or carveout elsewhere) fails. */
static void *rproc_mmap(struct remoteproc *rproc, metal_phys_addr_t *pa, metal_phys_addr_t *da,
                        size_t size, unsigned int attribute, struct metal_io_region **io)
{
        (void)rproc;
        (void)attribute;
        return oa_io_map(&remote_io, pa, da, size, io);
}

static int rproc_start(struct remoteproc *rproc)
{
        int64_t s;

        s = psci_call(conduit, PSCI_AFFINITY_INFO_64, REMOTE_MPIDR, 0, 0);
        if (s != PSCI_AFF_OFF)
                fail_msg("cpu 1 is not off before CPU_ON", s);
        uart_puts("host: remoteproc_start: cpu 1 at ");
        uart_put_hex(rproc->bootaddr);
        uart_puts("\n");
        /* From here until the report the UART belongs to the remote. */
        uart_flush();
        REG32(REMOTE_REPORT) = 0u;
        REG32(REMOTE_CPU) = 0xffffffffu;
        __asm__ volatile("dsb sy; isb" ::: "memory");
        s = psci_call(conduit, PSCI_CPU_ON_64, REMOTE_MPIDR, rproc->bootaddr, SHM_BASE);
        return s == PSCI_SUCCESS ? 0 : (int)s;
}

/* A CPU can only turn itself off: the remote ends with CPU_OFF, stop waits for it. */
static int rproc_stop(struct remoteproc *rproc)
{
        (void)rproc;
        return wait_affinity(PSCI_AFF_OFF) == PSCI_AFF_OFF ? 0 : -1;
}

static const struct remoteproc_ops rproc_ops = {
        .init = rproc_init,
        .mmap = rproc_mmap,
        .start = rproc_start,
        .stop = rproc_stop,
};

int main(void)
{
        struct metal_init_params params = METAL_INIT_DEFAULTS;
        struct remoteproc rproc;
        struct remote_fw_store st;
        const uint8_t *table;
        uint32_t report, vdev_off;
        int rc;

        if (current_el() != 1u)
                fail_msg("the OpenAMP host runs at EL1", HOST_EEL);
        mmu_and_fp_on();
        uart_puts("host: boot on cpu 0 at EL1 (openamp)\n");
        psci_setup();

        params.log_level = METAL_LOG_WARNING;
        rc = metal_init(&params);
        if (rc != 0)
                fail_msg("metal_init", rc);
        if (remoteproc_init(&rproc, &rproc_ops, NULL) == NULL)
                fail_msg("remoteproc_init", -1);
        rc = remoteproc_config(&rproc, NULL);
        if (rc != 0)
                fail_msg("remoteproc_config", rc);

        poison_remote_area();
        uart_puts("host: remoteproc_load remote_elf through the kit's image store\n");
        remote_fw_store_init(&st, NULL);
        rc = remoteproc_load(&rproc, "remote_elf", &st, &remote_fw_store_ops, NULL);
        if (rc != 0) {
                int why = remote_fw_store_error(&st);

                if (why != 0)
                        fail_msg(remote_fw_strerror(why), why);
                fail_msg("remoteproc_load failed, the store refused nothing", HOST_ELOAD);
        }
        uart_puts("host: remoteproc_load rc=0 entry=");
        uart_put_hex(rproc.bootaddr);
        uart_puts("\n");

        /* OpenAMP handled the table and wrote it back at its sh_addr: that copy
         * is the one the remote reads. Serve it as host/main.c does. */
        table = rproc.rsc_table;
        if (table == NULL)
                fail_msg("no resource table after remoteproc_load", HOST_ERSC);
        uart_puts("host: rsc table at ");
        uart_put_hex((uintptr_t)table);
        uart_puts(" size=");
        uart_put_hex(rproc.rsc_len);
        uart_puts(" (as OpenAMP wrote it back)\n");
        vdev_off = serve_resources(table, rproc.rsc_len);
        *(volatile uint8_t *)(table + vdev_off + 24u) = VIRTIO_STATUS_OK;
        uart_puts("host: vdev status 0x07\n");

        rc = remoteproc_start(&rproc);
        if (rc != 0)
                fail_msg("remoteproc_start (PSCI CPU_ON)", rc);

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

        rc = remoteproc_stop(&rproc);
        if (rc != 0)
                fail_msg("cpu 1 did not turn itself off", rc);
        uart_puts("host: remoteproc_stop: cpu 1 off\n");
        remoteproc_shutdown(&rproc);
        remoteproc_remove(&rproc);
        metal_finish();
        uart_puts("host: pass\n");
        poweroff();
}
