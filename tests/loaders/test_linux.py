"""Linux remoteproc's rules (bundler/loaders/linux.py), one damaged field at a time,
on the samples' remotes built with the real cross toolchains (ELF32 ARM, ELF64
RISC-V and AArch64): each case names the finding code and the words Linux prints."""

from __future__ import annotations

import pytest

from bundler.elf import spec
from bundler.loaders.linux import KERNELS
from bundler.records import replace
from bundler.loaders import Host
from tests.loaders import mutate
from tests.loaders.cases import (Case, assert_case, dtb_like, entry_type, in_table, load_down_a_page, load_field,
                                 no_loads, rsc_renamed, same, table_size, vdev_type_and_size, vring_field)
from tests.loaders.boards import BOARDS

pytestmark = pytest.mark.toolchain

IOMMU = Host("little", 64, iommu=True)


def shdrs_past_end_without_table(d):
    """e_shnum past the file, and .resource_table renamed: find_table walks off the end."""
    return mutate.ehdr(rsc_renamed(d), e_shnum=len(d) // 40)


CASES = [
    Case("as built", same),
    Case("as built, no memory given", same, memory=None),
    Case("as built, device tree carveouts", same, memory=dtb_like),
    Case("shorter than a header", lambda d: d[:40], "linux-too-small", "Image is too small"),
    Case("bad magic", lambda d: mutate.ident(d, 1, ord("X")), "linux-bad-magic", "Image is corrupted (bad magic)"),
    Case("class 3", lambda d: mutate.ident(d, spec.EI_CLASS, 3), "linux-class", "Unsupported class: 3"),
    Case("ELF64 cut at 60 bytes", lambda d: mutate.ident(d, spec.EI_CLASS, 2)[:60], "linux-elf64-header",
         "elf64 header is too small"),
    Case("big-endian EI_DATA", mutate.byteswap_ident, "linux-endianness", "Unsupported firmware endianness"),
    Case("e_shoff at the end (6.1)", lambda d: mutate.ehdr(d, e_shoff=len(d)), "linux-shoff", "Image is too small",
         kernel="6.1"),
    Case("e_shoff at the end (6.12)", lambda d: mutate.ehdr(d, e_shoff=len(d)), "linux-shdr-count",
         "Section headers are out of bounds", kernel="6.12"),
    Case("e_shoff past the end (6.12)", lambda d: mutate.ehdr(d, e_shoff=len(d) + 1), "linux-shdr-table",
         "Section header table is out of bounds", kernel="6.12"),
    Case("e_shoff at the end, no sections (6.12)", lambda d: mutate.ehdr(d, e_shoff=len(d), e_shnum=0, e_shstrndx=0),
         "linux-shoff", "Image is too small", kernel="6.12"),
    Case("e_shstrndx 200 (6.1 oopses)", lambda d: mutate.ehdr(d, e_shstrndx=200), "linux-shdr-bounds",
         "oopses in find_table", kernel="6.1"),
    Case("e_shstrndx 200 (6.12)", lambda d: mutate.ehdr(d, e_shstrndx=200), "linux-shstrndx", "Image is too small",
         kernel="6.12"),
    Case("e_shoff wrapping 64 bits (6.1 passes the check, then oopses)", lambda d: mutate.ehdr(d, e_shoff=(1 << 64) - 8),
         "linux-shdr-bounds", "oopses in find_table", kernel="6.1", only=("riscv64-amp", "aarch64-amp")),
    Case("e_shoff wrapping 64 bits (6.12)", lambda d: mutate.ehdr(d, e_shoff=(1 << 64) - 8), "linux-shdr-table",
         "Section header table is out of bounds", kernel="6.12", only=("riscv64-amp", "aarch64-amp")),
    Case("e_shnum 1000 (6.1 finds its table first)", lambda d: mutate.ehdr(d, e_shnum=1000), kernel="6.1"),
    Case("e_shnum 1000 (6.12)", lambda d: mutate.ehdr(d, e_shnum=1000), "linux-shdr-count",
         "Section headers are out of bounds", kernel="6.12"),
    Case("e_phnum 0", lambda d: mutate.ehdr(d, e_phnum=0), "linux-phnum", "No loadable segments"),
    Case("e_phoff past the end", lambda d: mutate.ehdr(d, e_phoff=len(d) + 1), "linux-phoff",
         "Firmware size is too small"),
    Case("e_phentsize 8 (ignored by Linux)", lambda d: mutate.ehdr(d, e_phentsize=8)),
    Case("program headers past the end", lambda d: mutate.ehdr(d, e_phnum=len(d) // 32), "linux-phdr-bounds"),
    Case("section headers past the end, table not among them (6.1)", shdrs_past_end_without_table,
         "linux-shdr-bounds", "reads past the firmware", kernel="6.1"),
    Case("no .resource_table", rsc_renamed, "linux-rsc-missing", "Boot failed: -22"),
    Case("table past the end", lambda d: mutate.rsc_shdr(d, sh_size=len(d)), "linux-rsc-truncated",
         "resource table truncated"),
    Case("table of 8 bytes", lambda d: mutate.rsc_shdr(d, sh_size=8), "linux-rsc-headerless",
         "header-less resource table"),
    Case("ver 2", lambda d: mutate.rsc_u32(d, 0, 2), "linux-rsc-version", "unsupported fw ver: 2"),
    Case("reserved word", lambda d: mutate.rsc_u32(d, 12, 1), "linux-rsc-reserved", "non zero reserved bytes"),
    Case("num 100", lambda d: mutate.rsc_u32(d, 4, 100), "linux-rsc-incomplete", "resource table incomplete"),
    Case("entry at the table's end", lambda d: mutate.rsc_u32(d, 16, table_size(d) - 2), "linux-rsc-entry-truncated",
         "rsc table is truncated"),
    Case("entry offset 0x80000000", lambda d: mutate.rsc_u32(d, 16, 0x80000000), "linux-rsc-entry-truncated",
         "rsc table is truncated"),
    Case("entry offset 8, inside the header", lambda d: mutate.rsc_u32(d, 16, 8), "linux-rsc-entry-truncated",
         "rsc table is truncated"),
    Case("vendor entry", lambda d: entry_type(d, "carveout", 200), "linux-rsc-vendor",
         "unsupported vendor resource 200",
         severity="warning"),
    Case("entry type 7", lambda d: entry_type(d, "carveout", 7), "linux-rsc-unknown", "unsupported resource 7",
         severity="warning"),
    Case("carveout cut short", lambda d: vdev_type_and_size(d, 0, 40), "linux-carveout-truncated",
         "carveout rsc is truncated"),
    Case("carveout reserved", lambda d: mutate.entry_u32(d, "carveout", 20, 1), "linux-carveout-reserved",
         "carveout rsc has non zero reserved bytes"),
    Case("carveout twice (device tree)", lambda d: mutate.rsc_u32(d, 20, in_table(d, "carveout")),
         "linux-carveout-duplicate", "Carveout already associated to resource table", memory=dtb_like),
    Case("carveout larger than its region", same, "linux-carveout-fit",
         "Registered carveout doesn't fit len request", memory=lambda s: dtb_like(s, ram_size=0x1000)),
    Case("vring past its region", lambda d: vring_field(d, 1, 0, vring_da(d, 1) + 0x3000), "linux-vring-fit",
         "Registered carveout doesn't fit len request; probe with driver rproc-virtio failed with error -12",
         memory=dtb_like, severity="warning", kernel="6.12"),
    Case("vring past its region (6.1)", lambda d: vring_field(d, 1, 0, vring_da(d, 1) + 0x3000), "linux-vring-fit",
         "Registered carveout doesn't fit len request; probe of rproc-virtio.N.auto failed with error -12",
         memory=dtb_like, severity="warning", kernel="6.1"),
    Case("devmem, no IOMMU", lambda d: entry_type(d, "carveout", 1), "linux-devmem-iommu",
         "Failed to process resources: -22; Boot failed: -22"),
    Case("devmem behind an IOMMU", lambda d: entry_type(d, "carveout", 1), host=IOMMU),
    Case("devmem cut short, no IOMMU (not read)", lambda d: vdev_type_and_size(d, 1, 40), "linux-devmem-iommu"),
    Case("devmem cut short", lambda d: vdev_type_and_size(d, 1, 40), "linux-devmem-truncated",
         "devmem rsc is truncated; Failed to process resources: -22; Boot failed: -22", host=IOMMU),
    Case("devmem reserved", lambda d: mutate.entry_u32(entry_type(d, "carveout", 1), "devmem", 20, 1),
         "linux-devmem-reserved", "devmem rsc has non zero reserved bytes", host=IOMMU),
    Case("carveout len 0 (dma_alloc_coherent gives nothing)", lambda d: mutate.entry_u32(d, "carveout", 12, 0),
         "linux-carveout-alloc", "failed to allocate dma memory: len 0x0; Unable to allocate carveout "),
    Case("empty file", lambda d: b"", "linux-too-small", "request_firmware failed: -22; Boot failed: -22"),
    Case("trace cut short", lambda d: vdev_type_and_size(d, 2, 20), "linux-trace-truncated", "trace rsc is truncated"),
    Case("trace reserved", lambda d: mutate.entry_u32(d, "trace", 12, 1), "linux-trace-reserved",
         "trace rsc has non zero reserved bytes"),
    Case("vdev config_len 100", lambda d: mutate.entry_u32(d, "vdev", 20, 100), "linux-vdev-truncated",
         "vdev rsc is truncated"),
    Case("vdev reserved", lambda d: mutate.u8(d, mutate.entry_offset(d, "vdev") + 26, 1), "linux-vdev-reserved",
         "vdev rsc has non zero reserved bytes"),
    Case("three vrings", mutate.third_vring, "linux-vdev-vrings", "too many vrings: 3"),
    Case("vring num 0", lambda d: vring_field(d, 0, 8, 0), "linux-vring-invalid",
         "invalid qsz (0) or alignment (4096)", severity="warning"),
    Case("vring align 0", lambda d: vring_field(d, 1, 4, 0), "linux-vring-invalid",
         "boots without its virtio device", severity="warning"),
    Case("vring align 0 (6.1)", lambda d: vring_field(d, 1, 4, 0), "linux-vring-invalid",
         "invalid qsz (16) or alignment (0); probe of rproc-virtio.N.auto failed with error -22", severity="warning",
         kernel="6.1"),
    Case("STM32Cube notify ids: vdev 0, vring 0 0", lambda d: vring_field(mutate.entry_u32(d, "vdev", 8, 0), 0, 12, 0),
         "linux-notifyid", "Linux ignores predefined ids", severity="note"),
    Case("vring num 12", lambda d: vring_field(d, 0, 8, 12), "linux-vring-num", severity="warning"),
    Case("vring notify id 40 (Linux assigns its own)", lambda d: vring_field(d, 0, 12, 40)),
    Case("p_filesz > p_memsz", lambda d: load_field(d, 0, p_filesz=mutate.load_phdr(d).p_memsz + 1),
         "linux-segment-filesz", "bad phdr filesz"),
    Case("segment past the end", lambda d: load_field(d, 1, p_offset=len(d) - 4), "linux-segment-truncated",
         "truncated fw: need 0x"),
    Case("segment past the end: the stage's line", lambda d: load_field(d, 1, p_offset=len(d) - 4),
         "linux-segment-truncated", "; Failed to load program segments: -22; Boot failed: -22"),
    Case("p_offset + p_filesz wraps", lambda d: load_field(d, 0, p_offset=(1 << 64) - 0x10), "linux-segment-wrap",
         only=("riscv64-amp", "aarch64-amp")),
    Case("p_memsz beyond a 32-bit size_t", lambda d: load_field(d, 1, p_memsz=1 << 33), "linux-segment-size-t",
         "does not fit in size_t type", host=Host("little", 32), only=("riscv64-amp", "aarch64-amp")),
    Case("segment a page below the memory", load_down_a_page, "linux-segment-da", "bad phdr da 0x"),
    Case("segment a page below, no memory given", load_down_a_page, memory=None),
    Case("no PT_LOAD", no_loads, "linux-no-load"),
    Case("table's sh_addr unmapped", lambda d: mutate.rsc_shdr(d, sh_addr=0x1000), "linux-rsc-not-mapped",
         severity="warning"),
    Case("carveout outside the memory", lambda d: mutate.entry_u32(d, "carveout", 4, 0x1000), "mem-carveout",
         "carveout entry 0"),
]


def vring_da(d, ring) -> int:
    lay = spec.Layout(d[spec.EI_CLASS], d[spec.EI_DATA])
    return lay.u32.unpack_from(d, mutate.entry_offset(d, "vdev") + 28 + 20 * ring)[0]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("sample", list(BOARDS))
@pytest.mark.parametrize("kernel", KERNELS)
def test_linux_rule(corpus, sample, case, kernel):
    """Each case on each modelled kernel (a case that names one runs on that one only)."""
    if case.only and sample not in case.only:
        pytest.skip(f"{case.id}: not for {sample}")
    if case.kernel not in (None, kernel):
        pytest.skip(f"{case.id}: a rule of Linux {case.kernel}")
    assert_case("linux", replace(case, kernel=kernel), corpus[sample], sample)
