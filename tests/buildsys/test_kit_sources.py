"""The kit's C units are listed the same everywhere that lists them: linker/bundle.mk
(REMOTE_FW_SOURCES, REMOTE_FW_FIT_SOURCES, REMOTE_FW_AUTH_SOURCES), linker/RemoteFw.cmake, tests/fuzz/run.sh,
bench/bench_fit.py, bench/bench_auth_load.py and tests.support.paths; and every unit in linker/ is in one list
(OUTSIDE apart)."""

from __future__ import annotations

import re

from tests.support.paths import AUTH_SOURCES, FIT_SOURCES, KIT, KIT_SOURCES, ROOT

CORE = [p.name for p in KIT_SOURCES]
FIT = [p.name for p in FIT_SOURCES]
AUTH = [p.name for p in AUTH_SOURCES]


def make_list(text: str, var: str) -> list[str]:
    m = re.search(rf"^{var} := ((?:.*\\\n)*.*)$", text, re.M)
    assert m, var
    return m.group(1).replace("\\\n", " ").split()


def test_bundle_mk():
    text = (KIT / "bundle.mk").read_text()
    assert make_list(text, "REMOTE_FW_SOURCES") == CORE
    assert make_list(text, "REMOTE_FW_FIT_SOURCES") == FIT
    assert make_list(text, "REMOTE_FW_AUTH_SOURCES") == AUTH


def test_remote_fw_cmake():
    lists = [m.split() for m in re.findall(r"foreach\(_remote_fw_unit ([^)]*)\)",
                                           (KIT / "RemoteFw.cmake").read_text())]
    assert lists == [CORE, FIT, AUTH]


def test_fuzz_script_and_bench():
    run_sh = (ROOT / "tests" / "fuzz" / "run.sh").read_text()
    units = re.findall(r'kit_src="([^"]*)"', run_sh) + re.findall(r'fit_src="([^"]*)"', run_sh)
    assert [[u.rsplit("/", 1)[-1] for u in s.split()] for s in units] == [CORE, FIT]
    auth = re.findall(r'auth_src="([^"]*)"', run_sh)
    assert [[u.rsplit("/", 1)[-1] for u in s.split()] for s in auth] == [AUTH]
    bench = (ROOT / "bench" / "bench_fit.py").read_text()
    m = re.search(r"UNITS = \[([^]]*)\]", bench)
    assert m and re.findall(r'"([^"]+)"', m.group(1)) == CORE + FIT
    from bench import bench_auth_load

    assert (bench_auth_load.CORE_UNITS, bench_auth_load.AUTH_UNITS) == (CORE, AUTH)


# The unit outside the lists: the OpenAMP image store (needs OpenAMP and libmetal).
OUTSIDE = {"remote_fw_openamp.c"}


def test_every_unit_is_listed():
    on_disk = {p.name for p in KIT.glob("*.c")} - OUTSIDE
    assert on_disk == set(CORE) | set(FIT) | set(AUTH)
    assert not set(CORE) & set(FIT) and not set(CORE) & set(AUTH)
    assert set(FIT) & set(AUTH) == {"remote_fw_sha256.c"}       # $(sort) or REMOVE_DUPLICATES with both
