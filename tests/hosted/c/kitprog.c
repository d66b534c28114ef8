/*
 * kitprog.c - an operating-system program that carries its remote image: it
 * finds it with the kit, checks its CRC-32 and prints what it found. Built as
 * dynamic PIE, non-PIE, static and static-pie, then bundled post-link by
 * tests/hosted/test_native.py, which runs it and reads this output.
 */
#include <stdio.h>

#include "remote_fw.h"

REMOTE_FW_DECLARE(remote_elf);

int main(void)
{
        struct remote_fw_image img;
        int err = remote_fw_find("remote_elf", &img);

        if (err) {
                printf("find: %s (%d)\n", remote_fw_strerror(err), err);
                return 1;
        }
        err = remote_fw_verify(&img);
        printf("image %s size=%lu magic=%02x%02x%02x%02x verify=%d (%s)\n", img.name,
               (unsigned long)img.size, img.base[0], img.base[1], img.base[2], img.base[3],
               err, remote_fw_strerror(err));
        return err ? 2 : 0;
}
