/*
 * remote_fw_sha1.h - the kit's SHA-1 unit (remote_fw_sha1.c, FIPS 180-4),
 * for FITs hashed the older way (`algo = "sha1"`). Needs nothing else from
 * the kit. A unit interface, not part of the documented C API (remote_fw.h,
 * remote_fw_fit.h): SHA-1 only checks integrity against accidents here.
 */
#ifndef REMOTE_FW_SHA1_H
#define REMOTE_FW_SHA1_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SHA-1 of n bytes into digest; NULL reads as no bytes. */
void remote_fw_sha1(const void *data, size_t n, uint8_t digest[20]);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_SHA1_H */
