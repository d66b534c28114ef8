"""``bundle hex`` options and ``bundle HOST REMOTE -o OUT --hex FILE``."""

from __future__ import annotations

import struct

import pytest

from bundler.elf.reader import parse_elf
from bundler.adapters.intelhex import read_ihex
from bundler.flash.families import FAMILIES, find_family, parse_family
from bundler.flash.ihex import encode_ihex
from bundler.flash.image import FlashImage, Run, image_from_elf
from bundler.flash.srec import decode_srec
from bundler.flash.uf2 import decode_uf2
from tests.support.cli import run_bundle
from tests.flash.conftest import SAMPLE_PAIRS, leftovers
from tests.support.segments import Seg, build_elf

# .text, 3 bytes of padding no section covers, .rodata; .data loaded from flash
PADDED = [Seg(0x08000000, [(".text", bytes(range(1, 30))), (None, b"\xEE\xEE\xEE"),
                           (".rodata", b"ro" * 8)]),
          Seg(0x08000030, [(".data", b"\xD0" * 8)], vaddr=0x20000000)]


@pytest.fixture
def elf(tmp_path):
    path = tmp_path / "fw.elf"
    path.write_bytes(build_elf(PADDED, entry=0x08000001))
    return path


@pytest.mark.parametrize("ext, fmt", [(".hex", "ihex"), (".ihex", "ihex"), (".srec", "srec"),
                                      (".s19", "srec"), (".S37", "srec"), (".mot", "srec"),
                                      (".bin", "bin")])
def test_format_from_extension_and_verbose(elf, tmp_path, cli, ext, fmt):
    out = tmp_path / f"out{ext}"
    code, _, err = cli("hex", elf, "-o", out, "-v", "--gap-fill", "0xff")
    assert code == 0, err
    assert f"format {fmt} (from the extension {ext})" in err
    assert f"wrote {out}" in err


def test_format_option_overrides_extension(elf, tmp_path, cli):
    out = tmp_path / "image.txt"
    code, _, err = cli("hex", elf, "-o", out, "--format", "srec", "-v")
    assert code == 0 and "format srec (--format)" in err
    assert out.read_bytes().startswith(b"S00C0000696D6167652E747874")   # "image.txt"


def test_sections_by_default_whole_segments_on_request(elf, tmp_path, cli):
    cli("hex", elf, "-o", tmp_path / "a.hex")
    cli("hex", elf, "-o", tmp_path / "b.hex", "--whole-segments")
    by_section = read_ihex((tmp_path / "a.hex").read_bytes()).coalesced()
    whole = read_ihex((tmp_path / "b.hex").read_bytes()).coalesced()
    assert by_section == [(0x08000000, bytes(range(1, 30))),
                          (0x08000020, b"ro" * 8 + b"\xD0" * 8)]
    assert whole == [(0x08000000, bytes(range(1, 30)) + b"\xEE" * 3 + b"ro" * 8 + b"\xD0" * 8)]


def test_eol_and_no_start(elf, tmp_path, cli):
    cli("hex", elf, "-o", tmp_path / "crlf.hex")
    cli("hex", elf, "-o", tmp_path / "lf.hex", "--eol", "lf")
    cli("hex", elf, "-o", tmp_path / "nostart.hex", "--no-start")
    cli("hex", elf, "-o", tmp_path / "nostart.srec", "--no-start")
    crlf, lf = (tmp_path / "crlf.hex").read_bytes(), (tmp_path / "lf.hex").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") and b"\r" not in lf
    assert crlf.replace(b"\r\n", b"\n") == lf
    assert b":0400000508000001EE\r\n" in crlf
    assert read_ihex(crlf).start == 0x08000001
    nostart = (tmp_path / "nostart.hex").read_bytes()
    assert b":04000005" not in nostart and read_ihex(nostart).start is None
    srec = (tmp_path / "nostart.srec").read_bytes()
    assert srec.endswith(b"S70500000000FA\r\n") and decode_srec(srec).start is None


def test_srec_len(tmp_path, cli):
    elf = tmp_path / "fw.elf"
    elf.write_bytes(build_elf([Seg(0x08000000, [(".text", bytes(range(100)))])]))
    assert cli("hex", elf, "-o", tmp_path / "a.srec", "--srec-len", "32")[0] == 0
    text = (tmp_path / "a.srec").read_bytes()
    lines = text.split(b"\r\n")
    assert [line[:12] for line in lines[1:5]] == [b"S32508000000", b"S32508000020", b"S32508000040",
                                                   b"S30908000060"]        # 3 x 32 bytes, then 4
    assert decode_srec(text).coalesced() == \
        image_from_elf(parse_elf(elf.read_bytes())).coalesced()


def test_binary(elf, tmp_path, cli):
    assert cli("hex", elf, "-o", tmp_path / "a.bin", "--gap-fill", "0xFF")[0] == 0
    assert (tmp_path / "a.bin").read_bytes() == \
        bytes(range(1, 30)) + b"\xFF" * 3 + b"ro" * 8 + b"\xD0" * 8
    contiguous = tmp_path / "c.elf"
    contiguous.write_bytes(build_elf([Seg(0x100, [(".text", b"\x01\x02")])]))
    assert cli("hex", contiguous, "-o", tmp_path / "c.bin")[0] == 0       # no gap: no fill needed
    assert (tmp_path / "c.bin").read_bytes() == b"\x01\x02"


@pytest.mark.parametrize("family, fid", [("RP2040", 0xE48BFF56), ("rp2040", 0xE48BFF56),
                                         ("esp32-s3", 0xC47E5767), ("STM32F4", 0x57755A57),
                                         ("nrf52840", 0xADA52840), ("0x12345678", 0x12345678),
                                         ("none", None)])
def test_uf2_family(elf, tmp_path, cli, family, fid):
    out = tmp_path / "fw.uf2"
    assert cli("hex", elf, "-o", out, "--family", family, "--gap-fill", "0xff")[0] == 0
    data = out.read_bytes()
    flags, fam = struct.unpack_from("<I", data, 8)[0], struct.unpack_from("<I", data, 28)[0]
    assert (flags, fam) == ((0x2000, fid) if fid is not None else (0, 0))
    page = decode_uf2(data).image.coalesced()
    assert page == [(0x08000000, bytes(range(1, 30)) + b"\xFF" * 3 + b"ro" * 8 + b"\xD0" * 8
                     + b"\xFF" * (256 - 0x38))]


def test_family_table():
    names = {name for name, _, _ in FAMILIES}
    assert len(names) == len(FAMILIES) and len({fid for _, fid, _ in FAMILIES}) == len(FAMILIES)
    for name, fid in [("SAMD21", 0x68ED2B88), ("SAMD51", 0x55114460), ("ESP32S2", 0xBFDD4EEE),
                      ("STM32H7", 0x6DB66082), ("RP2350_ARM_S", 0xE48BFF59)]:
        assert find_family(name) == fid
    assert parse_family("RP2350-RISCV") == 0xE48BFF5A


def test_list_families(cli):
    with pytest.raises(SystemExit) as exc:
        cli("hex", "--list-families")
    assert exc.value.code == 0


def test_merge(elf, tmp_path, cli):
    boot = tmp_path / "boot.hex"
    boot.write_bytes(encode_ihex(FlashImage.of([Run(0x07FFFF00, b"\xB0" * 256, "boot")], start=0x07FFFF01)))
    out = tmp_path / "all.hex"
    code, _, err = cli("hex", elf, "-o", out, "--merge", boot, "-v")
    assert code == 0, err
    assert "its start address 0x07ffff01 is ignored" in err
    merged = read_ihex(out.read_bytes())
    assert merged.coalesced() == [(0x07FFFF00, b"\xB0" * 256 + bytes(range(1, 30))),
                                  (0x08000020, b"ro" * 8 + b"\xD0" * 8)]
    assert merged.start == 0x08000001


def test_segment_without_sections_is_reported(tmp_path, cli):
    elf = tmp_path / "mixed.elf"
    elf.write_bytes(build_elf([Seg(0x100, [(".text", b"\x01" * 4)]), Seg(0x200, [(None, b"\x02" * 4)])]))
    code, _, err = cli("hex", elf, "-o", tmp_path / "m.hex")
    assert code == 0
    assert "warning" in err and "PT_LOAD 1 at 0x200 (4 bytes) holds no section" in err
    assert read_ihex((tmp_path / "m.hex").read_bytes()).coalesced() == [(0x100, b"\x01" * 4)]


@pytest.mark.skipif(not SAMPLE_PAIRS, reason="no prebuilt sample pairs")
def test_bundle_writes_the_flash_file_in_the_same_run(tmp_path):
    pair = SAMPLE_PAIRS[0]
    out, hexfile = tmp_path / "combined.elf", tmp_path / "combined.hex"
    run_bundle(pair / "host.elf", pair / "remote.elf", "-o", out, "--hex", hexfile, check=True)
    run_bundle("hex", out, "-o", tmp_path / "again.hex", check=True)
    assert hexfile.read_bytes() == (tmp_path / "again.hex").read_bytes()
    # a flash file the bundle command cannot make: nothing is written at all
    proc = run_bundle(pair / "host.elf", pair / "remote.elf", "-o", tmp_path / "x.elf",
                      "--hex", tmp_path / "x.uf2")
    assert proc.returncode == 2 and "bundle hex ELF -o FILE.uf2 --family NAME" in proc.stderr
    assert leftovers(tmp_path) == ["again.hex", "combined.elf", "combined.hex"]
