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

/*
 * Reflected IEEE polynomial 0xEDB88320, as zlib's crc32().
 *
 * Default: slice-by-4, four bytes per step from four 256-entry tables (4 KiB
 * of const data), aligned 32-bit loads only (bytes up to the first aligned
 * address, and on big-endian cores the word is assembled from bytes).
 * -DREMOTE_FW_CRC32_SMALL: one nibble at a time from a 16-entry table
 * (64 bytes) for tiny flash, about five times slower.
 * AArch64 cores with the CRC32 instructions (__ARM_FEATURE_CRC32, as with
 * -mcpu=cortex-a53) use them instead of the tables, unless SMALL is asked for.
 * The tables are crc32_table[0][n] = CRC of the byte n, and
 * crc32_table[k][n] = (crc32_table[k-1][n] >> 8) ^ crc32_table[0][crc32_table[k-1][n] & 0xff]
 * (scripts/crc32_tables.py prints them).
 */
#ifdef REMOTE_FW_CRC32_SMALL
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
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32) && \
        defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The ARMv8 CRC32 instructions (e.g. -mcpu=cortex-a53): eight bytes per CRC32X. */
#include <arm_acle.h>

typedef uint64_t __attribute__((may_alias)) crc_dword;

uint32_t remote_fw_crc32(const void *data, size_t n)
{
        const uint8_t *p = data;
        uint32_t crc = 0xffffffffu;

        if (p == NULL)
                n = 0;
        for (; n && ((uintptr_t)p & 7) != 0; n--)
                crc = __crc32b(crc, *p++);
        for (; n >= 8; n -= 8, p += 8)
                crc = __crc32d(crc, *(const crc_dword *)p);
        while (n--)
                crc = __crc32b(crc, *p++);
        return crc ^ 0xffffffffu;
}
#else
static const uint32_t crc32_table[4][256] = {
        {
                0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu,
                0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u,
                0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u,
                0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
                0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
                0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u,
                0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
                0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
                0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u,
                0xcfba9599u, 0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
                0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u, 0x01db7106u,
                0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
                0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du,
                0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
                0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
                0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
                0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u,
                0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u,
                0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau,
                0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
                0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
                0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au,
                0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u,
                0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
                0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
                0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu,
                0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u, 0xa1d1937eu,
                0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
                0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u,
                0x316e8eefu, 0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
                0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u,
                0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
                0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu,
                0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u,
                0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
                0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
                0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u,
                0x616bffd3u, 0x166ccf45u, 0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u,
                0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu,
                0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
                0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u,
                0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
                0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
        },
        {
                0x00000000u, 0x191b3141u, 0x32366282u, 0x2b2d53c3u, 0x646cc504u, 0x7d77f445u,
                0x565aa786u, 0x4f4196c7u, 0xc8d98a08u, 0xd1c2bb49u, 0xfaefe88au, 0xe3f4d9cbu,
                0xacb54f0cu, 0xb5ae7e4du, 0x9e832d8eu, 0x87981ccfu, 0x4ac21251u, 0x53d92310u,
                0x78f470d3u, 0x61ef4192u, 0x2eaed755u, 0x37b5e614u, 0x1c98b5d7u, 0x05838496u,
                0x821b9859u, 0x9b00a918u, 0xb02dfadbu, 0xa936cb9au, 0xe6775d5du, 0xff6c6c1cu,
                0xd4413fdfu, 0xcd5a0e9eu, 0x958424a2u, 0x8c9f15e3u, 0xa7b24620u, 0xbea97761u,
                0xf1e8e1a6u, 0xe8f3d0e7u, 0xc3de8324u, 0xdac5b265u, 0x5d5daeaau, 0x44469febu,
                0x6f6bcc28u, 0x7670fd69u, 0x39316baeu, 0x202a5aefu, 0x0b07092cu, 0x121c386du,
                0xdf4636f3u, 0xc65d07b2u, 0xed705471u, 0xf46b6530u, 0xbb2af3f7u, 0xa231c2b6u,
                0x891c9175u, 0x9007a034u, 0x179fbcfbu, 0x0e848dbau, 0x25a9de79u, 0x3cb2ef38u,
                0x73f379ffu, 0x6ae848beu, 0x41c51b7du, 0x58de2a3cu, 0xf0794f05u, 0xe9627e44u,
                0xc24f2d87u, 0xdb541cc6u, 0x94158a01u, 0x8d0ebb40u, 0xa623e883u, 0xbf38d9c2u,
                0x38a0c50du, 0x21bbf44cu, 0x0a96a78fu, 0x138d96ceu, 0x5ccc0009u, 0x45d73148u,
                0x6efa628bu, 0x77e153cau, 0xbabb5d54u, 0xa3a06c15u, 0x888d3fd6u, 0x91960e97u,
                0xded79850u, 0xc7cca911u, 0xece1fad2u, 0xf5facb93u, 0x7262d75cu, 0x6b79e61du,
                0x4054b5deu, 0x594f849fu, 0x160e1258u, 0x0f152319u, 0x243870dau, 0x3d23419bu,
                0x65fd6ba7u, 0x7ce65ae6u, 0x57cb0925u, 0x4ed03864u, 0x0191aea3u, 0x188a9fe2u,
                0x33a7cc21u, 0x2abcfd60u, 0xad24e1afu, 0xb43fd0eeu, 0x9f12832du, 0x8609b26cu,
                0xc94824abu, 0xd05315eau, 0xfb7e4629u, 0xe2657768u, 0x2f3f79f6u, 0x362448b7u,
                0x1d091b74u, 0x04122a35u, 0x4b53bcf2u, 0x52488db3u, 0x7965de70u, 0x607eef31u,
                0xe7e6f3feu, 0xfefdc2bfu, 0xd5d0917cu, 0xcccba03du, 0x838a36fau, 0x9a9107bbu,
                0xb1bc5478u, 0xa8a76539u, 0x3b83984bu, 0x2298a90au, 0x09b5fac9u, 0x10aecb88u,
                0x5fef5d4fu, 0x46f46c0eu, 0x6dd93fcdu, 0x74c20e8cu, 0xf35a1243u, 0xea412302u,
                0xc16c70c1u, 0xd8774180u, 0x9736d747u, 0x8e2de606u, 0xa500b5c5u, 0xbc1b8484u,
                0x71418a1au, 0x685abb5bu, 0x4377e898u, 0x5a6cd9d9u, 0x152d4f1eu, 0x0c367e5fu,
                0x271b2d9cu, 0x3e001cddu, 0xb9980012u, 0xa0833153u, 0x8bae6290u, 0x92b553d1u,
                0xddf4c516u, 0xc4eff457u, 0xefc2a794u, 0xf6d996d5u, 0xae07bce9u, 0xb71c8da8u,
                0x9c31de6bu, 0x852aef2au, 0xca6b79edu, 0xd37048acu, 0xf85d1b6fu, 0xe1462a2eu,
                0x66de36e1u, 0x7fc507a0u, 0x54e85463u, 0x4df36522u, 0x02b2f3e5u, 0x1ba9c2a4u,
                0x30849167u, 0x299fa026u, 0xe4c5aeb8u, 0xfdde9ff9u, 0xd6f3cc3au, 0xcfe8fd7bu,
                0x80a96bbcu, 0x99b25afdu, 0xb29f093eu, 0xab84387fu, 0x2c1c24b0u, 0x350715f1u,
                0x1e2a4632u, 0x07317773u, 0x4870e1b4u, 0x516bd0f5u, 0x7a468336u, 0x635db277u,
                0xcbfad74eu, 0xd2e1e60fu, 0xf9ccb5ccu, 0xe0d7848du, 0xaf96124au, 0xb68d230bu,
                0x9da070c8u, 0x84bb4189u, 0x03235d46u, 0x1a386c07u, 0x31153fc4u, 0x280e0e85u,
                0x674f9842u, 0x7e54a903u, 0x5579fac0u, 0x4c62cb81u, 0x8138c51fu, 0x9823f45eu,
                0xb30ea79du, 0xaa1596dcu, 0xe554001bu, 0xfc4f315au, 0xd7626299u, 0xce7953d8u,
                0x49e14f17u, 0x50fa7e56u, 0x7bd72d95u, 0x62cc1cd4u, 0x2d8d8a13u, 0x3496bb52u,
                0x1fbbe891u, 0x06a0d9d0u, 0x5e7ef3ecu, 0x4765c2adu, 0x6c48916eu, 0x7553a02fu,
                0x3a1236e8u, 0x230907a9u, 0x0824546au, 0x113f652bu, 0x96a779e4u, 0x8fbc48a5u,
                0xa4911b66u, 0xbd8a2a27u, 0xf2cbbce0u, 0xebd08da1u, 0xc0fdde62u, 0xd9e6ef23u,
                0x14bce1bdu, 0x0da7d0fcu, 0x268a833fu, 0x3f91b27eu, 0x70d024b9u, 0x69cb15f8u,
                0x42e6463bu, 0x5bfd777au, 0xdc656bb5u, 0xc57e5af4u, 0xee530937u, 0xf7483876u,
                0xb809aeb1u, 0xa1129ff0u, 0x8a3fcc33u, 0x9324fd72u,
        },
        {
                0x00000000u, 0x01c26a37u, 0x0384d46eu, 0x0246be59u, 0x0709a8dcu, 0x06cbc2ebu,
                0x048d7cb2u, 0x054f1685u, 0x0e1351b8u, 0x0fd13b8fu, 0x0d9785d6u, 0x0c55efe1u,
                0x091af964u, 0x08d89353u, 0x0a9e2d0au, 0x0b5c473du, 0x1c26a370u, 0x1de4c947u,
                0x1fa2771eu, 0x1e601d29u, 0x1b2f0bacu, 0x1aed619bu, 0x18abdfc2u, 0x1969b5f5u,
                0x1235f2c8u, 0x13f798ffu, 0x11b126a6u, 0x10734c91u, 0x153c5a14u, 0x14fe3023u,
                0x16b88e7au, 0x177ae44du, 0x384d46e0u, 0x398f2cd7u, 0x3bc9928eu, 0x3a0bf8b9u,
                0x3f44ee3cu, 0x3e86840bu, 0x3cc03a52u, 0x3d025065u, 0x365e1758u, 0x379c7d6fu,
                0x35dac336u, 0x3418a901u, 0x3157bf84u, 0x3095d5b3u, 0x32d36beau, 0x331101ddu,
                0x246be590u, 0x25a98fa7u, 0x27ef31feu, 0x262d5bc9u, 0x23624d4cu, 0x22a0277bu,
                0x20e69922u, 0x2124f315u, 0x2a78b428u, 0x2bbade1fu, 0x29fc6046u, 0x283e0a71u,
                0x2d711cf4u, 0x2cb376c3u, 0x2ef5c89au, 0x2f37a2adu, 0x709a8dc0u, 0x7158e7f7u,
                0x731e59aeu, 0x72dc3399u, 0x7793251cu, 0x76514f2bu, 0x7417f172u, 0x75d59b45u,
                0x7e89dc78u, 0x7f4bb64fu, 0x7d0d0816u, 0x7ccf6221u, 0x798074a4u, 0x78421e93u,
                0x7a04a0cau, 0x7bc6cafdu, 0x6cbc2eb0u, 0x6d7e4487u, 0x6f38fadeu, 0x6efa90e9u,
                0x6bb5866cu, 0x6a77ec5bu, 0x68315202u, 0x69f33835u, 0x62af7f08u, 0x636d153fu,
                0x612bab66u, 0x60e9c151u, 0x65a6d7d4u, 0x6464bde3u, 0x662203bau, 0x67e0698du,
                0x48d7cb20u, 0x4915a117u, 0x4b531f4eu, 0x4a917579u, 0x4fde63fcu, 0x4e1c09cbu,
                0x4c5ab792u, 0x4d98dda5u, 0x46c49a98u, 0x4706f0afu, 0x45404ef6u, 0x448224c1u,
                0x41cd3244u, 0x400f5873u, 0x4249e62au, 0x438b8c1du, 0x54f16850u, 0x55330267u,
                0x5775bc3eu, 0x56b7d609u, 0x53f8c08cu, 0x523aaabbu, 0x507c14e2u, 0x51be7ed5u,
                0x5ae239e8u, 0x5b2053dfu, 0x5966ed86u, 0x58a487b1u, 0x5deb9134u, 0x5c29fb03u,
                0x5e6f455au, 0x5fad2f6du, 0xe1351b80u, 0xe0f771b7u, 0xe2b1cfeeu, 0xe373a5d9u,
                0xe63cb35cu, 0xe7fed96bu, 0xe5b86732u, 0xe47a0d05u, 0xef264a38u, 0xeee4200fu,
                0xeca29e56u, 0xed60f461u, 0xe82fe2e4u, 0xe9ed88d3u, 0xebab368au, 0xea695cbdu,
                0xfd13b8f0u, 0xfcd1d2c7u, 0xfe976c9eu, 0xff5506a9u, 0xfa1a102cu, 0xfbd87a1bu,
                0xf99ec442u, 0xf85cae75u, 0xf300e948u, 0xf2c2837fu, 0xf0843d26u, 0xf1465711u,
                0xf4094194u, 0xf5cb2ba3u, 0xf78d95fau, 0xf64fffcdu, 0xd9785d60u, 0xd8ba3757u,
                0xdafc890eu, 0xdb3ee339u, 0xde71f5bcu, 0xdfb39f8bu, 0xddf521d2u, 0xdc374be5u,
                0xd76b0cd8u, 0xd6a966efu, 0xd4efd8b6u, 0xd52db281u, 0xd062a404u, 0xd1a0ce33u,
                0xd3e6706au, 0xd2241a5du, 0xc55efe10u, 0xc49c9427u, 0xc6da2a7eu, 0xc7184049u,
                0xc25756ccu, 0xc3953cfbu, 0xc1d382a2u, 0xc011e895u, 0xcb4dafa8u, 0xca8fc59fu,
                0xc8c97bc6u, 0xc90b11f1u, 0xcc440774u, 0xcd866d43u, 0xcfc0d31au, 0xce02b92du,
                0x91af9640u, 0x906dfc77u, 0x922b422eu, 0x93e92819u, 0x96a63e9cu, 0x976454abu,
                0x9522eaf2u, 0x94e080c5u, 0x9fbcc7f8u, 0x9e7eadcfu, 0x9c381396u, 0x9dfa79a1u,
                0x98b56f24u, 0x99770513u, 0x9b31bb4au, 0x9af3d17du, 0x8d893530u, 0x8c4b5f07u,
                0x8e0de15eu, 0x8fcf8b69u, 0x8a809decu, 0x8b42f7dbu, 0x89044982u, 0x88c623b5u,
                0x839a6488u, 0x82580ebfu, 0x801eb0e6u, 0x81dcdad1u, 0x8493cc54u, 0x8551a663u,
                0x8717183au, 0x86d5720du, 0xa9e2d0a0u, 0xa820ba97u, 0xaa6604ceu, 0xaba46ef9u,
                0xaeeb787cu, 0xaf29124bu, 0xad6fac12u, 0xacadc625u, 0xa7f18118u, 0xa633eb2fu,
                0xa4755576u, 0xa5b73f41u, 0xa0f829c4u, 0xa13a43f3u, 0xa37cfdaau, 0xa2be979du,
                0xb5c473d0u, 0xb40619e7u, 0xb640a7beu, 0xb782cd89u, 0xb2cddb0cu, 0xb30fb13bu,
                0xb1490f62u, 0xb08b6555u, 0xbbd72268u, 0xba15485fu, 0xb853f606u, 0xb9919c31u,
                0xbcde8ab4u, 0xbd1ce083u, 0xbf5a5edau, 0xbe9834edu,
        },
        {
                0x00000000u, 0xb8bc6765u, 0xaa09c88bu, 0x12b5afeeu, 0x8f629757u, 0x37def032u,
                0x256b5fdcu, 0x9dd738b9u, 0xc5b428efu, 0x7d084f8au, 0x6fbde064u, 0xd7018701u,
                0x4ad6bfb8u, 0xf26ad8ddu, 0xe0df7733u, 0x58631056u, 0x5019579fu, 0xe8a530fau,
                0xfa109f14u, 0x42acf871u, 0xdf7bc0c8u, 0x67c7a7adu, 0x75720843u, 0xcdce6f26u,
                0x95ad7f70u, 0x2d111815u, 0x3fa4b7fbu, 0x8718d09eu, 0x1acfe827u, 0xa2738f42u,
                0xb0c620acu, 0x087a47c9u, 0xa032af3eu, 0x188ec85bu, 0x0a3b67b5u, 0xb28700d0u,
                0x2f503869u, 0x97ec5f0cu, 0x8559f0e2u, 0x3de59787u, 0x658687d1u, 0xdd3ae0b4u,
                0xcf8f4f5au, 0x7733283fu, 0xeae41086u, 0x525877e3u, 0x40edd80du, 0xf851bf68u,
                0xf02bf8a1u, 0x48979fc4u, 0x5a22302au, 0xe29e574fu, 0x7f496ff6u, 0xc7f50893u,
                0xd540a77du, 0x6dfcc018u, 0x359fd04eu, 0x8d23b72bu, 0x9f9618c5u, 0x272a7fa0u,
                0xbafd4719u, 0x0241207cu, 0x10f48f92u, 0xa848e8f7u, 0x9b14583du, 0x23a83f58u,
                0x311d90b6u, 0x89a1f7d3u, 0x1476cf6au, 0xaccaa80fu, 0xbe7f07e1u, 0x06c36084u,
                0x5ea070d2u, 0xe61c17b7u, 0xf4a9b859u, 0x4c15df3cu, 0xd1c2e785u, 0x697e80e0u,
                0x7bcb2f0eu, 0xc377486bu, 0xcb0d0fa2u, 0x73b168c7u, 0x6104c729u, 0xd9b8a04cu,
                0x446f98f5u, 0xfcd3ff90u, 0xee66507eu, 0x56da371bu, 0x0eb9274du, 0xb6054028u,
                0xa4b0efc6u, 0x1c0c88a3u, 0x81dbb01au, 0x3967d77fu, 0x2bd27891u, 0x936e1ff4u,
                0x3b26f703u, 0x839a9066u, 0x912f3f88u, 0x299358edu, 0xb4446054u, 0x0cf80731u,
                0x1e4da8dfu, 0xa6f1cfbau, 0xfe92dfecu, 0x462eb889u, 0x549b1767u, 0xec277002u,
                0x71f048bbu, 0xc94c2fdeu, 0xdbf98030u, 0x6345e755u, 0x6b3fa09cu, 0xd383c7f9u,
                0xc1366817u, 0x798a0f72u, 0xe45d37cbu, 0x5ce150aeu, 0x4e54ff40u, 0xf6e89825u,
                0xae8b8873u, 0x1637ef16u, 0x048240f8u, 0xbc3e279du, 0x21e91f24u, 0x99557841u,
                0x8be0d7afu, 0x335cb0cau, 0xed59b63bu, 0x55e5d15eu, 0x47507eb0u, 0xffec19d5u,
                0x623b216cu, 0xda874609u, 0xc832e9e7u, 0x708e8e82u, 0x28ed9ed4u, 0x9051f9b1u,
                0x82e4565fu, 0x3a58313au, 0xa78f0983u, 0x1f336ee6u, 0x0d86c108u, 0xb53aa66du,
                0xbd40e1a4u, 0x05fc86c1u, 0x1749292fu, 0xaff54e4au, 0x322276f3u, 0x8a9e1196u,
                0x982bbe78u, 0x2097d91du, 0x78f4c94bu, 0xc048ae2eu, 0xd2fd01c0u, 0x6a4166a5u,
                0xf7965e1cu, 0x4f2a3979u, 0x5d9f9697u, 0xe523f1f2u, 0x4d6b1905u, 0xf5d77e60u,
                0xe762d18eu, 0x5fdeb6ebu, 0xc2098e52u, 0x7ab5e937u, 0x680046d9u, 0xd0bc21bcu,
                0x88df31eau, 0x3063568fu, 0x22d6f961u, 0x9a6a9e04u, 0x07bda6bdu, 0xbf01c1d8u,
                0xadb46e36u, 0x15080953u, 0x1d724e9au, 0xa5ce29ffu, 0xb77b8611u, 0x0fc7e174u,
                0x9210d9cdu, 0x2aacbea8u, 0x38191146u, 0x80a57623u, 0xd8c66675u, 0x607a0110u,
                0x72cfaefeu, 0xca73c99bu, 0x57a4f122u, 0xef189647u, 0xfdad39a9u, 0x45115eccu,
                0x764dee06u, 0xcef18963u, 0xdc44268du, 0x64f841e8u, 0xf92f7951u, 0x41931e34u,
                0x5326b1dau, 0xeb9ad6bfu, 0xb3f9c6e9u, 0x0b45a18cu, 0x19f00e62u, 0xa14c6907u,
                0x3c9b51beu, 0x842736dbu, 0x96929935u, 0x2e2efe50u, 0x2654b999u, 0x9ee8defcu,
                0x8c5d7112u, 0x34e11677u, 0xa9362eceu, 0x118a49abu, 0x033fe645u, 0xbb838120u,
                0xe3e09176u, 0x5b5cf613u, 0x49e959fdu, 0xf1553e98u, 0x6c820621u, 0xd43e6144u,
                0xc68bceaau, 0x7e37a9cfu, 0xd67f4138u, 0x6ec3265du, 0x7c7689b3u, 0xc4caeed6u,
                0x591dd66fu, 0xe1a1b10au, 0xf3141ee4u, 0x4ba87981u, 0x13cb69d7u, 0xab770eb2u,
                0xb9c2a15cu, 0x017ec639u, 0x9ca9fe80u, 0x241599e5u, 0x36a0360bu, 0x8e1c516eu,
                0x866616a7u, 0x3eda71c2u, 0x2c6fde2cu, 0x94d3b949u, 0x090481f0u, 0xb1b8e695u,
                0xa30d497bu, 0x1bb12e1eu, 0x43d23e48u, 0xfb6e592du, 0xe9dbf6c3u, 0x516791a6u,
                0xccb0a91fu, 0x740cce7au, 0x66b96194u, 0xde0506f1u,
        },
};

typedef uint32_t __attribute__((may_alias)) crc_word;

uint32_t remote_fw_crc32(const void *data, size_t n)
{
        const uint8_t *p = data;
        uint32_t crc = 0xffffffffu;

        if (p == NULL)
                n = 0;
        for (; n && ((uintptr_t)p & 3) != 0; n--)
                crc = (crc >> 8) ^ crc32_table[0][(crc ^ *p++) & 0xff];
        for (; n >= 4; n -= 4, p += 4) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                crc ^= *(const crc_word *)p;
#else
                crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                       (uint32_t)p[3] << 24;
#endif
                crc = crc32_table[3][crc & 0xff] ^ crc32_table[2][(crc >> 8) & 0xff] ^
                      crc32_table[1][(crc >> 16) & 0xff] ^ crc32_table[0][crc >> 24];
        }
        while (n--)
                crc = (crc >> 8) ^ crc32_table[0][(crc ^ *p++) & 0xff];
        return crc ^ 0xffffffffu;
}
#endif

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
