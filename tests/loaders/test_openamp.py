"""OpenAMP's remoteproc_load (bundler/loaders/openamp.py): the rule table, one damaged
field at a time on the samples' remotes; then the profile against the real
OpenAMP library (the pinned tarballs, built natively with ASan/UBSan) on every
damaged image of every loader's table: same outcome, same table, same words."""

from __future__ import annotations

import pytest

from bundler.loaders import Host, make_context
from bundler.loaders import openamp as profile
from tests.loaders import mutate
from tests.loaders.cases import (Case, assert_case, entry_type, load_down_a_page, load_field, no_loads, rsc_renamed,
                                 same, vring_field)
from tests.loaders.boards import BOARDS, board_memory

pytestmark = pytest.mark.toolchain

HOST64 = Host("little", 64)      # the harness runs natively on a 64-bit little-endian machine


def C(*args, **kw):
    kw.setdefault("host", HOST64)
    return Case(*args, **kw)


CASES = [
    C("as built", same),
    C("as built, no memory given", same, memory=None),
    C("empty file", lambda d: b"", "openamp-open", "load failure: failed to open firmware"),
    C("bad magic", lambda d: mutate.ident(d, 1, ord("X")), "openamp-not-elf", "load failure: failed to get store ops."),
    C("big-endian EI_DATA, little-endian fields", mutate.byteswap_ident, "openamp-byteorder", severity="warning"),
    C("cut inside the header", lambda d: d[:40], "openamp-header-bounds", "load image data failed 0x0,"),
    C("e_phoff past the end", lambda d: mutate.ehdr(d, e_phoff=len(d) + 1), "openamp-header-bounds",
      "load image data failed"),
    C("section headers past the end", lambda d: mutate.ehdr(d, e_shnum=len(d) // 40), "openamp-header-bounds",
      "load image data failed"),
    C(".shstrtab past the end", lambda d: mutate.shdr(d, mutate.ehdr_field(d, "e_shstrndx"), sh_offset=len(d)),
      "openamp-header-bounds", "load image data failed"),
    C("e_shstrndx out of range", lambda d: mutate.ehdr(d, e_shstrndx=mutate.ehdr_field(d, "e_shnum")),
      "openamp-shstrndx", "load header failed"),
    C("e_phentsize 8", lambda d: mutate.ehdr(d, e_phentsize=8), "openamp-overflow"),
    C("section name outside .shstrtab", lambda d: mutate.shdr(d, 1, sh_name=0xFFFF), "openamp-overflow"),
    C("vdev with 200 vrings", lambda d: mutate.u8(d, mutate.entry_offset(d, "vdev") + 25, 200), "openamp-overflow"),
    C("entry outside the table", lambda d: mutate.rsc_u32(d, 16, 0x1000), "openamp-overflow"),
    C("no .resource_table", rsc_renamed, "openamp-rsc-missing", severity="warning"),
    C("table outside the image", lambda d: mutate.rsc_shdr(d, sh_offset=len(d)), "openamp-rsc-read",
      "get rsc failed: 0x"),
    C("num 100", lambda d: mutate.rsc_u32(d, 4, 100), "openamp-rsc-truncated"),
    C("ver 2", lambda d: mutate.rsc_u32(d, 0, 2), "openamp-rsc-version"),
    C("header reserved", lambda d: mutate.rsc_u32(d, 8, 1), "openamp-rsc-reserved"),
    C("carveout reserved", lambda d: mutate.entry_u32(d, "carveout", 20, 1), "openamp-rsc-reserved"),
    C("carveout pa outside the memory", lambda d: mutate.entry_u32(d, "carveout", 8, 0x1000), "openamp-carveout-map"),
    C("carveout len 0", lambda d: mutate.entry_u32(d, "carveout", 12, 0), "openamp-carveout-map"),
    C("two vrings, one notify id", lambda d: vring_field(d, 1, 12, 1), "openamp-notifyid-duplicate",
      severity="warning"),
    C("notify id 40 on a 32-bit host", lambda d: vring_field(d, 1, 12, 40), "openamp-notifyid",
      host=Host("little", 32)),
    C("notify id 40 on a 64-bit host", lambda d: vring_field(d, 1, 12, 40)),
    C("p_memsz 0", lambda d: load_field(d, 1, p_memsz=0, p_filesz=0), "openamp-segment-map",
      "load failed, no mapping for 0x"),
    C("segment a page below the memory", load_down_a_page, "openamp-segment-map", "load failed, no mapping for 0x"),
    C("segment past the end", lambda d: load_field(d, 1, p_offset=len(d) - 4), "openamp-segment-data",
      "load data failed 0x"),
    C("p_filesz > p_memsz", lambda d: load_field(d, 0, p_filesz=mutate.load_phdr(d, 0).p_memsz + 4),
      "openamp-segment-filesz"),
    C("no PT_LOAD", no_loads, "openamp-no-load"),
    C("table's sh_addr unmapped", lambda d: mutate.rsc_shdr(d, sh_addr=0x1000), "openamp-rsc-update",
      "load: not able to update rsc table."),
    # what OpenAMP never checks (Linux refuses each)
    C("vring num 0", lambda d: vring_field(d, 0, 8, 0)),
    C("trace reserved", lambda d: mutate.entry_u32(d, "trace", 12, 1)),
    C("entry type 7", lambda d: entry_type(d, "carveout", 7)),
    C("three vrings inside the table", mutate.third_vring),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("sample", list(BOARDS))
def test_openamp_rule(corpus, sample, case):
    if case.only and sample not in case.only:
        pytest.skip(f"{case.id}: not for {sample}")
    assert_case("openamp", case, corpus[sample], sample)


def _all_cases():
    from tests.loaders import test_kit, test_linux, test_uboot
    seen = []
    for module, cases in (("openamp", CASES), ("linux", test_linux.CASES), ("uboot", test_uboot.CASES),
                          ("kit", test_kit.CASES)):
        seen.extend((module, c) for c in cases)
    return seen


# the words OpenAMP logs for these codes, checked in its own stderr
LOGGED = {"openamp-not-elf", "openamp-header-bounds", "openamp-shstrndx", "openamp-segment-map", "openamp-segment-data",
          "openamp-rsc-read", "openamp-rsc-update"}


def test_profile_agrees_with_the_real_openamp(openamp_load, corpus, tmp_path):
    from tests.loaders import openamp_native

    compared = undefined = model_only_undefined = 0
    disagreements = []
    harness = openamp_native.Harness(openamp_load)
    try:
        for sample, data in corpus.items():
            for table, case in _all_cases():
                if case.only and sample not in case.only:
                    continue
                image = case.damage(data)
                memory = case.memory(sample) if case.memory is not None else board_memory(sample)
                memory = type(memory)(ranges=memory.ranges)          # the platform's mems; no device-tree names
                ctx = make_context(image, "openamp", memory, host=HOST64)
                predicted = profile.predict(ctx)
                path = tmp_path / f"image{compared + undefined + model_only_undefined + len(disagreements)}.elf"
                path.write_bytes(image)
                real = harness.run(path, memory)
                label = f"{sample} / {table}: {case.id}"
                if real.outcome == "undefined":
                    undefined += 1
                    if predicted.outcome != "undefined":
                        disagreements.append(f"{label}: OpenAMP overflowed, the profile says {predicted}\n"
                                             f"{real.log[-1500:]}")
                    continue
                if predicted.outcome == "undefined":
                    model_only_undefined += 1
                    continue
                compared += 1
                if (predicted.outcome, predicted.table) != (real.outcome, real.table):
                    disagreements.append(f"{label}: profile {predicted}, OpenAMP {real}\n{real.log[-800:]}")
                    continue
                for f in ctx.findings:
                    if f.code in LOGGED:
                        words = f.message.split('("', 1)[-1].rstrip('")')
                        if words not in real.log:
                            disagreements.append(f"{label}: {f.code} says {words!r}, OpenAMP logged:\n"
                                                 f"{real.log[-800:]}")
    finally:
        harness.close()
    print(f"\nOpenAMP differential: {compared} images compared, {undefined} overflowed in OpenAMP (and the profile "
          f"said so), {model_only_undefined} the profile calls undefined that ran clean")
    assert not disagreements, "\n\n".join(disagreements)
    assert compared >= 100
