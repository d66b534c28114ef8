/*
 * remote_fw_fit.c - rproc-bundle kit: boot Linux on a remote core from a Flat
 * Image Tree. See remote_fw_fit.h and docs/kit.md ("Remote Linux from a FIT").
 *
 * Owns: the device-tree reader (validate a whole blob once, then walk it with
 * bounded primitives), the FIT rules (configuration, images, hashes, types,
 * placement), SHA-256, inflate/gunzip, the /chosen patch of the loaded device
 * tree and the per-architecture kernel entry. The CRC-32, the error codes and
 * remote_fw_region come from remote_fw.c/.h.
 *
 * C99, freestanding: no libc, no heap, no 64-bit division. Every multi-byte
 * value is assembled from byte loads, and word copies happen only where both
 * pointers are aligned, so the code never makes an unaligned word access
 * (-mstrict-align, MMU off). Target memory is written through volatile
 * pointers (it keeps the compiler from turning loops into memcpy/memset).
 */
#include "remote_fw_fit.h"

#ifndef REMOTE_FW_FIT_ARCH
#if defined(__aarch64__)
#define REMOTE_FW_FIT_ARCH "arm64"
#elif defined(__arm__)
#define REMOTE_FW_FIT_ARCH "arm"
#elif defined(__riscv)
#define REMOTE_FW_FIT_ARCH "riscv"
#elif defined(__x86_64__)
#define REMOTE_FW_FIT_ARCH "x86_64"
#elif defined(__i386__)
#define REMOTE_FW_FIT_ARCH "x86"
#else
#error "define REMOTE_FW_FIT_ARCH to the U-Boot name of this core's architecture"
#endif
#endif

/* Most loadables (plus `firmware`) a configuration may name. */
#ifndef REMOTE_FW_FIT_MAX_LOADABLES
#define REMOTE_FW_FIT_MAX_LOADABLES 8
#endif

/* ---- bytes ------------------------------------------------------------------ */

static uint32_t be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t le64(const uint8_t *p)
{
        return (uint64_t)le32(p + 4) << 32 | le32(p);
}

static void put_be32(volatile uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

/* True when [off, off + len) lies inside [0, limit), without overflow. */
static int within(uint64_t limit, uint64_t off, uint64_t len)
{
        return off <= limit && len <= limit - off;
}

/* True when [a, a + alen) and [b, b + blen) share a byte (non-empty ranges). */
static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
        return a < b ? b - a < alen : a - b < blen;
}

/* The NUL-terminated string s equals the n bytes at p followed by a NUL. */
static int str_is(const uint8_t *p, uint32_t n, const char *s)
{
        uint32_t i;

        for (i = 0; i < n; i++)
                if (s[i] == 0 || (uint8_t)s[i] != p[i])
                        return 0;
        return s[n] == 0;
}

typedef uintptr_t __attribute__((may_alias)) big_word;
typedef uint32_t __attribute__((may_alias)) small_word;

/*
 * Copy n bytes to target memory. Pointer-sized words where source and
 * destination share their alignment, else 32-bit words where they share
 * that, else bytes; never an unaligned word access.
 */
static void copy_out(volatile uint8_t *dst, const uint8_t *src, size_t n)
{
        const size_t W = sizeof(uintptr_t);
        size_t i = 0;
        uintptr_t diff = (uintptr_t)dst ^ (uintptr_t)src;

        if ((diff & (W - 1)) == 0) {
                for (; i < n && ((uintptr_t)(dst + i) & (W - 1)) != 0; i++)
                        dst[i] = src[i];
                for (; n - i >= 4 * W; i += 4 * W) {
                        big_word a = *(const big_word *)(src + i);
                        big_word b = *(const big_word *)(src + i + W);
                        big_word c = *(const big_word *)(src + i + 2 * W);
                        big_word d = *(const big_word *)(src + i + 3 * W);

                        *(volatile big_word *)(dst + i) = a;
                        *(volatile big_word *)(dst + i + W) = b;
                        *(volatile big_word *)(dst + i + 2 * W) = c;
                        *(volatile big_word *)(dst + i + 3 * W) = d;
                }
                for (; n - i >= W; i += W)
                        *(volatile big_word *)(dst + i) = *(const big_word *)(src + i);
        } else if ((diff & 3) == 0) {
                for (; i < n && ((uintptr_t)(dst + i) & 3) != 0; i++)
                        dst[i] = src[i];
                for (; n - i >= 16; i += 16) {
                        small_word a = *(const small_word *)(src + i);
                        small_word b = *(const small_word *)(src + i + 4);
                        small_word c = *(const small_word *)(src + i + 8);
                        small_word d = *(const small_word *)(src + i + 12);

                        *(volatile small_word *)(dst + i) = a;
                        *(volatile small_word *)(dst + i + 4) = b;
                        *(volatile small_word *)(dst + i + 8) = c;
                        *(volatile small_word *)(dst + i + 12) = d;
                }
                for (; n - i >= 4; i += 4)
                        *(volatile small_word *)(dst + i) = *(const small_word *)(src + i);
        }
        for (; i < n; i++)
                dst[i] = src[i];
}

/* ---- SHA-256 (FIPS 180-4) ----------------------------------------------------- */

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
#define SHA_S0(x)       (ROR32(x, 2) ^ ROR32(x, 13) ^ ROR32(x, 22))
#define SHA_S1(x)       (ROR32(x, 6) ^ ROR32(x, 11) ^ ROR32(x, 25))
#define SHA_s0(x)       (ROR32(x, 7) ^ ROR32(x, 18) ^ ((x) >> 3))
#define SHA_s1(x)       (ROR32(x, 17) ^ ROR32(x, 19) ^ ((x) >> 10))
#define SHA_CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define SHA_MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
/* One round; the eight working variables rotate by renaming, not by moves. */
#define SHA_ROUND(a, b, c, d, e, f, g, h, i, wi) do {                          \
                uint32_t t1_ = h + SHA_S1(e) + SHA_CH(e, f, g) + sha256_k[i] + (wi); \
                d += t1_;                                                       \
                h = t1_ + SHA_S0(a) + SHA_MAJ(a, b, c);                         \
        } while (0)
#define SHA_W(i) (w[(i) & 15] += SHA_s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + \
                                  SHA_s0(w[((i) - 15) & 15]))
#define SHA_8ROUNDS(i, W) do {                                                  \
                SHA_ROUND(a, b, c, d, e, f, g, h, (i) + 0, W((i) + 0));          \
                SHA_ROUND(h, a, b, c, d, e, f, g, (i) + 1, W((i) + 1));          \
                SHA_ROUND(g, h, a, b, c, d, e, f, (i) + 2, W((i) + 2));          \
                SHA_ROUND(f, g, h, a, b, c, d, e, (i) + 3, W((i) + 3));          \
                SHA_ROUND(e, f, g, h, a, b, c, d, (i) + 4, W((i) + 4));          \
                SHA_ROUND(d, e, f, g, h, a, b, c, (i) + 5, W((i) + 5));          \
                SHA_ROUND(c, d, e, f, g, h, a, b, (i) + 6, W((i) + 6));          \
                SHA_ROUND(b, c, d, e, f, g, h, a, (i) + 7, W((i) + 7));          \
        } while (0)
#define SHA_WLOAD(i) (w[i])

#if defined(__aarch64__) && defined(__ARM_FEATURE_SHA2) && defined(__ARM_NEON)
/*
 * The ARMv8 SHA-256 instructions (built with +crypto or +sha2, e.g.
 * -mcpu=cortex-a53+crypto): four rounds per SHA256H/SHA256H2 pair. The
 * message words are read as bytes into a 16-byte aligned array first, so
 * the vector loads are aligned even on Device memory (MMU off).
 */
#include <arm_neon.h>

static void sha256_blocks(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
        uint32_t w[16] __attribute__((aligned(16)));
        uint32x4_t abcd = vld1q_u32(st), efgh = vld1q_u32(st + 4);
        unsigned i;

        for (; nblocks; nblocks--, p += 64) {
                uint32x4_t m0, m1, m2, m3, a0 = abcd, e0 = efgh, wk, t;

                for (i = 0; i < 16; i++)
                        w[i] = be32(p + 4 * i);
                m0 = vld1q_u32(w);
                m1 = vld1q_u32(w + 4);
                m2 = vld1q_u32(w + 8);
                m3 = vld1q_u32(w + 12);
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
/* Portable: all 64 rounds unrolled, so every schedule index is a constant and
 * the 16 message words stay in registers where the core has enough. */
static void sha256_blocks(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
        uint32_t w[16];

        for (; nblocks; nblocks--, p += 64) {
                uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
                uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
                unsigned i;

                for (i = 0; i < 16; i++)
                        w[i] = be32(p + 4 * i);
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
        for (i = 0; i < rest; i++)
                tail[i] = p[64 * full + i];
        tail[rest] = 0x80;
        tail_len = rest < 56 ? 64 : 128;
        for (i = rest + 1; i < tail_len - 8; i++)
                tail[i] = 0;
        for (i = 0; i < 8; i++)
                tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
        sha256_blocks(st, tail, tail_len >> 6);
        for (i = 0; i < 32; i++)
                digest[i] = (uint8_t)(st[i >> 2] >> (24 - 8 * (i & 3)));
}

/* ---- SHA-1 (FIPS 180-4), for FITs hashed the older way ------------------------ */

#define ROL32(x, n)     (((x) << (n)) | ((x) >> (32 - (n))))

static void sha1_blocks(uint32_t st[5], const uint8_t *p, size_t nblocks)
{
        uint32_t w[16];

        for (; nblocks; nblocks--, p += 64) {
                uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f, k, t;
                unsigned i;

                for (i = 0; i < 16; i++)
                        w[i] = be32(p + 4 * i);
                for (i = 0; i < 80; i++) {
                        if (i >= 16) {
                                t = w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15];
                                w[i & 15] = ROL32(t, 1);
                        }
                        if (i < 20) {
                                f = d ^ (b & (c ^ d));
                                k = 0x5a827999u;
                        } else if (i < 40) {
                                f = b ^ c ^ d;
                                k = 0x6ed9eba1u;
                        } else if (i < 60) {
                                f = (b & c) | (d & (b | c));
                                k = 0x8f1bbcdcu;
                        } else {
                                f = b ^ c ^ d;
                                k = 0xca62c1d6u;
                        }
                        t = ROL32(a, 5) + f + e + k + w[i & 15];
                        e = d;
                        d = c;
                        c = ROL32(b, 30);
                        b = a;
                        a = t;
                }
                st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e;
        }
}

static void sha1(const uint8_t *p, size_t n, uint8_t digest[20])
{
        uint32_t st[5];
        uint8_t tail[128];
        uint64_t bits = (uint64_t)n << 3;
        size_t full = n >> 6, rest = n & 63, i, tail_len;

        /* one by one: an initialised local array becomes a memcpy call */
        st[0] = 0x67452301u;
        st[1] = 0xefcdab89u;
        st[2] = 0x98badcfeu;
        st[3] = 0x10325476u;
        st[4] = 0xc3d2e1f0u;
        sha1_blocks(st, p, full);
        for (i = 0; i < rest; i++)
                tail[i] = p[64 * full + i];
        tail[rest] = 0x80;
        tail_len = rest < 56 ? 64 : 128;
        for (i = rest + 1; i < tail_len - 8; i++)
                tail[i] = 0;
        for (i = 0; i < 8; i++)
                tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
        sha1_blocks(st, tail, tail_len >> 6);
        for (i = 0; i < 20; i++)
                digest[i] = (uint8_t)(st[i >> 2] >> (24 - 8 * (i & 3)));
}

/* ---- inflate (RFC 1951) ------------------------------------------------------
 *
 * Table driven: the next LBITS (DBITS) bits of the stream index a table whose
 * entry gives the symbol's code length and what it means, already decoded
 * (a literal byte, a length or distance base and its extra-bit count, the
 * end of the block). Codes longer than the table's index are rare (they are
 * the rare symbols); their entries say "length 0" and they are decoded
 * canonically, a bit at a time from the count of codes per length.
 */

#define LBITS           10      /* literal/length table: 1024 entries */
#define DBITS           8       /* distance (and code-length) table: 256 entries */
#define MAXBITS         15
#define NLITLEN         288
#define NDIST           32
#define NCODELEN        19

/* entry: bits 0-3 code length (0: decode slowly), 4-7 extra bits,
 * 8-9 kind, 16-31 value (literal byte, length or distance base, symbol) */
#define E_LIT           0u
#define E_BASE          1u
#define E_END           2u
#define E_BAD           3u
#define ENTRY(kind, extra, value) ((uint32_t)(value) << 16 | (uint32_t)(kind) << 8 | (uint32_t)(extra) << 4)
#define E_LEN(e)        ((e) & 15u)
#define E_EXTRA(e)      (((e) >> 4) & 15u)
#define E_KIND(e)       (((e) >> 8) & 3u)
#define E_VALUE(e)      ((e) >> 16)

enum huff_kind { H_LITLEN, H_DIST, H_CODELEN };

static const uint16_t len_base[29] = {
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
        35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t len_extra[29] = {
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
        3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t dist_base[30] = {
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
};
static const uint8_t dist_extra[30] = {
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
        7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};
static const uint8_t codelen_order[NCODELEN] = {
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/* A canonical code: codes per length and the symbols in code order. */
struct huff {
        uint16_t count[MAXBITS + 1];
        uint16_t symbol[NLITLEN];
};

/* The bit buffer is a machine word: 64 bits on 64-bit cores, 32 elsewhere. */
typedef uintptr_t bitbuf_t;
#define BB_BITS         (8 * sizeof(bitbuf_t))

struct inflate {
        const uint8_t *in, *in_end;
        size_t pad;                     /* zero bytes fed in past in_end */
        bitbuf_t bb;
        unsigned bc;                    /* bits in bb */
        volatile uint8_t *out_start, *out, *out_end;
        uint32_t lt[1u << LBITS];
        uint32_t dt[1u << DBITS];
        struct huff lh, dh;
        uint8_t lens[NLITLEN + NDIST];
};

#define INFL_OK         0
#define INFL_FULL       1       /* out_cap reached with output still to come */
#define INFL_BAD        2

static uint32_t sym_entry(enum huff_kind kind, unsigned sym)
{
        if (kind == H_CODELEN)
                return ENTRY(E_LIT, 0, sym);
        if (kind == H_DIST)
                return sym < 30 ? ENTRY(E_BASE, dist_extra[sym], dist_base[sym])
                                : ENTRY(E_BAD, 0, 0);
        if (sym < 256)
                return ENTRY(E_LIT, 0, sym);
        if (sym == 256)
                return ENTRY(E_END, 0, 0);
        if (sym < 286)
                return ENTRY(E_BASE, len_extra[sym - 257], len_base[sym - 257]);
        return ENTRY(E_BAD, 0, 0);
}

/*
 * Build the canonical code of lens[0 .. n) and its fast table of 2^root
 * entries. Over-subscribed codes are refused; incomplete ones too, except a
 * lone code of length 1 (or none at all) for literals/lengths and distances,
 * which RFC 1951 streams use. Unused table entries stay "length 0": the slow
 * decoder finds no code for them and fails.
 */
static int huff_build(struct huff *h, uint32_t *table, unsigned root,
                      const uint8_t *lens, unsigned n, enum huff_kind kind)
{
        uint16_t offs[MAXBITS + 2];
        unsigned len, sym, code, k, max = 0;
        int left = 1;

        for (len = 0; len <= MAXBITS; len++)
                h->count[len] = 0;
        for (sym = 0; sym < n; sym++)
                h->count[lens[sym]]++;
        for (len = 1; len <= MAXBITS; len++) {
                left = 2 * left - h->count[len];
                if (left < 0)
                        return -1;
                if (h->count[len])
                        max = len;
        }
        if (left > 0 && (kind == H_CODELEN || max > 1))
                return -1;
        offs[1] = 0;
        for (len = 1; len <= MAXBITS; len++)
                offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
        for (sym = 0; sym < n; sym++)
                if (lens[sym])
                        h->symbol[offs[lens[sym]]++] = (uint16_t)sym;
        for (k = 0; k < (1u << root); k++)
                table[k] = 0;
        code = 0;
        k = 0;
        for (len = 1; len <= max; len++, code <<= 1) {
                unsigned c;

                for (c = 0; c < h->count[len]; c++, code++, k++) {
                        unsigned rev = 0, b, j;
                        uint32_t e;

                        if (len > root)
                                continue;
                        for (b = 0; b < len; b++)
                                rev |= ((code >> b) & 1u) << (len - 1 - b);
                        e = sym_entry(kind, h->symbol[k]) | len;
                        for (j = rev; j < (1u << root); j += 1u << len)
                                table[j] = e;
                }
        }
        return 0;
}

/* Top up the bit buffer to at least BB_BITS - 7 bits; zeros past the end. */
#define REFILL(s) do {                                                          \
                while ((s)->bc <= BB_BITS - 8) {                                \
                        bitbuf_t byte_;                                         \
                        if ((s)->in < (s)->in_end) {                            \
                                byte_ = *(s)->in++;                             \
                        } else {                                                \
                                byte_ = 0;                                      \
                                (s)->pad++;                                     \
                        }                                                       \
                        (s)->bb |= byte_ << (s)->bc;                            \
                        (s)->bc += 8;                                           \
                }                                                               \
        } while (0)

static unsigned getbits(struct inflate *s, unsigned n)
{
        unsigned v;

        if (s->bc < n)
                REFILL(s);
        v = (unsigned)(s->bb & ((1u << n) - 1));
        s->bb >>= n;
        s->bc -= n;
        return v;
}

/* More bits taken than the stream has (zeros past its end were decoded). */
static int overran(const struct inflate *s)
{
        return (uint64_t)s->pad * 8 > s->bc;
}

/* Decode a symbol whose code is longer than the table index (or absent),
 * from the next bits b (at least 15 of them valid); its length in the entry. */
static uint32_t huff_slow(bitbuf_t b, const struct huff *h, enum huff_kind kind)
{
        int code = 0, first = 0, index = 0;
        unsigned len;

        for (len = 1; len <= MAXBITS; len++) {
                int count = h->count[len];

                code |= (int)(b & 1);
                b >>= 1;
                if (code - first < count)
                        return sym_entry(kind, h->symbol[index + code - first]) | len;
                index += count;
                first = (first + count) << 1;
                code <<= 1;
        }
        return ENTRY(E_BAD, 0, 0);      /* length 0: no such code */
}

/* Decode one symbol from (table, h); the buffer holds at least 15 bits. */
static uint32_t decode(struct inflate *s, const uint32_t *table, unsigned root,
                       const struct huff *h, enum huff_kind kind)
{
        uint32_t e = table[s->bb & ((1u << root) - 1)];

        if (E_LEN(e) == 0) {
                e = huff_slow(s->bb, h, kind);
                if (E_LEN(e) == 0)
                        return e;
        }
        s->bb >>= E_LEN(e);
        s->bc -= E_LEN(e);
        return e;
}

/*
 * The fast loop (zlib's inflate_fast idea): while at least 16 input bytes and
 * 258 bytes of room are left, a symbol and its match need no bounds check but
 * the distance one, and the bit buffer is topped up 4 (or 2) bytes at a time.
 * Everything lives in locals: an output byte store (uint8_t, which aliases
 * anything) would otherwise force the state back to memory on every byte.
 * INFL_MORE: the careful loop takes over near the ends.
 */
#define INFL_MORE       3
#define FAST_IN         16u
#define FAST_OUT        258u
#if UINTPTR_MAX > 0xffffffffu
#define FAST_REFILL() do {                                                      \
                bb |= ((bitbuf_t)in[0] | (bitbuf_t)in[1] << 8 |                 \
                       (bitbuf_t)in[2] << 16 | (bitbuf_t)in[3] << 24) << bc;    \
                in += 4;                                                        \
                bc += 32;                                                       \
        } while (0)
#define FAST_NEED(k) do { if (bc < (k)) FAST_REFILL(); } while (0)
#else
#define FAST_REFILL() do {                                                      \
                bb |= ((bitbuf_t)in[0] | (bitbuf_t)in[1] << 8) << bc;           \
                in += 2;                                                        \
                bc += 16;                                                       \
        } while (0)
#define FAST_NEED(k) do { if (bc < (k)) FAST_REFILL(); } while (0)
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * Most of a long match, a machine word at a time with aligned accesses only:
 * bytes until the output is aligned, then whole words, read directly when
 * the source is aligned too, else assembled from the two aligned words that
 * hold it (shifts). Needs dist >= 2 words, so that every byte read has been
 * written before (the assembled form reads one word ahead), and the aligned
 * word below the source inside the output; or dist 1, a run of one byte,
 * stored as words of it. Returns the bytes left to copy.
 */
static uint32_t copy_match(volatile uint8_t **outp, const uint8_t **fromp, uint32_t len,
                           uint32_t dist, volatile uint8_t *out_start)
{
        const size_t W = sizeof(big_word);
        volatile uint8_t *out = *outp;
        const uint8_t *from = *fromp;
        size_t k;

        while (((uintptr_t)out & (W - 1)) != 0) {
                *out++ = *from++;
                len--;
        }
        k = (uintptr_t)from & (W - 1);
        if (dist == 1) {
                /* a run of one byte (zeros, mostly): a word of it, stored */
                big_word v = (big_word)from[0] * (~(big_word)0 / 0xff);

                for (; len >= W; len -= (uint32_t)W, out += W, from += W)
                        *(volatile big_word *)out = v;
        } else if (k == 0) {
                for (; len >= W; len -= (uint32_t)W, out += W, from += W)
                        *(volatile big_word *)out = *(const big_word *)from;
        } else if ((uintptr_t)from - k >= (uintptr_t)out_start) {
                const big_word *src = (const big_word *)(uintptr_t)((uintptr_t)from - k);
                unsigned lo_shift = (unsigned)(8 * k), hi_shift = (unsigned)(8 * (W - k));
                big_word lo = src[0], hi;

                for (; len >= W; len -= (uint32_t)W, out += W, from += W) {
                        hi = *++src;
                        *(volatile big_word *)out = (lo >> lo_shift) | (hi << hi_shift);
                        lo = hi;
                }
        }
        *outp = out;
        *fromp = from;
        return len;
}
#endif

static int inflate_fast(struct inflate *s)
{
        const uint8_t *in = s->in;
        const uint8_t *const in_end = s->in_end;
        volatile uint8_t *out = s->out;
        volatile uint8_t *const out_end = s->out_end;
        volatile uint8_t *const out_start = s->out_start;
        const uint32_t *const lt = s->lt, *const dt = s->dt;
        bitbuf_t bb = s->bb;
        unsigned bc = s->bc;
        int rc = INFL_MORE;

        while ((size_t)(in_end - in) >= FAST_IN && (size_t)(out_end - out) >= FAST_OUT) {
                uint32_t e, len, dist;
                const uint8_t *from;

                FAST_NEED(15);
                e = lt[bb & ((1u << LBITS) - 1)];
                if (E_LEN(e) == 0) {
                        e = huff_slow(bb, &s->lh, H_LITLEN);
                        if (E_LEN(e) == 0) {
                                rc = INFL_BAD;
                                break;
                        }
                }
                bb >>= E_LEN(e);
                bc -= E_LEN(e);
                if (E_KIND(e) == E_LIT) {
                        *out++ = (uint8_t)E_VALUE(e);
                        continue;
                }
                if (E_KIND(e) != E_BASE) {
                        rc = E_KIND(e) == E_END ? INFL_OK : INFL_BAD;
                        break;
                }
                FAST_NEED(5);
                len = E_VALUE(e) + (uint32_t)(bb & ((1u << E_EXTRA(e)) - 1));
                bb >>= E_EXTRA(e);
                bc -= E_EXTRA(e);

                FAST_NEED(15);
                e = dt[bb & ((1u << DBITS) - 1)];
                if (E_LEN(e) == 0)
                        e = huff_slow(bb, &s->dh, H_DIST);
                if (E_KIND(e) != E_BASE) {
                        rc = INFL_BAD;
                        break;
                }
                bb >>= E_LEN(e);
                bc -= E_LEN(e);
                FAST_NEED(13);
                dist = E_VALUE(e) + (uint32_t)(bb & ((1u << E_EXTRA(e)) - 1));
                bb >>= E_EXTRA(e);
                bc -= E_EXTRA(e);
                if (dist > (size_t)(out - out_start)) {
                        rc = INFL_BAD;
                        break;
                }
                from = (const uint8_t *)(uintptr_t)(out - dist);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                if (len >= 3 * sizeof(big_word) && (dist >= 2 * sizeof(big_word) || dist == 1))
                        len = copy_match(&out, &from, len, dist, out_start);
#endif
                while (len >= 3) {
                        out[0] = from[0];
                        out[1] = from[1];
                        out[2] = from[2];
                        out += 3;
                        from += 3;
                        len -= 3;
                }
                while (len--)
                        *out++ = *from++;
        }
        s->in = in;
        s->bb = bb;
        s->bc = bc;
        s->out = out;
        return rc;
}

static int inflate_codes(struct inflate *s)
{
        int rc = inflate_fast(s);
        volatile uint8_t *out = s->out;
        volatile uint8_t *const out_end = s->out_end;

        if (rc != INFL_MORE)
                return rc;
        for (;;) {
                uint32_t e, len, dist;
                const uint8_t *from;

                REFILL(s);
                e = decode(s, s->lt, LBITS, &s->lh, H_LITLEN);
                if (E_KIND(e) == E_LIT) {
                        if (out == out_end) {
                                s->out = out;
                                return INFL_FULL;
                        }
                        *out++ = (uint8_t)E_VALUE(e);
                        continue;
                }
                if (E_KIND(e) != E_BASE) {
                        s->out = out;
                        return E_KIND(e) == E_END ? INFL_OK : INFL_BAD;
                }
                len = E_VALUE(e) + (uint32_t)(s->bb & ((1u << E_EXTRA(e)) - 1));
                s->bb >>= E_EXTRA(e);
                s->bc -= E_EXTRA(e);

                REFILL(s);
                e = decode(s, s->dt, DBITS, &s->dh, H_DIST);
                if (E_KIND(e) != E_BASE) {
                        s->out = out;
                        return INFL_BAD;
                }
                if (s->bc < E_EXTRA(e))
                        REFILL(s);
                dist = E_VALUE(e) + (uint32_t)(s->bb & ((1u << E_EXTRA(e)) - 1));
                s->bb >>= E_EXTRA(e);
                s->bc -= E_EXTRA(e);

                if (dist > (size_t)(out - s->out_start) || overran(s)) {
                        s->out = out;
                        return INFL_BAD;
                }
                from = (const uint8_t *)(uintptr_t)(out - dist);
                if (len > (size_t)(out_end - out)) {
                        while (out < out_end)
                                *out++ = *from++;
                        s->out = out;
                        return INFL_FULL;
                }
                while (len >= 3) {
                        out[0] = from[0];
                        out[1] = from[1];
                        out[2] = from[2];
                        out += 3;
                        from += 3;
                        len -= 3;
                }
                while (len--)
                        *out++ = *from++;
        }
}

static int inflate_stored(struct inflate *s)
{
        size_t len;

        /* Drop to a byte boundary, give back the whole bytes still buffered. */
        s->bb >>= s->bc & 7;
        s->bc -= s->bc & 7;
        while (s->pad && s->bc >= 8) {
                s->pad--;
                s->bc -= 8;
        }
        if (s->pad)
                return INFL_BAD;
        s->in -= s->bc / 8;
        s->bb = 0;
        s->bc = 0;
        if (s->in_end - s->in < 4)
                return INFL_BAD;
        len = (size_t)s->in[0] | (size_t)s->in[1] << 8;
        if ((unsigned)(s->in[2] ^ s->in[0]) != 0xffu || (unsigned)(s->in[3] ^ s->in[1]) != 0xffu)
                return INFL_BAD;
        s->in += 4;
        if ((size_t)(s->in_end - s->in) < len)
                return INFL_BAD;
        if ((size_t)(s->out_end - s->out) < len) {
                len = (size_t)(s->out_end - s->out);
                copy_out(s->out, s->in, len);
                s->out += len;
                return INFL_FULL;
        }
        /* copy_out moves words when source and destination allow it */
        copy_out(s->out, s->in, len);
        s->out += len;
        s->in += len;
        return INFL_OK;
}

static int inflate_fixed(struct inflate *s)
{
        unsigned i;

        for (i = 0; i < 144; i++)
                s->lens[i] = 8;
        for (; i < 256; i++)
                s->lens[i] = 9;
        for (; i < 280; i++)
                s->lens[i] = 7;
        for (; i < NLITLEN; i++)
                s->lens[i] = 8;
        huff_build(&s->lh, s->lt, LBITS, s->lens, NLITLEN, H_LITLEN);
        for (i = 0; i < NDIST; i++)
                s->lens[i] = 5;
        huff_build(&s->dh, s->dt, DBITS, s->lens, NDIST, H_DIST);
        return inflate_codes(s);
}

static int inflate_dynamic(struct inflate *s)
{
        unsigned nlen, ndist, ncode, i;

        nlen = getbits(s, 5) + 257;
        ndist = getbits(s, 5) + 1;
        ncode = getbits(s, 4) + 4;
        if (nlen > 286 || ndist > 30)
                return INFL_BAD;
        for (i = 0; i < NCODELEN; i++)
                s->lens[codelen_order[i]] = (uint8_t)(i < ncode ? getbits(s, 3) : 0);
        if (overran(s) || huff_build(&s->dh, s->dt, DBITS, s->lens, NCODELEN, H_CODELEN))
                return INFL_BAD;
        for (i = 0; i < nlen + ndist;) {
                uint32_t e;
                unsigned sym, rep, val;

                REFILL(s);
                e = decode(s, s->dt, DBITS, &s->dh, H_CODELEN);
                if (E_LEN(e) == 0)
                        return INFL_BAD;
                sym = E_VALUE(e);
                if (sym < 16) {
                        s->lens[i++] = (uint8_t)sym;
                        continue;
                }
                if (sym == 16) {
                        if (i == 0)
                                return INFL_BAD;
                        val = s->lens[i - 1];
                        rep = 3 + getbits(s, 2);
                } else if (sym == 17) {
                        val = 0;
                        rep = 3 + getbits(s, 3);
                } else {
                        val = 0;
                        rep = 11 + getbits(s, 7);
                }
                if (rep > nlen + ndist - i)
                        return INFL_BAD;
                while (rep--)
                        s->lens[i++] = (uint8_t)val;
        }
        if (overran(s) || s->lens[256] == 0)
                return INFL_BAD;
        if (huff_build(&s->lh, s->lt, LBITS, s->lens, nlen, H_LITLEN) ||
            huff_build(&s->dh, s->dt, DBITS, s->lens + nlen, ndist, H_DIST))
                return INFL_BAD;
        return inflate_codes(s);
}

/* Inflate into out[0 .. cap); INFL_OK / INFL_FULL / INFL_BAD. */
static int inflate_run(struct inflate *s, const uint8_t *in, size_t in_len,
                       volatile uint8_t *out, size_t cap, size_t *in_used, size_t *out_len)
{
        int last, rc;

        s->in = in;
        s->in_end = in + in_len;
        s->pad = 0;
        s->bb = 0;
        s->bc = 0;
        s->out_start = s->out = out;
        s->out_end = out + cap;
        do {
                unsigned type;

                last = (int)getbits(s, 1);
                type = getbits(s, 2);
                if (overran(s))
                        return INFL_BAD;
                if (type == 0)
                        rc = inflate_stored(s);
                else if (type == 1)
                        rc = inflate_fixed(s);
                else if (type == 2)
                        rc = inflate_dynamic(s);
                else
                        rc = INFL_BAD;
                if (rc == INFL_OK && overran(s))
                        rc = INFL_BAD;
                if (rc != INFL_OK) {
                        *out_len = (size_t)(s->out - out);
                        return rc == INFL_FULL && overran(s) ? INFL_BAD : rc;
                }
        } while (!last);
        /* Whole bytes still buffered were not part of the stream. */
        *in_used = (size_t)(s->in - in) - (s->bc / 8 - s->pad);
        *out_len = (size_t)(s->out - out);
        return INFL_OK;
}

int remote_fw_inflate(const void *in, size_t in_len, void *out, size_t out_cap,
                      size_t *in_used, size_t *out_len)
{
        struct inflate s;
        size_t used = 0, produced = 0;

        if ((in == NULL && in_len) || (out == NULL && out_cap) || in_used == NULL ||
            out_len == NULL)
                return REMOTE_FW_EINVAL;
        if (inflate_run(&s, in, in_len, out, out_cap, &used, &produced) != INFL_OK)
                return REMOTE_FW_EINFLATE;
        *in_used = used;
        *out_len = produced;
        return 0;
}

/* gzip member header (RFC 1952): its length in *hdr, or -1. */
#define GZ_FHCRC        0x02u
#define GZ_FEXTRA       0x04u
#define GZ_FNAME        0x08u
#define GZ_FCOMMENT     0x10u

static int gzip_header(const uint8_t *p, size_t n, size_t *hdr)
{
        size_t off = 10;
        unsigned flg;

        if (n < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || (p[3] & 0xe0))
                return -1;
        flg = p[3];
        n -= 8;                         /* the trailer */
        if (flg & GZ_FEXTRA) {
                size_t xlen;

                if (n - off < 2)
                        return -1;
                xlen = (size_t)p[off] | (size_t)p[off + 1] << 8;
                off += 2;
                if (n - off < xlen)
                        return -1;
                off += xlen;
        }
        if (flg & GZ_FNAME) {
                while (off < n && p[off])
                        off++;
                if (off++ >= n)
                        return -1;
        }
        if (flg & GZ_FCOMMENT) {
                while (off < n && p[off])
                        off++;
                if (off++ >= n)
                        return -1;
        }
        if (flg & GZ_FHCRC) {
                if (n - off < 2)
                        return -1;
                if ((remote_fw_crc32(p, off) & 0xffffu) !=
                    ((uint32_t)p[off] | (uint32_t)p[off + 1] << 8))
                        return -1;
                off += 2;
        }
        *hdr = off;
        return 0;
}

/* Decompress a whole gzip member into out[0 .. cap); trailer checked. */
static int gunzip_to(const uint8_t *gz, size_t n, volatile uint8_t *out, size_t cap,
                     size_t *out_len)
{
        struct inflate s;
        size_t hdr, used = 0, produced = 0;
        const uint8_t *trailer;

        if (gzip_header(gz, n, &hdr))
                return REMOTE_FW_EINFLATE;
        if (inflate_run(&s, gz + hdr, n - 8 - hdr, out, cap, &used, &produced) != INFL_OK)
                return REMOTE_FW_EINFLATE;
        trailer = gz + n - 8;
        if (used != n - 8 - hdr || (uint64_t)produced != le32(trailer + 4) ||
            remote_fw_crc32((const void *)(uintptr_t)out, produced) != le32(trailer))
                return REMOTE_FW_EINFLATE;
        *out_len = produced;
        return 0;
}

int remote_fw_gunzip(const void *gz, size_t gz_size, void *out, size_t out_cap,
                     size_t *out_len)
{
        size_t produced = 0;
        int err;

        if (gz == NULL || (out == NULL && out_cap) || out_len == NULL)
                return REMOTE_FW_EINVAL;
        err = gunzip_to(gz, gz_size, out, out_cap, &produced);
        if (err)
                return err;
        *out_len = produced;
        return 0;
}

/* ---- flattened device tree: validate once, then walk ---------------------------
 * Header fields (big-endian u32) and tokens, from the Devicetree Specification. */

#define FDT_MAGIC               0xd00dfeedu
#define FDT_HDR_SIZE            40u
#define FDT_O_MAGIC             0
#define FDT_O_TOTALSIZE         4
#define FDT_O_OFF_DT_STRUCT     8
#define FDT_O_OFF_DT_STRINGS    12
#define FDT_O_OFF_MEM_RSVMAP    16
#define FDT_O_VERSION           20
#define FDT_O_LAST_COMP         24
#define FDT_O_SIZE_DT_STRINGS   32
#define FDT_O_SIZE_DT_STRUCT    36
#define FDT_BEGIN_NODE          1u
#define FDT_END_NODE            2u
#define FDT_PROP                3u
#define FDT_NOP                 4u
#define FDT_END                 9u
#define FDT_MAX_DEPTH           32u

struct fdt {
        const uint8_t *b;
        uint32_t totalsize;
        uint32_t off_struct, size_struct;
        uint32_t off_strings, size_strings;
};

static uint32_t align4(uint32_t v)
{
        return (v + 3u) & ~3u;
}

/* Length of the NUL-terminated string at p[0 .. n), or n when unterminated. */
static uint32_t strnlen_(const uint8_t *p, uint32_t n)
{
        uint32_t i = 0;

        while (i < n && p[i])
                i++;
        return i;
}

/*
 * Validate the whole blob at b[0 .. size): header, memory reservation map,
 * blocks inside totalsize, and every token of the structure block (names
 * and property names NUL-terminated inside their blocks, property values
 * inside the structure block, one root, nesting at most FDT_MAX_DEPTH, FDT_END
 * after the root). After this, the walk below can trust every offset.
 */
static int fdt_open(struct fdt *f, const uint8_t *b, size_t size)
{
        uint64_t off;
        uint32_t rsv, depth = 0, tok;
        int root_done = 0;

        if (size < FDT_HDR_SIZE || be32(b + FDT_O_MAGIC) != FDT_MAGIC)
                return REMOTE_FW_EFDT;
        f->b = b;
        f->totalsize = be32(b + FDT_O_TOTALSIZE);
        f->off_struct = be32(b + FDT_O_OFF_DT_STRUCT);
        f->size_struct = be32(b + FDT_O_SIZE_DT_STRUCT);
        f->off_strings = be32(b + FDT_O_OFF_DT_STRINGS);
        f->size_strings = be32(b + FDT_O_SIZE_DT_STRINGS);
        rsv = be32(b + FDT_O_OFF_MEM_RSVMAP);
        if (be32(b + FDT_O_VERSION) < 17 || be32(b + FDT_O_LAST_COMP) > 17)
                return REMOTE_FW_EFDT;
        if (f->totalsize < FDT_HDR_SIZE || f->totalsize > size)
                return REMOTE_FW_EFDT;
        if (f->off_struct < FDT_HDR_SIZE || (f->off_struct & 3) ||
            !within(f->totalsize, f->off_struct, f->size_struct) ||
            !within(f->totalsize, f->off_strings, f->size_strings) ||
            f->off_strings < FDT_HDR_SIZE)
                return REMOTE_FW_EFDT;
        /* Memory reservation map: 16-byte entries up to an all-zero one. */
        if (rsv < FDT_HDR_SIZE || (rsv & 7))
                return REMOTE_FW_EFDT;
        for (;; rsv += 16) {
                unsigned i, zero = 1;

                if (!within(f->totalsize, rsv, 16))
                        return REMOTE_FW_EFDT;
                for (i = 0; i < 16; i++)
                        zero &= b[rsv + i] == 0;
                if (zero)
                        break;
        }
        /* The structure block, token by token. */
        for (off = 0;;) {
                const uint8_t *s = b + f->off_struct;
                uint32_t n = f->size_struct;

                if (!within(n, off, 4))
                        return REMOTE_FW_EFDT;
                tok = be32(s + off);
                if (tok == FDT_NOP) {
                        off += 4;
                } else if (tok == FDT_BEGIN_NODE) {
                        uint32_t len;

                        if (root_done || depth >= FDT_MAX_DEPTH)
                                return REMOTE_FW_EFDT;
                        len = strnlen_(s + off + 4, (uint32_t)(n - off - 4));
                        if (len == n - off - 4)
                                return REMOTE_FW_EFDT;
                        depth++;
                        off += 4 + (((uint64_t)len + 1 + 3) & ~(uint64_t)3);
                        if (off > n)
                                return REMOTE_FW_EFDT;
                } else if (tok == FDT_END_NODE) {
                        if (depth == 0)
                                return REMOTE_FW_EFDT;
                        if (--depth == 0)
                                root_done = 1;
                        off += 4;
                } else if (tok == FDT_PROP) {
                        uint32_t len, nameoff, nlen;

                        if (depth == 0 || !within(n, off, 12))
                                return REMOTE_FW_EFDT;
                        len = be32(s + off + 4);
                        nameoff = be32(s + off + 8);
                        if (!within(n, off + 12, len) || nameoff >= f->size_strings)
                                return REMOTE_FW_EFDT;
                        nlen = strnlen_(b + f->off_strings + nameoff, f->size_strings - nameoff);
                        if (nlen == f->size_strings - nameoff)
                                return REMOTE_FW_EFDT;
                        off = (off + 12 + len + 3) & ~(uint64_t)3;
                        if (off > n)
                                return REMOTE_FW_EFDT;
                } else if (tok == FDT_END) {
                        return root_done ? 0 : REMOTE_FW_EFDT;
                } else {
                        return REMOTE_FW_EFDT;
                }
        }
}

/* The token at structure offset off, and the offset of the one after it. */
static uint32_t fdt_token(const struct fdt *f, uint32_t off, uint32_t *next)
{
        const uint8_t *s = f->b + f->off_struct;
        uint32_t tok = be32(s + off);

        if (tok == FDT_BEGIN_NODE)
                *next = off + 4 + align4(strnlen_(s + off + 4, f->size_struct - off - 4) + 1);
        else if (tok == FDT_PROP)
                *next = align4(off + 12 + be32(s + off + 4));
        else
                *next = off + 4;
        return tok;
}

/* Offset of the root node (the first BEGIN_NODE). */
static uint32_t fdt_root(const struct fdt *f)
{
        uint32_t off = 0, next;

        while (fdt_token(f, off, &next) != FDT_BEGIN_NODE)
                off = next;
        return off;
}

/* The offset just past the subtree of the node at off (its END_NODE's next). */
static uint32_t fdt_skip_node(const struct fdt *f, uint32_t off)
{
        uint32_t depth = 0, next, tok;

        for (;;) {
                tok = fdt_token(f, off, &next);
                if (tok == FDT_BEGIN_NODE)
                        depth++;
                else if (tok == FDT_END_NODE && --depth == 0)
                        return next;
                off = next;
        }
}

/*
 * Walk the direct children of the node at `node`: *it starts at 0; each call
 * gives the next child in *child and returns 1, or returns 0 at the end.
 */
static int fdt_next_child(const struct fdt *f, uint32_t node, uint32_t *it, uint32_t *child)
{
        uint32_t off = *it, next, tok;

        if (off == 0)
                fdt_token(f, node, &off);       /* past the node's name */
        for (;;) {
                tok = fdt_token(f, off, &next);
                if (tok == FDT_BEGIN_NODE) {
                        *child = off;
                        *it = fdt_skip_node(f, off);
                        return 1;
                }
                if (tok == FDT_END_NODE || tok == FDT_END)
                        return 0;
                off = next;
        }
}

static const uint8_t *fdt_node_name(const struct fdt *f, uint32_t node, uint32_t *len)
{
        const uint8_t *name = f->b + f->off_struct + node + 4;

        *len = strnlen_(name, f->size_struct - node - 4);
        return name;
}

/* The child of `node` named exactly name[0 .. len); 1 if found. */
static int fdt_subnode(const struct fdt *f, uint32_t node, const uint8_t *name,
                       uint32_t len, uint32_t *child)
{
        uint32_t it = 0, c, clen, i;

        while (fdt_next_child(f, node, &it, &c)) {
                const uint8_t *cname = fdt_node_name(f, c, &clen);

                if (clen != len)
                        continue;
                for (i = 0; i < len && cname[i] == name[i]; i++)
                        ;
                if (i == len) {
                        *child = c;
                        return 1;
                }
        }
        return 0;
}

static int fdt_subnode_str(const struct fdt *f, uint32_t node, const char *name, uint32_t *child)
{
        uint32_t len = 0;

        while (name[len])
                len++;
        return fdt_subnode(f, node, (const uint8_t *)name, len, child);
}

/*
 * The property `name` of the node at `node` (only its own, not its
 * children's): value and length, and the structure offset of its token.
 */
static int fdt_prop(const struct fdt *f, uint32_t node, const char *name,
                    const uint8_t **val, uint32_t *len, uint32_t *at)
{
        const uint8_t *s = f->b + f->off_struct;
        uint32_t off, next, tok;

        fdt_token(f, node, &off);
        for (;;) {
                tok = fdt_token(f, off, &next);
                if (tok == FDT_BEGIN_NODE) {
                        next = fdt_skip_node(f, off);
                } else if (tok == FDT_PROP) {
                        const uint8_t *pname = f->b + f->off_strings + be32(s + off + 8);

                        if (str_is(pname, strnlen_(pname, f->size_strings - be32(s + off + 8)),
                                   name)) {
                                *val = s + off + 12;
                                *len = be32(s + off + 4);
                                if (at)
                                        *at = off;
                                return 1;
                        }
                } else if (tok == FDT_END_NODE || tok == FDT_END) {
                        return 0;
                }
                off = next;
        }
}

/* A string property: its first string's length (without NUL) in *slen. */
static int fdt_prop_str(const struct fdt *f, uint32_t node, const char *name,
                        const uint8_t **val, uint32_t *slen)
{
        uint32_t len;

        if (!fdt_prop(f, node, name, val, &len, NULL) || len == 0 || (*val)[len - 1] != 0)
                return 0;
        *slen = strnlen_(*val, len);
        return 1;
}

/* A 1- or 2-cell number property. */
static int fdt_prop_addr(const struct fdt *f, uint32_t node, const char *name, uint64_t *v)
{
        const uint8_t *val;
        uint32_t len;

        if (!fdt_prop(f, node, name, &val, &len, NULL))
                return 0;
        if (len == 4)
                *v = be32(val);
        else if (len == 8)
                *v = (uint64_t)be32(val) << 32 | be32(val + 4);
        else
                return -1;
        return 1;
}

/* ---- the FIT ------------------------------------------------------------------- */

enum piece_kind { P_KERNEL, P_FDT, P_RAMDISK, P_LOADABLE };

struct piece {
        const uint8_t *data;    /* stored bytes, inside the FIT buffer */
        size_t size;            /* stored size */
        uint64_t load;          /* where it goes */
        uint64_t placed;        /* bytes written at load */
        uint64_t reserve;       /* bytes from load no other piece may take (>= placed) */
        uint64_t entry;         /* kernel only */
        int gzip;
};

struct fit {
        struct fdt f;
        const uint8_t *base;
        size_t size;            /* the whole buffer, external data included */
        uint32_t images;
};

#define ARM64_HDR_SIZE          64u
#define ARM64_TEXT_OFFSET       8u
#define ARM64_IMAGE_SIZE        16u
#define ARM64_MAGIC_OFF         56u
#define ARM64_MAGIC             0x644d5241u     /* "ARM\x64" */
#define ARM64_ALIGN             0x200000u       /* 2 MiB */
#define ARM64_OLD_TEXT_OFFSET   0x80000u        /* image_size 0: before Linux 3.17 */

static int is_kit_arch(const uint8_t *p, uint32_t n)
{
        return str_is(p, n, REMOTE_FW_FIT_ARCH);
}

/* The kit is built for arm64: the kernel is an arm64 Image with its header. */
static int kit_is_arm64(void)
{
        static const char arch[] = REMOTE_FW_FIT_ARCH, arm64[] = "arm64";
        unsigned i;

        for (i = 0; i < sizeof(arm64); i++)
                if (i >= sizeof(arch) || arch[i] != arm64[i])
                        return 0;
        return 1;
}

/* Every hash-* subnode of the image node: algo known, value matches. */
static int check_hashes(const struct fit *fit, uint32_t node, const struct piece *pc)
{
        const struct fdt *f = &fit->f;
        uint32_t it = 0, child, nlen, alen, vlen, hashes = 0;

        while (fdt_next_child(f, node, &it, &child)) {
                const uint8_t *name = fdt_node_name(f, child, &nlen), *algo, *value;

                if (nlen < 4 || name[0] != 'h' || name[1] != 'a' || name[2] != 's' ||
                    name[3] != 'h')
                        continue;
                if (!fdt_prop_str(f, child, "algo", &algo, &alen) ||
                    !fdt_prop(f, child, "value", &value, &vlen, NULL))
                        return REMOTE_FW_EALGO;
                if (str_is(algo, alen, "crc32")) {
                        if (vlen != 4)
                                return REMOTE_FW_EALGO;
                        if (remote_fw_crc32(pc->data, pc->size) != be32(value))
                                return REMOTE_FW_EHASH;
                } else if (str_is(algo, alen, "sha256") || str_is(algo, alen, "sha1")) {
                        uint8_t d[32];
                        unsigned i, diff = 0, dlen = algo[3] == '2' ? 32 : 20;

                        if (vlen != dlen)
                                return REMOTE_FW_EALGO;
                        if (dlen == 32)
                                remote_fw_sha256(pc->data, pc->size, d);
                        else
                                sha1(pc->data, pc->size, d);
                        for (i = 0; i < dlen; i++)
                                diff |= (unsigned)(d[i] ^ value[i]);
                        if (diff)
                                return REMOTE_FW_EHASH;
                } else {
                        return REMOTE_FW_EALGO;
                }
                hashes++;
        }
        return hashes ? 0 : REMOTE_FW_ENOHASH;
}

/* The image's stored bytes: embedded `data`, or external (mkimage -E). */
static int image_data(const struct fit *fit, uint32_t node, struct piece *pc)
{
        const struct fdt *f = &fit->f;
        const uint8_t *val;
        uint32_t len;
        uint64_t size, pos;
        int r;

        if (fdt_prop(f, node, "data", &val, &len, NULL)) {
                pc->data = val;
                pc->size = len;
                return 0;
        }
        if (fdt_prop_addr(f, node, "data-size", &size) != 1 || size > UINT32_MAX)
                return REMOTE_FW_EFIT;
        r = fdt_prop_addr(f, node, "data-position", &pos);
        if (r == 0) {
                r = fdt_prop_addr(f, node, "data-offset", &pos);
                if (r == 1)
                        pos += align4(f->totalsize);    /* after the tree, 4-aligned */
        }
        if (r != 1 || pos > UINT32_MAX + (uint64_t)UINT32_MAX)
                return REMOTE_FW_EFIT;
        if (!within(fit->size, pos, size))
                return REMOTE_FW_EBOUNDS;
        pc->data = fit->base + (size_t)pos;
        pc->size = (size_t)size;
        return 0;
}

/* The first 64 bytes of a gzip-compressed kernel, without writing anywhere. */
static int gzip_peek(const struct piece *pc, uint8_t *buf, size_t want)
{
        struct inflate s;
        size_t hdr, used = 0, produced = 0;
        int rc;

        if (gzip_header(pc->data, pc->size, &hdr))
                return REMOTE_FW_EINFLATE;
        rc = inflate_run(&s, pc->data + hdr, pc->size - 8 - hdr, buf, want, &used, &produced);
        if (rc == INFL_BAD || produced != want)
                return rc == INFL_BAD ? REMOTE_FW_EINFLATE : REMOTE_FW_EKERNEL;
        return 0;
}

/* Check the arm64 Image header (booting.rst) and reserve image_size. */
static int check_arm64_image(struct piece *k)
{
        uint8_t hdr[ARM64_HDR_SIZE];
        uint64_t text_offset, image_size;
        unsigned i;
        int err;

        if (k->placed < ARM64_HDR_SIZE)
                return REMOTE_FW_EKERNEL;
        if (k->gzip) {
                err = gzip_peek(k, hdr, ARM64_HDR_SIZE);
                if (err)
                        return err;
        } else {
                for (i = 0; i < ARM64_HDR_SIZE; i++)
                        hdr[i] = k->data[i];
        }
        if (le32(hdr + ARM64_MAGIC_OFF) != ARM64_MAGIC)
                return REMOTE_FW_EKERNEL;
        text_offset = le64(hdr + ARM64_TEXT_OFFSET);
        image_size = le64(hdr + ARM64_IMAGE_SIZE);
        if (image_size == 0)
                text_offset = ARM64_OLD_TEXT_OFFSET;
        if (k->load < text_offset || ((k->load - text_offset) & (ARM64_ALIGN - 1)))
                return REMOTE_FW_EKERNEL;
        if (image_size > k->reserve)
                k->reserve = image_size;
        return 0;
}

/*
 * Check the image `name[0 .. len)` of /images as a piece of this kind and
 * fill *pc: data, hashes, type, arch, os, compression, load, placed size.
 */
static int check_image(const struct fit *fit, const uint8_t *name, uint32_t len,
                       enum piece_kind kind, struct piece *pc)
{
        const struct fdt *f = &fit->f;
        const uint8_t *val;
        uint32_t node, vlen;
        int err, r;

        if (!fdt_subnode(f, fit->images, name, len, &node))
                return REMOTE_FW_ENOIMAGE;

        /* type, os, arch, compression */
        if (!fdt_prop_str(f, node, "type", &val, &vlen))
                return REMOTE_FW_ETYPE;
        if ((kind == P_KERNEL && !str_is(val, vlen, "kernel")) ||
            (kind == P_FDT && !str_is(val, vlen, "flat_dt")) ||
            (kind == P_RAMDISK && !str_is(val, vlen, "ramdisk")))
                return REMOTE_FW_ETYPE;
        if (kind == P_KERNEL &&
            (!fdt_prop_str(f, node, "os", &val, &vlen) || !str_is(val, vlen, "linux")))
                return REMOTE_FW_ETYPE;
        if (kind != P_FDT && fdt_prop(f, node, "arch", &val, &vlen, NULL)) {
                if (!fdt_prop_str(f, node, "arch", &val, &vlen) || !is_kit_arch(val, vlen))
                        return REMOTE_FW_EARCH;
        } else if (kind == P_KERNEL) {
                return REMOTE_FW_EARCH;
        }
        pc->gzip = 0;
        if (fdt_prop(f, node, "compression", &val, &vlen, NULL)) {
                if (!fdt_prop_str(f, node, "compression", &val, &vlen))
                        return REMOTE_FW_ECOMP;
                if (str_is(val, vlen, "gzip"))
                        pc->gzip = 1;
                else if (!str_is(val, vlen, "none"))
                        return REMOTE_FW_ECOMP;
        }

        /* data and its hashes */
        err = image_data(fit, node, pc);
        if (err)
                return err;
        err = check_hashes(fit, node, pc);
        if (err)
                return err;

        /* where it goes and how much it takes */
        r = fdt_prop_addr(f, node, "load", &pc->load);
        if (r != 1)
                return REMOTE_FW_EFIT;
        if (pc->gzip) {
                size_t hdr;

                if (gzip_header(pc->data, pc->size, &hdr))
                        return REMOTE_FW_EINFLATE;
                pc->placed = le32(pc->data + pc->size - 4);
        } else {
                pc->placed = pc->size;
        }
        if (pc->placed == 0)
                return REMOTE_FW_EFIT;
        pc->reserve = pc->placed;
        if (kind == P_KERNEL) {
                r = fdt_prop_addr(f, node, "entry", &pc->entry);
                if (r < 0)
                        return REMOTE_FW_EFIT;
                if (r == 0)
                        pc->entry = pc->load;
                if (kit_is_arm64()) {
                        err = check_arm64_image(pc);
                        if (err)
                                return err;
                }
                if (pc->entry < pc->load || pc->entry - pc->load >= pc->placed)
                        return REMOTE_FW_EENTRY;
        }
        if (kind == P_FDT && !pc->gzip) {
                struct fdt dt;

                if (fdt_open(&dt, pc->data, pc->size))
                        return REMOTE_FW_EFDT;
        }
        return 0;
}

/* True when [addr, addr + len) lies wholly inside one allowed region. */
static int in_region(const struct remote_fw_region *allowed, size_t n_allowed,
                     uint64_t addr, uint64_t len)
{
        size_t i;

        for (i = 0; i < n_allowed; i++) {
                uint64_t start = allowed[i].start, rsize = allowed[i].size;

                if (addr >= start && within(rsize, addr - start, len))
                        return 1;
        }
        return 0;
}

/* Copy or decompress one piece to its load address. */
static int place(const struct piece *pc)
{
        volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)pc->load;
        size_t produced;

        if (!pc->gzip) {
                copy_out(dst, pc->data, pc->size);
                return 0;
        }
        return gunzip_to(pc->data, pc->size, dst, (size_t)pc->placed, &produced);
}

/* ---- /chosen in the loaded device tree ----------------------------------------- */

/* The writable view of a loaded tree: the same reader over its bytes. */
static volatile uint8_t *dt_w(const struct fdt *f, uint32_t off)
{
        return (volatile uint8_t *)(uintptr_t)(f->b + off);
}

/*
 * Open a gap of n bytes (a multiple of 4) at structure offset `at`: the rest
 * of the structure block and the strings block after it move up. Needs the
 * usual block order (memory map, structure, strings) and room inside
 * totalsize; the header is updated.
 */
/* Blocks in the usual order (map, structure, strings): free space is at the end. */
static int dt_growable(const struct fdt *f)
{
        uint32_t rsv = be32(f->b + FDT_O_OFF_MEM_RSVMAP);

        return rsv <= f->off_struct && f->off_struct + f->size_struct <= f->off_strings;
}

static int dt_insert(struct fdt *f, uint32_t at, uint32_t n)
{
        uint32_t struct_end = f->off_struct + f->size_struct;
        uint32_t end = f->off_strings + f->size_strings, from, i;
        volatile uint8_t *b = dt_w(f, 0);

        if (!dt_growable(f) || f->off_strings < struct_end || end > f->totalsize ||
            f->totalsize - end < n)
                return REMOTE_FW_ENOROOM;
        from = f->off_struct + at;
        for (i = end; i > from; i--)
                b[i - 1 + n] = b[i - 1];
        for (i = 0; i < n; i++)
                b[from + i] = 0;
        f->size_struct += n;
        f->off_strings += n;
        put_be32(b + FDT_O_SIZE_DT_STRUCT, f->size_struct);
        put_be32(b + FDT_O_OFF_DT_STRINGS, f->off_strings);
        return 0;
}

/* Offset of `name` in the strings block, appended if absent. */
static int dt_string(struct fdt *f, const char *name, uint32_t *nameoff)
{
        const uint8_t *s = f->b + f->off_strings;
        uint32_t len = 0, i, end;
        volatile uint8_t *b = dt_w(f, 0);

        while (name[len])
                len++;
        for (i = 0; i + len < f->size_strings; i++) {
                if (str_is(s + i, strnlen_(s + i, f->size_strings - i), name)) {
                        *nameoff = i;
                        return 0;
                }
        }
        end = f->off_strings + f->size_strings;
        if (!dt_growable(f) || end > f->totalsize || f->totalsize - end < len + 1)
                return REMOTE_FW_ENOROOM;
        for (i = 0; i <= len; i++)
                b[end + i] = (uint8_t)name[i];
        *nameoff = f->size_strings;
        f->size_strings += len + 1;
        put_be32(b + FDT_O_SIZE_DT_STRINGS, f->size_strings);
        return 0;
}

/* Set an address-sized property of node: patched in place, or added. */
static int dt_set_addr(struct fdt *f, uint32_t node, const char *name, uint64_t v, int wide)
{
        const uint8_t *val;
        uint32_t len, at, nameoff, size = wide || v > UINT32_MAX ? 8 : 4, off;
        volatile uint8_t *w;
        int err;

        if (fdt_prop(f, node, name, &val, &len, &at)) {
                if (len == 8 || (len == 4 && v <= UINT32_MAX)) {
                        w = dt_w(f, (uint32_t)(val - f->b));
                        if (len == 8) {
                                put_be32(w, (uint32_t)(v >> 32));
                                w += 4;
                        }
                        put_be32(w, (uint32_t)v);
                        return 0;
                }
                /* Another size: turn it into a NOP and add a new one. */
                w = dt_w(f, f->off_struct + at);
                for (off = 0; off < align4(12 + len); off += 4)
                        put_be32(w + off, FDT_NOP);
        }
        err = dt_string(f, name, &nameoff);
        if (err)
                return err;
        /* After the node's last property, before its first subnode. */
        fdt_token(f, node, &at);
        for (;;) {
                uint32_t tok = fdt_token(f, at, &off);

                if (tok != FDT_PROP && tok != FDT_NOP)
                        break;
                at = off;
        }
        err = dt_insert(f, at, 12 + size);
        if (err)
                return err;
        w = dt_w(f, f->off_struct + at);
        put_be32(w, FDT_PROP);
        put_be32(w + 4, size);
        put_be32(w + 8, nameoff);
        if (size == 8)
                put_be32(w + 12, (uint32_t)(v >> 32));
        put_be32(w + 12 + size - 4, (uint32_t)v);
        return 0;
}

/*
 * Write linux,initrd-start/-end into the loaded tree at dt (already
 * validated, totalsize bytes inside the fdt piece). The values are as wide
 * as the root's #address-cells (2 when absent), 8 bytes if they need it.
 */
static int patch_chosen(const uint8_t *dt, uint64_t start, uint64_t end)
{
        struct fdt f;
        uint32_t root, chosen, len;
        uint64_t cells = 2;
        int err, wide;

        err = fdt_open(&f, dt, be32(dt + FDT_O_TOTALSIZE));
        if (err)
                return err;
        root = fdt_root(&f);
        if (fdt_prop_addr(&f, root, "#address-cells", &cells) != 1)
                cells = 2;
        wide = cells != 1;
        if (!fdt_subnode_str(&f, root, "chosen", &chosen)) {
                /* BEGIN_NODE "chosen" END_NODE before the root's END_NODE. */
                static const char name[8] = "chosen";
                volatile uint8_t *w;
                uint32_t at = fdt_skip_node(&f, root) - 4, i;

                err = dt_insert(&f, at, 16);
                if (err)
                        return err;
                w = dt_w(&f, f.off_struct + at);
                put_be32(w, FDT_BEGIN_NODE);
                for (i = 0; i < 8; i++)
                        w[4 + i] = (uint8_t)name[i];
                put_be32(w + 12, FDT_END_NODE);
                chosen = at;
        }
        (void)len;
        err = dt_set_addr(&f, chosen, "linux,initrd-start", start, wide);
        if (err)
                return err;
        err = dt_set_addr(&f, chosen, "linux,initrd-end", end, wide);
        if (err)
                return err;
        return fdt_open(&f, dt, f.totalsize) ? REMOTE_FW_EFDT : 0;
}

/* ---- remote_fw_fit_load ---------------------------------------------------------- */

#define MAX_PIECES (3 + REMOTE_FW_FIT_MAX_LOADABLES)

/* Each string of a string-list property of the configuration, as a piece. */
static int config_list(const struct fit *fit, uint32_t conf, const char *prop,
                       enum piece_kind kind, struct piece *pcs, unsigned *n, unsigned max)
{
        const uint8_t *val;
        uint32_t len, off = 0;
        int err;

        if (!fdt_prop(&fit->f, conf, prop, &val, &len, NULL))
                return 0;
        if (len == 0 || val[len - 1] != 0)
                return REMOTE_FW_EFIT;
        while (off < len) {
                uint32_t slen = strnlen_(val + off, len - off);

                if (*n >= max)
                        return REMOTE_FW_EFIT;
                err = check_image(fit, val + off, slen, kind, &pcs[*n]);
                if (err)
                        return err;
                (*n)++;
                off += slen + 1;
        }
        return 0;
}

int remote_fw_fit_load(const void *fit_base, size_t fit_size, const char *config,
                       const struct remote_fw_region *allowed, size_t n_allowed,
                       struct remote_fw_fit_boot *boot)
{
        struct fit fit;
        struct piece pcs[MAX_PIECES];
        unsigned n = 0, i, j, n_fdt, n_rd;
        int has_fdt, has_rd;
        uint32_t root, confs, conf, len;
        const uint8_t *val;
        int err;

        if (fit_base == NULL || boot == NULL || (allowed == NULL && n_allowed != 0))
                return REMOTE_FW_EINVAL;
        fit.base = fit_base;
        fit.size = fit_size;
        err = fdt_open(&fit.f, fit.base, fit_size);
        if (err)
                return err;
        root = fdt_root(&fit.f);
        if (!fdt_subnode_str(&fit.f, root, "images", &fit.images))
                return REMOTE_FW_EFIT;

        /* The configuration: the one named, else the default one. */
        if (!fdt_subnode_str(&fit.f, root, "configurations", &confs))
                return REMOTE_FW_ENOCONF;
        if (config != NULL) {
                if (!fdt_subnode_str(&fit.f, confs, config, &conf))
                        return REMOTE_FW_ENOCONF;
        } else {
                if (!fdt_prop_str(&fit.f, confs, "default", &val, &len) ||
                    !fdt_subnode(&fit.f, confs, val, len, &conf))
                        return REMOTE_FW_ENOCONF;
        }

        /* Its pieces, each checked (hashes included) before anything is written. */
        if (!fdt_prop(&fit.f, conf, "kernel", &val, &len, NULL))
                return REMOTE_FW_ENOIMAGE;
        if (len == 0 || val[len - 1] != 0 || strnlen_(val, len) != len - 1)
                return REMOTE_FW_EFIT;
        err = check_image(&fit, val, len - 1, P_KERNEL, &pcs[n++]);
        if (err)
                return err;
        n_fdt = n;
        err = config_list(&fit, conf, "fdt", P_FDT, pcs, &n, n_fdt + 1);
        if (err)
                return err;
        has_fdt = n > n_fdt;
        n_rd = n;
        err = config_list(&fit, conf, "ramdisk", P_RAMDISK, pcs, &n, n_rd + 1);
        if (err)
                return err;
        has_rd = n > n_rd;
        err = config_list(&fit, conf, "firmware", P_LOADABLE, pcs, &n, MAX_PIECES);
        if (err)
                return err;
        err = config_list(&fit, conf, "loadables", P_LOADABLE, pcs, &n, MAX_PIECES);
        if (err)
                return err;

        /* Placement: inside one allowed region, off the FIT, off each other. */
        for (i = 0; i < n; i++) {
                const struct piece *p = &pcs[i];

                if (p->reserve > UINT64_MAX - p->load ||
                    (uint64_t)(uintptr_t)p->load != p->load ||
                    (uint64_t)(uintptr_t)(p->load + p->reserve - 1) != p->load + p->reserve - 1 ||
                    (uint64_t)(size_t)p->placed != p->placed ||
                    !in_region(allowed, n_allowed, p->load, p->reserve))
                        return REMOTE_FW_EREGION;
                if (overlaps(p->load, p->reserve, (uintptr_t)fit.base, fit_size))
                        return REMOTE_FW_EOVERLAP;
                for (j = 0; j < i; j++)
                        if (overlaps(p->load, p->reserve, pcs[j].load, pcs[j].reserve))
                                return REMOTE_FW_EPIECES;
        }

        /* Everything checked: write. */
        for (i = 0; i < n; i++) {
                err = place(&pcs[i]);
                if (err)
                        return err;
        }
        if (has_fdt) {
                /* A gzip tree can only be validated now that it is inflated. */
                const struct piece *dt = &pcs[n_fdt], *rd = &pcs[n_rd];
                struct fdt check;

                if (dt->gzip && fdt_open(&check, (const uint8_t *)(uintptr_t)dt->load,
                                         (size_t)dt->placed))
                        return REMOTE_FW_EFDT;
                if (has_rd) {
                        err = patch_chosen((const uint8_t *)(uintptr_t)dt->load, rd->load,
                                           rd->load + rd->placed);
                        if (err)
                                return err;
                }
        }

        boot->entry = (uintptr_t)pcs[0].entry;
        boot->fdt = has_fdt ? (uintptr_t)pcs[n_fdt].load : 0;
        boot->initrd_start = has_rd ? (uintptr_t)pcs[n_rd].load : 0;
        boot->initrd_end = has_rd ? (uintptr_t)(pcs[n_rd].load + pcs[n_rd].placed) : 0;
        return 0;
}

/* ---- entering the kernel ---------------------------------------------------------- */

#if defined(REMOTE_FW_FIT_HAVE_ENTER) && defined(__aarch64__)
/* Documentation/arch/arm64/booting.rst: x0 = dtb, x1 = x2 = x3 = 0. */
void remote_fw_fit_enter(const struct remote_fw_fit_boot *boot)
{
        uintptr_t entry = boot->entry, fdt = boot->fdt;

        __asm__ volatile(
                "msr    daifset, #0xf\n\t"      /* D, A, I, F masked */
                "ic     iallu\n\t"              /* no stale instructions of the pieces */
                "dsb    sy\n\t"
                "isb\n\t"
                "mov    x0, %0\n\t"
                "mov    x1, xzr\n\t"
                "mov    x2, xzr\n\t"
                "mov    x3, xzr\n\t"
                "br     %1\n\t"
                : : "r"(fdt), "r"(entry) : "x0", "x1", "x2", "x3", "memory");
        __builtin_unreachable();
}
#elif defined(REMOTE_FW_FIT_HAVE_ENTER) && defined(__arm__)
/* Documentation/arch/arm/booting.rst: r0 = 0, r1 = ~0 (device tree), r2 = dtb, ARM state. */
void remote_fw_fit_enter(const struct remote_fw_fit_boot *boot)
{
        uintptr_t entry = boot->entry & ~(uintptr_t)1, fdt = boot->fdt;

        __asm__ volatile(
                "cpsid  if\n\t"
#if defined(__ARM_ARCH) && __ARM_ARCH >= 7
                "mov    r0, #0\n\t"
                "mcr    p15, 0, r0, c7, c5, 0\n\t"     /* ICIALLU */
                "dsb\n\t"
                "isb\n\t"
#endif
                "mov    r0, #0\n\t"
                "mvn    r1, #0\n\t"
                "mov    r2, %0\n\t"
                "bx     %1\n\t"
                : : "r"(fdt), "r"(entry) : "r0", "r1", "r2", "memory");
        __builtin_unreachable();
}
#endif
