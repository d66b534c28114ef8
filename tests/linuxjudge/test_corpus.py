"""The production corpus table (tests/data/linuxjudge/corpus.json): rendered into docs/verify.md,
and each fetched file held against the reason the table quotes from its driver's source."""

from __future__ import annotations

import pytest

from tests.linuxjudge import corpus
from tests.support.paths import ROOT


def test_the_docs_carry_the_corpus_table():
    assert corpus.markdown() in (ROOT / "docs" / "verify.md").read_text()


def test_every_row_names_a_driver_a_check_and_its_source():
    doc = corpus.table()
    for row in doc["images"]:
        assert row["package"] in doc["packages"], row["path"]
        assert row["check"] in corpus.CHECKS and row["check"] in doc["load_paths"], row["path"]
        path = doc["load_paths"][row["check"]]
        assert path["driver"] == row["driver"], row["path"]
        assert path["source"].startswith(f"drivers/remoteproc/{row['driver']}.c, Linux "), row["path"]
        assert len(row["sha256"]) == 64 and row["size"] > 0, row["path"]


@pytest.mark.slow
@pytest.mark.toolchain
def test_each_file_holds_its_drivers_reason_and_passes_verify_driver(corpus_files):
    """The fetched bytes (sha256 checked on fetch) meet what the driver's load path requires, and
    `bundle verify IMAGE --driver D` passes every image whose load path a driver profile models."""
    import bundler

    doc = corpus.table()
    problems = {}
    for row in doc["images"]:
        data = corpus_files[row["path"]].read_bytes()
        found = [] if len(data) == row["size"] else [f"{len(data)} bytes, the table says {row['size']}"]
        found += corpus.CHECKS[row["check"]](data)
        if row["verify_driver"] is None:
            assert doc["load_paths"][row["check"]].get("gap"), row["path"]
        else:
            report = bundler.verify(str(corpus_files[row["path"]]), driver=row["verify_driver"])
            found += [f"bundle verify --driver {row['verify_driver']}: {f}" for f in report.errors]
        if found:
            problems[row["path"]] = found
    assert not problems, problems
    assert {row["driver"] for row in doc["images"]} == {"mtk_scp", "qcom_q6v5_pas", "qcom_q6v5_mss"}


@pytest.mark.slow
@pytest.mark.toolchain
def test_each_file_bundles_verifies_and_inspects(corpus_files, tmp_path):
    """Issue 17's "done when" for the production images: each one, bundled into a host, passes
    `bundle verify --driver D` (its images judged as its driver loads them), and `bundle inspect`
    reads the image and the bundle (exit 0). Plain `bundle verify` of the bundle judges the image
    as the kit's remote_fw_load would load it: no finding but the kit's own refusals (`kit-*`,
    what the C kit returns: these images are loaded by their own drivers, not by the kit)."""
    import json

    from tests.support.cli import run_bundle
    from tests.support.elf import HostSpec, build_host

    host = tmp_path / "host.elf"      # far above every image's p_paddr, so nothing overlaps
    host.write_bytes(build_host(HostSpec(flash=0xC0000000, ram=0xD0000000, stems=())))
    problems = {}
    for row in corpus.table()["images"]:
        image = corpus_files[row["path"]]
        out = tmp_path / f"{row['path'].replace('/', '_')}.elf"
        steps = [("bundle", [host, image, "-o", out]), ("inspect image", ["inspect", image]),
                 ("inspect bundle", ["inspect", out]), ("verify bundle --driver", ["verify", out, "--driver",
                                                                                 row["driver"]])]
        for what, argv in steps:
            proc = run_bundle(*argv)
            if proc.returncode != 0:
                problems.setdefault(row["path"], []).append(f"{what}: exit {proc.returncode}: "
                                                           f"{proc.stderr.strip() or proc.stdout[-400:]}")
                break
        else:
            plain = json.loads(run_bundle("verify", out, "--remote", image, "--json").stdout)
            others = [f for f in plain["findings"] if f["severity"] == "error" and not f["code"].startswith("kit-")]
            if others:
                problems.setdefault(row["path"], []).append(f"verify bundle: {others}")
    assert not problems, problems
