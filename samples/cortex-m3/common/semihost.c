/*
 * semihost.c - ARM semihosting over `bkpt 0xab` (M-profile): SYS_WRITE0 and
 * SYS_EXIT / SYS_EXIT_EXTENDED. QEMU needs -semihosting; on a debugger-less
 * board the bkpt would fault, so these are for the demo only.
 */
#include "semihost.h"

#define SYS_WRITE0                  0x04u
#define SYS_EXIT                    0x18u
#define SYS_EXIT_EXTENDED           0x20u
#define ADP_Stopped_ApplicationExit 0x20026u
#define ADP_Stopped_RunTimeErrorUnknown 0x20023u

static uint32_t sh_call(uint32_t op, const void *arg)
{
        register uint32_t r0 __asm__("r0") = op;
        register const void *r1 __asm__("r1") = arg;

        __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
        return r0;
}

void sh_puts(const char *s)
{
        sh_call(SYS_WRITE0, s);
}

void sh_put_hex32(uint32_t v)
{
        static const char digits[] = "0123456789abcdef";
        char buf[11];
        int i;

        buf[0] = '0';
        buf[1] = 'x';
        for (i = 0; i < 8; i++)
                buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xfu];
        buf[10] = '\0';
        sh_puts(buf);
}

void sh_put_dec(int32_t v)
{
        char buf[12];
        char *p = &buf[sizeof(buf) - 1];
        uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;

        *p = '\0';
        do {
                *--p = (char)('0' + u % 10u);
                u /= 10u;
        } while (u != 0u);
        if (v < 0)
                *--p = '-';
        sh_puts(p);
}

void sh_exit(int status)
{
        /* AArch32 SYS_EXIT carries only a reason: QEMU exits 0 for
         * ApplicationExit and 1 for anything else. SYS_EXIT_EXTENDED carries
         * the status too; fall back to SYS_EXIT where it is not supported. */
        uint32_t block[2] = { ADP_Stopped_ApplicationExit, (uint32_t)status };

        if (status == 0)
                sh_call(SYS_EXIT, (const void *)ADP_Stopped_ApplicationExit);
        sh_call(SYS_EXIT_EXTENDED, block);
        sh_call(SYS_EXIT, (const void *)ADP_Stopped_RunTimeErrorUnknown);
        for (;;)
                __asm__ volatile("wfi");
}
