/*
 * remote_fw_sha256.c - rproc-bundle kit: SHA-256 (FIPS 180-4), the FIT's
 * sha256 hash and the signed manifest's. See remote_fw_sha256.h and
 * docs/kit.md ("The building blocks", "SHA-256 on Cortex-M").
 *
 * C99, freestanding: no libc; any alignment. The block function comes in four
 * builds, the first that applies:
 *   AArch64 with the SHA2 instructions   they (SHA256H/H2, SU0/SU1);
 *   -Os (__OPTIMIZE_SIZE__)             rolled C, about 1 KiB with its tables;
 *   Thumb-2, ARMv7 or later, little-endian   assembly (Cortex-M3 and up);
 *   anything else                       all 64 rounds unrolled in C.
 */
#include "remote_fw_sha256.h"
#include "remote_fw_bytes.h"

#define SHA256_CRYPTO   1
#define SHA256_COMPACT  2
#define SHA256_THUMB2   3
#define SHA256_UNROLLED 4
#if defined(__aarch64__) && defined(__ARM_FEATURE_SHA2) && defined(__ARM_NEON)
#define SHA256_PATH SHA256_CRYPTO
#elif defined(__OPTIMIZE_SIZE__)
#define SHA256_PATH SHA256_COMPACT
#elif defined(__thumb2__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7 && !defined(__ARMEB__)
#define SHA256_PATH SHA256_THUMB2
#else
#define SHA256_PATH SHA256_UNROLLED
#endif

/* The round constants, once for the C table and the assembly's. */
#define SHA256_K(X)                                                             \
        X(0x428a2f98) X(0x71374491) X(0xb5c0fbcf) X(0xe9b5dba5) X(0x3956c25b)   \
        X(0x59f111f1) X(0x923f82a4) X(0xab1c5ed5) X(0xd807aa98) X(0x12835b01)   \
        X(0x243185be) X(0x550c7dc3) X(0x72be5d74) X(0x80deb1fe) X(0x9bdc06a7)   \
        X(0xc19bf174) X(0xe49b69c1) X(0xefbe4786) X(0x0fc19dc6) X(0x240ca1cc)   \
        X(0x2de92c6f) X(0x4a7484aa) X(0x5cb0a9dc) X(0x76f988da) X(0x983e5152)   \
        X(0xa831c66d) X(0xb00327c8) X(0xbf597fc7) X(0xc6e00bf3) X(0xd5a79147)   \
        X(0x06ca6351) X(0x14292967) X(0x27b70a85) X(0x2e1b2138) X(0x4d2c6dfc)   \
        X(0x53380d13) X(0x650a7354) X(0x766a0abb) X(0x81c2c92e) X(0x92722c85)   \
        X(0xa2bfe8a1) X(0xa81a664b) X(0xc24b8b70) X(0xc76c51a3) X(0xd192e819)   \
        X(0xd6990624) X(0xf40e3585) X(0x106aa070) X(0x19a4c116) X(0x1e376c08)   \
        X(0x2748774c) X(0x34b0bcb5) X(0x391c0cb3) X(0x4ed8aa4a) X(0x5b9cca4f)   \
        X(0x682e6ff3) X(0x748f82ee) X(0x78a5636f) X(0x84c87814) X(0x8cc70208)   \
        X(0x90befffa) X(0xa4506ceb) X(0xbef9a3f7) X(0xc67178f2)
#if SHA256_PATH != SHA256_THUMB2
#define SHA_KC(v)       v##u,
static const uint32_t sha256_k[64] __attribute__((aligned(16))) = { SHA256_K(SHA_KC) };
#endif

#define ROR32(x, n)     (((x) >> (n)) | ((x) << (32 - (n))))
/* The Sigmas with one rotate factored out: two rotates and an XOR less, and on
 * ARM the last rotate folds into the add that uses the value. */
#if defined(__arm__) && (defined(__thumb2__) || !defined(__thumb__)) && SHA256_PATH != SHA256_THUMB2
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

#if SHA256_PATH == SHA256_CRYPTO
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
#elif SHA256_PATH == SHA256_COMPACT
/* Small (about 1 KiB with the constants, a seventh of the unrolled C): the
 * schedule into 64 words, then one round in a loop, the eight words moved
 * down a place each round. About 52 instructions a byte on Cortex-M3, 33
 * unrolled, 26.5 in the assembly (docs/kit.md). */
static void sha256_blocks(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
        uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
        unsigned i;

        for (; nblocks; nblocks--, p += 64) {
                for (i = 0; i < 16; i++)
                        w[i] = be32(p + 4 * i);
                for (; i < 64; i++)
                        w[i] = SHA_s1(w[i - 2]) + w[i - 7] + SHA_s0(w[i - 15]) + w[i - 16];
                a = st[0]; b = st[1]; c = st[2]; d = st[3];
                e = st[4]; f = st[5]; g = st[6]; h = st[7];
                for (i = 0; i < 64; i++) {
                        t1 = h + SHA_S1(e) + (((f ^ g) & e) ^ g) + sha256_k[i] + w[i];
                        t2 = SHA_S0(a) + (((a ^ b) & (b ^ c)) ^ b);
                        h = g; g = f; f = e; e = d + t1;
                        d = c; c = b; b = a; a = t1 + t2;
                }
                st[0] += a; st[1] += b; st[2] += c; st[3] += d;
                st[4] += e; st[5] += f; st[6] += g; st[7] += h;
        }
}
#elif SHA256_PATH == SHA256_THUMB2
/*
 * ARMv7-M and later in Thumb-2 (Cortex-M3/M4/M7/M33, Cortex-A/R in Thumb
 * state), little-endian: the block function in assembly, 26.5 instructions a
 * byte on Cortex-M3 where GCC 12 makes 32.4 of the unrolled C below (docs/kit.md, "SHA-256
 * on Cortex-M"). A block is two passes over one array of 64 words on the stack:
 *
 * 1. The schedule. Each W[i] is built in the register that held W[i-7] (seven
 *    live words, so W[i-7] and W[i-2] are never reloaded); W[i-15] and W[i-14]
 *    come in with one LDRD; when W[j] is read for its sigma0 it is also added
 *    to W[j+9], the W[i-7] of the next step, so W[j] is then spent and its slot
 *    takes W[j] + K[j] (one LDRD of K, two ADDs, one STRD for two words).
 * 2. The rounds, W[i] + K[i] taken four at a time with POP (LDMIA SP!: one
 *    instruction and five cycles for four words, the consumed words end up
 *    below SP where an exception frame may land), the eight state words in
 *    r0-r7 renamed by the 8-round unroll, the rotations folded into EOR/ADD
 *    operands, Maj as ((a ^ b) & (b ^ c)) ^ b with b ^ c the previous round's
 *    a ^ b, so a round is 16 one-cycle instructions and a quarter of a POP.
 *
 * Every load and store is a word at a word-aligned address (LDM, LDRD on SP
 * or the K table); the message must be word aligned (remote_fw_sha256_update
 * copies a block that is not through the context's buffer) and nblocks at
 * least 1. Stack: 36 bytes saved, 12 of arguments, 256 of words.
 */
#define SHA_KS(v)       ".word " #v "\n\t"

#if defined(__clang__)
#define SHA_NOCLONE
#else
#define SHA_NOCLONE     __attribute__((noclone))    /* a clone would not take its arguments in r0-r2 */
#endif

__attribute__((naked, noinline)) SHA_NOCLONE
static void sha256_blocks_t2(uint32_t st[8] __attribute__((unused)), const uint8_t *p __attribute__((unused)),
                             size_t nblocks __attribute__((unused)))
{
        __asm__(
        /* one round; y is free on entry (a ^ b on exit), x holds b ^ c */
        ".macro sha256_r a, b, c, d, e, f, g, h, wk, x, y\n\t"
        "eor \\y, \\e, \\e, ror #5\n\t"
        "eor \\y, \\y, \\e, ror #19\n\t"
        "add \\h, \\h, \\y, ror #6\n\t"         /* h += S1(e) */
        "eor \\y, \\f, \\g\n\t"
        "and \\y, \\y, \\e\n\t"
        "eor \\y, \\y, \\g\n\t"
        "add \\h, \\h, \\y\n\t"                  /* h += Ch(e, f, g) */
        "add \\h, \\h, \\wk\n\t"                 /* h += W[i] + K[i] */
        "add \\d, \\d, \\h\n\t"
        "eor \\y, \\a, \\a, ror #11\n\t"
        "eor \\y, \\y, \\a, ror #20\n\t"
        "add \\h, \\h, \\y, ror #2\n\t"         /* h += S0(a) */
        "eor \\y, \\a, \\b\n\t"
        "and \\x, \\x, \\y\n\t"
        "eor \\x, \\x, \\b\n\t"
        "add \\h, \\h, \\x\n\t"                  /* h += Maj(a, b, c) */
        ".endm\n\t"
        ".macro sha256_r8\n\t"
        "pop {r10, r11, r12, lr}\n\t"
        "sha256_r r0, r1, r2, r3, r4, r5, r6, r7, r10, r8, r9\n\t"
        "sha256_r r7, r0, r1, r2, r3, r4, r5, r6, r11, r9, r8\n\t"
        "sha256_r r6, r7, r0, r1, r2, r3, r4, r5, r12, r8, r9\n\t"
        "sha256_r r5, r6, r7, r0, r1, r2, r3, r4, lr, r9, r8\n\t"
        "pop {r10, r11, r12, lr}\n\t"
        "sha256_r r4, r5, r6, r7, r0, r1, r2, r3, r10, r8, r9\n\t"
        "sha256_r r3, r4, r5, r6, r7, r0, r1, r2, r11, r9, r8\n\t"
        "sha256_r r2, r3, r4, r5, r6, r7, r0, r1, r12, r8, r9\n\t"
        "sha256_r r1, r2, r3, r4, r5, r6, r7, r0, lr, r9, r8\n\t"
        ".endm\n\t"
        );
        __asm__(
        /* schedule step i: w15 = W[i-15]; w7 holds W[i-7] + W[i-16] and
         * becomes W[i]; w6 (W[i-6]) takes W[i-15] for step i+1; w2 = W[i-2] */
        ".macro sha256_w i, w15, w7, w6, w2\n\t"
        "lsr r7, \\w15, #3\n\t"
        "eor r7, r7, \\w15, ror #7\n\t"
        "eor r7, r7, \\w15, ror #18\n\t"
        "add \\w7, \\w7, r7\n\t"
        ".if (\\i) < 63\n\t"
        "add \\w6, \\w6, \\w15\n\t"
        ".endif\n\t"
        "lsr r7, \\w2, #10\n\t"
        "eor r7, r7, \\w2, ror #17\n\t"
        "eor r7, r7, \\w2, ror #19\n\t"
        "add \\w7, \\w7, r7\n\t"
        ".endm\n\t"
        /* steps i and i+1 (w0..w6: the registers of W[i-7]..W[i-1]); the array
         * at SP, K at r12 */
        ".macro sha256_w2 i, w0, w1, w2, w3, w4, w5, w6\n\t"
        "ldrd r8, r9, [sp, #4 * ((\\i) - 15)]\n\t"
        "sha256_w (\\i), r8, \\w0, \\w1, \\w5\n\t"
        "sha256_w (\\i) + 1, r9, \\w1, \\w2, \\w6\n\t"
        "ldrd r10, r11, [r12, #4 * ((\\i) - 15)]\n\t"
        "add r10, r10, r8\n\t"
        "add r11, r11, r9\n\t"
        "strd r10, r11, [sp, #4 * ((\\i) - 15)]\n\t"  /* W[i-15..i-14] spent: + K */
        ".if (\\i) <= 46\n\t"
        "strd \\w0, \\w1, [sp, #4 * (\\i)]\n\t"        /* read back from step i+15 on */
        ".elseif (\\i) == 48\n\t"
        "str \\w0, [sp, #4 * 48]\n\t"
        "ldr r10, [r12, #4 * 49]\n\t"
        "add r10, r10, \\w1\n\t"
        "str r10, [sp, #4 * 49]\n\t"
        ".else\n\t"                                     /* never read back: + K now */
        "ldrd r10, r11, [r12, #4 * (\\i)]\n\t"
        "add r10, r10, \\w0\n\t"
        "add r11, r11, \\w1\n\t"
        "strd r10, r11, [sp, #4 * (\\i)]\n\t"
        ".endif\n\t"
        ".endm\n\t"

        );
        __asm__(
        "b 2f\n\t"
        ".p2align 2\n"
        "1:\n\t"
        SHA256_K(SHA_KS)
        "2:\n\t"
        "push {r4-r11, lr}\n\t"
        "push {r0-r2}\n"                        /* st, p, nblocks */
        "3:\n\t"
        "sub sp, sp, #256\n\t"
        "ldr lr, [sp, #256 + 4]\n\t"
        "adr.w r12, 1b\n\t"
        "ldm lr!, {r0-r8}\n\t"                  /* W[0..8] */
        "rev r9, r0\n\t"
        "rev r1, r1\n\t"
        "rev r2, r2\n\t"
        "rev r3, r3\n\t"
        "rev r4, r4\n\t"
        "rev r5, r5\n\t"
        "rev r6, r6\n\t"
        "rev r7, r7\n\t"
        "rev r8, r8\n\t"
        "strd r1, r2, [sp, #4]\n\t"
        "strd r3, r4, [sp, #12]\n\t"
        "strd r5, r6, [sp, #20]\n\t"
        "strd r7, r8, [sp, #28]\n\t"
        "ldr r10, [r12]\n\t"
        "add r10, r10, r9\n\t"
        "str r10, [sp]\n\t"                     /* W[0] + K[0] */
        "ldm lr!, {r0-r6}\n\t"                  /* W[9..15] */
        "str lr, [sp, #256 + 4]\n\t"
        "rev r0, r0\n\t"
        "rev r1, r1\n\t"
        "rev r2, r2\n\t"
        "rev r3, r3\n\t"
        "rev r4, r4\n\t"
        "rev r5, r5\n\t"
        "rev r6, r6\n\t"
        "strd r0, r1, [sp, #36]\n\t"
        "strd r2, r3, [sp, #44]\n\t"
        "strd r4, r5, [sp, #52]\n\t"
        "str r6, [sp, #60]\n\t"
        "add r0, r0, r9\n\t"                    /* W[9] + W[0] for step 16 */
        );
        __asm__(
        "sha256_w2 16, r0, r1, r2, r3, r4, r5, r6\n\t"
        "sha256_w2 18, r2, r3, r4, r5, r6, r0, r1\n\t"
        "sha256_w2 20, r4, r5, r6, r0, r1, r2, r3\n\t"
        "sha256_w2 22, r6, r0, r1, r2, r3, r4, r5\n\t"
        "sha256_w2 24, r1, r2, r3, r4, r5, r6, r0\n\t"
        "sha256_w2 26, r3, r4, r5, r6, r0, r1, r2\n\t"
        "sha256_w2 28, r5, r6, r0, r1, r2, r3, r4\n\t"
        "sha256_w2 30, r0, r1, r2, r3, r4, r5, r6\n\t"
        "sha256_w2 32, r2, r3, r4, r5, r6, r0, r1\n\t"
        "sha256_w2 34, r4, r5, r6, r0, r1, r2, r3\n\t"
        "sha256_w2 36, r6, r0, r1, r2, r3, r4, r5\n\t"
        "sha256_w2 38, r1, r2, r3, r4, r5, r6, r0\n\t"
        "sha256_w2 40, r3, r4, r5, r6, r0, r1, r2\n\t"
        "sha256_w2 42, r5, r6, r0, r1, r2, r3, r4\n\t"
        "sha256_w2 44, r0, r1, r2, r3, r4, r5, r6\n\t"
        "sha256_w2 46, r2, r3, r4, r5, r6, r0, r1\n\t"
        "sha256_w2 48, r4, r5, r6, r0, r1, r2, r3\n\t"
        "sha256_w2 50, r6, r0, r1, r2, r3, r4, r5\n\t"
        "sha256_w2 52, r1, r2, r3, r4, r5, r6, r0\n\t"
        "sha256_w2 54, r3, r4, r5, r6, r0, r1, r2\n\t"
        "sha256_w2 56, r5, r6, r0, r1, r2, r3, r4\n\t"
        "sha256_w2 58, r0, r1, r2, r3, r4, r5, r6\n\t"
        "sha256_w2 60, r2, r3, r4, r5, r6, r0, r1\n\t"
        "sha256_w2 62, r4, r5, r6, r0, r1, r2, r3\n\t"
        );
        __asm__(
        "ldr r8, [sp, #256]\n\t"
        "ldm r8, {r0-r7}\n\t"
        "eor r8, r1, r2\n\t"
        ".rept 8\n\t"
        "sha256_r8\n\t"
        ".endr\n\t"
        "ldr r8, [sp]\n\t"                      /* the POPs took SP back up */
        "ldm r8, {r9-r12, lr}\n\t"
        "add r0, r0, r9\n\t"
        "add r1, r1, r10\n\t"
        "add r2, r2, r11\n\t"
        "add r3, r3, r12\n\t"
        "add r4, r4, lr\n\t"
        "ldrd r9, r10, [r8, #20]\n\t"
        "ldr r11, [r8, #28]\n\t"
        "add r5, r5, r9\n\t"
        "add r6, r6, r10\n\t"
        "add r7, r7, r11\n\t"
        "stm r8, {r0-r7}\n\t"
        "ldr r0, [sp, #8]\n\t"
        "subs r0, r0, #1\n\t"
        "str r0, [sp, #8]\n\t"
        "bne 3b\n\t"
        "add sp, sp, #12\n\t"
        "pop {r4-r11, pc}\n\t"
        ".purgem sha256_r\n\t"
        ".purgem sha256_r8\n\t"
        ".purgem sha256_w\n\t"
        ".purgem sha256_w2\n\t");
}

/* At least one block, word aligned (remote_fw_sha256_update copies one that is not). */
#define SHA_WORDS_ONLY  1
#define sha256_blocks   sha256_blocks_t2
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

#ifndef SHA_WORDS_ONLY
#define SHA_WORDS_ONLY  0       /* the block function takes any alignment and count */
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
        if (SHA_WORDS_ONLY && full && ((uintptr_t)p & 3)) {
                for (; full; full--, p += 64) {         /* a block at a time through buf */
                        for (fill = 0; fill < 64; fill++)
                                c->buf[fill] = p[fill];
                        sha256_blocks(c->st, c->buf, 1);
                }
        } else if (full) {
                sha256_blocks(c->st, p, full);
                p += full << 6;
        }
        n &= 63u;
        for (fill = 0; fill < n; fill++)
                c->buf[fill] = p[fill];
}

/* The padding in buf itself (no second buffer on the stack): 0x80, zeros,
 * the length in bits; a second block when the first has no room for it. */
void remote_fw_sha256_final(struct remote_fw_sha256_ctx *c, uint8_t digest[32])
{
        size_t fill = (size_t)(c->len & 63u);
        uint64_t bits = c->len << 3;
        unsigned i;

        c->buf[fill++] = 0x80;
        if (fill > 56) {
                while (fill < 64)
                        c->buf[fill++] = 0;
                sha256_blocks(c->st, c->buf, 1);
                fill = 0;
        }
        while (fill < 56)
                c->buf[fill++] = 0;
        for (i = 0; i < 8; i++)
                c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
        sha256_blocks(c->st, c->buf, 1);
        for (i = 0; i < 32; i++)
                digest[i] = (uint8_t)(c->st[i >> 2] >> (24 - 8 * (i & 3)));
}

/* The blocks straight from the message (word-aligned ones on Thumb-2), only its
 * last 0-63 bytes are copied. */
void remote_fw_sha256(const void *data, size_t n, uint8_t digest[32])
{
        struct remote_fw_sha256_ctx c;

        remote_fw_sha256_init(&c);
        remote_fw_sha256_update(&c, data, n);
        remote_fw_sha256_final(&c, digest);
}
