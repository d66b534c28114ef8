/*
 * csum_desc.c - a writable image descriptor for openamp_host.c's contract
 * checks (REMOTE_FW_DECLARE makes const ones, and one translation unit cannot
 * put both in the section "remote_fw_desc"). Named "csum_remote"; the test
 * fills in base, size, link_addr, flags and crc32 as `bundle` would.
 */
#include "remote_fw.h"

struct remote_fw_desc csum_desc __attribute__((section("remote_fw_desc"), used, aligned(8))) = {
        REMOTE_FW_DESC_MAGIC, REMOTE_FW_DESC_VERSION, (uint16_t)sizeof(struct remote_fw_desc),
        0u, 0u, 0u, 0u, 0u, "csum_remote", 0, 0 };
