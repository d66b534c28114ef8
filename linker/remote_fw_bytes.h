/*
 * remote_fw_bytes.h - byte-order loads and stores, bounded string compares and
 * the aligned copy to target memory, shared by the kit's units (private to
 * linker/: not part of the C API).
 *
 * Every multi-byte value is assembled from byte loads, and copy_out moves
 * words only where source and destination share their alignment, so nothing
 * here makes an unaligned word access (-mstrict-align, MMU off).
 */
#ifndef REMOTE_FW_BYTES_H
#define REMOTE_FW_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t le32(const uint8_t *p)
{
        return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t le64(const uint8_t *p)
{
        return (uint64_t)le32(p + 4) << 32 | le32(p);
}

static inline void put_be32(volatile uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

/* The NUL-terminated string s equals the n bytes at p followed by a NUL. */
static inline int str_is(const uint8_t *p, uint32_t n, const char *s)
{
        uint32_t i;

        for (i = 0; i < n; i++)
                if (s[i] == 0 || (uint8_t)s[i] != p[i])
                        return 0;
        return s[n] == 0;
}

/* Length of the NUL-terminated string at p[0 .. n), or n when unterminated. */
static inline uint32_t strnlen_(const uint8_t *p, uint32_t n)
{
        uint32_t i = 0;

        while (i < n && p[i])
                i++;
        return i;
}

typedef uintptr_t __attribute__((may_alias)) big_word;
typedef uint32_t __attribute__((may_alias)) small_word;

/*
 * Copy n bytes to target memory. Pointer-sized words where source and
 * destination share their alignment, else 32-bit words where they share
 * that, else bytes; never an unaligned word access.
 */
static inline void copy_out(volatile uint8_t *dst, const uint8_t *src, size_t n)
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

/*
 * The padded end of a SHA-1 or SHA-256 message (Merkle-Damgard, 64-byte
 * blocks): its last `rest` bytes (p[off ..], read only when rest > 0, so p
 * may be NULL for an empty message), 0x80, zeros, then the length in bits
 * as a big-endian 64-bit word. Returns the tail's length: 64 or 128 bytes.
 */
static inline size_t md_tail(uint8_t tail[128], const uint8_t *p, size_t off, size_t rest, uint64_t bits)
{
        size_t i, tail_len = rest < 56 ? 64 : 128;

        for (i = 0; i < rest; i++)
                tail[i] = p[off + i];
        tail[rest] = 0x80;
        for (i = rest + 1; i < tail_len - 8; i++)
                tail[i] = 0;
        for (i = 0; i < 8; i++)
                tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
        return tail_len;
}

#endif /* REMOTE_FW_BYTES_H */
