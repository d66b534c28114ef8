#!/usr/bin/env python3
"""Print the slice-by-4 CRC-32 tables of linker/remote_fw_crc32.c (reflected 0xEDB88320).

    crc32_table[0][n]: the CRC register after the byte n
    crc32_table[k][n]: the same followed by k zero bytes
"""


def tables() -> list[list[int]]:
    t0 = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ (0xEDB88320 if c & 1 else 0)
        t0.append(c)
    out = [t0]
    for k in range(1, 4):
        out.append([(out[k - 1][n] >> 8) ^ t0[out[k - 1][n] & 0xFF] for n in range(256)])
    return out


def main() -> None:
    print("static const uint32_t crc32_table[4][256] = {")
    for t in tables():
        print("        {")
        for i in range(0, 256, 6):
            print("                " + " ".join(f"0x{v:08x}u," for v in t[i:i + 6]))
        print("        },")
    print("};")


if __name__ == "__main__":
    main()
