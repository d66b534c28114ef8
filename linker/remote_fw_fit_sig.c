/*
 * remote_fw_fit_sig.c - rproc-bundle kit: U-Boot FIT configuration
 * signatures (doc/usage/fit/signature.rst), checked the way U-Boot does since
 * its 2026 fix and stricter where a published bypass lived. See
 * remote_fw_fit_sig.h and docs/kit.md ("Signed FITs").
 *
 * What is hashed is what U-Boot's fit_config_check_sig hashes: the structure
 * block walked token by token with a node list (fdt_find_regions: a listed
 * node's tag, name and properties except data, data-size, data-position and
 * data-offset; the tags of its children and of its parent's chain; the
 * FDT_END tag), then the first hashed-strings bytes of the strings block.
 * The node list is rebuilt here from the configuration's own image
 * references; the signature's hashed-nodes is only compared with it.
 *
 * Each published bypass layout has its own refusal:
 *   CVE-2020-10648  a signature copied from another configuration
 *                   (hashed-nodes without this one)         REMOTE_FW_EFITSIGCONF
 *   CVE-2021-27097  a structure U-Boot's walk would misread
 *                   (blocks overlapping, bytes after FDT_END,
 *                   hashed-strings outside the strings)      REMOTE_FW_EFITLAYOUT
 *   CVE-2021-27138  unit addresses: '@' (or '/') in a name on
 *                   the signed path, or two siblings alike  REMOTE_FW_EFITUNIT
 *   2026 hashed-nodes  a node list that is not the
 *                   configuration's                          REMOTE_FW_EFITNODES
 */
#include "remote_fw.h"
#include "remote_fw_bytes.h"
#include "remote_fw_fit_sig.h"
#include "remote_fw_sha256.h"

#define MAX_NODES REMOTE_FW_FIT_SIG_MAX_NODES
#define MAX_KEYS REMOTE_FW_FIT_MAX_KEYS

enum { K_ROOT, K_CONF, K_IMAGE, K_SUB };

/* The nodes a configuration's signature covers, by structure offset. */
struct signed_set {
        uint32_t node[MAX_NODES];
        uint32_t image[MAX_NODES];      /* K_SUB: the image node it belongs to */
        uint8_t kind[MAX_NODES];
        unsigned n;
};

/* ---- small readers ----------------------------------------------------------------- */

static int name_is(const struct fdt *f, uint32_t node, const char *s)
{
        uint32_t len;
        const uint8_t *name = remote_fw_fdt_node_name(f, node, &len);

        return str_is(name, len, s);
}

static int name_starts(const struct fdt *f, uint32_t node, const char *s)
{
        uint32_t len, i;
        const uint8_t *name = remote_fw_fdt_node_name(f, node, &len);

        for (i = 0; s[i]; i++)
                if (i >= len || name[i] != (uint8_t)s[i])
                        return 0;
        return 1;
}

/* The property token at off: its name (NUL-terminated, inside the strings
 * block: remote_fw_fdt_open checked it), value and length. */
static void prop_at(const struct fdt *f, uint32_t off, const uint8_t **name,
                    const uint8_t **val, uint32_t *len)
{
        const uint8_t *s = f->b + f->off_struct;

        *len = be32(s + off + 4);
        *val = s + off + 12;
        *name = f->b + f->off_strings + be32(s + off + 8);
}

/* The node's own properties: *off starts at the node; 1 with the next
 * property token's offset, 0 at the first subnode or END_NODE. */
static int next_prop(const struct fdt *f, uint32_t node, uint32_t *off)
{
        uint32_t next, tok;

        if (*off == node)
                (void)remote_fw_fdt_token(f, node, off);
        else
                (void)remote_fw_fdt_token(f, *off, off);
        for (;;) {
                tok = remote_fw_fdt_token(f, *off, &next);
                if (tok == FDT_PROP)
                        return 1;
                if (tok != FDT_NOP)
                        return 0;
                *off = next;
        }
}

static int cstr_is(const uint8_t *p, const char *s)
{
        uint32_t i;

        for (i = 0; s[i]; i++)
                if (p[i] != (uint8_t)s[i])
                        return 0;
        return p[i] == 0;
}

/* ---- layout: what U-Boot's region walk takes for granted (CVE-2021-27097) ---------- */

static int blocks_disjoint(const struct fdt *f)
{
        uint64_t s[4], e[4];
        uint32_t rsv = be32(f->b + FDT_O_OFF_MEM_RSVMAP);
        unsigned i, j, k;

        /* The reservation map ends with its all-zero entry (remote_fw_fdt_open
         * found it inside totalsize). */
        for (e[1] = rsv;; e[1] += 16) {
                unsigned zero = 1;

                for (k = 0; k < 16; k++)
                        zero &= f->b[e[1] + k] == 0;
                if (zero)
                        break;
        }
        s[0] = 0, e[0] = FDT_HDR_SIZE;
        s[1] = rsv, e[1] += 16;
        s[2] = f->off_struct, e[2] = (uint64_t)f->off_struct + f->size_struct;
        s[3] = f->off_strings, e[3] = (uint64_t)f->off_strings + f->size_strings;
        for (i = 0; i < 4; i++)
                for (j = i + 1; j < 4; j++)
                        if (s[i] < e[i] && s[j] < e[j] && s[i] < e[j] && s[j] < e[i])
                                return REMOTE_FW_EFITLAYOUT;
        return 0;
}

/* ---- names on the signed path (CVE-2021-27138) ------------------------------------- */

/* Every child of node: no '@' or '/' in its name, no two alike. At most
 * REMOTE_FW_FIT_SIG_MAX_CHILDREN of them: the sibling comparison is
 * quadratic, and a hostile FIT must not stall the boot. */
static int children_plain(const struct fdt *f, uint32_t node)
{
        uint32_t it = 0, c, len, i, first, n = 0;
        const uint8_t *name;

        while (remote_fw_fdt_next_child(f, node, &it, &c)) {
                if (++n > REMOTE_FW_FIT_SIG_MAX_CHILDREN)
                        return REMOTE_FW_ELIMIT;
                name = remote_fw_fdt_node_name(f, c, &len);
                for (i = 0; i < len; i++)
                        if (name[i] == '@' || name[i] == '/')
                                return REMOTE_FW_EFITUNIT;
                if (!remote_fw_fdt_subnode(f, node, name, len, &first) || first != c)
                        return REMOTE_FW_EFITUNIT;
        }
        return 0;
}

/* ---- the node list, rebuilt from the configuration (the 2026 fix) ------------------ */

static int add(struct signed_set *set, uint32_t node, uint8_t kind, uint32_t image)
{
        unsigned i;

        for (i = 0; i < set->n; i++)
                if (set->node[i] == node)
                        return 0;
        if (set->n >= MAX_NODES)
                return REMOTE_FW_ELIMIT;
        set->node[set->n] = node;
        set->kind[set->n] = kind;
        set->image[set->n] = image;
        set->n++;
        return 0;
}

/* An image and the subnodes U-Boot's fit_config_add_hash adds: every hash*,
 * cipher, dm-verity. One sha256 hash at least: the signature covers the
 * image's data only through its hashes, and a crc32 or sha1 can be forged. */
static int add_image(const struct fdt *f, struct signed_set *set, uint32_t img)
{
        uint32_t it = 0, c, len;
        const uint8_t *algo;
        int err, strong = 0;

        err = children_plain(f, img);
        if (!err)
                err = add(set, img, K_IMAGE, 0);
        while (!err && remote_fw_fdt_next_child(f, img, &it, &c)) {
                if (name_starts(f, c, "hash")) {
                        if (remote_fw_fdt_prop_str(f, c, "algo", &algo, &len) &&
                            str_is(algo, len, "sha256"))
                                strong = 1;
                } else if (!name_is(f, c, "cipher") && !name_is(f, c, "dm-verity")) {
                        continue;
                }
                err = add(set, c, K_SUB, img);
        }
        if (!err && !strong)
                err = REMOTE_FW_EFITSIGHASH;
        return err;
}

static int build_set(const struct fdt *f, uint32_t conf, struct signed_set *set)
{
        uint32_t root = remote_fw_fdt_root(f), images, confs, off, len, vlen, at;
        const uint8_t *name, *val;
        unsigned n_images = 0;
        int err;

        set->n = 0;
        (void)remote_fw_fdt_node_name(f, root, &len);
        if (len != 0)
                return REMOTE_FW_EFITLAYOUT;
        if (!remote_fw_fdt_subnode_str(f, root, "images", &images))
                return REMOTE_FW_EFIT;
        if (!remote_fw_fdt_subnode_str(f, root, "configurations", &confs))
                return REMOTE_FW_ENOCONF;
        err = children_plain(f, root);
        if (!err)
                err = children_plain(f, images);
        if (!err)
                err = children_plain(f, confs);
        if (!err)
                err = children_plain(f, conf);
        if (!err)
                err = add(set, root, K_ROOT, 0);
        if (!err)
                err = add(set, conf, K_CONF, 0);
        /* Every property but description, compatible and default is read as a
         * list of image names; names without an image are skipped (as U-Boot). */
        for (off = conf; !err && next_prop(f, conf, &off);) {
                prop_at(f, off, &name, &val, &vlen);
                if (cstr_is(name, "description") || cstr_is(name, "compatible") ||
                    cstr_is(name, "default") || vlen == 0 || val[vlen - 1] != 0)
                        continue;
                for (at = 0; !err && at < vlen; at += len + 1) {
                        uint32_t img;

                        len = strnlen_(val + at, vlen - at);
                        if (!remote_fw_fdt_subnode(f, images, val + at, len, &img))
                                continue;
                        err = add_image(f, set, img);
                        n_images++;
                }
        }
        if (!err && n_images == 0)
                err = REMOTE_FW_ENOIMAGE;
        return err;
}

static int in_set(const struct signed_set *set, uint32_t node)
{
        unsigned i;

        for (i = 0; i < set->n; i++)
                if (set->node[i] == node)
                        return 1;
        return 0;
}

/* ---- hashed-nodes: compared, never used (CVE-2020-10648, the 2026 issue) ---------- */

/* Consume the n bytes at q (or the C string s) from the front of p[0 .. *len). */
static int eat(const uint8_t **p, uint32_t *len, const uint8_t *q, uint32_t n)
{
        uint32_t i;

        if (n > *len)
                return 0;
        for (i = 0; i < n; i++)
                if ((*p)[i] != q[i])
                        return 0;
        *p += n;
        *len -= n;
        return 1;
}

static int eat_str(const uint8_t **p, uint32_t *len, const char *s)
{
        uint32_t n = 0;

        while (s[n])
                n++;
        return eat(p, len, (const uint8_t *)s, n);
}

static int eat_name(const struct fdt *f, const uint8_t **p, uint32_t *len, uint32_t node)
{
        uint32_t n;
        const uint8_t *name = remote_fw_fdt_node_name(f, node, &n);

        return eat(p, len, name, n);
}

/* The path p[0 .. len) names entry i of the set. */
static int path_is(const struct fdt *f, const struct signed_set *set, unsigned i,
                   const uint8_t *p, uint32_t len)
{
        switch (set->kind[i]) {
        case K_ROOT:
                return eat_str(&p, &len, "/") && len == 0;
        case K_CONF:
                return eat_str(&p, &len, "/configurations/") &&
                       eat_name(f, &p, &len, set->node[i]) && len == 0;
        case K_IMAGE:
                return eat_str(&p, &len, "/images/") &&
                       eat_name(f, &p, &len, set->node[i]) && len == 0;
        default:
                return eat_str(&p, &len, "/images/") &&
                       eat_name(f, &p, &len, set->image[i]) && eat_str(&p, &len, "/") &&
                       eat_name(f, &p, &len, set->node[i]) && len == 0;
        }
}

static int check_hashed_nodes(const struct fdt *f, const struct signed_set *set, uint32_t sig)
{
        uint8_t seen[MAX_NODES];
        const uint8_t *val;
        uint32_t vlen, at, len;
        unsigned i, conf_named = 0;

        if (!remote_fw_fdt_prop(f, sig, "hashed-nodes", &val, &vlen, NULL))
                return 0;
        if (vlen == 0 || val[vlen - 1] != 0)
                return REMOTE_FW_EFITNODES;
        for (i = 0; i < set->n; i++)
                seen[i] = 0;
        for (at = 0; at < vlen; at += len + 1) {
                unsigned hit = 0;

                len = strnlen_(val + at, vlen - at);
                for (i = 0; i < set->n; i++) {
                        if (path_is(f, set, i, val + at, len)) {
                                seen[i] = 1;
                                hit = 1;
                                conf_named |= set->kind[i] == K_CONF;
                        }
                }
                if (!hit) {
                        const uint8_t *p = val + at;
                        uint32_t rest = len;

                        /* Another configuration's path: a signature copied from it. */
                        if (eat_str(&p, &rest, "/configurations/") && rest != 0) {
                                while (rest && *p != '/')
                                        p++, rest--;
                                if (rest == 0)
                                        return REMOTE_FW_EFITSIGCONF;
                        }
                        return REMOTE_FW_EFITNODES;
                }
        }
        if (!conf_named)
                return REMOTE_FW_EFITSIGCONF;
        for (i = 0; i < set->n; i++)
                if (!seen[i])
                        return REMOTE_FW_EFITNODES;
        return 0;
}

/* ---- the regions (fdt_find_regions' walk) ------------------------------------------ */

static int is_data_prop(const uint8_t *name)
{
        return cstr_is(name, "data") || cstr_is(name, "data-size") ||
               cstr_is(name, "data-position") || cstr_is(name, "data-offset");
}

static int hash_regions(const struct fdt *f, const struct signed_set *set,
                        uint32_t strings_size, struct remote_fw_sha256_ctx *c)
{
        const uint8_t *s = f->b + f->off_struct;
        uint8_t stack[FDT_MAX_DEPTH + 1];
        uint32_t off = 0, next, start = 0, stop, tok;
        int depth = -1, open = 0, include, expect_end = 0;
        unsigned want = 0;

        for (;; off = next) {
                tok = remote_fw_fdt_token(f, off, &next);
                stop = next;
                include = 0;
                if (expect_end && tok != FDT_END)
                        return REMOTE_FW_EFITLAYOUT;
                if (tok == FDT_PROP) {
                        const uint8_t *name, *val;
                        uint32_t vlen, nameoff = be32(s + off + 8);

                        prop_at(f, off, &name, &val, &vlen);
                        include = want >= 2 && !is_data_prop(name);
                        stop = off;
                        /* A signed property's name must lie in the signed strings. */
                        if (include && (nameoff >= strings_size ||
                                        strnlen_(name, strings_size - nameoff) ==
                                        strings_size - nameoff))
                                return REMOTE_FW_EFITLAYOUT;
                } else if (tok == FDT_NOP) {
                        include = want >= 2;
                        stop = off;
                } else if (tok == FDT_BEGIN_NODE) {
                        if (++depth > (int)FDT_MAX_DEPTH)
                                return REMOTE_FW_EFITLAYOUT;
                        stack[depth] = (uint8_t)want;
                        if (want == 1)
                                stop = off;
                        if (in_set(set, off))
                                want = 2;
                        else if (want)
                                want--;
                        else
                                stop = off;
                        include = want != 0;
                } else if (tok == FDT_END_NODE) {
                        include = want != 0;
                        want = stack[depth--];
                        if (depth < 0)
                                expect_end = 1;
                } else {        /* FDT_END: remote_fw_fdt_open allows nothing else */
                        include = 1;
                }
                if (include && !open) {
                        open = 1;
                        start = off;
                }
                if (!include && open) {
                        remote_fw_sha256_update(c, s + start, stop - start);
                        open = 0;
                }
                if (tok == FDT_END)
                        break;
        }
        /* No bytes after FDT_END inside the structure block. */
        if (next != f->size_struct)
                return REMOTE_FW_EFITLAYOUT;
        remote_fw_sha256_update(c, s + start, next - start);
        remote_fw_sha256_update(c, f->b + f->off_strings, strings_size);
        return 0;
}

/* ---- one signature node ----------------------------------------------------------- */

struct sig_node {
        uint32_t bits;
        int padding;
        const uint8_t *value;
        const uint8_t *hint;            /* key-name-hint or NULL */
        uint32_t hint_len;
        uint32_t strings_size;          /* hashed-strings' size */
};

/* REMOTE_FW_EFITSIGALGO when U-Boot's algo, padding or value is not one the
 * kit verifies; REMOTE_FW_EFITLAYOUT when hashed-strings is not the strings
 * block's start. */
static int read_sig(const struct fdt *f, uint32_t sig, struct sig_node *sn)
{
        const uint8_t *algo, *pad, *hs, *value;
        uint32_t alen, plen, hlen, vlen;

        if (!remote_fw_fdt_prop(f, sig, "hashed-strings", &hs, &hlen, NULL) || hlen < 8 ||
            be32(hs) != 0 || be32(hs + 4) > f->size_strings)
                return REMOTE_FW_EFITLAYOUT;
        sn->strings_size = be32(hs + 4);
        if (!remote_fw_fdt_prop_str(f, sig, "algo", &algo, &alen))
                return REMOTE_FW_EFITSIGALGO;
        if (str_is(algo, alen, "sha256,rsa2048"))
                sn->bits = 2048;
        else if (str_is(algo, alen, "sha256,rsa3072"))
                sn->bits = 3072;
        else if (str_is(algo, alen, "sha256,rsa4096"))
                sn->bits = 4096;
        else
                return REMOTE_FW_EFITSIGALGO;
        sn->padding = REMOTE_FW_RSA_PKCS1_V15;
        if (remote_fw_fdt_prop(f, sig, "padding", &pad, &plen, NULL)) {
                if (remote_fw_fdt_prop_str(f, sig, "padding", &pad, &plen) &&
                    str_is(pad, plen, "pss"))
                        sn->padding = REMOTE_FW_RSA_PSS;
                else if (!remote_fw_fdt_prop_str(f, sig, "padding", &pad, &plen) ||
                         !str_is(pad, plen, "pkcs-1.5"))
                        return REMOTE_FW_EFITSIGALGO;
        }
        if (!remote_fw_fdt_prop(f, sig, "value", &value, &vlen, NULL) || vlen != sn->bits / 8)
                return REMOTE_FW_EFITSIGALGO;
        sn->value = value;
        sn->hint = NULL;
        sn->hint_len = 0;
        if (remote_fw_fdt_prop_str(f, sig, "key-name-hint", &sn->hint, &sn->hint_len) == 0)
                sn->hint = NULL;
        return 0;
}

static int digest_of(const struct fdt *f, const struct signed_set *set, uint32_t strings_size,
                     uint8_t digest[32])
{
        struct remote_fw_sha256_ctx c;
        int err;

        remote_fw_sha256_init(&c);
        err = hash_regions(f, set, strings_size, &c);
        if (!err)
                remote_fw_sha256_final(&c, digest);
        return err;
}

int remote_fw_fit_sig_digest(const struct fdt *f, uint32_t conf, uint32_t sig,
                             uint8_t digest[32])
{
        struct signed_set set;
        struct sig_node sn;
        int err;

        err = blocks_disjoint(f);
        if (!err)
                err = build_set(f, conf, &set);
        if (!err)
                err = check_hashed_nodes(f, &set, sig);
        if (!err)
                err = read_sig(f, sig, &sn);
        if (!err)
                err = digest_of(f, &set, sn.strings_size, digest);
        return err;
}

int remote_fw_fit_check_sig(const struct fdt *f, uint32_t conf,
                            const struct remote_fw_rsa_key *keys, size_t n_keys,
                            unsigned require)
{
        struct signed_set set;
        uint32_t it = 0, sig, good = 0, all;
        unsigned n_sigs = 0, usable = 0;
        size_t k;
        int err;

        if (keys == NULL || n_keys == 0 || n_keys > MAX_KEYS ||
            (require != REMOTE_FW_FIT_REQUIRE_ANY && require != REMOTE_FW_FIT_REQUIRE_ALL))
                return REMOTE_FW_EINVAL;
        all = n_keys == 32 ? 0xffffffffu : (1u << n_keys) - 1u;
        err = blocks_disjoint(f);
        if (!err)
                err = build_set(f, conf, &set);
        if (err)
                return err;
        while (remote_fw_fdt_next_child(f, conf, &it, &sig)) {
                struct sig_node sn;
                uint8_t digest[32];

                if (!name_starts(f, sig, "signature"))
                        continue;
                n_sigs++;
                err = check_hashed_nodes(f, &set, sig);
                if (err)
                        return err;
                err = read_sig(f, sig, &sn);
                if (err == REMOTE_FW_EFITSIGALGO)
                        continue;       /* another signer's algorithm: try the next */
                if (err)
                        return err;
                usable++;
                err = digest_of(f, &set, sn.strings_size, digest);
                if (err)
                        return err;
                for (k = 0; k < n_keys; k++) {
                        const struct remote_fw_rsa_key *key = &keys[k];

                        if (key->num_bits != sn.bits)
                                continue;
                        if (key->name != NULL && sn.hint != NULL &&
                            !str_is(sn.hint, sn.hint_len, key->name))
                                continue;
                        if (remote_fw_rsa_verify_sha256(key, sn.padding, digest, sn.value,
                                                        sn.bits / 8) == 0)
                                good |= 1u << k;
                }
                if (require == REMOTE_FW_FIT_REQUIRE_ANY ? good != 0 : good == all)
                        return 0;
        }
        if (n_sigs == 0)
                return REMOTE_FW_EFITUNSIGNED;
        return usable ? REMOTE_FW_EFITSIG : REMOTE_FW_EFITSIGALGO;
}
