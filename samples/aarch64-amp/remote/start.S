/*
 * start.S - the remote's e_entry. CPU 1 arrives here from PSCI CPU_ON at the
 * host's exception level, MMU and caches off, x0 = the context id the host
 * passed (the shared memory's address). Nothing copies .data or zeroes .bss:
 * the host's loader did, and main.c checks that it did.
 */
        .section .text.entry, "ax"
        .globl _start
_start:
        ldr     x1, =_estack
        mov     sp, x1
        adr     x1, remote_vectors
        mrs     x2, CurrentEL
        cmp     x2, #(2 << 2)
        b.eq    1f
        msr     vbar_el1, x1
        b       2f
1:      msr     vbar_el2, x1
2:      isb
        mov     x1, x0                  /* context id */
        mrs     x0, mpidr_el1
        bl      remote_main             /* ends with PSCI CPU_OFF */
3:      wfe
        b       3b

/* 16 vectors of 0x80 bytes: pass the vector's number to remote_trap */
        .macro vector n
        .balign 0x80
        mov     x0, #\n
        b       remote_trap
        .endm

        .section .text.vectors, "ax"
        .balign 0x800
remote_vectors:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vector \n
        .endr
