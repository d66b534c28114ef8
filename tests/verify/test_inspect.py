"""inspect: the JSON report pinned by golden files (regenerate with
`pytest --update-golden`), and broken tables shown without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bundler.cli import main
from tests.support.paths import ROOT, SAMPLES
from tests.support.cli import run_bundle
from tests.support.rsc import build_remote_elf, raw_entry, rsc_table_bytes, sample_table, trace, vdev

GOLDEN = Path(__file__).resolve().parent / "golden"


def inspect_json(capsys, path) -> str:
    assert main(["inspect", str(path), "--json"]) == 0
    return capsys.readouterr().out


def check_golden(text: str, name: str, update: bool) -> None:
    golden = GOLDEN / name
    if update:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text)
    assert golden.is_file(), f"{golden} is missing: run pytest --update-golden"
    assert text == golden.read_text(), f"inspect --json differs from {golden.relative_to(ROOT)} " \
                                       "(if the change is intended: pytest --update-golden)"


@pytest.mark.parametrize("sample", ["cortex-m3", "riscv64-amp", "aarch64-amp"])
@pytest.mark.parametrize("remote", ["remote.elf", "remote-bad.elf"])
def test_sample_remote_golden(capsys, update_golden, sample, remote):
    check_golden(inspect_json(capsys, SAMPLES / sample / "prebuilt" / remote),
                 f"{sample}-{remote[:-4]}.json", update_golden)


def test_bundled_sample_host_golden(tmp_path, capsys, update_golden):
    prebuilt = SAMPLES / "cortex-m3" / "prebuilt"
    out = tmp_path / "combined-slot.elf"
    assert main([str(prebuilt / "host-slot.elf"), str(prebuilt / "remote.elf"), "-o", str(out)]) == 0
    capsys.readouterr()
    text = inspect_json(capsys, out)
    report = json.loads(text)
    (img,) = report["images"]
    assert img["stem"] == "remote_elf" and img["flow"] == "post-link" and img["placed"] == "slot"
    assert img["image"]["resource_table"]["valid"] is True
    assert report["resource_table"] is None
    check_golden(text, "cortex-m3-combined-slot.json", update_golden)


def test_unbundled_host_shows_the_declared_image(capsys):
    report = json.loads(inspect_json(capsys, SAMPLES / "cortex-m3" / "prebuilt" / "host.elf"))
    (img,) = report["images"]
    assert img["flow"] == "declared" and img["address"] is None and img["descriptor"]["flags"] == 0


BROKEN = {
    "truncated": build_remote_elf(sample_table()[:-30]),
    "header-only": build_remote_elf(b"\x01\x00\x00\x00\x05\x00"),
    "offsets-past-end": build_remote_elf(rsc_table_bytes([trace()], num=1000)),
    "nobits": build_remote_elf(sample_table(), nobits_table=True),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_tables_decode_without_traceback(tmp_path, name):
    path = tmp_path / f"{name}.elf"
    path.write_bytes(BROKEN[name])
    text = run_bundle("inspect", path)
    assert text.returncode == 0 and text.stderr == "", text.stderr
    assert "INVALID" in text.stdout and "Traceback" not in text.stdout
    js = run_bundle("inspect", path, "--json")
    assert js.returncode == 0 and js.stderr == ""
    table = json.loads(js.stdout)["resource_table"]
    assert table["valid"] is False and table["problems"]


UNKNOWN_TYPE = build_remote_elf(rsc_table_bytes([trace(), raw_entry(77, b"\xde\xad\xbe\xef"), vdev()]))


@pytest.mark.parametrize("rtype", [4, 5])
def test_ti_types_4_and_5_are_what_linux_says(tmp_path, rtype):
    """TI's own types (RSC_CUSTOM 5, 4 of older TI kernels): Linux says "unsupported resource"
    and skips them, so the table is valid, not INVALID (issue 17)."""
    path = tmp_path / "ti.elf"
    path.write_bytes(build_remote_elf(rsc_table_bytes([trace(), raw_entry(rtype, bytes(12)), vdev()])))
    text = run_bundle("inspect", path)
    assert text.returncode == 0 and "INVALID" not in text.stdout, text.stdout
    assert f"unsupported resource {rtype} (Linux skips it)" in text.stdout
    assert f'warning: entry 1 at offset 0x4c has type {rtype}, neither 0..3 nor vendor 128..512: Linux says ' \
           f'"unsupported resource {rtype}" and skips it' in text.stdout, text.stdout
    table = json.loads(run_bundle("inspect", path, "--json").stdout)["resource_table"]
    assert table["valid"] is True and [p["severity"] for p in table["problems"]] == ["warning"]


def test_truncated_and_unknown_entries_in_detail(tmp_path, capsys):
    path = tmp_path / "t.elf"
    path.write_bytes(BROKEN["truncated"])
    table = json.loads(inspect_json(capsys, path))["resource_table"]
    assert [e["kind"] for e in table["entries"]] == ["carveout", "trace", "vdev"]
    assert table["entries"][2]["truncated"] is True
    assert [p["code"] for p in table["problems"]] == ["rsc-truncated"]
    path.write_bytes(UNKNOWN_TYPE)
    table = json.loads(inspect_json(capsys, path))["resource_table"]
    unknown = table["entries"][1]
    assert (unknown["kind"], unknown["type"], unknown["raw"]) == ("unknown", 77, "deadbeef")
    assert table["entries"][2]["kind"] == "vdev" and len(table["entries"][2]["vrings"]) == 2
    assert [p["code"] for p in table["problems"]] == ["rsc-unknown-type"]


def test_inspect_of_a_bundle_with_a_broken_table(tmp_path, capsys):
    h = tmp_path / "host.elf"
    from tests.support.elf import build_host
    h.write_bytes(build_host())
    r = tmp_path / "r.elf"
    r.write_bytes(BROKEN["truncated"])
    out = tmp_path / "out.elf"
    assert main([str(h), str(r), "--name", "remote_elf", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "remote_elf: post-link" in text and "[rsc-truncated]" in text
