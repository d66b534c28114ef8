"""FIT inspect and verify against the real mkimage/dumpimage.

Property tests draw FITs (sizes, compressions, hash algorithms, data layouts
embedded / -E / -E -B / -E -p, configurations), build them with mkimage and
compare what bundler.fit.model decodes with `mkimage -l` and the data with
`dumpimage -p N`. Every bad FIT gives its finding code or one clear error
line with its exit code, never a traceback. Builds are cached per session.
"""

from __future__ import annotations

import json
import struct
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.checks.fit import check_fit
from bundler.cli import main
from bundler.fit.model import parse_fit
from bundler.fit.report import describe
from bundler.remoteproc.memory import MemoryRange
from tests.support.cli import run_bundle
from tests.support.fit import (EPOCH, LAYOUTS, Conf, FitSpec, Img, arm64_image, build_fit, dumpimage_data, gzipped,
                                mkimage_list, sample_spec, tiny_dtb)
from tests.support.paths import SAMPLES
from tests.support.tools import in_ci, need_tool

pytestmark = pytest.mark.toolchain
RAM = [MemoryRange(0x48000000, 128 << 20, "ram")]
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.fixture(scope="session")
def fit_cache(tmp_path_factory):
    need_tool("mkimage", "dumpimage", "dtc")
    return tmp_path_factory.mktemp("fits")


def codes(findings, severity=None):
    return {f.code for f in findings if severity is None or f.severity == severity}


# -- the oracle: mkimage -l and dumpimage -----------------------------------------------------------------

def compare_with_mkimage(itb, fit, tmp_path):
    ref = mkimage_list(itb)
    assert [i.name for i in fit.images] == [r["name"] for r in ref["images"]]
    for index, (img, r) in enumerate(zip(fit.images, ref["images"])):
        assert img.error is None, img.error
        assert (img.type, img.arch, img.os, img.compression) == (r["type"], r["arch"], r["os"], r["compression"])
        assert img.data_size == r["data_size"]
        assert img.load == r["load"] and img.entry == r["entry"]
        assert (img.description or "unavailable") == r["Description"]
        assert [(h.algo, h.value.hex()) for h in img.hashes] == [(h["algo"], h["value"]) for h in r["hashes"]]
        assert all(h.ok for h in img.hashes)
        data = itb.read_bytes()[img.data_start:img.data_end]
        assert data == dumpimage_data(itb, index, tmp_path / f"img{index}.bin")
    assert fit.default == ref["default"]
    assert fit.description == ref["description"]
    assert time.asctime(time.gmtime(fit.timestamp)) == ref["created"] and fit.timestamp == EPOCH
    for conf, r in zip(fit.configurations, ref["configurations"]):
        assert conf.name == r["name"]
        assert (conf.description or "unavailable") == r["Description"]
        assert conf.kernel == r.get("Kernel")
        assert conf.fdt == ([r["FDT"]] if "FDT" in r else [])
        assert conf.ramdisk == r.get("Init Ramdisk")
        assert conf.loadables == r["loadables"]
    assert len(fit.configurations) == len(ref["configurations"])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_sample_fit_matches_mkimage(fit_cache, tmp_path, layout):
    itb = build_fit(sample_spec(layout), fit_cache)
    fit = parse_fit(itb.read_bytes())
    compare_with_mkimage(itb, fit, tmp_path)
    kernel = fit.find_image("kernel-1")
    assert kernel.kernel_header.magic_ok and kernel.load_size == 40000
    expect = {"embedded": "embedded", "E": "data-offset", "EB": "data-offset", "Ep": "data-position"}[layout]
    assert kernel.data_layout == expect
    assert check_fit(itb.read_bytes(), memory=RAM) == []


_algos = st.lists(st.sampled_from(["crc32", "sha1", "sha256", "md5"]), min_size=0, max_size=3, unique=True)


@settings(max_examples=12 if in_ci() else 30, deadline=None, suppress_health_check=SUPPRESS)
@given(layout=st.sampled_from(sorted(LAYOUTS)), ksize=st.integers(64, 150_000), seed=st.integers(0, 1000),
       compression=st.sampled_from(["none", "gzip"]), kalgos=_algos, ralgos=_algos,
       rsize=st.integers(1, 20_000), base=st.integers(0, 15), two_configs=st.booleans())
def test_random_fits_match_mkimage(fit_cache, tmp_path, layout, ksize, seed, compression, kalgos, ralgos, rsize,
                                   base, two_configs):
    raw = arm64_image(ksize, seed=seed)
    kload = 0x48000000 + base * (2 << 20)
    images = [Img("kernel", gzipped(raw) if compression == "gzip" else raw, compression=compression, load=kload,
                  entry=kload, hashes=tuple(kalgos)),
              Img("initrd", bytes((seed + i) & 0xFF for i in range(rsize)), type="ramdisk", load=0x4F000000,
                  hashes=tuple(ralgos))]
    configs = [Conf("a", kernel="kernel", ramdisk="initrd")]
    if two_configs:
        configs.append(Conf("b", kernel="kernel", loadables=("initrd",), description="second"))
    itb = build_fit(FitSpec(images, configs, default="a", layout=layout), fit_cache)
    data = itb.read_bytes()
    fit = parse_fit(data)
    compare_with_mkimage(itb, fit, tmp_path)
    kernel = fit.find_image("kernel")
    assert kernel.load_size == len(raw)
    assert kernel.kernel_header.image_size == (len(raw) + 0xFFFF) & ~0xFFFF
    findings = check_fit(data, memory=RAM)
    errors = {"fit-hash-none"} if not kalgos or not ralgos else set()      # the kit refuses an unhashed piece
    warnings = {"fit-hash-kit"} if set(kalgos + ralgos) - {"crc32", "sha256"} else set()
    assert codes(findings, "error") == errors and codes(findings, "warning") == warnings


def test_cli_inspect_and_verify_a_fit_file(fit_cache, capsys):
    itb = build_fit(sample_spec("E"), fit_cache)
    assert main(["inspect", str(itb), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["fit"] == describe(itb.read_bytes())
    k = doc["fit"]["images"][0]
    assert k["name"] == "kernel-1" and k["data"]["layout"] == "data-offset" and k["load_size"] == 40000
    assert [h["ok"] for h in k["hashes"]] == [True, True]
    assert k["kernel_header"]["magic_ok"] and k["kernel_header"]["page_size"] == 4096
    assert main(["inspect", str(itb)]) == 0
    text = capsys.readouterr().out
    assert "image kernel-1: kernel, arch arm64, os linux, compression gzip" in text
    assert "configuration conf-1 (remote Linux): kernel kernel-1; ramdisk ramdisk-1; fdt fdt-1" in text
    assert main(["verify", str(itb), "--memory", "0x48000000:128M:ram"]) == 0
    assert "verify: ok (0 errors, 0 warnings)" in capsys.readouterr().out
    assert main(["verify", str(itb), "--json"]) == 0       # no memory: one warning, still ok
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and [f["code"] for f in doc["findings"]] == ["fit-memory-unknown"]
    assert main(["verify", str(itb), "--emulate"]) == 2
    assert "is a FIT: --remote, --emulate and the loader choice apply to an ELF" in capsys.readouterr().err
    assert main(["verify", str(itb), "--memory", "0x48000000"]) == 2
    assert "is not START:SIZE[:NAME]" in capsys.readouterr().err


# -- bad FITs: each gives its finding (exit 1) or one error line (exit 3) ---------------------------------------

def _patched(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new):]


def _prop_value_offset(data: bytes, path: str, name: str) -> int:
    return parse_fit(data).fdt.find_node(path).find_property(name).offset


def _bad_cases(cache):
    """(id, FIT bytes, verify args, expected error code)."""
    good = build_fit(sample_spec("embedded"), cache).read_bytes()
    ext = build_fit(sample_spec("E"), cache).read_bytes()
    fit = parse_fit(good)
    k = fit.find_image("kernel-1")
    cases = [
        ("hash mismatch", _patched(good, k.data_start + 100, bytes([good[k.data_start + 100] ^ 1])), [],
         "fit-hash-mismatch"),
        ("truncated external data", ext[:len(ext) - 500], [], "fit-image-data"),
        ("truncated tree", good[:1000], [], "fit-corrupt"),
        ("load outside memory", good, ["--memory", "0x48000000:16M"], "fit-load-outside"),
        ("outside one of two regions", good, ["--region", "0x48000000:32M", "--memory", "0x4b000000:4K:rd"],
         "fit-load-outside"),
        ("data-size huge", _patched(ext, _prop_value_offset(ext, "/images/kernel-1", "data-size"),
                                    struct.pack(">I", 0x7FFFFFF0)), [], "fit-image-data"),
        ("data-offset huge", _patched(ext, _prop_value_offset(ext, "/images/fdt-1", "data-offset"),
                                      struct.pack(">I", 0xFFFFFF00)), [], "fit-image-data"),
        ("hostile totalsize", _patched(good, 4, struct.pack(">I", len(good) + 4096)), [], "fit-corrupt"),
        ("hostile off_dt_struct", _patched(good, 8, struct.pack(">I", 0xFFFFFFF0)), [], "fit-corrupt"),
        ("hostile size_dt_strings", _patched(good, 32, struct.pack(">I", 0x10000000)), [], "fit-corrupt"),
    ]
    specs = {
        "overlapping pieces": (sample_spec(), {"ramdisk-1": dict(load=0x48208000)}, "fit-overlap"),
        "unknown compression": (sample_spec(compression="none"), {"kernel-1": dict(compression="zip9")},
                                "fit-compression-unknown"),
        "kernel not 2 MiB aligned": (sample_spec(load=0x48280000, entry=0x48280000), {}, "fit-kernel-align"),
        "entry outside kernel": (sample_spec(entry=0x47000000), {}, "fit-entry-outside"),
        "not an arm64 Image": (sample_spec(kernel=arm64_image(5000, magic=0x12345678)), {}, "fit-kernel-header"),
        "image_size too small": (sample_spec(kernel=arm64_image(200000, image_size=0x1000)), {},
                                 "fit-kernel-image-size"),
        "no load address": (sample_spec(), {"fdt-1": dict(load=None)}, "fit-load-missing"),
    }
    for name, (spec, changes, code) in specs.items():
        for img in spec.images:
            for attr, value in changes.get(img.name, {}).items():
                setattr(img, attr, value)
        cases.append((name, build_fit(spec, cache).read_bytes(), [], code))
    noroom = sample_spec()
    noroom.images[1].data = tiny_dtb(initrd_props=False)
    cases.append(("device tree without room for /chosen", build_fit(noroom, cache).read_bytes(), [],
                  "fit-fdt-no-room"))
    missing = sample_spec()
    missing.default = "conf-9"
    cases.append(("missing default configuration", build_fit(missing, cache).read_bytes(), [],
                  "fit-config-missing"))
    none = sample_spec()
    none.configs, none.default = [], None
    cases.append(("no configurations", build_fit(none, cache).read_bytes(), [], "fit-config-none"))
    dangling = sample_spec()
    dangling.configs[0].ramdisk = "ramdisk-9"
    cases.append(("configuration names a missing image", build_fit(dangling, cache).read_bytes(), [],
                  "fit-config-image-missing"))
    nodefault = sample_spec()
    nodefault.default = None
    cases.append(("no default", build_fit(nodefault, cache).read_bytes(), [], "fit-config-default"))
    return cases


BAD_IDS = ["hash mismatch", "truncated external data", "truncated tree", "load outside memory",
           "outside one of two regions", "data-size huge", "data-offset huge", "hostile totalsize",
           "hostile off_dt_struct", "hostile size_dt_strings", "overlapping pieces", "unknown compression",
           "kernel not 2 MiB aligned", "entry outside kernel", "not an arm64 Image", "image_size too small",
           "no load address", "missing default configuration", "no configurations",
           "configuration names a missing image", "no default", "device tree without room for /chosen"]


@pytest.fixture(scope="session")
def bad_cases(fit_cache):
    cases = {c[0]: c for c in _bad_cases(fit_cache)}
    assert sorted(cases) == sorted(BAD_IDS)
    return cases


@pytest.mark.parametrize("case", BAD_IDS)
def test_bad_fit_gives_its_finding(bad_cases, tmp_path, capsys, case):
    _, data, args, code = bad_cases[case]
    path = tmp_path / "bad.itb"
    path.write_bytes(data)
    memory = args or ["--memory", "0x48000000:128M"]
    assert main(["verify", str(path), *memory, "--json"]) == 1
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert code in {f["code"] for f in doc["findings"] if f["severity"] == "error"}, doc["findings"]
    assert err == ""
    assert main(["verify", str(path), *memory]) == 1
    out, err = capsys.readouterr()
    assert f"[{code}]" in out and "Traceback" not in out + err
    # inspect shows what it can (exit 0), or refuses an unreadable tree in one line (exit 3)
    rc = main(["inspect", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == "fit-corrupt":
        assert rc == 3 and out == "" and err.count("\n") == 1 and str(path) in err and "FDT" in err
    else:
        assert rc == 0 and out.startswith("FIT: ")
    assert path.read_bytes() == data                       # input untouched


def test_bad_fit_in_a_fresh_interpreter(bad_cases, tmp_path):
    """The installed entry point too: one line on stderr, documented exit codes."""
    _, data, _, _ = bad_cases["hostile off_dt_struct"]
    path = tmp_path / "hostile.itb"
    path.write_bytes(data)
    proc = run_bundle("inspect", path)
    assert proc.returncode == 3 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert "structure block offset 0xfffffff0" in proc.stderr
    proc = run_bundle("verify", path)
    assert proc.returncode == 1 and "[fit-corrupt]" in proc.stdout and proc.stderr == ""


@settings(max_examples=100 if in_ci() else 400, deadline=None, suppress_health_check=SUPPRESS)
@given(data=st.data(), layout=st.sampled_from(sorted(LAYOUTS)))
def test_corrupted_fit_never_crashes(fit_cache, data, layout):
    """Any word of the tree overwritten, or the file cut anywhere: findings, never an exception."""
    good = build_fit(sample_spec(layout), fit_cache).read_bytes()
    totalsize = struct.unpack_from(">I", good, 4)[0]
    at = data.draw(st.integers(0, totalsize // 4 - 1)) * 4
    word = data.draw(st.one_of(st.integers(0, 2**32 - 1), st.integers(0, 64),
                               st.sampled_from([totalsize, len(good), 0x7FFFFFFF, 0xFFFFFFFF])))
    bad = _patched(good, at, struct.pack(">I", word))
    bad = bad[:data.draw(st.one_of(st.just(len(bad)), st.integers(0, len(bad))))]
    findings = check_fit(bad, memory=RAM, fit_address=0x40000000)
    assert all("\n" not in f.message for f in findings)
    describe(bad)


# -- a FIT inside a bundle, and nested: host ELF -> bootstrap ELF -> FIT -----------------------------------------

@pytest.fixture(scope="session")
def nested(fit_cache, tmp_path_factory):
    """A bootstrap (the aarch64 sample remote, PT_LOADs at 0x40400000) carrying a FIT, bundled into the host."""
    d = tmp_path_factory.mktemp("nested")
    prebuilt = SAMPLES / "aarch64-amp" / "prebuilt"
    out = {}
    for name, spec in (("good", sample_spec("E")),
                       ("onto-bootstrap", _with(sample_spec("E"), "ramdisk-1", load=0x40400100)),
                       ("corrupt", sample_spec("E"))):
        fit = d / f"{name}.itb"
        data = build_fit(spec, fit_cache).read_bytes()
        if name == "corrupt":           # off_dt_strings far past the end: the tree is unreadable
            data = data[:12] + struct.pack(">I", 0x7FFFFFF0) + data[16:]
        fit.write_bytes(data)
        boot = d / f"boot-{name}.elf"
        run_bundle(prebuilt / "remote.elf", fit, "-o", boot, check=True)
        host = d / f"host-{name}.elf"
        run_bundle(prebuilt / "host.elf", boot, "-o", host, check=True)
        out[name] = (fit, boot, host)
    return out


def _with(spec: FitSpec, image: str, **changes) -> FitSpec:
    for img in spec.images:
        if img.name == image:
            for k, v in changes.items():
                setattr(img, k, v)
    return spec


def test_inspect_embedded_and_nested(nested, capsys):
    fit, boot, host = nested["good"]
    expect = describe(fit.read_bytes())
    assert main(["inspect", str(boot), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (img,) = [i for i in doc["images"] if i["stem"] == "good_itb"]
    assert img["fit"] == expect and img["error"] is None
    assert main(["inspect", str(host), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (outer,) = [i for i in doc["images"] if i["stem"] == "boot_good_elf"]
    (inner,) = outer["image"]["images"]
    assert inner["stem"] == "good_itb" and inner["fit"] == expect
    assert main(["inspect", str(host)]) == 0
    text = capsys.readouterr().out
    assert "      FIT: rproc-bundle test FIT" in text and "hash-1: sha256" in text


def test_verify_embedded_and_nested(nested, capsys):
    _, boot, host = nested["good"]
    for elf in (boot, host):
        # the memory holds the bootstrap too: with --memory the loaders area checks it as well
        assert main(["verify", str(elf), "--memory", "0x40000000:256M", "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert not {f["code"] for f in doc["findings"]} & {"fit-memory-unknown", "image-not-elf"}
    _, boot, host = nested["onto-bootstrap"]
    for elf, stem in ((boot, "onto_bootstrap_itb"), (host, "boot_onto_bootstrap_elf/onto_bootstrap_itb")):
        assert main(["verify", str(elf), "--memory", "0x40000000:256M", "--json"]) == 1
        doc = json.loads(capsys.readouterr().out)
        hits = [f for f in doc["findings"] if f["code"] == "fit-overlaps-bootstrap"]
        assert hits and hits[0]["stem"] == stem and hits[0]["address"] == 0x40400100
    # a piece loaded onto the FIT's own bytes (where it sits in the bootstrap)
    fit_bytes = nested["onto-bootstrap"][0].read_bytes()
    hits = [f for f in check_fit(fit_bytes, memory=RAM + [MemoryRange(0x40000000, 16 << 20)],
                                 fit_address=0x40400000) if f.code == "fit-overlaps-fit"]
    assert len(hits) == 1 and hits[0].address == 0x40400100 and "ramdisk-1" in hits[0].message


def test_corrupt_fit_inside_a_bundle(nested, capsys):
    _, boot, host = nested["corrupt"]
    assert main(["verify", str(host), "--memory", "0x48000000:128M", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    (f,) = [f for f in doc["findings"] if f["code"] == "fit-corrupt"]
    assert f["stem"] == "boot_corrupt_elf/corrupt_itb" and "strings block offset 0x7ffffff0" in f["message"]
    assert main(["inspect", str(boot)]) == 0
    out = capsys.readouterr().out
    assert "FIT: unreadable: FDT: strings block offset 0x7ffffff0" in out
    assert main(["inspect", str(host), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (outer,) = [i for i in doc["images"] if i["stem"] == "boot_corrupt_elf"]
    assert outer["image"]["images"][0]["fit"]["error"].startswith("FDT: strings block offset")
