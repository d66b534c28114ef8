"""verify's Linux profile against Debian's real arm64 kernels (6.1 and 6.12), booted in QEMU with
our test remoteproc driver: every image of tests/loaders' rule tables and the production corpus,
one boot per kernel (more only after an oops). Accept/refuse must agree, and verify must quote
every line the kernel printed at error level."""

from __future__ import annotations

import json

import pytest

from tests.linuxjudge import compare, debian, judge
from tests.support.cli import call_bundle
from tests.support.tools import need_tool

pytestmark = [pytest.mark.slow, pytest.mark.toolchain]


@pytest.mark.parametrize("series", debian.SERIES)
def test_verify_agrees_with_the_real_kernel(judge_images, series, tmp_path):
    need_tool("qemu-system-aarch64", "aarch64-linux-gnu-gcc", "make", "apt-get", "dpkg-deb")
    kernel = debian.kernel(series)
    run = judge.run(kernel, judge_images)
    assert run.uname == kernel.release
    comparisons = [compare.compare(img, v, compare.predict(img, series))
                   for img, v in zip(judge_images, run.verdicts)]
    summary = compare.summary(kernel, run, comparisons)
    results = debian.cache_root() / "results"
    results.mkdir(exist_ok=True)
    (results / f"{kernel.release}.json").write_text(json.dumps(compare.as_json(run, comparisons), indent=1))
    print(f"\n{summary}")
    disagreements = compare.report(f"{kernel.release} ({kernel.version})", comparisons)
    assert not disagreements, f"{summary}\n{disagreements}"
    corpus_rows = [(img, v) for img, v in zip(judge_images, run.verdicts) if "default_ops" in img.origin]
    assert corpus_rows and all(v.outcome == img.origin["default_ops"] for img, v in corpus_rows), \
        [(img.label, v.outcome) for img, v in corpus_rows]

    # The command line says the same: `bundle verify IMAGE --loader linux --kernel V --memory ...`
    sample = compare.cli_sample(comparisons)
    assert len(sample) >= 20 and {"accepted", "refused"} <= {c.verdict.outcome for c in sample}
    for n, c in enumerate(sample):
        path = tmp_path / f"image{n}.elf"
        path.write_bytes(c.image.data)
        ran = call_bundle(*compare.cli_args(c.image, path, series))
        assert ran.returncode in (0, 1), f"{c.image.label}: exit {ran.returncode}: {ran.stderr}"
        if c.verdict.outcome == "refused":
            assert ran.returncode == 1, f"{c.image.label}: the kernel refused it, bundle verify exits 0"
        for line in c.verdict.errors:
            if not compare.quoted_by_exception(line):
                assert compare.words(line) in compare.words(ran.stdout), f"{c.image.label}: {line!r} not in {ran.stdout}"
