/* desc32.c - writable descriptors for host32.c (test-only: the kit's own
 * REMOTE_FW_DECLARE makes them const). */
#include "remote_fw.h"
#include "cases32.h"

#define DESC(stem) { REMOTE_FW_DESC_MAGIC, REMOTE_FW_DESC_VERSION,             \
                     (uint16_t)sizeof(struct remote_fw_desc), 0u, 0u, 0u, 0u, 0u, \
                     #stem, 0, 0 }

struct remote_fw_desc d32_a __attribute__((section("remote_fw_desc"), used, aligned(8))) = DESC(d32_a);
struct remote_fw_desc d32_b __attribute__((section("remote_fw_desc"), used, aligned(8))) = DESC(d32_b);

const uint8_t payload32[PAYLOAD_SIZE] = PAYLOAD_BYTES;
