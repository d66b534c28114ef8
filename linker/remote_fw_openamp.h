/*
 * remote_fw_openamp.h - an OpenAMP image store over the kit (rproc-bundle).
 *
 * For hosts that load their remote with OpenAMP's remoteproc_load. The store
 * validates the whole image with the kit's check-only pass (remote_fw_check,
 * REMOTE_FW_CHECK_OPENAMP) before OpenAMP reads a byte of it, then serves
 * OpenAMP's reads and copies with every offset and size bounded.
 *
 *     #include "remote_fw_openamp.h"     // includes <openamp/remoteproc.h>
 *
 *     struct remote_fw_store st;
 *     remote_fw_store_init(&st, NULL);   // or &img: an image found already
 *     rc = remoteproc_load(&rproc, "remote_elf", &st, &remote_fw_store_ops, NULL);
 *     // on failure: remote_fw_store_error(&st) is the REMOTE_FW_E... reason
 *
 * Compiled only by hosts that have OpenAMP and libmetal; the kit's other
 * units never need them. See docs/kit.md ("OpenAMP image store").
 */
#ifndef REMOTE_FW_OPENAMP_H
#define REMOTE_FW_OPENAMP_H

#include <openamp/remoteproc.h>
#include <openamp/remoteproc_loader.h>

#include "remote_fw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One load at a time per store; hosts declare it where they like (stack too). */
struct remote_fw_store {
        struct remote_fw_image given;   /* from remote_fw_store_init; base NULL: none */
        struct remote_fw_image img;     /* the image open (valid while open != 0) */
        int open;                       /* 1 between a successful open and close */
        int error;                      /* the last refusal: REMOTE_FW_E..., 0 none */
};

/*
 * Prepare st. img NULL: open(path) finds the image by its stem (path), with
 * remote_fw_find. img non-NULL: open(NULL) uses this image (its name may be
 * NULL); a non-NULL path still goes by stem. Returns 0 or REMOTE_FW_EINVAL.
 */
int remote_fw_store_init(struct remote_fw_store *st, const struct remote_fw_image *img);

/* The REMOTE_FW_E... reason of the store's last refusal, 0 if none. */
int remote_fw_store_error(const struct remote_fw_store *st);

/*
 * open:  validate (checksum when one is recorded, then remote_fw_check with
 *        REMOTE_FW_CHECK_OPENAMP); return the image size, or a negative
 *        REMOTE_FW_E... code (OpenAMP then returns -RPROC_EINVAL).
 * load:  offset and size inside the image; pa == RPROC_LOAD_ANYADDR: a
 *        pointer into the image; otherwise [pa, pa + size) must lie in io and
 *        is written with metal_io_block_write. Returns exactly size or a
 *        negative code, never 0 or a short count.
 * features = SUPPORT_SEEK.
 */
extern const struct image_store_ops remote_fw_store_ops;

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_OPENAMP_H */
