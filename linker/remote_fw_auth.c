/*
 * remote_fw_auth.c - rproc-bundle kit: the authenticated load
 * (remote_fw_load_authenticated, remote_fw.h; docs/kit.md "Authenticated
 * remotes"). Owns the kit's reading of the signed manifest `bundle --sign`
 * writes after an image (the format: docs/kit.md "The manifest"); the ELF
 * rules, the copy and the crypto are the other units' (remote_fw_elf.c,
 * remote_fw_rsc.c, remote_fw_ed25519.c, remote_fw_sha256.c).
 *
 * Order, and nothing written before step 6:
 *   1. the descriptor says REMOTE_FW_F_SIGNED (post-link), or the linker
 *      filled it and a manifest header follows _binary_<stem>_end
 *      (pre-link), else EUNSIGNED;
 *   2. the manifest's header and its one unsigned field (the signature) are
 *      in shape, else EMANIFEST;
 *   3. the Ed25519 signature over the signed part verifies under one trusted
 *      key, else ESIGNATURE;
 *   4. the signed fields parse strictly, else EMANIFEST; the counter is at
 *      least the minimum, else EROLLBACK;
 *   5. the ELF is the one signed (stem, every PT_LOAD in order, e_entry,
 *      resource table), else EMISMATCH; then remote_fw_load's rules;
 *   6. load every PT_LOAD, read each back and compare its SHA-256; on a
 *      mismatch zero every written range, EDIGEST.
 *
 * C99, freestanding: no libc, no dynamic memory; every manifest field is read
 * byte by byte (any alignment) after a bounds check.
 */
#include "remote_fw_elf.h"
#include "remote_fw_bytes.h"
#include "remote_fw_ed25519.h"
#include "remote_fw_sha256.h"

/* The manifest format, version 1 (all little-endian; docs/kit.md). */
#define MANIFEST_MAGIC          0x53574652u     /* "RFWS" read little-endian */
#define MANIFEST_VERSION        1u
#define MANIFEST_HEADER         16u
#define MANIFEST_MAX            65536u
#define TLV_HEADER              4u
#define TLV_STEM                0x01u
#define TLV_KEY_ID              0x02u
#define TLV_COUNTER             0x03u
#define TLV_VERSION             0x04u
#define TLV_ENTRY               0x05u
#define TLV_RSC_TABLE           0x06u
#define TLV_SEGMENT             0x07u
#define TLV_SIGNATURE           0x80u
#define KEY_ID_SIZE             8u
#define SEGMENT_SIZE            56u     /* p_paddr, p_filesz, p_memsz (u64 each), SHA-256 */
#define STEM_MAX                255u

/* The length of each signed field by type (0: checked by its own rule). */
static const uint8_t field_size[TLV_SEGMENT + 1] = {
        0, 0, KEY_ID_SIZE, 4, 4, 8, 0, SEGMENT_SIZE,
};

static inline uint16_t le16(const uint8_t *p)
{
        return (uint16_t)(p[0] | p[1] << 8);
}

/* What the signed fields say, as offsets into the manifest. */
struct manifest {
        const uint8_t *m;
        uint32_t signed_size;
        uint32_t stem, stem_len;
        uint32_t counter, counter_at;   /* its value, and where it is */
        uint64_t entry;
        uint32_t rsc, rsc_len;          /* rsc_len 0: signed as having no table */
        uint32_t seg, n_seg;            /* first SEGMENT TLV; they are contiguous */
};

/* Steps 1-2: the manifest after the image, its header and its signature field. */
static int manifest_locate(const struct remote_fw_image *img, struct manifest *mf,
                           const uint8_t **sig)
{
        uint32_t flags, total;
        uintptr_t end, at;
        const uint8_t *m;
        int err, linked;

        err = remote_fw_desc_flags(img->name, &flags, &linked);
        if (err)
                return err;
        if (!(flags & REMOTE_FW_F_SIGNED) && !linked)
                return REMOTE_FW_EUNSIGNED;
        end = (uintptr_t)img->base + img->size;
        if (end < (uintptr_t)img->base || end > UINTPTR_MAX - 7u)
                return REMOTE_FW_EMANIFEST;
        at = (end + 7u) & ~(uintptr_t)7u;
        if (at > UINTPTR_MAX - MANIFEST_MAX)
                return REMOTE_FW_EMANIFEST;
        m = (const uint8_t *)at;
        /* Pre-link, the header is the only sign (docs/kit.md): none, unsigned. */
        if (le32(m) != MANIFEST_MAGIC || le16(m + 4) != MANIFEST_VERSION ||
            le16(m + 6) != MANIFEST_HEADER)
                return (flags & REMOTE_FW_F_SIGNED) ? REMOTE_FW_EMANIFEST : REMOTE_FW_EUNSIGNED;
        mf->m = m;
        mf->signed_size = le32(m + 8);
        total = le32(m + 12);
        if (mf->signed_size < MANIFEST_HEADER || (mf->signed_size & 3u) != 0 ||
            mf->signed_size > MANIFEST_MAX - TLV_HEADER - REMOTE_FW_ED25519_SIG_SIZE ||
            total != mf->signed_size + TLV_HEADER + REMOTE_FW_ED25519_SIG_SIZE)
                return REMOTE_FW_EMANIFEST;     /* also: any unsigned field but the signature */
        if (le16(m + mf->signed_size) != TLV_SIGNATURE ||
            le16(m + mf->signed_size + 2) != REMOTE_FW_ED25519_SIG_SIZE)
                return REMOTE_FW_EMANIFEST;
        *sig = m + mf->signed_size + TLV_HEADER;
        return 0;
}

/*
 * Fault resistance (docs/kit.md "Fault resistance"): every decision that
 * lets an image in is taken twice, and what passed is recorded as a proof
 * word, a constant no skipped instruction can make out of 0 or a code. The
 * public function loads only with all three proofs, checks them again
 * before it reports success, and zeroes what it wrote on any doubt.
 */
#define PROOF_SIGNATURE         0x5ac3e19bu
#define PROOF_DIGEST            0xa3965c2du
#define PROOF_WRITTEN           0x3c69a5d2u

struct proofs {
        volatile uint32_t signature, digest, written;
        volatile uint32_t counter;      /* the signed counter, read again before the write */
        struct elf e;
        struct phdrs ph;                /* e_phnum 0 until the ELF is checked */
};

/* Step 3: one trusted key verifies the signature over the signed part:
 * PROOF_SIGNATURE, else 0. A key that verifies is verified again: a skipped
 * instruction inside one verification cannot make both say 0. */
static uint32_t signature_ok(const struct manifest *mf, const uint8_t *sig,
                             const struct remote_fw_trust *trust)
{
        volatile int v;
        size_t k;

        for (k = 0; k < trust->n_keys; k++) {
                v = -1;
                v = remote_fw_ed25519_verify(sig, trust->ed25519_keys[k], mf->m, mf->signed_size);
                if (v != 0)
                        continue;
                v = -1;
                v = remote_fw_ed25519_verify(sig, trust->ed25519_keys[k], mf->m, mf->signed_size);
                if (v == 0 && v == 0)
                        return PROOF_SIGNATURE;
        }
        return 0;
}

/* Step 4: the signed TLVs, strictly: each kind once, in type order, SEGMENTs
 * last (at least one), exact lengths, zero padding, nothing left over. */
static int manifest_parse(struct manifest *mf)
{
        const uint8_t *m = mf->m;
        uint32_t off = MANIFEST_HEADER, want = TLV_STEM;

        mf->stem = mf->stem_len = mf->counter = mf->counter_at = mf->rsc = mf->rsc_len = 0;
        mf->seg = mf->n_seg = 0;
        mf->entry = 0;
        while (off < mf->signed_size) {
                uint32_t type, len, padded, i;

                if (mf->signed_size - off < TLV_HEADER)
                        return REMOTE_FW_EMANIFEST;
                type = le16(m + off);
                len = le16(m + off + 2);
                padded = (len + 3u) & ~3u;
                if (padded > mf->signed_size - off - TLV_HEADER)
                        return REMOTE_FW_EMANIFEST;
                for (i = len; i < padded; i++)
                        if (m[off + TLV_HEADER + i] != 0)
                                return REMOTE_FW_EMANIFEST;
                /* want runs STEM..SEGMENT, then TLV_SEGMENT + 1: more SEGMENTs only */
                if (type != (want <= TLV_SEGMENT ? want : TLV_SEGMENT))
                        return REMOTE_FW_EMANIFEST;
                off += TLV_HEADER;
                if (field_size[type] != 0 && len != field_size[type])
                        return REMOTE_FW_EMANIFEST;
                switch (type) {
                case TLV_STEM:
                        if (len == 0 || len > STEM_MAX)
                                return REMOTE_FW_EMANIFEST;
                        mf->stem = off;
                        mf->stem_len = len;
                        break;
                case TLV_COUNTER:
                        mf->counter = le32(m + off);
                        mf->counter_at = off;
                        break;
                case TLV_ENTRY:
                        mf->entry = le64(m + off);
                        break;
                case TLV_RSC_TABLE:
                        if (len != 0 && len != 32)
                                return REMOTE_FW_EMANIFEST;
                        mf->rsc = off;
                        mf->rsc_len = len;
                        break;
                case TLV_SEGMENT:
                        if (mf->n_seg++ == 0)
                                mf->seg = off - TLV_HEADER;
                        break;
                default:        /* KEY_ID, VERSION: for the signer's tools, not the load */
                        break;
                }
                off += padded;
                if (want <= TLV_SEGMENT)
                        want++;
        }
        return mf->n_seg == 0 ? REMOTE_FW_EMANIFEST : 0;
}

/* The k-th signed segment's fields (k < n_seg). */
static const uint8_t *signed_segment(const struct manifest *mf, uint32_t k)
{
        return mf->m + mf->seg + k * (TLV_HEADER + SEGMENT_SIZE) + TLV_HEADER;
}

static int bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
        uint8_t diff = 0;
        size_t i;

        for (i = 0; i < n; i++)
                diff |= (uint8_t)(a[i] ^ b[i]);
        return diff == 0;
}

/* Step 5: this ELF is the one signed. */
static int manifest_matches(const struct manifest *mf, const struct remote_fw_image *img,
                            const struct elf *e, const struct phdrs *ph)
{
        const void *table;
        size_t table_size;
        uint8_t digest[32];
        struct segment s;
        uint64_t i;
        uint32_t k = 0, j;
        int err;

        if (!str_is(mf->m + mf->stem, mf->stem_len, img->name))
                return REMOTE_FW_EMISMATCH;
        if (mf->entry != ph->e_entry)
                return REMOTE_FW_EMISMATCH;
        for (i = 0; i < ph->e_phnum; i++) {
                const uint8_t *f;

                if (!remote_fw_elf_segment(e, ph, i, &s))
                        continue;
                if (k == mf->n_seg)
                        return REMOTE_FW_EMISMATCH;     /* a PT_LOAD more than signed */
                f = signed_segment(mf, k++);
                if (le64(f) != s.p_paddr || le64(f + 8) != s.p_filesz || le64(f + 16) != s.p_memsz)
                        return REMOTE_FW_EMISMATCH;
        }
        if (k != mf->n_seg)
                return REMOTE_FW_EMISMATCH;             /* a signed PT_LOAD is gone */
        /* Signed segments never overlap each other: a later one would overwrite
         * an earlier one's checked bytes. */
        for (k = 0; k < mf->n_seg; k++)
                for (j = k + 1; j < mf->n_seg; j++) {
                        const uint8_t *a = signed_segment(mf, k), *b = signed_segment(mf, j);

                        if (le64(a + 16) != 0 && le64(b + 16) != 0 &&
                            overlaps(le64(a), le64(a + 16), le64(b), le64(b + 16)))
                                return REMOTE_FW_EOVERLAP;
                }
        err = remote_fw_rsc_table(img, &table, &table_size);
        if (err == REMOTE_FW_ENORSC)
                return mf->rsc_len == 0 ? 0 : REMOTE_FW_EMISMATCH;
        if (err)
                return err;
        if (mf->rsc_len == 0)
                return REMOTE_FW_EMISMATCH;
        remote_fw_sha256(table, table_size, digest);
        return bytes_eq(digest, mf->m + mf->rsc, 32) ? 0 : REMOTE_FW_EMISMATCH;
}

/* Step 6, the check: the destination holds the signed file bytes, then
 * zeros. Two verdicts on the same digest, by different code: 1 from
 * bytes_eq, and *diff or-ed with every difference (left 0 only if equal). */
static int readback_ok(const struct segment *s, const uint8_t *hash, volatile uint32_t *diff)
{
        const volatile uint8_t *dst = (const volatile uint8_t *)(uintptr_t)s->p_paddr;
        uint8_t digest[32];
        size_t i;

        remote_fw_sha256((const void *)(uintptr_t)s->p_paddr, (size_t)s->p_filesz, digest);
        for (i = (size_t)s->p_filesz; i < (size_t)s->p_memsz; i++)
                *diff |= dst[i];
        for (i = 0; i < 32; i++)
                *diff |= (uint32_t)(digest[i] ^ hash[i]);
        return bytes_eq(digest, hash, 32);
}

/* Zero every PT_LOAD's destination, then check it and zero it again where
 * it is not (a skipped store or loop test in one pass is caught by the
 * other). Returns REMOTE_FW_EDIGEST: a refusal stays in the return register
 * after the call even if the caller's own load of its code is skipped. */
static int erase_all(const struct proofs *p)
{
        struct segment s;
        uint64_t i;
        size_t j;
        int pass;

        for (pass = 0; pass < 2; pass++)
                for (i = 0; i < p->ph.e_phnum; i++) {
                        volatile uint8_t *dst;

                        if (!remote_fw_elf_segment(&p->e, &p->ph, i, &s))
                                continue;
                        dst = (volatile uint8_t *)(uintptr_t)s.p_paddr;
                        for (j = 0; j < (size_t)s.p_memsz; j++)
                                if (pass == 0 || dst[j] != 0)
                                        dst[j] = 0;
                }
        return REMOTE_FW_EDIGEST;
}

/* Steps 1-3. Not inlined, and called by the public function, not by
 * load_checked: the deepest call, the signature's, then stacks on a small
 * frame. */
static __attribute__((noinline)) int authenticate(const struct remote_fw_image *img,
                                                  const struct remote_fw_trust *trust,
                                                  struct manifest *mf, struct proofs *p)
{
        const uint8_t *sig;
        int err;

        err = manifest_locate(img, mf, &sig);
        if (err)
                return err;
        p->signature = signature_ok(mf, sig, trust);
        if (p->signature != PROOF_SIGNATURE)
                return REMOTE_FW_ESIGNATURE;
        return 0;
}

/* Steps 4-6 (the signature again before the write); on success the proofs
 * hold and 0 is returned. Not inlined: the caller's own test of the result
 * and of the proofs must stay its own code (inlined, a branch here skipped
 * could land on the caller's refusal path with 0 in hand). */
static __attribute__((noinline)) int load_checked(const struct remote_fw_image *img,
                                                  const struct remote_fw_trust *trust,
                                                  const struct remote_fw_region *allowed,
                                                  size_t n_allowed, struct manifest *mf,
                                                  struct proofs *p)
{
        struct segment s;
        uint64_t i;
        uint32_t k, good = 0;
        volatile uint32_t diff = 0;
        int err;

        err = manifest_parse(mf);
        if (err)
                return err;
        if (mf->counter < trust->min_security_counter)
                return REMOTE_FW_EROLLBACK;
        err = remote_fw_elf_check(img, 0, NULL, 0, &p->e, &p->ph);
        if (err)
                return err;
        err = manifest_matches(mf, img, &p->e, &p->ph);
        if (err)
                return err;
        err = remote_fw_elf_check(img, REMOTE_FW_CHECK_REGIONS, allowed, n_allowed, &p->e, &p->ph);
        if (err)
                return err;
        /* the signature and the counter again, before the first byte is
         * written; the counter read again from the signed bytes (a skip in
         * the parse's read cannot pass both) */
        if (p->signature != PROOF_SIGNATURE)
                return REMOTE_FW_ESIGNATURE;
        p->counter = le32(mf->m + mf->counter_at);
        if (p->counter < trust->min_security_counter)
                return REMOTE_FW_EROLLBACK;

        p->written = PROOF_WRITTEN;
        for (i = 0; i < p->ph.e_phnum; i++)
                if (remote_fw_elf_segment(&p->e, &p->ph, i, &s) && s.p_memsz != 0)
                        remote_fw_elf_load_segment(&p->e, &s);
        for (i = 0, k = 0; i < p->ph.e_phnum; i++) {
                if (!remote_fw_elf_segment(&p->e, &p->ph, i, &s))
                        continue;
                good += readback_ok(&s, signed_segment(mf, k++) + 24, &diff);
        }
        if (good != mf->n_seg || k != mf->n_seg || diff != 0)
                return erase_all(p);
        if (diff == 0 && good == mf->n_seg)
                p->digest = PROOF_DIGEST;
        return 0;
}

int remote_fw_load_authenticated(const struct remote_fw_image *img,
                                 const struct remote_fw_trust *trust,
                                 const struct remote_fw_region *allowed, size_t n_allowed,
                                 uintptr_t *entry)
{
        struct manifest mf;
        struct proofs p;
        volatile int err = REMOTE_FW_EINVAL;    /* a skipped store of the result leaves a refusal */

        if (!image_ok(img) || img->name == NULL || trust == NULL || entry == NULL ||
            (trust->ed25519_keys == NULL && trust->n_keys != 0) ||
            (allowed == NULL && n_allowed != 0))
                return REMOTE_FW_EINVAL;
        p.signature = p.digest = p.written = p.counter = 0;
        p.ph.e_phnum = 0;
        err = authenticate(img, trust, &mf, &p);
        if (err == 0)
                err = load_checked(img, trust, allowed, n_allowed, &mf, &p);
        if (err != 0) {
                if (p.written == PROOF_WRITTEN)
                        erase_all(&p);          /* again: zeroing on doubt */
                return err;
        }
        /* 0 is believed only with every proof, twice */
        if (p.signature != PROOF_SIGNATURE || p.digest != PROOF_DIGEST ||
            p.counter < trust->min_security_counter)
                goto doubt;
        if (p.digest != PROOF_DIGEST || p.signature != PROOF_SIGNATURE ||
            p.counter < trust->min_security_counter)
                goto doubt;
        *entry = (uintptr_t)p.ph.e_entry;
        return 0;
doubt:
        return erase_all(&p);
}
