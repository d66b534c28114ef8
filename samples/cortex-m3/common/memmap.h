/*
 * memmap.h - the mps2-an385 memory map as QEMU models it (hw/arm/mps2.c), and
 * how this sample uses it. The linker scripts repeat these numbers: keep them
 * in step.
 *
 *   0x00000000  4 MiB  ZBT SSRAM1      host "flash": vectors, code, rodata, images
 *   0x20000000  1 MiB  ZBT SSRAM2/3    host RAM: .data, .bss, stack
 *   0x20200000 256 KiB ZBT SSRAM2/3    remote area: the remote runs here
 *   0x20300000  64 KiB ZBT SSRAM2/3    shared memory: the rpmsg vrings
 *   0x21000000 16 MiB  PSRAM           where remote-bad links (not allowed)
 */
#ifndef MEMMAP_H
#define MEMMAP_H

#define HOST_FLASH_BASE   0x00000000u
#define HOST_FLASH_SIZE   0x00400000u
#define HOST_RAM_BASE     0x20000000u
#define HOST_RAM_SIZE     0x00100000u
#define REMOTE_RAM_BASE   0x20200000u
#define REMOTE_RAM_SIZE   0x00040000u
#define SHM_BASE          0x20300000u
#define SHM_SIZE          0x00010000u
#define VRING0_DA         (SHM_BASE + 0x0000u)
#define VRING1_DA         (SHM_BASE + 0x4000u)
#define VRING_ALIGN       0x1000u
#define VRING_NUM         16u

#endif
