/*
 * remote_fw_bounds.h - the kit's bounds arithmetic, one statement of each
 * rule (private to linker/: not part of the C API, included only by the kit's
 * own units).
 *
 * Every offset and size the kit takes from an image, a descriptor or a FIT is
 * checked with these before use. All of them work on uint64_t without
 * overflow, whatever the values: a field read from untrusted bytes can be
 * anything.
 */
#ifndef REMOTE_FW_BOUNDS_H
#define REMOTE_FW_BOUNDS_H

#include "remote_fw.h"

/* True when [off, off + len) lies inside [0, limit), without overflow. */
static inline int within(uint64_t limit, uint64_t off, uint64_t len)
{
        return off <= limit && len <= limit - off;
}

/* True when [a, a + alen) and [b, b + blen) share a byte (non-empty ranges). */
static inline int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
        return a < b ? b - a < alen : a - b < blen;
}

/* True when [addr, addr + len) lies wholly inside one allowed region. */
static inline int in_region(const struct remote_fw_region *allowed, size_t n_allowed,
                            uint64_t addr, uint64_t len)
{
        size_t i;

        for (i = 0; i < n_allowed; i++) {
                uint64_t start = allowed[i].start, rsize = allowed[i].size;

                if (addr >= start && within(rsize, addr - start, len))
                        return 1;
        }
        return 0;
}

/* True when a + b does not wrap 64 bits (then *sum = a + b). */
static inline int add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
        if (b > UINT64_MAX - a)
                return 0;
        *sum = a + b;
        return 1;
}

/* True when v survives the round trip through uintptr_t / size_t (32-bit hosts). */
static inline int fits_uintptr(uint64_t v)
{
        return v == (uint64_t)(uintptr_t)v;
}

static inline int fits_size(uint64_t v)
{
        return v == (uint64_t)(size_t)v;
}

/* An image view the kit can read: non-NULL, with a non-NULL base. */
static inline int image_ok(const struct remote_fw_image *img)
{
        return img != NULL && img->base != NULL;
}

/* remote_fw.c: the flags of the descriptor named name (remote_fw_auth.c reads
 * REMOTE_FW_F_SIGNED there) and whether the linker filled its start and end
 * (pre-link flow); ENOENT or EDESC as remote_fw_find. */
int remote_fw_desc_flags(const char *name, uint32_t *flags, int *linked);

#endif /* REMOTE_FW_BOUNDS_H */
