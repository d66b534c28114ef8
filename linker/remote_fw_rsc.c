/*
 * remote_fw_rsc.c - rproc-bundle kit: find and validate a remote image's
 * resource table (remote_fw_rsc_table; see remote_fw.h and docs/kit.md
 * "remote_fw_rsc_table"), by Linux's rules and, for the OpenAMP profile of
 * the check-only pass (remote_fw_elf.c), by what OpenAMP's handlers assume.
 * The table's own layout, for the remote's side, is remote_fw_rsc.h.
 *
 * C99, freestanding: no libc. Fields are read in the image's byte order
 * through the ELF reader of remote_fw_elf.h.
 */
#include "remote_fw_elf.h"

#define RSC_CARVEOUT            0
#define RSC_DEVMEM              1
#define RSC_TRACE               2
#define RSC_VDEV                3
#define RSC_VENDOR_START        128
#define RSC_VENDOR_END          512

/* struct resource_table: ver, num, reserved[2], offset[num] */
#define RSC_HDR_SIZE            16
#define RSC_OFFSETS             16
/* struct fw_rsc_carveout / fw_rsc_devmem, type included */
#define RSC_CARVEOUT_SIZE       56
#define RSC_CARVEOUT_RESERVED   20
/* struct fw_rsc_trace, type included */
#define RSC_TRACE_SIZE          48
#define RSC_TRACE_RESERVED      12
/* struct fw_rsc_vdev, type included, then vrings and config space */
#define RSC_VDEV_SIZE           28
#define RSC_VDEV_CONFIG_LEN     20
#define RSC_VDEV_NUM_OF_VRINGS  25
#define RSC_VDEV_RESERVED0      26
#define RSC_VDEV_RESERVED1      27
#define RSC_VDEV_MAX_VRINGS     2
/* struct fw_rsc_vdev_vring: da, align, num, notifyid, pa */
#define RSC_VRING_SIZE          20
#define RSC_VRING_ALIGN         4
#define RSC_VRING_NUM           8
/* struct fw_rsc_vendor: type, len */
#define RSC_VENDOR_SIZE         8
#define RSC_VENDOR_LEN          4

/*
 * Validate a resource table the way Linux's rproc_handle_resources() and its
 * handlers do, reading fields in the image's byte order. tbl is a view of the
 * table alone (base and size of the section's bytes), so every read is
 * checked against the table, which the caller checked against the image.
 * With REMOTE_FW_CHECK_OPENAMP, also what OpenAMP's handlers assume: entries
 * 4-byte aligned (it reads them through struct pointers) and a vendor entry's
 * type and len inside the table, len included.
 */
static int rsc_check(const struct elf *tbl, unsigned int rules)
{
        uint64_t size = tbl->size, num, i;

        if (size < RSC_HDR_SIZE)
                return REMOTE_FW_ERSC;
        if (rd(tbl, 0, 4) != 1 || rd(tbl, 8, 4) != 0 || rd(tbl, 12, 4) != 0)
                return REMOTE_FW_ERSC;
        num = rd(tbl, 4, 4);
        if (!within(size, RSC_OFFSETS, 4 * num))
                return REMOTE_FW_ERSC;
        for (i = 0; i < num; i++) {
                uint64_t offset = rd(tbl, RSC_OFFSETS + 4 * i, 4), avail, type;

                if (!within(size, offset, 4))
                        return REMOTE_FW_ERSC;
                if ((rules & REMOTE_FW_CHECK_OPENAMP) && (offset & 3) != 0)
                        return REMOTE_FW_ERSC;
                avail = size - offset;
                type = rd(tbl, offset, 4);
                switch (type) {
                case RSC_CARVEOUT:
                case RSC_DEVMEM:
                        if (avail < RSC_CARVEOUT_SIZE ||
                            rd(tbl, offset + RSC_CARVEOUT_RESERVED, 4) != 0)
                                return REMOTE_FW_ERSC;
                        break;
                case RSC_TRACE:
                        if (avail < RSC_TRACE_SIZE ||
                            rd(tbl, offset + RSC_TRACE_RESERVED, 4) != 0)
                                return REMOTE_FW_ERSC;
                        break;
                case RSC_VDEV: {
                        uint64_t nvrings, config_len, v, vring;

                        if (avail < RSC_VDEV_SIZE)
                                return REMOTE_FW_ERSC;
                        nvrings = rd(tbl, offset + RSC_VDEV_NUM_OF_VRINGS, 1);
                        config_len = rd(tbl, offset + RSC_VDEV_CONFIG_LEN, 4);
                        if (RSC_VDEV_SIZE + RSC_VRING_SIZE * nvrings + config_len > avail)
                                return REMOTE_FW_ERSC;
                        if (rd(tbl, offset + RSC_VDEV_RESERVED0, 1) != 0 ||
                            rd(tbl, offset + RSC_VDEV_RESERVED1, 1) != 0)
                                return REMOTE_FW_ERSC;
                        if (nvrings > RSC_VDEV_MAX_VRINGS)
                                return REMOTE_FW_ERSC;
                        for (v = 0; v < nvrings; v++) {
                                vring = offset + RSC_VDEV_SIZE + RSC_VRING_SIZE * v;
                                if (rd(tbl, vring + RSC_VRING_NUM, 4) == 0 ||
                                    rd(tbl, vring + RSC_VRING_ALIGN, 4) == 0)
                                        return REMOTE_FW_ERSC;
                        }
                        break;
                }
                default:
                        /* Vendor resources go to the platform driver. */
                        if (type < RSC_VENDOR_START || type > RSC_VENDOR_END)
                                return REMOTE_FW_ERSC;
                        if ((rules & REMOTE_FW_CHECK_OPENAMP) &&
                            (avail < RSC_VENDOR_SIZE ||
                             rd(tbl, offset + RSC_VENDOR_LEN, 4) > avail))
                                return REMOTE_FW_ERSC;
                        break;
                }
        }
        return 0;
}

static const char rsc_section_name[] = ".resource_table";

/* Compare the NUL-terminated name at strtab[off] (strtab_size bytes) with want. */
static int name_is(const struct elf *e, uint64_t strtab, uint64_t strtab_size,
                   uint64_t off, const char *want)
{
        uint64_t i;

        for (i = 0; off + i < strtab_size; i++) {
                uint8_t c = e->base[(size_t)(strtab + off + i)];

                if (c != (uint8_t)want[i])
                        return 0;
                if (c == 0)
                        return 1;
        }
        return 0;       /* not terminated inside the string table */
}

/*
 * Find the first section named .resource_table (Linux and OpenAMP both take
 * the first) in a section header table already checked to lie in the image,
 * and validate it: *tbl is then a view of the table alone. ENORSC when none.
 */
int remote_fw_rsc_find(const struct elf *e, uint64_t e_shoff, uint64_t e_shnum,
                       uint64_t e_shstrndx, unsigned int rules, struct elf *tbl)
{
        const struct elf_layout *l = e->l;
        uint64_t shdr, strtab, strtab_size, i;
        int err;

        /* The section name string table. */
        err = elf_shdr(e, e_shoff, e_shnum, e_shstrndx, &shdr);
        if (err)
                return err;
        if (rd(e, shdr + l->sh_type, 4) == SHT_NOBITS)
                return REMOTE_FW_EBOUNDS;
        strtab = rd(e, shdr + l->sh_offset, l->word);
        strtab_size = rd(e, shdr + l->sh_size, l->word);
        if (!within(e->size, strtab, strtab_size))
                return REMOTE_FW_EBOUNDS;

        for (i = 0; i < e_shnum; i++) {
                uint64_t sh_name, sh_offset, sh_size;

                shdr = e_shoff + i * l->shentsize;
                sh_name = rd(e, shdr + l->sh_name, 4);
                if (!name_is(e, strtab, strtab_size, sh_name, rsc_section_name))
                        continue;
                if (rd(e, shdr + l->sh_type, 4) == SHT_NOBITS)
                        return REMOTE_FW_ERSC;
                sh_offset = rd(e, shdr + l->sh_offset, l->word);
                sh_size = rd(e, shdr + l->sh_size, l->word);
                if ((rules & REMOTE_FW_CHECK_OPENAMP) &&
                    (!below_limit(sh_offset) || !below_limit(sh_size)))
                        return REMOTE_FW_ELIMIT;
                if (!within(e->size, sh_offset, sh_size))
                        return REMOTE_FW_EBOUNDS;
                tbl->base = e->base + (size_t)sh_offset;
                tbl->size = (size_t)sh_size;
                tbl->msb = e->msb;
                tbl->l = e->l;
                return rsc_check(tbl, rules);
        }
        return REMOTE_FW_ENORSC;
}

int remote_fw_rsc_table(const struct remote_fw_image *img,
                        const void **table, size_t *size)
{
        struct elf e, tbl;
        uint64_t e_shoff, e_shnum, e_shstrndx;
        int err;

        if (!image_ok(img) || table == NULL || size == NULL)
                return REMOTE_FW_EINVAL;
        *table = NULL;
        *size = 0;
        err = remote_fw_elf_open(&e, img);
        if (err)
                return err;
        err = remote_fw_elf_sections(&e, &e_shoff, &e_shnum, &e_shstrndx);
        if (err)
                return err;
        if (e_shnum == 0 || e_shstrndx == SHN_UNDEF)
                return REMOTE_FW_ENORSC;
        err = remote_fw_rsc_find(&e, e_shoff, e_shnum, e_shstrndx, 0, &tbl);
        if (err)
                return err;
        *table = tbl.base;
        *size = tbl.size;
        return 0;
}
