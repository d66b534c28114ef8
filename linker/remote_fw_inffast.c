/*
 * remote_fw_inffast.c - rproc-bundle kit: the inflate's fast loop (zlib's
 * inflate_fast idea, written here), for remote_fw_inflate.c. See
 * remote_fw_inflate_state.h and docs/kit.md ("The building blocks").
 *
 * C99, freestanding: no libc. Input is read a byte or an aligned word at a
 * time, output written through volatile pointers, words only where aligned:
 * never an unaligned access (-mstrict-align, MMU off).
 */
#include "remote_fw_inflate_state.h"
#include "remote_fw_bytes.h"

/*
 * The fast loop (zlib's inflate_fast idea): while at least 16 input bytes and
 * 258 bytes of room are left, a symbol and its match need no bounds check but
 * the distance one, and the bit buffer is topped up 4 (or 2) bytes at a time.
 * Everything lives in locals: an output byte store (uint8_t, which aliases
 * anything) would otherwise force the state back to memory on every byte.
 * INFL_MORE: the careful loop takes over near the ends.
 */
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

#if UINTPTR_MAX > 0xffffffffu && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * 64-bit little-endian cores. `in` is kept 4-byte aligned (at entry, the
 * whole bytes buffered are given back and the input re-read from an aligned
 * address), so a top-up is one aligned 32-bit load whenever fewer than 32
 * bits are left: 32 or more are then there, enough for a literal/length code
 * (15) or two literals; a length's extra bits (5) and the distance (15 + 13)
 * get a top-up each. FAST_IN bytes of input ahead cover the three top-ups an
 * iteration may take, the room FAST_ROOM three literals, or two and a match
 * (up to 3 bytes past its end). A literal is followed by up to two more
 * without going back to the top, and a length met among them is decoded
 * there (15 bits or more are left). Unused table entries are E_BAD
 * with length 0, so a literal entry is always a whole code.
 */
typedef uint32_t __attribute__((may_alias)) in_word;
typedef uint16_t __attribute__((may_alias)) in_half;

#undef FAST_IN
#define FAST_IN         12u
#define FAST_ROOM       (FAST_OUT + 2u + 3u)
#define IS_LIT(e)       (((e) & (3u << 8)) == 0)
/* Kinds: E_LIT 0, E_BASE 1, E_END 2, E_BAD 3; past IS_LIT, or in the
 * distance table (E_BASE or E_BAD only), bit 9 alone tells E_BASE apart. */
#define IS_BASE(e)      (((e) & (2u << 8)) == 0)
/* The state's address, from the table's: `s` need not take a register
 * across the loop (the loop's locals fill the callee-saved ones). */
#if defined(__GNUC__)
#define LAUNDER(p)      __asm__("" : "+r"(p))
#else
#define LAUNDER(p)      ((void)0)
#endif
#define S               ((struct inflate *)(uintptr_t)((const char *)lt - offsetof(struct inflate, lt)))
#define FAST_TAKE(e) do {                                                       \
                bb >>= E_LEN(e);                                                \
                bc -= E_LEN(e);                                                 \
        } while (0)
/* A literal's entry is its length below bit 4 and zeros up to bit 16: the
 * whole entry is taken from bc (bits 16 up of bc are then left over, and
 * ignored: bc & 63 is the count, never above 63) and shifts bb. */
#define FAST_TAKE_LIT(e) do {                                                   \
                bb >>= (e) & 63u;                                               \
                bc -= (e);                                                      \
        } while (0)
/* Below 32 bits (bit 5 of the count clear), 32 more. */
#define FAST_TOPUP() do {                                                       \
                if ((bc & 32u) == 0) {                                          \
                        bb |= (uint64_t)*(const in_word *)in << (bc & 63u);     \
                        in += 4;                                                \
                        bc += 32;                                               \
                }                                                               \
        } while (0)

/* A match's four bytes a step as aligned T's (both ends T aligned), up to
 * three bytes past its end; T's size divides dist, so each T read was
 * written before. */
#define COPY_ALIGNED(T) do {                                                    \
                do {                                                            \
                        *(volatile T *)out = *(const T *)from;                  \
                        if (sizeof(T) == 2)                                     \
                                *(volatile T *)(out + 2) = *(const T *)(from + 2); \
                        out += 4;                                               \
                        from += 4;                                              \
                } while (out < end);                                            \
                out = end;                                                      \
        } while (0)

int remote_fw_inflate_fast(struct inflate *s)
{
        const uint8_t *in = s->in;
        volatile uint8_t *out = s->out;
        volatile uint8_t *end;
        size_t fuel = 0;
        volatile uint8_t *const out_start = s->out_start;
        const uint32_t *lt = s->lt;
        uint64_t bb = s->bb;
        unsigned bc = s->bc;
        int rc = INFL_MORE;
        uint32_t e, len;
        size_t dist;
        const uint32_t *dt;
        const uint8_t *from;

        if (s->pad != 0 || (size_t)(s->in_end - in) < FAST_IN + 16 ||
            (size_t)(s->out_end - out) < FAST_ROOM)
                return INFL_MORE;
        /* Give back the whole bytes buffered, then align `in` (at most 7 + 24 bits). */
        in -= bc >> 3;
        bc &= 7;
        bb &= ((uint64_t)1 << bc) - 1;
        while (((uintptr_t)in & 3) != 0) {
                bb |= (uint64_t)*in++ << bc;
                bc += 8;
        }
        LAUNDER(lt);
        dt = S->dt;
        for (;;) {
                if (fuel == 0) {
                        /* iterations left with FAST_IN bytes of input and
                         * FAST_ROOM of room at each one's start, counted down
                         * instead of two compares each */
                        size_t n_in = (size_t)(S->in_end - in) / FAST_IN;

                        fuel = (size_t)(S->out_end - out) / FAST_ROOM;
                        if (n_in < fuel)
                                fuel = n_in;
                        if (fuel == 0)
                                break;
                }
                fuel--;
                FAST_TOPUP();
                e = lt[bb & ((1u << LBITS) - 1)];
                if (IS_LIT(e)) {
                        /* up to three literals; a length after the first two
                         * is decoded from here (15 bits or more are left) */
                        FAST_TAKE_LIT(e);
                        *out++ = (uint8_t)E_VALUE(e);
                        e = lt[bb & ((1u << LBITS) - 1)];
                        if (!IS_LIT(e))
                                goto other;
                        FAST_TAKE_LIT(e);
                        *out++ = (uint8_t)E_VALUE(e);
                        if ((bc & 48u) == 0)    /* below 16 bits */
                                continue;
                        e = lt[bb & ((1u << LBITS) - 1)];
                        if (!IS_LIT(e))
                                goto other;
                        FAST_TAKE_LIT(e);
                        *out++ = (uint8_t)E_VALUE(e);
                        continue;
                }
other:
                if (!IS_BASE(e)) {
                        if (E_LEN(e) == 0) {            /* a long code, or none */
                                e = remote_fw_huff_slow(bb, &S->lh, H_LITLEN, e);
                                if (E_LEN(e) == 0) {
                                        rc = INFL_BAD;
                                        break;
                                }
                                if (IS_LIT(e)) {
                                        FAST_TAKE(e);
                                        *out++ = (uint8_t)E_VALUE(e);
                                        continue;
                                }
                        }
                        if (!IS_BASE(e)) {
                                FAST_TAKE(e);
                                rc = E_KIND(e) == E_END ? INFL_OK : INFL_BAD;
                                break;
                        }
                }
                /* a length: its code (15 bits at most), its extra bits (5 at
                 * most) after a top-up, then a top-up: 32 bits or more for the
                 * distance (28 at most) */
                FAST_TAKE(e);
                len = E_VALUE(e);
                if (E_EXTRA(e) != 0) {          /* else decoded with the code */
                        FAST_TOPUP();
                        len += (uint32_t)(bb & ((1u << E_EXTRA(e)) - 1));
                        bb >>= E_EXTRA(e);
                        bc -= E_EXTRA(e);
                }
                FAST_TOPUP();
                e = dt[bb & ((1u << DBITS) - 1)];
                if (!IS_BASE(e)) {
                        if (E_LEN(e) == 0)
                                e = remote_fw_huff_slow(bb, &S->dh, H_DIST, e);
                        if (!IS_BASE(e)) {
                                rc = INFL_BAD;
                                break;
                        }
                }
                FAST_TAKE(e);
                dist = E_VALUE(e) + (size_t)(bb & ~(~(uint64_t)0 << E_EXTRA(e)));
                bb >>= E_EXTRA(e);
                bc -= E_EXTRA(e);
                if (dist > (size_t)(out - out_start)) {
                        rc = INFL_BAD;
                        break;
                }
                from = (const uint8_t *)(uintptr_t)(out - dist);
                if (len >= 3 * sizeof(big_word) && (dist >= 2 * sizeof(big_word) || dist == 1)) {
                        len = copy_match(&out, &from, len, dist, out_start);
                        if (len == 0)
                                continue;
                }
                /* Four bytes a step, the last step past the match's end by up to
                 * three bytes, inside the room (the next symbols overwrite them):
                 * a word a step when both ends are word aligned (then dist is a
                 * multiple of 4, as AArch64 code's matches often are), two
                 * halfwords when both are halfword aligned (dist even, so >= 2),
                 * else byte by byte. */
                end = out + len;
                if ((((uintptr_t)out | (uintptr_t)from) & 3) == 0) {
                        COPY_ALIGNED(in_word);
                        continue;
                }
                if ((((uintptr_t)out | (uintptr_t)from) & 1) == 0) {
                        COPY_ALIGNED(in_half);
                        continue;
                }
                do {
                        out[0] = from[0];
                        out[1] = from[1];
                        out[2] = from[2];
                        out[3] = from[3];
                        out += 4;
                        from += 4;
                } while (out < end);
                out = end;
        }
        S->in = in;
        S->bb = bb;
        S->bc = bc & 63u;
        S->out = out;
        return rc;
}
#else
int remote_fw_inflate_fast(struct inflate *s)
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
                        e = remote_fw_huff_slow(bb, &s->lh, H_LITLEN, e);
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
                        e = remote_fw_huff_slow(bb, &s->dh, H_DIST, e);
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
#endif
