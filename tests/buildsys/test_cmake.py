"""linker/RemoteFw.cmake through samples/cortex-m3/CMakeLists.txt, with the
Unix Makefiles and the Ninja generators and the real arm-none-eabi toolchain:
the bundles come out with their hex; a second build does nothing; touching a
remote re-bundles and relinks nothing; a changed remote gives a different
combined.elf while the host stays as it was; ctest boots the bundles in QEMU.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.buildsys.conftest import BUNDLE_LIST, age_tree, copy_sample, mtimes, run, touch
from tests.support.tools import need_tool
from tests.support.cli import run_bundle
from tests.e2e.conftest import elf_symbols

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

GENERATORS = ["Unix Makefiles", "Ninja"]
BUNDLES = ("combined.elf", "combined-slot.elf", "combined-prebuilt.elf")


class Build:
    """One configured copy of the sample."""

    def __init__(self, root: Path, generator: str):
        self.generator = generator
        self.src = copy_sample("cortex-m3", root)
        self.dir = root / "build"
        run(["cmake", "-S", self.src, "-B", self.dir, "-G", generator,
             f"-DREMOTE_FW_BUNDLE={BUNDLE_LIST}"], cwd=root)

    def build(self) -> str:
        """cmake --build, one job (the machine is shared); returns its output."""
        return run(["cmake", "--build", self.dir, "-j", "1"], cwd=self.dir).stdout

    def pending(self) -> list[str]:
        """What the build tool would run now, one line per step."""
        if self.generator == "Ninja":
            proc = run(["ninja", "-C", self.dir, "-n", "-d", "explain"], cwd=self.dir)
            if "ninja: no work to do." in proc.stdout:
                return []
            return [ln for ln in proc.stdout.splitlines() if re.match(r"\[\d+/\d+\]", ln)]
        proc = run(["make", "-C", self.dir, "-n"], cwd=self.dir)
        # a dry run of CMake's Makefiles still prints its bookkeeping; the
        # steps that do work are the compiler, linker and bundle commands
        return [ln for ln in proc.stdout.splitlines()
                if "arm-none-eabi-gcc" in ln or "bundler" in ln]

    def f(self, name: str) -> Path:
        return self.dir / name


def steps(output: str) -> list[str]:
    """The work a build reported: compiling, linking, bundling."""
    return [ln for ln in output.splitlines()
            if re.search(r"Building C object|Linking C executable|Bundling ", ln)]


@pytest.fixture(params=GENERATORS, ids=["make", "ninja"])
def built(request, tmp_path) -> Build:
    need_tool("cmake", "arm-none-eabi-gcc")
    if request.param == "Ninja":
        need_tool("ninja")
    else:
        need_tool("make")
    b = Build(tmp_path, request.param)
    out = b.build()
    assert any("Bundling remote into host: combined.elf" in ln for ln in steps(out)), out
    return b


def test_bundles_hex_and_verify(built):
    for name in ("remote.elf", "host.elf", "host-slot.elf", *BUNDLES, "combined.hex"):
        assert built.f(name).is_file(), name
    # byte for byte what the CLI makes from the same inputs
    ref = built.dir / "ref"
    ref.mkdir()
    run_bundle(built.f("host.elf"), built.f("remote.elf"), "-o", ref / "combined.elf",
               "--hex", ref / "combined.hex", check=True)
    assert built.f("combined.elf").read_bytes() == (ref / "combined.elf").read_bytes()
    assert built.f("combined.hex").read_bytes() == (ref / "combined.hex").read_bytes()
    prebuilt_remote = built.src / "prebuilt" / "remote.elf"
    run_bundle(built.f("host.elf"), prebuilt_remote, "-o", ref / "p.elf", check=True)
    assert built.f("combined-prebuilt.elf").read_bytes() == (ref / "p.elf").read_bytes()
    # host-slot: the image went into the slot remote_fw.ld reserved
    syms = elf_symbols(built.f("combined-slot.elf"))
    assert syms["__remote_fw_slot_start"] <= syms["_binary_remote_elf_start"] < syms["__remote_fw_slot_end"]
    # the verify step is part of the build edge
    script = next((built.dir / "CMakeFiles").glob("host_bundle-verify-*.cmake"))
    assert "verify" in script.read_text() and str(built.f("combined.elf")) in script.read_text()
    proc = run_bundle("verify", built.f("combined.elf"), "--remote", built.f("remote.elf"))
    assert proc.returncode == 0, proc.stderr


def test_nothing_touched_rebuilds_nothing(built):
    files = [built.f(n) for n in ("remote.elf", "host.elf", "host-slot.elf", *BUNDLES, "combined.hex")]
    before = mtimes(*files)
    assert built.pending() == []
    out = built.build()
    assert steps(out) == [], out
    assert mtimes(*files) == before


def test_touched_remote_rebundles_only(built):
    age_tree(built.dir)
    hosts = mtimes(built.f("host.elf"), built.f("host-slot.elf"), built.f("combined-prebuilt.elf"))
    old = mtimes(built.f("combined.elf"), built.f("combined.hex"), built.f("combined-slot.elf"))
    touch(built.f("remote.elf"))
    pending = built.pending()
    assert pending and all("bundler" in ln or "Bundling" in ln or "verify" in ln for ln in pending), pending
    out = built.build()
    assert sorted(steps(out)) == sorted([
        next(ln for ln in steps(out) if "combined.elf" in ln and "Bundling" in ln),
        next(ln for ln in steps(out) if "combined-slot.elf" in ln and "Bundling" in ln)]), out
    assert mtimes(*hosts) == hosts                    # no relink, no other bundle
    new = mtimes(*old)
    assert all(new[p] > old[p] for p in old)
    assert built.pending() == []


def test_touched_file_remote_rebundles_only_its_bundle(built):
    age_tree(built.dir)
    age_tree(built.src)
    others = mtimes(built.f("combined.elf"), built.f("combined-slot.elf"), built.f("host.elf"))
    touch(built.src / "prebuilt" / "remote.elf")
    out = built.build()
    assert [ln for ln in steps(out)] == [next(ln for ln in steps(out) if "combined-prebuilt.elf" in ln)], out
    assert mtimes(*others) == others


def test_changed_remote_source_relinks_remote_and_rebundles(built):
    """Edit the remote's source: the remote is recompiled and relinked, both
    bundles that carry it are remade with different bytes, the hosts are not
    relinked and the bundle of the prebuilt remote is left alone."""
    age_tree(built.dir)
    untouched = mtimes(built.f("host.elf"), built.f("host-slot.elf"), built.f("combined-prebuilt.elf"))
    before = {n: built.f(n).read_bytes() for n in ("combined.elf", "combined-slot.elf", "combined.hex")}
    main_c = built.src / "remote" / "main.c"
    text = main_c.read_text()
    assert "remote: running" in text
    main_c.write_text(text.replace("remote: running", "remote: running again"))
    out = built.build()
    work = steps(out)
    assert any("remote" in ln and "Building C object" in ln for ln in work), out
    assert any("Linking C executable remote.elf" in ln for ln in work), out
    assert not any(re.search(r"Linking C executable host", ln) for ln in work), out
    assert mtimes(*untouched) == untouched
    for name, old in before.items():
        assert built.f(name).read_bytes() != old, name
    assert built.pending() == []


def test_ctest_boots_the_bundles(built):
    need_tool("ctest", "qemu-system-arm")
    proc = run(["ctest", "--test-dir", built.dir, "--output-on-failure", "--timeout", "60"],
               cwd=built.dir)
    assert "100% tests passed, 0 tests failed out of 3" in proc.stdout, proc.stdout


@pytest.mark.parametrize("bundle, message", [
    ("/nonexistent/bundle", "`/nonexistent/bundle kit` failed"),
    ("false", "`false kit` failed (exit 1)"),
])
def test_configure_stops_without_a_working_bundle(tmp_path, bundle, message):
    """RemoteFw.cmake asks `bundle kit` at configure time; a command that is
    missing or fails stops the configure step with a message naming it."""
    need_tool("cmake", "arm-none-eabi-gcc", "make")
    src = copy_sample("cortex-m3", tmp_path)
    proc = run(["cmake", "-S", src, "-B", tmp_path / "build", "-G", "Unix Makefiles",
                f"-DREMOTE_FW_BUNDLE={bundle}"], cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert message in " ".join(proc.stderr.split()), proc.stderr
    assert not (tmp_path / "build" / "Makefile").exists()
