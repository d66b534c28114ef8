/*
 * fuzz_fit_sig.c - libFuzzer target for the signature path of
 * remote_fw_fit_load_opts (linker/remote_fw_fit_sig.c, remote_fw_rsa.c and
 * the units they use).
 *
 *   FUZZ_TARGET=fitsig tests/fuzz/run.sh SECONDS
 *
 * Input: FIT || modulus || mode. The last byte is the mode; before it the
 * trusted key's modulus, 256 bytes (mode bit 0 clear) or 512 (set), with
 * e = 65537; the rest is the FIT, used whole. The seeds
 * (make_fit_sig_seeds.py) are FITs signed by mkimage with the modulus of
 * their key appended, so the fuzzer starts from accepted signatures and
 * mutates the tree, the signature nodes, the value and the key alike.
 *
 *   mode bit 1: REMOTE_FW_FIT_REQUIRE_ALL with the key given twice
 *   mode bit 2: the key carries the name "dev" (key-name-hint must match)
 *   mode bit 3: the configuration "conf-2" instead of the default
 *
 * Promises checked (a broken one aborts): the code is 0 or a known
 * REMOTE_FW_E...; on failure *boot is untouched; every refusal of the
 * signature path (EFITUNSIGNED .. EFITNODES, ELIMIT) leaves REGION
 * unwritten (mincore); on success the pieces lie in REGION.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "remote_fw_fit.h"

#define REGION_START    0x40000000u
#define REGION_SIZE     0x00400000u

static int verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        verbose = getenv("FUZZ_FIT_VERBOSE") != NULL;
        map_region(REGION_START, REGION_SIZE);
        return 0;
}

static int sig_refusal(int err)
{
        return (err <= REMOTE_FW_EFITUNSIGNED && err >= REMOTE_FW_EFITNODES) ||
               err == REMOTE_FW_ELIMIT;
}

static int known(int err)
{
        return err == 0 || err == REMOTE_FW_EINVAL || err == REMOTE_FW_EBOUNDS ||
               err == REMOTE_FW_EREGION || err == REMOTE_FW_EOVERLAP || err == REMOTE_FW_ELIMIT ||
               (err <= REMOTE_FW_EFDT && err >= REMOTE_FW_EFITNODES);
}

static int in_region(uintptr_t a)
{
        return a >= REGION_START && a - REGION_START < REGION_SIZE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct remote_fw_region whole = { REGION_START, REGION_SIZE };
        struct remote_fw_fit_boot boot = { 0xb0b0, 0xb1b1, 0xb2b2, 0xb3b3 };
        struct remote_fw_rsa_key keys[2];
        struct remote_fw_fit_opts opts;
        unsigned mode;
        size_t klen;
        int err;

        if (size < 1)
                return 0;
        mode = data[size - 1];
        klen = mode & 1 ? 512 : 256;
        if (size < klen + 1)
                return 0;
        size -= klen + 1;
        keys[0].name = mode & 4 ? "dev" : NULL;
        keys[0].modulus = data + size;
        keys[0].num_bits = (uint32_t)klen * 8;
        keys[0].exponent = 65537;
        keys[1] = keys[0];
        opts.config = mode & 8 ? "conf-2" : NULL;
        opts.keys = keys;
        opts.n_keys = mode & 2 ? 2 : 1;
        opts.require = mode & 2 ? REMOTE_FW_FIT_REQUIRE_ALL : REMOTE_FW_FIT_REQUIRE_ANY;
        err = remote_fw_fit_load_opts(data, size, &opts, &whole, 1, &boot);
        CHECK(known(err));
        if (verbose)
                fprintf(stderr, "fuzz_fit_sig: mode 0x%02x: %d (%s)\n", mode, err,
                        remote_fw_strerror(err));
        if (err) {
                CHECK(boot.entry == 0xb0b0 && boot.fdt == 0xb1b1 &&
                      boot.initrd_start == 0xb2b2 && boot.initrd_end == 0xb3b3);
                if (sig_refusal(err))
                        CHECK(resident_pages(REGION_START, REGION_SIZE) == 0);
        } else {
                CHECK(in_region(boot.entry));
                CHECK(boot.fdt == 0 || in_region(boot.fdt));
                CHECK(boot.initrd_start <= boot.initrd_end);
        }
        CHECK(madvise((void *)(uintptr_t)REGION_START, REGION_SIZE, MADV_DONTNEED) == 0);
        return 0;
}
