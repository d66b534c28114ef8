"""The pictures the map tests draw (not tests): each sample bundled and drawn with its board's memory.

Golden files (tests/map/golden/) and the README's picture (docs/images/) are
made here and nowhere else, so ``pytest --update-golden`` and the comparisons
draw exactly the same inputs.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import bundler
from bundler.cli import main
from tests.support.paths import ROOT, SAMPLES
from tests.support.samples import remote_memory

GOLDEN = ROOT / "tests" / "map" / "golden"
README_PICTURE = ROOT / "docs" / "images" / "map-cortex-m3.svg"


def compare(text: str, golden: Path, update: bool) -> None:
    """``text`` is the golden file's (or becomes it, with ``pytest --update-golden``)."""
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.is_file(), f"{golden} is missing: run pytest tests/map --update-golden"
    assert text == golden.read_text(), f"{golden.name} changed (if intended: pytest tests/map --update-golden)"


def bundled(sample: str, remote: str, where: Path, name: str | None = None) -> Path:
    """samples/<sample>/prebuilt/host.elf with ``remote`` bundled in (as `make` in the sample does)."""
    out = where / (name or f"{sample}-{remote[:-4]}-combined.elf")
    prebuilt = SAMPLES / sample / "prebuilt"
    # the stem is the one the host declares (REMOTE_FW_DECLARE(remote_elf)), whichever file is carried
    bundler.bundle(prebuilt / "host.elf", [prebuilt / remote], out, names=["remote_elf"])
    return out


def draw_sample(sample: str, remote: str, where: Path, fmt: str = "svg", name: str | None = None) -> str:
    """The picture of the sample's bundle carrying ``remote``, with the board's memory, as
    ``bundle map combined.elf --memory ... -o FILE`` draws it."""
    out = where / f"{sample}-{remote[:-4]}.{fmt}"
    memory = [arg for text in remote_memory(sample) for arg in ("--memory", text)]
    assert main(["map", str(bundled(sample, remote, where, name)), "-o", str(out), *memory]) == 0
    return out.read_text()


def draw_readme(where: Path) -> str:
    """The README's picture: the Cortex-M3 sample carrying its remote linked at the wrong address,
    as the README's commands draw it (``combined.elf``)."""
    return draw_sample("cortex-m3", "remote-bad.elf", where, name="combined.elf")


def loads(path) -> list[tuple[int, int]]:
    """(p_paddr, p_memsz) of each PT_LOAD, as ``readelf -lW`` prints them."""
    text = subprocess.run(["readelf", "-lW", str(path)], capture_output=True, text=True, check=True).stdout
    return [(int(m[1], 16), int(m[2], 16)) for m in
            re.finditer(r"^\s+LOAD\s+0x[0-9a-f]+ 0x[0-9a-f]+ (0x[0-9a-f]+) 0x[0-9a-f]+ (0x[0-9a-f]+)", text, re.M)]


def check_picture(svg: str, segments: list[tuple[int, int]], view: str) -> None:
    """``svg`` is well-formed and draws exactly ``segments`` (p_paddr, p_memsz) as PT_LOADs in ``view``."""
    ET.fromstring(svg)
    boxes = re.findall(rf'<g class="range k-segment[^"]*" data-i="\d+" data-view="{re.escape(view)}">'
                       r"<title>([^<]*)</title>", svg)
    drawn = sorted(tuple(int(v, 16) for v in re.match(r"[^\n]*\n0x([0-9a-f]+) \.\. 0x([0-9a-f]+)", t).groups())
                   for t in boxes)
    want = sorted((a, a + n) for a, n in segments)
    assert drawn == want
