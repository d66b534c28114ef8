/*
 * start.S - the bootstrap's e_entry. PSCI CPU_ON starts CPU 1 here at the
 * host's exception level (EL1, or EL2 with virtualization=on), MMU and caches
 * off, interrupts masked, x0 = the host's context id (the shared words). Set
 * the stack and the exception vectors, let FP/SIMD instructions run (the
 * kit's sha256 uses the SHA-256 instructions when built with +crypto), zero
 * .bss, run main (which never returns).
 */
        .section .text.entry, "ax"
        .globl _start
_start:
        ldr     x1, =_estack
        mov     sp, x1
        adr     x1, bootstrap_vectors
        mrs     x2, CurrentEL
        cmp     x2, #(2 << 2)
        b.eq    1f
        msr     vbar_el1, x1
        mrs     x1, cpacr_el1           /* FP/SIMD on at EL1 (the kit's sha256 may use it) */
        orr     x1, x1, #(3 << 20)      /* CPACR_EL1.FPEN = 0b11 */
        msr     cpacr_el1, x1
        b       2f
1:      msr     vbar_el2, x1
        mrs     x1, cptr_el2            /* at EL2: no FP/SIMD trap */
        bic     x1, x1, #(1 << 10)      /* CPTR_EL2.TFP = 0 */
        msr     cptr_el2, x1
2:      isb
        ldr     x1, =_sbss              /* zero .bss (16-byte aligned) */
        ldr     x2, =_ebss
3:      cmp     x1, x2
        b.hs    4f
        stp     xzr, xzr, [x1], #16
        b       3b
4:      bl      main                    /* never returns */
5:      wfe
        b       5b

/* 16 vectors of 0x80 bytes: pass the vector's number to bootstrap_trap */
        .macro vector n
        .balign 0x80
        mov     x0, #\n
        b       bootstrap_trap
        .endm

        .section .text.vectors, "ax"
        .balign 0x800
bootstrap_vectors:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vector \n
        .endr
