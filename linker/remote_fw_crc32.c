/*
 * remote_fw_crc32.c - rproc-bundle kit: CRC-32 (reflected 0xEDB88320, init
 * and final xor 0xffffffff, as zlib's crc32()). See remote_fw_crc32.h and
 * docs/kit.md ("remote_fw_verify and remote_fw_crc32").
 *
 * C99, freestanding: no libc. Aligned word loads only.
 */
#include "remote_fw_crc32.h"

/*
 * Reflected IEEE polynomial 0xEDB88320, as zlib's crc32(). Three builds:
 *
 * Default: a 32-bit word a step, x = crc ^ word, crc = crc32_lo[x bits 0-10]
 * ^ crc32_mid[x bits 11-21] ^ crc32_hi[x bits 22-31] (remote_fw_crc32_tables.h,
 * 20 KiB of const data, scripts/crc32_tables.py prints it): three loads a
 * word, where slice-by-8 takes eight per two words (about 2.6 instructions a
 * byte on a Cortex-M3 at -O2, against 3.4 at best for slice-by-8 and 4.5 for
 * slice-by-4). Aligned 32-bit loads only (bytes up to the first aligned
 * address, and on big-endian cores the word is assembled from bytes); a
 * byte alone is crc = (crc >> 8) ^ crc32_hi[(crc ^ byte) & 0xff << 2].
 * -DREMOTE_FW_CRC32_SMALL: one nibble at a time from a 16-entry table
 * (64 bytes) for tiny flash, about four times slower.
 * AArch64 cores with the CRC32 instructions (__ARM_FEATURE_CRC32, as with
 * -mcpu=cortex-a53) use them instead of the tables, unless SMALL is asked for
 * or -DREMOTE_FW_CRC32_PORTABLE: the tables then, for a core that is emulated
 * (QEMU's TCG makes each CRC32X a call into zlib's crc32() for its 8 bytes,
 * about 40 % slower than the table code there; on silicon CRC32X is 5 times
 * fewer instructions than the tables).
 */
#ifdef REMOTE_FW_CRC32_SMALL
static const uint32_t crc32_nibble[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
        0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
        0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t remote_fw_crc32(const void *data, size_t n)
{
        const uint8_t *p = data;
        uint32_t crc = 0xffffffffu;

        if (p == NULL)
                n = 0;
        while (n--) {
                crc ^= *p++;
                crc = (crc >> 4) ^ crc32_nibble[crc & 0xf];
                crc = (crc >> 4) ^ crc32_nibble[crc & 0xf];
        }
        return crc ^ 0xffffffffu;
}
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32) && !defined(REMOTE_FW_CRC32_PORTABLE) && \
        defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The ARMv8 CRC32 instructions (e.g. -mcpu=cortex-a53): eight bytes per CRC32X. */
#include <arm_acle.h>

typedef uint64_t __attribute__((may_alias)) crc_dword;

uint32_t remote_fw_crc32(const void *data, size_t n)
{
        const uint8_t *p = data;
        uint32_t crc = 0xffffffffu;

        if (p == NULL)
                n = 0;
        for (; n && ((uintptr_t)p & 7) != 0; n--)
                crc = __crc32b(crc, *p++);
        for (; n >= 8; n -= 8, p += 8)
                crc = __crc32d(crc, *(const crc_dword *)p);
        while (n--)
                crc = __crc32b(crc, *p++);
        return crc ^ 0xffffffffu;
}
#else
#include "remote_fw_crc32_tables.h"

typedef uint32_t __attribute__((may_alias)) crc_word;

/* The next 4 message bytes as a little-endian word, from an aligned address. */
static uint32_t crc_load(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return *(const crc_word *)p;
#else
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

#define CRC32_WORD(crc, w) do {                                                 \
                uint32_t x_ = (crc) ^ (w);                                      \
                (crc) = crc32_lo[x_ & 0x7ffu] ^ crc32_mid[(x_ >> 11) & 0x7ffu] ^ \
                        crc32_hi[x_ >> 22];                                     \
        } while (0)
#define CRC32_BYTE(crc, b) (((crc) >> 8) ^ crc32_hi[(((crc) ^ (b)) << 2) & 0x3fcu])

uint32_t remote_fw_crc32(const void *data, size_t n)
{
        const uint8_t *p = data;
        uint32_t crc = 0xffffffffu;

        if (p == NULL)
                n = 0;
        for (; n && ((uintptr_t)p & 3) != 0; n--)
                crc = CRC32_BYTE(crc, *p++);
        for (; n >= 16; n -= 16, p += 16) {
                CRC32_WORD(crc, crc_load(p));
                CRC32_WORD(crc, crc_load(p + 4));
                CRC32_WORD(crc, crc_load(p + 8));
                CRC32_WORD(crc, crc_load(p + 12));
        }
        for (; n >= 4; n -= 4, p += 4)
                CRC32_WORD(crc, crc_load(p));
        while (n--)
                crc = CRC32_BYTE(crc, *p++);
        return crc ^ 0xffffffffu;
}
#endif
