/*
 * init.c - /init of the remote Linux's initramfs: one line on the console,
 * with the generic timer's count (CNTVCT_EL0, which Linux lets EL0 read: the
 * same clock the host and the bootstrap print), then power off.
 *
 * Built static with -nostdlib (no libc: two system calls). Powering off is
 * PSCI SYSTEM_OFF, which ends the whole QEMU machine, host included: right
 * for a test, wrong for a real AMP system (docs/remote-linux.md).
 */
#define SYS_write       64
#define SYS_reboot      142

#define LINUX_REBOOT_MAGIC1         0xfee1dead
#define LINUX_REBOOT_MAGIC2         672274793
#define LINUX_REBOOT_CMD_POWER_OFF  0x4321fedc

static long syscall4(long n, long a, long b, long c, long d)
{
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        register long x3 __asm__("x3") = d;

        __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
        return x0;
}

static unsigned long put_dec(char *p, unsigned long v, int width)
{
        char tmp[24];
        int n = 0, i;

        do {
                tmp[n++] = (char)('0' + v % 10u);
                v /= 10u;
        } while (v != 0u || n < width);
        for (i = 0; i < n; i++)
                p[i] = tmp[n - 1 - i];
        return (unsigned long)n;
}

static unsigned long put_str(char *p, const char *s)
{
        unsigned long n = 0;

        while (s[n] != '\0') {
                p[n] = s[n];
                n++;
        }
        return n;
}

void _start(void)
{
        unsigned long t, f, us, n = 0;
        char line[128];

        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
        __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
        us = f != 0u ? t / f * 1000000u + t % f * 1000000u / f : 0u;

        n += put_str(line + n, "init: hello from Linux on the remote core, t=");
        n += put_dec(line + n, us / 1000000u, 1);
        line[n++] = '.';
        n += put_dec(line + n, us % 1000000u, 6);
        line[n++] = '\n';
        syscall4(SYS_write, 1, (long)line, (long)n, 0);
        syscall4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
        for (;;)
                ;
}
