/*
 * remote_fw_crc32.h - the kit's CRC-32 unit (remote_fw_crc32.c): zlib's
 * CRC-32, the checksum `bundle` records in each descriptor and the FIT's
 * crc32 hash. Needs nothing else from the kit.
 *
 * remote_fw_crc32 is part of the C API and is declared in remote_fw.h too;
 * this header is for a program that wants the CRC-32 alone.
 */
#ifndef REMOTE_FW_CRC32_H
#define REMOTE_FW_CRC32_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320, as zlib's crc32) of n bytes;
 * NULL reads as no bytes. */
uint32_t remote_fw_crc32(const void *data, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_CRC32_H */
