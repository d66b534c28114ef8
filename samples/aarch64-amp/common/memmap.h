/*
 * memmap.h - the QEMU "virt" machine (hw/arm/virt.c, QEMU 7.2) as this sample
 * uses it: -cpu cortex-a53 -smp 2, default 128 MiB of RAM at 0x40000000,
 * booted with -kernel ELF (no firmware: QEMU's own PSCI, conduit HVC at EL1).
 * The linker scripts repeat these numbers: keep them in step.
 *
 *   0x09000000          PL011 UART0
 *   0x40000000  2 MiB   QEMU's device tree blob (1 MiB) at the base of RAM
 *   0x40200000  2 MiB   host (CPU 0): code, data, bss, stack; image slot in the top 256 KiB
 *   0x40400000  1 MiB   remote area (CPU 1): the only region the host's loader may write
 *   0x40500000 64 KiB   shared memory: report words, rpmsg vrings
 *   0x40600000          where remote-bad links (RAM, but not allowed)
 */
#ifndef MEMMAP_H
#define MEMMAP_H

/* shared by C and assembler sources */
#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ul
#endif

#define UART0_BASE        UL(0x09000000)
#define DTB_BASE          UL(0x40000000)  /* where QEMU puts the DTB for an ELF -kernel */

#define HOST_RAM_BASE     UL(0x40200000)
#define HOST_RAM_SIZE     UL(0x00200000)
#define REMOTE_RAM_BASE   UL(0x40400000)
#define REMOTE_RAM_SIZE   UL(0x00100000)
#define SHM_BASE          UL(0x40500000)
#define SHM_SIZE          UL(0x00010000)

#define REMOTE_MPIDR      UL(1)           /* CPU 1: Aff0 = 1 (the DTB's cpu@1 reg) */

/* shared memory words */
#define REMOTE_REPORT     (SHM_BASE + UL(0x00))   /* u32: the remote's verdict */
#define REMOTE_CPU        (SHM_BASE + UL(0x04))   /* u32: MPIDR_EL1.Aff0 of the CPU the remote ran on */
#define REPORT_OK         UL(0x600df00d)          /* remote ran, .data, .bss and rsc table as loaded */
#define REPORT_BAD        UL(0x0bad0000)          /* | 1: .data wrong, | 2: .bss not zero, | 4: rsc table,
                                                     | 8: trap, | 16: wrong context id */

/* rpmsg vrings (16 buffers each, 4 KiB aligned): inside the shared memory */
#define VRING0_DA         (SHM_BASE + UL(0x1000))
#define VRING1_DA         (SHM_BASE + UL(0x5000))
#define VRING_ALIGN       UL(0x1000)
#define VRING_NUM         UL(16)
#define VRING_BYTES       UL(0x4000)              /* room for each ring */

#endif
