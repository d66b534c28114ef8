#!/usr/bin/env python3
"""Write the libFuzzer seed corpus for fuzz_remote_fw.c into tests/fuzz/corpus/.

    python3 -m tests.fuzz.make_seeds            # from the checkout's root: (re)writes the seeds

Seeds: ELF32 LE, ELF32 BE, ELF64 LE and ELF64 BE remotes with a valid
resource table (carveout, trace, rpmsg vdev with two vrings, a vendor entry)
whose PT_LOADs (text; data + bss) load into the harness's REGION0
(0x10000000, 4 MiB), and one whose vdev has three vrings (refused). Plus every samples/*/prebuilt/remote*.elf as it is, and,
for those that load outside the harness's regions, a copy rebased into
REGION0 (p_paddr and e_entry moved by the same amount).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import tests.support.kit_elf as ke

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

REGION0 = (0x10000000, 0x00400000)
REGION1 = (0x20000000, 0x01400000)
CORPUS = HERE / "corpus"


def synthetic(bits: int, msb: bool, table: bytes | None = None) -> bytes:
    text = bytes((i * 13 + 1) & 0xFF for i in range(256))
    table = ke.sample_table(msb) if table is None else table
    data = table + b"initialised data"
    base = REGION0[0]
    img = ke.build_elf(bits, msb, entry=base + 1, segments=[
        ke.Segment(base, text, memsz=len(text)),
        ke.Segment(base + 0x1000, data, memsz=len(data) + 0x200),      # .data + .bss
    ], sections=[ke.Section(".text", text, sh_addr=base),
                 ke.Section(".resource_table", table, sh_addr=base + 0x1000),
                 ke.Section(".bss", b"", sh_type=ke.SHT_NOBITS)],
        machine=ke.EM_RISCV if bits == 64 else ke.EM_ARM)
    return img.data


def inside(addr: int, size: int, region: tuple[int, int]) -> bool:
    return region[0] <= addr and addr + size <= region[0] + region[1]


def rebase_into_region0(data: bytes) -> bytes | None:
    """Move every PT_LOAD (and e_entry) so the lowest p_paddr lands at REGION0."""
    bits = 32 if data[4] == 1 else 64
    msb = data[5] == 2
    bo = ">" if msb else "<"
    eh, ph = ke.EHDR[bits], ke.PHDR[bits]

    def get(off, code):
        return struct.unpack_from(bo + code, data, off)[0]

    phoff, phnum = get(*eh["e_phoff"]), get(*eh["e_phnum"])
    loads = []
    for i in range(phnum):
        at = phoff + i * ke.PHENTSIZE[bits]
        if get(at + ph["p_type"][0], "I") == ke.PT_LOAD:
            loads.append((at, get(at + ph["p_paddr"][0], ph["p_paddr"][1]),
                          get(at + ph["p_memsz"][0], ph["p_memsz"][1])))
    if not loads:
        return None
    low = min(p for _, p, _ in loads)
    high = max(p + m for _, p, m in loads)
    if all(inside(p, m, REGION0) or inside(p, m, REGION1) for _, p, m in loads):
        return None
    if high - low > REGION0[1]:
        return None
    delta = REGION0[0] - low
    out = bytearray(data)
    for at, paddr, _ in loads:
        struct.pack_into(bo + ph["p_paddr"][1], out, at + ph["p_paddr"][0], paddr + delta)
    entry_off, entry_code = eh["e_entry"]
    struct.pack_into(bo + entry_code, out, entry_off, (get(entry_off, entry_code) + delta)
                     % (1 << bits))
    return bytes(out)


def main() -> int:
    CORPUS.mkdir(exist_ok=True)
    seeds = {}
    for bits, msb, name in ((32, False, "elf32le"), (32, True, "elf32be"),
                            (64, False, "elf64le"), (64, True, "elf64be")):
        seeds[f"{name}-rsc.elf"] = synthetic(bits, msb)
    # One refused table, so the fuzzer starts next to the vring-count rule.
    three = ke.vdev(vrings=[ke.vring(notifyid=i) for i in range(3)], config=b"\0" * 8)
    seeds["elf32le-rsc-3vrings.elf"] = synthetic(32, False, ke.rsc_table([ke.trace(), three]))
    for path in sorted(ROOT.glob("samples/*/prebuilt/remote*.elf")):
        data = path.read_bytes()
        stem = f"sample-{path.parent.parent.name}-{path.stem}"
        seeds[f"{stem}.elf"] = data
        moved = rebase_into_region0(data)
        if moved is not None:
            seeds[f"{stem}-at-{REGION0[0]:#x}.elf"] = moved
    for name, data in seeds.items():
        (CORPUS / name).write_bytes(data)
        print(f"{CORPUS / name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
