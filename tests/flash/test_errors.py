"""Bad input for ``bundle hex``: exit code, a one-line message naming the file, the
address in hex and the size in bytes, and no output file (nor a temporary one) left."""

from __future__ import annotations

import pytest

from bundler.elf import spec
from bundler.flash.ihex import encode_ihex
from bundler.flash.image import FlashImage, Run
from tests.support.cli import run_bundle
from tests.flash.conftest import leftovers
from tests.support.segments import Seg, build_elf

ELF64 = dict(elfclass=spec.ELFCLASS64, machine=spec.EM_RISCV)
TEXT = Seg(0x1000, [(".text", bytes(range(64)))])

# name: (segments, build options, extra CLI args, output name, exit code, words the message must hold)
CASES = {
    "no_pt_load": ([], {}, [], "out.hex", 3, ["no PT_LOAD segment with file bytes"]),
    "bss_only": ([Seg(0x20000000, [], bss=256)], {}, [], "out.hex", 3, ["no PT_LOAD"]),
    "above_4gib_ihex": ([Seg(0x1_0000_0000, [(".text", b"\x01" * 8)])], ELF64, [], "out.hex", 4,
                        ["0x100000000", "8 bytes", "Intel HEX", "4 GiB"]),
    "above_4gib_srec": ([Seg(0xFFFFFFF8, [(".text", b"\x01" * 16)])], ELF64, [], "out.srec", 4,
                        ["0xfffffff8", "16 bytes", "S-record", "0x100000008"]),
    "above_4gib_uf2": ([Seg(0x2_0000_0000, [(".text", b"\x01" * 8)])], ELF64, ["--family", "RP2040"],
                       "out.uf2", 4, ["0x200000000", "UF2"]),
    "entry_above_4gib": ([TEXT], dict(ELF64, entry=0x1_0000_0001), [], "out.hex", 4,
                         ["start address 0x100000001", "--no-start"]),
    "binary_span_too_large": ([TEXT, Seg(0x40000, [(".far", b"\x02" * 4)])], {},
                              ["--gap-fill", "0xff", "--max-span", "64K"], "out.bin", 4,
                              ["spans 258052 bytes", "0x1000", "0x40004", "--max-span 65536"]),
    "binary_gap_without_fill": ([TEXT, Seg(0x2000, [(".data", b"\x02" * 4)])], {}, [], "out.bin", 2,
                                ["1 gap(s)", "4032 bytes at 0x1040", "--gap-fill"]),
    "pt_loads_overlap": ([TEXT, Seg(0x1030, [(".data", b"\x03" * 32)], vaddr=0x20000000)], {}, [],
                         "out.hex", 4, ["overlaps", "0x1030", "16 bytes", "p_paddr"]),
    "unknown_family": ([TEXT], {}, ["--family", "RP2041"], "out.uf2", 2,
                       ["unknown UF2 family 'RP2041'", "RP2040"]),
    "uf2_without_family": ([TEXT], {}, [], "out.uf2", 2, ["UF2 needs --family"]),
    "unknown_extension": ([TEXT], {}, [], "out.txt", 2, ["cannot tell the flash format", ".hex"]),
    "gap_fill_not_a_byte": ([TEXT], {}, ["--gap-fill", "256"], "out.bin", 2, ["not a byte value"]),
    "srec_len_too_long": ([TEXT], {}, ["--srec-len", "251"], "out.srec", 2, ["--srec-len 251"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case, tmp_path, cli):
    segs, options, extra, out_name, code, words = CASES[case]
    elf = tmp_path / f"invalid_{case}.elf"
    elf.write_bytes(build_elf(segs, **options))
    got, _, err = cli("hex", elf, "-o", tmp_path / out_name, *extra)
    assert got == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bundle: error: "), err
    if code != 2 or case == "binary_gap_without_fill":
        assert str(elf) in lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert leftovers(tmp_path) == [elf.name]


def test_merge_overlap(tmp_path, cli):
    elf = tmp_path / "app.elf"
    elf.write_bytes(build_elf([TEXT]))
    boot = tmp_path / "boot.hex"
    boot.write_bytes(encode_ihex(FlashImage.of([Run(0x1020, bytes(range(32)), "boot")])))
    code, _, err = cli("hex", elf, "-o", tmp_path / "out.hex", "--merge", boot)
    assert code == 4
    assert "boot.hex [0x1020, 0x1040) at 0x1020 (32 bytes) overlaps section .text" in err
    assert "32 bytes from 0x1020" in err and str(elf) in err
    assert leftovers(tmp_path) == ["app.elf", "boot.hex"]


def test_merge_of_a_bad_file(tmp_path, cli):
    elf = tmp_path / "app.elf"
    elf.write_bytes(build_elf([TEXT]))
    bad = tmp_path / "bad.hex"
    bad.write_bytes(b":10102000000102030405060708090A0B0C0D0E0FFF\r\n:00000001FF\r\n")
    code, _, err = cli("hex", elf, "-o", tmp_path / "out.hex", "--merge", bad)
    assert code == 3 and "bad.hex" in err and "not valid Intel HEX" in err
    assert leftovers(tmp_path) == ["app.elf", "bad.hex"]


def test_output_may_not_be_the_input(tmp_path, cli):
    elf = tmp_path / "app.hex"
    elf.write_bytes(build_elf([TEXT]))
    before = elf.read_bytes()
    code, _, err = cli("hex", elf, "-o", elf, "--format", "ihex")
    assert code == 2 and "is the input" in err
    assert elf.read_bytes() == before


def test_not_an_elf(tmp_path):
    """Through the real command line: a text file as the ELF is bad input, named."""
    bogus = tmp_path / "firmware.elf"
    bogus.write_text("hello\n")
    proc = run_bundle("hex", bogus, "-o", tmp_path / "out.hex")
    assert proc.returncode == 3
    assert f"{bogus}: not an ELF file" in proc.stderr and "Traceback" not in proc.stderr
    assert leftovers(tmp_path) == ["firmware.elf"]
