/*
 * memmap.h - the QEMU "virt" machine (hw/arm/virt.c, QEMU 7.2) as this sample
 * uses it: -cpu cortex-a53 -smp 2 -m 256M (RAM 0x40000000..0x50000000),
 * booted with -kernel ELF (no firmware: QEMU's own PSCI, conduit HVC at EL1,
 * SMC at EL2 with virtualization=on). The linker scripts, linux/remote.dts and
 * linux/linux.its repeat these numbers: keep them in step.
 *
 *   0x08000000          GICv2 distributor (shared: Linux reinitialises it), 0x08010000 CPU interface
 *   0x09000000          PL011 UART0 (shared: the host falls silent after CPU_ON)
 *   0x40000000  2 MiB   QEMU's device tree blob (1 MiB) at the base of RAM
 *   0x40200000          host (CPU 0): code, data, bss, stack, then the bootstrap
 *                       ELF that `bundle` put after it (the FIT inside: up to ~28 MiB)
 *   0x47fff000   4 KiB  shared words: the bootstrap's verdict when it stops (CPU_ON's
 *                       context id, so x0 on CPU 1); outside the remote Linux's memory
 *   0x48000000 128 MiB  the remote's RAM (CPU 1), the only memory its Linux knows:
 *     0x48000000 64 MiB   FIT pieces: the only region remote_fw_fit_load may write
 *       0x48000000          kernel Image (2 MiB aligned, text_offset 0, image_size <= 48 MiB)
 *       0x4b000000          device tree blob (the remote's own, linux/remote.dts)
 *       0x4b200000          initramfs
 *     0x4c000000 64 MiB   bootstrap: code, data, bss, stack, then the FIT;
 *                         the only region the host's remote_fw_load may write
 */
#ifndef MEMMAP_H
#define MEMMAP_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ul
#endif

#define UART0_BASE              UL(0x09000000)
#define GICD_BASE               UL(0x08000000)  /* GICv2 distributor: shared by both cores */
#define GICC_BASE               UL(0x08010000)  /* GICv2 CPU interface: banked per core */
#define TIMER_PPI               UL(30)          /* the EL1 physical timer's interrupt id */

#define HOST_RAM_BASE           UL(0x40200000)

#define REMOTE_RAM_BASE         UL(0x48000000)  /* the remote's /memory node */
#define REMOTE_RAM_SIZE         UL(0x08000000)
#define FIT_AREA_BASE           UL(0x48000000)  /* kernel, fdt, ramdisk go here */
#define FIT_AREA_SIZE           UL(0x04000000)
#define BOOTSTRAP_BASE          UL(0x4c000000)  /* the bootstrap ELF and its FIT */
#define BOOTSTRAP_SIZE          UL(0x04000000)

#define REMOTE_MPIDR            UL(1)           /* CPU 1: Aff0 = 1 (cpu@1 in remote.dts) */

/* shared words (u32), written by the bootstrap only when it gives up, before
 * it turns CPU 1 off; the host clears them before CPU_ON */
#define SHM_BASE                UL(0x47fff000)
#define STATUS_MAGIC            (SHM_BASE + UL(0x00))   /* STOPPED when the next word is valid */
#define STATUS_RC               (SHM_BASE + UL(0x04))   /* the bootstrap's error code (negative) */
#define STOPPED                 UL(0xb0075709)

#endif
