/*
 * start.S - the remote's e_entry. Hart 1 arrives here from the host's parking
 * loop (a0 = hart id). Nothing copies .data or zeroes .bss: the host's loader
 * did, and main.c checks that it did.
 */
        .section .text.entry, "ax"
        .globl _start
_start:
        la      sp, _estack
        la      t0, remote_trap
        csrw    mtvec, t0
        csrr    a0, mhartid
        call    remote_main
1:      wfi
        j       1b
