/* uart.h - polled output on the virt machine's NS16550A UART0. No libc. */
#ifndef UART_H
#define UART_H

#include <stdint.h>

void uart_puts(const char *s);
void uart_put_hex(uint64_t v);  /* "0x", 8 lower-case digits, 16 if it needs them */
void uart_put_dec(int64_t v);
void uart_flush(void);          /* wait until the transmitter is empty */

#endif
