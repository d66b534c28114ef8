"""The HTML page in a real browser: headless Chromium (Debian's ``chromium``) opens
``bundle map``'s page from a file, with the network switches off.

``--dump-dom`` gives the document after its script ran: every range's label is
in it, the table has a row per range, and the tip element is there. A screenshot
at the picture's size is read back (Pillow): each column shows the fill colours
of the ranges drawn in it, and the red of the findings shows in the remote's.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile

import pytest
from PIL import Image

import bundler
from bundler.memmap.model import build
from bundler.memmap.svg import COLOURS
from bundler.remoteproc.memory import MemoryMap, MemoryRange
from tests.support.map_pictures import bundled
from tests.support.samples import remote_memory
from tests.support.tools import need_tool

pytestmark = pytest.mark.toolchain
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
BODY_MARGIN = 16            # bundler/memmap/html.py: body{margin:16px}, the SVG at the page's left edge


def chromium(*args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="map-chromium-") as profile:
        proc = subprocess.run(["chromium", *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """(path of the HTML page, its model, its text) for the Cortex-M3 bundle carrying the misplaced remote."""
    need_tool("chromium")
    where = tmp_path_factory.mktemp("browser")
    elf = bundled("cortex-m3", "remote-bad.elf", where)
    memory = MemoryMap([MemoryRange(int(s, 16), int(n, 16), name)
                        for s, n, name in (t.split(":") for t in remote_memory("cortex-m3"))])
    out = where / "map.html"
    bundler.draw_map(elf, out, memory=memory)
    model = build(bundler.inspect(elf), elf.name, bundler.verify(elf, memory=memory).findings, memory)
    return out, model, out.read_text()


def test_dom_has_every_label(page):
    path, model, _ = page
    dom = chromium("--dump-dom", path.as_uri())
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", dom)]
    for r in model.ranges:
        assert any(re.fullmatch(rf"(\[[\d,]+\] )?{re.escape(r.name)}", t) for t in texts), r.name
        where = f"0x{r.address:08x} \u00b7 "
        assert any(t.startswith(where) for t in texts), where
    rows = re.findall(r'<tr[^>]*data-i="(\d+)"', dom)
    assert sorted(map(int, rows)) == list(range(len(model.ranges)))
    assert '<div id="tip"' in dom
    assert sum(1 for t in texts if re.match(r"\[\d+\] error: ", t)) == sum(1 for r in model.ranges if r.finding)


def test_screenshot_columns_drawn(page, tmp_path):
    path, model, text = page
    width, height = (float(v) for v in re.search(r'<svg [^>]*width="([\d.]+)" height="([\d.]+)"', text).groups())
    shot = tmp_path / "map.png"
    chromium(f"--window-size={int(width) + 2 * BODY_MARGIN},{int(height) + 200}", f"--screenshot={shot}",
             path.as_uri())
    img = Image.open(shot).convert("RGB")
    columns = re.findall(r'<rect class="col" data-view="([^"]+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', text)
    assert [c[0] for c in columns] == [v.key for v in model.views]
    for view, x, w in columns:
        x0, x1 = BODY_MARGIN + int(float(x)) + 4, BODY_MARGIN + int(float(x) + float(w)) - 4
        band = img.crop((x0, 0, x1, img.height))
        counts = dict((rgb, n) for n, rgb in band.getcolors(maxcolors=1 << 20))
        fills = {hex_rgb(COLOURS[r.kind][0]) for r in model.ranges if r.view == view and r.kind != "finding"}
        drawn = sum(counts.get(rgb, 0) for rgb in fills)
        assert drawn > 2000, f"column {view}: {drawn} pixels of its ranges' colours"
        if any(r.view == view and r.severity == "error" for r in model.ranges):
            red = sum(n for rgb, n in counts.items() if rgb[0] > 150 and rgb[1] < 90 and rgb[2] < 90)
            assert red > 200, f"column {view}: {red} red pixels"


def test_tip_follows_the_pointer(page, tmp_path):
    """The page's own script: a pointer moving over a range shows its details in the tip and
    marks its row in the table (a copy of the page dispatches the event after the script ran)."""
    path, model, text = page
    index = next(i for i, r in enumerate(model.ranges) if r.finding)
    probe = ("<script>(function(){var g=document.querySelector('svg .range[data-i=\"%d\"]');"
             "g.dispatchEvent(new MouseEvent('mousemove',{clientX:40,clientY:50,bubbles:true}));"
             "document.body.setAttribute('data-tip',document.getElementById('tip').textContent);"
             "document.body.setAttribute('data-tip-shown',document.getElementById('tip').style.display);"
             "})();</script></body>" % index)
    copy = tmp_path / "probe.html"
    copy.write_text(text.replace("</body>", probe))
    dom = chromium("--dump-dom", copy.as_uri())
    body = re.search(r'<body data-tip="([^"]*)" data-tip-shown="([^"]*)"', dom)
    assert body is not None, dom[:500]
    tip, shown = html.unescape(body.group(1)), body.group(2)
    r = model.ranges[index]
    assert shown == "block"
    assert tip.startswith(f"{r.name} ({r.kind})\n0x{r.address:08x} .. ") and r.finding.split("\n")[0] in tip
    assert re.search(rf'<tr class="error hot" data-i="{index}">', dom)


def test_rendered_labels_apart(page, tmp_path):
    """As the browser lays the text out (its font, not the layout's estimate): no two labels'
    boxes overlap, and each label inside a range stays inside that range's box."""
    path, model, text = page
    probe = """<script>(function(){
var t=[].slice.call(document.querySelectorAll('#map svg text')).map(function(e){return e.getBBox();});
var n=0;for(var i=0;i<t.length;i++){for(var j=i+1;j<t.length;j++){var a=t[i],b=t[j];
if(a.x<b.x+b.width-0.5&&b.x<a.x+a.width-0.5&&a.y<b.y+b.height-0.5&&b.y<a.y+a.height-0.5){n++;}}}
var out=0;[].slice.call(document.querySelectorAll('#map svg .range rect')).forEach(function(r){
var x=+r.getAttribute('x'),y=+r.getAttribute('y'),w=+r.getAttribute('width'),h=+r.getAttribute('height');
t.forEach(function(b){if(b.x>=x&&b.x<x+w&&b.y>=y&&b.y<y+h&&(b.x+b.width>x+w+0.5||b.y+b.height>y+h+0.5)){out++;}});});
document.body.setAttribute('data-labels',t.length+' '+n+' '+out);})();</script></body>"""
    copy = tmp_path / "probe.html"
    copy.write_text(text.replace("</body>", probe))
    dom = chromium("--dump-dom", copy.as_uri())
    labels, overlapping, outside = map(int, re.search(r'data-labels="(\d+) (\d+) (\d+)"', dom).groups())
    assert labels > 50
    assert (overlapping, outside) == (0, 0)
