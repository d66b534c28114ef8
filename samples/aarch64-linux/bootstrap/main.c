/*
 * bootstrap/main.c - the remote's firmware on CPU 1: a small bootstrap that
 * carries a Flat Image Tree (kernel Image, device tree, initramfs) and boots
 * Linux from it. `bundle` put the FIT into this ELF after it was linked
 * (stem linux_itb), exactly as the host carries this ELF (stem bootstrap_elf).
 *
 * remote_fw_find locates the FIT; remote_fw_fit_load checks it (the device
 * tree structure, the default configuration, every image's hash nodes (sha256, crc32),
 * type, arch, os, compression, the kernel's Image header) and puts the pieces
 * where the FIT says, inside FIT_AREA only (the kernel inflated from gzip
 * straight into place), with /chosen's linux,initrd-start/-end written into
 * the loaded device tree; remote_fw_fit_enter starts the kernel with x0 = the
 * device tree's address. The bootstrap does not check the bundle's CRC-32 of
 * the FIT (remote_fw_verify): the host has just checked the CRC-32 of this
 * whole ELF, FIT included, and the FIT's own hashes cover every byte loaded.
 *
 * Its resource table (one carveout: the remote's RAM) tells the host what
 * memory the remote owns, as remoteproc hosts expect.
 *
 * Output (PL011 UART0, which the host leaves to the remote):
 *   bootstrap: start on cpu 1 at EL1, t=0.xxxxxx
 *   bootstrap: FIT linux_itb at 0x4c00xxxx size=0x0xxxxxxx
 *   bootstrap: kernel 0x48000000 fdt 0x4b000000 initrd 0x4b200000-0x4b20xxxx, t=x.xxxxxx
 *   bootstrap: entering Linux at 0x48000000, t=x.xxxxxx
 *   ... Linux ...
 * or, when the FIT is refused,
 *   bootstrap: error: <remote_fw_strerror> (<rc>)
 * after which it leaves the code for the host (common/memmap.h STATUS_*) and
 * turns CPU 1 off (PSCI CPU_OFF); the host then ends the run.
 *
 * Built with -DFIT_SIGNED (`make signed`), it boots only a FIT whose default
 * configuration carries a U-Boot signature that verifies with the key of
 * fit_key.h (generated at build time from the public key: the modulus and the
 * exponent, struct remote_fw_rsa_key), checked by remote_fw_fit_load_opts
 * before any image of the configuration is believed. It prints
 *   bootstrap: signature required: key dev rsa2048, t=x.xxxxxx
 * before the load, and on a refusal, before the error line,
 *   bootstrap: refused: REMOTE_FW_EFITSIG after N us, t=x.xxxxxx
 * (the kit's code name, from rc_names.h, generated from remote_fw.h; N the
 * generic timer's count from the call to its return, in microseconds).
 */
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"
#include "pl011.h"
#include "psci.h"
#include "remote_fw.h"
#include "remote_fw_fit.h"
#include "remote_fw_rsc.h"
#include "timer.h"

#define BOOTSTRAP_ETRAP         -104    /* an exception in the bootstrap */

#ifdef FIT_SIGNED
#include "fit_key.h"    /* FIT_KEY_NAME, FIT_KEY_EXPONENT, fit_key_modulus[] */
#include "rc_names.h"   /* rc_names[-rc]: the kit's code names */

/* The one key this bootstrap trusts; it answers to the signature nodes whose
 * key-name-hint is FIT_KEY_NAME (mkimage's -k KEYDIR/FIT_KEY_NAME.key). */
static const struct remote_fw_rsa_key fit_keys[] = {
        { FIT_KEY_NAME, fit_key_modulus, (uint32_t)sizeof(fit_key_modulus) * 8u,
          FIT_KEY_EXPONENT },
};

static const char *code_name(int rc)
{
        size_t i = rc < 0 ? (size_t)-(int64_t)rc : 0u;

        if (i == 0u || i >= sizeof(rc_names) / sizeof(rc_names[0]) || rc_names[i] == NULL)
                return "?";
        return rc_names[i];
}
#endif

REMOTE_FW_DECLARE(linux_itb);

/*
 * What a remoteproc host reads before it loads this ELF: one carveout, the
 * remote's whole RAM (the /memory node of linux/remote.dts). Linux needs no
 * rpmsg vdev to boot; a remote Linux that talks rpmsg would add one here.
 */
struct bootstrap_rsc_table {
        struct remote_fw_rsc_table_hdr hdr;
        uint32_t offset[1];
        struct remote_fw_rsc_carveout carveout;
};

__attribute__((section(".resource_table"), used, aligned(8)))
const struct bootstrap_rsc_table resource_table = {
        { REMOTE_FW_RSC_VERSION, 1, { 0, 0 } },
        { offsetof(struct bootstrap_rsc_table, carveout) },
        { REMOTE_FW_RSC_CARVEOUT, (uint32_t)REMOTE_RAM_BASE, (uint32_t)REMOTE_RAM_BASE,
          (uint32_t)REMOTE_RAM_SIZE, 0, 0, "remote-linux-ram" },
};

/* Where the kernel, device tree and initramfs may go: the remote's RAM below
 * the bootstrap, never the bootstrap itself, its FIT, nor the host's RAM. */
static const struct remote_fw_region allowed[] = {
        { FIT_AREA_BASE, FIT_AREA_SIZE },
};

static uint64_t current_el(void)
{
        uint64_t el;

        __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
        return (el >> 2) & 3u;
}

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* Tell the host why (shared words), then CPU_OFF: the host sees CPU 1 off,
 * reads the verdict and ends the run. */
__attribute__((noreturn)) static void stop(int64_t rc)
{
        uart_flush();
        REG32(STATUS_RC) = (uint32_t)rc;
        __asm__ volatile("dmb sy" ::: "memory");
        REG32(STATUS_MAGIC) = STOPPED;
        __asm__ volatile("dsb sy" ::: "memory");
        psci_call(current_el() == 2u ? PSCI_SMC : PSCI_HVC, PSCI_CPU_OFF, 0, 0, 0);
        for (;;)                        /* CPU_OFF does not return */
                __asm__ volatile("wfe");
}

__attribute__((noreturn)) static void fail_msg(const char *what, int64_t rc)
{
        uart_puts("bootstrap: error: ");
        uart_puts(what);
        uart_puts(" (");
        uart_put_dec(rc);
        uart_puts(")\n");
        stop(rc);
}

__attribute__((noreturn)) static void fail(int rc)
{
        fail_msg(remote_fw_strerror(rc), rc);
}

int main(void)
{
        struct remote_fw_image fit;
        struct remote_fw_fit_boot boot;
        uint64_t mpidr;
        int rc;

        __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
        uart_puts("bootstrap: start on cpu ");
        uart_put_dec((int64_t)(mpidr & 0xffu));
        uart_puts(" at EL");
        uart_put_dec((int64_t)current_el());
        uart_puts(", ");
        put_time();
        uart_puts("\n");

        rc = remote_fw_find("linux_itb", &fit);
        if (rc != 0)
                fail(rc);
        uart_puts("bootstrap: FIT ");
        uart_puts(fit.name);
        uart_puts(" at ");
        uart_put_hex((uintptr_t)fit.base);
        uart_puts(" size=");
        uart_put_hex(fit.size);
        uart_puts("\n");

#ifdef FIT_SIGNED
        {
                static const struct remote_fw_fit_opts opts = {
                        NULL, fit_keys, sizeof(fit_keys) / sizeof(fit_keys[0]),
                        REMOTE_FW_FIT_REQUIRE_ANY,
                };
                uint64_t t0, t1;

                uart_puts("bootstrap: signature required: key " FIT_KEY_NAME " rsa");
                uart_put_dec((int64_t)fit_keys[0].num_bits);
                uart_puts(", ");
                put_time();
                uart_puts("\n");
                uart_flush();
                t0 = timer_count();
                rc = remote_fw_fit_load_opts(fit.base, fit.size, &opts, allowed,
                                             sizeof(allowed) / sizeof(allowed[0]), &boot);
                t1 = timer_count();
                if (rc != 0) {
                        uart_puts("bootstrap: refused: ");
                        uart_puts(code_name(rc));
                        uart_puts(" after ");
                        uart_put_dec((int64_t)((t1 - t0) * 1000000u / timer_freq()));
                        uart_puts(" us, ");
                        put_time();
                        uart_puts("\n");
                        fail(rc);
                }
        }
#else
        rc = remote_fw_fit_load(fit.base, fit.size, NULL, allowed,
                                sizeof(allowed) / sizeof(allowed[0]), &boot);
        if (rc != 0)
                fail(rc);
#endif
        uart_puts("bootstrap: kernel ");
        uart_put_hex(boot.entry);
        uart_puts(" fdt ");
        uart_put_hex(boot.fdt);
        uart_puts(" initrd ");
        uart_put_hex(boot.initrd_start);
        uart_puts("-");
        uart_put_hex(boot.initrd_end);
        uart_puts(", ");
        put_time();
        uart_puts("\n");

        uart_puts("bootstrap: entering Linux at ");
        uart_put_hex(boot.entry);
        uart_puts(", ");
        put_time();
        uart_puts("\n");
        uart_flush();
        remote_fw_fit_enter(&boot);
}

/* start.S's vectors land here with the vector's number (0..15) */
__attribute__((noreturn)) void bootstrap_trap(uint64_t vector)
{
        uint64_t esr, elr;

        if (current_el() == 2u) {
                __asm__ volatile("mrs %0, esr_el2" : "=r"(esr));
                __asm__ volatile("mrs %0, elr_el2" : "=r"(elr));
        } else {
                __asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
                __asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
        }
        uart_puts("bootstrap: trap vector=");
        uart_put_dec((int64_t)vector);
        uart_puts(" esr=");
        uart_put_hex(esr);
        uart_puts(" elr=");
        uart_put_hex(elr);
        uart_puts("\n");
        fail_msg("trap", BOOTSTRAP_ETRAP);
}
