#!/usr/bin/env python3
"""tamper.py FIT DATA OUT: copy FIT to OUT with one byte of DATA (an image's
bytes, found exactly once inside FIT) inverted, in DATA's middle. The FIT's
structure, hash values and signature are left as they were: what an attacker
who can write the flash but holds no key makes of a signed FIT.
"""

import sys


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: tamper.py FIT DATA OUT", file=sys.stderr)
        return 2
    fit_path, data_path, out_path = argv[1:]
    with open(fit_path, "rb") as f:
        fit = bytearray(f.read())
    with open(data_path, "rb") as f:
        data = f.read()
    at = fit.find(data)
    if not data or at < 0 or fit.find(data, at + 1) >= 0:
        print(f"tamper.py: {data_path} ({len(data)} bytes) is not in {fit_path} exactly once",
              file=sys.stderr)
        return 1
    fit[at + len(data) // 2] ^= 0xFF
    with open(out_path, "wb") as f:
        f.write(fit)
    print(f"tamper.py: {out_path}: byte at 0x{at + len(data) // 2:x} of {fit_path} inverted "
          f"(inside {data_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
