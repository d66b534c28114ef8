"""U-Boot's rproc load rules (bundler/loaders/uboot.py), one damaged field at a time on
the samples' remotes (ELF32 and ELF64 paths): codes and U-Boot's words, and the
images U-Boot accepts while Linux refuses them."""

from __future__ import annotations

import pytest

from bundler.elf import spec
from bundler.loaders import check_firmware
from tests.loaders import mutate
from tests.loaders.cases import Case, assert_case, load_down_a_page, load_field, no_loads, rsc_renamed, same
from tests.loaders.boards import BOARDS, board_memory

pytestmark = pytest.mark.toolchain

CASES = [
    Case("as built", same),
    Case("as built, no memory given", same, memory=None),
    Case("shorter than a header", lambda d: d[:40], "uboot-too-small", "Image is too small"),
    Case("ET_DYN", lambda d: mutate.ehdr(d, e_type=spec.ET_DYN), "uboot-not-exec", "Not an executable ELF"),
    Case("ET_REL", lambda d: mutate.ehdr(d, e_type=spec.ET_REL), "uboot-not-exec", "Not an executable ELF"),
    Case("bad magic", lambda d: mutate.ident(d, 1, ord("X")), "uboot-not-exec", "Not an executable ELF"),
    Case("class 3 takes the ELF32 path", lambda d: mutate.ident(d, spec.EI_CLASS, 3), "uboot-not-exec",
         "Not an executable ELF32 image"),
    Case("big-endian EI_DATA", mutate.byteswap_ident, "uboot-endianness", "Unsupported firmware endianness"),
    Case("e_shoff at the end", lambda d: mutate.ehdr(d, e_shoff=len(d)), "uboot-shoff", "Image is too small"),
    Case("e_phnum 0", lambda d: mutate.ehdr(d, e_phnum=0), "uboot-phnum", "No loadable segments"),
    Case("e_phoff past the end", lambda d: mutate.ehdr(d, e_phoff=len(d) + 1), "uboot-phoff",
         "Firmware size is too small"),
    Case("program headers past the end", lambda d: mutate.ehdr(d, e_phnum=len(d) // 32), "uboot-phdr-bounds"),
    Case("section headers past the end", lambda d: mutate.ehdr(d, e_shnum=len(d) // 40), "uboot-shdr-bounds"),
    Case("no .resource_table (stm32_copro goes on)", rsc_renamed, "uboot-rsc-missing", severity="warning"),
    Case("table past the end", lambda d: mutate.rsc_shdr(d, sh_size=len(d)), "uboot-rsc-truncated",
         "resource table truncated"),
    Case("table of 8 bytes", lambda d: mutate.rsc_shdr(d, sh_size=8), "uboot-rsc-headerless",
         "header-less resource table"),
    Case("ver 2", lambda d: mutate.rsc_u32(d, 0, 2), "uboot-rsc-version", "unsupported fw ver: 2"),
    Case("reserved word", lambda d: mutate.rsc_u32(d, 8, 1), "uboot-rsc-reserved", "non zero reserved bytes"),
    Case("num 100", lambda d: mutate.rsc_u32(d, 4, 100), "uboot-rsc-incomplete", "resource table incomplete"),
    Case("table copied outside the memory", lambda d: mutate.rsc_shdr(d, sh_addr=0x1000), "uboot-rsc-addr"),
    Case("p_filesz > p_memsz", lambda d: load_field(d, 0, p_filesz=mutate.load_phdr(d, 0).p_memsz + 1),
         "uboot-segment-filesz", "bad phdr filesz"),
    Case("segment past the end", lambda d: load_field(d, 1, p_offset=len(d) - 4), "uboot-segment-truncated"),
    Case("segment a page below the memory", load_down_a_page, "uboot-segment-da"),
    Case("no PT_LOAD", no_loads, "uboot-no-load"),
    # what U-Boot never looks at
    Case("entry outside the table (U-Boot reads no entry)", lambda d: mutate.rsc_u32(d, 16, 0x1000)),
    Case("vring num 0", lambda d: mutate.u32(d, mutate.entry_offset(d, "vdev") + 36, 0)),
    Case("e_phentsize 8 (ignored)", lambda d: mutate.ehdr(d, e_phentsize=8)),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("sample", list(BOARDS))
def test_uboot_rule(corpus, sample, case):
    if case.only and sample not in case.only:
        pytest.skip(f"{case.id}: not for {sample}")
    assert_case("uboot", case, corpus[sample], sample)


@pytest.mark.parametrize("sample", list(BOARDS))
def test_elf32_and_elf64_paths_speak_differently(corpus, sample):
    """Only the ELF32 path prints (dev_err "Invalid ELF32 Image %d"); the ELF64 one returns -EINVAL."""
    data = mutate.ehdr(corpus[sample], e_type=spec.ET_DYN)
    [f] = [f for f in check_firmware(data, "uboot") if f.code == "uboot-not-exec"]
    if corpus[sample][spec.EI_CLASS] == spec.ELFCLASS32:
        assert "Not an executable ELF32 image; Invalid ELF32 Image -93" in f.message
    else:
        assert "Not an executable ELF64 image; the ELF64 path returns -EINVAL" in f.message


@pytest.mark.parametrize("sample", list(BOARDS))
def test_uboot_accepts_what_linux_refuses(corpus, sample):
    """p_filesz > p_memsz: Linux says "bad phdr filesz" and stops; U-Boot copies it (undefined)."""
    data = load_field(corpus[sample], 0, p_filesz=mutate.load_phdr(corpus[sample], 0).p_memsz + 1)
    linux = {f.code for f in check_firmware(data, "linux", board_memory(sample))}
    uboot = {f.code for f in check_firmware(data, "uboot", board_memory(sample))}
    assert "linux-segment-filesz" in linux
    assert "uboot-segment-filesz" in uboot and not any(c.startswith("uboot-") and c != "uboot-segment-filesz"
                                                       for c in uboot)
    # and a table Linux refuses entry by entry, U-Boot never reads
    data = mutate.rsc_u32(corpus[sample], 16, 0x1000)
    assert "linux-rsc-entry-truncated" in {f.code for f in check_firmware(data, "linux")}
    assert not [f for f in check_firmware(data, "uboot") if f.severity == "error"]
