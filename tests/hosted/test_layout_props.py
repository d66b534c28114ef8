"""Property tests: for random hosted and bare-metal layouts, every bundled output obeys the
loader rules (restated independently in tests/hosted/layouts.py), and ``bundle verify``
agrees with that independent check when an output is damaged one program header at a time."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.postlink import bundling as core
from bundler import checks as V
from bundler.elf import spec
from bundler.elf.reader import parse_elf
from bundler.records import replace
from tests.support.elf import ALL_KINDS, HostSpec, build_host
from tests.support.hosted import HostedSpec, build_hosted, loader_rule_violations

RULE_CODES = {"segment-order", "segment-order-bare-metal", "segment-align", "phdr-mismatch", "phdr-not-loaded",
              "segment-page-align", "segment-shares-page"}


def _code_of(violation: str) -> str:
    """The verify finding code that names the rule an independent violation breaks."""
    if "ascending" in violation:
        return "segment-order"
    if "congruent" in violation:
        return "segment-align"
    if "no PT_LOAD" in violation or "table is in no" in violation or "table no PT_LOAD" in violation:
        return "phdr-not-loaded"
    if "PT_PHDR" in violation:
        return "phdr-mismatch"
    if "p_align" in violation:
        return "segment-page-align"
    if "shares a page" in violation:
        return "segment-shares-page"
    raise AssertionError(violation)


hosted_specs = st.builds(
    HostedSpec,
    elfclass=st.sampled_from([spec.ELFCLASS32, spec.ELFCLASS64]),
    elfdata=st.sampled_from([spec.ELFDATA2LSB, spec.ELFDATA2MSB]),
    e_type=st.sampled_from([spec.ET_DYN, spec.ET_EXEC]),
    page=st.sampled_from([0x1000, 0x4000, 0x10000]),
    base=st.sampled_from([0, 0x10000, 0x400000]),
    sizes=st.lists(st.integers(1, 0x3000), min_size=1, max_size=4),
    bss=st.integers(0, 0x30000),
    skew=st.lists(st.integers(0, 2), max_size=4),
    interp=st.booleans(), phdr=st.booleans(), relro=st.booleans(),
    gap_after_phdrs=st.sampled_from([0, 0x38, 0x70, 0x400]),
)
bare_specs = st.builds(
    HostSpec,
    elfclass=st.sampled_from([spec.ELFCLASS32, spec.ELFCLASS64]),
    elfdata=st.sampled_from([spec.ELFDATA2LSB, spec.ELFDATA2MSB]),
    gap=st.booleans(),
    flash=st.sampled_from([0, 0x08000000]),
    ram=st.sampled_from([0x20000000, 0x08100000]),    # above flash: the host itself is sorted
    bss_size=st.integers(0, 0x1000),
)
image_sizes = st.lists(st.integers(1, 0x2800), min_size=1, max_size=3)


def _bundle(host: bytes, sizes: list[int], align: int = 8) -> bytes:
    rng = random.Random(len(host) * 31 + sum(sizes))
    remotes = [core.Remote(stem=f"img{i}", data=bytes(rng.getrandbits(8) for _ in range(n)), label=f"img{i}")
               for i, n in enumerate(sizes)]
    return core.bundle(parse_elf(host), remotes, align=align).to_bytes()


def _verify_rule_codes(out: bytes) -> set[str]:
    return {f.code for f in V.verify(parse_elf(out)).findings if f.severity == "error"} & RULE_CODES


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs=hosted_specs, sizes=image_sizes)
def test_hosted_outputs_obey_the_loader_rules(hs, sizes):
    host = build_hosted(hs)
    assert loader_rule_violations(host) == []
    out = _bundle(host, sizes)
    assert loader_rule_violations(out, host) == []
    errors = [f for f in V.verify(parse_elf(out)).findings if f.severity == "error"]
    assert errors == []
    # the program header table is loaded, and found the same way old and new kernels look
    elf = parse_elf(out)
    first = next(elf.iter_loads())
    holder = elf.find_phdr_load()
    assert holder is not None
    assert holder.p_vaddr - holder.p_offset == first.p_vaddr - first.p_offset


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs=bare_specs, sizes=image_sizes)
def test_bare_metal_outputs_obey_the_loader_rules_and_stay_tight(hs, sizes):
    hs.machine = spec.EM_ARM if hs.elfclass == spec.ELFCLASS32 else spec.EM_AARCH64
    host = build_host(hs)
    out = _bundle(host, sizes)
    assert loader_rule_violations(out, host) == []
    elf = parse_elf(out)
    assert elf.hosted_by is None
    for img in core.read_record(elf).images:
        assert img.align == 8            # bare metal keeps --align, no page rounding
    errors = [f for f in V.verify(elf).findings if f.severity == "error"]
    assert errors == []


def _damage(out: bytes, how: str, rng: random.Random) -> bytes | None:
    """``out`` with one program header changed in the way ``how`` names, or None if the
    layout offers nothing to change that way."""
    elf = parse_elf(out)
    lay = elf.layout
    segs = list(elf.segments)
    loads = [i for i, p in enumerate(segs) if p.p_type == spec.PT_LOAD]
    record = core.read_record(elf)
    new = [i for i in loads if any(segs[i].p_vaddr == img.address for img in record.images)]
    if how == "swap":
        pairs = [(a, b) for a, b in zip(loads, loads[1:]) if segs[a].p_vaddr != segs[b].p_vaddr]
        if not pairs:
            return None
        a, b = rng.choice(pairs)
        segs[a], segs[b] = segs[b], segs[a]
    elif how == "offset":
        i = rng.choice(new)
        segs[i] = replace(segs[i], p_offset=segs[i].p_offset + 8)
    elif how == "phdr":
        phdr = [i for i, p in enumerate(segs) if p.p_type == spec.PT_PHDR]
        if not phdr:
            return None
        segs[phdr[0]] = replace(segs[phdr[0]], p_offset=segs[phdr[0]].p_offset + lay.phdr.size)
    elif how == "align":
        i = rng.choice(new)
        segs[i] = replace(segs[i], p_align=8)
    elif how == "share":
        i = rng.choice(new)
        lowest_new = min(segs[j].p_vaddr for j in new)      # every added PT_LOAD lies above the host
        host_top = max(segs[j].p_vaddr + segs[j].p_memsz for j in loads if segs[j].p_vaddr < lowest_new)
        align = max(segs[i].p_align, 1)
        va = (host_top - 1) // align * align + segs[i].p_offset % align   # in the host's last page
        segs[i] = replace(segs[i], p_vaddr=va, p_paddr=va)
    table = b"".join(lay.phdr.pack(p) for p in segs)
    at = elf.ehdr.e_phoff
    return out[:at] + table + out[at + len(table):]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs=hosted_specs, sizes=image_sizes, how=st.sampled_from(["swap", "offset", "phdr", "align", "share"]),
       seed=st.integers(0, 2**32 - 1))
def test_verify_agrees_with_the_independent_rules_on_damaged_outputs(hs, sizes, how, seed):
    host = build_hosted(hs)
    damaged = _damage(_bundle(host, sizes), how, random.Random(seed))
    if damaged is None:
        return
    expected = {_code_of(v) for v in loader_rule_violations(damaged, host)}
    assert expected, f"the damage '{how}' broke no rule"
    assert _verify_rule_codes(damaged) == expected


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_unsorted_and_shared_page_outputs_of_the_old_editor_fail_verify(kind):
    """What the editor used to write for a hosted host (image right after the host's last page
    byte, p_align 8, appended last, table moved out of every PT_LOAD): verify says why."""
    host = build_hosted(HostedSpec(elfclass=kind[0], elfdata=kind[1]))
    out = _bundle(host, [0x100])
    elf = parse_elf(out)
    lay = elf.layout
    segs = list(elf.segments)
    img = next(i for i, p in enumerate(segs) if p.p_type == spec.PT_LOAD and p.p_filesz == 0x100)
    low = next(p for p in segs if p.p_type == spec.PT_LOAD)
    # the image placed inside the first host page, p_align 8, congruent modulo 8, listed last
    moved = replace(segs[img], p_vaddr=low.p_vaddr + 0x10, p_paddr=low.p_vaddr + 0x10, p_align=8,
                    p_offset=segs[img].p_offset + 0x10)
    del segs[img]
    segs.append(moved)
    table = b"".join(lay.phdr.pack(p) for p in segs)
    damaged = out[:elf.ehdr.e_phoff] + table + out[elf.ehdr.e_phoff + len(table):]
    codes = _verify_rule_codes(damaged)
    assert {"segment-order", "segment-page-align", "segment-shares-page"} <= codes


def test_moderate_bss_is_padded_so_every_kernel_finds_the_table():
    """Up to 64 MiB of padding keeps the table at load bias + file offset (old kernels and
    qemu-user compute AT_PHDR so); more than that is the documented fallback."""
    host = build_hosted(HostedSpec(bss=8 << 20))
    result = core.bundle(parse_elf(host), [core.Remote(stem="x", data=b"\1" * 100, label="x")])
    assert not any("AT_PHDR" in w for w in result.warnings)
    elf = parse_elf(result.to_bytes())
    holder, first = elf.find_phdr_load(), next(elf.iter_loads())
    assert holder.p_vaddr - holder.p_offset == first.p_vaddr - first.p_offset
    big = core.bundle(parse_elf(build_hosted(HostedSpec(bss=100 << 20))),
                      [core.Remote(stem="x", data=b"\1" * 100, label="x")])
    assert any("kernels before Linux 5.18" in w for w in big.warnings)
    assert loader_rule_violations(big.to_bytes()) == []
