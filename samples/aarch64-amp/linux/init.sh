#!/bin/busybox sh
# /init of the Linux host's initramfs (busybox-static:arm64): load the rpmsg
# modules and the sample's remoteproc driver, start the remote from
# /lib/firmware through the remoteproc core, run the echo client; with
# echoruns=N on the kernel command line, stop and start the remote between
# N runs. After each run, the remote's trace buffer (debugfs trace0) as
# "trace0: ..." lines. Power off at the end (QEMU exits), whatever happened.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug

fail() { echo "echo: FAILED $*"; klog; poweroff -f; }
# the kernel's lines about the remote since the last call
klog() { dmesg -c | grep -E 'remoteproc|rproc|rpmsg|amp_rproc|virtio' | sed 's/^/linux: /'; }

echo "init: $(uname -r), $(cat /proc/cmdline)"
dmesg -c >/dev/null
for m in rpmsg_core rpmsg_ns virtio_rpmsg_bus rpmsg_char rpmsg_ctrl amp_rproc; do
        insmod /lib/modules/$m.ko || fail "insmod $m.ko"
done
r=/sys/class/remoteproc/remoteproc0
[ -d $r ] || { klog; fail "no $r: the amp_rproc driver did not probe"; }
fw=$(ls /lib/firmware)
echo "init: firmware /lib/firmware/$fw"
echo "$fw" >$r/firmware || fail "cannot set $r/firmware"

runs=${echoruns:-1}
n=1
while :; do
        echo "init: echo start > $r/state (run $n of $runs)"
        echo start >$r/state || fail "echo start > $r/state"
        echo "init: remoteproc0 $(cat $r/state)"
        klog
        /bin/echo-client
        rc=$?
        klog
        # the remote's own lines, from the trace buffer of its resource table
        sed 's/^/trace0: /' /sys/kernel/debug/remoteproc/remoteproc0/trace0
        echo "init: echo stop > $r/state"
        echo stop >$r/state || fail "echo stop > $r/state"
        echo "init: remoteproc0 $(cat $r/state)"
        klog
        [ $rc -eq 0 ] || break
        [ $n -lt "$runs" ] || break
        n=$((n + 1))
done
poweroff -f
