/* pl011.c - polled output on the virt machine's PL011 UART0 (QEMU enables it
 * at reset: no baud rate or line control to set up). */
#include "pl011.h"
#include "memmap.h"

#define UART_DR    0x00u        /* data register */
#define UART_FR    0x18u        /* flag register */
#define FR_BUSY    0x08u        /* transmitting */
#define FR_TXFF    0x20u        /* transmit FIFO full */

#define REG(off) (*(volatile uint32_t *)(UART0_BASE + (off)))

static void uart_putc(char c)
{
        while ((REG(UART_FR) & FR_TXFF) != 0u)
                ;
        REG(UART_DR) = (uint8_t)c;
}

void uart_puts(const char *s)
{
        while (*s != '\0') {
                if (*s == '\n')
                        uart_putc('\r');
                uart_putc(*s++);
        }
}

void uart_put_hex(uint64_t v)
{
        static const char digits[] = "0123456789abcdef";
        char buf[19];
        int n = (v >> 32) != 0u ? 16 : 8;
        int i;

        buf[0] = '0';
        buf[1] = 'x';
        for (i = 0; i < n; i++)
                buf[2 + i] = digits[(v >> (4 * (n - 1 - i))) & 0xfu];
        buf[2 + n] = '\0';
        uart_puts(buf);
}

void uart_put_dec(int64_t v)
{
        char buf[21];
        char *p = &buf[sizeof(buf) - 1];
        uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;

        *p = '\0';
        do {
                *--p = (char)('0' + u % 10u);
                u /= 10u;
        } while (u != 0u);
        if (v < 0)
                *--p = '-';
        uart_puts(p);
}

void uart_flush(void)
{
        while ((REG(UART_FR) & FR_BUSY) != 0u)
                ;
}
