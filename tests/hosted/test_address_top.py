"""An image may not end exactly at the top of the address space (2^32 on ELF32, 2^64 on
ELF64): its ``_binary_*_end`` symbol would have to hold 2^N. A clear exit-4 error, no
output file, never an internal error (exit 70); one page lower is fine."""

from __future__ import annotations

import pytest

from bundler.cli import main
from bundler.elf.reader import parse_elf
from tests.support.paths import SAMPLES

HOSTS = {32: SAMPLES / "cortex-m3" / "prebuilt" / "host.elf", 64: SAMPLES / "aarch64-amp" / "prebuilt" / "host.elf"}


@pytest.mark.parametrize("bits", [32, 64])
def test_image_ending_at_the_top_is_refused_with_exit_4(bits, tmp_path, capsys):
    remote = tmp_path / "r4k.bin"
    remote.write_bytes(bytes(range(256)) * 16)
    top = 1 << bits
    out = tmp_path / "out.elf"
    rc = main([str(HOSTS[bits]), str(remote), "--address", hex(top - 4096), "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 4
    assert not out.exists()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"{top - 4096:#x}" in err and "4096 bytes" in err and f"{top:#x}" in err
    assert f"ELF{bits}" in err


@pytest.mark.parametrize("bits", [32, 64])
def test_image_ending_one_page_below_the_top_is_bundled(bits, tmp_path):
    remote = tmp_path / "r4k.bin"
    remote.write_bytes(bytes(range(256)) * 16)
    top = 1 << bits
    out = tmp_path / "out.elf"
    assert main([str(HOSTS[bits]), str(remote), "--address", hex(top - 8192), "-o", str(out)]) == 0
    elf = parse_elf(out.read_bytes())
    assert elf.find_symbol("_binary_r4k_bin_end").st_value == top - 4096
    assert main(["verify", str(out), "--remote", str(remote)]) == 0


def test_region_reaching_the_top_is_refused_not_crashed(tmp_path, capsys):
    remote = tmp_path / "r4k.bin"
    remote.write_bytes(b"\1" * 4096)
    rc = main([str(HOSTS[32]), str(remote), "--region", "0xfffff000:4096", "-o", str(tmp_path / "o.elf")])
    assert rc == 4
    assert "Traceback" not in capsys.readouterr().err
