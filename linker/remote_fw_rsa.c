/*
 * remote_fw_rsa.c - rproc-bundle kit: RSA signature verification (RFC 8017,
 * RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-256). See remote_fw_rsa.h.
 *
 * Numbers are little-endian arrays of 32-bit words; s^e mod n is computed
 * with Montgomery multiplication (CIOS), R = 2^(32 * words). The Montgomery
 * constants (-n^-1 mod 2^32 and R^2 mod n) are derived from the modulus
 * here (a dozen products), so a key is only its modulus and exponent.
 */
#include "remote_fw.h"
#include "remote_fw_rsa.h"
#include "remote_fw_sha256.h"

#define MAXW (REMOTE_FW_RSA_MAX_BITS / 32u)

struct mont {
        uint32_t n[MAXW];
        uint32_t rr[MAXW];      /* R^2 mod n */
        uint32_t n0inv;         /* -n^-1 mod 2^32 */
        unsigned w;             /* words */
};

/* a >= b, both w words. */
static int geq(const uint32_t *a, const uint32_t *b, unsigned w)
{
        while (w--) {
                if (a[w] != b[w])
                        return a[w] > b[w];
        }
        return 1;
}

/* a -= b (w words); returns the borrow. */
static uint32_t sub(uint32_t *a, const uint32_t *b, unsigned w)
{
        uint64_t borrow = 0;
        unsigned i;

        for (i = 0; i < w; i++) {
                uint64_t d = (uint64_t)a[i] - b[i] - borrow;

                a[i] = (uint32_t)d;
                borrow = (d >> 32) & 1u;
        }
        return (uint32_t)borrow;
}

/* out = a * b * R^-1 mod n (out may alias a or b). */
static void mont_mul(const struct mont *m, uint32_t *out, const uint32_t *a, const uint32_t *b)
{
        uint32_t t[MAXW + 2];
        unsigned i, j, w = m->w;

        for (i = 0; i < w + 2; i++)
                t[i] = 0;
        for (i = 0; i < w; i++) {
                uint64_t c = 0, s;
                uint32_t q;

                for (j = 0; j < w; j++) {
                        c += (uint64_t)a[j] * b[i] + t[j];
                        t[j] = (uint32_t)c;
                        c >>= 32;
                }
                s = (uint64_t)t[w] + c;
                t[w] = (uint32_t)s;
                t[w + 1] = (uint32_t)(s >> 32);
                q = t[0] * m->n0inv;
                c = ((uint64_t)q * m->n[0] + t[0]) >> 32;
                for (j = 1; j < w; j++) {
                        c += (uint64_t)q * m->n[j] + t[j];
                        t[j - 1] = (uint32_t)c;
                        c >>= 32;
                }
                s = (uint64_t)t[w] + c;
                t[w - 1] = (uint32_t)s;
                t[w] = t[w + 1] + (uint32_t)(s >> 32);
                t[w + 1] = 0;
        }
        /* t < 2n: one conditional subtraction. */
        if (t[w] || geq(t, m->n, w))
                sub(t, m->n, w);
        for (i = 0; i < w; i++)
                out[i] = t[i];
}

/* Big-endian bytes (w * 4 of them) to words. */
static void from_be(uint32_t *x, const uint8_t *p, unsigned w)
{
        unsigned i;

        for (i = 0; i < w; i++) {
                const uint8_t *q = p + 4u * (w - 1u - i);

                x[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        }
}

static int mont_setup(struct mont *m, const struct remote_fw_rsa_key *key)
{
        uint32_t x, n0;
        unsigned i, k, w, bits;

        if (key == NULL || key->modulus == NULL ||
            (key->num_bits != 2048u && key->num_bits != 3072u && key->num_bits != 4096u) ||
            key->exponent < 3u || !(key->exponent & 1u))
                return REMOTE_FW_EFITSIGALGO;
        w = key->num_bits / 32u;
        m->w = w;
        from_be(m->n, key->modulus, w);
        if (!(m->n[0] & 1u) || !(m->n[w - 1] >> 31))
                return REMOTE_FW_EFITSIGALGO;
        /* Newton's iteration: each step doubles the correct low bits (3 -> 48). */
        n0 = m->n[0];
        x = n0;
        for (i = 0; i < 4; i++)
                x *= 2u - n0 * x;
        m->n0inv = 0u - x;
        /* R^2 mod n. R mod n is 2^bits - n (n > R / 2): the Montgomery form of
         * 1. With bits = m * 2^k (m odd: 1 or 3), m doublings give the form of
         * 2^m, and k Montgomery squarings the form of 2^(m * 2^k) = R, which
         * is R^2 mod n: 12 products instead of bits doublings. */
        for (i = 0; i < w; i++)
                m->rr[i] = ~m->n[i];
        m->rr[0] += 1u;                         /* n is odd: no carry out of word 0 */
        bits = 32u * w;
        for (k = 0; !(bits & 1u); k++)
                bits >>= 1;
        for (i = 0; i < bits; i++) {
                uint32_t top = m->rr[w - 1] >> 31;
                unsigned j;

                for (j = w - 1; j > 0; j--)
                        m->rr[j] = m->rr[j] << 1 | m->rr[j - 1] >> 31;
                m->rr[0] <<= 1;
                if (top || geq(m->rr, m->n, w))
                        sub(m->rr, m->n, w);
        }
        for (i = 0; i < k; i++)
                mont_mul(m, m->rr, m->rr, m->rr);
        return 0;
}

/* em = s^e mod n as big-endian bytes (w * 4). s < n checked here. */
static int rsa_public(const struct mont *m, uint32_t e, const uint8_t *sig, uint8_t *em)
{
        uint32_t s[MAXW], acc[MAXW];
        unsigned i, w = m->w;
        int bit;

        from_be(s, sig, w);
        if (geq(s, m->n, w))
                return REMOTE_FW_EFITSIG;
        mont_mul(m, s, s, m->rr);               /* s * R */
        for (i = 0; i < w; i++)
                acc[i] = s[i];
        for (bit = 31; !(e >> bit & 1u); bit--)
                ;
        for (bit--; bit >= 0; bit--) {
                mont_mul(m, acc, acc, acc);
                if (e >> bit & 1u)
                        mont_mul(m, acc, acc, s);
        }
        for (i = 0; i < w; i++)
                s[i] = i == 0;
        mont_mul(m, acc, acc, s);               /* out of Montgomery form */
        for (i = 0; i < w; i++) {
                uint8_t *q = em + 4u * (w - 1u - i);

                q[0] = (uint8_t)(acc[i] >> 24);
                q[1] = (uint8_t)(acc[i] >> 16);
                q[2] = (uint8_t)(acc[i] >> 8);
                q[3] = (uint8_t)acc[i];
        }
        return 0;
}

/* EM = 00 01 FF.. 00 DigestInfo(SHA-256) H, compared whole (no parsing). */
static int check_pkcs1_v15(const uint8_t *em, size_t k, const uint8_t digest[32])
{
        static const uint8_t info[19] = {
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
        };
        size_t i, ps_end = k - 32u - 19u - 1u;
        unsigned diff = em[0] | (em[1] ^ 1u) | em[ps_end];

        for (i = 2; i < ps_end; i++)
                diff |= em[i] ^ 0xffu;
        for (i = 0; i < 19; i++)
                diff |= em[ps_end + 1u + i] ^ info[i];
        for (i = 0; i < 32; i++)
                diff |= em[k - 32u + i] ^ digest[i];
        return diff ? REMOTE_FW_EFITSIG : 0;
}

/* RFC 8017 9.1.2 with emBits = 8k - 1 and the salt length read from DB. */
static int check_pss(uint8_t *em, size_t k, const uint8_t digest[32])
{
        static const uint8_t zeros[8];
        size_t db_len = k - 33u, i, done, ps;
        const uint8_t *h = em + db_len;
        struct remote_fw_sha256_ctx c;
        uint8_t block[36], mask[32], hp[32];
        uint32_t counter;
        unsigned diff = 0;

        if (em[k - 1] != 0xbcu || (em[0] & 0x80u))
                return REMOTE_FW_EFITSIG;
        /* DB = maskedDB xor MGF1(H), in place. */
        for (i = 0; i < 32; i++)
                block[i] = h[i];
        for (counter = 0, done = 0; done < db_len; counter++) {
                block[32] = (uint8_t)(counter >> 24);
                block[33] = (uint8_t)(counter >> 16);
                block[34] = (uint8_t)(counter >> 8);
                block[35] = (uint8_t)counter;
                remote_fw_sha256(block, sizeof(block), mask);
                for (i = 0; i < 32 && done < db_len; i++, done++)
                        em[done] ^= mask[i];
        }
        em[0] &= 0x7fu;
        for (ps = 0; ps < db_len - 1u && em[ps] == 0; ps++)
                ;
        if (em[ps] != 0x01u)
                return REMOTE_FW_EFITSIG;
        /* H' = SHA-256(00 x 8 || mHash || salt) */
        remote_fw_sha256_init(&c);
        remote_fw_sha256_update(&c, zeros, sizeof(zeros));
        remote_fw_sha256_update(&c, digest, 32);
        remote_fw_sha256_update(&c, em + ps + 1u, db_len - ps - 1u);
        remote_fw_sha256_final(&c, hp);
        for (i = 0; i < 32; i++)
                diff |= hp[i] ^ h[i];
        return diff ? REMOTE_FW_EFITSIG : 0;
}

int remote_fw_rsa_verify_sha256(const struct remote_fw_rsa_key *key, int padding,
                                const uint8_t digest[32], const uint8_t *sig,
                                size_t sig_len)
{
        struct mont m;
        uint8_t em[REMOTE_FW_RSA_MAX_BITS / 8u];
        size_t k;
        int err;

        if (digest == NULL || sig == NULL ||
            (padding != REMOTE_FW_RSA_PKCS1_V15 && padding != REMOTE_FW_RSA_PSS))
                return REMOTE_FW_EFITSIGALGO;
        err = mont_setup(&m, key);
        if (err)
                return err;
        k = key->num_bits / 8u;
        if (sig_len != k)
                return REMOTE_FW_EFITSIGALGO;
        err = rsa_public(&m, key->exponent, sig, em);
        if (err)
                return err;
        return padding == REMOTE_FW_RSA_PSS ? check_pss(em, k, digest)
                                            : check_pkcs1_v15(em, k, digest);
}
