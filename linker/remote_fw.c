/*
 * remote_fw.c - rproc-bundle host-side kit: find, verify and load a remote
 * core's ELF image carried inside the host image. See remote_fw.h.
 *
 * C99, freestanding: no libc (not even memcpy/memset/strcmp), no dynamic
 * memory, no 64-bit division. Everything read from the image is read byte by
 * byte in the image's own byte order, so any alignment (objcopy gives 1) and
 * any ELF class or byte order works on any host. Every offset and size taken
 * from the image is bounds-checked with overflow-safe arithmetic before use.
 * Target memory is written through volatile pointers: it may be device
 * memory, and it keeps the compiler from turning the loops into libc calls.
 */
#include "remote_fw.h"

/*
 * Bounds of the descriptor section. GNU ld and ld.lld define them for an
 * orphan section whose name is a C identifier, and remote_fw.ld PROVIDEs them;
 * weak so that a host that declares no image still links (both are then 0).
 */
extern const struct remote_fw_desc __start_remote_fw_desc[] __attribute__((weak));
extern const struct remote_fw_desc __stop_remote_fw_desc[] __attribute__((weak));

/* ---- ELF record layouts: the only place that knows the field offsets ------ */

#define EI_NIDENT       16
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define ELFDATA2MSB     2
#define EV_CURRENT      1

#define PT_LOAD         1
#define PN_XNUM         0xffffu
#define SHN_UNDEF       0
#define SHN_XINDEX      0xffffu
#define SHT_NOBITS      8

struct elf_layout {
        uint8_t word;           /* size of an address/offset field: 4 or 8 */
        uint8_t ehsize;
        uint8_t e_version, e_entry, e_phoff, e_shoff;
        uint8_t e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
        uint8_t phentsize;
        uint8_t p_type, p_offset, p_paddr, p_filesz, p_memsz;
        uint8_t shentsize;
        uint8_t sh_name, sh_type, sh_offset, sh_size, sh_link, sh_info;
};

static const struct elf_layout elf32_layout = {
        4, 52,
        20, 24, 28, 32,
        42, 44, 46, 48, 50,
        32,
        0, 4, 12, 16, 20,
        40,
        0, 4, 16, 20, 24, 28,
};

static const struct elf_layout elf64_layout = {
        8, 64,
        20, 24, 32, 40,
        54, 56, 58, 60, 62,
        56,
        0, 8, 24, 32, 40,
        64,
        0, 4, 24, 32, 40, 44,
};

/* An image being parsed: its bytes, byte order and class layout. */
struct elf {
        const uint8_t *base;
        size_t size;
        int msb;                        /* ELFDATA2MSB */
        const struct elf_layout *l;
};

/* Read an n-byte unsigned field at off; the caller has checked the bounds. */
static uint64_t rd(const struct elf *e, uint64_t off, unsigned n)
{
        const uint8_t *p = e->base + (size_t)off;
        uint64_t v = 0;
        unsigned i;

        for (i = 0; i < n; i++)
                v = (v << 8) | p[e->msb ? i : n - 1 - i];
        return v;
}

/* True when [off, off + len) lies inside [0, limit), without overflow. */
static int within(uint64_t limit, uint64_t off, uint64_t len)
{
        return off <= limit && len <= limit - off;
}

/* True when v survives the round trip through uintptr_t / size_t (32-bit hosts). */
static int fits_uintptr(uint64_t v)
{
        return v == (uint64_t)(uintptr_t)v;
}

static int fits_size(uint64_t v)
{
        return v == (uint64_t)(size_t)v;
}

/* Check the ELF identification and that the file header fits in the image. */
static int elf_open(struct elf *e, const struct remote_fw_image *img)
{
        const uint8_t *id = img->base;

        e->base = img->base;
        e->size = img->size;
        if (e->size < EI_NIDENT)
                return REMOTE_FW_ENOTELF;
        if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
                return REMOTE_FW_ENOTELF;
        if (id[EI_CLASS] == ELFCLASS32)
                e->l = &elf32_layout;
        else if (id[EI_CLASS] == ELFCLASS64)
                e->l = &elf64_layout;
        else
                return REMOTE_FW_ENOTELF;
        if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB)
                return REMOTE_FW_ENOTELF;
        e->msb = id[EI_DATA] == ELFDATA2MSB;
        if (id[EI_VERSION] != EV_CURRENT)
                return REMOTE_FW_ENOTELF;
        if (e->size < e->l->ehsize)
                return REMOTE_FW_ENOTELF;
        if (rd(e, e->l->e_version, 4) != EV_CURRENT)
                return REMOTE_FW_ENOTELF;
        return 0;
}

/* Offset of section header ndx in *off; EBOUNDS when ndx is not in the table. */
static int elf_shdr(const struct elf *e, uint64_t e_shoff, uint64_t e_shnum,
                    uint64_t ndx, uint64_t *off)
{
        if (ndx >= e_shnum)
                return REMOTE_FW_EBOUNDS;
        *off = e_shoff + ndx * e->l->shentsize;
        return 0;
}

/*
 * Locate the section header table: e_shoff, the number of entries (with the
 * extended numbering of e_shnum == 0) and e_shstrndx (SHN_XINDEX). *e_shnum is
 * 0 when the image has no section headers.
 */
static int elf_sections(const struct elf *e, uint64_t *e_shoff,
                        uint64_t *e_shnum, uint64_t *e_shstrndx)
{
        const struct elf_layout *l = e->l;
        uint64_t shnum, shstrndx;

        *e_shnum = 0;
        *e_shoff = rd(e, l->e_shoff, l->word);
        if (*e_shoff == 0)
                return 0;
        if (rd(e, l->e_shentsize, 2) != l->shentsize)
                return REMOTE_FW_ENOTELF;
        /* Section 0 must exist to read the extended counts. */
        if (!within(e->size, *e_shoff, l->shentsize))
                return REMOTE_FW_EBOUNDS;
        shnum = rd(e, l->e_shnum, 2);
        if (shnum == 0)
                shnum = rd(e, *e_shoff + l->sh_size, l->word);
        shstrndx = rd(e, l->e_shstrndx, 2);
        if (shstrndx == SHN_XINDEX)
                shstrndx = rd(e, *e_shoff + l->sh_link, 4);
        /* At most 2^32 entries, so shnum * shentsize cannot overflow. */
        if (shnum > UINT32_MAX || !within(e->size, *e_shoff, shnum * l->shentsize))
                return REMOTE_FW_EBOUNDS;
        *e_shnum = shnum;
        *e_shstrndx = shstrndx;
        return 0;
}

/* ---- descriptors ------------------------------------------------------------ */

static int str_eq(const char *a, const char *b)
{
        while (*a && *a == *b) {
                a++;
                b++;
        }
        return *a == *b;
}

/* True when every byte in [p, stop) is zero: padding after the last descriptor. */
static int zero_tail(uintptr_t p, uintptr_t stop)
{
        for (; p < stop; p++)
                if (*(const volatile uint8_t *)p != 0)
                        return 0;
        return 1;
}

/*
 * Find the descriptor named name between __start_ and __stop_. Fields are
 * read through a volatile pointer: `bundle` patches them after compilation,
 * so the compiler (LTO included) must never use the initialiser's values.
 * A corrupt descriptor ends the walk: its desc_size cannot be trusted.
 */
static int desc_find(const char *name, const volatile struct remote_fw_desc **out)
{
        uintptr_t p = (uintptr_t)__start_remote_fw_desc;
        uintptr_t stop = (uintptr_t)__stop_remote_fw_desc;

        if (p == 0 || stop <= p)
                return REMOTE_FW_ENOENT;
        while (p < stop) {
                const volatile struct remote_fw_desc *d =
                        (const volatile struct remote_fw_desc *)p;
                const char *d_name;

                if ((p & (sizeof(uint64_t) - 1)) != 0)
                        return REMOTE_FW_EDESC;
                /* Zero bytes after the last descriptor end the walk, as in bundle. */
                if (stop - p < sizeof(struct remote_fw_desc) || d->magic == 0)
                        return zero_tail(p, stop) ? REMOTE_FW_ENOENT : REMOTE_FW_EDESC;
                if (d->magic != REMOTE_FW_DESC_MAGIC ||
                    d->version != REMOTE_FW_DESC_VERSION ||
                    d->desc_size != sizeof(struct remote_fw_desc))
                        return REMOTE_FW_EDESC;
                d_name = d->name;
                if (d_name != NULL && str_eq(d_name, name)) {
                        *out = d;
                        return 0;
                }
                p += sizeof(struct remote_fw_desc);     /* == desc_size, checked */
        }
        return REMOTE_FW_ENOENT;
}

int remote_fw_find(const char *name, struct remote_fw_image *img)
{
        const volatile struct remote_fw_desc *d;
        uintptr_t start, end;
        uint32_t flags;
        int err;

        if (name == NULL || img == NULL)
                return REMOTE_FW_EINVAL;
        err = desc_find(name, &d);
        if (err)
                return err;

        /* Pre-link flow: the linker resolved _binary_<stem>_start/_end. */
        start = (uintptr_t)d->start;
        end = (uintptr_t)d->end;
        if (start != 0 && end != 0 && end > start) {
                img->base = (const uint8_t *)start;
                img->size = end - start;
                img->name = d->name;
                return 0;
        }

        /* Post-link flow: `bundle` wrote base, size and link_addr. */
        flags = d->flags;
        if (flags & REMOTE_FW_F_BUNDLED) {
                uint64_t base = d->base, size = d->size, link_addr = d->link_addr;
                uintptr_t bias, addr;

                if (!fits_uintptr(base) || !fits_uintptr(link_addr) ||
                    !fits_size(size) || size == 0)
                        return REMOTE_FW_EDESC;
                /* Load bias of a relocated host; 0 for ordinary firmware. */
                bias = (uintptr_t)d - (uintptr_t)link_addr;
                addr = (uintptr_t)base + bias;
                if (addr == 0 || (uintptr_t)size - 1 > UINTPTR_MAX - addr)
                        return REMOTE_FW_EDESC;
                img->base = (const uint8_t *)addr;
                img->size = (size_t)size;
                img->name = d->name;
                return 0;
        }
        return REMOTE_FW_ENOTBUNDLED;
}

/* ---- CRC-32 ----------------------------------------------------------------- */

/* Reflected IEEE polynomial 0xEDB88320, one nibble at a time: 64 bytes of table. */
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

static int image_ok(const struct remote_fw_image *img)
{
        return img != NULL && img->base != NULL;
}

int remote_fw_verify(const struct remote_fw_image *img)
{
        const volatile struct remote_fw_desc *d;
        int err;

        if (!image_ok(img) || img->name == NULL)
                return REMOTE_FW_EINVAL;
        err = desc_find(img->name, &d);
        if (err)
                return err;
        if (!(d->flags & REMOTE_FW_F_CRC32))
                return REMOTE_FW_ENOCSUM;
        if (remote_fw_crc32(img->base, img->size) != d->crc32)
                return REMOTE_FW_ECSUM;
        return 0;
}

/* ---- resource table ----------------------------------------------------------- */

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

/* OpenAMP takes sizes and offsets as int in places: all must stay below 2^31. */
#define OPENAMP_SIZE_LIMIT      0x80000000u
/* OpenAMP keeps the next segment's index in 8 bits of its load state. */
#define OPENAMP_MAX_PHNUM       255u
/* struct fw_rsc_vendor: type, len */
#define RSC_VENDOR_SIZE         8
#define RSC_VENDOR_LEN          4

static int below_limit(uint64_t v)
{
        return v < OPENAMP_SIZE_LIMIT;
}

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
static int rsc_find(const struct elf *e, uint64_t e_shoff, uint64_t e_shnum,
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
        err = elf_open(&e, img);
        if (err)
                return err;
        err = elf_sections(&e, &e_shoff, &e_shnum, &e_shstrndx);
        if (err)
                return err;
        if (e_shnum == 0 || e_shstrndx == SHN_UNDEF)
                return REMOTE_FW_ENORSC;
        err = rsc_find(&e, e_shoff, e_shnum, e_shstrndx, 0, &tbl);
        if (err)
                return err;
        *table = tbl.base;
        *size = tbl.size;
        return 0;
}

/* ---- the check-only pass ------------------------------------------------------ */

/* A PT_LOAD's fields, read from its program header. */
struct segment {
        uint64_t p_offset, p_paddr, p_filesz, p_memsz;
};

static void read_segment(const struct elf *e, uint64_t phdr, struct segment *s)
{
        const struct elf_layout *l = e->l;

        s->p_offset = rd(e, phdr + l->p_offset, l->word);
        s->p_paddr = rd(e, phdr + l->p_paddr, l->word);
        s->p_filesz = rd(e, phdr + l->p_filesz, l->word);
        s->p_memsz = rd(e, phdr + l->p_memsz, l->word);
}

/* True when [addr, addr + len) lies wholly inside one allowed region. */
static int in_region(const struct remote_fw_region *allowed, size_t n_allowed,
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

/* True when [a, a + alen) and [b, b + blen) share a byte (non-empty ranges). */
static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
        return a < b ? b - a < alen : a - b < blen;
}

/* Check one PT_LOAD against the image and, by the rules, the allowed regions. */
static int check_segment(const struct elf *e, const struct segment *s, unsigned int rules,
                         const struct remote_fw_region *allowed, size_t n_allowed)
{
        if (!within(e->size, s->p_offset, s->p_filesz))
                return REMOTE_FW_EBOUNDS;
        if (s->p_filesz > s->p_memsz || s->p_memsz > UINT64_MAX - s->p_paddr)
                return REMOTE_FW_ESEGMENT;
        if (rules & REMOTE_FW_CHECK_OPENAMP) {
                if (s->p_memsz == 0)
                        return REMOTE_FW_EEMPTY;
                /* p_filesz <= p_memsz, so this bounds both */
                if (!below_limit(s->p_offset) || !below_limit(s->p_memsz))
                        return REMOTE_FW_ELIMIT;
        }
        if (s->p_memsz == 0)
                return 0;
        /* The last byte must be addressable on this host (32-bit hosts) and,
         * for ELF32, inside the 32-bit address space. */
        if (!fits_uintptr(s->p_paddr) || !fits_uintptr(s->p_paddr + s->p_memsz - 1) ||
            (e->l->word == 4 && s->p_paddr + s->p_memsz - 1 > UINT32_MAX))
                return REMOTE_FW_EREGION;
        if (rules & REMOTE_FW_CHECK_REGIONS) {
                if (!in_region(allowed, n_allowed, s->p_paddr, s->p_memsz))
                        return REMOTE_FW_EREGION;
                if (overlaps(s->p_paddr, s->p_memsz, (uintptr_t)e->base, e->size))
                        return REMOTE_FW_EOVERLAP;
        }
        return 0;
}

/* 1 on a big-endian host. */
static int host_msb(void)
{
        const uint16_t one = 1;

        return *(const uint8_t *)&one == 0;
}

/*
 * What OpenAMP's elf_load_header and elf_locate_rsc_table trust of the
 * section headers. OpenAMP goes by e_shnum alone (no extended numbering, no
 * look at e_shoff), copies e_shnum * e_shentsize bytes and the whole
 * .shstrtab, then strcmp()s every sh_name up to the resource table's.
 */
static int check_sections_openamp(const struct elf *e)
{
        const struct elf_layout *l = e->l;
        uint64_t e_shoff = rd(e, l->e_shoff, l->word);
        uint64_t e_shnum = rd(e, l->e_shnum, 2);
        uint64_t e_shstrndx = rd(e, l->e_shstrndx, 2);
        uint64_t shdr, strtab, strtab_size, i;
        struct elf tbl;
        int err;

        if (e_shnum == 0)       /* with e_shoff set: extended numbering, unread by OpenAMP */
                return e_shoff == 0 ? 0 : REMOTE_FW_ESECTION;
        if (rd(e, l->e_shentsize, 2) != l->shentsize)
                return REMOTE_FW_ENOTELF;
        if (!within(e->size, e_shoff, e_shnum * l->shentsize))
                return REMOTE_FW_EBOUNDS;
        if (e_shstrndx == SHN_UNDEF || e_shstrndx >= e_shnum)
                return REMOTE_FW_ESECTION;
        shdr = e_shoff + e_shstrndx * l->shentsize;
        if (rd(e, shdr + l->sh_type, 4) == SHT_NOBITS)
                return REMOTE_FW_ESECTION;
        strtab = rd(e, shdr + l->sh_offset, l->word);
        strtab_size = rd(e, shdr + l->sh_size, l->word);
        if (!below_limit(strtab) || !below_limit(strtab_size))
                return REMOTE_FW_ELIMIT;
        if (!within(e->size, strtab, strtab_size))
                return REMOTE_FW_EBOUNDS;
        if (strtab_size == 0 || e->base[(size_t)(strtab + strtab_size - 1)] != 0)
                return REMOTE_FW_ESECTION;
        for (i = 0; i < e_shnum; i++)
                if (rd(e, e_shoff + i * l->shentsize + l->sh_name, 4) >= strtab_size)
                        return REMOTE_FW_ESECTION;
        err = rsc_find(e, e_shoff, e_shnum, e_shstrndx, REMOTE_FW_CHECK_OPENAMP, &tbl);
        return err == REMOTE_FW_ENORSC ? 0 : err;
}

/* The program header table, as the check found it. */
struct phdrs {
        uint64_t e_phoff, e_phnum, e_entry;
};

/* The check-only pass (remote_fw.h): the rules live here, once. */
static int check(const struct remote_fw_image *img, unsigned int rules,
                 const struct remote_fw_region *allowed, size_t n_allowed,
                 struct elf *e, struct phdrs *ph)
{
        const struct elf_layout *l;
        struct segment s;
        uint64_t i, loads = 0;
        int openamp = (rules & REMOTE_FW_CHECK_OPENAMP) != 0;
        int err;

        if (!image_ok(img) || (allowed == NULL && n_allowed != 0))
                return REMOTE_FW_EINVAL;
        err = elf_open(e, img);
        if (err)
                return err;
        l = e->l;
        if (openamp && e->msb != host_msb())
                return REMOTE_FW_EENDIAN;
        if (openamp && !below_limit(e->size))
                return REMOTE_FW_ELIMIT;

        ph->e_phoff = rd(e, l->e_phoff, l->word);
        ph->e_phnum = rd(e, l->e_phnum, 2);
        if (ph->e_phnum == PN_XNUM) {
                /* Extended numbering: the count is section 0's sh_info. */
                uint64_t e_shoff, e_shnum, e_shstrndx;

                if (openamp)
                        return REMOTE_FW_ELIMIT;
                err = elf_sections(e, &e_shoff, &e_shnum, &e_shstrndx);
                if (err)
                        return err;
                if (e_shnum == 0)
                        return REMOTE_FW_ENOTELF;
                ph->e_phnum = rd(e, e_shoff + l->sh_info, 4);
        }
        if (ph->e_phnum == 0)
                return REMOTE_FW_ENOLOAD;
        if (rd(e, l->e_phentsize, 2) != l->phentsize)
                return REMOTE_FW_ENOTELF;
        if (openamp && ph->e_phnum > OPENAMP_MAX_PHNUM)
                return REMOTE_FW_ELIMIT;
        if (!within(e->size, ph->e_phoff, ph->e_phnum * l->phentsize))
                return REMOTE_FW_EBOUNDS;
        ph->e_entry = rd(e, l->e_entry, l->word);
        if (!fits_uintptr(ph->e_entry))
                return REMOTE_FW_ESEGMENT;
        if (openamp) {
                err = check_sections_openamp(e);
                if (err)
                        return err;
        }

        for (i = 0; i < ph->e_phnum; i++) {
                uint64_t phdr = ph->e_phoff + i * l->phentsize;

                if (rd(e, phdr + l->p_type, 4) != PT_LOAD)
                        continue;
                read_segment(e, phdr, &s);
                err = check_segment(e, &s, rules, allowed, n_allowed);
                if (err)
                        return err;
                if (s.p_memsz != 0)
                        loads++;
        }
        if (loads == 0)
                return REMOTE_FW_ENOLOAD;
        return 0;
}

int remote_fw_check(const struct remote_fw_image *img, unsigned int rules,
                    const struct remote_fw_region *allowed, size_t n_allowed,
                    uintptr_t *entry)
{
        struct elf e;
        struct phdrs ph;
        int err = check(img, rules, allowed, n_allowed, &e, &ph);

        if (err == 0 && entry != NULL)
                *entry = (uintptr_t)ph.e_entry;
        return err;
}

/* ---- loading ------------------------------------------------------------------ */

typedef uint32_t __attribute__((may_alias)) word_alias;

/*
 * Copy p_filesz bytes and zero the rest up to p_memsz. Whole aligned words
 * where destination (and, for the copy, source) allow: ECC-protected TCMs
 * want full-word writes; bytes at the edges.
 */
static void load_segment(const struct elf *e, const struct segment *s)
{
        volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)s->p_paddr;
        const uint8_t *src = e->base + (size_t)s->p_offset;
        size_t filesz = (size_t)s->p_filesz, memsz = (size_t)s->p_memsz, i = 0;
        const size_t w = sizeof(uint32_t);

        if ((((uintptr_t)dst | (uintptr_t)src) & (w - 1)) == 0) {
                for (; filesz - i >= w; i += w)
                        *(volatile word_alias *)(dst + i) = *(const word_alias *)(src + i);
        }
        for (; i < filesz; i++)
                dst[i] = src[i];
        for (; i < memsz && ((uintptr_t)(dst + i) & (w - 1)) != 0; i++)
                dst[i] = 0;
        for (; memsz - i >= w; i += w)
                *(volatile word_alias *)(dst + i) = 0;
        for (; i < memsz; i++)
                dst[i] = 0;
}

int remote_fw_load(const struct remote_fw_image *img,
                   const struct remote_fw_region *allowed, size_t n_allowed,
                   uintptr_t *entry)
{
        struct elf e;
        struct phdrs ph;
        struct segment s;
        uint64_t i;
        int err;

        if (!image_ok(img) || entry == NULL || (allowed == NULL && n_allowed != 0))
                return REMOTE_FW_EINVAL;
        /* Validate every PT_LOAD before writing a single byte. */
        err = check(img, REMOTE_FW_CHECK_REGIONS, allowed, n_allowed, &e, &ph);
        if (err)
                return err;

        for (i = 0; i < ph.e_phnum; i++) {
                uint64_t phdr = ph.e_phoff + i * e.l->phentsize;

                if (rd(&e, phdr + e.l->p_type, 4) != PT_LOAD)
                        continue;
                read_segment(&e, phdr, &s);
                if (s.p_memsz != 0)
                        load_segment(&e, &s);
        }
        *entry = (uintptr_t)ph.e_entry;
        return 0;
}

/* ---- messages ------------------------------------------------------------------ */

const char *remote_fw_strerror(int err)
{
        switch (err) {
        case REMOTE_FW_OK:              return "success";
        case REMOTE_FW_EINVAL:          return "invalid argument";
        case REMOTE_FW_ENOENT:          return "no image declared under that name";
        case REMOTE_FW_ENOTBUNDLED:     return "image declared but not bundled or linked";
        case REMOTE_FW_ENOCSUM:         return "no checksum recorded";
        case REMOTE_FW_ECSUM:           return "checksum mismatch: image corrupt";
        case REMOTE_FW_ENOTELF:         return "not a supported ELF image";
        case REMOTE_FW_EBOUNDS:         return "header, table or segment outside the image";
        case REMOTE_FW_ESEGMENT:        return "bad segment: filesz > memsz or address overflow";
        case REMOTE_FW_EREGION:         return "segment outside the allowed regions";
        case REMOTE_FW_EOVERLAP:        return "segment would overwrite the image";
        case REMOTE_FW_ENORSC:          return "no .resource_table section";
        case REMOTE_FW_ERSC:            return "malformed resource table";
        case REMOTE_FW_ENOLOAD:         return "no loadable segment";
        case REMOTE_FW_EDESC:           return "corrupt image descriptor";
        case REMOTE_FW_ESECTION:        return "malformed section headers, .shstrtab or section name";
        case REMOTE_FW_ELIMIT:          return "beyond the loader's limits (2 GiB sizes, 255 program headers)";
        case REMOTE_FW_EENDIAN:         return "image byte order is not the host's";
        case REMOTE_FW_EEMPTY:          return "PT_LOAD with p_memsz 0";
        case REMOTE_FW_EIO:             return "load outside the io region or short copy";
        case REMOTE_FW_EFDT:            return "FIT is not a valid device tree";
        case REMOTE_FW_EFIT:            return "malformed FIT: missing /images or bad data, load or entry";
        case REMOTE_FW_ENOCONF:         return "FIT configuration not found";
        case REMOTE_FW_ENOIMAGE:        return "FIT configuration has no kernel or names a missing image";
        case REMOTE_FW_EHASH:           return "FIT image hash mismatch: image corrupt";
        case REMOTE_FW_EALGO:           return "FIT hash algorithm unknown or value of the wrong size";
        case REMOTE_FW_ENOHASH:         return "FIT image without a hash node";
        case REMOTE_FW_ETYPE:           return "FIT image of the wrong type or os";
        case REMOTE_FW_EARCH:           return "FIT image built for another architecture";
        case REMOTE_FW_ECOMP:           return "FIT image compression not supported";
        case REMOTE_FW_EINFLATE:        return "corrupt compressed data (stream, CRC or size)";
        case REMOTE_FW_EKERNEL:         return "bad kernel Image header (magic, alignment or size)";
        case REMOTE_FW_ENOROOM:         return "no room in the device tree for /chosen";
        case REMOTE_FW_EENTRY:          return "entry point outside the loaded kernel";
        case REMOTE_FW_EPIECES:         return "FIT pieces would overlap each other";
        default:                        return "unknown error";
        }
}
