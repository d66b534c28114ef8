/*
 * remote_fw.h - find, check and load a remote core's ELF image carried inside
 * the host image (rproc-bundle host-side kit).
 *
 * C99, freestanding: needs nothing from libc, no dynamic memory. Works for
 * ELF32 and ELF64 images of either byte order, on little- and big-endian hosts.
 *
 *     #include "remote_fw.h"
 *     REMOTE_FW_DECLARE(remote_elf);      // once per image, at file scope
 *
 *     struct remote_fw_image img;
 *     if (remote_fw_find("remote_elf", &img) == 0 && remote_fw_verify(&img) == 0)
 *             remote_fw_load(&img, regions, n_regions, &entry);
 *
 * One host source works with both flows:
 *  - pre-link: `bundle object` made an object defining _binary_<stem>_start/_end;
 *    the linker fills the descriptor's start/end pointers;
 *  - post-link: the host links with the weak references left at 0, and
 *    `bundle host.elf remote.elf` writes base, size and CRC-32 into the
 *    descriptor's file bytes.
 */
#ifndef REMOTE_FW_H
#define REMOTE_FW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- error codes: every function returns 0 or one of these ---------------- */
#define REMOTE_FW_OK         0
#define REMOTE_FW_EINVAL    -1  /* a NULL or otherwise invalid argument */
#define REMOTE_FW_ENOENT    -2  /* no image declared under that name */
#define REMOTE_FW_ENOTBUNDLED -3 /* declared, but no image bundled or linked yet */
#define REMOTE_FW_ENOCSUM   -4  /* no checksum recorded (pre-link flow) */
#define REMOTE_FW_ECSUM     -5  /* checksum mismatch: the image is corrupt */
#define REMOTE_FW_ENOTELF   -6  /* not an ELF image, or a class/version we do not know */
#define REMOTE_FW_EBOUNDS   -7  /* a header, table or segment lies outside the image */
#define REMOTE_FW_ESEGMENT  -8  /* a PT_LOAD with p_filesz > p_memsz or an address overflow */
#define REMOTE_FW_EREGION   -9  /* a PT_LOAD not wholly inside one allowed region */
#define REMOTE_FW_EOVERLAP -10  /* a PT_LOAD would overwrite the image being loaded */
#define REMOTE_FW_ENORSC   -11  /* no .resource_table section */
#define REMOTE_FW_ERSC     -12  /* the resource table is malformed */
#define REMOTE_FW_ENOLOAD  -13  /* the image has no PT_LOAD segment with bytes */
#define REMOTE_FW_EDESC    -14  /* the descriptor is corrupt (bad magic, version or size) */
/* reasons of the OpenAMP rules (REMOTE_FW_CHECK_OPENAMP, remote_fw_openamp.h) */
#define REMOTE_FW_ESECTION -15  /* section headers, .shstrtab or a section name malformed */
#define REMOTE_FW_ELIMIT   -16  /* beyond the loader's limits: a size of 2 GiB or more, > 255 program headers */
#define REMOTE_FW_EENDIAN  -17  /* the image's byte order (EI_DATA) is not the host's */
#define REMOTE_FW_EEMPTY   -18  /* a PT_LOAD with p_memsz 0 (OpenAMP cannot map it) */
#define REMOTE_FW_EIO      -19  /* a load request outside the io region, or a short copy into it */
/* reasons of the FIT part (remote_fw_fit.h) */
#define REMOTE_FW_EFDT     -20  /* not a valid device tree: header, offsets, tokens, nesting, strings */
#define REMOTE_FW_EFIT     -21  /* FIT content malformed: no /images, or a bad data, load or entry property */
#define REMOTE_FW_ENOCONF  -22  /* the configuration asked for (or the default) does not exist */
#define REMOTE_FW_ENOIMAGE -23  /* no kernel in the configuration, or it names a missing image */
#define REMOTE_FW_EHASH    -24  /* an image's hash does not match its data */
#define REMOTE_FW_EALGO    -25  /* a hash node with an unknown algo (not crc32, sha1, sha256) or a value of the wrong size */
#define REMOTE_FW_ENOHASH  -26  /* an image to load has no hash node */
#define REMOTE_FW_ETYPE    -27  /* wrong image type, or a kernel whose os is not linux */
#define REMOTE_FW_EARCH    -28  /* image built for another architecture than this core */
#define REMOTE_FW_ECOMP    -29  /* compression not supported (none and gzip are) */
#define REMOTE_FW_EINFLATE -30  /* corrupt compressed data: stream, CRC, size or trailer */
#define REMOTE_FW_EKERNEL  -31  /* bad kernel Image header: magic, 2 MiB alignment, image_size */
#define REMOTE_FW_ENOROOM  -32  /* no room in the device tree for /chosen's initrd properties */
#define REMOTE_FW_EENTRY   -33  /* the entry point lies outside the loaded kernel */
#define REMOTE_FW_EPIECES  -34  /* two pieces of the FIT would be loaded over each other */
/* FIT signatures (remote_fw_fit_load_opts with keys; docs/kit.md "Signed FITs") */
#define REMOTE_FW_EFITUNSIGNED -35  /* keys given, but the configuration booted has no signature node */
#define REMOTE_FW_EFITSIG      -36  /* no signature of the configuration verifies with a given key */
#define REMOTE_FW_EFITSIGALGO  -37  /* signature algo, padding or value not sha256,rsa2048/3072/4096 pkcs-1.5/pss */
#define REMOTE_FW_EFITSIGHASH  -38  /* a signed image without a sha256 hash node (crc32 and sha1 can be forged) */
#define REMOTE_FW_EFITSIGCONF  -39  /* CVE-2020-10648: the signature was made for another configuration */
#define REMOTE_FW_EFITLAYOUT   -40  /* CVE-2021-27097: blocks overlap, bytes after FDT_END, hashed-strings or a name outside the signed strings */
#define REMOTE_FW_EFITUNIT     -41  /* CVE-2021-27138: '@' or '/' in a node name on the signed path, or two siblings of one name */
#define REMOTE_FW_EFITNODES    -42  /* hashed-nodes is not the node list of the configuration (the 2026 issue) */
/* reasons of the authenticated load (remote_fw_auth.c, docs/kit.md "Authenticated remotes") */
#define REMOTE_FW_EUNSIGNED  -43 /* no signed manifest: the descriptor does not say REMOTE_FW_F_SIGNED */
#define REMOTE_FW_ESIGNATURE -44 /* the signature does not verify under any trusted key */
#define REMOTE_FW_EROLLBACK  -45 /* the manifest's security counter is below the host's minimum */
#define REMOTE_FW_EDIGEST    -46 /* bytes read back from a destination differ from the signed SHA-256 */
#define REMOTE_FW_EMANIFEST  -47 /* the manifest is malformed, or carries fields outside the signature */
#define REMOTE_FW_EMISMATCH  -48 /* the ELF is not the one signed: stem, PT_LOADs, entry or resource table differ */

/* ---- the public API (README "The host-side kit", docs/kit.md) -------------- */
struct remote_fw_image {
        const uint8_t *base;    /* first byte of the embedded ELF image */
        size_t size;            /* its length in bytes */
        const char *name;       /* the stem, e.g. "remote_elf" */
};

struct remote_fw_region {
        uintptr_t start;        /* first byte the loader may write */
        size_t size;            /* bytes from start */
};

int remote_fw_find(const char *name, struct remote_fw_image *img);
int remote_fw_verify(const struct remote_fw_image *img);
int remote_fw_rsc_table(const struct remote_fw_image *img,
                        const void **table, size_t *size);
int remote_fw_load(const struct remote_fw_image *img,
                   const struct remote_fw_region *allowed, size_t n_allowed,
                   uintptr_t *entry);
const char *remote_fw_strerror(int err);

/*
 * The check-only pass: every rule remote_fw_load applies, without writing a
 * byte. remote_fw_load is this pass followed by the copy; the OpenAMP image
 * store (remote_fw_openamp.c) runs it with REMOTE_FW_CHECK_OPENAMP before
 * OpenAMP reads a byte of the image. The rules:
 *   always   ELF identification and header; program header table and every
 *            PT_LOAD inside the image; p_filesz <= p_memsz; no address
 *            overflow; e_entry addressable; at least one PT_LOAD with bytes.
 *   REMOTE_FW_CHECK_REGIONS  every PT_LOAD wholly inside one of `allowed`
 *            and off the image itself (what remote_fw_load adds).
 *   REMOTE_FW_CHECK_OPENAMP  what OpenAMP's remoteproc_load trusts: EI_DATA
 *            the host's; e_phnum <= 255 (no PN_XNUM); when e_shnum != 0 (even
 *            with e_shoff 0) e_shentsize, the section header table, a
 *            NUL-terminated .shstrtab and every sh_name inside it; the first
 *            .resource_table, if any, inside the image and valid by Linux's
 *            rules with 4-byte aligned entries; every size and offset below
 *            2^31; no PT_LOAD with p_memsz 0.
 * Returns 0 and sets *entry (may be NULL) to e_entry, or a REMOTE_FW_E... code.
 */
#define REMOTE_FW_CHECK_REGIONS 0x1u
#define REMOTE_FW_CHECK_OPENAMP 0x2u
int remote_fw_check(const struct remote_fw_image *img, unsigned int rules,
                    const struct remote_fw_region *allowed, size_t n_allowed,
                    uintptr_t *entry);

/*
 * Authenticated load (remote_fw_auth.c; docs/kit.md "Authenticated remotes").
 * img comes from remote_fw_find; the signed manifest lies at the first
 * 8-aligned address after the image: post-link the descriptor says
 * REMOTE_FW_F_SIGNED; pre-link (`bundle object --sign`) the manifest's header
 * there is the sign, so the kit reads 16 bytes after _binary_<stem>_end.
 * In order, before one byte is written: the manifest's bounds and layout, its
 * Ed25519 signature under one of trust->ed25519_keys, its security counter
 * against trust->min_security_counter, then that it describes this ELF (stem,
 * every PT_LOAD in order, e_entry, the resource table) and remote_fw_load's
 * rules. Then each PT_LOAD is loaded, read back and hashed; on a mismatch
 * every written range is zeroed and REMOTE_FW_EDIGEST returned.
 * Units: remote_fw_auth.c, remote_fw_ed25519.c, remote_fw_sha512.c,
 * remote_fw_sha256.c beside the core units.
 */
struct remote_fw_trust {
        const uint8_t (*ed25519_keys)[32];      /* accepted public keys */
        size_t n_keys;
        uint32_t min_security_counter;          /* refuse a lower counter */
};
int remote_fw_load_authenticated(const struct remote_fw_image *img,
                                 const struct remote_fw_trust *trust,
                                 const struct remote_fw_region *allowed, size_t n_allowed,
                                 uintptr_t *entry);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of n bytes: the checksum
 * `bundle` records. Exposed so a host can check an image it received another way. */
uint32_t remote_fw_crc32(const void *data, size_t n);

/* ---- the descriptor --------------------------------------------------------
 * One per REMOTE_FW_DECLARE, in the section "remote_fw_desc". The layout is a
 * contract with `bundle` (bundler/postlink/descriptor.py): offsets are the same on every
 * 32-bit ABI and on every 64-bit ABI; P is the pointer size (4 or 8).
 *
 *   off  field      written by
 *    0   magic      compiler: REMOTE_FW_DESC_MAGIC
 *    4   version    compiler: REMOTE_FW_DESC_VERSION
 *    6   desc_size  compiler: sizeof(struct remote_fw_desc) (56 or 64)
 *    8   flags      bundle:   REMOTE_FW_F_BUNDLED | REMOTE_FW_F_CRC32
 *                             [| REMOTE_FW_F_SIGNED]
 *   12   crc32      bundle:   CRC-32 of the image
 *   16   base       bundle:   image address as linked (sh_addr of its section)
 *   24   size       bundle:   image size in bytes
 *   32   link_addr  bundle:   this descriptor's own address as linked; a
 *                             relocated (position-independent) host adds
 *                             (address now - link_addr) to base
 *   40   name       compiler: the stem as a C string
 *   40+P start      linker:   &_binary_<stem>_start (weak: NULL post-link)
 *   40+2P end       linker:   &_binary_<stem>_end   (weak: NULL post-link)
 * All multi-byte fields are in the host's byte order.
 */
#define REMOTE_FW_DESC_MAGIC    0x44574652u     /* "RFWD" read little-endian */
#define REMOTE_FW_DESC_VERSION  1u
#define REMOTE_FW_F_BUNDLED     0x1u            /* base/size/link_addr valid */
#define REMOTE_FW_F_CRC32       0x2u            /* crc32 valid */
#define REMOTE_FW_F_SIGNED      0x4u            /* a signed manifest follows the image, 8-aligned */

struct remote_fw_desc {
        uint32_t magic;
        uint16_t version;
        uint16_t desc_size;
        uint32_t flags;
        uint32_t crc32;
        uint64_t base;
        uint64_t size;
        uint64_t link_addr;
        const char *name;
        const uint8_t *start;
        const uint8_t *end;
} __attribute__((aligned(8)));

/* C99 compile-time checks of the layout above. */
#define REMOTE_FW__CHECK(name, cond) typedef char remote_fw__check_##name[(cond) ? 1 : -1]
REMOTE_FW__CHECK(off_flags, offsetof(struct remote_fw_desc, flags) == 8);
REMOTE_FW__CHECK(off_crc32, offsetof(struct remote_fw_desc, crc32) == 12);
REMOTE_FW__CHECK(off_base, offsetof(struct remote_fw_desc, base) == 16);
REMOTE_FW__CHECK(off_size, offsetof(struct remote_fw_desc, size) == 24);
REMOTE_FW__CHECK(off_link, offsetof(struct remote_fw_desc, link_addr) == 32);
REMOTE_FW__CHECK(off_name, offsetof(struct remote_fw_desc, name) == 40);
REMOTE_FW__CHECK(off_start, offsetof(struct remote_fw_desc, start) == 40 + sizeof(void *));
REMOTE_FW__CHECK(off_end, offsetof(struct remote_fw_desc, end) == 40 + 2 * sizeof(void *));
REMOTE_FW__CHECK(desc_size, sizeof(struct remote_fw_desc) == (sizeof(void *) == 8 ? 64 : 56));

/*
 * SHF_GNU_RETAIN for the descriptors where the toolchain has it (`retain`:
 * GCC 11+ built with binutils 2.36+, clang 13+). ld.lld 13+ defaults to
 * -z start-stop-gc: a reference to __start_/__stop_ no longer keeps a section
 * alive, so without remote_fw.ld's KEEP and without retain, ld.lld collects
 * the descriptors under --gc-sections (measured with ld.lld 14). GCC accepts
 * the attribute even where its assembler cannot honour it (Debian's
 * arm-none-eabi-gcc 12 warns "'retain' attribute ignored"), so for GCC the
 * warning is silenced around the definition; there GNU ld still keeps the
 * section through remote_fw.c's __start_/__stop_ references.
 */
#if defined(__clang__)
#if defined(__has_attribute)
#if __has_attribute(retain)
#define REMOTE_FW__RETAIN __attribute__((retain))
#endif
#endif
#define REMOTE_FW__PUSH
#define REMOTE_FW__POP
#elif defined(__GNUC__)
#define REMOTE_FW__RETAIN __attribute__((retain))
#define REMOTE_FW__PUSH _Pragma("GCC diagnostic push")                        \
                        _Pragma("GCC diagnostic ignored \"-Wattributes\"")
#define REMOTE_FW__POP _Pragma("GCC diagnostic pop")
#else
#define REMOTE_FW__PUSH
#define REMOTE_FW__POP
#endif
#ifndef REMOTE_FW__RETAIN
#define REMOTE_FW__RETAIN
#endif

/*
 * REMOTE_FW_DECLARE(stem): reserve the descriptor of the image whose symbols are
 * _binary_<stem>_start/_end. At file scope, once per image. The descriptor is
 * kept under --gc-sections: it is `used` and, where the toolchain can, `retain`;
 * remote_fw.c references the section's __start_/__stop_ symbols (which GNU ld
 * keeps alive); and remote_fw.ld KEEPs it. The macro ends with a redeclaration
 * of the descriptor so that the caller's `;` closes it after the pragmas.
 */
#define REMOTE_FW_DECLARE(stem)                                                \
        extern const uint8_t _binary_##stem##_start[] __attribute__((weak));  \
        extern const uint8_t _binary_##stem##_end[] __attribute__((weak));    \
        REMOTE_FW__PUSH                                                        \
        const struct remote_fw_desc remote_fw_desc_##stem                     \
                __attribute__((section("remote_fw_desc"), used, aligned(8)))  \
                REMOTE_FW__RETAIN = {                                          \
                REMOTE_FW_DESC_MAGIC, REMOTE_FW_DESC_VERSION,                 \
                (uint16_t)sizeof(struct remote_fw_desc), 0u, 0u, 0u, 0u, 0u,  \
                #stem, _binary_##stem##_start, _binary_##stem##_end };        \
        REMOTE_FW__POP                                                         \
        extern const struct remote_fw_desc remote_fw_desc_##stem

#ifdef __cplusplus
}
#endif

#endif /* REMOTE_FW_H */
