"""``bundle map`` on the samples, compared byte for byte with golden pictures
(regenerate with ``pytest tests/map --update-golden``, then look at them)."""

from __future__ import annotations

import pytest

import bundler
from tests.support.map_pictures import GOLDEN, README_PICTURE, compare, draw_readme, draw_sample
from tests.support.paths import ROOT, SAMPLES
from tests.support.samples import PREBUILT


@pytest.mark.parametrize("sample", PREBUILT)
@pytest.mark.parametrize("remote", ["remote.elf", "remote-bad.elf"])
def test_sample_bundle_golden(sample, remote, tmp_path, update_golden):
    """Host, remote and board memory columns; the remote linked one page off is drawn in red."""
    text = draw_sample(sample, remote, tmp_path)
    compare(text, GOLDEN / f"{sample}-{remote[:-4]}.svg", update_golden)
    assert text == draw_sample(sample, remote, tmp_path), "two runs drew different bytes"
    for view in ("host", "remote:remote_elf", "memory"):
        assert f'<rect class="col" data-view="{view}"' in text
    if remote == "remote-bad.elf":
        assert " sev-error\"" in text and "[mem-load]" in text
    else:
        assert " sev-error\"" not in text


@pytest.mark.parametrize("sample", PREBUILT)
def test_sample_remote_alone_golden(sample, update_golden):
    """A remote's firmware on its own: device addresses, resource table entries."""
    text = bundler.draw_map(SAMPLES / sample / "prebuilt" / "remote.elf")
    compare(text, GOLDEN / f"{sample}-remote-alone.svg", update_golden)
    for kind in ("segment", "rsc_table", "carveout", "vring"):
        assert f"k-{kind}" in text


def test_html_golden(tmp_path, update_golden):
    text = draw_sample("cortex-m3", "remote-bad.elf", tmp_path, "html")
    compare(text, GOLDEN / "cortex-m3-remote-bad.html", update_golden)
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text and "src=" not in text


def test_readme_picture(tmp_path, update_golden):
    """docs/images/map-cortex-m3.svg is what bundle map draws today, and the README shows it."""
    compare(draw_readme(tmp_path), README_PICTURE, update_golden)
    assert "docs/images/map-cortex-m3.svg" in (ROOT / "README.md").read_text()
