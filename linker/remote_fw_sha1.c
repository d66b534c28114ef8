/*
 * remote_fw_sha1.c - rproc-bundle kit: SHA-1 (FIPS 180-4), for FITs hashed
 * the older way. See remote_fw_sha1.h.
 *
 * C99, freestanding: no libc. The message is read byte by byte (any alignment).
 */
#include "remote_fw_sha1.h"
#include "remote_fw_bytes.h"

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

void remote_fw_sha1(const void *data, size_t n, uint8_t digest[20])
{
        const uint8_t *p = data;
        uint32_t st[5];
        uint8_t tail[128];
        uint64_t bits = (uint64_t)n << 3;
        size_t full = n >> 6, rest = n & 63, i, tail_len;

        if (p == NULL)
                full = rest = 0, bits = 0;
        /* one by one: an initialised local array becomes a memcpy call */
        st[0] = 0x67452301u;
        st[1] = 0xefcdab89u;
        st[2] = 0x98badcfeu;
        st[3] = 0x10325476u;
        st[4] = 0xc3d2e1f0u;
        sha1_blocks(st, p, full);
        tail_len = md_tail(tail, p, 64 * full, rest, bits);
        sha1_blocks(st, tail, tail_len >> 6);
        for (i = 0; i < 20; i++)
                digest[i] = (uint8_t)(st[i >> 2] >> (24 - 8 * (i & 3)));
}
