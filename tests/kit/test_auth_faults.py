"""The fault campaign (bench/fault_campaign.py) over remote_fw_load_authenticated
on Cortex-M3 -O2 in unicorn: single instruction skips on tampered signed images.

- the harness works: the untampered image is accepted and every tampered one
  refused with its code without a skip; every planned skip happened; and on an
  unhardened toy check (bench/fault/toy_check.c: one compare, one branch)
  skipping the branch after the compare is reported as an acceptance;
- a representative campaign over the four tamper classes finds no
  acceptance: every fourth instruction address of the reference run skipped
  once, and in the decision tail every dynamic instance of each instruction
  the tail runs at most 8 times, the first and last 4 of the others (a
  loop's entry and exit).

The full campaign (every address) is `bench/fault_campaign.py` (docs/kit.md
"Fault resistance"). Two processes at nice 10; 75 s to 3 minutes on a
2-core machine.
"""

from __future__ import annotations

import pytest

from bench import fault_campaign as fc
from tests.support.paths import KIT_SOURCES
from tests.support.tools import need_tool

pytestmark = [pytest.mark.slow, pytest.mark.toolchain]


@pytest.fixture(scope="module")
def elf(tmp_path_factory):
    need_tool("arm-none-eabi-gcc", "arm-none-eabi-objdump", "arm-none-eabi-nm")
    return fc.build(tmp_path_factory.mktemp("fault"))


def test_without_a_skip_the_untampered_image_loads_and_each_tampered_one_is_refused(elf):
    emu = fc.Emu(elf)
    for name, case in fc.cases().items():
        emu.load(case)
        out = emu.run(0)
        if name == "untampered":
            assert (out.kind, out.kit_rc, out.booted, out.holds) == ("accepted", 0, True, True)
        else:
            assert (out.kind, out.kit_rc, out.booted, out.holds) == ("refused", case.expect, False, False), name


def test_the_harness_sees_a_skip_that_lets_an_unhardened_check_accept(tmp_path):
    need_tool("arm-none-eabi-gcc", "arm-none-eabi-objdump", "arm-none-eabi-nm")
    toy = fc.build(tmp_path, fc.TOY, units=KIT_SOURCES)
    code = fc.Code.of(toy)
    # the known instruction: the first conditional branch after the call of toy_check
    at = code.call_return("fault_run", "toy_check")
    branch = next(a for a in sorted(code.insns) if a >= at and code.insns[a].text.startswith(("cb", "bne", "beq")))
    emu = fc.Emu(toy, code)
    emu.load(fc.toy_cases()["toy-mismatch"])
    assert emu.run(0).kind == "refused"
    out = emu.run(0, branch)
    assert out.skipped and out.kind == "accepted" and out.booted
    reports, checks = fc.campaign(toy, fc.toy_cases(), jobs=2)
    assert checks == {"untampered": "accepted", "toy-mismatch": "refused"}
    (r,) = reports
    assert r.skipped == r.runs > 0
    assert any(f"{branch:#x}:" in a for a in r.accepted), r.accepted


def test_a_representative_campaign_finds_no_acceptance(elf):
    reports, checks = fc.campaign(elf, fc.cases(), jobs=2, sample=4, tail_cap=8)
    assert checks == {"untampered": "accepted", **{n: "refused" for n in fc.CLASSES}}
    print("\n" + fc.table(reports))
    for r in reports:
        assert r.runs > 0 and r.static > 0 and r.tail > 0, r.case
        assert r.skipped == r.runs, f"{r.case}: {r.runs - r.skipped} planned skips never happened"
        assert r.accepted == [], f"{r.case}: " + "\n".join(r.accepted)
