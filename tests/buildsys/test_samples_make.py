"""Each sample's `make run` from a clean copy of its folder alone (no linker/
beside it: the Makefile finds the kit with `bundle kit`, as in a project
started from the sample), with the real cross toolchains and QEMU:
build, bundle + verify + hex through linker/bundle.mk, boot, and pass only on
the firmware's own lines. Then the Makefile's dependencies: nothing touched
runs nothing, a touched remote re-bundles only, a changed remote source
relinks the remote and gives a different combined.elf, never relinking the
host.
"""

from __future__ import annotations

import re
import shutil

import pytest

from tests.buildsys.conftest import age_tree, copy_sample, make, mtimes, touch
from tests.support.tools import need_tool

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

# sample: (compiler, qemu, boots that pass, the remote's line in the logs)
SAMPLES = {
    "cortex-m3": ("arm-none-eabi-gcc", "qemu-system-arm", ["== ok (exit 0)"] * 2 + ["== ok (exit 9)"],
                  "remote: running, data ok, bss ok"),
    "riscv64-amp": ("riscv64-unknown-elf-gcc", "qemu-system-riscv64",
                    ["== ok (exit 0)"] * 2 + ["== ok (exit 9)"], "remote: hello from hart 1"),
    "aarch64-amp": ("aarch64-linux-gnu-gcc", "qemu-system-aarch64", ["== ok"] * 3,
                    "remote: hello from cpu 1"),
}
BUNDLES = ("combined.elf", "combined-slot.elf", "combined-bad.elf")


@pytest.fixture(scope="module", params=list(SAMPLES))
def ran_once(request, tmp_path_factory):
    """The sample copied to a fresh directory and `make run` done there, once per sample."""
    name = request.param
    cc, qemu, _, _ = SAMPLES[name]
    need_tool("make", cc, qemu)
    root = tmp_path_factory.mktemp(name)
    src = copy_sample(name, root, kit=False)
    proc = make(src, "run")
    return name, root, proc


@pytest.fixture
def ran(ran_once, tmp_path):
    """A private copy of that tree (times kept: make sees it as built), for a
    test that touches or edits files."""
    name, root, proc = ran_once
    shutil.copytree(root, tmp_path / "copy", symlinks=True)
    return name, tmp_path / "copy" / "samples" / name, proc


def oks(stdout: str) -> list[str]:
    return [ln for ln in stdout.splitlines() if ln.startswith("== ok")]


def test_make_run_builds_bundles_verifies_hex_and_boots(ran):
    name, src, proc = ran
    _, _, want_oks, remote_line = SAMPLES[name]
    out = proc.stdout
    assert oks(out) == want_oks, out
    assert "== FAIL" not in out
    build = src / "build"
    for f in ("host.elf", "host-slot.elf", "remote.elf", "remote-bad.elf", *BUNDLES, "combined.hex"):
        assert (build / f).is_file(), f
    # one bundle run per image, each followed by its verify; the hex in the first
    bundles = re.findall(r"-m bundler (\S+) (\S+) -o (\S+)(.*)", out)
    assert sorted(b[2].rsplit("/", 1)[-1] for b in bundles) == sorted(BUNDLES), out
    assert any("--hex build/combined.hex" in b[3] for b in bundles), out
    verifies = re.findall(r"-m bundler verify (\S+) --remote (\S+)", out)
    assert sorted(v[0].rsplit("/", 1)[-1] for v in verifies) == sorted(BUNDLES), out
    # the remote's own line, in the log of the good boot
    logs = [p for p in (build / "combined.elf.log", build / "combined.log") if p.is_file()]
    assert logs and remote_line in logs[0].read_text(), out
    hexfile = (build / "combined.hex").read_text()
    assert hexfile.startswith(":") and hexfile.rstrip().endswith(":00000001FF")


def test_nothing_touched_rebuilds_nothing(ran):
    _, src, _ = ran
    build = src / "build"
    files = [build / f for f in ("host.elf", "remote.elf", *BUNDLES, "combined.hex")]
    before = mtimes(*files)
    assert make(src, "all", "bundle", flags=("-q",), check=False).returncode == 0
    proc = make(src, "bundle")
    assert "bundler" not in proc.stdout and "gcc" not in proc.stdout, proc.stdout
    assert mtimes(*files) == before


def test_touched_remote_rebundles_only(ran):
    _, src, _ = ran
    build = src / "build"
    make(src, "all", "bundle")
    age_tree(src)
    keep = mtimes(build / "host.elf", build / "host-slot.elf", build / "combined-bad.elf")
    redo = mtimes(build / "combined.elf", build / "combined.hex", build / "combined-slot.elf")
    touch(build / "remote.elf")
    dry = make(src, "all", "bundle", flags=("-n",)).stdout
    assert "gcc" not in dry, dry
    assert len(re.findall(r"-m bundler \S+ \S+ -o", dry)) == 2, dry     # combined, combined-slot
    make(src, "all", "bundle")
    assert mtimes(*keep) == keep
    new = mtimes(*redo)
    assert all(new[p] > redo[p] for p in redo)


def test_changed_remote_source_gives_a_different_bundle(ran):
    """A real change to the remote: only the remote is recompiled and
    relinked, the host is not; combined.elf and its hex change."""
    _, src, _ = ran
    build = src / "build"
    make(src, "all", "bundle")
    age_tree(src)
    host = mtimes(build / "host.elf", build / "host-slot.elf")
    before = {f: (build / f).read_bytes() for f in ("combined.elf", "combined.hex", "combined-slot.elf")}
    main_c = src / "remote" / "main.c"
    text = main_c.read_text()
    assert "remote: running" in text
    main_c.write_text(text.replace("remote: running", "remote: running again"))
    proc = make(src, "all", "bundle")
    links = re.findall(r"-o (\S+\.elf)$", proc.stdout, re.M)
    assert "build/remote.elf" in links and not any("host" in ln for ln in links), proc.stdout
    assert mtimes(*host) == host
    for f, old in before.items():
        assert (build / f).read_bytes() != old, f
