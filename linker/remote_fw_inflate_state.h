/*
 * remote_fw_inflate_state.h - the inflate's state and table entries, shared by
 * its two units (private to linker/: remote_fw_inflate.c, the tables, the
 * careful loop, the block and gzip layers; remote_fw_inffast.c, the fast
 * loop, as zlib keeps inflate_fast in inffast.c).
 */
#ifndef REMOTE_FW_INFLATE_STATE_H
#define REMOTE_FW_INFLATE_STATE_H

#include <stddef.h>
#include <stdint.h>

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
#define E_PREFIX        1u      /* E_BAD's extra: a longer code's first bits (value, MSB first) */
#define ENTRY(kind, extra, value) ((uint32_t)(value) << 16 | (uint32_t)(kind) << 8 | (uint32_t)(extra) << 4)
#define E_LEN(e)        ((e) & 15u)
#define E_EXTRA(e)      (((e) >> 4) & 15u)
#define E_KIND(e)       (((e) >> 8) & 3u)
#define E_VALUE(e)      ((e) >> 16)

enum huff_kind { H_LITLEN, H_DIST, H_CODELEN };

/* A canonical code: codes per length and the symbols in code order. */
struct huff {
        uint16_t count[MAXBITS + 1];
        uint16_t symbol[NLITLEN];
        uint16_t root;                  /* the table's index bits */
        uint16_t first, index;          /* canonical decoding state after `root` bits */
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
#define INFL_MORE       3       /* the fast loop's end: the careful loop takes over */

/* remote_fw_inflate.c: decode a symbol whose code is longer than the table
 * index (entry e, E_PREFIX: its first bits), from the next bits b. */
uint32_t remote_fw_huff_slow(bitbuf_t b, const struct huff *h, enum huff_kind kind, uint32_t e);

/* remote_fw_inffast.c: the fast loop over one block's codes; INFL_OK at the
 * end of the block, INFL_BAD, or INFL_MORE near the ends of input or room. */
int remote_fw_inflate_fast(struct inflate *s);

#endif /* REMOTE_FW_INFLATE_STATE_H */
