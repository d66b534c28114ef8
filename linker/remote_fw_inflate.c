/*
 * remote_fw_inflate.c - rproc-bundle kit: inflate (RFC 1951) and gunzip (RFC
 * 1952). See remote_fw_inflate.h and docs/kit.md ("The building blocks").
 *
 * C99, freestanding: no libc, no heap (the state, tables included, is on the
 * caller's stack). Input is read a byte (or an aligned word) at a time and
 * word copies happen only where both pointers are aligned, so the code never
 * makes an unaligned word access (-mstrict-align, MMU off). Output is written
 * through volatile pointers and never past out_cap.
 */
#include "remote_fw.h"
#include "remote_fw_inflate.h"
#include "remote_fw_bytes.h"

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

int remote_fw_gzip_header(const uint8_t *p, size_t n, size_t *hdr)
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
int remote_fw_gunzip_to(const uint8_t *gz, size_t n, volatile uint8_t *out, size_t cap,
                        size_t *out_len)
{
        struct inflate s;
        size_t hdr, used = 0, produced = 0;
        const uint8_t *trailer;

        if (remote_fw_gzip_header(gz, n, &hdr))
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
        err = remote_fw_gunzip_to(gz, gz_size, out, out_cap, &produced);
        if (err)
                return err;
        *out_len = produced;
        return 0;
}

int remote_fw_gunzip_head(const uint8_t *gz, size_t n, uint8_t *buf, size_t want,
                          size_t *produced)
{
        struct inflate s;
        size_t hdr, used = 0;

        *produced = 0;
        if (remote_fw_gzip_header(gz, n, &hdr))
                return REMOTE_FW_EINFLATE;
        if (inflate_run(&s, gz + hdr, n - 8 - hdr, buf, want, &used, produced) == INFL_BAD)
                return REMOTE_FW_EINFLATE;
        return 0;
}
