/*
 * remote_fw_ed25519.h - Ed25519 signature verification (RFC 8032 section
 * 5.1.7) for the rproc-bundle kit: verify only, strict, freestanding C99 (no
 * libc, no heap, byte-wise access to every input: any alignment).
 *
 *     if (remote_fw_ed25519_verify(sig, public_key, msg, msg_len) == 0)
 *             ... the signature is valid ...
 *
 * Strict, and exactly as libsodium's crypto_sign_verify_detached (1.0.18,
 * without ED25519_COMPAT) decides, which tests/kit/test_ed25519.py checks on
 * random and adversarial inputs:
 *  - S (the signature's second half) must be below the group order L;
 *  - the public key A must be a canonical encoding (y < p) of a point on the
 *    curve, and R and A must not be points of small order (order 1, 2, 4 or 8:
 *    y in {0, 1, -1, +-y8}, whatever the encoding or sign bit);
 *  - the cofactorless equation: the canonical encoding of [S]B - [k]A, with
 *    k = SHA-512(R || A || M) mod L, must equal R byte for byte (so an R that
 *    is not a canonical encoding never passes). A of mixed order (a point of
 *    order L plus a small-order one) is not refused by itself: the equation
 *    decides, as in libsodium.
 * Variable time: everything it handles (key, signature, message) is public.
 */
#ifndef REMOTE_FW_ED25519_H
#define REMOTE_FW_ED25519_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REMOTE_FW_ED25519_KEY_SIZE 32
#define REMOTE_FW_ED25519_SIG_SIZE 64

/* Why a signature is refused (remote_fw_ed25519_verify returns 0 or one of these). */
#define REMOTE_FW_ED25519_ES       1    /* S >= L */
#define REMOTE_FW_ED25519_EKEY     2    /* A: y not canonical (>= p), or no point has that y */
#define REMOTE_FW_ED25519_ESMALLA  3    /* A has small order */
#define REMOTE_FW_ED25519_ESMALLR  4    /* R has small order */
#define REMOTE_FW_ED25519_EMISMATCH 5   /* [S]B - [k]A does not encode to R */

int remote_fw_ed25519_verify(const uint8_t sig[REMOTE_FW_ED25519_SIG_SIZE],
                             const uint8_t public_key[REMOTE_FW_ED25519_KEY_SIZE],
                             const void *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_ED25519_H */
