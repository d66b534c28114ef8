"""libFuzzer on the kit (fuzz_remote_fw.c, fuzz_remote_fw_openamp.c, fuzz_fit.c,
fuzz_inflate.c through run.sh).

- test_fuzz_runs_clean: fuzz for FUZZ_SECONDS (default 60 under CI=true, 10
  otherwise) from the seeds in corpus/; any crash, leak, timeout, UBSan report
  or broken API promise fails the test (libFuzzer's exit status, its report
  markers, and artifacts left behind are all checked).
- test_replay_seeds_and_regressions: every seed and every file in
  regressions/ (inputs that once crashed, kept after the fix) runs once, clean.
- test_fuzz_openamp_runs_clean / test_replay_openamp: the same for
  fuzz_remote_fw_openamp.c (FUZZ_TARGET=openamp), the OpenAMP image store's
  open + load path through real OpenAMP, for FUZZ_OPENAMP_SECONDS (default 20
  under CI=true, 10 otherwise); libmetal and open-amp come from the session's
  build (tests/support/openamp.py: skipped, or failed under CI=true,
  when their sources are absent).
- test_fit_fuzz_runs_clean[fit|fitsig|inflate]: the same for remote_fw_fit_load,
  for remote_fw_fit_load_opts' signature path (fuzz_fit_sig.c) and for the
  inflate alone (checked against zlib), FIT_FUZZ_SECONDS each (default 15
  under CI=true, 5 otherwise), from corpus_fit/, corpus_fit_sig/ and
  corpus_inflate/ (make_fit_seeds.py, make_fit_sig_seeds.py: mkimage-built
  FITs, signed ones with their key's modulus); test_fit_replay replays those
  seeds and regressions/fit-*, regressions/fitsig-*, regressions/inflate-*.
- test_auth_fuzz_runs_clean / test_auth_replay: the same for
  remote_fw_load_authenticated's reading of the signed manifest
  (fuzz_auth.c, FUZZ_TARGET=auth), AUTH_FUZZ_SECONDS (default 15 under
  CI=true, 5 otherwise), from corpus_auth/ (make_auth_seeds.py: images and
  manifests of real bundles signed by `bundle --sign`); the replay holds each
  seed to the code make_auth_seeds.py expects and replays regressions/auth-*.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import openamp

HERE = Path(__file__).resolve().parent
RUN = HERE / "run.sh"
CORPUS = HERE / "corpus"
REGRESSIONS = HERE / "regressions"

pytestmark = pytest.mark.toolchain

REPORT_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                  "ERROR: libFuzzer", "broken promise", "SUMMARY: UndefinedBehaviorSanitizer",
                  "ALARM: working on the last Unit")


def fuzz_seconds() -> int:
    default = "60" if os.environ.get("CI", "").lower() == "true" else "10"
    return int(os.environ.get("FUZZ_SECONDS", default))


def run(args, work: Path, timeout: int, **env_extra: str) -> tuple[int, str]:
    env = dict(os.environ, FUZZ_WORK=str(work), **env_extra)
    proc = subprocess.run(["sh", str(RUN), *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def assert_clean(code: int, out: str) -> None:
    tail = "\n".join(out.splitlines()[-60:])
    assert code == 0, f"fuzzer exited {code}:\n{tail}"
    for marker in REPORT_MARKERS:
        assert marker not in out, f"{marker!r} in the fuzzer's output:\n{tail}"


def assert_fuzzed_clean(code: int, out: str, tmp_path: Path) -> None:
    """A fuzzing run that really ran (over 100 inputs, coverage reported) and found nothing."""
    assert_clean(code, out)
    executed = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    assert executed and int(executed.group(1)) > 100, out[-2000:]
    assert "INITED" in out and "cov:" in out
    artifacts = tmp_path / "artifacts"
    assert not any(artifacts.iterdir()), f"artifacts left: {list(artifacts.iterdir())}"


def assert_replayed(code: int, out: str, inputs: list[Path]) -> None:
    """A replay that ran every input and found nothing."""
    assert_clean(code, out)
    for path in inputs:
        assert f"Executed {path}" in out, f"{path} was not replayed:\n{out[-2000:]}"


def seed_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file())


def test_seed_corpus_is_present():
    names = {p.name for p in seed_files()}
    assert {"elf32le-rsc.elf", "elf32be-rsc.elf", "elf64le-rsc.elf"} <= names


def test_fuzz_runs_clean(need, tmp_path):
    need("clang")
    seconds = fuzz_seconds()
    code, out = run([seconds], tmp_path, timeout=seconds + 600)
    assert_fuzzed_clean(code, out, tmp_path)


def test_replay_seeds_and_regressions(need, tmp_path):
    need("clang")
    inputs = seed_files() + sorted(p for p in REGRESSIONS.iterdir() if p.is_file()
                                   and p.name != "README.md")
    code, out = run(["replay", *inputs], tmp_path, timeout=600)
    assert_replayed(code, out, inputs)


def openamp_env() -> dict[str, str]:
    return {"FUZZ_TARGET": "openamp", "OPENAMP_PREFIX": str(openamp.build_libs()),
            "PYTHON": sys.executable}


def test_fuzz_openamp_runs_clean(need, tmp_path):
    need("clang")
    env = openamp_env()
    default = "20" if os.environ.get("CI", "").lower() == "true" else "10"
    seconds = int(os.environ.get("FUZZ_OPENAMP_SECONDS", default))
    code, out = run([seconds], tmp_path, timeout=seconds + 600, **env)
    assert_fuzzed_clean(code, out, tmp_path)


def test_replay_openamp(need, tmp_path):
    need("clang")
    env = openamp_env()
    inputs = seed_files() + sorted(p for p in REGRESSIONS.iterdir() if p.is_file()
                                   and p.name != "README.md")
    code, out = run(["replay", *inputs], tmp_path, timeout=600, **env)
    assert_replayed(code, out, inputs)


# ---- the FIT part: fuzz_fit.c and fuzz_inflate.c ---------------------------------

FIT_TARGETS = {"fit": HERE / "corpus_fit", "inflate": HERE / "corpus_inflate", "fitsig": HERE / "corpus_fit_sig"}


def fit_fuzz_seconds() -> int:
    default = "15" if os.environ.get("CI", "").lower() == "true" else "5"
    return int(os.environ.get("FIT_FUZZ_SECONDS", default))


def test_fit_seed_corpora_are_present():
    fit = {p.name for p in FIT_TARGETS["fit"].iterdir()}
    assert {"embedded-none.itb", "external-none.itb", "embedded-gzip.itb",
            "external-gzip-rdgzip.itb", "configs-embedded.itb"} <= fit
    assert any(p.name.startswith("gzip-") for p in FIT_TARGETS["inflate"].iterdir())
    assert {"rsa2048-pkcs.bin", "rsa2048-pss.bin", "rsa4096-pkcs.bin", "rsa4096-pss-conf2.bin",
            "unsigned.bin"} <= {p.name for p in FIT_TARGETS["fitsig"].iterdir()}


@pytest.mark.parametrize("target", sorted(FIT_TARGETS))
def test_fit_fuzz_runs_clean(need, tmp_path, target):
    need("clang")
    seconds = fit_fuzz_seconds()
    code, out = run([seconds], tmp_path, timeout=seconds + 600, FUZZ_TARGET=target)
    assert_fuzzed_clean(code, out, tmp_path)


@pytest.mark.parametrize("target", sorted(FIT_TARGETS))
def test_fit_replay(need, tmp_path, target):
    need("clang")
    inputs = sorted(p for p in FIT_TARGETS[target].iterdir() if p.is_file())
    inputs += sorted(p for p in REGRESSIONS.iterdir() if p.name.startswith(f"{target}-"))
    code, out = run(["replay", *inputs], tmp_path, timeout=600, FUZZ_TARGET=target,
                    FUZZ_FIT_VERBOSE="1")
    assert_replayed(code, out, inputs)
    if target == "fit":
        # every mkimage-built seed really loads: the fuzzer starts from success
        # (per input, as libFuzzer names each before running it: one input once printed its line twice)
        seeds = [p for p in inputs if p.parent == FIT_TARGETS["fit"]]
        blocks = re.split(r"^Running: ", out, flags=re.M)[1:]
        results = {b.split("\n", 1)[0]: re.findall(r"fuzz_fit: mode 0x[0-9a-f]+: (-?\d+)", b) for b in blocks}
        assert set(results) == {str(p) for p in inputs} and all(results.values()), out[-3000:]
        assert all(results[str(p)] and set(results[str(p)]) == {"0"} for p in seeds), out[-3000:]
    if target == "fitsig":
        # the mkimage-signed seeds verify and load; the unsigned one is refused as unsigned (-35)
        seeds = [p for p in inputs if p.parent == FIT_TARGETS["fitsig"]]
        results = re.findall(r"fuzz_fit_sig: mode 0x[0-9a-f]+: (-?\d+)", out)
        assert results[:len(seeds)] == ["-35" if p.name == "unsigned.bin" else "0" for p in seeds], out[-3000:]


# ---- the authenticated load: fuzz_auth.c -----------------------------------------

AUTH_CORPUS = HERE / "corpus_auth"


def auth_fuzz_seconds() -> int:
    default = "15" if os.environ.get("CI", "").lower() == "true" else "5"
    return int(os.environ.get("AUTH_FUZZ_SECONDS", default))


def test_auth_seed_corpus_is_present():
    from tests.fuzz.make_auth_seeds import SEEDS

    assert set(SEEDS) == {p.name for p in AUTH_CORPUS.iterdir()}


def test_auth_fuzz_runs_clean(need, tmp_path):
    need("clang")
    seconds = auth_fuzz_seconds()
    code, out = run([seconds], tmp_path, timeout=seconds + 600, FUZZ_TARGET="auth")
    assert_fuzzed_clean(code, out, tmp_path)


def test_auth_replay(need, tmp_path):
    """Every seed gives the code its bundle was made for: the signed ones load
    (the real Ed25519 check, post-link and pre-link), the others are refused
    with their reason; then regressions/auth-* run clean."""
    from tests.fuzz.make_auth_seeds import SEEDS

    need("clang")
    inputs = sorted(p for p in AUTH_CORPUS.iterdir() if p.is_file())
    inputs += sorted(p for p in REGRESSIONS.iterdir() if p.name.startswith("auth-"))
    code, out = run(["replay", *inputs], tmp_path, timeout=600, FUZZ_TARGET="auth",
                    FUZZ_AUTH_VERBOSE="1")
    assert_replayed(code, out, inputs)
    blocks = re.split(r"^Running: ", out, flags=re.M)[1:]
    results = {b.split("\n", 1)[0]: re.findall(r"fuzz_auth: mode 0x[0-9a-f]+: (-?\d+)", b) for b in blocks}
    for p in inputs:
        if p.parent == AUTH_CORPUS:
            assert results[str(p)] == [str(SEEDS[p.name][-1])], (p.name, out[-3000:])
