/*
 * start.S - the host's e_entry. QEMU starts CPU 0 here (at EL1, or EL2 with
 * virtualization=on; MMU and caches off) and holds CPU 1 powered off until a
 * PSCI CPU_ON names it. Set the stack and the exception vectors, zero .bss,
 * run main (which never returns).
 */
        .section .text.entry, "ax"
        .globl _start
_start:
        mrs     x0, mpidr_el1
        and     x0, x0, #0xff
        cbnz    x0, park                /* only CPU 0 runs the host */
        ldr     x1, =_estack
        mov     sp, x1
        adr     x1, host_vectors
        mrs     x2, CurrentEL
        cmp     x2, #(2 << 2)
        b.eq    1f
        msr     vbar_el1, x1
        b       2f
1:      msr     vbar_el2, x1
2:      isb
        ldr     x1, =_sbss              /* zero .bss (16-byte aligned) */
        ldr     x2, =_ebss
3:      cmp     x1, x2
        b.hs    4f
        stp     xzr, xzr, [x1], #16
        b       3b
4:      bl      main                    /* never returns */
park:   wfe
        b       park

/* 16 vectors of 0x80 bytes: pass the vector's number to host_trap */
        .macro vector n
        .balign 0x80
        mov     x0, #\n
        b       host_trap
        .endm

        .section .text.vectors, "ax"
        .balign 0x800
host_vectors:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vector \n
        .endr
