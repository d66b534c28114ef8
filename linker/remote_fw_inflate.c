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
#include "remote_fw_inflate_state.h"

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
 * which RFC 1951 streams use. Table entries of no code of at most root bits
 * are E_BAD with length 0: E_PREFIX and the first root bits of the longer
 * codes that start there (the slow decoder resumes from them), else none.
 */
static const uint8_t rev4[16] = {
        0x0, 0x8, 0x4, 0xc, 0x2, 0xa, 0x6, 0xe, 0x1, 0x9, 0x5, 0xd, 0x3, 0xb, 0x7, 0xf,
};

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
        if (left != 0)  /* else every entry is a code's or a longer code's prefix */
                for (k = 0; k < (1u << root); k++)
                        table[k] = ENTRY(E_BAD, 0, 0);      /* length 0: no code */
        h->root = (uint16_t)root;
        h->first = 0;
        h->index = 0;
        for (len = 1; len <= root && len <= MAXBITS; len++) {
                h->index = (uint16_t)(h->index + h->count[len]);
                h->first = (uint16_t)((h->first + h->count[len]) << 1);
        }
        code = 0;
        k = 0;
        for (len = 1; len <= max; len++, code <<= 1) {
                unsigned c;

                for (c = 0; c < h->count[len]; c++, code++, k++) {
                        /* the code's bits in stream order: reversed, a nibble at a time */
                        unsigned rev = ((unsigned)rev4[code & 15u] << 12 |
                                        (unsigned)rev4[(code >> 4) & 15u] << 8 |
                                        (unsigned)rev4[(code >> 8) & 15u] << 4 |
                                        rev4[(code >> 12) & 15u]) >> (16 - len), j;
                        uint32_t e;

                        if (len > root) {
                                /* decoded slowly, from the state after its first root bits */
                                table[rev & ((1u << root) - 1)] =
                                        ENTRY(E_BAD, E_PREFIX, code >> (len - root));
                                continue;
                        }
                        e = sym_entry(kind, h->symbol[k]) | len;
                        if (kind == H_LITLEN && E_KIND(e) == E_BASE && E_EXTRA(e) != 0 &&
                            len + E_EXTRA(e) <= root) {
                                /* a length and its extra bits in one entry, decoded */
                                unsigned x, n = E_EXTRA(e), step = 1u << (len + n);

                                for (x = 0; x < (1u << n); x++)
                                        for (j = rev | x << len; j < (1u << root); j += step)
                                                table[j] = ENTRY(E_BASE, 0, E_VALUE(e) + x) |
                                                           (len + n);
                                continue;
                        }
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

/* Decode a symbol whose code is longer than the table index, from the next
 * bits b (at least 15 of them valid) and its table entry e (E_PREFIX: the
 * code's first root bits; else no code starts with them): canonically, a
 * bit at a time from the state after root bits. Its length in the entry. */
uint32_t remote_fw_huff_slow(bitbuf_t b, const struct huff *h, enum huff_kind kind, uint32_t e)
{
        int code, first = h->first, index = h->index;
        unsigned len;

        if (E_EXTRA(e) != E_PREFIX)
                return ENTRY(E_BAD, 0, 0);
        code = (int)E_VALUE(e) << 1;
        b >>= h->root;
        for (len = h->root + 1u; len <= MAXBITS; len++) {
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
                e = remote_fw_huff_slow(s->bb, h, kind, e);
                if (E_LEN(e) == 0)
                        return e;
        }
        s->bb >>= E_LEN(e);
        s->bc -= E_LEN(e);
        return e;
}


static int inflate_codes(struct inflate *s)
{
        int rc = remote_fw_inflate_fast(s);
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
