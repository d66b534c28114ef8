/*
 * remote_fw_sha512.c - SHA-512 as FIPS 180-4 defines it (sections 4.1.3,
 * 4.2.3, 5.1.2, 6.4). See remote_fw_sha512.h.
 *
 * The round constants are the first 64 bits of the fractional parts of the
 * cube roots of the first 80 primes, the initial value those of the square
 * roots of the first 8 (FIPS 180-4 4.2.3, 5.3.5); tests/kit/test_sha512.py
 * recomputes both from that definition and compares them with the tables below.
 * Message bytes are read one at a time, big-endian, so the input may have any
 * alignment and the host any byte order.
 */
#include "remote_fw_sha512.h"

static const uint64_t sha512_k[80] = {
        0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
        0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
        0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
        0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
        0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
        0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
        0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
        0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
        0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
        0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
        0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
        0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
        0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
        0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
        0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
        0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
        0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
        0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
        0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
        0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
        0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
        0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
        0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
        0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
        0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
        0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
        0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};


static const uint64_t sha512_h0[8] = {
        0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL,
        0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
        0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
        0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};


static uint64_t ror64(uint64_t x, unsigned n)
{
        return (x >> n) | (x << (64 - n));
}

static uint64_t load_be64(const uint8_t *p)
{
        uint64_t v = 0;
        unsigned i;

        for (i = 0; i < 8; i++)
                v = (v << 8) | p[i];
        return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
        unsigned i;

        for (i = 8; i-- > 0; v >>= 8)
                p[i] = (uint8_t)v;
}

/*
 * One 128-byte block. The message schedule is kept as a ring of 16 words
 * (W[t] for t >= 16 overwrites W[t - 16]), 128 bytes of stack instead of 640.
 */
static void sha512_block(uint64_t h[8], const uint8_t *block)
{
        uint64_t w[16], v[8], t1, t2, s0, s1;
        unsigned t;
#ifdef __OPTIMIZE_SIZE__
        unsigned j;
#endif

        for (t = 0; t < 16; t++)
                w[t] = load_be64(block + 8 * t);
        for (t = 0; t < 8; t++)
                v[t] = h[t];
        for (t = 0; t < 80; t++) {
                if (t >= 16) {
                        uint64_t w15 = w[(t + 1) & 15], w2 = w[(t + 14) & 15];

                        s0 = ror64(w15, 1) ^ ror64(w15, 8) ^ (w15 >> 7);
                        s1 = ror64(w2, 19) ^ ror64(w2, 61) ^ (w2 >> 6);
                        w[t & 15] += s0 + s1 + w[(t + 9) & 15];
                }
                /* v[0..7] = a, b, c, d, e, f, g, h */
                t1 = v[7] + (ror64(v[4], 14) ^ ror64(v[4], 18) ^ ror64(v[4], 41))
                     + ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha512_k[t] + w[t & 15];
                t2 = (ror64(v[0], 28) ^ ror64(v[0], 34) ^ ror64(v[0], 39))
                     + ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
#ifdef __OPTIMIZE_SIZE__
                /* -Os: the same shift as a loop, 172 bytes less Thumb-2
                 * (about 10 % more instructions, so not at -O2) */
                for (j = 7; j > 0; j--)
                        v[j] = v[j - 1];
                v[4] += t1;
#else
                v[7] = v[6];
                v[6] = v[5];
                v[5] = v[4];
                v[4] = v[3] + t1;
                v[3] = v[2];
                v[2] = v[1];
                v[1] = v[0];
#endif
                v[0] = t1 + t2;
        }
        for (t = 0; t < 8; t++)
                h[t] += v[t];
}

void remote_fw_sha512_init(struct remote_fw_sha512 *c)
{
        unsigned i;

        for (i = 0; i < 8; i++)
                c->h[i] = sha512_h0[i];
        c->count = 0;
}

void remote_fw_sha512_update(struct remote_fw_sha512 *c, const void *data, size_t n)
{
        const uint8_t *p = (const uint8_t *)data;
        unsigned used = (unsigned)(c->count & 127);

        c->count += n;
        while (n > 0) {
                if (used == 0 && n >= 128) {
                        sha512_block(c->h, p);
                        p += 128;
                        n -= 128;
                        continue;
                }
                c->block[used++] = *p++;
                n--;
                if (used == 128) {
                        sha512_block(c->h, c->block);
                        used = 0;
                }
        }
}

void remote_fw_sha512_final(struct remote_fw_sha512 *c, uint8_t digest[REMOTE_FW_SHA512_SIZE])
{
        unsigned used = (unsigned)(c->count & 127), i;

        /* 0x80, zeros, then the 128-bit big-endian bit length (the high 64 bits
         * hold count >> 61: a size_t count never reaches 2^64 bytes). */
        c->block[used++] = 0x80;
        if (used > 112) {
                while (used < 128)
                        c->block[used++] = 0;
                sha512_block(c->h, c->block);
                used = 0;
        }
        while (used < 112)
                c->block[used++] = 0;
        store_be64(c->block + 112, c->count >> 61);
        store_be64(c->block + 120, c->count << 3);
        sha512_block(c->h, c->block);
        for (i = 0; i < 8; i++)
                store_be64(digest + 8 * i, c->h[i]);
}

void remote_fw_sha512(const void *data, size_t n, uint8_t digest[REMOTE_FW_SHA512_SIZE])
{
        struct remote_fw_sha512 c;

        remote_fw_sha512_init(&c);
        remote_fw_sha512_update(&c, data, n);
        remote_fw_sha512_final(&c, digest);
}
