/*
 * remote_fw_fdt.c - rproc-bundle kit: the flattened device tree, read and
 * patched. See remote_fw_fdt.h and docs/kit.md ("Remote Linux from a FIT").
 * Owns the validation of a whole blob (as libfdt's fdt_check_full), the
 * bounded walk, and the /chosen edit of a loaded tree.
 *
 * C99, freestanding: no libc, no heap. Every value is assembled from byte
 * loads (no unaligned word access); a loaded tree is written through
 * volatile pointers.
 */
#include "remote_fw.h"
#include "remote_fw_fdt.h"
#include "remote_fw_bounds.h"
#include "remote_fw_bytes.h"

/*
 * Validate the whole blob at b[0 .. size): header, memory reservation map,
 * blocks inside totalsize, and every token of the structure block (names
 * and property names NUL-terminated inside their blocks, property values
 * inside the structure block, one root, nesting at most FDT_MAX_DEPTH, FDT_END
 * after the root). After this, the walk below can trust every offset.
 */
int remote_fw_fdt_open(struct fdt *f, const uint8_t *b, size_t size)
{
        uint64_t off;
        uint32_t rsv, depth = 0, tok;
        int root_done = 0;

        if (size < FDT_HDR_SIZE || be32(b + FDT_O_MAGIC) != FDT_MAGIC)
                return REMOTE_FW_EFDT;
        f->b = b;
        f->totalsize = be32(b + FDT_O_TOTALSIZE);
        f->off_struct = be32(b + FDT_O_OFF_DT_STRUCT);
        f->size_struct = be32(b + FDT_O_SIZE_DT_STRUCT);
        f->off_strings = be32(b + FDT_O_OFF_DT_STRINGS);
        f->size_strings = be32(b + FDT_O_SIZE_DT_STRINGS);
        rsv = be32(b + FDT_O_OFF_MEM_RSVMAP);
        if (be32(b + FDT_O_VERSION) < 17 || be32(b + FDT_O_LAST_COMP) > 17)
                return REMOTE_FW_EFDT;
        if (f->totalsize < FDT_HDR_SIZE || f->totalsize > size)
                return REMOTE_FW_EFDT;
        if (f->off_struct < FDT_HDR_SIZE || (f->off_struct & 3) ||
            !within(f->totalsize, f->off_struct, f->size_struct) ||
            !within(f->totalsize, f->off_strings, f->size_strings) ||
            f->off_strings < FDT_HDR_SIZE)
                return REMOTE_FW_EFDT;
        /* Memory reservation map: 16-byte entries up to an all-zero one. */
        if (rsv < FDT_HDR_SIZE || (rsv & 7))
                return REMOTE_FW_EFDT;
        for (;; rsv += 16) {
                unsigned i, zero = 1;

                if (!within(f->totalsize, rsv, 16))
                        return REMOTE_FW_EFDT;
                for (i = 0; i < 16; i++)
                        zero &= b[rsv + i] == 0;
                if (zero)
                        break;
        }
        /* The structure block, token by token. */
        for (off = 0;;) {
                const uint8_t *s = b + f->off_struct;
                uint32_t n = f->size_struct;

                if (!within(n, off, 4))
                        return REMOTE_FW_EFDT;
                tok = be32(s + off);
                if (tok == FDT_NOP) {
                        off += 4;
                } else if (tok == FDT_BEGIN_NODE) {
                        uint32_t len;

                        if (root_done || depth >= FDT_MAX_DEPTH)
                                return REMOTE_FW_EFDT;
                        len = strnlen_(s + off + 4, (uint32_t)(n - off - 4));
                        if (len == n - off - 4)
                                return REMOTE_FW_EFDT;
                        depth++;
                        off += 4 + (((uint64_t)len + 1 + 3) & ~(uint64_t)3);
                        if (off > n)
                                return REMOTE_FW_EFDT;
                } else if (tok == FDT_END_NODE) {
                        if (depth == 0)
                                return REMOTE_FW_EFDT;
                        if (--depth == 0)
                                root_done = 1;
                        off += 4;
                } else if (tok == FDT_PROP) {
                        uint32_t len, nameoff, nlen;

                        if (depth == 0 || !within(n, off, 12))
                                return REMOTE_FW_EFDT;
                        len = be32(s + off + 4);
                        nameoff = be32(s + off + 8);
                        if (!within(n, off + 12, len) || nameoff >= f->size_strings)
                                return REMOTE_FW_EFDT;
                        nlen = strnlen_(b + f->off_strings + nameoff, f->size_strings - nameoff);
                        if (nlen == f->size_strings - nameoff)
                                return REMOTE_FW_EFDT;
                        off = (off + 12 + len + 3) & ~(uint64_t)3;
                        if (off > n)
                                return REMOTE_FW_EFDT;
                } else if (tok == FDT_END) {
                        return root_done ? 0 : REMOTE_FW_EFDT;
                } else {
                        return REMOTE_FW_EFDT;
                }
        }
}

/* The token at structure offset off, and the offset of the one after it. */
uint32_t remote_fw_fdt_token(const struct fdt *f, uint32_t off, uint32_t *next)
{
        const uint8_t *s = f->b + f->off_struct;
        uint32_t tok = be32(s + off);

        if (tok == FDT_BEGIN_NODE)
                *next = off + 4 + align4(strnlen_(s + off + 4, f->size_struct - off - 4) + 1);
        else if (tok == FDT_PROP)
                *next = align4(off + 12 + be32(s + off + 4));
        else
                *next = off + 4;
        return tok;
}

/* Offset of the root node (the first BEGIN_NODE). */
uint32_t remote_fw_fdt_root(const struct fdt *f)
{
        uint32_t off = 0, next;

        while (remote_fw_fdt_token(f, off, &next) != FDT_BEGIN_NODE)
                off = next;
        return off;
}

/* The offset just past the subtree of the node at off (its END_NODE's next). */
uint32_t remote_fw_fdt_skip_node(const struct fdt *f, uint32_t off)
{
        uint32_t depth = 0, next, tok;

        for (;;) {
                tok = remote_fw_fdt_token(f, off, &next);
                if (tok == FDT_BEGIN_NODE)
                        depth++;
                else if (tok == FDT_END_NODE && --depth == 0)
                        return next;
                off = next;
        }
}

/*
 * Walk the direct children of the node at `node`: *it starts at 0; each call
 * gives the next child in *child and returns 1, or returns 0 at the end.
 */
int remote_fw_fdt_next_child(const struct fdt *f, uint32_t node, uint32_t *it, uint32_t *child)
{
        uint32_t off = *it, next, tok;

        if (off == 0)
                remote_fw_fdt_token(f, node, &off);       /* past the node's name */
        for (;;) {
                tok = remote_fw_fdt_token(f, off, &next);
                if (tok == FDT_BEGIN_NODE) {
                        *child = off;
                        *it = remote_fw_fdt_skip_node(f, off);
                        return 1;
                }
                if (tok == FDT_END_NODE || tok == FDT_END)
                        return 0;
                off = next;
        }
}

/* The name of the node at `node` and its length (without NUL). */
const uint8_t *remote_fw_fdt_node_name(const struct fdt *f, uint32_t node, uint32_t *len)
{
        const uint8_t *name = f->b + f->off_struct + node + 4;

        *len = strnlen_(name, f->size_struct - node - 4);
        return name;
}

/* The child of `node` named exactly name[0 .. len); 1 if found. */
int remote_fw_fdt_subnode(const struct fdt *f, uint32_t node, const uint8_t *name,
                          uint32_t len, uint32_t *child)
{
        uint32_t it = 0, c, clen, i;

        while (remote_fw_fdt_next_child(f, node, &it, &c)) {
                const uint8_t *cname = remote_fw_fdt_node_name(f, c, &clen);

                if (clen != len)
                        continue;
                for (i = 0; i < len && cname[i] == name[i]; i++)
                        ;
                if (i == len) {
                        *child = c;
                        return 1;
                }
        }
        return 0;
}

/* fdt_subnode with a NUL-terminated name. */
int remote_fw_fdt_subnode_str(const struct fdt *f, uint32_t node, const char *name,
                              uint32_t *child)
{
        uint32_t len = 0;

        while (name[len])
                len++;
        return remote_fw_fdt_subnode(f, node, (const uint8_t *)name, len, child);
}

/*
 * The property `name` of the node at `node` (only its own, not its
 * children's): value and length, and the structure offset of its token.
 */
int remote_fw_fdt_prop(const struct fdt *f, uint32_t node, const char *name,
                       const uint8_t **val, uint32_t *len, uint32_t *at)
{
        const uint8_t *s = f->b + f->off_struct;
        uint32_t off, next, tok;

        remote_fw_fdt_token(f, node, &off);
        for (;;) {
                tok = remote_fw_fdt_token(f, off, &next);
                if (tok == FDT_BEGIN_NODE) {
                        next = remote_fw_fdt_skip_node(f, off);
                } else if (tok == FDT_PROP) {
                        const uint8_t *pname = f->b + f->off_strings + be32(s + off + 8);

                        if (str_is(pname, strnlen_(pname, f->size_strings - be32(s + off + 8)),
                                   name)) {
                                *val = s + off + 12;
                                *len = be32(s + off + 4);
                                if (at)
                                        *at = off;
                                return 1;
                        }
                } else if (tok == FDT_END_NODE || tok == FDT_END) {
                        return 0;
                }
                off = next;
        }
}

/* A string property: its first string's length (without NUL) in *slen. */
int remote_fw_fdt_prop_str(const struct fdt *f, uint32_t node, const char *name,
                           const uint8_t **val, uint32_t *slen)
{
        uint32_t len;

        if (!remote_fw_fdt_prop(f, node, name, val, &len, NULL) || len == 0 || (*val)[len - 1] != 0)
                return 0;
        *slen = strnlen_(*val, len);
        return 1;
}

/* A 1- or 2-cell number property: 1 (in *v), 0 when absent, -1 of another size. */
int remote_fw_fdt_prop_addr(const struct fdt *f, uint32_t node, const char *name,
                            uint64_t *v)
{
        const uint8_t *val;
        uint32_t len;

        if (!remote_fw_fdt_prop(f, node, name, &val, &len, NULL))
                return 0;
        if (len == 4)
                *v = be32(val);
        else if (len == 8)
                *v = (uint64_t)be32(val) << 32 | be32(val + 4);
        else
                return -1;
        return 1;
}

/* ---- /chosen in the loaded device tree ----------------------------------------- */

/* The writable view of a loaded tree: the same reader over its bytes. */
static volatile uint8_t *dt_w(const struct fdt *f, uint32_t off)
{
        return (volatile uint8_t *)(uintptr_t)(f->b + off);
}

/* Blocks in the usual order (map, structure, strings): free space is at the end. */
static int dt_growable(const struct fdt *f)
{
        uint32_t rsv = be32(f->b + FDT_O_OFF_MEM_RSVMAP);

        return rsv <= f->off_struct && f->off_struct + f->size_struct <= f->off_strings;
}

/*
 * Open a gap of n bytes (a multiple of 4) at structure offset `at`: the rest
 * of the structure block and the strings block after it move up. Needs the
 * usual block order (memory map, structure, strings) and room inside
 * totalsize; the header is updated.
 */
static int dt_insert(struct fdt *f, uint32_t at, uint32_t n)
{
        uint32_t struct_end = f->off_struct + f->size_struct;
        uint32_t end = f->off_strings + f->size_strings, from, i;
        volatile uint8_t *b = dt_w(f, 0);

        if (!dt_growable(f) || f->off_strings < struct_end || end > f->totalsize ||
            f->totalsize - end < n)
                return REMOTE_FW_ENOROOM;
        from = f->off_struct + at;
        for (i = end; i > from; i--)
                b[i - 1 + n] = b[i - 1];
        for (i = 0; i < n; i++)
                b[from + i] = 0;
        f->size_struct += n;
        f->off_strings += n;
        put_be32(b + FDT_O_SIZE_DT_STRUCT, f->size_struct);
        put_be32(b + FDT_O_OFF_DT_STRINGS, f->off_strings);
        return 0;
}

/* Offset of `name` in the strings block, appended if absent. */
static int dt_string(struct fdt *f, const char *name, uint32_t *nameoff)
{
        const uint8_t *s = f->b + f->off_strings;
        uint32_t len = 0, i, end;
        volatile uint8_t *b = dt_w(f, 0);

        while (name[len])
                len++;
        for (i = 0; i + len < f->size_strings; i++) {
                if (str_is(s + i, strnlen_(s + i, f->size_strings - i), name)) {
                        *nameoff = i;
                        return 0;
                }
        }
        end = f->off_strings + f->size_strings;
        if (!dt_growable(f) || end > f->totalsize || f->totalsize - end < len + 1)
                return REMOTE_FW_ENOROOM;
        for (i = 0; i <= len; i++)
                b[end + i] = (uint8_t)name[i];
        *nameoff = f->size_strings;
        f->size_strings += len + 1;
        put_be32(b + FDT_O_SIZE_DT_STRINGS, f->size_strings);
        return 0;
}

/* Set an address-sized property of node: patched in place, or added. */
static int dt_set_addr(struct fdt *f, uint32_t node, const char *name, uint64_t v, int wide)
{
        const uint8_t *val;
        uint32_t len, at, nameoff, size = wide || v > UINT32_MAX ? 8 : 4, off;
        volatile uint8_t *w;
        int err;

        if (remote_fw_fdt_prop(f, node, name, &val, &len, &at)) {
                if (len == 8 || (len == 4 && v <= UINT32_MAX)) {
                        w = dt_w(f, (uint32_t)(val - f->b));
                        if (len == 8) {
                                put_be32(w, (uint32_t)(v >> 32));
                                w += 4;
                        }
                        put_be32(w, (uint32_t)v);
                        return 0;
                }
                /* Another size: turn it into a NOP and add a new one. */
                w = dt_w(f, f->off_struct + at);
                for (off = 0; off < align4(12 + len); off += 4)
                        put_be32(w + off, FDT_NOP);
        }
        err = dt_string(f, name, &nameoff);
        if (err)
                return err;
        /* After the node's last property, before its first subnode. */
        remote_fw_fdt_token(f, node, &at);
        for (;;) {
                uint32_t tok = remote_fw_fdt_token(f, at, &off);

                if (tok != FDT_PROP && tok != FDT_NOP)
                        break;
                at = off;
        }
        err = dt_insert(f, at, 12 + size);
        if (err)
                return err;
        w = dt_w(f, f->off_struct + at);
        put_be32(w, FDT_PROP);
        put_be32(w + 4, size);
        put_be32(w + 8, nameoff);
        if (size == 8)
                put_be32(w + 12, (uint32_t)(v >> 32));
        put_be32(w + 12 + size - 4, (uint32_t)v);
        return 0;
}

/*
 * Write linux,initrd-start/-end into the loaded tree at dt (already
 * validated, totalsize bytes inside the fdt piece). The values are as wide
 * as the root's #address-cells (2 when absent), 8 bytes if they need it.
 */
int remote_fw_fdt_set_initrd(const uint8_t *dt, uint64_t start, uint64_t end)
{
        struct fdt f;
        uint32_t root, chosen, len;
        uint64_t cells = 2;
        int err, wide;

        err = remote_fw_fdt_open(&f, dt, be32(dt + FDT_O_TOTALSIZE));
        if (err)
                return err;
        root = remote_fw_fdt_root(&f);
        if (remote_fw_fdt_prop_addr(&f, root, "#address-cells", &cells) != 1)
                cells = 2;
        wide = cells != 1;
        if (!remote_fw_fdt_subnode_str(&f, root, "chosen", &chosen)) {
                /* BEGIN_NODE "chosen" END_NODE before the root's END_NODE. */
                static const char name[8] = "chosen";
                volatile uint8_t *w;
                uint32_t at = remote_fw_fdt_skip_node(&f, root) - 4, i;

                err = dt_insert(&f, at, 16);
                if (err)
                        return err;
                w = dt_w(&f, f.off_struct + at);
                put_be32(w, FDT_BEGIN_NODE);
                for (i = 0; i < 8; i++)
                        w[4 + i] = (uint8_t)name[i];
                put_be32(w + 12, FDT_END_NODE);
                chosen = at;
        }
        (void)len;
        err = dt_set_addr(&f, chosen, "linux,initrd-start", start, wide);
        if (err)
                return err;
        err = dt_set_addr(&f, chosen, "linux,initrd-end", end, wide);
        if (err)
                return err;
        return remote_fw_fdt_open(&f, dt, f.totalsize) ? REMOTE_FW_EFDT : 0;
}
