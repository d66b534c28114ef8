"""The memory rules every profile shares (bundler/loaders/resources.py): each
resource-table entry and segment against the memory map, one field moved at a
time, under every loader; and every rule of every loader has a case somewhere."""

from __future__ import annotations

import pytest

from bundler.loaders import PROFILES, resources
from bundler.remoteproc.memory import MemoryMap, MemoryRange
from tests.loaders import mutate
from tests.loaders.cases import Case, assert_case, dtb_like, entry_type, same, vring_field
from tests.loaders.boards import BOARDS, PAGE

pytestmark = pytest.mark.toolchain


def carveout_and_loads_down(d):
    """The carveout and every segment a page lower: Linux maps them (inside the carveout), the board cannot."""
    at = mutate.entry_offset(d, "carveout")
    for f in (4, 8):
        d = mutate.u32(d, at + f, mutate.read_u32(d, at + f) - PAGE)
    for i in mutate.loads(d):
        p = mutate.phdr_at(d, i)
        d = mutate.phdr(d, i, p_paddr=p.p_paddr - PAGE)
    return d


def without_vring_regions(sample):
    m = dtb_like(sample)
    keep = [r for r in m.ranges if not r.name.startswith("vdev")] + [MemoryRange(r.start, r.size, "shm")
                                                                    for r in m.ranges if r.name.startswith("vdev")]
    return MemoryMap(ranges=keep, source="test", carveout_names=["remote-ram"])


CASES = [
    Case("carveout da outside", lambda d: mutate.entry_u32(d, "carveout", 4, 0x1000), "mem-carveout",
         "carveout entry 0 ('remote-ram') at 0x1000"),
    Case("devmem outside", lambda d: mutate.entry_u32(entry_type(d, "carveout", 1), "devmem", 4, 0x1000),
         "mem-devmem", "devmem entry 0"),
    Case("trace outside", lambda d: mutate.entry_u32(d, "trace", 4, 0x1000), "mem-trace", "trace entry 1"),
    Case("vring outside", lambda d: vring_field(d, 1, 0, 0x1000), "mem-vring", "vring 1 at 0x1000, 4230 bytes"),
    Case("vring da any", lambda d: vring_field(d, 1, 0, 0xFFFFFFFF)),
    Case("carveout da any", lambda d: mutate.entry_u32(d, "carveout", 4, 0xFFFFFFFF)),
]

LINUX_CASES = [
    Case("segments inside a carveout outside the board", carveout_and_loads_down, "mem-load", "nearest: remote-ram"),
    Case("carveout named after no memory-region", lambda d: mutate.u8(d, mutate.entry_offset(d, "carveout") + 24,
                                                                     ord("X")),
         "mem-carveout-name", "Allocated carveout doesn't fit device address request", memory=dtb_like,
         severity="warning"),
    Case("vrings without vdev0vring regions", same, "mem-vring-name", "no memory-region named vdev0vring0",
         memory=without_vring_regions, severity="warning"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("loader", list(PROFILES))
@pytest.mark.parametrize("sample", list(BOARDS))
def test_memory_rule(corpus, sample, loader, case):
    data = corpus[sample]
    if loader == "kit":
        from tests.loaders.test_kit import kit_memory, relocate
        data = relocate(sample, data)
        case = Case(case.id, case.damage, case.code, case.words, memory=kit_memory)
    findings = assert_case(loader, case, data, sample)
    if case.code:
        assert [f for f in findings if f.code == case.code][0].address == 0x1000


@pytest.mark.parametrize("case", LINUX_CASES, ids=str)
@pytest.mark.parametrize("sample", list(BOARDS))
def test_linux_memory_rule(corpus, sample, case):
    assert_case("linux", case, corpus[sample], sample)


def test_every_rule_has_a_case():
    from tests.loaders import test_kit, test_linux, test_openamp, test_uboot
    tables = {"linux": test_linux.CASES, "uboot": test_uboot.CASES, "openamp": test_openamp.CASES,
              "kit": test_kit.CASES}
    for name, module in PROFILES.items():
        covered = {c.code for c in tables[name]}
        assert not [r.code for r in module.RULES if r.code not in covered], name
    covered = {c.code for c in CASES + LINUX_CASES}
    assert not [r.code for r in resources.RULES if r.code not in covered]
