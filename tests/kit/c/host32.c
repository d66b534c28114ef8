/*
 * host32.c - runs the kit on a 32-bit host (i386 Linux, freestanding: no libc,
 * -nostdlib, raw syscalls), where uintptr_t and size_t are 32 bits wide, so
 * that the "does it fit" paths are really taken. test_kit_host32.py writes
 * cases32.h (images and descriptor cases), builds, runs and reads the output:
 * one line per case, "<name> <code> <value hex>".
 */
#include "remote_fw.h"
#include "cases32.h"

/* The allowed regions: one fixed 4 KiB block (--section-start=.region=...)
 * and the top of the 32-bit address space, whose end wraps to 0. */
static uint8_t region[REGION_SIZE] __attribute__((section(".region"), used, aligned(16)));

/* Writable descriptors, defined in desc32.c (they must not share a
 * translation unit with const ones in the same section). */
extern struct remote_fw_desc d32_a, d32_b;
extern const uint8_t payload32[PAYLOAD_SIZE];

static long sys3(long n, long a, long b, long c)
{
        long r;

        __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
        return r;
}

static void put(const char *s)
{
        unsigned long n = 0;

        while (s[n])
                n++;
        sys3(4, 1, (long)s, (long)n);
}

static void put_line(const char *name, int code, uint32_t value)
{
        char buf[32];
        int i = 0, shift;

        put(name);
        buf[i++] = ' ';
        if (code < 0) {
                buf[i++] = '-';
                code = -code;
        }
        if (code >= 10)
                buf[i++] = (char)('0' + code / 10);
        buf[i++] = (char)('0' + code % 10);
        buf[i++] = ' ';
        for (shift = 28; shift >= 0; shift -= 4)
                buf[i++] = "0123456789abcdef"[(value >> shift) & 0xf];
        buf[i++] = '\n';
        buf[i] = 0;
        put(buf);
}

static void set_desc(struct remote_fw_desc *d, uint64_t base, uint64_t size, uint64_t link_addr)
{
        d->flags = REMOTE_FW_F_BUNDLED | REMOTE_FW_F_CRC32;
        d->crc32 = PAYLOAD_CRC32;
        d->base = base;
        d->size = size;
        d->link_addr = link_addr;
}

void _start(void)
{
        struct remote_fw_region allowed[2] = {
                { (uintptr_t)region, REGION_SIZE },
                { 0xf0000000u, 0x10000000u },
        };
        struct remote_fw_image img;
        unsigned i, k;
        int err;

        for (i = 0; i < N_LOAD_CASES; i++) {
                uintptr_t entry = 0;
                uint32_t crc;

                for (k = 0; k < REGION_SIZE; k++)
                        ((volatile uint8_t *)region)[k] = 0xaa;
                img.base = load_cases[i].image;
                img.size = load_cases[i].size;
                img.name = "case";
                err = remote_fw_load(&img, allowed, 2, &entry);
                crc = remote_fw_crc32(region, REGION_SIZE);
                put_line(load_cases[i].name, err, err ? crc : (uint32_t)entry);
                if (!err)
                        put_line(load_cases[i].name, 0, crc);
        }

        /* Descriptors: fields that do not fit a 32-bit host are refused. */
        set_desc(&d32_a, (uintptr_t)payload32, PAYLOAD_SIZE, (uintptr_t)&d32_a);
        err = remote_fw_find("d32_a", &img);
        put_line("find_ok", err, (uint32_t)((uintptr_t)img.base - (uintptr_t)payload32));
        err = remote_fw_verify(&img);
        put_line("verify_ok", err, (uint32_t)img.size);
        set_desc(&d32_a, (uintptr_t)payload32 - 0x1000u, PAYLOAD_SIZE, (uintptr_t)&d32_a - 0x1000u);
        err = remote_fw_find("d32_a", &img);
        put_line("find_bias", err, (uint32_t)((uintptr_t)img.base - (uintptr_t)payload32));
        set_desc(&d32_a, 0x100000000ull, PAYLOAD_SIZE, (uintptr_t)&d32_a);
        put_line("base_over_4g", remote_fw_find("d32_a", &img), 0);
        set_desc(&d32_a, (uintptr_t)payload32, 0x100000000ull, (uintptr_t)&d32_a);
        put_line("size_over_4g", remote_fw_find("d32_a", &img), 0);
        set_desc(&d32_a, (uintptr_t)payload32, PAYLOAD_SIZE, 0x100000000ull | (uintptr_t)&d32_a);
        put_line("link_over_4g", remote_fw_find("d32_a", &img), 0);
        set_desc(&d32_a, 0xffffff00u, 0x200u, (uintptr_t)&d32_a);
        put_line("wraps_4g", remote_fw_find("d32_a", &img), 0);
        set_desc(&d32_a, 0xffffff00u, 0x100u, (uintptr_t)&d32_a);
        err = remote_fw_find("d32_a", &img);
        put_line("ends_at_4g", err, (uint32_t)img.size);
        put_line("b_unbundled", remote_fw_find("d32_b", &img), 0);
        put_line("desc_size", (int)sizeof(struct remote_fw_desc), 0);

        sys3(1, 0, 0, 0);
        for (;;)
                ;
}
