/*
 * remote_fw_sha512.h - SHA-512 (FIPS 180-4) for the rproc-bundle kit: the hash
 * inside Ed25519 (remote_fw_ed25519.h). Freestanding C99 like the rest of the
 * kit: no libc, no heap, every byte read and written one at a time (any
 * alignment, either host byte order).
 *
 *     struct remote_fw_sha512 c;
 *     remote_fw_sha512_init(&c);
 *     remote_fw_sha512_update(&c, part1, n1);
 *     remote_fw_sha512_update(&c, part2, n2);
 *     remote_fw_sha512_final(&c, digest);       // 64 bytes
 */
#ifndef REMOTE_FW_SHA512_H
#define REMOTE_FW_SHA512_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REMOTE_FW_SHA512_SIZE 64        /* digest bytes */

/* The running state: no pointers, may be copied. */
struct remote_fw_sha512 {
        uint64_t h[8];          /* chaining value */
        uint64_t count;         /* bytes hashed so far (the length field is 8 times this) */
        uint8_t block[128];     /* the partial block: count % 128 bytes of it are used */
};

void remote_fw_sha512_init(struct remote_fw_sha512 *c);
void remote_fw_sha512_update(struct remote_fw_sha512 *c, const void *data, size_t n);
void remote_fw_sha512_final(struct remote_fw_sha512 *c, uint8_t digest[REMOTE_FW_SHA512_SIZE]);

/* One call: digest = SHA-512(data[0..n)). */
void remote_fw_sha512(const void *data, size_t n, uint8_t digest[REMOTE_FW_SHA512_SIZE]);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_SHA512_H */
