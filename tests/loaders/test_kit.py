"""The kit's remote_fw_load and remote_fw_rsc_table (bundler/loaders/kit.py): the rule
table, one damaged field at a time on the samples' remotes (relocated into the
kit driver's fixed region), then the profile against the kit itself, built
natively with ASan/UBSan (tests/kit's driver), on every image of every table."""

from __future__ import annotations

import pytest

from bundler.elf import spec
from bundler.loaders import Host
from bundler.loaders import kit as profile
from bundler.remoteproc.memory import MemoryMap, MemoryRange
from tests.loaders import mutate
from tests.loaders.cases import (Case, assert_case, entry_type, load_down_a_page, load_field, no_loads, rsc_renamed,
                                 same, vring_field)
from tests.loaders.boards import BOARDS, board_memory

pytestmark = pytest.mark.toolchain

REGION = (0x10000000, 0x00100000)        # tests/kit/c/driver.c REGION_START, REGION_SIZE
HOST64 = Host("little", 64)


def relocate(sample: str, data: bytes) -> bytes:
    """The remote moved into the driver's region: every PT_LOAD, the carveout and the trace buffer."""
    delta = REGION[0] - board_memory(sample).ranges[0].start
    for i in mutate.loads(data):
        p = mutate.phdr_at(data, i)
        data = mutate.phdr(data, i, p_paddr=p.p_paddr + delta, p_vaddr=p.p_vaddr + delta)
    for kind, fields in (("carveout", (4, 8)), ("trace", (4,))):
        at = mutate.entry_offset(data, kind)
        for f in fields:
            data = mutate.u32(data, at + f, mutate.read_u32(data, at + f) + delta)
    return data


def kit_memory(sample: str) -> MemoryMap:
    return MemoryMap([MemoryRange(*REGION, "region"), board_memory(sample).ranges[1]])


def C(*args, **kw):
    kw.setdefault("memory", kit_memory)
    kw.setdefault("host", HOST64)
    return Case(*args, **kw)


CASES = [
    C("as built", same),
    C("as built, no regions given", same, memory=None),
    C("bad magic", lambda d: mutate.ident(d, 1, ord("X")), "kit-enotelf", "REMOTE_FW_ENOTELF"),
    C("class 3", lambda d: mutate.ident(d, spec.EI_CLASS, 3), "kit-enotelf", "REMOTE_FW_ENOTELF"),
    C("EI_VERSION 0", lambda d: mutate.ident(d, spec.EI_VERSION, 0), "kit-enotelf", "REMOTE_FW_ENOTELF"),
    C("e_version 2", lambda d: mutate.ehdr(d, e_version=2), "kit-enotelf", "REMOTE_FW_ENOTELF"),
    C("e_phentsize 8", lambda d: mutate.ehdr(d, e_phentsize=8), "kit-enotelf", "REMOTE_FW_ENOTELF"),
    C("e_shentsize 8", lambda d: mutate.ehdr(d, e_shentsize=8), "kit-enotelf", "REMOTE_FW_ENOTELF"),
    C("cut inside the header", lambda d: d[:40], "kit-enotelf", "REMOTE_FW_ENOTELF"),
    C("e_phnum 0", lambda d: mutate.ehdr(d, e_phnum=0), "kit-enoload", "REMOTE_FW_ENOLOAD"),
    C("e_phoff past the end", lambda d: mutate.ehdr(d, e_phoff=len(d) - 8), "kit-ebounds", "REMOTE_FW_EBOUNDS"),
    C("segment past the end", lambda d: load_field(d, 1, p_offset=len(d) - 4), "kit-ebounds", "REMOTE_FW_EBOUNDS"),
    C("p_filesz > p_memsz", lambda d: load_field(d, 0, p_filesz=mutate.load_phdr(d, 0).p_memsz + 1), "kit-esegment",
      "REMOTE_FW_ESEGMENT"),
    C("p_paddr + p_memsz overflows", lambda d: load_field(d, 1, p_paddr=(1 << 64) - 16), "kit-esegment",
      "REMOTE_FW_ESEGMENT", only=("riscv64-amp", "aarch64-amp")),
    C("e_entry beyond 32 bits", lambda d: mutate.ehdr(d, e_entry=1 << 40), "kit-esegment", "REMOTE_FW_ESEGMENT",
      host=Host("little", 32), only=("riscv64-amp", "aarch64-amp")),
    C("segment a page below the region", load_down_a_page, "kit-eregion", "REMOTE_FW_EREGION"),
    C("segment past the region", lambda d: load_field(d, 1, p_memsz=REGION[1]), "kit-eregion", "REMOTE_FW_EREGION"),
    C("no PT_LOAD", no_loads, "kit-enoload", "REMOTE_FW_ENOLOAD"),
    C("every PT_LOAD empty", lambda d: load_field(load_field(d, 0, p_filesz=0, p_memsz=0), 1, p_filesz=0, p_memsz=0),
      "kit-enoload", "REMOTE_FW_ENOLOAD"),
    C("PN_XNUM with the count in section 0", mutate.pn_xnum),
    C("no .resource_table", rsc_renamed, "kit-rsc-missing", "REMOTE_FW_ENORSC", severity="warning"),
    C("table outside the image", lambda d: mutate.rsc_shdr(d, sh_offset=len(d)), "kit-rsc-bounds", "REMOTE_FW_EBOUNDS"),
    C("table SHT_NOBITS", lambda d: mutate.rsc_shdr(d, sh_type=spec.SHT_NOBITS), "kit-rsc", "REMOTE_FW_ERSC"),
    C("ver 2", lambda d: mutate.rsc_u32(d, 0, 2), "kit-rsc", "REMOTE_FW_ERSC"),
    C("entry type 7 (Linux only warns)", lambda d: entry_type(d, "carveout", 7), "kit-rsc", "REMOTE_FW_ERSC"),
    C("vendor entry", lambda d: entry_type(d, "carveout", 200)),
    C("vring num 0", lambda d: vring_field(d, 0, 8, 0), "kit-rsc", "REMOTE_FW_ERSC"),
    C("three vrings", mutate.third_vring, "kit-rsc", "REMOTE_FW_ERSC"),
    C("notify id 40 (the kit does not care)", lambda d: vring_field(d, 1, 12, 40)),
]


@pytest.fixture(scope="module")
def relocated(corpus):
    return {s: relocate(s, d) for s, d in corpus.items()}


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("sample", list(BOARDS))
def test_kit_rule(relocated, sample, case):
    if case.only and sample not in case.only:
        pytest.skip(f"{case.id}: not for {sample}")
    assert_case("kit", case, relocated[sample], sample)


def test_profile_agrees_with_remote_fw_load(kit_driver, relocated):
    """Every damaged image of every loader's table through the kit itself (the ASan driver)."""
    from tests.kit.kit_native import E, LoadDriver
    from tests.loaders import test_linux, test_openamp, test_uboot

    names = {v: f"REMOTE_FW_{k}" for k, v in E.items()}
    names[0] = "REMOTE_FW_OK"
    region = MemoryMap([MemoryRange(*REGION)])
    driver = LoadDriver(kit_driver)
    compared, disagreements = 0, []
    try:
        for sample, data in relocated.items():
            for table, cases in (("kit", CASES), ("linux", test_linux.CASES), ("uboot", test_uboot.CASES),
                                 ("openamp", test_openamp.CASES)):
                for case in cases:
                    if case.only and sample not in case.only:
                        continue
                    image = case.damage(data)
                    predicted = profile.predict(image, region, 64)
                    real = driver.run(image)
                    got = (names.get(real.rsc, real.rsc), names.get(real.load, real.load))
                    compared += 1
                    if (predicted.rsc, predicted.load) != got:
                        disagreements.append(f"{sample} / {table}: {case.id}: profile {predicted.rsc}, "
                                             f"{predicted.load}; kit {got}")
    finally:
        log = driver.close()
    print(f"\nkit differential: {compared} images, {len(disagreements)} disagreements")
    assert not disagreements, "\n".join(disagreements) + log
    assert compared >= 100
