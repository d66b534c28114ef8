"""``bundle map`` of a FIT built by the real mkimage: on its own, and carried by a bundle,
the kernel, device tree and ramdisk drawn at their load addresses; a piece outside the
memory given is drawn in red with verify's words."""

from __future__ import annotations

import re

import pytest

import bundler
from bundler.cli import main
from tests.support.map_pictures import GOLDEN, compare
from tests.support.fit import build_fit, sample_spec
from tests.support.paths import SAMPLES
from tests.support.tools import need_tool

pytestmark = pytest.mark.toolchain


@pytest.fixture(scope="module")
def itb(tmp_path_factory):
    need_tool("mkimage")
    # uncompressed, so the sizes drawn do not move with the zlib that built it
    return build_fit(sample_spec(compression="none"), tmp_path_factory.mktemp("fit"))


def pieces(text: str, view: str) -> dict[str, tuple[int, int]]:
    found = re.findall(rf'<g class="range k-(kernel|fdt|ramdisk)[^"]*" data-i="\d+" data-view="{view}">'
                       r"<title>([^ ]+) [^\n]*\n0x([0-9a-f]+) \.\. 0x([0-9a-f]+)", text)
    return {name: (int(a, 16), int(b, 16) - int(a, 16)) for _, name, a, b in found}


def test_fit_alone(itb, tmp_path, update_golden):
    out = tmp_path / "fit.svg"
    assert main(["map", str(itb), "-o", str(out), "--memory", "0x48000000:0x2000000:ddr"]) == 0
    text = out.read_text()
    fit = bundler.inspect(itb)["fit"]
    want = {i["name"]: (i["load"], i["load_size"] if i["load_size"] is not None else i["data"]["size"])
            for i in fit["images"]}
    assert pieces(text, "fit") == want
    assert "[fit-load-outside]" in text and " sev-error\"" in text       # the ramdisk at 0x4b000000: outside ddr
    compare(text.replace(itb.name, "linux.itb"), GOLDEN / "fit-alone.svg", update_golden)


def test_fit_in_a_bundle(itb, tmp_path):
    combined = tmp_path / "combined.elf"
    bundler.bundle(SAMPLES / "aarch64-amp" / "prebuilt" / "host.elf", [itb], combined, names=["linux_itb"])
    text = bundler.draw_map(combined, format="html")
    assert set(pieces(text, "fit:linux_itb")) == {"kernel-1", "fdt-1", "ramdisk-1"}
    assert re.search(r'data-view="host"><title>linux_itb \(image\)', text)
