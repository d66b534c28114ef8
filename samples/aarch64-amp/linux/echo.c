/*
 * echo.c - the Linux host's user-space side of the echo test (static, in the
 * initramfs). It finds the rpmsg-openamp-demo-channel the remote announced
 * (/sys/bus/rpmsg/devices/<vdev>.<name>.<src>.<dst>), opens an endpoint to
 * the remote's address through rpmsg_char (/dev/rpmsg_ctrlN,
 * RPMSG_CREATE_EPT_IOCTL -> /dev/rpmsgM), sends 1000 messages one at a time
 * (message k: 1 + k % 496 bytes, byte j = k * 31 + j * 7 + 1, as echo/host.c
 * sends them), checks every echo and times each round trip (CLOCK_MONOTONIC);
 * then messages 1000..1999, WINDOW in flight, for the message rate. Prints
 *
 *   echo: 1000/1000 ok
 *   echo: round trip median <N> us, p99 <N> us, <N> msg/s
 *
 * or `echo: FAILED <reason>` (corrupted echoes are counted: `echo: 990/1000
 * ok`, then `echo: FAILED 10 corrupted echoes (the first: message 99, 100
 * bytes)`), and exits 0 only on success.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define CHANNEL         "rpmsg-openamp-demo-channel"
#define COUNT           1000
#define MAX_LEN         496     /* 512-byte buffers less the 16-byte rpmsg header */
#define WINDOW          8       /* messages in flight in the rate run */
#define WAIT_MS         5000    /* for the announcement, the devices, each echo */

static int failed(const char *fmt, ...)
{
        va_list ap;

        printf("echo: FAILED ");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
        return 1;
}

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int read_attr(const char *dir, const char *name, char *buf, size_t size)
{
        char path[512];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_RDONLY);
        if (fd < 0)
                return -1;
        n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -1;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

/* the first entry of DIR whose attribute ATTR reads VALUE (NULL: any whose
 * name starts with PREFIX), polled until WAIT_MS */
static int find_entry(const char *dir, const char *prefix, const char *attr,
                      const char *value, char *found, size_t size)
{
        double end = now_us() + WAIT_MS * 1e3;
        char sub[512], val[128];
        struct dirent *e;
        DIR *d;

        do {
                d = opendir(dir);
                while (d && (e = readdir(d)) != NULL) {
                        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
                                continue;
                        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
                        if (attr && (read_attr(sub, attr, val, sizeof(val)) || strcmp(val, value)))
                                continue;
                        snprintf(found, size, "%s", e->d_name);
                        closedir(d);
                        return 0;
                }
                if (d)
                        closedir(d);
                usleep(10000);
        } while (now_us() < end);
        return -1;
}

static void fill(uint8_t *buf, int k, int len)
{
        for (int j = 0; j < len; j++)
                buf[j] = (uint8_t)(k * 31 + j * 7 + 1);
}

static int bad, first_bad = -1;        /* corrupted echoes: how many, the first */

static int msg_len(int k)
{
        return 1 + k % MAX_LEN;
}

/* the echo of message K, read from FD, checked against what was sent: 0, or
 * 1 after `echo: FAILED` (no echo, a read error, a wrong length); a wrong
 * byte is counted in bad and first_bad */
static int check_echo(int fd, int k, const char *run)
{
        uint8_t want[MAX_LEN], got[MAX_LEN + 16];
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int len = msg_len(k);
        ssize_t n;

        if (poll(&p, 1, WAIT_MS) != 1)
                return failed("%s: no echo of message %d (%d bytes) in %d ms", run, k, len, WAIT_MS);
        n = read(fd, got, sizeof(got));
        if (n < 0)
                return failed("%s: read of message %d: %s", run, k, strerror(errno));
        if (n != len)
                return failed("%s: echo of message %d is %zd bytes, sent %d", run, k, n, len);
        fill(want, k, len);
        if (memcmp(got, want, len) != 0) {
                if (bad++ == 0)
                        first_bad = k;
        }
        return 0;
}

static int send_msg(int fd, int i, const char *run)
{
        uint8_t buf[MAX_LEN];
        int len = msg_len(i);

        fill(buf, i, len);
        if (write(fd, buf, len) != len)
                return failed("%s: write of message %d (%d bytes): %s", run, i, len, strerror(errno));
        return 0;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

int main(void)
{
        static double rtt[COUNT];
        struct rpmsg_endpoint_info info = { .src = RPMSG_ADDR_ANY };
        char chan[256], ctrl[64], ept[64], path[512], dst[32];
        double t0, elapsed;
        int cfd, fd, i;

        setvbuf(stdout, NULL, _IOLBF, 0);
        /* the channel device is named <vdev>.<name>.<src>.<dst> */
        if (find_entry("/sys/bus/rpmsg/devices", "virtio", "name", CHANNEL, chan, sizeof(chan)))
                return failed("the remote announced no %s within %d ms", CHANNEL, WAIT_MS);
        snprintf(path, sizeof(path), "/sys/bus/rpmsg/devices/%s", chan);
        if (read_attr(path, "dst", dst, sizeof(dst)))
                return failed("no dst attribute in %s", path);
        info.dst = (uint32_t)strtoul(dst, NULL, 0);
        snprintf(info.name, sizeof(info.name), "%s", CHANNEL);
        printf("echo: channel %s, remote address 0x%x\n", CHANNEL, info.dst);

        if (find_entry("/dev", "rpmsg_ctrl", NULL, NULL, ctrl, sizeof(ctrl)))
                return failed("no /dev/rpmsg_ctrl* within %d ms (rpmsg_ctrl not loaded?)", WAIT_MS);
        snprintf(path, sizeof(path), "/dev/%s", ctrl);
        cfd = open(path, O_RDWR);
        if (cfd < 0)
                return failed("open %s: %s", path, strerror(errno));
        if (ioctl(cfd, RPMSG_CREATE_EPT_IOCTL, &info) < 0)
                return failed("RPMSG_CREATE_EPT_IOCTL on %s: %s", path, strerror(errno));
        /* the endpoint device: /sys/class/rpmsg/rpmsgN with our dst */
        snprintf(dst, sizeof(dst), "%u", info.dst);
        if (find_entry("/sys/class/rpmsg", "rpmsg", "dst", dst, ept, sizeof(ept)))
                return failed("no endpoint device for address %s after RPMSG_CREATE_EPT_IOCTL", dst);
        snprintf(path, sizeof(path), "/dev/%s", ept);
        fd = open(path, O_RDWR);
        if (fd < 0)
                return failed("open %s: %s", path, strerror(errno));
        printf("echo: %s -> /dev/%s\n", ctrl, ept);

        for (i = 0; i < COUNT; i++) {
                t0 = now_us();
                if (send_msg(fd, i, "round trip") || check_echo(fd, i, "round trip"))
                        return 1;
                rtt[i] = now_us() - t0;
        }
        printf("echo: %d/%d ok\n", COUNT - bad, COUNT);
        if (bad)
                return failed("%d corrupted echoes (the first: message %d, %d bytes)",
                              bad, first_bad, msg_len(first_bad));
        /* the rate: messages COUNT..2*COUNT-1, WINDOW in flight, each echo checked */
        t0 = now_us();
        for (i = COUNT; i < 2 * COUNT; i++) {
                if (send_msg(fd, i, "rate"))
                        return 1;
                if (i >= COUNT + WINDOW - 1 && check_echo(fd, i - (WINDOW - 1), "rate"))
                        return 1;
        }
        for (i = 2 * COUNT - (WINDOW - 1); i < 2 * COUNT; i++)
                if (check_echo(fd, i, "rate"))
                        return 1;
        elapsed = now_us() - t0;
        if (bad)
                return failed("%d corrupted echoes in the rate run (the first: message %d, %d bytes)",
                              bad, first_bad, msg_len(first_bad));
        ioctl(fd, RPMSG_DESTROY_EPT_IOCTL);
        close(fd);
        close(cfd);

        qsort(rtt, COUNT, sizeof(rtt[0]), cmp_double);
        printf("echo: round trip median %.0f us, p99 %.0f us, %.0f msg/s\n",
               rtt[COUNT / 2 - 1], rtt[COUNT * 99 / 100 - 1], COUNT / (elapsed / 1e6));
        return 0;
}
