/*
 * host/startup.c - vector table and reset handler: copy .data from flash,
 * zero .bss, run main.
 */
#include <stdint.h>

#include "semihost.h"

extern uint32_t _estack[];
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];

int main(void);

__attribute__((noreturn)) void Reset_Handler(void)
{
        volatile uint32_t *src = _sidata;
        volatile uint32_t *dst = _sdata;

        /* volatile: keep GCC from turning the loops into memcpy/memset calls */
        while (dst < _edata)
                *dst++ = *src++;
        for (dst = _sbss; dst < _ebss; )
                *dst++ = 0u;
        sh_exit(main() == 0 ? 0 : 1);
}

static void Fault_Handler(void)
{
        sh_puts("host: fault\n");
        sh_exit(3);
}

__attribute__((section(".vectors"), used))
void (*const vectors[16])(void) = {
        (void (*)(void))_estack, Reset_Handler, Fault_Handler, Fault_Handler,
        Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0,
        Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};
