/*
 * remote_fw.c - rproc-bundle host-side kit: the image descriptors (find an
 * image carried inside the host, verify its recorded CRC-32) and the error
 * messages. See remote_fw.h and docs/kit.md ("Descriptors and
 * remote_fw_find", "remote_fw_verify and remote_fw_crc32"). Validating and
 * loading the ELF is remote_fw_elf.c, the resource table remote_fw_rsc.c,
 * the CRC-32 remote_fw_crc32.c.
 *
 * C99, freestanding: no libc (not even strcmp), no dynamic memory. The
 * descriptors are read through volatile pointers: `bundle` patches their
 * bytes after the link.
 */
#include "remote_fw.h"
#include "remote_fw_bounds.h"

/*
 * Bounds of the descriptor section. GNU ld and ld.lld define them for an
 * orphan section whose name is a C identifier, and remote_fw.ld PROVIDEs them;
 * weak so that a host that declares no image still links (both are then 0).
 */
extern const struct remote_fw_desc __start_remote_fw_desc[] __attribute__((weak));
extern const struct remote_fw_desc __stop_remote_fw_desc[] __attribute__((weak));

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

/* Private to the kit (remote_fw_bounds.h): the flags of the descriptor named
 * name, and whether the linker filled it (pre-link flow). */
int remote_fw_desc_flags(const char *name, uint32_t *flags, int *linked)
{
        const volatile struct remote_fw_desc *d;
        int err;

        if (name == NULL)
                return REMOTE_FW_EINVAL;
        err = desc_find(name, &d);
        if (err)
                return err;
        *flags = d->flags;
        *linked = d->start != NULL && d->end != NULL && d->end > d->start;
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
        case REMOTE_FW_EFITUNSIGNED:    return "FIT configuration not signed";
        case REMOTE_FW_EFITSIG:         return "FIT signature invalid or by no trusted key";
        case REMOTE_FW_EFITSIGALGO:     return "FIT signature algorithm, padding or size not supported";
        case REMOTE_FW_EFITSIGHASH:     return "signed FIT image without a sha256 hash";
        case REMOTE_FW_EFITSIGCONF:     return "FIT signature made for another configuration";
        case REMOTE_FW_EFITLAYOUT:      return "FIT layout a signature cannot cover";
        case REMOTE_FW_EFITUNIT:        return "FIT node name with a unit address or a duplicate on the signed path";
        case REMOTE_FW_EFITNODES:       return "FIT hashed-nodes differs from the configuration's nodes";
        case REMOTE_FW_EUNSIGNED:       return "image not signed: no manifest";
        case REMOTE_FW_ESIGNATURE:      return "signature invalid or made by no trusted key";
        case REMOTE_FW_EROLLBACK:       return "security counter below the minimum: older firmware refused";
        case REMOTE_FW_EDIGEST:         return "loaded bytes differ from the signed hash: erased";
        case REMOTE_FW_EMANIFEST:       return "malformed manifest or fields outside the signature";
        case REMOTE_FW_EMISMATCH:       return "image differs from its manifest: stem, segments, entry or resource table";
        default:                        return "unknown error";
        }
}
