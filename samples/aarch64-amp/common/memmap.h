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
 *
 * The rpmsg echo (make run-echo, make run-linux-host): one remote ELF,
 * build/remote-echo.elf, for the bare-metal host and for Linux. It lives
 * high in RAM, where Linux (kernel at 0x40200000, initrd, DTB) does not go
 * and its device tree reserves it (/reserved-memory, no-map):
 *
 *   0x70000000  1 MiB   echo remote (CPU 1): code, data, bss, heap, stack;
 *                       carveout "remote-ram" in its resource table
 *   0x70100000 16 KiB   vring 0 (vdev0vring0): 16 buffers, align 4 KiB, fixed da
 *   0x70104000 16 KiB   vring 1 (vdev0vring1): 16 buffers, align 4 KiB, fixed da
 *   0x70108000 32 KiB   (unused)
 *   0x70110000 256 KiB  vdev0buffer: the rpmsg buffers (512 bytes each), host-allocated
 *   0x70150000          end of what the echo uses of its 1 MiB shared memory
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

/* ---- the rpmsg echo (echo/): see the table above and the sample's README --- */
#define ECHO_RAM_BASE     UL(0x70000000)
#define ECHO_RAM_SIZE     UL(0x00100000)
#define ECHO_SHM_BASE     UL(0x70100000)          /* vrings and buffers: the host's shared memory */
#define ECHO_SHM_SIZE     UL(0x00100000)
#define ECHO_VRING0_DA    UL(0x70100000)
#define ECHO_VRING1_DA    UL(0x70104000)
#define ECHO_VRING_SIZE   UL(0x00004000)          /* room for each ring (needs 8 KiB) */
#define ECHO_VRING_NUM    16
#define ECHO_VRING_ALIGN  0x1000
#define ECHO_BUF_BASE     UL(0x70110000)          /* vdev0buffer */
#define ECHO_BUF_SIZE     UL(0x00040000)

/* QEMU virt's GICv2 and the echo's interrupts */
#define GICD_BASE         UL(0x08000000)
#define GICC_BASE         UL(0x08010000)
#define ECHO_SGI_REMOTE   8     /* host -> remote: SGI 8 to CPU 1 (GICD_SGIR) */
#define ECHO_SPI_HOST     240   /* remote -> host: SPI 240 (INTID 272), set pending in
                                   GICD_ISPENDR by the remote, routed to CPU 0 by the host */
#define ECHO_POLL_US      1000  /* without a kick the remote rechecks its vrings this often */

#endif
