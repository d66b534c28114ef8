/*
 * remote_fw_ed25519.c - Ed25519 verification (RFC 8032 5.1.7), strict as
 * libsodium decides; see remote_fw_ed25519.h for the exact rules.
 *
 * Field GF(p), p = 2^255 - 19: ten unsigned 32-bit limbs of alternately 26 and
 * 25 bits (limb i has weight 2^ceil(25.5 i)), products in 64 bits, no 64-bit
 * division, no table indexed by secret data (there is none). Every function
 * returns its field elements "carried": limb 1 below 2^25 + 2^17, every other
 * limb within its 26 or 25 bits; the bounds in fe_mul's comment follow.
 *
 * Curve -x^2 + y^2 = 1 + d x^2 y^2 in extended coordinates (X:Y:Z:T), x = X/Z,
 * y = Y/Z, xy = T/Z; addition and doubling are the a = -1 formulas of Hisil,
 * Wong, Carter and Dawson, "Twisted Edwards curves revisited" (2008), 3.1-3.3.
 *
 * [S]B - [k]A is one interleaved double-and-add over signed sliding windows
 * (width-w NAF): width 5 for B (its odd multiples B..15B are constants below)
 * and width 2 for -A (plain NAF: only -A itself is needed), both digit
 * strings packed in one byte per bit position. -A is decoded with Z = 1, so
 * both are added as (y + x, y - x, 2dxy). That keeps the stack small
 * (Cortex-M3 -O2: 1,200 bytes in all, bench/bench_auth.py): -A, the digits
 * (256 bytes) and one accumulator, then the deepest of ge_add or ge_double
 * (neither inlined) and fe_mul.
 *
 * At -Os the field arithmetic's loops stay rolled and fe_sq is fe_mul (see
 * UNROLL): 4.1 KiB of Thumb-2 instead of 7.3 KiB.
 *
 * The constants were computed from their definitions (tests/kit/test_ed25519.py
 * recomputes them with Python integers and compares them with this file).
 */
#include "remote_fw_ed25519.h"
#include "remote_fw_sha512.h"

typedef uint32_t fe[10];

#define M26 0x3ffffffu
#define M25 0x1ffffffu
/* bits in limb i: 26 for even i, 25 for odd */
#define LIMB_BITS(i) (26u - ((i) & 1u))

/* (y + x, y - x, 2dxy) of a point with Z = 1 */
struct niels {
        fe ypx, ymx, t2d;
};

struct ext {
        fe X, Y, Z, T;
};

/* d = -121665/121666, 2d and sqrt(-1) = 2^((p-1)/4) (RFC 8032 5.1), in limbs */
static const fe fe_d = {0x35978a3, 0x0d37284, 0x3156ebd, 0x06a0a0e, 0x001c029, 0x179e898, 0x3a03cbb, 0x1ce7198, 0x2e2b6ff, 0x1480db3};
static const fe fe_d2 = {0x2b2f159, 0x1a6e509, 0x22add7a, 0x0d4141d, 0x0038052, 0x0f3d130, 0x3407977, 0x19ce331, 0x1c56dff, 0x0901b67};
static const fe fe_sqrtm1 = {0x20ea0b0, 0x186c9d2, 0x08f189d, 0x035697f, 0x0bd0c60, 0x1fbd7a7, 0x2804c9e, 0x1e16569, 0x004fc1d, 0x0ae0c92};

/* y^2 of the points of order 8 (they have y = +-y8); canonical bytes */
static const uint8_t y8_squared[32] = {
        0x91, 0x52, 0x15, 0x9c, 0x85, 0x91, 0x47, 0xae, 0x03, 0xa1, 0xf0, 0xb4,
        0x34, 0x9e, 0xdf, 0x6b, 0x05, 0x9c, 0x60, 0xba, 0xc2, 0xeb, 0xc2, 0xc2,
        0x57, 0xb2, 0xd5, 0x8b, 0x5b, 0x12, 0xb9, 0x76
};

/* The odd multiples B, 3B, ..., 15B of the base point (RFC 8032 5.1) as
 * (y + x, y - x, 2dxy), Z = 1: the window of [S]B. */
static const struct niels base_odd[8] = {
        { /* 1B */
                {0x18c3b85, 0x124f1bd, 0x1c325f7, 0x037dc60, 0x33e4cb7, 0x03d42c2, 0x1a44c32, 0x14ca4e1, 0x3a33d4b, 0x01f3e74},
                {0x340913e, 0x00e4175, 0x3d673a2, 0x02e8a05, 0x3f4e67c, 0x08f8a09, 0x0c21a34, 0x04cf4b8, 0x1298f81, 0x113f4be},
                {0x37aaa68, 0x0448161, 0x093d579, 0x11e6556, 0x09b67a0, 0x143598c, 0x1bee5ee, 0x0b50b43, 0x289f0c6, 0x1bc45ed} },
        { /* 3B */
                {0x0ee9730, 0x16c2a13, 0x17155e4, 0x1874432, 0x0096a10, 0x1016732, 0x1a8014f, 0x11e9823, 0x1b9a80f, 0x1e85938},
                {0x0fcd265, 0x047fa29, 0x34faacc, 0x1ef2e0d, 0x0ef4d4f, 0x14bd6bd, 0x0f98d10, 0x14c5026, 0x07555bd, 0x0aae456},
                {0x1d0d889, 0x1a4cfc3, 0x34c4295, 0x110e1ae, 0x162508c, 0x0f2db4c, 0x072a2c6, 0x098da2e, 0x2f12b9b, 0x168a09a} },
        { /* 5B */
                {0x0a5bb33, 0x0af1102, 0x1a05442, 0x01e3af7, 0x2354123, 0x0bfec44, 0x1f5862d, 0x0dd7ba3, 0x3146e20, 0x0a51733},
                {0x047d6ba, 0x060b0e9, 0x136eff2, 0x08a5939, 0x3540053, 0x064a087, 0x2788e5c, 0x0be7c67, 0x33eb1b5, 0x05529f9},
                {0x12a8285, 0x0f6fc60, 0x23f9797, 0x03e85ee, 0x09c3820, 0x1bda72d, 0x1b3858d, 0x0d35683, 0x296b3bb, 0x10eaaf9} },
        { /* 7B */
                {0x04ea3bf, 0x0973425, 0x01a4d63, 0x1d59cee, 0x1d1c0d4, 0x0542e49, 0x1294114, 0x04fce36, 0x29283c9, 0x1186fa9},
                {0x23221b1, 0x1cb26aa, 0x074f74d, 0x099ddd1, 0x1b28085, 0x0192c3a, 0x13b27c9, 0x0fc13bd, 0x1d2e531, 0x075bb75},
                {0x1b8b3a2, 0x0db7200, 0x0935e30, 0x03829f5, 0x2cc0d7d, 0x077adf3, 0x220dd2c, 0x014ea53, 0x1c6a0f9, 0x1ea7eec} },
        { /* 9B */
                {0x2a8632f, 0x199e2a9, 0x0d8b365, 0x17a8de2, 0x2994279, 0x086f5b5, 0x119e4e3, 0x1eb39d6, 0x338add7, 0x0d2e7b4},
                {0x39d8064, 0x1885f80, 0x0337e6d, 0x1b7a902, 0x2628206, 0x15eb044, 0x1e30473, 0x191f2d9, 0x11fadc9, 0x1270169},
                {0x045af1b, 0x13a2fe4, 0x245e0d6, 0x14538ce, 0x38bfe0f, 0x1d4cf16, 0x37e14c9, 0x160d55e, 0x021b008, 0x1cf05c8} },
        { /* 11B */
                {0x2802ade, 0x1c02122, 0x1c4e5f7, 0x0781181, 0x39767fb, 0x1703406, 0x342388b, 0x1f5e227, 0x22546d8, 0x109d6ab},
                {0x1864348, 0x1d6c092, 0x070262b, 0x14bb844, 0x0fb5acd, 0x08deb95, 0x03aaab5, 0x0eff474, 0x0029d5c, 0x062ad66},
                {0x16089e9, 0x0cb317f, 0x0949b05, 0x1099417, 0x00c7ad2, 0x11a8622, 0x088ccda, 0x1290886, 0x22b53df, 0x0f71954} },
        { /* 13B */
                {0x2007f6d, 0x03088a8, 0x3db77ee, 0x0d5ade6, 0x2fe12ce, 0x107ba07, 0x107097d, 0x0482a6f, 0x2ec346f, 0x08d3f5f},
                {0x27fbf93, 0x1c04ecc, 0x1ed6a0d, 0x04cdbbb, 0x2bbf3af, 0x0ad5968, 0x1591955, 0x094f3a2, 0x2d17602, 0x0099e20},
                {0x32ea378, 0x028465c, 0x28e2a6c, 0x18efc6e, 0x090df9a, 0x1a7e533, 0x39bfc48, 0x10c745d, 0x3daa097, 0x125ee9b} },
        { /* 15B */
                {0x3cfeaa0, 0x1b300c4, 0x08da499, 0x068c4e1, 0x219230a, 0x1f2d4d0, 0x2defd60, 0x0e565b7, 0x17f12de, 0x18788a4},
                {0x28ccf0b, 0x0f36191, 0x21ac081, 0x12154c8, 0x34e0a6e, 0x1b25192, 0x0180403, 0x1d7eea1, 0x0218d05, 0x10ed735},
                {0x3d0b516, 0x09d8be6, 0x3ddcbb3, 0x071b9fe, 0x3ace2bd, 0x1d64270, 0x32d3ec9, 0x1084065, 0x210ae4d, 0x1447584} },
};

/* ---- the field -------------------------------------------------------------- */

/* Loops with constant bounds that GCC and Clang unroll completely, so that
 * every limb index, shift and coefficient below is a constant. At -Os
 * (__OPTIMIZE_SIZE__) they stay loops, the same arithmetic with the
 * coefficients computed as they go: about 2 KiB less Thumb-2 for about
 * three times the instructions (bench/bench_auth.py prints both builds). */
#ifdef __OPTIMIZE_SIZE__
#define UNROLL
#else
#define UNROLL _Pragma("GCC unroll 10")
#endif

/* h = t carried (t[i] < 2^28, sums and differences): afterwards limb 1 <
 * 2^25 + 8 and every other limb within its 26 or 25 bits; the value is
 * unchanged modulo p. */
static void fe_carry32(fe h, uint32_t t[10])
{
        uint32_t c;
        unsigned i;

        UNROLL
        for (i = 0; i < 9; i++) {
                c = t[i] >> LIMB_BITS(i);
                t[i] -= c << LIMB_BITS(i);
                t[i + 1] += c;
        }
        c = t[9] >> 25;
        t[9] &= M25;
        t[0] += 19 * c;
        c = t[0] >> 26;
        t[0] &= M26;
        t[1] += c;
        UNROLL
        for (i = 0; i < 10; i++)
                h[i] = t[i];
}

static void fe_copy(fe h, const fe f)
{
        unsigned i;

        for (i = 0; i < 10; i++)
                h[i] = f[i];
}

static void fe_set(fe h, uint32_t v)     /* v < 2^26 */
{
        unsigned i;

        h[0] = v;
        for (i = 1; i < 10; i++)
                h[i] = 0;
}

static void fe_add(fe h, const fe f, const fe g)
{
        uint32_t t[10];
        unsigned i;

        UNROLL
        for (i = 0; i < 10; i++)
                t[i] = f[i] + g[i];
        fe_carry32(h, t);
}

/* h = f - g, computed as f + 2p - g: 2p's limbs exceed every carried limb of g. */
static void fe_sub(fe h, const fe f, const fe g)
{
        uint32_t t[10];
        unsigned i;

        UNROLL
        for (i = 0; i < 10; i++)
                t[i] = f[i] + 2u * (LIMB_BITS(i) == 26 ? M26 : M25) - g[i];
        t[0] -= 2 * 18;                 /* limb 0 of 2p is 2(2^26 - 19), not 2(2^26 - 1) */
        fe_carry32(h, t);
}

static void fe_neg(fe h, const fe f)
{
        fe z;

        fe_set(z, 0);
        fe_sub(h, z, f);
}

/* Column k's sum plus the carry from column k - 1 into limb k of out;
 * returns the carry (below 2^37). */
static uint64_t fe_column(uint32_t out[10], unsigned k, uint64_t acc)
{
        out[k] = (uint32_t)acc & (LIMB_BITS(k) == 26 ? M26 : M25);
        return acc >> LIMB_BITS(k);
}

/* h = out with the carry c out of limb 9 folded back (2^255 = 19). */
static void fe_fold(fe h, uint32_t out[10], uint64_t c)
{
        unsigned i;

        c = out[0] + 19 * c;
        out[0] = (uint32_t)c & M26;
        out[1] += (uint32_t)(c >> 26);
        UNROLL
        for (i = 0; i < 10; i++)
                h[i] = out[i];
}

/*
 * h = f g. Limb i times limb j lands at weight 2^(w_i + w_j), which is
 * 2^w_(i+j) except when i and j are both odd (one bit more: the product
 * counts twice), and 2^255 w = 19 w beyond limb 9. So column k sums
 * f_i g_j c for i + j = k or k + 10, c = (2 if i, j odd) (19 if i + j >= 10):
 * f_i c < 38 (2^26 + 2^17) < 2^32, each product below 2^58 and a column of
 * ten below 2^62. Columns are carried as they are summed, the carry out of
 * limb 9 folded into limbs 0 and 1 (limb 1 then < 2^25 + 2^16). Fully
 * unrolled, c is a constant. h may be f or g.
 */
static void fe_mul(fe h, const fe f, const fe g)
{
        uint32_t out[10];
        uint64_t acc, carry = 0;
        unsigned i, k;

        UNROLL
        for (k = 0; k < 10; k++) {
                acc = carry;
                UNROLL
                for (i = 0; i < 10; i++) {
                        unsigned j = i <= k ? k - i : k + 10 - i;
                        uint32_t c = ((i & j & 1) ? 2u : 1u) * (i <= k ? 1u : 19u);

                        acc += (uint64_t)(f[i] * c) * g[j];
                }
                carry = fe_column(out, k, acc);
        }
        fe_fold(h, out, carry);
}

/* h = f^2: fe_mul's columns with f_i f_j and f_j f_i taken once, doubled
 * (c is then at most 76: split as 38 on one factor and 2 on the other). */
#ifdef __OPTIMIZE_SIZE__
static void fe_sq(fe h, const fe f)
{
        fe_mul(h, f, f);        /* the same value; one loop nest less */
}
#else
static void fe_sq(fe h, const fe f)
{
        uint32_t out[10];
        uint64_t acc, carry = 0;
        unsigned i, k;

        UNROLL
        for (k = 0; k < 10; k++) {
                acc = carry;
                UNROLL
                for (i = 0; i < 10; i++) {
                        unsigned j = i <= k ? k - i : k + 10 - i;
                        uint32_t c = ((i & j & 1) ? 2u : 1u) * (i <= k ? 1u : 19u);

                        if (i < j)
                                acc += (uint64_t)(f[i] * c) * (f[j] * 2u);
                        else if (i == j)
                                acc += (uint64_t)(f[i] * c) * f[j];
                }
                carry = fe_column(out, k, acc);
        }
        fe_fold(h, out, carry);
}
#endif

/* h = f^(2^n) */
static void fe_sqn(fe h, const fe f, unsigned n)
{
        fe_sq(h, f);
        while (--n > 0)
                fe_sq(h, h);
}

/*
 * h = f^((2^250 - 1) 2^n + tail), tail < 2^n (h must not be f): the shape of both exponents
 * used, p - 2 = (2^250 - 1) 2^5 + 11 (inversion) and (p - 5)/8 = (2^250 - 1) 2^2
 * + 1 (square root). The 2^250 - 1 part is a chain of 2^m - 1 powers:
 * f^(2^(a+b) - 1) = (f^(2^a - 1))^(2^b) f^(2^b - 1).
 */
static void fe_pow_2_250(fe h, const fe f, unsigned tail, unsigned n)
{
        fe a, b, c;

        fe_sq(a, f);
        fe_mul(a, a, f);                /* a = f^(2^2 - 1) */
        fe_sqn(b, a, 2);
        fe_mul(b, b, a);                /* b = f^(2^4 - 1) */
        fe_sq(b, b);
        fe_mul(b, b, f);                /* b = f^(2^5 - 1) */
        fe_sqn(a, b, 5);
        fe_mul(a, a, b);                /* a = f^(2^10 - 1) */
        fe_sqn(b, a, 10);
        fe_mul(b, b, a);                /* b = 2^20 - 1 */
        fe_sqn(c, b, 20);
        fe_mul(c, c, b);                /* c = 2^40 - 1 */
        fe_sqn(c, c, 10);
        fe_mul(a, c, a);                /* a = 2^50 - 1 */
        fe_sqn(b, a, 50);
        fe_mul(b, b, a);                /* b = 2^100 - 1 */
        fe_sqn(c, b, 100);
        fe_mul(c, c, b);                /* c = 2^200 - 1 */
        fe_sqn(c, c, 50);
        fe_mul(h, c, a);                /* h = 2^250 - 1 */
        while (n-- > 0) {
                fe_sq(h, h);
                if ((tail >> n) & 1)
                        fe_mul(h, h, f);
        }
}

/* The 255 low bits of s, little-endian, as limbs (bit 255 is ignored). */
static void fe_frombytes(fe h, const uint8_t s[32])
{
        unsigned i, w, j;

        for (i = 0; i < 10; i++) {
                uint32_t v = 0;

                w = (51 * i + 1) / 2;   /* ceil(25.5 i): the limb's first bit */
                for (j = 4; j-- > 0;)
                        v = (v << 8) | s[w / 8 + j];
                h[i] = (v >> (w % 8)) & (LIMB_BITS(i) == 26 ? M26 : M25);
        }
}

/* The canonical encoding of f (the value reduced below p), little-endian. */
static void fe_tobytes(uint8_t s[32], const fe f)
{
        uint32_t h[10], c;
        uint64_t acc;
        unsigned i, n, k;

        fe_copy(h, f);
        /* Carry until no carry leaves limb 9: then every limb is within its
         * bits and the value is below 2^255. */
        do {
                for (i = 0; i < 9; i++) {
                        c = h[i] >> LIMB_BITS(i);
                        h[i] &= LIMB_BITS(i) == 26 ? M26 : M25;
                        h[i + 1] += c;
                }
                c = h[9] >> 25;
                h[9] &= M25;
                h[0] += 19 * c;
        } while (c != 0 || h[0] > M26);
        /* Below 2^255; subtract p if the value is p or more, that is if
         * value + 19 reaches 2^255. */
        c = 19;
        for (i = 0; i < 10; i++) {
                c += h[i];
                c >>= LIMB_BITS(i);
        }
        /* c is 1 when value >= p: add 19 and drop bit 255 */
        h[0] += 19 * c;
        for (i = 0; i < 9; i++) {
                h[i + 1] += h[i] >> LIMB_BITS(i);
                h[i] &= LIMB_BITS(i) == 26 ? M26 : M25;
        }
        h[9] &= M25;
        acc = 0;
        n = 0;
        k = 0;
        for (i = 0; i < 10; i++) {
                acc |= (uint64_t)h[i] << n;
                n += LIMB_BITS(i);
                while (n >= 8) {
                        s[k++] = (uint8_t)acc;
                        acc >>= 8;
                        n -= 8;
                }
        }
        s[k] = (uint8_t)acc;            /* the last 7 bits: n == 7, k == 31 */
}

static int bytes_differ(const uint8_t *a, const uint8_t *b, unsigned n)
{
        uint8_t d = 0;

        while (n-- > 0)
                d |= a[n] ^ b[n];
        return d != 0;
}

static int fe_equal(const fe f, const fe g)
{
        uint8_t a[32], b[32];

        fe_tobytes(a, f);
        fe_tobytes(b, g);
        return !bytes_differ(a, b, 32);
}

static int fe_is_odd(const fe f)         /* "negative" in RFC 8032's sense */
{
        uint8_t s[32];

        fe_tobytes(s, f);
        return s[0] & 1;
}

/* ---- the curve -------------------------------------------------------------- */

/* r = p + q, or p - q when neg; q with Z = 1, given as (y + x, y - x, 2dxy).
 * r may be p. */
static void ge_add(struct ext *r, const struct ext *p, const struct niels *q, int neg)
{
        fe a, b, c, d;

        fe_sub(a, p->Y, p->X);
        fe_mul(a, a, neg ? q->ypx : q->ymx);    /* A = (Y1 - X1)(Y2 - X2) */
        fe_add(b, p->Y, p->X);
        fe_mul(b, b, neg ? q->ymx : q->ypx);    /* B = (Y1 + X1)(Y2 + X2) */
        fe_mul(c, p->T, q->t2d);                /* C = 2d T1 T2 (negated when neg) */
        fe_add(d, p->Z, p->Z);                  /* D = 2 Z1 Z2, Z2 = 1 */
        /* p is read: r's fields serve as the temporaries from here */
        fe_sub(r->T, b, a);                     /* E = B - A */
        fe_add(b, b, a);                        /* H = B + A */
        if (neg) {
                fe_add(a, d, c);                /* F = D - C */
                fe_sub(d, d, c);                /* G = D + C */
        } else {
                fe_sub(a, d, c);
                fe_add(d, d, c);
        }
        fe_mul(r->X, r->T, a);                  /* X3 = E F */
        fe_mul(r->T, r->T, b);                  /* T3 = E H */
        fe_mul(r->Y, d, b);                     /* Y3 = G H */
        fe_mul(r->Z, a, d);                     /* Z3 = F G */
}

/* r = 2p (T3 only when want_t: a doubling never reads T). r may be p.
 * Not inlined: its temporaries would stay in double_scalarmult's frame
 * beneath ge_add's and fe_mul's, the deepest point of the verification. */
static __attribute__((noinline)) void ge_double(struct ext *r, const struct ext *p, int want_t)
{
        fe a, b, c, h;

        fe_sq(a, p->X);                 /* A = X^2 */
        fe_sq(b, p->Y);                 /* B = Y^2 */
        fe_sq(c, p->Z);
        fe_add(c, c, c);                /* C = 2 Z^2 */
        fe_add(h, a, b);                /* H = A + B   (the paper's -H) */
        fe_add(r->X, p->X, p->Y);
        fe_sq(r->X, r->X);
        fe_sub(r->X, h, r->X);          /* E = H - (X + Y)^2   (-E) */
        fe_sub(a, a, b);                /* G = A - B   (-G) */
        fe_add(c, c, a);                /* F = C + G   (-F) */
        if (want_t)
                fe_mul(r->T, r->X, h);  /* T3 = E H */
        fe_mul(r->X, r->X, c);          /* X3 = E F */
        fe_mul(r->Y, a, h);             /* Y3 = G H */
        fe_mul(r->Z, c, a);             /* Z3 = F G */
}

/* c = p as (y + x, y - x, 2dxy): p has Z = 1. */
static void ge_to_niels(struct niels *c, const struct ext *p)
{
        fe_add(c->ypx, p->Y, p->X);
        fe_sub(c->ymx, p->Y, p->X);
        fe_mul(c->t2d, p->T, fe_d2);
}

/* 1 when y (any 255-bit value, reduced mod p) is the y of a point of small
 * order: y in {0, 1, -1} or y^2 = y8^2. */
static int y_has_small_order(const uint8_t s[32])
{
        static const uint8_t one[32] = { 1 }, zero[32] = { 0 };
        uint8_t yy[32];
        fe y;

        fe_frombytes(y, s);
        fe_sq(y, y);
        fe_tobytes(yy, y);
        return !bytes_differ(yy, zero, 32) || !bytes_differ(yy, one, 32)
               || !bytes_differ(yy, y8_squared, 32);
}

/* 1 when the 255 low bits of s are below p = 2^255 - 19. */
static int y_is_canonical(const uint8_t s[32])
{
        unsigned i;

        if ((s[31] & 0x7f) != 0x7f)
                return 1;
        for (i = 30; i > 0; i--)
                if (s[i] != 0xff)
                        return 1;
        return s[0] < 0xed;
}

/*
 * -A from its encoding (RFC 8032 5.1.3, then x negated): y canonical, x^2 =
 * (y^2 - 1)/(d y^2 + 1) must have a root. x = 0 with the sign bit set is
 * refused too (only small-order points have x = 0, refused before anyway).
 * Not inlined: its temporaries stay out of double_scalarmult's frame.
 */
static __attribute__((noinline)) int ge_decode_negated(struct ext *r, const uint8_t s[32])
{
        fe u, v;        /* r's X, Z and T serve as the other temporaries */

        fe_frombytes(r->Y, s);
        fe_sq(u, r->Y);
        fe_mul(v, u, fe_d);
        fe_set(r->Z, 1);
        fe_sub(u, u, r->Z);             /* u = y^2 - 1 */
        fe_add(v, v, r->Z);             /* v = d y^2 + 1 */
        fe_sq(r->T, v);
        fe_mul(r->T, r->T, v);          /* T = v^3 */
        fe_sq(r->X, r->T);
        fe_mul(r->X, r->X, v);
        fe_mul(r->X, r->X, u);          /* X = u v^7 */
        fe_pow_2_250(r->Z, r->X, 1, 2); /* Z = (u v^7)^((p - 5)/8) */
        fe_mul(r->X, r->Z, r->T);
        fe_mul(r->X, r->X, u);          /* candidate x = u v^3 (u v^7)^((p - 5)/8) */
        fe_sq(r->T, r->X);
        fe_mul(r->T, r->T, v);          /* v x^2 */
        if (!fe_equal(r->T, u)) {
                fe_neg(u, u);
                if (!fe_equal(r->T, u))
                        return REMOTE_FW_ED25519_EKEY;
                fe_mul(r->X, r->X, fe_sqrtm1);
        }
        fe_set(r->Z, 0);
        if ((s[31] >> 7) && fe_equal(r->X, r->Z))
                return REMOTE_FW_ED25519_EKEY;
        if (fe_is_odd(r->X) == (s[31] >> 7))
                fe_neg(r->X, r->X);     /* -A: the opposite sign of the encoded one */
        fe_set(r->Z, 1);
        fe_mul(r->T, r->X, r->Y);
        return 0;
}

/* ---- scalars ---------------------------------------------------------------- */

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian 32-bit words */
static const uint32_t group_order[8] = {
        0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0x00000000, 0x00000000, 0x00000000, 0x10000000
};

/* 1 when the 256-bit little-endian words a are >= L */
static int ge_order(const uint32_t a[8])
{
        unsigned i;

        for (i = 8; i-- > 0;)
                if (a[i] != group_order[i])
                        return a[i] > group_order[i];
        return 1;
}

static void words_from_bytes(uint32_t w[8], const uint8_t *s)
{
        unsigned i;

        for (i = 0; i < 8; i++)
                w[i] = (uint32_t)s[4 * i] | (uint32_t)s[4 * i + 1] << 8
                       | (uint32_t)s[4 * i + 2] << 16 | (uint32_t)s[4 * i + 3] << 24;
}

/* r = (64-byte little-endian h) mod L, one bit at a time from the top:
 * r = 2r + bit, minus L when it reaches L (r < L < 2^253 throughout). */
static void reduce_mod_order(uint32_t r[8], const uint8_t h[64])
{
        unsigned bit, i;
        uint32_t c;
        uint64_t d;

        for (i = 0; i < 8; i++)
                r[i] = 0;
        for (bit = 512; bit-- > 0;) {
                c = (h[bit / 8] >> (bit % 8)) & 1;
                for (i = 0; i < 8; i++) {
                        uint32_t top = r[i] >> 31;

                        r[i] = (r[i] << 1) | c;
                        c = top;
                }
                if (ge_order(r)) {
                        d = 0;
                        for (i = 0; i < 8; i++) {
                                d = (uint64_t)r[i] - group_order[i] - d;
                                r[i] = (uint32_t)d;
                                d = (d >> 32) & 1;      /* the borrow */
                        }
                }
        }
}

/*
 * Width-w NAF of the 253-bit scalar x (little-endian words): digit[i] in
 * {0, +-1, +-3, ..., +-(2^(w-1) - 1)}, x = sum digit[i] 2^i, and any w
 * consecutive digits hold at most one that is not 0. Each digit + bias is
 * stored in out[i] at bit shift (out[] is written, not or-ed, when shift is 0).
 */
static void wnaf(uint8_t out[256], const uint32_t scalar[8], unsigned w, unsigned shift)
{
        uint32_t x[9];
        unsigned i, j;
        int32_t bias = (1 << (w - 1)) - 1, v;

        for (i = 0; i < 8; i++)
                x[i] = scalar[i];
        x[8] = 0;
        for (i = 0; i < 256; i++) {
                v = 0;
                if ((x[i / 32] >> (i % 32)) & 1) {
                        uint64_t win = x[i / 32] >> (i % 32);

                        if (i / 32 < 8)
                                win |= (uint64_t)x[i / 32 + 1] << (32 - i % 32);
                        v = (int32_t)(win & ((1u << w) - 1));
                        if (v > bias)
                                v -= 1 << w;
                        /* x -= v 2^i: clears the window's bits; a negative
                         * digit carries into bit i + w and beyond. */
                        win = (uint64_t)(uint32_t)(v < 0 ? -v : v) << (i % 32);
                        if (v > 0) {
                                x[i / 32] -= (uint32_t)win;
                                if (i / 32 < 8)
                                        x[i / 32 + 1] -= (uint32_t)(win >> 32);
                        } else {
                                for (j = i / 32; j < 9; j++) {
                                        win += x[j];
                                        x[j] = (uint32_t)win;
                                        win >>= 32;
                                }
                        }
                }
                if (shift == 0)
                        out[i] = (uint8_t)(v + bias);
                else
                        out[i] |= (uint8_t)((v + bias) << shift);
        }
}

/* ---- verification ----------------------------------------------------------- */

#define A_WINDOW 2      /* digits of k: -1..1, bits 0-1 of a digit byte (biased by 1) */
#define B_WINDOW 5      /* digits of S: -15..15, bits 2-6 (biased by 15) */

/*
 * Decode -A from pk, compute R' = [s]B + [k](-A) and compare its encoding
 * with r_enc. The digits of both scalars are scanned from the top; each step
 * doubles R' and adds -A or A, and B's odd multiple, that nonzero digits name.
 * Not inlined: its frame (-A, the digits, one point) and the hash's never
 * coexist. Returns 0, REMOTE_FW_ED25519_EKEY or _EMISMATCH.
 */
static __attribute__((noinline)) int double_scalarmult(const uint8_t r_enc[32], const uint8_t pk[32],
                                                      const uint32_t k[8], const uint32_t s[8])
{
        struct niels neg_a;     /* -A, decoded with Z = 1 */
        uint8_t digits[256];
        struct ext r;
        int i, da, db;

        i = ge_decode_negated(&r, pk);
        if (i != 0)
                return i;
        ge_to_niels(&neg_a, &r);

        wnaf(digits, k, A_WINDOW, 0);
        wnaf(digits, s, B_WINDOW, 2);

        fe_set(r.X, 0);
        fe_set(r.Y, 1);
        fe_set(r.Z, 1);
        fe_set(r.T, 0);
        for (i = 255; i >= 0; i--) {
                da = (int)(digits[i] & 3) - 1;
                db = (int)(digits[i] >> 2) - 15;
                ge_double(&r, &r, da != 0 || db != 0);
                if (da != 0)
                        ge_add(&r, &r, &neg_a, da < 0);
                if (db != 0) {
                        const struct niels *q = &base_odd[(db < 0 ? -db : db) / 2];

                        ge_add(&r, &r, q, db < 0);
                }
        }

        fe_pow_2_250(r.T, r.Z, 11, 5); /* 1/Z = Z^(p - 2) */
        fe_mul(r.X, r.X, r.T);
        fe_mul(r.Y, r.Y, r.T);
        fe_tobytes(digits, r.Y);
        digits[31] |= (uint8_t)(fe_is_odd(r.X) << 7);
        return bytes_differ(digits, r_enc, 32) ? REMOTE_FW_ED25519_EMISMATCH : 0;
}

/* k = SHA-512(R || A || M) mod L. Not inlined (see double_scalarmult). */
static __attribute__((noinline)) void challenge(uint32_t k[8], const uint8_t *sig, const uint8_t *pk,
                                               const void *msg, size_t msg_len)
{
        struct remote_fw_sha512 ctx;
        uint8_t h[64];

        remote_fw_sha512_init(&ctx);
        remote_fw_sha512_update(&ctx, sig, 32);
        remote_fw_sha512_update(&ctx, pk, 32);
        remote_fw_sha512_update(&ctx, msg, msg_len);
        remote_fw_sha512_final(&ctx, h);
        reduce_mod_order(k, h);
}

static int s_is_canonical(const uint8_t s[32], uint32_t w[8])
{
        words_from_bytes(w, s);
        return !ge_order(w);
}

int remote_fw_ed25519_verify(const uint8_t sig[REMOTE_FW_ED25519_SIG_SIZE],
                             const uint8_t public_key[REMOTE_FW_ED25519_KEY_SIZE],
                             const void *msg, size_t msg_len)
{
        uint32_t s[8], k[8];

        if (!s_is_canonical(sig + 32, s))
                return REMOTE_FW_ED25519_ES;
        if (y_has_small_order(sig))
                return REMOTE_FW_ED25519_ESMALLR;
        if (!y_is_canonical(public_key))
                return REMOTE_FW_ED25519_EKEY;
        if (y_has_small_order(public_key))
                return REMOTE_FW_ED25519_ESMALLA;
        challenge(k, sig, public_key, msg, msg_len);
        return double_scalarmult(sig, public_key, k, s);
}
