/*
 * remote_fw_fit.h - boot Linux on a remote core from a Flat Image Tree (FIT):
 * the bootstrap's part of the rproc-bundle kit. See docs/kit.md ("Remote
 * Linux from a FIT").
 *
 *     #include "remote_fw_fit.h"
 *
 *     struct remote_fw_fit_boot boot;
 *     rc = remote_fw_fit_load(fit, fit_size, NULL, allowed, n_allowed, &boot);
 *     if (rc == 0)
 *             remote_fw_fit_enter(&boot);     // arm64 and arm: never returns
 *     // else: remote_fw_strerror(rc)
 *
 * C99, freestanding like the rest of the kit: no libc, no heap, no unaligned
 * word access (works built with -mstrict-align, MMU off). Compile
 * remote_fw_fit.c, remote_fw_fdt.c, remote_fw_inflate.c, remote_fw_inffast.c,
 * remote_fw_sha256.c, remote_fw_sha1.c, remote_fw_boot.c (REMOTE_FW_FIT_SOURCES in
 * bundle.mk) with
 * remote_fw_crc32.c (docs/kit.md, "Which files").
 *
 * The FIT is validated as a device tree first (header, every offset and
 * length, tokens, nesting, strings), then the configuration is selected (the
 * name given, else the one /configurations/default names), and its kernel,
 * fdt, ramdisk and loadables are checked (every hash node, type, arch, os,
 * compression, the arm64 Image header) and placed inside the allowed regions.
 * Nothing is written before every check of every selected image has passed;
 * *boot is written only on success.
 *
 * `arch` is checked against REMOTE_FW_FIT_ARCH, the U-Boot name of the core
 * the kit is built for ("arm64", "arm", "riscv", "x86_64", "x86"), guessed
 * from the compiler's predefined macros; define it (-DREMOTE_FW_FIT_ARCH=
 * '"arm64"') to build the kit for another core (tests, tools).
 */
#ifndef REMOTE_FW_FIT_H
#define REMOTE_FW_FIT_H

#include "remote_fw.h"
#include "remote_fw_rsa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the kernel needs to start; all physical addresses. fdt and the
 * initrd pair are 0 when the configuration has no fdt or no ramdisk. */
struct remote_fw_fit_boot {
        uintptr_t entry;         /* kernel entry point (default: its load address) */
        uintptr_t fdt;           /* the loaded device tree (x0 on arm64) */
        uintptr_t initrd_start;  /* the loaded ramdisk: first byte */
        uintptr_t initrd_end;    /* ... and one past its last byte */
};

/*
 * Load configuration `config` (NULL: the default one) of the FIT at
 * fit[0 .. fit_size) into the allowed regions. fit_size covers the whole
 * buffer, external data (mkimage -E) included. Returns 0 or a negative
 * REMOTE_FW_E... code; never reads outside the FIT nor writes outside the
 * allowed regions.
 */
int remote_fw_fit_load(const void *fit, size_t fit_size, const char *config,
                       const struct remote_fw_region *allowed, size_t n_allowed,
                       struct remote_fw_fit_boot *boot);

/*
 * remote_fw_fit_load with options: the configuration and the trusted keys.
 * With n_keys 0 it is exactly remote_fw_fit_load. With keys, the
 * configuration booted must carry a U-Boot signature node (sha256,rsa2048,
 * rsa3072 or rsa4096; pkcs-1.5 or pss, as `mkimage -k KEYDIR -r` writes it)
 * that verifies with one of the keys (REMOTE_FW_FIT_REQUIRE_ANY) or with each
 * of them (REMOTE_FW_FIT_REQUIRE_ALL), over the nodes the kit rebuilds from the
 * configuration's image references; this is checked before anything else of
 * the configuration is read as an instruction. See docs/kit.md ("Signed FITs").
 */
#define REMOTE_FW_FIT_REQUIRE_ANY 0u    /* one good signature by one of the keys */
#define REMOTE_FW_FIT_REQUIRE_ALL 1u    /* a good signature by every key */
#define REMOTE_FW_FIT_MAX_KEYS    32u

struct remote_fw_fit_opts {
        const char *config;                     /* NULL: the default configuration */
        const struct remote_fw_rsa_key *keys;   /* trusted keys; NULL if n_keys is 0 */
        size_t n_keys;                          /* 0: no signature check */
        unsigned require;                       /* REMOTE_FW_FIT_REQUIRE_ANY or _ALL */
};

int remote_fw_fit_load_opts(const void *fit, size_t fit_size,
                            const struct remote_fw_fit_opts *opts,
                            const struct remote_fw_region *allowed, size_t n_allowed,
                            struct remote_fw_fit_boot *boot);

/*
 * Enter the kernel with the boot protocol's registers. Never returns.
 *  arm64 (Documentation/arch/arm64/booting.rst): x0 = boot->fdt,
 *        x1 = x2 = x3 = 0, interrupts masked (DAIF), I-cache invalidated,
 *        branch to boot->entry at the current EL (EL2 or EL1).
 *  arm   (Documentation/arch/arm/booting.rst): r0 = 0, r1 = 0xffffffff (no
 *        machine type: device tree), r2 = boot->fdt, IRQ/FIQ masked, branch
 *        to boot->entry in ARM state (A and R profiles only).
 * The caller must already run with the MMU and the D-cache off (a bootstrap
 * started by remoteproc usually does); this helper does not turn them off.
 * REMOTE_FW_FIT_HAVE_ENTER is defined where the helper exists.
 */
#if defined(__aarch64__) || (defined(__arm__) && !defined(__ARM_ARCH_7M__) && \
        !defined(__ARM_ARCH_7EM__) && !defined(__ARM_ARCH_6M__) &&            \
        !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'))
#define REMOTE_FW_FIT_HAVE_ENTER 1
void remote_fw_fit_enter(const struct remote_fw_fit_boot *boot)
        __attribute__((noreturn));
#endif

/* ---- the building blocks, public for hosts and benchmarks ------------------ */

/* SHA-256 of n bytes (FIPS 180-4) into digest[32]. */
void remote_fw_sha256(const void *data, size_t n, uint8_t digest[32]);

/*
 * Inflate a raw deflate stream (RFC 1951) into out[0 .. out_cap): 0 when the
 * final block ended, *in_used and *out_len then give the bytes consumed and
 * produced; REMOTE_FW_EINFLATE when the stream is corrupt, truncated or would
 * produce more than out_cap bytes. Never reads past in[in_len) nor writes
 * past out[out_cap). Needs about 6 KiB of stack (its decoding tables).
 */
int remote_fw_inflate(const void *in, size_t in_len, void *out, size_t out_cap,
                      size_t *in_used, size_t *out_len);

/*
 * Decompress a gzip member (RFC 1952) that fills gz[0 .. gz_size) exactly
 * into out[0 .. out_cap): 0 when the deflate stream ends right before the
 * trailer and the trailer's CRC-32 and size match what was produced
 * (*out_len); REMOTE_FW_EINFLATE otherwise.
 */
int remote_fw_gunzip(const void *gz, size_t gz_size, void *out, size_t out_cap,
                     size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_FIT_H */
