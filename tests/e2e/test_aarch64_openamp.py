"""samples/aarch64-amp's host on real OpenAMP: `make run-openamp`.

The Makefile cross-builds libmetal (generic system) and open-amp for the
bare-metal AArch64 host with CMake, from OPENAMP_SRC/LIBMETAL_SRC (default:
the pinned tarballs in ../shared/third_party), links openamp/host.c with them,
the kit and picolibc, bundles the remote (linker/bundle.mk) and boots in QEMU:
remoteproc_init / remoteproc_load through the kit's image store (path = the
stem) / remoteproc_start (PSCI CPU_ON); the remote runs on CPU 1 and reports
through shared memory exactly as with the kit's own loader. The second boot
carries remote-bad.elf (valid, but linked outside the remote area): the store
accepts it, OpenAMP finds no mapping, the host reports the failure. Hostile
remotes (tests/support/openamp_corpus.py) bundled into the same host are refused by
the store on the target, with the reason on the UART.

Sources absent: skipped with the reason, failed under CI=true.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import BUNDLE_CMD, bundle, make_sample
from tests.e2e.harness import AARCH64
from tests.support import openamp as ob
from tests.support import openamp_corpus as hostile
from tests.support.openamp_corpus import Elf
from tests.support.tools import need_tool

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]


def source_vars() -> dict[str, str]:
    """OPENAMP_SRC/LIBMETAL_SRC for make when the environment names them;
    otherwise the Makefile's default (../../../shared/third_party) is used."""
    ob.need_sources()
    return {k: os.environ[k] for k in ("OPENAMP_SRC", "LIBMETAL_SRC") if os.environ.get(k)}


def boots(stdout: str) -> dict[str, list[str]]:
    """{combined ELF's name: its console lines} from the Makefile's boot macro."""
    out, current = {}, None
    for line in stdout.splitlines():
        m = re.match(r"== boot (\S+)$", line)
        if m:
            current = out.setdefault(Path(m.group(1)).name, [])
        elif current is not None:
            current.append(line.rstrip("\r"))
    return out


@pytest.fixture(scope="module")
def openamp_build(a64_openamp_dir) -> Path:
    """`make openamp` once for this module: libraries, host-openamp.elf, bundles."""
    need_tool("make", "cmake", "aarch64-linux-gnu-gcc", "qemu-system-aarch64")
    ob.need_picolibc()
    build = a64_openamp_dir
    make_sample("aarch64-amp", build, "openamp", BUNDLE=BUNDLE_CMD, **source_vars())
    return build


def test_make_run_openamp_boots_on_real_openamp(openamp_build):
    build = openamp_build
    proc = make_sample("aarch64-amp", build, "run-openamp", BUNDLE=BUNDLE_CMD, **source_vars())
    got = boots(proc.stdout)
    assert set(got) == {"combined-openamp.elf", "combined-openamp-bad.elf"}, proc.stdout

    remote = Elf((build / "remote.elf").read_bytes())
    e_entry = struct.unpack_from("<Q", remote.data, 24)[0]
    rsc_addr = remote.get("shdr", "sh_addr", remote.section(".resource_table"))
    good = got["combined-openamp.elf"]
    expect = [
        "host: boot on cpu 0 at EL1 (openamp)",
        "host: remoteproc_load remote_elf through the kit's image store",
        f"host: remoteproc_load rc=0 entry=0x{e_entry:08x}",
        f"host: rsc table at 0x{rsc_addr:08x} size=0x000000c8 (as OpenAMP wrote it back)",
        "host: rsc carveout remote-ram da=0x40400000 len=0x00100000",
        "host: rsc vdev id=7 vrings=2 notifyids=0,1,2",
        "host: vdev status 0x07",
        f"host: remoteproc_start: cpu 1 at 0x{e_entry:08x}",
        "remote: hello from cpu 1",
        "remote: running, data ok, bss ok",
        "host: remote reported 0x600df00d",
        "host: remote ran on cpu 1",
        "host: remoteproc_stop: cpu 1 off",
        "host: pass",
        "== ok",
    ]
    assert [ln for ln in good if ln in expect] == expect, "\n".join(good)
    assert not any(ln.startswith(("host: error", "metal: ")) for ln in good), "\n".join(good)

    bad = got["combined-openamp-bad.elf"]
    assert "metal: error:     load failed, no mapping for 0x40600000." in bad, "\n".join(bad)
    err = "host: error: remoteproc_load failed, the store refused nothing (-106)"
    assert err in bad and bad[bad.index(err) + 1] == "== ok", "\n".join(bad)
    assert "host: pass" not in bad


def test_make_openamp_from_source_directories(tmp_path):
    """OPENAMP_SRC/LIBMETAL_SRC may be source trees: built out of tree, untouched."""
    need_tool("make", "cmake", "aarch64-linux-gnu-gcc")
    ob.need_picolibc()
    openamp, libmetal = ob.need_sources()
    dirs = [src if src.is_dir() else ob._source_dir(src, tmp_path) for src in (openamp, libmetal)]
    before = sorted(p for d in dirs for p in d.rglob("*"))
    build = tmp_path / "build"
    make_sample("aarch64-amp", build, "openamp", BUNDLE=BUNDLE_CMD,
                OPENAMP_SRC=str(dirs[0]), LIBMETAL_SRC=str(dirs[1]))
    assert (build / "combined-openamp.elf").stat().st_size > (build / "host-openamp.elf").stat().st_size
    assert not (build / "openamp" / "src").exists()     # nothing unpacked: the trees were used
    assert sorted(p for d in dirs for p in d.rglob("*")) == before


def test_make_run_openamp_without_sources_says_what_to_set(tmp_path):
    need_tool("make")
    proc = subprocess.run(
        ["make", "-C", str(ob.ROOT / "samples" / "aarch64-amp"), f"BUILD={tmp_path / 'b'}",
         f"THIRD_PARTY={tmp_path / 'none'}", "OPENAMP_SRC=", "LIBMETAL_SRC=",
         f"{tmp_path / 'b'}/openamp/install/lib/libopen_amp.a"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "run-openamp: OpenAMP sources not found: set OPENAMP_SRC and LIBMETAL_SRC" in proc.stderr


@pytest.mark.parametrize("case,reason", [
    ("vdev-200-vrings", "malformed resource table (-12)"),
    ("sh_name-outside-shstrtab", "malformed section headers, .shstrtab or section name (-15)"),
    ("p_filesz-gt-p_memsz", "bad segment: filesz > memsz or address overflow (-8)"),
])
def test_hostile_remote_refused_on_target(openamp_build, tmp_path, case, reason):
    """On the target too: a hostile remote bundled into the OpenAMP host is
    refused by the store before OpenAMP reads it, and the host prints why."""
    name, data, _ = next(c for c in hostile.cases_for("elf64") if c[0] == f"elf64-{case}")
    remote = tmp_path / "remote.elf"
    remote.write_bytes(data)
    combined = bundle(openamp_build / "host-openamp.elf", remote, tmp_path / "combined.elf")
    b = AARCH64.boot(combined)
    assert b.has("host: remoteproc_load remote_elf through the kit's image store"), b
    assert b.has(f"host: error: {reason}"), b
    assert not b.has("remote: hello from cpu 1") and not b.has("host: pass"), b
