#!/usr/bin/env python3
"""Print linker/remote_fw_crc32_tables.h, the CRC-32 tables of remote_fw_crc32.c
(reflected 0xEDB88320), to be pasted over it (tests/fit_kit/test_crc32.py holds the two together).

The default CRC-32 takes a 32-bit word x = crc ^ (4 message bytes) in one step:
crc' = f(x), f being 32 steps of the bit-serial CRC with no input bits. f is
linear, so f(x) = f(x & 0x7ff) ^ f(x & 0x7ff << 11) ^ f(x & 0x3ff << 22):

    crc32_lo[i]  = f(i),        i < 2048
    crc32_mid[i] = f(i << 11),  i < 2048
    crc32_hi[i]  = f(i << 22),  i < 1024

and one byte step is crc' = (crc >> 8) ^ crc32_hi[((crc ^ byte) & 0xff) << 2]
(f(b << 24) is 24 plain shifts, then the 8 steps of the byte table).
"""

POLY = 0xEDB88320


def f(v: int) -> int:
    for _ in range(32):
        v = (v >> 1) ^ (POLY if v & 1 else 0)
    return v


def tables() -> dict[str, list[int]]:
    return {"crc32_lo": [f(i) for i in range(2048)],
            "crc32_mid": [f(i << 11) for i in range(2048)],
            "crc32_hi": [f(i << 22) for i in range(1024)]}


HEAD = """/*
 * remote_fw_crc32_tables.h - the tables of the default CRC-32 of
 * remote_fw_crc32.c (private to linker/, included by that unit only): 5,120
 * words, 20 KiB of const data. Generated: scripts/crc32_tables.py prints this
 * file (crc32_lo[i] = f(i), crc32_mid[i] = f(i << 11), crc32_hi[i] =
 * f(i << 22), f being 32 zero-input steps of the reflected CRC-32).
 */
#ifndef REMOTE_FW_CRC32_TABLES_H
#define REMOTE_FW_CRC32_TABLES_H

#include <stdint.h>
"""


def main() -> None:
    print(HEAD)
    for name, t in tables().items():
        print(f"static const uint32_t {name}[{len(t)}] = {{")
        for i in range(0, len(t), 8):
            print("        " + " ".join(f"0x{v:08x}u," for v in t[i:i + 8]).rstrip())
        print("};\n")
    print("#endif /* REMOTE_FW_CRC32_TABLES_H */")


if __name__ == "__main__":
    main()
