/*
 * semihost.h - the few ARM semihosting calls the sample needs (console output
 * and exit), plus number printing. No libc.
 */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stdint.h>

void sh_puts(const char *s);                    /* SYS_WRITE0, no newline added */
void sh_put_hex32(uint32_t v);                  /* "0x" and 8 lower-case digits */
void sh_put_dec(int32_t v);                     /* signed decimal */
__attribute__((noreturn)) void sh_exit(int status); /* 0 = success */

#endif
