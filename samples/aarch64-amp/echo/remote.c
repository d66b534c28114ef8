/*
 * echo/remote.c - the rpmsg echo remote (build/remote-echo.elf): bare metal
 * on CPU 1, OpenAMP in the virtio device role, for both hosts of this sample
 * (the bare-metal OpenAMP host of `make run-echo` and Linux's remoteproc of
 * `make run-linux-host`; the README's "rpmsg echo" is the contract):
 *
 *   remoteproc_init, remoteproc_add_mem (its own area, the shared memory)
 *   remoteproc_set_rsc_table(its own .resource_table: the copy the host wrote)
 *   wait for DRIVER_OK (wfi: the host's SGI, or the 1 ms timer)
 *   remoteproc_create_virtio(VIRTIO_DEV_DEVICE), rpmsg_init_vdev
 *   rpmsg_create_ept("rpmsg-openamp-demo-channel"): announced at address 53
 *   echo every message to its sender, until the host resets the vdev
 *   PSCI CPU_OFF
 *
 * Kicks: the host's SGI 8 wakes it; without one, its generic timer does every
 * ECHO_POLL_US. It kicks the host by setting SPI 240 pending.
 *
 * Built from the same source, for the host's failure tests:
 *   -DECHO_SILENT       never creates the endpoint, so never announces
 *   -DECHO_CORRUPT=N    flips the last byte of every Nth echo
 * (and rsc_table.S -DRSC_VRING0_DA=addr for a vring outside shared memory).
 */
#include <stddef.h>
#include <stdint.h>

#include <metal/io.h>
#include <metal/sys.h>
#include <openamp/remoteproc.h>
#include <openamp/rpmsg_virtio.h>

#include "gic.h"
#include "memmap.h"
#include "oa_env.h"
#include "pl011.h"
#include "psci.h"

#define ECHO_CHANNEL    "rpmsg-openamp-demo-channel"
#define TRACE_BUF_SIZE  1024

extern char resource_table[], resource_table_end[];     /* rsc_table.S -DRSC_ECHO */
char trace_buf[TRACE_BUF_SIZE];                 /* named in the resource table */

static enum psci_conduit conduit;
static struct remoteproc rproc;
static struct remoteproc_mem ram_mem, shm_mem;
static struct metal_io_region ram_io, shm_io;
static metal_phys_addr_t ram_phys = ECHO_RAM_BASE, shm_phys = ECHO_SHM_BASE;
static struct rpmsg_virtio_device rvdev;
static volatile uint8_t *vdev_status;
static uint64_t poll_ticks;
static uint32_t echoed;

/* Output goes to the UART and to the trace buffer of the resource table (a
 * Linux host shows it in debugfs, remoteproc<N>/trace0); the buffer keeps the
 * first TRACE_BUF_SIZE - 1 bytes, NUL-terminated (.bss is zero). */
static void put(const char *s)
{
        static size_t trace_len;

        uart_puts(s);
        while (*s != '\0' && trace_len < TRACE_BUF_SIZE - 1u)
                trace_buf[trace_len++] = *s++;
}

static void put_num(uint64_t v, unsigned int base)
{
        char buf[24];
        char *p = buf + sizeof(buf) - 1;

        *p = '\0';
        do
                *--p = "0123456789abcdef"[v % base];
        while ((v /= base) != 0u);
        if (base == 16u) {
                *--p = 'x';
                *--p = '0';
        }
        put(p);
}

static void say(const char *s)
{
        put("remote: ");
        put(s);
        put("\n");
}

static __attribute__((noreturn)) void cpu_off(void)
{
        uart_flush();
        __asm__ volatile("dsb sy" ::: "memory");
        psci_call(conduit, PSCI_CPU_OFF, 0, 0, 0);
        for (;;)                        /* CPU_OFF does not return */
                __asm__ volatile("wfi");
}

__attribute__((noreturn)) void oa_fatal(const char *what, int rc)
{
        put("remote: error: ");
        put(what);
        put(rc < 0 ? " (-" : " (");
        put_num(rc < 0 ? -(uint64_t)rc : (uint64_t)rc, 10u);
        put(")\n");
        cpu_off();
}

/* start.S's vectors land here with the vector's number */
__attribute__((noreturn)) void remote_trap(uint64_t vector)
{
        uint64_t esr, elr;

        __asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
        __asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
        put("remote: trap vector=");
        put_num(vector, 10u);
        put(" esr=");
        put_num(esr, 16u);
        put(" elr=");
        put_num(elr, 16u);
        put("\n");
        oa_fatal("trap", -1);
}

/* ---- remoteproc ops: memory is what main registered; kicks go to the host -- */

static struct remoteproc *rproc_init(struct remoteproc *r, const struct remoteproc_ops *ops,
                                     void *arg)
{
        (void)ops;
        (void)arg;
        return r;
}

/* nothing beyond the registered memories (remoteproc_mmap looks there first) */
static void *rproc_mmap(struct remoteproc *r, metal_phys_addr_t *pa, metal_phys_addr_t *da,
                        size_t size, unsigned int attribute, struct metal_io_region **io)
{
        (void)r;
        (void)pa;
        (void)da;
        (void)size;
        (void)attribute;
        (void)io;
        return NULL;
}

static int rproc_notify(struct remoteproc *r, uint32_t id)
{
        (void)r;
        (void)id;
        gic_spi_pend(ECHO_SPI_HOST);
        return 0;
}

static const struct remoteproc_ops rproc_ops = {
        .init = rproc_init,
        .mmap = rproc_mmap,
        .notify = rproc_notify,
};

/* ---- the echo ---------------------------------------------------------------- */

static int host_alive(void)
{
        return (*vdev_status & VIRTIO_CONFIG_STATUS_DRIVER_OK) != 0u;
}

/* no TX buffer free: sleep until the host returns one (it kicks) or resets */
static int wait_tx(struct rpmsg_device *rdev, uint32_t id)
{
        (void)rdev;
        (void)id;
        if (!host_alive())
                return RPMSG_ERR_NO_BUFF;
        irq_wait(poll_ticks);
        remoteproc_get_notification(&rproc, RSC_NOTIFY_ID_ANY);
        return RPMSG_SUCCESS;
}

#ifndef ECHO_SILENT
static int echo_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
        (void)priv;
        echoed++;
#ifdef ECHO_CORRUPT
        if (echoed % ECHO_CORRUPT == 0u && len != 0u)
                ((volatile uint8_t *)data)[len - 1u] ^= 0x5au;
#endif
        if (rpmsg_sendto(ept, data, (int)len, src) < 0)
                say("echo not sent (no buffer)");
        return RPMSG_SUCCESS;
}
#endif

/* the vdev entry of our own table (the host wrote its status into it) */
static struct fw_rsc_vdev *find_vdev(void)
{
        struct resource_table *t = (struct resource_table *)resource_table;
        uint32_t i;

        for (i = 0; i < t->num; i++) {
                struct fw_rsc_hdr *h = (struct fw_rsc_hdr *)(resource_table + t->offset[i]);

                if (h->type == RSC_VDEV)
                        return (struct fw_rsc_vdev *)h;
        }
        return NULL;
}

__attribute__((noreturn)) void remote_main(uint64_t mpidr, uint64_t context)
{
        struct metal_init_params params = METAL_INIT_DEFAULTS;
        struct fw_rsc_vdev *vdev_rsc;
        struct virtio_device *vdev;
        uint64_t el;
        int rc;

        (void)context;
        __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
        conduit = ((el >> 2) & 3u) == 2u ? PSCI_SMC : PSCI_HVC;
        if (((el >> 2) & 3u) != 1u)
                oa_fatal("the echo remote runs at EL1", (int)((el >> 2) & 3u));
        mmu_and_fp_on();
        put("remote: rpmsg echo on cpu ");
        put_num(mpidr & 0xffu, 10u);
        put("\n");

        gic_cpu_on();
        poll_ticks = timer_freq() * ECHO_POLL_US / 1000000u;

        params.log_level = METAL_LOG_WARNING;
        rc = metal_init(&params);
        if (rc != 0)
                oa_fatal("metal_init", rc);
        if (remoteproc_init(&rproc, &rproc_ops, NULL) == NULL)
                oa_fatal("remoteproc_init", -1);
        oa_io_init(&ram_io, &ram_phys, ECHO_RAM_SIZE);
        oa_io_init(&shm_io, &shm_phys, ECHO_SHM_SIZE);
        remoteproc_init_mem(&ram_mem, "remote-ram", ECHO_RAM_BASE, ECHO_RAM_BASE, ECHO_RAM_SIZE,
                            &ram_io);
        remoteproc_add_mem(&rproc, &ram_mem);
        remoteproc_init_mem(&shm_mem, "shm", ECHO_SHM_BASE, ECHO_SHM_BASE, ECHO_SHM_SIZE, &shm_io);
        remoteproc_add_mem(&rproc, &shm_mem);
        rc = remoteproc_set_rsc_table(&rproc, (struct resource_table *)resource_table,
                                      (size_t)(resource_table_end - resource_table));
        if (rc != 0)
                oa_fatal("remoteproc_set_rsc_table", rc);
        vdev_rsc = find_vdev();
        if (vdev_rsc == NULL)
                oa_fatal("no vdev in the resource table", -1);
        vdev_status = &vdev_rsc->status;

        /* the host may start us before its virtio driver is ready (Linux does) */
        while (!host_alive())
                irq_wait(poll_ticks);

        vdev = remoteproc_create_virtio(&rproc, 0, VIRTIO_DEV_DEVICE, NULL);
        if (vdev == NULL)
                oa_fatal("remoteproc_create_virtio", -1);
        rc = rpmsg_init_vdev(&rvdev, vdev, NULL, &shm_io, NULL);
        if (rc != 0)
                oa_fatal("rpmsg_init_vdev", rc);
        rpmsg_virtio_set_wait_cb(&rvdev, wait_tx);

#ifdef ECHO_SILENT
        say("silent build: no endpoint, no announcement");
#else
        {
                static struct rpmsg_endpoint ept;

                /* said before: the host may print as soon as the announcement is out */
                say("announcing " ECHO_CHANNEL);
                rc = rpmsg_create_ept(&ept, rpmsg_virtio_get_rpmsg_device(&rvdev), ECHO_CHANNEL,
                                      RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, echo_cb, NULL);
                if (rc != 0)
                        oa_fatal("rpmsg_create_ept", rc);
        }
#endif

        /* echo until the host resets the vdev (its stop) */
        while (host_alive()) {
                remoteproc_get_notification(&rproc, RSC_NOTIFY_ID_ANY);
                irq_wait(poll_ticks);
        }
        put("remote: vdev reset after ");
        put_num(echoed, 10u);
        put(" echoes, cpu off\n");
        cpu_off();
}
