/*
 * remote_fw_fdt.h - the kit's device-tree unit (remote_fw_fdt.c): validate a
 * flattened device tree once, then walk it with bounded primitives; and the
 * one edit the kit makes to a loaded tree (linux,initrd-* in /chosen).
 * Needs nothing else from the kit. A unit interface for the FIT unit (and
 * for a bootstrap that reads its own tree), not part of the documented C API.
 *
 * Offsets are structure-block offsets of a node's or property's token, as
 * in the Devicetree Specification; after remote_fw_fdt_open succeeded, every
 * walk below stays inside the blob.
 */
#ifndef REMOTE_FW_FDT_H
#define REMOTE_FW_FDT_H

#include <stddef.h>
#include <stdint.h>

/* Header fields (big-endian u32) and tokens, from the Devicetree Specification. */
#define FDT_MAGIC               0xd00dfeedu
#define FDT_HDR_SIZE            40u
#define FDT_O_MAGIC             0
#define FDT_O_TOTALSIZE         4
#define FDT_O_OFF_DT_STRUCT     8
#define FDT_O_OFF_DT_STRINGS    12
#define FDT_O_OFF_MEM_RSVMAP    16
#define FDT_O_VERSION           20
#define FDT_O_LAST_COMP         24
#define FDT_O_SIZE_DT_STRINGS   32
#define FDT_O_SIZE_DT_STRUCT    36
#define FDT_BEGIN_NODE          1u
#define FDT_END_NODE            2u
#define FDT_PROP                3u
#define FDT_NOP                 4u
#define FDT_END                 9u
#define FDT_MAX_DEPTH           32u

struct fdt {
        const uint8_t *b;
        uint32_t totalsize;
        uint32_t off_struct, size_struct;
        uint32_t off_strings, size_strings;
};

static inline uint32_t align4(uint32_t v)
{
        return (v + 3u) & ~3u;
}

/*
 * Validate the whole blob at b[0 .. size): header, memory reservation map,
 * blocks inside totalsize, and every token of the structure block (names
 * and property names NUL-terminated inside their blocks, property values
 * inside the structure block, one root, nesting at most FDT_MAX_DEPTH, FDT_END
 * after the root). After this, the walk below can trust every offset.
 */
int remote_fw_fdt_open(struct fdt *f, const uint8_t *b, size_t size);

/* The token at structure offset off, and the offset of the one after it. */
uint32_t remote_fw_fdt_token(const struct fdt *f, uint32_t off, uint32_t *next);

/* Offset of the root node (the first BEGIN_NODE). */
uint32_t remote_fw_fdt_root(const struct fdt *f);

/* The offset just past the subtree of the node at off (its END_NODE's next). */
uint32_t remote_fw_fdt_skip_node(const struct fdt *f, uint32_t off);

/*
 * Walk the direct children of the node at `node`: *it starts at 0; each call
 * gives the next child in *child and returns 1, or returns 0 at the end.
 */
int remote_fw_fdt_next_child(const struct fdt *f, uint32_t node, uint32_t *it, uint32_t *child);

/* The name of the node at `node` and its length (without NUL). */
const uint8_t *remote_fw_fdt_node_name(const struct fdt *f, uint32_t node, uint32_t *len);

/* The child of `node` named exactly name[0 .. len); 1 if found. */
int remote_fw_fdt_subnode(const struct fdt *f, uint32_t node, const uint8_t *name,
                          uint32_t len, uint32_t *child);

/* fdt_subnode with a NUL-terminated name. */
int remote_fw_fdt_subnode_str(const struct fdt *f, uint32_t node, const char *name,
                              uint32_t *child);

/*
 * The property `name` of the node at `node` (only its own, not its
 * children's): value and length, and the structure offset of its token.
 */
int remote_fw_fdt_prop(const struct fdt *f, uint32_t node, const char *name,
                       const uint8_t **val, uint32_t *len, uint32_t *at);

/* A string property: its first string's length (without NUL) in *slen. */
int remote_fw_fdt_prop_str(const struct fdt *f, uint32_t node, const char *name,
                           const uint8_t **val, uint32_t *slen);

/* A 1- or 2-cell number property: 1 (in *v), 0 when absent, -1 of another size. */
int remote_fw_fdt_prop_addr(const struct fdt *f, uint32_t node, const char *name,
                            uint64_t *v);
/*
 * Write linux,initrd-start/-end into the loaded tree at dt (already
 * validated, totalsize bytes inside the fdt piece). The values are as wide
 * as the root's #address-cells (2 when absent), 8 bytes if they need it.
 */
int remote_fw_fdt_set_initrd(const uint8_t *dt, uint64_t start, uint64_t end);

#endif /* REMOTE_FW_FDT_H */
