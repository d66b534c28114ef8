/*
 * remote_fw_rsa.h - the kit's RSA signature unit (remote_fw_rsa.c): verify
 * an RSASSA signature over a SHA-256 digest with a public key of 2048, 3072
 * or 4096 bits, PKCS#1 v1.5 or PSS (MGF1-SHA256, any salt length), as U-Boot's
 * `sha256,rsa2048` / `sha256,rsa4096` FIT signatures are made (RFC 8017).
 * Needs remote_fw_sha256.c (MGF1 and PSS's H'). See docs/kit.md ("Signed
 * FITs").
 *
 * C99, freestanding: no libc, no heap, byte loads only (-mstrict-align).
 * Verification handles public data only, so it is not constant time.
 * Stack: about 3.3 KiB at 4096 bits (five numbers of 128 words, one EM).
 */
#ifndef REMOTE_FW_RSA_H
#define REMOTE_FW_RSA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REMOTE_FW_RSA_MAX_BITS 4096u

/*
 * A trusted RSA public key, as the bootstrap holds it: the modulus as
 * big-endian bytes (num_bits / 8 of them, the top bit set: what
 * `openssl rsa -pubin -modulus` prints in hex) and the public exponent.
 * `name` is the key-name-hint of the FIT signature nodes this key answers
 * to (mkimage's -k KEYDIR/NAME.key); NULL answers to every node.
 */
struct remote_fw_rsa_key {
        const char *name;
        const uint8_t *modulus;
        uint32_t num_bits;      /* 2048, 3072 or 4096 */
        uint32_t exponent;      /* odd, >= 3 (usually 65537) */
};

#define REMOTE_FW_RSA_PKCS1_V15 0   /* U-Boot padding "pkcs-1.5" (its default) */
#define REMOTE_FW_RSA_PSS       1   /* U-Boot padding "pss" */

/*
 * Verify sig[0 .. sig_len) over the SHA-256 digest with key and padding.
 * Returns 0 when the signature is valid, REMOTE_FW_EFITSIG when it is not
 * (including a signature not below the modulus), REMOTE_FW_EFITSIGALGO when
 * the key is unusable (size, even modulus, top bit clear, exponent) or
 * sig_len is not the key's size.
 */
int remote_fw_rsa_verify_sha256(const struct remote_fw_rsa_key *key, int padding,
                                const uint8_t digest[32], const uint8_t *sig,
                                size_t sig_len);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_RSA_H */
