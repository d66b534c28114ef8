/*
 * remote_fw_sha256.h - the kit's SHA-256 unit (remote_fw_sha256.c,
 * FIPS 180-4). Needs nothing else from the kit. remote_fw_sha256 is part of
 * the C API and is declared in remote_fw_fit.h too; this header is for a
 * program that wants the hash alone.
 */
#ifndef REMOTE_FW_SHA256_H
#define REMOTE_FW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SHA-256 of n bytes into digest; NULL reads as no bytes. */
void remote_fw_sha256(const void *data, size_t n, uint8_t digest[32]);

/*
 * The same hash over several pieces (a FIT signature's regions, PSS's M'):
 * init, update with each piece in order, final. 112 bytes of state.
 */
struct remote_fw_sha256_ctx {
        uint32_t st[8] __attribute__((aligned(16)));
        uint64_t len;           /* bytes so far */
        uint8_t buf[64];        /* the partial block */
};

void remote_fw_sha256_init(struct remote_fw_sha256_ctx *c);
void remote_fw_sha256_update(struct remote_fw_sha256_ctx *c, const void *data, size_t n);
void remote_fw_sha256_final(struct remote_fw_sha256_ctx *c, uint8_t digest[32]);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_SHA256_H */
