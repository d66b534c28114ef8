"""The kit on a 32-bit host: addresses and sizes that fit uint64_t but not
uintptr_t/size_t are refused, never truncated.

c/host32.c runs freestanding on i386 Linux (gcc -m32 -nostdlib, raw
syscalls: no 32-bit libc needed, only the multilib compiler). Skipped where
gcc cannot build -m32 code.
"""

from __future__ import annotations

import subprocess
import zlib

import pytest

from tests.support.kit_elf import Segment, build_elf
from tests.kit.kit_native import CDIR, E, KIT, SOURCES, need_tool

pytestmark = pytest.mark.toolchain

REGION = 0x20000000
REGION_SIZE = 4096
FILL = 0xAA
PAYLOAD = bytes(range(0x30, 0x30 + 48))


def load_cases() -> list[tuple[str, bytes, int, int | None, bytes | None]]:
    """(name, image, expected code, expected entry, expected region) per case."""
    text, data = b"\x01\x02\x03\x04\x05\x06\x07", b"DATA"

    def region_after(*writes):
        mem = bytearray([FILL]) * REGION_SIZE
        for addr, blob in writes:
            mem[addr - REGION:addr - REGION + len(blob)] = blob
        return bytes(mem)

    good = region_after((REGION + 0x10, text), (REGION + 0x101, data + bytes(12)))
    segs = [Segment(REGION + 0x10, text), Segment(REGION + 0x101, data, memsz=16)]
    cases = []
    for name, bits, msb in (("elf32le", 32, False), ("elf32be", 32, True),
                            ("elf64le", 64, False), ("elf64be", 64, True)):
        cases.append((name, build_elf(bits, msb, REGION + 0x11, segs).data, 0, REGION + 0x11, good))
    refused = [
        ("entry_over_4g", build_elf(64, False, 1 << 32, segs), "ESEGMENT"),
        ("paddr_over_4g", build_elf(64, False, 0, [Segment(1 << 32, b"x")]), "EREGION"),
        ("crosses_4g", build_elf(64, True, 0, [Segment(0xFFFFF000, b"", memsz=0x2000)]), "EREGION"),
        ("past_4g_by_one", build_elf(64, False, 0, [Segment(0xFFFFFF00, b"", memsz=0x101)]),
         "EREGION"),
        ("elf32_wraps", build_elf(32, False, 0, [Segment(0xFFFFFFF0, b"", memsz=0x20)]), "EREGION"),
        ("in_region_then_over", build_elf(64, False, 0, [Segment(REGION, b"ok"),
                                                         Segment(1 << 33, b"", memsz=1)]),
         "EREGION"),
    ]
    untouched = region_after()
    for name, img, code in refused:
        cases.append((name, img.data, E[code], None, untouched))
    return cases


def c_bytes(data: bytes) -> str:
    return "{" + ",".join(str(b) for b in data) + "}"


def write_cases(path) -> list:
    cases = load_cases()
    lines = [f"#define REGION_SIZE {REGION_SIZE}u",
             f"#define PAYLOAD_SIZE {len(PAYLOAD)}u",
             f"#define PAYLOAD_CRC32 {zlib.crc32(PAYLOAD):#x}u",
             f"#define PAYLOAD_BYTES {c_bytes(PAYLOAD)}",
             "struct load_case { const char *name; const uint8_t *image; uint32_t size; };"]
    for i, (_, image, *_rest) in enumerate(cases):
        lines.append(f"static const uint8_t image_{i}[{len(image)}] "
                     f"__attribute__((aligned(8))) = {c_bytes(image)};")
    lines.append("static const struct load_case load_cases[] = {")
    lines += [f'        {{ "{name}", image_{i}, sizeof(image_{i}) }},'
              for i, (name, *_rest) in enumerate(cases)]
    lines += ["};", f"#define N_LOAD_CASES {len(cases)}u"]
    path.write_text("\n".join(lines) + "\n")
    return cases


@pytest.fixture(scope="module")
def host32(tmp_path_factory):
    need_tool("gcc")
    d = tmp_path_factory.mktemp("host32")
    cases = write_cases(d / "cases32.h")
    exe = d / "host32"
    cmd = ["gcc", "-m32", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
           "-ffreestanding", "-nostdlib", "-static", "-fno-pie", "-no-pie", "-O2",
           f"-I{KIT}", f"-I{d}", CDIR / "host32.c", CDIR / "desc32.c", *SOURCES,
           f"-Wl,--section-start=.region={REGION:#x}", "-o", exe]
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        if "-m32" in proc.stderr or "elf_i386" in proc.stderr or "skipping incompatible" in \
                proc.stderr or "cannot find" in proc.stderr:
            pytest.skip(f"gcc cannot build -m32 programs here: {proc.stderr[:200]}")
        raise AssertionError(proc.stderr)
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, f"host32 exited {run.returncode}:\n{run.stdout}{run.stderr}"
    out = {}
    for line in run.stdout.splitlines():
        name, code, value = line.split()
        out.setdefault(name, []).append((int(code), int(value, 16)))
    return cases, out


def test_descriptor_is_56_bytes(host32):
    _, out = host32
    assert out["desc_size"] == [(56, 0)]


def test_load_cases(host32):
    cases, out = host32
    for name, _, code, entry, region in cases:
        crc = zlib.crc32(region)
        if code == 0:
            assert out[name] == [(0, entry), (0, crc)], name
        else:
            assert out[name] == [(code, crc)], f"{name}: {out[name]} (region must be untouched)"


def test_descriptor_fields_must_fit(host32):
    _, out = host32
    assert out["find_ok"] == [(0, 0)]
    assert out["verify_ok"] == [(0, len(PAYLOAD))]
    assert out["find_bias"] == [(0, 0)]
    for name in ("base_over_4g", "size_over_4g", "link_over_4g", "wraps_4g"):
        assert out[name] == [(E["EDESC"], 0)], name
    assert out["ends_at_4g"] == [(0, 0x100)]
    assert out["b_unbundled"] == [(E["ENOTBUNDLED"], 0)]
