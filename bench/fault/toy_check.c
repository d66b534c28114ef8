/*
 * toy_check.c - an unhardened check, for the fault campaign's self-test
 * (bench/fault_campaign.py, tests/kit/test_auth_faults.py): the same entry
 * point, arguments and hooks (fault_host.h) as fault_driver.c, but the
 * verdict is one compare and one branch (the first 32 bytes of the image
 * against the first trusted key), so skipping that branch must show as an
 * acceptance.
 */
#include "fault_host.h"

REMOTE_FW_DECLARE(alpha);

__attribute__((noinline)) int toy_check(const uint8_t *a, const uint8_t *b)
{
        uint8_t d = 0;
        int i;

        for (i = 0; i < 32; i++)
                d |= (uint8_t)(a[i] ^ b[i]);
        return d != 0 ? REMOTE_FW_ESIGNATURE : 0;
}

long fault_run(struct fault_args *a)
{
        struct remote_fw_image img;

        if (remote_fw_find("alpha", &img) != 0)
                fault_refused(-1);
        if (toy_check(img.base, a->keys[0]) != 0)
                fault_refused(REMOTE_FW_ESIGNATURE);
        a->entry = a->region_start;
        fault_boot(a->region_start);
        return 0;
}
