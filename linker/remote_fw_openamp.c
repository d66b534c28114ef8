/*
 * remote_fw_openamp.c - the kit's image store for OpenAMP's remoteproc_load.
 * See remote_fw_openamp.h.
 *
 * The store owns no ELF knowledge: every rule is the kit's (remote_fw_check),
 * so remote_fw_load and this store refuse the same images for the same
 * reasons, plus the rules for what OpenAMP's parser trusts. What is left here
 * is the image_store_ops contract: bound every request OpenAMP makes against
 * the image and, for copies, against the io region OpenAMP mapped.
 */
#include "remote_fw_openamp.h"

#include <metal/io.h>

static int refuse(struct remote_fw_store *st, int err)
{
        st->error = err;
        return err;
}

int remote_fw_store_init(struct remote_fw_store *st, const struct remote_fw_image *img)
{
        if (st == NULL)
                return REMOTE_FW_EINVAL;
        st->given.base = NULL;
        st->given.size = 0;
        st->given.name = NULL;
        st->img = st->given;
        st->open = 0;
        st->error = 0;
        if (img != NULL) {
                if (img->base == NULL)
                        return refuse(st, REMOTE_FW_EINVAL);
                st->given = *img;
        }
        return 0;
}

int remote_fw_store_error(const struct remote_fw_store *st)
{
        return st == NULL ? REMOTE_FW_EINVAL : st->error;
}

static int store_open(void *store, const char *path, const void **img_data)
{
        struct remote_fw_store *st = store;
        struct remote_fw_image img;
        int err;

        if (st == NULL)
                return REMOTE_FW_EINVAL;
        st->open = 0;
        st->error = 0;
        if (img_data == NULL)
                return refuse(st, REMOTE_FW_EINVAL);
        if (path != NULL) {
                err = remote_fw_find(path, &img);
                if (err)
                        return refuse(st, err);
        } else if (st->given.base != NULL) {
                img = st->given;
        } else {
                return refuse(st, REMOTE_FW_EINVAL);
        }
        /* A recorded checksum must match; none recorded (pre-link, or an
         * image the host passed in) is no reason to refuse. */
        if (img.name != NULL && remote_fw_verify(&img) == REMOTE_FW_ECSUM)
                return refuse(st, REMOTE_FW_ECSUM);
        err = remote_fw_check(&img, REMOTE_FW_CHECK_OPENAMP, NULL, 0, NULL);
        if (err)
                return refuse(st, err);
        st->img = img;
        st->open = 1;
        *img_data = img.base;
        return (int)img.size;   /* below 2^31: REMOTE_FW_CHECK_OPENAMP */
}

static void store_close(void *store)
{
        struct remote_fw_store *st = store;

        if (st != NULL)
                st->open = 0;
}

static int store_load(void *store, size_t offset, size_t size, const void **data,
                      metal_phys_addr_t pa, struct metal_io_region *io, char is_blocking)
{
        struct remote_fw_store *st = store;
        unsigned long io_off;
        int n;

        (void)is_blocking;      /* the image is in memory: every load completes */
        if (st == NULL)
                return REMOTE_FW_EINVAL;
        if (!st->open || data == NULL)
                return refuse(st, REMOTE_FW_EINVAL);
        /* OpenAMP asks for one structure a call; never for 0 bytes of a valid image. */
        if (size == 0 || offset > st->img.size || size > st->img.size - offset)
                return refuse(st, REMOTE_FW_EBOUNDS);
        if (pa == RPROC_LOAD_ANYADDR) {
                *data = st->img.base + offset;
                return (int)size;
        }
        /* A copy into target memory: [pa, pa + size) inside io, contiguous. */
        if (io == NULL)
                return refuse(st, REMOTE_FW_EIO);
        io_off = metal_io_phys_to_offset(io, pa);
        if (io_off == METAL_BAD_OFFSET || io_off >= io->size || size > io->size - io_off ||
            pa + (size - 1) < pa || metal_io_phys_to_offset(io, pa + (size - 1)) != io_off + (size - 1))
                return refuse(st, REMOTE_FW_EIO);
        n = metal_io_block_write(io, io_off, st->img.base + offset, (int)size);
        if (n != (int)size)
                return refuse(st, REMOTE_FW_EIO);
        *data = NULL;
        return n;
}

const struct image_store_ops remote_fw_store_ops = {
        .open = store_open,
        .close = store_close,
        .load = store_load,
        .features = SUPPORT_SEEK,
};
