"""linker/bundle.mk: the Make post-link step, on the committed Cortex-M3 ELFs
(no cross compiler needed). A tiny project "links" host.elf and remote.elf by
copying, so that the tests can see which rules run: touching the remote must
re-bundle and nothing else, touching nothing must run nothing, and a changed
remote must give different bytes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.buildsys.conftest import BUNDLE_CMD, age_tree, make, mtimes, touch
from tests.support.paths import KIT, SAMPLES
from tests.support.tools import need_tool
from tests.support.cli import run_bundle

PREBUILT = SAMPLES / "cortex-m3" / "prebuilt"

MAKEFILE = """\
KIT := {kit}
all:
include $(KIT)/bundle.mk

# stand-ins for the link steps of a real build
host.elf: host.in
\tcp host.in host.elf
remote.elf: remote.in
\tcp remote.in remote.elf

$(eval $(call remote_fw_bundle,out/combined.elf,host.elf,remote.elf,out/combined.hex))
{extra}
all: $(REMOTE_FW_OUTPUTS)
"""


def project(tmp_path: Path, extra: str = "") -> Path:
    need_tool("make")
    d = tmp_path / "proj"
    d.mkdir()
    shutil.copyfile(PREBUILT / "host.elf", d / "host.in")
    shutil.copyfile(PREBUILT / "remote.elf", d / "remote.in")
    (d / "Makefile").write_text(MAKEFILE.format(kit=KIT, extra=extra))
    return d


def commands(proc) -> list[str]:
    """The recipe lines make printed (or would run, with -n)."""
    return [ln for ln in proc.stdout.splitlines() if ln and not ln.startswith("make")]


def bundle_runs(lines: list[str]) -> list[str]:
    return [ln for ln in lines if ln.startswith(BUNDLE_CMD)]


def test_bundles_verifies_and_writes_hex_in_one_run(tmp_path):
    d = project(tmp_path)
    proc = make(d)
    runs = bundle_runs(commands(proc))
    # one bundle run writes ELF and hex (grouped target), then verify
    assert runs == [f"{BUNDLE_CMD} host.elf remote.elf -o out/combined.elf --hex out/combined.hex",
                    f"{BUNDLE_CMD} verify out/combined.elf --remote remote.elf "
                    "|| { rm -f out/combined.elf out/combined.hex; exit 1; }"], proc.stdout
    # the same bytes as the CLI by hand
    run_bundle(d / "host.elf", d / "remote.elf", "-o", tmp_path / "ref.elf",
               "--hex", tmp_path / "ref.hex", check=True)
    assert (d / "out/combined.elf").read_bytes() == (tmp_path / "ref.elf").read_bytes()
    assert (d / "out/combined.hex").read_bytes() == (tmp_path / "ref.hex").read_bytes()
    assert (d / "out/combined.hex").read_bytes().startswith(b":")


def test_nothing_touched_runs_nothing(tmp_path):
    d = project(tmp_path)
    make(d)
    outs = [d / "out/combined.elf", d / "out/combined.hex", d / "host.elf", d / "remote.elf"]
    before = mtimes(*outs)
    assert make(d, flags=("-q",), check=False).returncode == 0     # up to date
    proc = make(d)
    assert bundle_runs(commands(proc)) == [] and "cp " not in proc.stdout, proc.stdout
    assert mtimes(*outs) == before


def test_touched_remote_rebundles_and_relinks_nothing(tmp_path):
    d = project(tmp_path)
    make(d)
    age_tree(d)
    host_before = mtimes(d / "host.elf")
    elf_before = (d / "out/combined.elf").read_bytes()
    old = mtimes(d / "out/combined.elf", d / "out/combined.hex")
    touch(d / "remote.in")
    assert make(d, flags=("-q",), check=False).returncode == 1     # out of date
    dry = commands(make(d, flags=("-n",)))
    assert dry[0] == "cp remote.in remote.elf", dry
    assert not any("host.in" in ln for ln in dry), dry
    assert len(bundle_runs(dry)) == 2, dry                          # bundle + verify
    make(d)
    assert mtimes(d / "host.elf") == host_before
    new = mtimes(d / "out/combined.elf", d / "out/combined.hex")
    assert all(new[p] > old[p] for p in old)
    # same remote bytes: the same output (bundle is deterministic)
    assert (d / "out/combined.elf").read_bytes() == elf_before


def test_touched_host_rebundles(tmp_path):
    d = project(tmp_path)
    make(d)
    age_tree(d)
    touch(d / "host.elf")
    dry = commands(make(d, flags=("-n",)))
    assert bundle_runs(dry) and not any(ln.startswith("cp ") for ln in dry), dry


def test_changed_remote_changes_the_output(tmp_path):
    d = project(tmp_path)
    make(d)
    first = (d / "out/combined.elf").read_bytes()
    first_hex = (d / "out/combined.hex").read_bytes()
    age_tree(d)
    # a different remote under the same name: the Cortex-M3 remote linked elsewhere
    shutil.copyfile(PREBUILT / "remote-bad.elf", d / "remote.in")
    make(d)
    second = (d / "out/combined.elf").read_bytes()
    assert second != first
    assert (d / "out/combined.hex").read_bytes() != first_hex
    run_bundle(d / "host.elf", PREBUILT / "remote-bad.elf", "--name", "remote_elf",
               "-o", tmp_path / "ref.elf", check=True)
    assert second == (tmp_path / "ref.elf").read_bytes()


def test_failed_verify_removes_the_outputs(tmp_path):
    """A verify failure leaves no output behind, so the next make tries again."""
    d = project(tmp_path)
    shutil.copyfile(PREBUILT / "remote-bad.elf", d / "other.elf")
    # verify against a remote the image does not carry
    proc = make(d, check=False, REMOTE_FW_VERIFY_FLAGS="--remote other.elf")
    assert proc.returncode != 0, proc.stdout
    assert "verify" in proc.stdout
    assert not (d / "out/combined.elf").exists() and not (d / "out/combined.hex").exists()
    assert make(d, flags=("-q",), check=False).returncode == 1
    make(d)
    assert (d / "out/combined.elf").is_file() and (d / "out/combined.hex").is_file()


def test_verify_can_be_turned_off(tmp_path):
    d = project(tmp_path)
    runs = bundle_runs(commands(make(d, REMOTE_FW_VERIFY="0")))
    assert len(runs) == 1 and " verify " not in runs[0], runs


def test_names_flags_and_several_images(tmp_path):
    """NAMES and FLAGS reach `bundle`; REMOTE_FW_OUTPUTS collects every output;
    `$(call ...)` without `$(eval ...)` works too."""
    d = project(tmp_path, extra="$(call remote_fw_bundle,out/aligned.elf,host.elf,r5.elf,,remote_elf,--align 256)")
    shutil.copyfile(PREBUILT / "remote.elf", d / "r5.elf")
    proc = make(d)
    runs = bundle_runs(commands(proc))
    assert f"{BUNDLE_CMD} host.elf r5.elf -o out/aligned.elf --name remote_elf --align 256" in runs, runs
    assert f"{BUNDLE_CMD} verify out/aligned.elf --remote r5.elf " \
           "|| { rm -f out/aligned.elf; exit 1; }" in runs, runs
    printed = make(d, "-s", "print-outputs", flags=("--eval", "print-outputs: ; @echo $(REMOTE_FW_OUTPUTS)"))
    assert printed.stdout.split() == ["out/combined.elf", "out/combined.hex", "out/aligned.elf"]
    from tests.e2e.conftest import elf_symbols
    syms = elf_symbols(d / "out/aligned.elf")
    assert syms["_binary_remote_elf_start"] % 256 == 0


@pytest.mark.parametrize("args, message", [
    (",host.elf,remote.elf", "argument 1 (OUT) is empty"),
    ("out/x.elf,,remote.elf", "argument 2 (HOST) is empty"),
    ("out/x.elf,host.elf,", "argument 3 (REMOTES) is empty"),
    ("out/x.elf,host.elf,remote.elf,,a b", "2 names for 1 remotes"),
])
def test_bad_arguments_are_make_errors(tmp_path, args, message):
    d = project(tmp_path, extra=f"$(eval $(call remote_fw_bundle,{args}))")
    proc = make(d, flags=("-n",), check=False)
    assert proc.returncode != 0
    assert f"remote_fw_bundle: {message}" in proc.stderr, proc.stderr


def test_without_grouped_targets_hex_comes_from_bundle_hex(tmp_path):
    """Before GNU Make 4.3 (no grouped targets) the hex has its own rule,
    `bundle hex OUT -o HEX`: the same bytes as `--hex` in the bundle run."""
    d = project(tmp_path)
    text = (d / "Makefile").read_text()
    (d / "Makefile").write_text(text.replace("include $(KIT)/bundle.mk",
                                             "include $(KIT)/bundle.mk\nremote_fw__grouped :="))
    runs = bundle_runs(commands(make(d)))
    assert runs[0] == f"{BUNDLE_CMD} host.elf remote.elf -o out/combined.elf", runs
    assert f"{BUNDLE_CMD} hex out/combined.elf -o out/combined.hex" in runs, runs
    run_bundle(d / "host.elf", d / "remote.elf", "-o", tmp_path / "ref.elf",
               "--hex", tmp_path / "ref.hex", check=True)
    assert (d / "out/combined.hex").read_bytes() == (tmp_path / "ref.hex").read_bytes()
    # the hex alone deleted: only the hex rule runs
    (d / "out/combined.hex").unlink()
    runs = bundle_runs(commands(make(d)))
    assert runs == [f"{BUNDLE_CMD} hex out/combined.elf -o out/combined.hex"], runs


def test_deleted_hex_is_remade_by_the_bundle_run(tmp_path):
    d = project(tmp_path)
    make(d)
    (d / "out/combined.hex").unlink()
    runs = bundle_runs(commands(make(d)))
    assert runs and re.search(r"--hex out/combined\.hex$", runs[0]), runs
    assert (d / "out/combined.hex").is_file()


def test_kit_found_through_bundle_kit(tmp_path):
    """The documented preamble: KIT from `bundle kit`, bundle.mk from there."""
    d = project(tmp_path)
    text = (d / "Makefile").read_text()
    (d / "Makefile").write_text(text.replace(f"KIT := {KIT}", "KIT := $(shell $(BUNDLE) kit)"))
    proc = make(d, "-s", "show-kit", flags=("--eval", "show-kit: ; @echo $(KIT) $(REMOTE_FW_BUNDLE_MK)"))
    kit_dir, loaded = proc.stdout.split()
    assert Path(kit_dir, "bundle.mk").read_bytes() == (KIT / "bundle.mk").read_bytes()
    assert loaded == "1"
    make(d)
    assert (d / "out/combined.elf").is_file()


def test_keeps_a_bundle_whose_remote_has_stm32cube_notify_ids(tmp_path):
    """ST's template gives the vdev and vring 0 notify id 0 ("fixed to 0 for linux
    compatibility"); Linux assigns its own, so verify passes and make keeps the outputs (issue 17)."""
    from tests.loaders import mutate
    d = project(tmp_path)
    data = mutate.entry_u32((d / "remote.in").read_bytes(), "vdev", 8, 0)
    data = mutate.u32(data, mutate.entry_offset(data, "vdev") + 28 + 12, 0)
    (d / "remote.in").write_bytes(data)
    proc = make(d)
    assert "[rsc-notifyid-duplicate]" in proc.stdout and "note: " in proc.stdout, proc.stdout
    assert (d / "out/combined.elf").exists() and (d / "out/combined.hex").exists()
