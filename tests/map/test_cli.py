"""``bundle map`` on the command line and ``bundler.draw_map``: exit codes (0 drawn, findings
included; 2 a bad request; 3 bad input), one-line errors, no partial output, inputs untouched,
the format from the extension, and the API giving the bytes the CLI writes."""

from __future__ import annotations

import hashlib
import re

import pytest

import bundler
from bundler.memmap.model import is_located
from tests.support.map_pictures import bundled
from tests.support.cli import call_bundle, run_bundle
from tests.support.paths import DATA, SAMPLES
from tests.support.samples import remote_memory

REMOTE = SAMPLES / "cortex-m3" / "prebuilt" / "remote.elf"
BAD = SAMPLES / "cortex-m3" / "prebuilt" / "remote-bad.elf"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_findings_are_drawn_not_an_exit_status(tmp_path):
    out = tmp_path / "bad.svg"
    memory = [a for t in remote_memory("cortex-m3") for a in ("--memory", t)]
    ran = run_bundle("map", BAD, "-o", out, *memory)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "" and ran.stderr == ""
    text = out.read_text()
    assert text.startswith("<svg ") and "[mem-load]" in text and " sev-error\"" in text


@pytest.mark.parametrize("loader", ["linux", "uboot", "openamp", "kit"])
def test_each_loader_draws_its_findings(tmp_path, loader):
    """--loader runs that loader's rules (as bundle verify --loader): the firmware linked outside
    its RAM has every error verify locates drawn in red where it is (the profile's own codes where it
    has them: U-Boot's uboot-segment-da, the kit's kit-eregion), and every finding's words listed."""
    out = tmp_path / "bad.svg"
    memory = [a for t in remote_memory("cortex-m3") for a in ("--memory", t)]
    ran = call_bundle("map", BAD, "-o", out, "--loader", loader, *memory)
    assert ran.returncode == 0, ran.stderr
    text = out.read_text()
    assert re.search(r'class="range k-segment sev-error"', text), loader
    red = set(re.findall(r'class="range k-[a-z_]+ sev-error"[^>]*><title>[^\n]*\n0x([0-9a-f]+) \.\. ', text))
    memory = [(int(t.split(":")[0], 16), int(t.split(":")[1], 16)) for t in remote_memory("cortex-m3")]
    for f in bundler.verify(BAD, loader=loader, memory=memory).findings:
        if f.severity == "error" and f.address is not None and is_located(f):
            assert f"{f.address:08x}" in red, (loader, str(f))          # drawn where it is, in red
        assert f"[{f.code}]" in text                                     # and its words under the picture


def test_remote_view_leaves_the_host_out(tmp_path):
    """--remote-view: the remote's device addresses and the memory, no host column; the same
    remote ranges as the full picture; a firmware alone is drawn the same either way."""
    elf = bundled("cortex-m3", "remote-bad.elf", tmp_path)
    memory = [a for t in remote_memory("cortex-m3") for a in ("--memory", t)]
    full, remote = tmp_path / "full.svg", tmp_path / "remote.svg"
    assert call_bundle("map", elf, "-o", full, *memory).returncode == 0
    assert call_bundle("map", elf, "-o", remote, "--remote-view", *memory).returncode == 0
    views = re.findall(r'<rect class="col" data-view="([^"]+)"', remote.read_text())
    assert views == ["remote:remote_elf", "memory"]

    def titles(text, view):
        return sorted(re.findall(rf'data-view="{re.escape(view)}"><title>([^\n]*)', text))
    for view in views:
        assert titles(remote.read_text(), view) == titles(full.read_text(), view)
    assert "[mem-load]" in remote.read_text()
    alone, alone_rv = tmp_path / "a.svg", tmp_path / "b.svg"
    assert call_bundle("map", REMOTE, "-o", alone).returncode == 0
    assert call_bundle("map", REMOTE, "-o", alone_rv, "--remote-view").returncode == 0
    assert alone.read_text() == alone_rv.read_text()


def test_api_gives_the_cli_bytes(tmp_path):
    elf = bundled("cortex-m3", "remote.elf", tmp_path)
    for ext in ("svg", "html"):
        out = tmp_path / f"map.{ext}"
        assert call_bundle("map", elf, "-o", out).returncode == 0
        assert bundler.draw_map(elf, format=ext) == out.read_text()
        assert bundler.draw_map(elf.read_bytes(), format=ext).replace("input", elf.name) == out.read_text()
    html = (tmp_path / "map.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg " in html and '<table id="ranges">' in html
    assert bundler.draw_map(elf) == (tmp_path / "map.svg").read_text()        # svg when no output is named


def test_memory_from_a_device_tree(tmp_path):
    """--dtb/--node: the node's memory-region phandles become the memory column (built with the
    in-memory FDT builder of tests.support.fdt: reserved-memory children and the remoteproc node)."""
    from tests.support.fdt import build, cells, string
    (ram, ram_size), (shm, shm_size) = [tuple(int(v, 16) for v in t.split(":")[:2]) for t in remote_memory("cortex-m3")]
    blob, _ = build(([("#address-cells", cells(1)), ("#size-cells", cells(1))],
                     [("reserved-memory", ([("#address-cells", cells(1)), ("#size-cells", cells(1)), ("ranges", b"")],
                                           [(f"retram@{ram:x}", ([("reg", cells(ram, ram_size)),
                                                                  ("phandle", cells(1))], [])),
                                            (f"vdev0vring0@{shm:x}", ([("reg", cells(shm, shm_size)),
                                                                       ("phandle", cells(2))], []))])),
                      ("m3@0", ([("compatible", string("test,rproc")), ("memory-region", cells(1, 2))], []))]))
    dtb = tmp_path / "board.dtb"
    dtb.write_bytes(blob)
    out = tmp_path / "board.svg"
    ran = call_bundle("map", REMOTE, "-o", out, "--dtb", dtb, "--node", "/m3@0")
    assert ran.returncode == 0, ran.stderr
    text = out.read_text()
    assert ">memory /m3@0</text>" in text
    assert ">retram</text>" in text and ">vdev0vring0</text>" in text and " sev-error\"" not in text


@pytest.mark.parametrize("args,words", [
    (["-o", "{out}.png"], "cannot tell the picture's format"),
    (["-o", "{out}.svg", "--dtb", "{remote}"], "--dtb and --node go together"),
    (["-o", "{out}.svg", "--loader", "kit", "--driver", "stm32_rproc"], "cannot go with --loader kit"),
    (["-o", "{out}.svg", "--driver", "nosuch"], "unknown --driver"),
    (["-o", "{remote}"], "is the input"),
    ([], "required: -o"),
    (["-o", "{out}.svg", "--memory", "0x1000"], "--memory"),
])
def test_bad_request_exit_2(tmp_path, args, words):
    copy = tmp_path / "remote.elf"
    copy.write_bytes(REMOTE.read_bytes())
    before = digest(copy)
    args = [a.format(out=tmp_path / "map", remote=copy) for a in args]
    ran = run_bundle("map", copy, *args)
    assert ran.returncode == 2, ran.stderr
    assert words in ran.stderr and len(ran.stderr.strip().splitlines()) == 1 and "Traceback" not in ran.stderr
    assert digest(copy) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["remote.elf"]


@pytest.mark.parametrize("make,words", [
    (lambda d: None, "no such file"),
    (lambda d: (d / "in.elf").write_text("not an ELF file at all\n"), "in.elf"),
    (lambda d: (d / "in.elf").write_bytes(b"\xd0\x0d\xfe\xed" + bytes(60)), "in.elf"),   # a FIT's magic, no FIT
])
def test_bad_input_exit_3(tmp_path, make, words):
    make(tmp_path)
    ran = run_bundle("map", tmp_path / "in.elf", "-o", tmp_path / "map.svg")
    assert ran.returncode == 3, ran.stderr
    assert words in ran.stderr and len(ran.stderr.strip().splitlines()) == 1 and "Traceback" not in ran.stderr
    assert not (tmp_path / "map.svg").exists()


@pytest.mark.parametrize("cut", [40, 0x200, 0x1100])
def test_a_damaged_firmware_is_drawn(tmp_path, cut):
    """A firmware cut short (in its header, its program headers, a segment's bytes) is what a
    loader refuses, and still drawn: what can be read, and the loader's words ("truncated fw")."""
    elf = tmp_path / "cut.elf"
    elf.write_bytes(REMOTE.read_bytes()[:cut])
    out = tmp_path / "cut.svg"
    ran = run_bundle("map", elf, "-o", out)
    assert ran.returncode == 0, ran.stderr
    text = out.read_text()
    verdict = bundler.verify(elf)
    assert verdict.findings and all(f"[{f.code}]" in text for f in verdict.findings)
    if cut > 0x200:
        assert 'class="range k-segment' in text


def test_bad_device_tree_exit_3(tmp_path):
    junk = tmp_path / "junk.dtb"
    junk.write_bytes(b"\0" * 64)
    ran = run_bundle("map", REMOTE, "-o", tmp_path / "map.svg", "--dtb", junk, "--node", "/m3@0")
    assert ran.returncode == 3 and "junk.dtb" in ran.stderr
    assert not (tmp_path / "map.svg").exists()


def test_output_replaced_atomically(tmp_path):
    out = tmp_path / "map.svg"
    out.write_text("old picture\n")
    assert call_bundle("map", REMOTE, "-o", out).returncode == 0
    assert out.read_text().startswith("<svg ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.svg"]
    ran = call_bundle("map", tmp_path / "missing.elf", "-o", out)
    assert ran.returncode == 3 and out.read_text().startswith("<svg ")


@pytest.mark.parametrize("corrupt", sorted(p.name for p in (DATA / "invalid").glob("invalid_*.elf")))
def test_invalid_corpus_drawn_or_refused(corrupt, tmp_path):
    """Every file of the invalid-input corpus (tests/data/invalid): drawn (exit 0, its damage
    drawn or listed as verify finds it) or refused as bad input (exit 3: one line naming the file,
    no traceback, no output, no temporary file); never an internal error, never a changed input."""
    elf = DATA / "invalid" / corrupt
    before = digest(elf)
    out = tmp_path / "map.svg"
    ran = run_bundle("map", elf, "-o", out)
    assert ran.returncode in (0, 3), ran.stderr
    assert "Traceback" not in ran.stderr and "internal error" not in ran.stderr
    if ran.returncode == 0:
        assert out.read_text().startswith("<svg ")
    else:
        assert ran.stderr.startswith(f"bundle: error: {elf}") and len(ran.stderr.strip().splitlines()) == 1
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["map.svg"] if ran.returncode == 0 else [])
    assert digest(elf) == before
