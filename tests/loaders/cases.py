"""Damages shared by the per-loader tables: each takes the bytes of a remote
built from a sample and returns them with one field changed."""

from __future__ import annotations

from bundler.loaders import Host, check_firmware
from bundler.loaders.resources import find_table_section
from bundler.remoteproc.memory import MemoryMap, MemoryRange
from bundler.records import Record
from tests.loaders import mutate
from tests.loaders.boards import PAGE, board_memory


class Case(Record):
    id: str
    damage: object                  # bytes -> bytes
    code: str | None = None         # None: the loader accepts it (no error finding)
    words: str = ""                 # the loader's words the finding's message must carry
    memory: object = board_memory   # sample -> MemoryMap or None
    host: Host | None = None
    only: tuple = ()                # samples it applies to (all when empty)
    severity: str = "error"
    kernel: str | None = None       # Linux: the version whose rules apply (None: the newest modelled)

    def __str__(self) -> str:
        return self.id


def same(d):
    return d


def table_size(d) -> int:
    return find_table_section(d)[1]


def in_table(d, kind, n=0) -> int:
    """Offset of the n-th entry of that kind inside the table."""
    return mutate.entry_offset(d, kind, n) - mutate.table_offset(d)


def load_field(d, n=0, **fields):
    return mutate.phdr(d, mutate.loads(d)[n], **fields)


def load_down_a_page(d):
    p = mutate.load_phdr(d, 0)
    return load_field(d, 0, p_paddr=p.p_paddr - PAGE, p_vaddr=p.p_vaddr - PAGE)


def no_loads(d):
    for i in mutate.loads(d):
        d = mutate.phdr(d, i, p_type=0)
    return d


def rsc_renamed(d):
    return mutate.rsc_shdr(d, sh_name=0)


def vdev_type_and_size(d, rtype, size):
    """The vdev (last entry) retyped, the section cut to ``size`` bytes after the vdev's start."""
    start = in_table(d, "vdev")
    d = mutate.entry_u32(d, "vdev", 0, rtype)
    return mutate.rsc_shdr(d, sh_size=start + size)


def entry_type(d, kind, rtype):
    return mutate.entry_u32(d, kind, 0, rtype)


def vring_field(d, ring, offset, value):
    return mutate.u32(d, mutate.entry_offset(d, "vdev") + 28 + 20 * ring + offset, value)


def dtb_like(sample, ram_size=None) -> MemoryMap:
    """The sample's memory as a device tree gives it: named regions, their names registered."""
    mem = board_memory(sample)
    ram, shm = mem.ranges
    ranges = [MemoryRange(ram.start, ram_size or ram.size, "remote-ram"), MemoryRange(shm.start, 0x4000, "vdev0vring0")]
    vr1 = MemoryRange(shm.start + 0x4000, 0x4000, "vdev0vring1")
    if shm.start + 0x1000 == _vring0(sample):
        ranges[1] = MemoryRange(shm.start + 0x1000, 0x4000, "vdev0vring0")
        vr1 = MemoryRange(shm.start + 0x5000, 0x4000, "vdev0vring1")
    return MemoryMap(ranges=ranges + [vr1], source="test", carveout_names=[r.name for r in ranges + [vr1]])


def _vring0(sample):
    from tests.loaders.boards import BOARDS
    return BOARDS[sample][5][0]


def run_case(loader: str, case: Case, data: bytes, sample: str):
    memory = case.memory(sample) if case.memory is not None else None
    damaged = case.damage(data)
    return damaged, check_firmware(damaged, loader, memory, host=case.host, kernel=case.kernel)


def assert_case(loader: str, case: Case, data: bytes, sample: str):
    damaged, findings = run_case(loader, case, data, sample)
    errors = [f for f in findings if f.severity == "error"]
    if case.code is None:
        assert not errors, f"{case.id}: {loader} should accept it, got {[str(f) for f in errors]}"
        return findings
    hits = [f for f in findings if f.code == case.code]
    assert hits, f"{case.id}: no {case.code} finding, got {[str(f) for f in findings]}"
    assert hits[0].severity == case.severity, str(hits[0])
    assert case.words in hits[0].message, f"{case.id}: {case.words!r} not in {hits[0].message!r}"
    if case.severity in ("warning", "note"):
        assert not errors, [str(f) for f in errors]
    return findings
