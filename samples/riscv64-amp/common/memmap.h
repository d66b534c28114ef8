/*
 * memmap.h - the QEMU riscv64 "virt" machine as this sample uses it
 * (hw/riscv/virt.c; default 128 MiB of RAM at 0x80000000). The linker scripts
 * repeat these numbers: keep them in step.
 *
 *   0x00100000          SiFive test device: write 0x5555 = pass, (code<<16)|0x3333 = fail
 *   0x02000000          CLINT: msip[hart] at +4*hart, mtime at +0xbff8 (10 MHz)
 *   0x10000000          NS16550A UART0
 *   0x80000000  2 MiB   host (hart 0): code, data, bss, stack; image slot in the top 256 KiB
 *   0x80200000  1 MiB   remote area (hart 1): the only region the host's loader may write
 *   0x80300000 64 KiB   shared memory: mailbox, report word, rpmsg vrings
 *   0x80400000          where remote-bad links (not allowed)
 */
#ifndef MEMMAP_H
#define MEMMAP_H

/* shared by C and assembler sources */
#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ul
#endif

#define SIFIVE_TEST_BASE  UL(0x00100000)
#define CLINT_BASE        UL(0x02000000)
#define CLINT_MSIP(hart)  (CLINT_BASE + UL(4) * (hart))
#define CLINT_MTIME       (CLINT_BASE + UL(0xbff8))
#define MTIME_HZ          UL(10000000)
#define UART0_BASE        UL(0x10000000)

#define HOST_RAM_BASE     UL(0x80000000)
#define HOST_RAM_SIZE     UL(0x00200000)
#define REMOTE_RAM_BASE   UL(0x80200000)
#define REMOTE_RAM_SIZE   UL(0x00100000)
#define SHM_BASE          UL(0x80300000)
#define SHM_SIZE          UL(0x00010000)

/* shared memory words */
#define MAILBOX_ENTRY     (SHM_BASE + UL(0x00))   /* u64: hart 1 jumps here once non-zero */
#define REMOTE_REPORT     (SHM_BASE + UL(0x08))   /* u32: the remote's verdict */
#define REPORT_OK         UL(0x600df00d)          /* remote ran, .data and .bss as loaded */
#define REPORT_BAD        UL(0x0bad0000)          /* | 1: .data wrong, | 2: .bss not zero, | 4: rsc table, | 8: trap */

#define VRING0_DA         (SHM_BASE + UL(0x1000))
#define VRING1_DA         (SHM_BASE + UL(0x5000))
#define VRING_ALIGN       UL(0x1000)
#define VRING_NUM         UL(16)

#endif
