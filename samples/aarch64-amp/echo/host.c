/*
 * echo/host.c - the rpmsg echo's bare-metal host on CPU 0 (make run-echo):
 * OpenAMP in the virtio driver role talks rpmsg to the remote it loads from
 * its own bundle (build/remote-echo.elf, stem remote_echo):
 *
 *   remoteproc_load through the kit's image store (the remote's area only)
 *   the vrings checked against the shared memory, then the shared memory
 *     added (remoteproc_add_mem): loading could not write there
 *   remoteproc_create_virtio(VIRTIO_DEV_DRIVER), rpmsg_init_vdev (DRIVER_OK)
 *   remoteproc_start: PSCI CPU_ON
 *   bind to rpmsg-openamp-demo-channel when the remote announces it
 *   1000 messages of 1..496 bytes, one at a time, every echo checked and
 *     timed; then 1000 more with 8 in flight, for the rate
 *   stop: vdev status reset + kick; the remote turns its CPU off; its trace
 *     buffer (resource table) printed as "trace: " lines
 *
 * Kicks: SGI 8 to CPU 1; the remote's come as SPI 240 (memmap.h, README).
 * Output ends with
 *   echo: 1000/1000 ok
 *   echo: round trip median <N> us, p99 <N> us, <N> msg/s
 * or with "echo: FAILED <reason>" (the Makefile fails on it, or on neither).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <metal/io.h>
#include <metal/sys.h>
#include <openamp/remoteproc.h>
#include <openamp/rpmsg_virtio.h>

#include "board.h"
#include "gic.h"
#include "memmap.h"
#include "oa_env.h"
#include "pl011.h"
#include "psci.h"
#include "remote_fw_openamp.h"

#define ECHO_CHANNEL    "rpmsg-openamp-demo-channel"
#define ECHO_MSGS       1000u
#define ECHO_MAX_LEN    496u    /* 512-byte buffers less the 16-byte rpmsg header */
#define ECHO_WINDOW     8u      /* messages in flight in the rate run */
#define ANNOUNCE_MS     3000u   /* the remote must announce within this */
#define ECHO_WAIT_MS    2000u   /* and answer each message within this */

REMOTE_FW_DECLARE(remote_echo);

static struct remoteproc rproc;
static struct metal_io_region ram_io, shm_io;
static metal_phys_addr_t ram_phys = ECHO_RAM_BASE, shm_phys = ECHO_SHM_BASE;
static struct remoteproc_mem shm_mem;
static struct rpmsg_virtio_device rvdev;
static struct rpmsg_virtio_shm_pool pool;
static struct rpmsg_endpoint ept;
static volatile uint8_t *vdev_status;  /* in the loaded table */
static int started, bound;
static uint64_t freq;

/* the echo: what came back, checked against what was sent */
static uint32_t received, good, bad, first_bad = UINT32_MAX;
static uint64_t rx_time;
static uint64_t rtt[ECHO_MSGS];

static void stop_remote(void);

/* "echo: FAILED why[ more<v>]", the remote stopped if it runs, QEMU off */
static __attribute__((noreturn)) void echo_failed(const char *why, const char *more, int64_t v)
{
        uart_puts("echo: FAILED ");
        uart_puts(why);
        if (more != NULL) {
                uart_puts(more);
                uart_put_dec(v);
        }
        uart_puts("\n");
        if (started)
                stop_remote();
        poweroff();
}

__attribute__((noreturn)) void oa_fatal(const char *what, int rc)
{
        echo_failed(what, " rc=", rc);
}

static uint64_t ms_ticks(uint64_t ms)
{
        return freq * ms / 1000u;
}

/* ---- remoteproc ops ------------------------------------------------------------ */

static struct remoteproc *rproc_init(struct remoteproc *r, const struct remoteproc_ops *ops,
                                     void *arg)
{
        (void)ops;
        (void)arg;
        oa_io_init(&ram_io, &ram_phys, ECHO_RAM_SIZE);
        return r;
}

/* Loading may write the remote's own area only; the shared memory is a
 * registered remoteproc_mem from after the load on, found before this op. */
static void *rproc_mmap(struct remoteproc *r, metal_phys_addr_t *pa, metal_phys_addr_t *da,
                        size_t size, unsigned int attribute, struct metal_io_region **io)
{
        (void)r;
        (void)attribute;
        return oa_io_map(&ram_io, pa, da, size, io);
}

static int rproc_start(struct remoteproc *r)
{
        int64_t s = psci_call(conduit, PSCI_AFFINITY_INFO_64, REMOTE_MPIDR, 0, 0);

        if (s != PSCI_AFF_OFF)
                return -1;
        uart_puts("host: remoteproc_start: cpu 1 at ");
        uart_put_hex(r->bootaddr);
        uart_puts("\n");
        uart_flush();
        s = psci_call(conduit, PSCI_CPU_ON_64, REMOTE_MPIDR, r->bootaddr, 0);
        return s == PSCI_SUCCESS ? 0 : (int)s;
}

/* the remote turns itself off when it sees its vdev reset */
static int rproc_stop(struct remoteproc *r)
{
        (void)r;
        *vdev_status = VIRTIO_CONFIG_STATUS_RESET;
        gic_sgi(REMOTE_MPIDR, ECHO_SGI_REMOTE);
        return wait_affinity(PSCI_AFF_OFF) == PSCI_AFF_OFF ? 0 : -1;
}

static int rproc_notify(struct remoteproc *r, uint32_t id)
{
        (void)r;
        (void)id;
        gic_sgi(REMOTE_MPIDR, ECHO_SGI_REMOTE);
        return 0;
}

static const struct remoteproc_ops rproc_ops = {
        .init = rproc_init,
        .mmap = rproc_mmap,
        .start = rproc_start,
        .stop = rproc_stop,
        .notify = rproc_notify,
};

/* the first entry of this type in the loaded resource table, NULL if none */
static struct fw_rsc_hdr *find_entry(uint32_t type)
{
        struct resource_table *t = rproc.rsc_table;
        uint32_t i;

        for (i = 0; t != NULL && i < t->num; i++) {
                struct fw_rsc_hdr *h = (struct fw_rsc_hdr *)((char *)t + t->offset[i]);

                if (h->type == type)
                        return h;
        }
        return NULL;
}

/* what the remote wrote into its trace buffer, one "trace: " line each */
static void print_trace(void)
{
        struct fw_rsc_trace *tr = (struct fw_rsc_trace *)find_entry(RSC_TRACE);
        const char *p;
        char line[128];
        uint32_t i, n = 0;

        if (tr == NULL || tr->da < ECHO_RAM_BASE || tr->len > ECHO_RAM_SIZE ||
            tr->da - ECHO_RAM_BASE > ECHO_RAM_SIZE - tr->len)
                return;
        p = (const char *)(uintptr_t)tr->da;
        for (i = 0; i < tr->len && p[i] != '\0'; i++) {
                if (p[i] != '\n' && n < sizeof(line) - 1u) {
                        line[n++] = p[i];
                        continue;
                }
                if (p[i] != '\n')
                        continue;
                line[n] = '\0';
                uart_puts("trace: ");
                uart_puts(line);
                uart_puts("\n");
                n = 0;
        }
}

static void stop_remote(void)
{
        started = 0;
        if (remoteproc_stop(&rproc) != 0) {
                uart_puts("host: remoteproc_stop: cpu 1 did not turn itself off\n");
                return;
        }
        uart_puts("host: remoteproc_stop: cpu 1 off\n");
        print_trace();
}

/* ---- messages: length and contents of message k --------------------------------- */

static uint32_t msg_len(uint32_t k)
{
        return 1u + k % ECHO_MAX_LEN;
}

static uint8_t msg_byte(uint32_t k, uint32_t j)
{
        return (uint8_t)(k * 31u + j * 7u + 1u);
}

static int echo_cb(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
        const uint8_t *p = data;
        uint32_t k = received, j;
        int ok = len == msg_len(k);

        (void)e;
        (void)src;
        (void)priv;
        rx_time = timer_now();
        for (j = 0; ok && j < len; j++)
                ok = p[j] == msg_byte(k, j);
        if (ok) {
                good++;
        } else {
                bad++;
                if (first_bad == UINT32_MAX)
                        first_bad = k;
        }
        received++;
        return RPMSG_SUCCESS;
}

static void ns_bind(struct rpmsg_device *rdev, const char *name, uint32_t dest)
{
        if (bound || strcmp(name, ECHO_CHANNEL) != 0)
                return;
        if (rpmsg_create_ept(&ept, rdev, name, RPMSG_ADDR_ANY, dest, echo_cb, NULL) != 0)
                return;
        bound = 1;
}

/* no TX buffer free (the remote holds all it was given): wait for it to
 * return one, ECHO_WAIT_MS at most from the send's first wait */
static uint64_t tx_wait_since;

static int wait_tx(struct rpmsg_device *rdev, uint32_t id)
{
        (void)rdev;
        (void)id;
        if (tx_wait_since == 0u)
                tx_wait_since = timer_now();
        else if (timer_now() - tx_wait_since >= ms_ticks(ECHO_WAIT_MS))
                return RPMSG_ERR_NO_BUFF;
        irq_wait(ms_ticks(1));
        remoteproc_get_notification(&rproc, RSC_NOTIFY_ID_ANY);
        return RPMSG_SUCCESS;
}

static void send_msg(uint32_t k)
{
        static uint8_t buf[ECHO_MAX_LEN];
        uint32_t j, n = msg_len(k);
        int rc;

        for (j = 0; j < n; j++)
                buf[j] = msg_byte(k, j);
        tx_wait_since = 0;
        rc = rpmsg_send(&ept, buf, (int)n);
        if (rc != (int)n)
                echo_failed("rpmsg_send", " rc=", rc);
}

/* process the rings until `received` reaches n; 0 on a timeout */
static int wait_received(uint32_t n, uint64_t ms)
{
        uint64_t t0 = timer_now(), limit = ms_ticks(ms);

        for (;;) {
                remoteproc_get_notification(&rproc, RSC_NOTIFY_ID_ANY);
                if (received >= n)
                        return 1;
                if (timer_now() - t0 >= limit)
                        return 0;
                irq_wait(limit - (timer_now() - t0));
        }
}

/* ---- the resource table: vrings must lie in the shared memory ---------------- */

static void check_vrings(void)
{
        struct fw_rsc_vdev *v = (struct fw_rsc_vdev *)find_entry(RSC_VDEV);
        uint32_t i;

        if (rproc.rsc_table == NULL)
                echo_failed("no resource table after remoteproc_load", NULL, 0);
        if (v == NULL || v->id != VIRTIO_ID_RPMSG || v->num_of_vrings != 2u)
                echo_failed("no rpmsg vdev with two vrings in the resource table", NULL, 0);
        for (i = 0; i < v->num_of_vrings; i++) {
                uint64_t da = v->vring[i].da;
                uint64_t size = vring_size(v->vring[i].num, v->vring[i].align);

                if (da < ECHO_SHM_BASE || size > ECHO_SHM_SIZE ||
                    da - ECHO_SHM_BASE > ECHO_SHM_SIZE - size) {
                        uart_puts("echo: FAILED vring ");
                        uart_put_dec(i);
                        uart_puts(" at ");
                        uart_put_hex(da);
                        uart_puts(" (");
                        uart_put_dec((int64_t)size);
                        uart_puts(" bytes) lies outside the shared memory ");
                        uart_put_hex(ECHO_SHM_BASE);
                        uart_puts("..");
                        uart_put_hex(ECHO_SHM_BASE + ECHO_SHM_SIZE);
                        uart_puts(": refused before start\n");
                        poweroff();
                }
                memset((void *)(uintptr_t)da, 0, size);
        }
        uart_puts("host: rsc vdev id=7 vrings at ");
        uart_put_hex(v->vring[0].da);
        uart_puts(" and ");
        uart_put_hex(v->vring[1].da);
        uart_puts(" (in shared memory)\n");
        vdev_status = &v->status;
}

/* ---- figures -------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

        return x < y ? -1 : x > y;
}

static uint64_t us(uint64_t ticks)
{
        return (ticks * 1000000u + freq / 2u) / freq;
}

int main(void)
{
        struct metal_init_params params = METAL_INIT_DEFAULTS;
        struct remote_fw_store st;
        struct virtio_device *vdev;
        uint64_t t0, elapsed;
        uint32_t k, sent;
        int rc;

        if (current_el() != 1u)
                fail_msg("the OpenAMP host runs at EL1", -105);
        mmu_and_fp_on();
        uart_puts("host: boot on cpu 0 at EL1 (rpmsg echo, openamp)\n");
        psci_setup();
        freq = timer_freq();
        gic_dist_on();
        gic_cpu_on();
        gic_spi_to_cpu0(ECHO_SPI_HOST);

        params.log_level = METAL_LOG_WARNING;
        rc = metal_init(&params);
        if (rc != 0)
                echo_failed("metal_init", " rc=", rc);
        if (remoteproc_init(&rproc, &rproc_ops, NULL) == NULL)
                echo_failed("remoteproc_init", NULL, 0);
        rc = remoteproc_config(&rproc, NULL);
        if (rc != 0)
                echo_failed("remoteproc_config", " rc=", rc);

        remote_fw_store_init(&st, NULL);
        rc = remoteproc_load(&rproc, "remote_echo", &st, &remote_fw_store_ops, NULL);
        if (rc != 0) {
                int why = remote_fw_store_error(&st);

                if (why != 0) {
                        uart_puts("host: the kit's image store refused remote_echo\n");
                        echo_failed(remote_fw_strerror(why), " rc=", why);
                }
                echo_failed("remoteproc_load refused the image", " rc=", rc);
        }
        uart_puts("host: remoteproc_load remote_echo: entry ");
        uart_put_hex(rproc.bootaddr);
        uart_puts(", rsc table at ");
        uart_put_hex((uintptr_t)rproc.rsc_table);
        uart_puts("\n");

        /* only now the shared memory: loading could not write there */
        check_vrings();
        oa_io_init(&shm_io, &shm_phys, ECHO_SHM_SIZE);
        remoteproc_init_mem(&shm_mem, "shm", ECHO_SHM_BASE, ECHO_SHM_BASE, ECHO_SHM_SIZE, &shm_io);
        remoteproc_add_mem(&rproc, &shm_mem);

        vdev = remoteproc_create_virtio(&rproc, 0, VIRTIO_DEV_DRIVER, NULL);
        if (vdev == NULL)
                echo_failed("remoteproc_create_virtio", NULL, 0);
        rpmsg_virtio_init_shm_pool(&pool, (void *)ECHO_BUF_BASE, ECHO_BUF_SIZE);
        rc = rpmsg_init_vdev(&rvdev, vdev, ns_bind, &shm_io, &pool);
        if (rc != 0)
                echo_failed("rpmsg_init_vdev", " rc=", rc);
        rpmsg_virtio_set_wait_cb(&rvdev, wait_tx);

        rc = remoteproc_start(&rproc);
        if (rc != 0)
                echo_failed("remoteproc_start (PSCI CPU_ON)", " rc=", rc);
        started = 1;

        t0 = timer_now();
        while (!bound && timer_now() - t0 < ms_ticks(ANNOUNCE_MS)) {
                remoteproc_get_notification(&rproc, RSC_NOTIFY_ID_ANY);
                if (!bound)
                        irq_wait(ms_ticks(10));
        }
        if (!bound) {
                uart_puts("echo: FAILED the remote announced no " ECHO_CHANNEL " in ");
                uart_put_dec(ANNOUNCE_MS);
                uart_puts(" ms\n");
                stop_remote();
                poweroff();
        }
        uart_puts("host: bound to " ECHO_CHANNEL " at remote address ");
        uart_put_hex(ept.dest_addr);
        uart_puts("\n");

        /* one at a time: every echo checked and timed */
        for (k = 0; k < ECHO_MSGS; k++) {
                t0 = timer_now();
                send_msg(k);
                if (!wait_received(k + 1u, ECHO_WAIT_MS)) {
                        uart_puts("echo: FAILED no echo of message ");
                        uart_put_dec(k);
                        uart_puts(" in ");
                        uart_put_dec(ECHO_WAIT_MS);
                        uart_puts(" ms\n");
                        stop_remote();
                        poweroff();
                }
                rtt[k] = rx_time - t0;
        }
        uart_puts("echo: ");
        uart_put_dec(good);
        uart_puts("/");
        uart_put_dec(ECHO_MSGS);
        uart_puts(" ok\n");
        if (bad != 0u) {
                uart_puts("echo: FAILED ");
                uart_put_dec(bad);
                uart_puts(" corrupted echoes (the first: message ");
                uart_put_dec(first_bad);
                uart_puts(", ");
                uart_put_dec(msg_len(first_bad));
                uart_puts(" bytes)\n");
                stop_remote();
                poweroff();
        }

        /* the rate: ECHO_WINDOW in flight */
        t0 = timer_now();
        for (sent = 0; received < 2u * ECHO_MSGS;) {
                while (sent < ECHO_MSGS && sent + ECHO_MSGS - received < ECHO_WINDOW)
                        send_msg(ECHO_MSGS + sent++);
                if (!wait_received(received + 1u, ECHO_WAIT_MS))
                        echo_failed("no echo in the rate run after message", " ", received);
        }
        elapsed = timer_now() - t0;
        if (bad != 0u)
                echo_failed("corrupted echoes in the rate run:", " ", bad);

        qsort(rtt, ECHO_MSGS, sizeof(rtt[0]), cmp_u64);
        uart_puts("echo: round trip median ");
        uart_put_dec((int64_t)us(rtt[ECHO_MSGS / 2u - 1u]));
        uart_puts(" us, p99 ");
        uart_put_dec((int64_t)us(rtt[ECHO_MSGS * 99u / 100u - 1u]));
        uart_puts(" us, ");
        uart_put_dec((int64_t)((uint64_t)ECHO_MSGS * freq / elapsed));
        uart_puts(" msg/s\n");

        stop_remote();
        poweroff();
}
