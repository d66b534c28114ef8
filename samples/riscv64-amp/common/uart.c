/* uart.c - polled output on the virt machine's NS16550A UART0. */
#include "uart.h"
#include "memmap.h"

#define UART_THR  0u            /* transmit holding register */
#define UART_LSR  5u            /* line status register */
#define LSR_THRE  0x20u         /* THR empty */
#define LSR_TEMT  0x40u         /* transmitter empty */

static volatile uint8_t *const uart = (volatile uint8_t *)UART0_BASE;

static void uart_putc(char c)
{
        while ((uart[UART_LSR] & LSR_THRE) == 0u)
                ;
        uart[UART_THR] = (uint8_t)c;
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
        while ((uart[UART_LSR] & LSR_TEMT) == 0u)
                ;
}
