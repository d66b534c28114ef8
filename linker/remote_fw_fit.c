/*
 * remote_fw_fit.c - rproc-bundle kit: boot Linux on a remote core from a Flat
 * Image Tree. See remote_fw_fit.h and docs/kit.md ("Remote Linux from a FIT").
 *
 * Owns the FIT rules: the configuration, its images, their hashes, types,
 * arch, os and compression, the arm64 Image header, the placement of every
 * piece, and the order of the writes. The pieces it uses are units of their
 * own: the device tree (remote_fw_fdt.c), the hashes (remote_fw_crc32.c,
 * remote_fw_sha256.c, remote_fw_sha1.c), inflate and gunzip
 * (remote_fw_inflate.c); entering the kernel is remote_fw_boot.c.
 *
 * C99, freestanding: no libc, no heap, no 64-bit division, no unaligned word
 * access (remote_fw_bytes.h); target memory is written through volatile
 * pointers.
 */
#include "remote_fw_fit.h"
#include "remote_fw_bounds.h"
#include "remote_fw_bytes.h"
#include "remote_fw_crc32.h"
#include "remote_fw_fdt.h"
#include "remote_fw_inflate.h"
#include "remote_fw_sha1.h"
#include "remote_fw_sha256.h"
#include "remote_fw_fit_sig.h"

#ifndef REMOTE_FW_FIT_ARCH
#if defined(__aarch64__)
#define REMOTE_FW_FIT_ARCH "arm64"
#elif defined(__arm__)
#define REMOTE_FW_FIT_ARCH "arm"
#elif defined(__riscv)
#define REMOTE_FW_FIT_ARCH "riscv"
#elif defined(__x86_64__)
#define REMOTE_FW_FIT_ARCH "x86_64"
#elif defined(__i386__)
#define REMOTE_FW_FIT_ARCH "x86"
#else
#error "define REMOTE_FW_FIT_ARCH to the U-Boot name of this core's architecture"
#endif
#endif

/* Most loadables (plus `firmware`) a configuration may name. */
#ifndef REMOTE_FW_FIT_MAX_LOADABLES
#define REMOTE_FW_FIT_MAX_LOADABLES 8
#endif

/* ---- the FIT ------------------------------------------------------------------- */

enum piece_kind { P_KERNEL, P_FDT, P_RAMDISK, P_LOADABLE };

struct piece {
        const uint8_t *data;    /* stored bytes, inside the FIT buffer */
        size_t size;            /* stored size */
        uint64_t load;          /* where it goes */
        uint64_t placed;        /* bytes written at load */
        uint64_t reserve;       /* bytes from load no other piece may take (>= placed) */
        uint64_t entry;         /* kernel only */
        int gzip;
};

struct fit {
        struct fdt f;
        const uint8_t *base;
        size_t size;            /* the whole buffer, external data included */
        uint32_t images;
};

#define ARM64_HDR_SIZE          64u
#define ARM64_TEXT_OFFSET       8u
#define ARM64_IMAGE_SIZE        16u
#define ARM64_MAGIC_OFF         56u
#define ARM64_MAGIC             0x644d5241u     /* "ARM\x64" */
#define ARM64_ALIGN             0x200000u       /* 2 MiB */
#define ARM64_OLD_TEXT_OFFSET   0x80000u        /* image_size 0: before Linux 3.17 */

static int is_kit_arch(const uint8_t *p, uint32_t n)
{
        return str_is(p, n, REMOTE_FW_FIT_ARCH);
}

/* The kit is built for arm64: the kernel is an arm64 Image with its header. */
static int kit_is_arm64(void)
{
        static const char arch[] = REMOTE_FW_FIT_ARCH, arm64[] = "arm64";
        unsigned i;

        for (i = 0; i < sizeof(arm64); i++)
                if (i >= sizeof(arch) || arch[i] != arm64[i])
                        return 0;
        return 1;
}

/* Every hash-* subnode of the image node: algo known, value matches. */
static int check_hashes(const struct fit *fit, uint32_t node, const struct piece *pc)
{
        const struct fdt *f = &fit->f;
        uint32_t it = 0, child, nlen, alen, vlen, hashes = 0;

        while (remote_fw_fdt_next_child(f, node, &it, &child)) {
                const uint8_t *name = remote_fw_fdt_node_name(f, child, &nlen), *algo, *value;

                if (nlen < 4 || name[0] != 'h' || name[1] != 'a' || name[2] != 's' ||
                    name[3] != 'h')
                        continue;
                if (!remote_fw_fdt_prop_str(f, child, "algo", &algo, &alen) ||
                    !remote_fw_fdt_prop(f, child, "value", &value, &vlen, NULL))
                        return REMOTE_FW_EALGO;
                if (str_is(algo, alen, "crc32")) {
                        if (vlen != 4)
                                return REMOTE_FW_EALGO;
                        if (remote_fw_crc32(pc->data, pc->size) != be32(value))
                                return REMOTE_FW_EHASH;
                } else if (str_is(algo, alen, "sha256") || str_is(algo, alen, "sha1")) {
                        uint8_t d[32];
                        unsigned i, diff = 0, dlen = algo[3] == '2' ? 32 : 20;

                        if (vlen != dlen)
                                return REMOTE_FW_EALGO;
                        if (dlen == 32)
                                remote_fw_sha256(pc->data, pc->size, d);
                        else
                                remote_fw_sha1(pc->data, pc->size, d);
                        for (i = 0; i < dlen; i++)
                                diff |= (unsigned)(d[i] ^ value[i]);
                        if (diff)
                                return REMOTE_FW_EHASH;
                } else {
                        return REMOTE_FW_EALGO;
                }
                hashes++;
        }
        return hashes ? 0 : REMOTE_FW_ENOHASH;
}

/* The image's stored bytes: embedded `data`, or external (mkimage -E). */
static int image_data(const struct fit *fit, uint32_t node, struct piece *pc)
{
        const struct fdt *f = &fit->f;
        const uint8_t *val;
        uint32_t len;
        uint64_t size, pos;
        int r;

        if (remote_fw_fdt_prop(f, node, "data", &val, &len, NULL)) {
                pc->data = val;
                pc->size = len;
                return 0;
        }
        if (remote_fw_fdt_prop_addr(f, node, "data-size", &size) != 1 || size > UINT32_MAX)
                return REMOTE_FW_EFIT;
        r = remote_fw_fdt_prop_addr(f, node, "data-position", &pos);
        if (r == 0) {
                r = remote_fw_fdt_prop_addr(f, node, "data-offset", &pos);
                if (r == 1)
                        pos += align4(f->totalsize);    /* after the tree, 4-aligned */
        }
        if (r != 1 || pos > UINT32_MAX + (uint64_t)UINT32_MAX)
                return REMOTE_FW_EFIT;
        if (!within(fit->size, pos, size))
                return REMOTE_FW_EBOUNDS;
        pc->data = fit->base + (size_t)pos;
        pc->size = (size_t)size;
        return 0;
}

/* The first `want` bytes of a gzip-compressed kernel, without writing anywhere. */
static int gzip_peek(const struct piece *pc, uint8_t *buf, size_t want)
{
        size_t produced;
        int err = remote_fw_gunzip_head(pc->data, pc->size, buf, want, &produced);

        if (err)
                return err;
        return produced == want ? 0 : REMOTE_FW_EKERNEL;
}

/* Check the arm64 Image header (booting.rst) and reserve image_size. */
static int check_arm64_image(struct piece *k)
{
        uint8_t hdr[ARM64_HDR_SIZE];
        uint64_t text_offset, image_size;
        unsigned i;
        int err;

        if (k->placed < ARM64_HDR_SIZE)
                return REMOTE_FW_EKERNEL;
        if (k->gzip) {
                err = gzip_peek(k, hdr, ARM64_HDR_SIZE);
                if (err)
                        return err;
        } else {
                for (i = 0; i < ARM64_HDR_SIZE; i++)
                        hdr[i] = k->data[i];
        }
        if (le32(hdr + ARM64_MAGIC_OFF) != ARM64_MAGIC)
                return REMOTE_FW_EKERNEL;
        text_offset = le64(hdr + ARM64_TEXT_OFFSET);
        image_size = le64(hdr + ARM64_IMAGE_SIZE);
        if (image_size == 0)
                text_offset = ARM64_OLD_TEXT_OFFSET;
        if (k->load < text_offset || ((k->load - text_offset) & (ARM64_ALIGN - 1)))
                return REMOTE_FW_EKERNEL;
        if (image_size > k->reserve)
                k->reserve = image_size;
        return 0;
}

/*
 * Check the image `name[0 .. len)` of /images as a piece of this kind and
 * fill *pc: data, hashes, type, arch, os, compression, load, placed size.
 */
static int check_image(const struct fit *fit, const uint8_t *name, uint32_t len,
                       enum piece_kind kind, struct piece *pc)
{
        const struct fdt *f = &fit->f;
        const uint8_t *val;
        uint32_t node, vlen;
        int err, r;

        if (!remote_fw_fdt_subnode(f, fit->images, name, len, &node))
                return REMOTE_FW_ENOIMAGE;

        /* type, os, arch, compression */
        if (!remote_fw_fdt_prop_str(f, node, "type", &val, &vlen))
                return REMOTE_FW_ETYPE;
        if ((kind == P_KERNEL && !str_is(val, vlen, "kernel")) ||
            (kind == P_FDT && !str_is(val, vlen, "flat_dt")) ||
            (kind == P_RAMDISK && !str_is(val, vlen, "ramdisk")))
                return REMOTE_FW_ETYPE;
        if (kind == P_KERNEL &&
            (!remote_fw_fdt_prop_str(f, node, "os", &val, &vlen) || !str_is(val, vlen, "linux")))
                return REMOTE_FW_ETYPE;
        if (kind != P_FDT && remote_fw_fdt_prop(f, node, "arch", &val, &vlen, NULL)) {
                if (!remote_fw_fdt_prop_str(f, node, "arch", &val, &vlen) || !is_kit_arch(val, vlen))
                        return REMOTE_FW_EARCH;
        } else if (kind == P_KERNEL) {
                return REMOTE_FW_EARCH;
        }
        pc->gzip = 0;
        if (remote_fw_fdt_prop(f, node, "compression", &val, &vlen, NULL)) {
                if (!remote_fw_fdt_prop_str(f, node, "compression", &val, &vlen))
                        return REMOTE_FW_ECOMP;
                if (str_is(val, vlen, "gzip"))
                        pc->gzip = 1;
                else if (!str_is(val, vlen, "none"))
                        return REMOTE_FW_ECOMP;
        }

        /* data and its hashes */
        err = image_data(fit, node, pc);
        if (err)
                return err;
        err = check_hashes(fit, node, pc);
        if (err)
                return err;

        /* where it goes and how much it takes */
        r = remote_fw_fdt_prop_addr(f, node, "load", &pc->load);
        if (r != 1)
                return REMOTE_FW_EFIT;
        if (pc->gzip) {
                size_t hdr;

                if (remote_fw_gzip_header(pc->data, pc->size, &hdr))
                        return REMOTE_FW_EINFLATE;
                pc->placed = le32(pc->data + pc->size - 4);
        } else {
                pc->placed = pc->size;
        }
        if (pc->placed == 0)
                return REMOTE_FW_EFIT;
        pc->reserve = pc->placed;
        if (kind == P_KERNEL) {
                r = remote_fw_fdt_prop_addr(f, node, "entry", &pc->entry);
                if (r < 0)
                        return REMOTE_FW_EFIT;
                if (r == 0)
                        pc->entry = pc->load;
                if (kit_is_arm64()) {
                        err = check_arm64_image(pc);
                        if (err)
                                return err;
                }
                if (pc->entry < pc->load || pc->entry - pc->load >= pc->placed)
                        return REMOTE_FW_EENTRY;
        }
        if (kind == P_FDT && !pc->gzip) {
                struct fdt dt;

                if (remote_fw_fdt_open(&dt, pc->data, pc->size))
                        return REMOTE_FW_EFDT;
        }
        return 0;
}

/* Copy or decompress one piece to its load address. */
static int place(const struct piece *pc)
{
        volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)pc->load;
        size_t produced;

        if (!pc->gzip) {
                copy_out(dst, pc->data, pc->size);
                return 0;
        }
        return remote_fw_gunzip_to(pc->data, pc->size, dst, (size_t)pc->placed, &produced);
}

/* ---- remote_fw_fit_load ---------------------------------------------------------- */

#define MAX_PIECES (3 + REMOTE_FW_FIT_MAX_LOADABLES)

/* Each string of a string-list property of the configuration, as a piece. */
static int config_list(const struct fit *fit, uint32_t conf, const char *prop,
                       enum piece_kind kind, struct piece *pcs, unsigned *n, unsigned max)
{
        const uint8_t *val;
        uint32_t len, off = 0;
        int err;

        if (!remote_fw_fdt_prop(&fit->f, conf, prop, &val, &len, NULL))
                return 0;
        if (len == 0 || val[len - 1] != 0)
                return REMOTE_FW_EFIT;
        while (off < len) {
                uint32_t slen = strnlen_(val + off, len - off);

                if (*n >= max)
                        return REMOTE_FW_EFIT;
                err = check_image(fit, val + off, slen, kind, &pcs[*n]);
                if (err)
                        return err;
                (*n)++;
                off += slen + 1;
        }
        return 0;
}

int remote_fw_fit_load(const void *fit_base, size_t fit_size, const char *config,
                       const struct remote_fw_region *allowed, size_t n_allowed,
                       struct remote_fw_fit_boot *boot)
{
        struct remote_fw_fit_opts opts = { config, NULL, 0, REMOTE_FW_FIT_REQUIRE_ANY };

        return remote_fw_fit_load_opts(fit_base, fit_size, &opts, allowed, n_allowed, boot);
}

int remote_fw_fit_load_opts(const void *fit_base, size_t fit_size,
                            const struct remote_fw_fit_opts *opts,
                            const struct remote_fw_region *allowed, size_t n_allowed,
                            struct remote_fw_fit_boot *boot)
{
        const char *config = opts != NULL ? opts->config : NULL;
        struct fit fit;
        struct piece pcs[MAX_PIECES];
        unsigned n = 0, i, j, n_fdt, n_rd;
        int has_fdt, has_rd;
        uint32_t root, confs, conf, len;
        const uint8_t *val;
        int err;

        if (fit_base == NULL || boot == NULL || opts == NULL ||
            (allowed == NULL && n_allowed != 0) || (opts->keys == NULL && opts->n_keys != 0) ||
            opts->n_keys > REMOTE_FW_FIT_MAX_KEYS ||
            (opts->require != REMOTE_FW_FIT_REQUIRE_ANY && opts->require != REMOTE_FW_FIT_REQUIRE_ALL))
                return REMOTE_FW_EINVAL;
        fit.base = fit_base;
        fit.size = fit_size;
        err = remote_fw_fdt_open(&fit.f, fit.base, fit_size);
        if (err)
                return err;
        root = remote_fw_fdt_root(&fit.f);
        if (!remote_fw_fdt_subnode_str(&fit.f, root, "images", &fit.images))
                return REMOTE_FW_EFIT;

        /* The configuration: the one named, else the default one. */
        if (!remote_fw_fdt_subnode_str(&fit.f, root, "configurations", &confs))
                return REMOTE_FW_ENOCONF;
        if (config != NULL) {
                if (!remote_fw_fdt_subnode_str(&fit.f, confs, config, &conf))
                        return REMOTE_FW_ENOCONF;
        } else {
                if (!remote_fw_fdt_prop_str(&fit.f, confs, "default", &val, &len) ||
                    !remote_fw_fdt_subnode(&fit.f, confs, val, len, &conf))
                        return REMOTE_FW_ENOCONF;
        }

        /* With keys: the configuration's signature, before it is believed. */
        if (opts->n_keys != 0) {
                err = remote_fw_fit_check_sig(&fit.f, conf, opts->keys, opts->n_keys,
                                              opts->require);
                if (err)
                        return err;
        }

        /* Its pieces, each checked (hashes included) before anything is written. */
        if (!remote_fw_fdt_prop(&fit.f, conf, "kernel", &val, &len, NULL))
                return REMOTE_FW_ENOIMAGE;
        if (len == 0 || val[len - 1] != 0 || strnlen_(val, len) != len - 1)
                return REMOTE_FW_EFIT;
        err = check_image(&fit, val, len - 1, P_KERNEL, &pcs[n++]);
        if (err)
                return err;
        n_fdt = n;
        err = config_list(&fit, conf, "fdt", P_FDT, pcs, &n, n_fdt + 1);
        if (err)
                return err;
        has_fdt = n > n_fdt;
        n_rd = n;
        err = config_list(&fit, conf, "ramdisk", P_RAMDISK, pcs, &n, n_rd + 1);
        if (err)
                return err;
        has_rd = n > n_rd;
        err = config_list(&fit, conf, "firmware", P_LOADABLE, pcs, &n, MAX_PIECES);
        if (err)
                return err;
        err = config_list(&fit, conf, "loadables", P_LOADABLE, pcs, &n, MAX_PIECES);
        if (err)
                return err;

        /* Placement: inside one allowed region, off the FIT, off each other. */
        for (i = 0; i < n; i++) {
                const struct piece *p = &pcs[i];
                uint64_t end;

                if (!add_ok(p->load, p->reserve, &end) || !fits_uintptr(p->load) ||
                    !fits_uintptr(end - 1) || !fits_size(p->placed) ||
                    !in_region(allowed, n_allowed, p->load, p->reserve))
                        return REMOTE_FW_EREGION;
                if (overlaps(p->load, p->reserve, (uintptr_t)fit.base, fit_size))
                        return REMOTE_FW_EOVERLAP;
                for (j = 0; j < i; j++)
                        if (overlaps(p->load, p->reserve, pcs[j].load, pcs[j].reserve))
                                return REMOTE_FW_EPIECES;
        }

        /* Everything checked: write. */
        for (i = 0; i < n; i++) {
                err = place(&pcs[i]);
                if (err)
                        return err;
        }
        if (has_fdt) {
                /* A gzip tree can only be validated now that it is inflated. */
                const struct piece *dt = &pcs[n_fdt], *rd = &pcs[n_rd];
                struct fdt check;

                if (dt->gzip && remote_fw_fdt_open(&check, (const uint8_t *)(uintptr_t)dt->load,
                                         (size_t)dt->placed))
                        return REMOTE_FW_EFDT;
                if (has_rd) {
                        err = remote_fw_fdt_set_initrd((const uint8_t *)(uintptr_t)dt->load, rd->load,
                                           rd->load + rd->placed);
                        if (err)
                                return err;
                }
        }

        boot->entry = (uintptr_t)pcs[0].entry;
        boot->fdt = has_fdt ? (uintptr_t)pcs[n_fdt].load : 0;
        boot->initrd_start = has_rd ? (uintptr_t)pcs[n_rd].load : 0;
        boot->initrd_end = has_rd ? (uintptr_t)(pcs[n_rd].load + pcs[n_rd].placed) : 0;
        return 0;
}
