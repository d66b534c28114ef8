/*
 * remote_fw_sha256.c - rproc-bundle kit: SHA-256 (FIPS 180-4), the FIT's
 * sha256 hash. See remote_fw_sha256.h and docs/kit.md ("The building blocks").
 *
 * C99, freestanding: no libc. The message is read byte by byte (any
 * alignment); AArch64 cores with the SHA2 instructions use them.
 */
#include "remote_fw_sha256.h"
#include "remote_fw_bytes.h"


static const uint32_t sha256_k[64] __attribute__((aligned(16))) = {
        0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u,
        0x923f82a4u, 0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u,
        0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u,
        0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
        0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u,
        0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u,
        0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
        0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
        0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au,
        0x5b9cca4fu, 0x682e6ff3u, 0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
        0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

#define ROR32(x, n)     (((x) >> (n)) | ((x) << (32 - (n))))
/* The Sigmas with one rotate factored out: two rotates and an XOR less, and on
 * ARM the last rotate folds into the add that uses the value. */
#if defined(__arm__) && (defined(__thumb2__) || !defined(__thumb__))
/* x ^ ror(x, a) ^ ror(x, b) in two EORs with a rotated operand (32-bit ARM,
 * Thumb-2): GCC reassociates the C form into three instructions. */
static inline uint32_t sha_s0_xor3(uint32_t x)
{
        uint32_t t;

        __asm__("eor %0, %1, %1, ror #11\n\teor %0, %0, %1, ror #20" : "=&r"(t) : "r"(x));
        return t;
}

static inline uint32_t sha_s1_xor3(uint32_t x)
{
        uint32_t t;

        __asm__("eor %0, %1, %1, ror #5\n\teor %0, %0, %1, ror #19" : "=&r"(t) : "r"(x));
        return t;
}
#define SHA_S0(x)       ROR32(sha_s0_xor3(x), 2)
#define SHA_S1(x)       ROR32(sha_s1_xor3(x), 6)
#else
#define SHA_S0(x)       ROR32((x) ^ ROR32(x, 11) ^ ROR32(x, 20), 2)
#define SHA_S1(x)       ROR32((x) ^ ROR32(x, 5) ^ ROR32(x, 19), 6)
#endif
#define SHA_s0(x)       (ROR32((x) ^ ROR32(x, 11), 7) ^ ((x) >> 3))
#define SHA_s1(x)       (ROR32((x) ^ ROR32(x, 2), 17) ^ ((x) >> 10))
/* Ch's two terms share no bit, so they are added one by one. Maj is
 * ((a ^ b) & (b ^ c)) ^ b, and b ^ c is the previous round's a ^ b (the
 * variables rotate): one XOR a round is carried over, in ab/bc. */
#define SHA_ROUND(a, b, c, d, e, f, g, h, i, wi, ab, bc) do {                  \
                h += SHA_S1(e) + (e & f) + (~e & g) + sha256_k[i] + (wi);       \
                d += h;                                                         \
                ab = a ^ b;                                                     \
                h += SHA_S0(a) + ((ab & bc) ^ b);                               \
        } while (0)
#define SHA_W(i) (w[(i) & 15] += SHA_s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + \
                                  SHA_s0(w[((i) - 15) & 15]))
#define SHA_8ROUNDS(i, W) do {                                                  \
                SHA_ROUND(a, b, c, d, e, f, g, h, (i) + 0, W((i) + 0), x, y);    \
                SHA_ROUND(h, a, b, c, d, e, f, g, (i) + 1, W((i) + 1), y, x);    \
                SHA_ROUND(g, h, a, b, c, d, e, f, (i) + 2, W((i) + 2), x, y);    \
                SHA_ROUND(f, g, h, a, b, c, d, e, (i) + 3, W((i) + 3), y, x);    \
                SHA_ROUND(e, f, g, h, a, b, c, d, (i) + 4, W((i) + 4), x, y);    \
                SHA_ROUND(d, e, f, g, h, a, b, c, (i) + 5, W((i) + 5), y, x);    \
                SHA_ROUND(c, d, e, f, g, h, a, b, (i) + 6, W((i) + 6), x, y);    \
                SHA_ROUND(b, c, d, e, f, g, h, a, (i) + 7, W((i) + 7), y, x);    \
        } while (0)
#define SHA_WLOAD(i) (w[i])

#if defined(__aarch64__) && defined(__ARM_FEATURE_SHA2) && defined(__ARM_NEON)
/*
 * The ARMv8 SHA-256 instructions (built with +crypto or +sha2, e.g.
 * -mcpu=cortex-a53+crypto): four rounds per SHA256H/SHA256H2 pair. The
 * message, when it is 8-byte aligned (a FIT's data usually is), is read with
 * LD1 of 16 byte elements and REV32 makes the big-endian words: 8 of the
 * block's instructions where assembling the words from byte loads took 208
 * of 335. LD1's alignment is that of its elements, one byte, but emulators
 * (QEMU, unicorn) do it as two 8-byte loads: only from an 8-byte aligned
 * address, so that the kit's promise (no N-byte access off a multiple of N,
 * bench/bench_fit.py --check-align) holds there too. Otherwise the words are
 * assembled from bytes into an aligned array. LD1 is written out: GCC turns
 * vld1q_u8 into sixteen byte loads under -mstrict-align.
 */
#include <arm_neon.h>

static inline uint32x4_t ld1_be32x4(const uint8_t *p)
{
        uint8x16_t v;

        __asm__("ld1 {%0.16b}, [%1]" : "=w"(v) : "r"(p), "m"(*(const uint8_t (*)[16])p));
        return vreinterpretq_u32_u8(vrev32q_u8(v));
}

static void sha256_blocks(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
        uint32_t w[16] __attribute__((aligned(16)));
        uint32x4_t abcd = vld1q_u32(st), efgh = vld1q_u32(st + 4);
        unsigned i;

        for (; nblocks; nblocks--, p += 64) {
                uint32x4_t m0, m1, m2, m3, a0 = abcd, e0 = efgh, wk, t;

                if (((uintptr_t)p & 7u) == 0) {
                        m0 = ld1_be32x4(p);
                        m1 = ld1_be32x4(p + 16);
                        m2 = ld1_be32x4(p + 32);
                        m3 = ld1_be32x4(p + 48);
                } else {
                        for (i = 0; i < 16; i++)
                                w[i] = be32(p + 4 * i);
                        m0 = vld1q_u32(w);
                        m1 = vld1q_u32(w + 4);
                        m2 = vld1q_u32(w + 8);
                        m3 = vld1q_u32(w + 12);
                }
                for (i = 0; i < 64; i += 16) {
#define SHA_4ROUNDS(m, k) do {                                                  \
                wk = vaddq_u32(m, vld1q_u32(sha256_k + (k)));                   \
                t = abcd;                                                       \
                abcd = vsha256hq_u32(abcd, efgh, wk);                           \
                efgh = vsha256h2q_u32(efgh, t, wk);                             \
        } while (0)
                        SHA_4ROUNDS(m0, i);
                        SHA_4ROUNDS(m1, i + 4);
                        SHA_4ROUNDS(m2, i + 8);
                        SHA_4ROUNDS(m3, i + 12);
#undef SHA_4ROUNDS
                        if (i < 48) {
                                m0 = vsha256su1q_u32(vsha256su0q_u32(m0, m1), m2, m3);
                                m1 = vsha256su1q_u32(vsha256su0q_u32(m1, m2), m3, m0);
                                m2 = vsha256su1q_u32(vsha256su0q_u32(m2, m3), m0, m1);
                                m3 = vsha256su1q_u32(vsha256su0q_u32(m3, m0), m1, m2);
                        }
                }
                abcd = vaddq_u32(abcd, a0);
                efgh = vaddq_u32(efgh, e0);
        }
        vst1q_u32(st, abcd);
        vst1q_u32(st + 4, efgh);
}
#else
typedef uint32_t __attribute__((may_alias)) sha_word;

/* A big-endian word from an aligned address: one load (and a byte swap). */
static uint32_t load_be32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint32_t w = *(const sha_word *)p;

        /* a byte swap (REV where the core has it); no libgcc call even at -O0 */
        return w >> 24 | (w >> 8 & 0xff00u) | (w << 8 & 0xff0000u) | w << 24;
#else
        return *(const sha_word *)p;
#endif
}

/* Portable: all 64 rounds unrolled, so every schedule index is a constant and
 * the 16 message words stay in registers where the core has enough. */
static void sha256_blocks(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
        uint32_t w[16];

        for (; nblocks; nblocks--, p += 64) {
                uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
                uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
                uint32_t x, y = b ^ c;
                unsigned i;

                if (((uintptr_t)p & 3) == 0) {
                        for (i = 0; i < 16; i++)
                                w[i] = load_be32(p + 4 * i);
                } else {
                        for (i = 0; i < 16; i++)
                                w[i] = be32(p + 4 * i);
                }
                SHA_8ROUNDS(0, SHA_WLOAD);
                SHA_8ROUNDS(8, SHA_WLOAD);
                SHA_8ROUNDS(16, SHA_W);
                SHA_8ROUNDS(24, SHA_W);
                SHA_8ROUNDS(32, SHA_W);
                SHA_8ROUNDS(40, SHA_W);
                SHA_8ROUNDS(48, SHA_W);
                SHA_8ROUNDS(56, SHA_W);
                st[0] += a; st[1] += b; st[2] += c; st[3] += d;
                st[4] += e; st[5] += f; st[6] += g; st[7] += h;
        }
}
#endif

static const uint32_t sha256_iv[8] = {
        0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
        0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

void remote_fw_sha256_init(struct remote_fw_sha256_ctx *c)
{
        unsigned i;

        for (i = 0; i < 8; i++)
                c->st[i] = sha256_iv[i];
        c->len = 0;
}

void remote_fw_sha256_update(struct remote_fw_sha256_ctx *c, const void *data, size_t n)
{
        const uint8_t *p = data;
        size_t fill = (size_t)(c->len & 63u), full;

        if (p == NULL || n == 0)
                return;
        c->len += n;
        if (fill) {
                while (fill < 64 && n) {
                        c->buf[fill++] = *p++;
                        n--;
                }
                if (fill < 64)
                        return;
                sha256_blocks(c->st, c->buf, 1);
        }
        full = n >> 6;
        sha256_blocks(c->st, p, full);
        p += full << 6;
        n &= 63u;
        for (fill = 0; fill < n; fill++)
                c->buf[fill] = p[fill];
}

void remote_fw_sha256_final(struct remote_fw_sha256_ctx *c, uint8_t digest[32])
{
        static const uint8_t pad = 0x80;
        static const uint8_t zeros[64];
        uint64_t bits = c->len << 3;
        uint8_t lenb[8];
        unsigned i;

        remote_fw_sha256_update(c, &pad, 1);
        remote_fw_sha256_update(c, zeros, (size_t)((120u - (unsigned)(c->len & 63u)) & 63u));
        for (i = 0; i < 8; i++)
                lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
        remote_fw_sha256_update(c, lenb, 8);
        for (i = 0; i < 32; i++)
                digest[i] = (uint8_t)(c->st[i >> 2] >> (24 - 8 * (i & 3)));
}

void remote_fw_sha256(const void *data, size_t n, uint8_t digest[32])
{
        static const uint32_t iv[8] = {
                0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
        };
        const uint8_t *p = data;
        uint32_t st[8] __attribute__((aligned(16)));
        uint8_t tail[128];
        uint64_t bits = (uint64_t)n << 3;
        size_t full = n >> 6, rest = n & 63, i, tail_len;

        if (p == NULL)
                full = rest = 0, bits = 0;
        for (i = 0; i < 8; i++)
                st[i] = iv[i];
        sha256_blocks(st, p, full);
        tail_len = md_tail(tail, p, 64 * full, rest, bits);
        sha256_blocks(st, tail, tail_len >> 6);
        for (i = 0; i < 32; i++)
                digest[i] = (uint8_t)(st[i >> 2] >> (24 - 8 * (i & 3)));
}
