/*
 * remote_fw_fit_sig.h - the kit's FIT signature unit (remote_fw_fit_sig.c):
 * check the U-Boot signature nodes of the configuration being booted against
 * the bootstrap's RSA keys. Called by remote_fw_fit_load_opts (remote_fw_fit.c)
 * before any image is checked or written; a unit interface, not part of the
 * documented C API (that is struct remote_fw_fit_opts in remote_fw_fit.h).
 * See docs/kit.md ("Signed FITs").
 *
 * Needs remote_fw_fdt.c, remote_fw_sha256.c and remote_fw_rsa.c.
 * Stack: about 4 KiB at 4096 bits (RSA's 3.3 KiB, the node list, SHA-256).
 */
#ifndef REMOTE_FW_FIT_SIG_H
#define REMOTE_FW_FIT_SIG_H

#include "remote_fw_fdt.h"
#include "remote_fw_fit.h"

/* Most nodes one configuration's signature may cover (root, configuration,
 * each image with its hash, cipher and dm-verity subnodes). */
#define REMOTE_FW_FIT_SIG_MAX_NODES 64u

/* Most children of /, /images, /configurations, the configuration and each
 * signed image (their names are compared pairwise). */
#define REMOTE_FW_FIT_SIG_MAX_CHILDREN 256u

/*
 * Check the configuration at structure offset conf of the FIT f (already
 * opened by remote_fw_fdt_open). 0 when the policy is met; else the
 * REMOTE_FW_EFIT... code of the first refusal (see remote_fw.h).
 */
int remote_fw_fit_check_sig(const struct fdt *f, uint32_t conf,
                            const struct remote_fw_rsa_key *keys, size_t n_keys,
                            unsigned require);

/*
 * The SHA-256 the signature node at `sig` covers for the configuration
 * `conf`: the regions U-Boot's fit_config_check_sig hashes, over the node
 * list the kit rebuilds itself. For tests and tools; the same checks as
 * remote_fw_fit_check_sig up to the hash.
 */
int remote_fw_fit_sig_digest(const struct fdt *f, uint32_t conf, uint32_t sig,
                             uint8_t digest[32]);

#endif /* REMOTE_FW_FIT_SIG_H */
