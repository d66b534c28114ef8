/*
 * kit_ref.c - the reference for the OpenAMP tests: what the kit's own
 * remote_fw_load writes. The remote's RAM is mapped at its physical address
 * [START, START + SIZE) (no ASan here: 0x80000000, where the RISC-V sample
 * loads, is ASan's shadow memory on x86-64), filled with 0xa5, loaded, and
 * written to OUT.
 *
 *   kit_ref START SIZE FILE OUT      prints "ref FILE rc=N entry=0x.."
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "remote_fw.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(int argc, char **argv)
{
        struct remote_fw_image img;
        struct remote_fw_region region;
        unsigned char *ram, *data;
        uintptr_t entry = 0;
        FILE *f;
        long n;
        int rc;

        if (argc != 5) {
                fprintf(stderr, "usage: %s START SIZE FILE OUT\n", argv[0]);
                return 2;
        }
        region.start = (uintptr_t)strtoull(argv[1], NULL, 0);
        region.size = (size_t)strtoull(argv[2], NULL, 0);
        ram = mmap((void *)region.start, region.size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (ram == MAP_FAILED || (uintptr_t)ram != region.start) {
                perror("mmap");
                return 2;
        }
        memset(ram, 0xa5, region.size);
        f = fopen(argv[3], "rb");
        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0)
                return 2;
        data = malloc((size_t)n);
        if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n)
                return 2;
        fclose(f);
        img.base = data;
        img.size = (size_t)n;
        img.name = NULL;
        rc = remote_fw_load(&img, &region, 1, &entry);
        printf("ref %s rc=%d entry=0x%llx\n", argv[3], rc, (unsigned long long)entry);
        f = fopen(argv[4], "wb");
        if (f == NULL || fwrite(ram, 1, region.size, f) != region.size || fclose(f) != 0)
                return 2;
        return rc != 0;
}
