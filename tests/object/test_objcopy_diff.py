"""Differential: `bundle object` against `objcopy -I binary -O <bfd> -B <arch>`.

For every target, for the same file (named so that objcopy's mangled path is
our stem): the same `_binary_*` symbols (value, binding, type, size, ABS or
in the data section), the same section bytes, the same ELF class, byte order
and machine. The differences on purpose are pinned too, so a change in either
tool shows up here: our section is read-only and 8-aligned where objcopy's is
a writable `.data` aligned to 1, and our e_flags/EI_OSABI/.note.GNU-stack are
what the target's compiler writes.
"""

from __future__ import annotations

import random
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from bundler.prelink.object import TARGETS
from tests.support.tools import need_tool
from tests.support.cli import run_bundle

pytestmark = pytest.mark.toolchain

SHF_WRITE, SHF_ALLOC = 0x1, 0x2

# file name as typed -> its objcopy stem
FILES = {"remote.elf": "remote_elf", "my-remote.v2.bin": "my_remote_v2_bin"}


def read(path):
    """(header facts, {_binary_* symbol: facts}, {section name: (flags, align, bytes)})"""
    with open(path, "rb") as f:
        elf = ELFFile(f)
        head = (elf.elfclass, elf.little_endian, elf["e_machine"], elf["e_type"])
        shnames = {i: s.name for i, s in enumerate(elf.iter_sections())}
        syms = {}
        for s in elf.get_section_by_name(".symtab").iter_symbols():
            if s.name.startswith("_binary_"):
                ndx = s["st_shndx"]
                syms[s.name] = (s["st_value"], s["st_size"], s["st_info"]["bind"], s["st_info"]["type"],
                                "ABS" if ndx == "SHN_ABS" else shnames[ndx])
        secs = {s.name: (s["sh_flags"], s["sh_addralign"], s.data())
                for s in elf.iter_sections() if s["sh_type"] == "SHT_PROGBITS"}
        extra = (elf["e_flags"], elf["e_ident"]["EI_OSABI"])
    return head, syms, secs, extra


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("target", TARGETS)
def test_same_symbols_and_bytes_as_objcopy(tmp_path, target, name):
    need_tool("objcopy")
    t = TARGETS[target]
    data = random.Random(target + name).randbytes(4099)
    (tmp_path / name).write_bytes(data)
    theirs, ours = tmp_path / "objcopy.o", tmp_path / "ours.o"
    subprocess.run(["objcopy", "-I", "binary", "-O", t.bfd_name, "-B", t.bfd_arch, name, theirs.name],
                   cwd=tmp_path, check=True, capture_output=True)
    proc = run_bundle("object", tmp_path / name, "-o", ours, "--target", target)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr

    t_head, t_syms, t_secs, t_extra = read(theirs)
    o_head, o_syms, o_secs, o_extra = read(ours)
    stem = FILES[name]
    section = f".rodata.remote_fw.{stem}"

    assert o_head == t_head                         # class, byte order, machine, ET_REL
    assert sorted(t_syms) == sorted(o_syms) == sorted(
        f"_binary_{stem}_{w}" for w in ("start", "end", "size"))
    for sym, (value, size, bind, typ, where) in t_syms.items():
        assert o_syms[sym][:4] == (value, size, bind, typ), sym
        assert (o_syms[sym][4] == "ABS") == (where == "ABS"), sym
        if where != "ABS":
            assert (where, o_syms[sym][4]) == (".data", section), sym
    assert t_secs[".data"][2] == o_secs[section][2] == data

    # on purpose unlike objcopy
    assert t_secs[".data"][:2] == (SHF_WRITE | SHF_ALLOC, 1)
    assert o_secs[section][:2] == (SHF_ALLOC, 8)
    assert o_extra == (t.e_flags, "ELFOSABI_SYSV")
    assert t_extra[0] == 0                          # objcopy writes no e_flags at all
    if target.startswith("arm"):
        assert t_extra[1] == "ELFOSABI_ARM"         # and the old ARM OSABI, not gcc's SYSV
    assert (".note.GNU-stack" in o_secs) == t.gnu_stack
    assert ".note.GNU-stack" not in t_secs


@pytest.mark.parametrize("target", TARGETS)
def test_readelf_has_nothing_to_say(tmp_path, target):
    """Every header, table and string of the object is valid to GNU readelf."""
    need_tool("readelf")
    remote = tmp_path / "remote.elf"
    remote.write_bytes(random.Random(target).randbytes(77))
    out = tmp_path / "remote.o"
    assert run_bundle("object", remote, "-o", out, "--target", target).returncode == 0
    proc = subprocess.run(["readelf", "-a", "-W", out], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stderr == "", proc.stderr
    assert "warning" not in proc.stdout.lower() and "error" not in proc.stdout.lower(), proc.stdout
    assert "There are no relocations in this file." in proc.stdout
    assert "There are no program headers in this file." in proc.stdout
