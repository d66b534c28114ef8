"""The Python API (bundler.bundle, verify, inspect, extract, make_object,
export_flash): the same bytes and documents as the command line, on paths or
bytes, errors as exceptions that name parameters, outputs atomic."""

from __future__ import annotations

import json
import os

import pytest

import bundler
from bundler.errors import OPTIONS, option, render
from tests.support.cli import run_bundle
from tests.support.elf import build_host, build_remote


@pytest.fixture
def files(tmp_path):
    host, remote = tmp_path / "host.elf", tmp_path / "remote.elf"
    host.write_bytes(build_host())
    remote.write_bytes(build_remote())
    return host, remote


def test_exports_the_contract():
    for name in ("bundle", "verify", "inspect", "extract", "make_object", "export_flash",
                 "BundleError", "FlashOptions"):
        assert hasattr(bundler, name), name
    for cls, code in ((bundler.UsageError, 2), (bundler.BadInputError, 3), (bundler.NoFitError, 4),
                      (bundler.OutputError, 5), (bundler.VerificationFailed, 1)):
        assert issubclass(cls, bundler.BundleError) and cls.exit_code == code
    err = bundler.NoFitError("x", file="f", address=0x10, size=4, hint="h")
    assert (err.exit_code, err.file, err.address, err.size, err.hint) == (4, "f", 0x10, 4, "h")


def test_api_names_stay_functions_after_the_core_loads(files, tmp_path):
    host, remote = files
    bundler.bundle(host, [remote], tmp_path / "a.elf")
    bundler.verify(tmp_path / "a.elf")
    bundler.inspect(tmp_path / "a.elf")
    assert callable(bundler.bundle) and callable(bundler.verify) and callable(bundler.inspect)


def test_bundle_gives_the_cli_bytes(files, tmp_path):
    host, remote = files
    result = bundler.bundle(host, [remote], tmp_path / "api.elf", hex=tmp_path / "api.hex",
                            depfile=tmp_path / "api.d")
    assert run_bundle(host, remote, "-o", tmp_path / "cli.elf", "--hex", tmp_path / "cli.hex",
                      check=True).returncode == 0
    assert (tmp_path / "api.elf").read_bytes() == (tmp_path / "cli.elf").read_bytes()
    assert (tmp_path / "api.hex").read_bytes() == (tmp_path / "cli.hex").read_bytes()
    assert [(i.stem, i.size) for i in result.images] == [("remote_elf", len(remote.read_bytes()))]
    assert result.written[str(tmp_path / "api.elf")] == result.size == (tmp_path / "api.elf").stat().st_size
    assert b"api.elf api.hex:" in (tmp_path / "api.d").read_bytes().replace(bytes(tmp_path) + b"/", b"")


def test_hex_from_chunks_equals_hex_of_the_written_elf(files, tmp_path):
    """--hex reads the bundle's chunks in place: the same file as `bundle hex` of the output."""
    host, remote = files
    (tmp_path / "again").mkdir()
    for ext in ("hex", "srec"):
        bundler.bundle(host, [remote], tmp_path / "b.elf", hex=tmp_path / f"b.{ext}")
        again = bundler.export_flash(tmp_path / "b.elf", tmp_path / "again" / f"b.{ext}")
        assert again.format == {"hex": "ihex", "srec": "srec"}[ext]
        assert (tmp_path / f"b.{ext}").read_bytes() == (tmp_path / "again" / f"b.{ext}").read_bytes()


def test_bundle_on_bytes(files):
    host, remote = files
    result = bundler.bundle(host.read_bytes(), [remote.read_bytes()], names=["r5"])
    assert result.output is None and result.written == {}
    report = bundler.verify(result.to_bytes(), remotes=[("r5", remote.read_bytes())])
    assert report.ok, [str(f) for f in report.findings]
    extracted = bundler.extract(result.to_bytes(), "r5")
    assert bytes(extracted.data) == remote.read_bytes()


def test_bytes_need_names(files):
    host, remote = files
    with pytest.raises(bundler.UsageError) as info:
        bundler.bundle(host, [remote.read_bytes()])
    assert info.value.param == "names" and "pass names" in str(info.value)


def test_errors_name_parameters_and_the_cli_names_flags(files, tmp_path):
    host, remote = files
    bundler.bundle(host, [remote], tmp_path / "once.elf")
    with pytest.raises(bundler.BadInputError) as info:
        bundler.bundle(tmp_path / "once.elf", [remote], tmp_path / "twice.elf")
    exc = info.value
    assert exc.exit_code == 3 and exc.file == str(tmp_path / "once.elf")
    assert "--" not in exc.hint and "replace=True" in exc.hint
    assert "--replace" in exc.cli_text()
    proc = run_bundle(tmp_path / "once.elf", remote, "-o", tmp_path / "twice.elf")
    assert proc.returncode == 3 and proc.stderr.strip() == f"bundle: error: {exc.cli_text()}"
    assert not (tmp_path / "twice.elf").exists()


def test_option_table_renders_both_ways():
    for key, (words, flag) in OPTIONS.items():
        assert render(f"pass {option(key)}") == f"pass {words}"
        assert render(f"pass {option(key)}", cli=True) == f"pass {flag}"
    with pytest.raises(KeyError):
        option("no_such_option")


def test_failure_writes_nothing(files, tmp_path):
    host, remote = files
    with pytest.raises(bundler.UsageError):
        bundler.bundle(host, [remote], tmp_path / "x.elf", hex=tmp_path / "x.bin")   # bin needs gap_fill
    assert sorted(os.listdir(tmp_path)) == ["host.elf", "remote.elf"]
    with pytest.raises(bundler.UsageError):
        bundler.bundle(host, [remote], host)                 # output may not be an input
    assert host.read_bytes() == build_host()


def test_verify_inspect_extract_match_the_cli(files, tmp_path):
    host, remote = files
    out = tmp_path / "out.elf"
    bundler.bundle(host, [remote], out)
    report = bundler.verify(out, remotes=[remote])
    cli = run_bundle("verify", out, "--remote", remote, "--json")
    assert cli.returncode == 0 and report.ok
    assert json.loads(cli.stdout) == json.loads(json.dumps(report.to_dict()))
    assert bundler.inspect(out) == json.loads(run_bundle("inspect", out, "--json").stdout)
    got = bundler.extract(out, None, tmp_path / "back.elf")
    assert got.stem == "remote_elf" and (tmp_path / "back.elf").read_bytes() == remote.read_bytes()


def test_verify_reports_a_mismatch_without_raising(files, tmp_path):
    host, remote = files
    out = tmp_path / "out.elf"
    bundler.bundle(host, [remote], out)
    report = bundler.verify(out, remotes=[("remote_elf", b"something else")])
    assert not report.ok and any(f.code == "remote-mismatch" for f in report.errors)


def test_make_object_and_export_flash_match_the_cli(files, tmp_path):
    _, remote = files
    api = bundler.make_object(remote, tmp_path / "api.o", target="arm")
    run_bundle("object", remote, "-o", tmp_path / "cli.o", "--target", "arm", check=True)
    assert (tmp_path / "api.o").read_bytes() == (tmp_path / "cli.o").read_bytes()
    assert api.stem == "remote_elf" and api.target == "arm"
    with pytest.raises(bundler.UsageError) as info:
        bundler.make_object(remote, tmp_path / "x.o", target="vax")
    assert "like" in info.value.hint and "--like" in info.value.cli_text()

    elf = tmp_path / "r.elf"
    elf.write_bytes(build_remote())
    (tmp_path / "api").mkdir()
    (tmp_path / "cli").mkdir()
    for fmt, extra, cli_extra in (("ihex", {}, []), ("srec", {"eol": "lf", "srec_len": 32}, ["--eol", "lf",
                                  "--srec-len", "32"]), ("bin", {"gap_fill": 0xFF}, ["--gap-fill", "0xff"]),
                                  ("uf2", {"family": "RP2040"}, ["--family", "RP2040"])):
        bundler.export_flash(elf, tmp_path / "api" / f"out.{fmt}", format=fmt, **extra)
        run_bundle("hex", elf, "-o", tmp_path / "cli" / f"out.{fmt}", "--format", fmt, *cli_extra, check=True)
        assert (tmp_path / "api" / f"out.{fmt}").read_bytes() == (tmp_path / "cli" / f"out.{fmt}").read_bytes()
    opts = bundler.FlashOptions(format="uf2")
    with pytest.raises(bundler.UsageError) as info:
        bundler.export_flash(elf, tmp_path / "n.uf2", options=opts)
    assert info.value.param == "family" and "--family" in info.value.cli_text()
    assert not (tmp_path / "n.uf2").exists()


def test_placement_errors_name_parameters(files, tmp_path):
    host, remote = files
    with pytest.raises(bundler.UsageError) as info:
        bundler.bundle(host, [remote], tmp_path / "x.elf", addresses=[0x20001001])
    exc = info.value
    assert exc.param == "address" and str(exc).count("--") == 0
    assert "address 0x20001001" in exc.message and "--address 0x20001001" in exc.cli_text()
    proc = run_bundle(host, remote, "-o", tmp_path / "x.elf", "--address", "0x20001001")
    assert proc.returncode == 2 and proc.stderr.strip() == f"bundle: error: {exc.cli_text()}"


# flags of other tools, and the one place a core message names a CLI command on purpose
FOREIGN = ("--strip-sections", "--list-families")


def test_core_errors_name_no_flag():
    """Outside bundler/cli, a raised error names parameters (errors.option), never a flag."""
    import re
    from tests.support.paths import ROOT
    pattern = re.compile(r"(?:hint=f?\"|Error\(f?\")[^\"]*?(--[a-z][a-z-]*)")
    for path in sorted((ROOT / "bundler").rglob("*.py")):
        if "cli" in path.relative_to(ROOT / "bundler").parts:
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            for flag in pattern.findall(line):
                assert flag in FOREIGN, f"{path.relative_to(ROOT)}:{lineno} names {flag}"
