"""The HTML page: the same SVG, a table of the same ranges, and a tip with each range's details.

Everything is inline (one ``<style>``, one ``<script>``); the page fetches
nothing, so it opens from a file, an artifact store or an air-gapped lab PC.
The script only shows the tip: without it the SVG's own ``<title>`` tips and
the table still carry every detail.
"""

from __future__ import annotations

from html import escape

from bundler.memmap.layout import human_size
from bundler.memmap.model import MapModel

CSS = ("body{font-family:DejaVu Sans,Arial,sans-serif;margin:16px;color:#1f2328}"
       "h1{font-size:18px}table{border-collapse:collapse;font-family:DejaVu Sans Mono,monospace;font-size:12px;"
       "margin-top:16px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}"
       "th{background:#f6f8fa}td.n{text-align:right}tr.error td{color:#c62828}tr.hot td{background:#fff8c5}"
       ".range{cursor:default}.range:hover rect{stroke-width:3}"
       "#tip{position:fixed;display:none;pointer-events:none;background:#1f2328;color:#fff;padding:6px 8px;"
       "border-radius:4px;font:12px DejaVu Sans Mono,monospace;white-space:pre-wrap;max-width:720px;z-index:2}")

SCRIPT = """(function(){
var tip=document.getElementById('tip');
function row(i){return document.querySelector('tr[data-i="'+i+'"]');}
document.querySelectorAll('svg .range').forEach(function(g){
  var text=g.querySelector('title').textContent;
  g.addEventListener('mousemove',function(e){
    tip.textContent=text;tip.style.display='block';
    var x=e.clientX+14,y=e.clientY+14;                 /* beside the pointer, inside the window */
    tip.style.left=Math.max(0,Math.min(x,window.innerWidth-tip.offsetWidth-4))+'px';
    tip.style.top=Math.max(0,Math.min(y,window.innerHeight-tip.offsetHeight-4))+'px';
    var r=row(g.getAttribute('data-i'));if(r){r.classList.add('hot');}
  });
  g.addEventListener('mouseleave',function(){
    tip.style.display='none';
    var r=row(g.getAttribute('data-i'));if(r){r.classList.remove('hot');}
  });
});
})();"""


def _table(model: MapModel, digits: int) -> str:
    titles = {v.key: v.title for v in model.views}
    rows = ["<table id=\"ranges\"><thead><tr><th>view</th><th>name</th><th>kind</th><th>start</th>"
            "<th>end</th><th>size (bytes)</th><th>size</th><th>finding</th></tr></thead><tbody>"]
    for i, r in enumerate(model.ranges + model.unplaced):
        placed = r.address is not None
        start = f"0x{r.address:0{digits}x}" if placed else "host allocates"
        end = f"0x{r.address + r.size:0{digits}x}" if placed else "-"
        cls = f' class="{r.severity}"' if r.severity else ""
        words = "<br>".join(escape(w) for w in (r.finding or "").split("\n") if w)
        index = f' data-i="{i}"' if i < len(model.ranges) else ""
        rows.append(f"<tr{cls}{index}><td>{escape(titles.get(r.view, r.view))}</td><td>{escape(r.name)}</td>"
                    f"<td>{r.kind}</td><td>{start}</td><td>{end}</td><td class=\"n\">{r.size}</td>"
                    f"<td class=\"n\">{human_size(r.size)}</td><td>{words}</td></tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def render(model: MapModel, svg: str, digits: int = 8) -> str:
    head = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'; img-src data:">'
            f"<title>{escape(model.title)}: memory map</title><style>{CSS}</style></head>\n<body>\n"
            f"<h1>{escape(model.title)}: memory map</h1>\n")
    return (head + f'<div id="map">\n{svg}</div>\n<div id="tip"></div>\n'
            + _table(model, digits) + f"\n<script>{SCRIPT}</script>\n</body></html>\n")
