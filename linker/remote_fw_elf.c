/*
 * remote_fw_elf.c - rproc-bundle kit: validate a remote core's ELF image and
 * load it (remote_fw_check, remote_fw_load; see remote_fw.h and docs/kit.md
 * "remote_fw_load" and "remote_fw_check: the rules, once"). Owns the ELF
 * reader of remote_fw_elf.h and the check-only pass: every rule lives here,
 * once. The resource-table rules the OpenAMP profile adds come from
 * remote_fw_rsc.c.
 *
 * C99, freestanding: no libc (not even memcpy/memset/strcmp), no dynamic
 * memory, no 64-bit division. Every offset and size taken from the image is
 * bounds-checked with overflow-safe arithmetic (remote_fw_bounds.h) before
 * use. Target memory is written through volatile pointers: it may be device
 * memory, and it keeps the compiler from turning the loops into libc calls.
 */
#include "remote_fw_elf.h"

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
/* Check the ELF identification and that the file header fits in the image. */
int remote_fw_elf_open(struct elf *e, const struct remote_fw_image *img)
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

/*
 * Locate the section header table: e_shoff, the number of entries (with the
 * extended numbering of e_shnum == 0) and e_shstrndx (SHN_XINDEX). *e_shnum is
 * 0 when the image has no section headers.
 */
int remote_fw_elf_sections(const struct elf *e, uint64_t *e_shoff,
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

/* ---- the check-only pass ------------------------------------------------------ */

static void read_segment(const struct elf *e, uint64_t phdr, struct segment *s)
{
        const struct elf_layout *l = e->l;

        s->p_offset = rd(e, phdr + l->p_offset, l->word);
        s->p_paddr = rd(e, phdr + l->p_paddr, l->word);
        s->p_filesz = rd(e, phdr + l->p_filesz, l->word);
        s->p_memsz = rd(e, phdr + l->p_memsz, l->word);
}


/* Check one PT_LOAD against the image and, by the rules, the allowed regions. */
static int check_segment(const struct elf *e, const struct segment *s, unsigned int rules,
                         const struct remote_fw_region *allowed, size_t n_allowed)
{
        uint64_t end;

        if (!within(e->size, s->p_offset, s->p_filesz))
                return REMOTE_FW_EBOUNDS;
        if (s->p_filesz > s->p_memsz || !add_ok(s->p_paddr, s->p_memsz, &end))
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
        if (!fits_uintptr(s->p_paddr) || !fits_uintptr(end - 1) ||
            (e->l->word == 4 && end - 1 > UINT32_MAX))
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
        err = remote_fw_rsc_find(e, e_shoff, e_shnum, e_shstrndx, REMOTE_FW_CHECK_OPENAMP,
                                 &tbl);
        return err == REMOTE_FW_ENORSC ? 0 : err;
}

/* The check-only pass (remote_fw.h): the rules live here, once. */
int remote_fw_elf_check(const struct remote_fw_image *img, unsigned int rules,
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
        err = remote_fw_elf_open(e, img);
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
                err = remote_fw_elf_sections(e, &e_shoff, &e_shnum, &e_shstrndx);
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
        int err = remote_fw_elf_check(img, rules, allowed, n_allowed, &e, &ph);

        if (err == 0 && entry != NULL)
                *entry = (uintptr_t)ph.e_entry;
        return err;
}

/* Program header i of a checked image: 1 and *s filled for a PT_LOAD, else 0. */
int remote_fw_elf_segment(const struct elf *e, const struct phdrs *ph, uint64_t i,
                          struct segment *s)
{
        uint64_t phdr = ph->e_phoff + i * e->l->phentsize;

        if (rd(e, phdr + e->l->p_type, 4) != PT_LOAD)
                return 0;
        read_segment(e, phdr, s);
        return 1;
}

/* ---- loading ------------------------------------------------------------------ */

typedef uint32_t __attribute__((may_alias)) word_alias;

/*
 * Copy p_filesz bytes and zero the rest up to p_memsz. Whole aligned words
 * where destination (and, for the copy, source) allow: ECC-protected TCMs
 * want full-word writes; bytes at the edges.
 */
void remote_fw_elf_load_segment(const struct elf *e, const struct segment *s)
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
        err = remote_fw_elf_check(img, REMOTE_FW_CHECK_REGIONS, allowed, n_allowed, &e, &ph);
        if (err)
                return err;

        for (i = 0; i < ph.e_phnum; i++) {
                uint64_t phdr = ph.e_phoff + i * e.l->phentsize;

                if (rd(&e, phdr + e.l->p_type, 4) != PT_LOAD)
                        continue;
                read_segment(&e, phdr, &s);
                if (s.p_memsz != 0)
                        remote_fw_elf_load_segment(&e, &s);
        }
        *entry = (uintptr_t)ph.e_entry;
        return 0;
}
