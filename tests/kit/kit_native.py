"""Build the kit natively and drive it: ctypes wrappers, the fixed test region,
and the sanitizer-built subprocess driver (tests/kit/c/driver.c).

The error codes come from remote_fw.h itself, so the tests follow the contract.
"""

from __future__ import annotations

import ctypes
import mmap
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import KIT_SOURCES
from tests.support.tools import need_tool  # noqa: F401  (the kit tests take it from here)

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "linker"
CDIR = Path(__file__).resolve().parent / "c"
HEADER = KIT / "remote_fw.h"
SOURCES = KIT_SOURCES           # the units libkit.so is built from (tests.support.paths)

CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{KIT}"]


def error_codes() -> dict[str, int]:
    """{"EINVAL": -1, ...} parsed from remote_fw.h."""
    codes = {}
    for m in re.finditer(r"#define REMOTE_FW_(E[A-Z]+|OK)\s+(-?\d+)", HEADER.read_text()):
        codes[m.group(1)] = int(m.group(2))
    return codes


E = error_codes()
CHECK_REGIONS, CHECK_OPENAMP = 0x1, 0x2      # REMOTE_FW_CHECK_* in remote_fw.h
DESC_MAGIC = int(re.search(r"REMOTE_FW_DESC_MAGIC\s+(0x[0-9a-fA-F]+)", HEADER.read_text()).group(1), 16)
F_BUNDLED, F_CRC32 = 0x1, 0x2




def run(cmd: list[str], cwd: Path | None = None) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc.stdout


# ---- ctypes view of the API ---------------------------------------------------

class Image(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("size", ctypes.c_size_t), ("name", ctypes.c_char_p)]


class Region(ctypes.Structure):
    _fields_ = [("start", ctypes.c_size_t), ("size", ctypes.c_size_t)]


class Desc(ctypes.Structure):
    """struct remote_fw_desc (64-bit host layout)."""
    _fields_ = [("magic", ctypes.c_uint32), ("version", ctypes.c_uint16),
                ("desc_size", ctypes.c_uint16), ("flags", ctypes.c_uint32),
                ("crc32", ctypes.c_uint32), ("base", ctypes.c_uint64),
                ("size", ctypes.c_uint64), ("link_addr", ctypes.c_uint64),
                ("name", ctypes.c_char_p), ("start", ctypes.c_void_p),
                ("end", ctypes.c_void_p)]


def build_lib(out: Path) -> Path:
    """libkit.so = the kit's units + descs.c (alpha, beta, gamma_bin) + gamma.o.

    gamma.o is made by `objcopy -I binary gamma.bin` in the build directory,
    exactly the pre-link flow people use, so it defines _binary_gamma_bin_*.
    """
    out.mkdir(parents=True, exist_ok=True)
    run(["gcc", *CFLAGS, "-O1", "-g", "-fPIC", "-c", CDIR / "descs.c", "-o", out / "descs.o"])
    head = run(["objdump", "-f", out / "descs.o"])
    bfd = re.search(r"file format (\S+)", head).group(1)
    arch = re.search(r"architecture: ([^,\s]+)", head).group(1)
    (out / "gamma.bin").write_bytes(GAMMA_BYTES)
    run(["objcopy", "-I", "binary", "-O", bfd, "-B", arch, "gamma.bin", "gamma.o"], cwd=out)
    lib = out / "libkit.so"
    run(["gcc", *CFLAGS, "-O1", "-g", "-fPIC", "-shared", *SOURCES, out / "descs.o",
         out / "gamma.o", "-o", lib])
    return lib


GAMMA_BYTES = bytes((i * 7 + 3) & 0xFF for i in range(1001))


class Kit:
    """The kit loaded in-process with ctypes."""

    def __init__(self, path: Path):
        self.lib = lib = ctypes.CDLL(str(path))
        P = ctypes.POINTER
        lib.remote_fw_find.argtypes = [ctypes.c_char_p, P(Image)]
        lib.remote_fw_verify.argtypes = [P(Image)]
        lib.remote_fw_rsc_table.argtypes = [P(Image), P(ctypes.c_void_p), P(ctypes.c_size_t)]
        lib.remote_fw_load.argtypes = [P(Image), P(Region), ctypes.c_size_t, P(ctypes.c_size_t)]
        lib.remote_fw_check.argtypes = [P(Image), ctypes.c_uint, P(Region), ctypes.c_size_t,
                                        P(ctypes.c_size_t)]
        lib.remote_fw_strerror.argtypes = [ctypes.c_int]
        lib.remote_fw_strerror.restype = ctypes.c_char_p
        lib.remote_fw_crc32.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.remote_fw_crc32.restype = ctypes.c_uint32
        self._keep = []

    # -- images in host memory
    def image(self, data: bytes, misalign: int = 0, name: bytes = b"img") -> Image:
        """An Image over a private copy of data, at an address = misalign mod 16."""
        buf = ctypes.create_string_buffer(len(data) + 16)
        start = ctypes.addressof(buf)
        at = start + ((misalign - start) % 16)
        ctypes.memmove(at, data, len(data))
        self._keep.append(buf)
        return Image(at, len(data), name)

    def crc32(self, data: bytes) -> int:
        return self.lib.remote_fw_crc32(data, len(data))

    def rsc_table(self, img: Image) -> tuple[int, int | None, int]:
        table, size = ctypes.c_void_p(0xDEAD), ctypes.c_size_t(0xBEEF)
        err = self.lib.remote_fw_rsc_table(ctypes.byref(img), ctypes.byref(table),
                                           ctypes.byref(size))
        return err, table.value, size.value

    def load(self, img: Image, regions: list[tuple[int, int]]) -> tuple[int, int]:
        arr = (Region * max(1, len(regions)))(*[Region(s, n) for s, n in regions])
        entry = ctypes.c_size_t(0xE0E0)
        err = self.lib.remote_fw_load(ctypes.byref(img), arr, len(regions), ctypes.byref(entry))
        return err, entry.value

    def check(self, img: Image, regions: list[tuple[int, int]],
              rules: int = CHECK_REGIONS) -> tuple[int, int]:
        """remote_fw_check: the load's verdict without the copy."""
        arr = (Region * max(1, len(regions)))(*[Region(s, n) for s, n in regions])
        entry = ctypes.c_size_t(0xE0E0)
        err = self.lib.remote_fw_check(ctypes.byref(img), rules, arr, len(regions), ctypes.byref(entry))
        return err, entry.value

    def find(self, name: bytes) -> tuple[int, Image]:
        img = Image(0, 0, None)
        return self.lib.remote_fw_find(name, ctypes.byref(img)), img

    def verify(self, img: Image) -> int:
        return self.lib.remote_fw_verify(ctypes.byref(img))

    def strerror(self, err: int) -> str:
        return self.lib.remote_fw_strerror(err).decode()

    # -- descriptors
    def desc(self, stem: str) -> Desc:
        return Desc.in_dll(self.lib, f"remote_fw_desc_{stem}")

    def symbol_address(self, name: str) -> int:
        return ctypes.addressof(ctypes.c_char.in_dll(self.lib, name))


# ---- raw memory: mprotect and a fixed region below 4 GiB ------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long]
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
MAP_FIXED_NOREPLACE = 0x100000
PROT_NONE = 0
PAGE = mmap.PAGESIZE


def make_writable(addr: int, size: int) -> None:
    start = addr & ~(PAGE - 1)
    end = (addr + size + PAGE - 1) & ~(PAGE - 1)
    if _libc.mprotect(start, end - start, mmap.PROT_READ | mmap.PROT_WRITE) != 0:
        raise OSError(ctypes.get_errno(), "mprotect")


@dataclass
class FixedRegion:
    """REGION bytes at a fixed address below 4 GiB (so ELF32 images can load
    there) between two PROT_NONE guard pages."""
    start: int
    size: int

    def fill(self, byte: int) -> None:
        ctypes.memset(self.start, byte, self.size)

    def read(self, off: int = 0, n: int | None = None) -> bytes:
        return ctypes.string_at(self.start + off, self.size - off if n is None else n)

    def write(self, off: int, data: bytes) -> None:
        ctypes.memmove(self.start + off, data, len(data))


def map_fixed_region(size: int = 0x100000) -> FixedRegion:
    for base in range(0x10000000, 0xF0000000, 0x10000000):
        want = base - PAGE
        got = _libc.mmap(want, size + 2 * PAGE, PROT_NONE,
                         mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0)
        if got == want:
            if _libc.mprotect(base, size, mmap.PROT_READ | mmap.PROT_WRITE) != 0:
                raise OSError(ctypes.get_errno(), "mprotect")
            return FixedRegion(base, size)
        if got not in (None, ctypes.c_void_p(-1).value):
            _libc.munmap(got, size + 2 * PAGE)
    raise OSError("no free fixed address below 4 GiB for the test region")


# ---- the subprocess driver --------------------------------------------------------

DRIVER_REGION = (0x10000000, 0x00100000)     # REGION_START/SIZE in driver.c


def build_driver(out: Path, sanitize: bool = True, lto: bool = False) -> Path:
    """driver.c + the kit's units: ASan/UBSan at -O1, or plain -O2 -flto (so the
    optimiser sees the descriptor's initialiser and the kit together)."""
    out.mkdir(parents=True, exist_ok=True)
    exe = out / "driver"
    flags = ["-O2", "-flto"] if lto else ["-O1", "-g"]
    if sanitize:
        flags += ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                  "-fno-omit-frame-pointer"]
    run(["gcc", "-std=gnu99", "-Wall", "-Wextra", "-Werror", f"-I{KIT}", *flags,
         CDIR / "driver.c", *SOURCES, "-o", exe])
    return exe


@dataclass
class DriverResult:
    rsc: int
    rsc_size: int
    rsc_offset: int
    load: int
    entry: int
    region_crc: int


class LoadDriver:
    """A persistent `driver load` process: one image in, one result line out."""

    def __init__(self, exe: Path):
        self.proc = subprocess.Popen([str(exe), "load"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, image: bytes) -> DriverResult:
        try:
            self.proc.stdin.write(struct.pack("<I", len(image)) + image)
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = b""
        if not line:
            self.proc.wait(timeout=10)
            err = self.proc.stderr.read().decode(errors="replace")
            raise AssertionError(f"driver died (exit {self.proc.returncode}) on a "
                                 f"{len(image)}-byte image {image[:64].hex()}...:\n{err}")
        f = line.split()
        return DriverResult(int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4], 16), int(f[5], 16))

    def close(self) -> str:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        err = self.proc.stderr.read().decode(errors="replace")
        assert self.proc.returncode == 0, err
        return err
