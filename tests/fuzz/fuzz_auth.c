/*
 * fuzz_auth.c - libFuzzer target for the signed-manifest reading of
 * remote_fw_load_authenticated (linker/remote_fw_auth.c: the manifest found
 * through the descriptor after the image, its header and signature field, its
 * signed TLVs, their match against the ELF, then the load and read-back) and
 * the units it uses.
 *
 *   FUZZ_TARGET=auth tests/fuzz/run.sh SECONDS
 *
 * Input: mode (1 byte) || image length (u32 LE) || minimum counter (u32 LE)
 * || trusted Ed25519 key (32 bytes) || image || manifest (the rest). The
 * image is copied to an 8-aligned buffer and the manifest to the first
 * 8-aligned address after it, inside a 64 KiB manifest area (the most the
 * kit may read there; zeros after the bytes given) that ends the buffer, so
 * ASan faults any read beyond it. The seeds (make_auth_seeds.py) are images
 * and manifests taken from real bundles signed by `bundle --sign`.
 *
 *   mode bit 0: the signature check is taken as passed (the harness wraps
 *               remote_fw_ed25519_verify, -Wl,--wrap): the fuzzer's manifests
 *               then reach the TLV parser and the match it could never sign.
 *               Clear: the real Ed25519 verification decides.
 *   mode bit 1: the pre-link flow (descriptor linked: start/end set, flags 0,
 *               the manifest header is the only sign); clear: post-link
 *               (REMOTE_FW_F_SIGNED in the descriptor's flags)
 *   mode bit 2: no trusted key at all
 *   mode bit 3: post-link without REMOTE_FW_F_SIGNED (an unsigned bundle)
 *
 * The load may write two 1 MiB regions (the sample remotes' load
 * addresses), each between guard pages. Promises checked (a broken one
 * aborts): the code is 0 or a known REMOTE_FW_E...; the kit asks to verify
 * only bytes inside the manifest area; success needs a signature check that
 * passed; every refusal but EDIGEST leaves the regions unwritten (mincore);
 * EDIGEST leaves them all zero.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "remote_fw.h"
#include "remote_fw_ed25519.h"

#define HEADER          41u
#define MANIFEST_AREA   65536u
#define REGION_SIZE     0x00100000u

REMOTE_FW_DECLARE(remote_elf);

/* the Cortex-M3 and AArch64 samples' remotes; RISC-V's 0x80200000 is inside
 * ASan's shadow memory on x86-64, out of a fuzz target's reach */
static const uintptr_t regions[] = { 0x20200000u, 0x40400000u };
#define N_REGIONS (sizeof(regions) / sizeof(regions[0]))

static int verbose;
static unsigned mode;
static const uint8_t *area, *area_end;
static int verify_calls, verify_passed;

int __real_remote_fw_ed25519_verify(const uint8_t *sig, const uint8_t *pk, const void *msg,
                                    size_t msg_len);

int __wrap_remote_fw_ed25519_verify(const uint8_t *sig, const uint8_t *pk, const void *msg,
                                    size_t msg_len)
{
        const uint8_t *m = (const uint8_t *)msg;
        int err;

        CHECK(m >= area && m <= area_end && msg_len <= (size_t)(area_end - m));
        CHECK(sig >= area && sig <= area_end - REMOTE_FW_ED25519_SIG_SIZE);
        verify_calls++;
        err = (mode & 1) ? 0 : __real_remote_fw_ed25519_verify(sig, pk, msg, msg_len);
        if (err == 0)
                verify_passed++;
        return err;
}

/*
 * The images (6 to 13 KiB) dwarf their manifests (about 240 bytes): mutated
 * uniformly, few inputs would ever reach the TLVs. Half of the mutations
 * (seed bit 0) therefore touch the manifest alone, and half of those (seed
 * bit 1) also set mode bit 0 so the signature check lets them through to the
 * parser; the rest are libFuzzer's own over the whole input.
 */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
        size_t image_len, off;

        if (size >= HEADER && (seed & 1)) {
                image_len = (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 |
                            (size_t)data[4] << 24;
                if (image_len <= size - HEADER) {
                        off = HEADER + image_len;
                        if (seed & 2)
                                data[0] |= 1;
                        return off + LLVMFuzzerMutate(data + off, size - off, max_size - off);
                }
        }
        return LLVMFuzzerMutate(data, size, max_size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t d = (uintptr_t)&remote_fw_desc_remote_elf & ~(page - 1);
        size_t i;

        (void)argc;
        (void)argv;
        verbose = getenv("FUZZ_AUTH_VERBOSE") != NULL;
        for (i = 0; i < N_REGIONS; i++)
                map_region(regions[i], REGION_SIZE);
        /* the descriptor is patched per input, as bundle patches it in a file */
        if (mprotect((void *)d, 2 * page, PROT_READ | PROT_WRITE))
                abort();
        return 0;
}

static int known(int err)
{
        return err == 0 || (err <= REMOTE_FW_EINVAL && err >= REMOTE_FW_EDESC) ||
               (err <= REMOTE_FW_EUNSIGNED && err >= REMOTE_FW_EMISMATCH);
}

static int regions_untouched(void)
{
        size_t i;

        for (i = 0; i < N_REGIONS; i++)
                if (resident_pages(regions[i], REGION_SIZE) != 0)
                        return 0;
        return 1;
}

static int regions_zero(void)
{
        size_t i, j;

        for (i = 0; i < N_REGIONS; i++)
                for (j = 0; j < REGION_SIZE; j += 8)
                        if (*(const volatile uint64_t *)(regions[i] + j) != 0)
                                return 0;
        return 1;
}

static uint32_t le32_at(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        volatile struct remote_fw_desc *d = (volatile struct remote_fw_desc *)&remote_fw_desc_remote_elf;
        struct remote_fw_region allowed[N_REGIONS];
        uint8_t key[1][32];
        struct remote_fw_trust trust;
        struct remote_fw_image img;
        size_t image_len, manifest_len, at, i;
        uintptr_t entry = 0xe0e0;
        uint8_t *buf;
        int err;

        if (size < HEADER)
                return 0;
        mode = data[0];
        image_len = le32_at(data + 1);
        if (image_len > size - HEADER)
                return 0;
        manifest_len = size - HEADER - image_len;
        if (manifest_len > MANIFEST_AREA)
                return 0;
        at = (image_len + 7u) & ~(size_t)7u;
        buf = malloc(at + MANIFEST_AREA);       /* malloc: 16-aligned */
        CHECK(buf != NULL);
        memcpy(buf, data + HEADER, image_len);
        memset(buf + image_len, 0, at - image_len + MANIFEST_AREA);
        memcpy(buf + at, data + HEADER + image_len, manifest_len);
        area = buf + at;
        area_end = area + MANIFEST_AREA;

        memcpy(key[0], data + 9, 32);
        trust.ed25519_keys = (mode & 4) ? NULL : (const uint8_t (*)[32])key;
        trust.n_keys = (mode & 4) ? 0 : 1;
        trust.min_security_counter = le32_at(data + 5);
        for (i = 0; i < N_REGIONS; i++) {
                allowed[i].start = regions[i];
                allowed[i].size = REGION_SIZE;
        }
        img.base = buf;
        img.size = image_len;
        img.name = "remote_elf";
        d->base = (uintptr_t)buf;
        d->size = image_len;
        d->link_addr = (uintptr_t)d;
        if (mode & 2) {
                d->flags = 0;
                d->start = buf;
                d->end = buf + image_len;
        } else {
                d->flags = REMOTE_FW_F_BUNDLED | REMOTE_FW_F_CRC32 | ((mode & 8) ? 0 : REMOTE_FW_F_SIGNED);
                d->start = d->end = NULL;
        }
        verify_calls = verify_passed = 0;

        err = remote_fw_load_authenticated(&img, &trust, allowed, N_REGIONS, &entry);
        if (verbose)
                fprintf(stderr, "fuzz_auth: mode 0x%02x: %d (%s), %d signature check(s)\n", mode, err,
                        remote_fw_strerror(err), verify_calls);
        CHECK(known(err));
        if (err == 0) {
                CHECK(verify_passed > 0);
                CHECK(entry != 0xe0e0);
        } else {
                CHECK(entry == 0xe0e0);
                if (err == REMOTE_FW_EDIGEST)
                        CHECK(verify_passed > 0 && regions_zero());
                else
                        CHECK(regions_untouched());
        }
        for (i = 0; i < N_REGIONS; i++)
                CHECK(madvise((void *)regions[i], REGION_SIZE, MADV_DONTNEED) == 0);
        free(buf);
        return 0;
}
