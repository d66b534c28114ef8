/*
 * start.S - every hart starts here (QEMU virt with -bios none jumps all harts
 * to e_entry). Hart 0 runs the host. Hart 1 parks: it waits in WFI with only
 * its machine software interrupt enabled (mstatus.MIE stays 0, so nothing
 * traps: the interrupt only ends the WFI) and, once the host has written an
 * entry address into the mailbox and raised its CLINT msip, jumps there with
 * a0 = its hart id. Other harts park for good.
 */
#include "memmap.h"

        .section .text.entry, "ax"
        .globl _start
_start:
        csrr    t0, mhartid
        bnez    t0, park

        la      t1, host_trap
        csrw    mtvec, t1
        la      sp, _estack
        la      t1, _sbss               /* zero .bss (doubleword aligned) */
        la      t2, _ebss
1:      bgeu    t1, t2, 2f
        sd      zero, 0(t1)
        addi    t1, t1, 8
        j       1b
2:      call    main                    /* powers QEMU off, never returns */
3:      wfi
        j       3b

park:
        li      t1, 1
        bne     t0, t1, 3b              /* only hart 1 is a remote core here */
        li      t1, MAILBOX_ENTRY
        li      t2, CLINT_BASE
        slli    t3, t0, 2
        add     t2, t2, t3              /* this hart's msip */
        li      t3, 8                   /* mie.MSIE */
        csrw    mie, t3
4:      wfi
        ld      t4, 0(t1)
        beqz    t4, 4b
        sw      zero, 0(t2)             /* acknowledge the software interrupt */
        csrw    mie, zero
        fence   rw, rw
        fence.i                         /* fetch the code hart 0 just wrote */
        mv      a0, t0
        jr      t4
