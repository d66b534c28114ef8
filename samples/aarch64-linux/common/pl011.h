/* pl011.h - polled output on the virt machine's PL011 UART0. No libc. */
#ifndef PL011_H
#define PL011_H

#include <stdint.h>

void uart_puts(const char *s);
void uart_put_hex(uint64_t v);  /* "0x", 8 lower-case digits, 16 if it needs them */
void uart_put_dec(int64_t v);
void uart_flush(void);          /* wait until the transmitter is idle */

#endif
