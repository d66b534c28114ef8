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

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_SHA256_H */
