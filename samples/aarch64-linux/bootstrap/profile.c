/*
 * bootstrap/profile.c - `make PROFILE=1`: where remote_fw_fit_load's time
 * goes. Linked into the bootstrap with `-Wl,--wrap=` on the kit's units that
 * remote_fw_fit_load calls (the linker sends each cross-unit call through
 * __wrap_X, which calls the real X as __real_X): each wrapper adds the
 * generic timer's ticks of its call to a total, and the wrapped
 * remote_fw_fit_load prints the totals once it returns:
 *
 *   bootstrap: profile fdt_open 2 calls 0.000xxx s
 *   ...
 *   bootstrap: profile other 0.000xxx s   (fit_load minus the above: the walk, copies)
 *
 * With -DPROFILE_STOP (make PROFILE=stop) it then powers the machine off
 * (PSCI SYSTEM_OFF): QEMU's own CPU time is then the boot up to the
 * kernel's entry, a figure the machine's load moves far less than the
 * timer's (which counts wall time).
 *
 * CRC-32 is counted apart inside remote_fw_gunzip_to (the gzip trailer's
 * check over the output) and outside it (the FIT's crc32 hash nodes). Not in
 * the default build: the sample's bootstrap is the same code without it.
 */
#include <stddef.h>
#include <stdint.h>

#include "pl011.h"
#include "psci.h"
#include "remote_fw_fdt.h"
#include "remote_fw_fit.h"
#include "remote_fw_inflate.h"
#include "remote_fw_sha256.h"
#include "timer.h"

enum { P_FDT_OPEN, P_SHA256, P_CRC32_HASH, P_GUNZIP_HEAD, P_GUNZIP_TO, P_CRC32_TRAILER,
       P_SET_INITRD, P_N };

static const char *const names[P_N] = {
        "fdt_open (FIT and dtb structure)", "sha256 (hash nodes)", "crc32 (hash nodes)",
        "gunzip_head (Image header peek)", "gunzip_to (inflate, trailer crc32 included)",
        "crc32 (gzip trailer, inside gunzip_to)", "fdt_set_initrd",
};

static uint64_t ticks[P_N];
static unsigned calls[P_N];
static int in_gunzip;

#define TIMED(slot, call)                                       \
        do {                                                    \
                uint64_t t0_ = timer_count();                   \
                call;                                           \
                ticks[slot] += timer_count() - t0_;             \
                calls[slot]++;                                  \
        } while (0)

int __real_remote_fw_fdt_open(struct fdt *f, const uint8_t *b, size_t size);
void __real_remote_fw_sha256(const void *data, size_t n, uint8_t out[32]);
uint32_t __real_remote_fw_crc32(const void *data, size_t n);
int __real_remote_fw_gunzip_head(const uint8_t *gz, size_t n, uint8_t *buf, size_t want,
                                 size_t *produced);
int __real_remote_fw_gunzip_to(const uint8_t *gz, size_t n, volatile uint8_t *out, size_t cap,
                               size_t *produced);
int __real_remote_fw_fdt_set_initrd(const uint8_t *dt, uint64_t start, uint64_t end);
int __real_remote_fw_fit_load(const void *fit_base, size_t fit_size, const char *config,
                              const struct remote_fw_region *allowed, size_t n_allowed,
                              struct remote_fw_fit_boot *boot);

int __wrap_remote_fw_fdt_open(struct fdt *f, const uint8_t *b, size_t size)
{
        int r;

        TIMED(P_FDT_OPEN, r = __real_remote_fw_fdt_open(f, b, size));
        return r;
}

void __wrap_remote_fw_sha256(const void *data, size_t n, uint8_t out[32])
{
        TIMED(P_SHA256, __real_remote_fw_sha256(data, n, out));
}

uint32_t __wrap_remote_fw_crc32(const void *data, size_t n)
{
        uint32_t r;

        TIMED(in_gunzip ? P_CRC32_TRAILER : P_CRC32_HASH, r = __real_remote_fw_crc32(data, n));
        return r;
}

int __wrap_remote_fw_gunzip_head(const uint8_t *gz, size_t n, uint8_t *buf, size_t want,
                                 size_t *produced)
{
        int r;

        TIMED(P_GUNZIP_HEAD, r = __real_remote_fw_gunzip_head(gz, n, buf, want, produced));
        return r;
}

int __wrap_remote_fw_gunzip_to(const uint8_t *gz, size_t n, volatile uint8_t *out, size_t cap,
                               size_t *produced)
{
        int r;

        in_gunzip = 1;
        TIMED(P_GUNZIP_TO, r = __real_remote_fw_gunzip_to(gz, n, out, cap, produced));
        in_gunzip = 0;
        return r;
}

int __wrap_remote_fw_fdt_set_initrd(const uint8_t *dt, uint64_t start, uint64_t end)
{
        int r;

        TIMED(P_SET_INITRD, r = __real_remote_fw_fdt_set_initrd(dt, start, end));
        return r;
}

/* "0.xxxxxx s" for a count of timer ticks */
static void put_seconds(uint64_t t)
{
        uint64_t f = timer_freq();
        uint64_t us = f != 0u ? t / f * 1000000u + t % f * 1000000u / f : 0u;
        int64_t frac = (int64_t)(us % 1000000u), d;

        uart_put_dec((int64_t)(us / 1000000u));
        uart_puts(".");
        for (d = 100000; d > 1 && frac < d; d /= 10)
                uart_puts("0");
        uart_put_dec(frac);
        uart_puts(" s");
}

int __wrap_remote_fw_fit_load(const void *fit_base, size_t fit_size, const char *config,
                              const struct remote_fw_region *allowed, size_t n_allowed,
                              struct remote_fw_fit_boot *boot)
{
        uint64_t t0 = timer_count(), total, rest;
        int r = __real_remote_fw_fit_load(fit_base, fit_size, config, allowed, n_allowed, boot);
        unsigned i;

        total = timer_count() - t0;
        rest = total;
        for (i = 0; i < P_N; i++) {
                if (i != P_CRC32_TRAILER)       /* inside gunzip_to's figure */
                        rest -= ticks[i];
                uart_puts("bootstrap: profile ");
                uart_puts(names[i]);
                uart_puts(": ");
                uart_put_dec((int64_t)calls[i]);
                uart_puts(" calls, ");
                put_seconds(ticks[i]);
                uart_puts("\n");
        }
        uart_puts("bootstrap: profile other (tree walk, copies of uncompressed pieces): ");
        put_seconds(rest);
        uart_puts("\nbootstrap: profile remote_fw_fit_load: ");
        put_seconds(total);
        uart_puts("\n");
#ifdef PROFILE_STOP
        uart_flush();
        {
                uint64_t el;

                __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
                psci_call(((el >> 2) & 3u) == 2u ? PSCI_SMC : PSCI_HVC, PSCI_SYSTEM_OFF, 0, 0, 0);
        }
#endif
        return r;
}
