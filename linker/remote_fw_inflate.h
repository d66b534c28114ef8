/*
 * remote_fw_inflate.h - the kit's inflate unit (remote_fw_inflate.c, with its
 * fast loop in remote_fw_inffast.c): raw deflate (RFC 1951) and one gzip
 * member (RFC 1952), table driven, into a bounded output. Needs the CRC-32 unit (remote_fw_crc32.c) for the gzip
 * trailer, and nothing else from the kit.
 *
 * remote_fw_inflate and remote_fw_gunzip are part of the C API and are
 * declared in remote_fw_fit.h too. The remote_fw_gzip_* / _gunzip_to/_head
 * helpers below are the unit's interface to the FIT unit, not part of the
 * documented C API.
 */
#ifndef REMOTE_FW_INFLATE_H
#define REMOTE_FW_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raw deflate in[0 .. in_len) into out[0 .. out_cap): 0 with the input used
 * and the output length, or REMOTE_FW_EINFLATE (or EINVAL). */
int remote_fw_inflate(const void *in, size_t in_len, void *out, size_t out_cap,
                      size_t *in_used, size_t *out_len);

/* One gzip member filling gz[0 .. gz_size) exactly, trailer (CRC-32, size)
 * checked: 0 with the output length, or REMOTE_FW_EINFLATE (or EINVAL). */
int remote_fw_gunzip(const void *gz, size_t gz_size, void *out, size_t out_cap,
                     size_t *out_len);

/* The length of the gzip member header at p[0 .. n) in *hdr (0), or -1 when
 * it is not one (the 8-byte trailer must fit after it). */
int remote_fw_gzip_header(const uint8_t *p, size_t n, size_t *hdr);

/* remote_fw_gunzip into target memory (written through volatile pointers). */
int remote_fw_gunzip_to(const uint8_t *gz, size_t n, volatile uint8_t *out, size_t cap,
                        size_t *out_len);

/* The first `want` bytes of the gzip member gz[0 .. n) into buf, trailer not
 * checked: 0 and *produced (< want when the member is shorter), or
 * REMOTE_FW_EINFLATE when the header or the stream up to there is bad. */
int remote_fw_gunzip_head(const uint8_t *gz, size_t n, uint8_t *buf, size_t want,
                          size_t *produced);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_INFLATE_H */
