/*
 * remote_fw_elf.h - the ELF reader the kit's ELF units share (private to
 * linker/: not part of the C API, included by remote_fw_elf.c and
 * remote_fw_rsc.c only).
 *
 * Also the entry points remote_fw_auth.c reuses (the check, one PT_LOAD, the
 * copy of one segment), so the authenticated load has no rule of its own.
 * Owns the ELF record layouts (the only place that knows the field offsets)
 * and the bounded reads of an image's headers; declares the two unit-internal
 * entry points that cross between remote_fw_elf.c (file header, sections, the
 * check-only pass, the load) and remote_fw_rsc.c (the resource table).
 * Fields are read byte by byte in the image's own byte order, so any
 * alignment and any class or byte order works on any host.
 */
#ifndef REMOTE_FW_ELF_H
#define REMOTE_FW_ELF_H

#include "remote_fw.h"
#include "remote_fw_bounds.h"

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

/* An image being parsed: its bytes, byte order and class layout. */
struct elf {
        const uint8_t *base;
        size_t size;
        int msb;                        /* ELFDATA2MSB */
        const struct elf_layout *l;
};

/* Read an n-byte unsigned field at off; the caller has checked the bounds. */
static inline uint64_t rd(const struct elf *e, uint64_t off, unsigned n)
{
        const uint8_t *p = e->base + (size_t)off;
        uint64_t v = 0;
        unsigned i;

        for (i = 0; i < n; i++)
                v = (v << 8) | p[e->msb ? i : n - 1 - i];
        return v;
}

/* OpenAMP takes sizes and offsets as int in places: all must stay below 2^31. */
#define OPENAMP_SIZE_LIMIT      0x80000000u
/* OpenAMP keeps the next segment's index in 8 bits of its load state. */
#define OPENAMP_MAX_PHNUM       255u

static inline int below_limit(uint64_t v)
{
        return v < OPENAMP_SIZE_LIMIT;
}

/* remote_fw_elf.c: check the ELF identification and that the file header
 * fits in the image (ENOTELF otherwise). */
int remote_fw_elf_open(struct elf *e, const struct remote_fw_image *img);

/* Offset of section header ndx in *off; EBOUNDS when ndx is not in the table. */
static inline int elf_shdr(const struct elf *e, uint64_t e_shoff, uint64_t e_shnum,
                           uint64_t ndx, uint64_t *off)
{
        if (ndx >= e_shnum)
                return REMOTE_FW_EBOUNDS;
        *off = e_shoff + ndx * e->l->shentsize;
        return 0;
}

/* remote_fw_elf.c: locate the section header table (e_shoff, the entry count
 * with extended numbering, e_shstrndx with SHN_XINDEX), checked to lie in the
 * image; *e_shnum is 0 when the image has no section headers. */
int remote_fw_elf_sections(const struct elf *e, uint64_t *e_shoff,
                           uint64_t *e_shnum, uint64_t *e_shstrndx);

/* remote_fw_rsc.c: find the first .resource_table in a section header table
 * already checked to lie in the image and validate it by `rules`
 * (REMOTE_FW_CHECK_OPENAMP adds OpenAMP's assumptions): *tbl is then a view
 * of the table alone. ENORSC when there is none. */
int remote_fw_rsc_find(const struct elf *e, uint64_t e_shoff, uint64_t e_shnum,
                       uint64_t e_shstrndx, unsigned int rules, struct elf *tbl);

/* A PT_LOAD's fields, read from its program header. */
struct segment {
        uint64_t p_offset, p_paddr, p_filesz, p_memsz;
};

/* The program header table, as the check found it. */
struct phdrs {
        uint64_t e_phoff, e_phnum, e_entry;
};

/* remote_fw_elf.c: the check-only pass of remote_fw_check (every rule, once),
 * leaving the parsed image in *e and its program header table in *ph. */
int remote_fw_elf_check(const struct remote_fw_image *img, unsigned int rules,
                        const struct remote_fw_region *allowed, size_t n_allowed,
                        struct elf *e, struct phdrs *ph);

/* remote_fw_elf.c: program header i of a checked image; 1 and *s filled
 * when it is a PT_LOAD, else 0. */
int remote_fw_elf_segment(const struct elf *e, const struct phdrs *ph, uint64_t i,
                          struct segment *s);

/* remote_fw_elf.c: copy a checked PT_LOAD to p_paddr and zero up to p_memsz. */
void remote_fw_elf_load_segment(const struct elf *e, const struct segment *s);

#endif /* REMOTE_FW_ELF_H */
