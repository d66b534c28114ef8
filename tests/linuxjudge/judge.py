"""The real-kernel judge: Debian's arm64 kernel in ``qemu-system-aarch64 -M virt`` loads
firmware images through the remoteproc core and says, per image, what it did.

What it owns: building the test driver (``c/judge_rproc.c``) against the kernel's
headers package, writing the initramfs (busybox-static, ``/init``, the driver,
the images under ``/lib/firmware/judge/``, a list), booting, and reading the
guest's report back into one :class:`Verdict` per image.

One boot loads every image: for each, ``/init`` loads the driver with the image's
board (``regions=name@da:size[:c],...``; it reloads the driver only when the board
changes), writes the name to ``/sys/class/remoteproc/remoteprocN/firmware``,
writes ``start`` to ``state``, reads the state back, writes ``stop`` when it
runs, then prints the kernel's log for that image (``dmesg -c -r``: level and
words). After an oops the remoteproc lock stays held, so ``/init`` powers the
guest off and the harness boots again with an initramfs of the images not yet
judged (:func:`boot_order` puts those the caller marks risky last, so such boots
are small); a guest that says nothing for ``QUIET`` seconds is killed and the
image recorded as ``hang``. Built modules and initramfs images are cached by the
hash of their inputs (``modules/``, ``initramfs/`` under the cache).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bundler.remoteproc.memory import MemoryMap
from bundler.records import Factory, Record
from tests.linuxjudge import debian
from tests.support.paths import SAMPLES

C_DIR = Path(__file__).parent / "c"
MODULE = "judge_rproc"
# Linux never touches 0x70000000-0x80000000 with mem=768M on the 1 GiB machine: the regions' backing
POOL, POOL_SIZE = 0x70000000, 0x10000000
QUIET = 30.0                     # seconds without a line from the guest before it counts as hung
KEEP_INITRAMFS = 16              # initramfs images kept in the cache (newest first)
BIG = 1 << 20                    # bytes: an image this large goes in the first boot only

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "JUDGE-READY $(uname -r)"
loaded=none
rp=
while read idx regions; do
    if [ "$regions" != "$loaded" ]; then
        [ "$loaded" != none ] && rmmod judge_rproc
        dmesg -c >/dev/null
        if [ "$regions" = - ]; then insmod /judge/judge_rproc.ko; else insmod /judge/judge_rproc.ko regions="$regions"; fi
        for rp in /sys/class/remoteproc/remoteproc*; do break; done
        if [ ! -e "$rp/state" ]; then
            echo "JUDGE-INSMOD-FAILED $idx"
            dmesg -r | sed 's/^/JUDGE-LOG /'
            poweroff -f
        fi
        loaded=$regions
        dmesg -c >/dev/null
    fi
    echo "JUDGE-BEGIN $idx"
    echo -n "judge/$idx.elf" > $rp/firmware
    ( echo start > $rp/state ) 2>/dev/null
    rc=$?
    read state < $rp/state
    [ "$state" = running ] && echo stop > $rp/state
    dmesg -c -r > /tmp/log
    oops=
    while IFS= read -r line; do
        echo "JUDGE-LOG $line"
        case "$line" in
            *"Internal error:"*|*"Unable to handle kernel"*|*"BUG:"*|*"Kernel panic"*) oops=1 ;;
        esac
    done < /tmp/log
    if [ -n "$oops" ]; then
        echo "JUDGE-OOPS $idx"
        poweroff -f
    fi
    echo "JUDGE-END $idx $rc $state"
done < /judge/list
echo JUDGE-DONE
poweroff -f
"""


class Image(Record):
    """One firmware image for the judge: its bytes and the board it is loaded on."""

    label: str                       # "aarch64-amp / linux: vring num 0"
    data: bytes
    memory: MemoryMap | None         # what verify is given; the driver gets the same regions
    origin: dict = Factory(dict)     # where it comes from (sample, table, case; or the corpus entry)
    risky: bool = False              # likely to oops the kernel: loaded last (see boot_order)


_DEVICE_LINE = re.compile(r"^(remoteproc|rproc-virtio|judge-rproc)[ :]")


class Line(Record):
    level: int                       # printk level: 3 err, 4 warning, 6 info
    text: str                        # "remoteproc remoteproc0: bad phdr da 0x... mem 0x..."


class Verdict(Record):
    """What the kernel did with one image."""

    outcome: str                     # accepted, refused, oops, hang, crashed
    rc: int | None = None            # the exit status of `echo start > state`
    state: str = ""                  # the state read back
    log: list = Factory(list)        # Line, in order

    @property
    def errors(self) -> list[str]:
        return [ln.text for ln in self.log if ln.level <= 3]

    def said(self) -> str:
        """The remoteproc lines at warning level or above (not a WARN's register dump)."""
        return "; ".join(ln.text for ln in self.log if ln.level <= 4 and _DEVICE_LINE.match(ln.text)) \
            or "(nothing at warning level or above)"


class Run(Record):
    """One kernel's run over the images."""

    kernel: debian.Kernel
    uname: str
    verdicts: list                   # Verdict per image, in order
    boots: int
    seconds: float


def regions_param(memory: MemoryMap | None) -> str:
    """The driver's ``regions`` parameter for a memory map ("-" for none): named carveouts get ``:c``."""
    if memory is None or not memory.ranges:
        return "-"
    names = set(memory.carveout_names or ())
    out = []
    for i, r in enumerate(memory.ranges):
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", r.name or f"r{i}")[:31]
        out.append(f"{name}@{r.start:#x}:{r.size:#x}" + (":c" if r.name in names else ""))
    return ",".join(out)


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:20]


def build_module(kernel: debian.Kernel) -> Path:
    """judge_rproc.ko for ``kernel``, cross-built (aarch64-linux-gnu-gcc) against its headers package."""
    sources = sorted(p for p in C_DIR.iterdir() if p.is_file())
    key = _digest(kernel.release, kernel.version, *(p.name.encode() + p.read_bytes() for p in sources))
    root = debian.cache_root()
    dest = root / "modules" / key
    if (dest / f"{MODULE}.ko").exists():
        return dest / f"{MODULE}.ko"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=dest.parent))
    for p in sources:
        shutil.copy(p, tmp / p.name)
    proc = subprocess.run(["nice", "-n", "10", "make", "-C", str(kernel.headers), f"M={tmp}", "ARCH=arm64",
                           "CROSS_COMPILE=aarch64-linux-gnu-", "CONFIG_DEBUG_INFO_BTF_MODULES=", "-j2"],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not (tmp / f"{MODULE}.ko").exists():
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"building {MODULE}.ko against {kernel} failed:\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
    warnings = [ln for ln in proc.stderr.splitlines() if "warning:" in ln]
    if warnings:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"{MODULE}.c has warnings against {kernel}:\n" + "\n".join(warnings))
    keep = tmp / "keep"
    keep.mkdir()
    shutil.copy(tmp / f"{MODULE}.ko", keep / f"{MODULE}.ko")
    with debian.locked(root):
        debian.publish(keep, dest)
    shutil.rmtree(tmp, ignore_errors=True)
    return dest / f"{MODULE}.ko"


def busybox() -> Path:
    """busybox-static for arm64 (the archive's current version), unpacked in the cache."""
    _, tree = debian.package_tree("busybox-static", arch="arm64")
    return tree / "bin" / "busybox"


def _cpio():
    """samples/aarch64-linux/linux/mkcpio.py: the newc writer the remote-Linux sample uses."""
    spec = importlib.util.spec_from_file_location("mkcpio", SAMPLES / "aarch64-linux" / "linux" / "mkcpio.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def initramfs(module: Path, box: Path, images: list[tuple[int, Image]]) -> Path:
    """The initramfs (newc cpio, uncompressed) loading ``images`` ((number, image), in that order),
    cached by the hash of everything in it."""
    listing = "".join(f"{n} {regions_param(img.memory)}\n" for n, img in images)
    h = hashlib.sha256()
    for part in (INIT.encode(), listing.encode(), module.read_bytes(), box.read_bytes()):
        h.update(hashlib.sha256(part).digest())
    for _, img in images:
        h.update(hashlib.sha256(img.data).digest())
    root = debian.cache_root() / "initramfs"
    dest = root / f"{h.hexdigest()[:20]}.cpio"
    if dest.exists():
        os.utime(dest)
        return dest
    root.mkdir(parents=True, exist_ok=True)
    cpio = _cpio()
    d, c, f = cpio.S_IFDIR | 0o755, cpio.S_IFCHR | 0o600, cpio.S_IFREG
    files = [("dev", d, b""), ("dev/console", c, b""), ("bin", d, b""), ("bin/busybox", f | 0o755, box.read_bytes()),
             ("proc", d, b""), ("sys", d, b""), ("tmp", d, b""), ("init", f | 0o755, INIT.encode()),
             ("judge", d, b""), ("judge/list", f | 0o644, listing.encode()),
             ("judge/judge_rproc.ko", f | 0o644, module.read_bytes()),
             ("lib", d, b""), ("lib/firmware", d, b""), ("lib/firmware/judge", d, b"")]
    files += [(f"lib/firmware/judge/{n}.elf", f | 0o644, img.data) for n, img in images]
    fd, tmp = tempfile.mkstemp(prefix=".cpio.", dir=root)
    with os.fdopen(fd, "wb") as out:
        size = 0
        for ino, (name, mode, data) in enumerate(files, 1):
            chunk = cpio.entry(ino, name, mode, data, rdev=(5, 1) if name == "dev/console" else (0, 0))
            out.write(chunk)
            size += len(chunk)
        tail = cpio.entry(0, "TRAILER!!!", 0)
        out.write(tail + b"\0" * (-(size + len(tail)) % 512))
    os.replace(tmp, dest)
    for old in sorted(root.glob("*.cpio"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP_INITRAMFS:]:
        old.unlink(missing_ok=True)
    return dest


_RAW = re.compile(r"^<(\d+)>(?:\[\s*[\d.]+\]\s?)?(.*)$")


def parse_log(raw: str) -> Line | None:
    m = _RAW.match(raw)
    if m is None:
        return Line(level=6, text=raw.strip()) if raw.strip() else None
    return Line(level=int(m.group(1)) & 7, text=m.group(2).strip())


def qemu_command(kernel: debian.Kernel, cpio: Path) -> list[str]:
    append = "console=ttyAMA0 quiet loglevel=1 mem=768M maxcpus=1 rdinit=/init panic=-1"
    return ["nice", "-n", "10", "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-smp", "1", "-m", "1G",
            "-kernel", str(kernel.image), "-initrd", str(cpio), "-append", append, "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nodefaults"]


def boot_order(images: list[Image]) -> list[int]:
    """The order the guest loads them: large images first (only the first boot carries them), images
    the caller marks ``risky`` (an oops is likely) last, so that a boot after an oops is small; the
    rest grouped by board, so the driver is reloaded only when the board changes."""
    return sorted(range(len(images)), key=lambda i: (images[i].risky, len(images[i].data) < BIG,
                                                     regions_param(images[i].memory)))


def run(kernel: debian.Kernel, images: list[Image], *, quiet: float = QUIET) -> Run:
    """Every image through ``kernel``'s remoteproc core: one boot, and one more after each oops or hang
    (carrying only the images not yet judged)."""
    module, box = build_module(kernel), busybox()
    verdicts: list[Verdict | None] = [None] * len(images)
    remaining = boot_order(images)
    t0 = time.monotonic()
    boots, uname = 0, ""
    while remaining:
        boots += 1
        cpio = initramfs(module, box, [(i, images[i]) for i in remaining])
        current, console, logs = None, [], {}
        proc = subprocess.Popen(qemu_command(kernel, cpio), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        try:
            for line in _lines(proc, quiet):
                console.append(line)
                word, _, rest = line.partition(" ")
                if word == "JUDGE-READY":
                    uname = rest.strip()
                elif word == "JUDGE-BEGIN":
                    current = int(rest)
                    logs[current] = []
                elif word == "JUDGE-LOG" and current is not None:
                    parsed = parse_log(rest)
                    if parsed is not None:
                        logs[current].append(parsed)
                elif word == "JUDGE-END":
                    i, rc, state = (rest.split() + ["", ""])[:3]
                    i = int(i)
                    outcome = "accepted" if rc == "0" and state == "running" else \
                        "refused" if rc != "0" and state == "offline" else f"unclear (rc {rc}, state {state})"
                    verdicts[i] = Verdict(outcome=outcome, rc=int(rc), state=state, log=logs.pop(i))
                    current = None
                elif word == "JUDGE-OOPS":
                    verdicts[int(rest)] = Verdict(outcome="oops", log=logs.pop(int(rest)))
                    current = None
                elif word == "JUDGE-INSMOD-FAILED":
                    raise RuntimeError(f"{MODULE}.ko did not register a remote processor on {kernel}:\n"
                                       + "\n".join(console[-40:]))
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if current is not None:      # hung (killed after `quiet` seconds), or the kernel died inside an image
            verdicts[current] = Verdict(outcome="hang" if proc.returncode == -9 else "crashed", log=logs.pop(current))
        left = [i for i in remaining if verdicts[i] is None]
        if len(left) == len(remaining):
            raise RuntimeError(f"{kernel} judged no image in boot {boots}:\n" + "\n".join(console[-40:]))
        remaining = left
    return Run(kernel=kernel, uname=uname, verdicts=verdicts, boots=boots, seconds=time.monotonic() - t0)


def _lines(proc: subprocess.Popen, quiet: float):
    """The guest's console, line by line; ends when QEMU exits or says nothing for ``quiet`` seconds."""
    buf = b""
    fd = proc.stdout.fileno()
    while True:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            proc.kill()
            return
        chunk = os.read(fd, 65536)
        if not chunk:
            if buf:
                yield buf.decode(errors="replace").rstrip("\r")
            return
        buf += chunk
        *whole, buf = buf.split(b"\n")
        for raw in whole:
            yield raw.decode(errors="replace").rstrip("\r")
