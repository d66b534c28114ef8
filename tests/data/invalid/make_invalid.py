"""Make the invalid-input corpus: each invalid_<reason>.elf from a valid host.

    python -m tests.data.invalid.make_invalid        (from the checkout's root; rewrites the files here)

Every file is a small, valid synthetic host (tests/support/elf.py) with one
defect; CASES in tests/cli/test_invalid_inputs.py says what each must give.
"""

from __future__ import annotations

from pathlib import Path

from bundler.elf import spec
from tests.support.elf import HostSpec, build_host
from tests.support.hosted import build_hosted

HERE = Path(__file__).resolve().parent


def _host(**kw) -> bytearray:
    return bytearray(build_host(HostSpec(**kw)))


def _set_ehdr(data: bytearray, **fields) -> bytearray:
    lay = spec.Layout.of(data)
    ehdr = lay.ehdr.unpack(data)
    for k, v in fields.items():
        setattr(ehdr, k, v)
    data[:lay.ehdr.size] = lay.ehdr.pack(ehdr)
    return data


def _set_entry(data: bytearray, table: str, index: int, **fields) -> bytearray:
    """Change fields of program header (table "phdr") or section header ("shdr") ``index``."""
    lay = spec.Layout.of(data)
    ehdr = lay.ehdr.unpack(data)
    record = getattr(lay, table)
    off = (ehdr.e_phoff if table == "phdr" else ehdr.e_shoff) + index * record.size
    entry = record.unpack(data, off)
    for k, v in fields.items():
        setattr(entry, k, v)
    data[off:off + record.size] = record.pack(entry)
    return data


def _swap_loads(data: bytearray) -> bytearray:
    """A hosted program (PT_PHDR, PT_INTERP, PT_DYNAMIC) whose second and third PT_LOADs
    are listed out of p_vaddr order: its operating system would map it wrongly."""
    lay = spec.Layout.of(data)
    ehdr = lay.ehdr.unpack(data)
    phdrs = list(lay.phdr.iter_unpack(data, ehdr.e_phoff, ehdr.e_phnum))
    loads = [i for i, p in enumerate(phdrs) if p.p_type == spec.PT_LOAD]
    a, b = loads[1], loads[2]
    phdrs[a], phdrs[b] = phdrs[b], phdrs[a]
    data[ehdr.e_phoff:ehdr.e_phoff + len(phdrs) * lay.phdr.size] = b"".join(lay.phdr.pack(p) for p in phdrs)
    return data


def _corrupt_descriptor_magic(data: bytearray) -> bytearray:
    lay = spec.Layout.of(data)
    ehdr = lay.ehdr.unpack(data)
    for i in range(ehdr.e_shnum):
        s = lay.shdr.unpack(data, ehdr.e_shoff + i * lay.shdr.size)
        if s.sh_type == spec.SHT_PROGBITS and s.sh_flags == spec.SHF_ALLOC and s.sh_size == 56:
            data[s.sh_offset:s.sh_offset + 4] = b"XXXX"
            return data
    raise AssertionError("no descriptor section found")


def _descriptor_name_pointer(data: bytearray, value: int) -> bytearray:
    from bundler.postlink import descriptor as D
    from bundler.elf.reader import parse_elf
    elf = parse_elf(bytes(data))
    desc = next(D.iter_descriptors(elf))
    lay = elf.layout
    lay.addr.pack_into(data, desc.offset + D.OFF_NAME, value)
    return data


def _defined_symbol_in_no_section(data: bytearray, name: str) -> bytearray:
    from bundler.elf.reader import parse_elf
    elf = parse_elf(bytes(data))
    sym = elf.find_symbol(name)
    lay = elf.layout
    off = elf.symtab.hdr.sh_offset + sym.index * lay.sym.size
    raw = lay.sym.unpack(data, off)
    raw.st_shndx = 2042
    data[off:off + lay.sym.size] = lay.sym.pack(raw)
    return data


def _unterminate_strtab(data: bytearray) -> bytearray:
    from bundler.elf.reader import parse_elf
    sec = parse_elf(bytes(data)).find_section(".strtab")
    data[sec.hdr.sh_offset + sec.hdr.sh_size - 1] = 0x01
    return data


def cases() -> dict[str, bytes]:
    out = {
        "not_elf": b"This is a text file, not firmware.\n" * 4,
        "empty": b"",
        "truncated_ident": bytes(_host()[:10]),
        "truncated_header": bytes(_host()[:40]),
        "truncated_half": bytes(_host()[: len(_host()) // 2]),
        "bad_class": bytes(_host()[:4] + b"\x07" + _host()[5:]),
        "bad_data_encoding": bytes(_host()[:5] + b"\x09" + _host()[6:]),
        "bad_version": bytes(_host()[:6] + b"\x05" + _host()[7:]),
        "absurd_phnum": bytes(_set_ehdr(_host(), e_phnum=0xFFFE)),
        "absurd_shnum": bytes(_set_ehdr(_host(), e_shnum=0xFEFF)),
        "phoff_past_end": bytes(_set_ehdr(_host(), e_phoff=0x7FFFFFF0)),
        "shoff_past_end": bytes(_set_ehdr(_host(), e_shoff=0xFFFFFF00)),
        "bad_phentsize": bytes(_set_ehdr(_host(), e_phentsize=7)),
        "bad_shentsize": bytes(_set_ehdr(_host(), e_shentsize=3)),
        "shstrndx_out_of_range": bytes(_set_ehdr(_host(), e_shstrndx=200)),
        "segment_past_end": bytes(_set_entry(_host(), "phdr", 0, p_filesz=0x10000000, p_memsz=0x10000000)),
        "filesz_above_memsz": bytes(_set_entry(_host(), "phdr", 1, p_memsz=1)),
        "segment_wraps": bytes(_set_entry(_host(), "phdr", 0, p_paddr=0xFFFFFFF0, p_vaddr=0xFFFFFFF0)),
        "section_past_end": bytes(_set_entry(_host(), "shdr", 1, sh_offset=0x7FFFFFF0)),
        "symtab_bad_entsize": bytes(_set_entry(_host(), "shdr", 6, sh_entsize=5)),
        "relocatable_host": bytes(_host(e_type=spec.ET_REL)),
        "descriptor_bad_magic": bytes(_corrupt_descriptor_magic(_host())),
        "descriptor_not_loaded": bytes(_set_entry(_host(), "phdr", 0, p_type=spec.PT_NULL)),
        "descriptor_dangling_name": bytes(_descriptor_name_pointer(_host(), 0x90000000)),
        "segment_misaligned": bytes(_set_entry(_host(), "phdr", 0, p_align=0x6D)),
        "segments_overlap": bytes(_set_entry(_host(), "phdr", 1, p_paddr=0x10)),
        "hosted_loads_unsorted": bytes(_swap_loads(bytearray(build_hosted()))),
        "symbol_in_no_section": bytes(_defined_symbol_in_no_section(_host(), "_binary_remote_elf_end")),
        "strtab_unterminated": bytes(_unterminate_strtab(_host())),
    }
    return out


def main() -> None:
    for old in HERE.glob("invalid_*.elf"):
        old.unlink()
    for reason, data in cases().items():
        (HERE / f"invalid_{reason}.elf").write_bytes(data)
    print(f"wrote {len(cases())} files to {HERE}")


if __name__ == "__main__":
    main()
