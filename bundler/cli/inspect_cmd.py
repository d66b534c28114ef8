"""Show what an ELF file holds: segments, embedded images, resource tables.

For a remote ELF: its segments and its resource table, every entry decoded
with its fields by name. For a host: also every image it carries or declares
(stem, address, size, CRC-32, where it came from, its descriptor) and each
embedded ELF's segments and resource table. A broken table is shown as far as
it is valid, with the reason. --json prints the report (docs/json.md).

examples:
  bundle inspect build/remote.elf
  bundle inspect build/combined.elf --json
  bundle inspect linux.itb                 (a FIT, on its own or inside a bundle: docs/fit.md)
"""

from __future__ import annotations

import json

from bundler import api
from bundler.fit import report as fit_inspect


def add_arguments(parser) -> None:
    parser.add_argument("elf", metavar="ELF", help="a host, bundled host or remote ELF (a Qualcomm split image: the .mdt, its .bNN parts beside it), or a FIT (.itb)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (docs/json.md)")


def run(args) -> int:
    report = api.inspect(args.elf)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print("\n".join(render(report)))
    return 0


def render(report: dict, indent: str = "") -> list[str]:
    if "elf" not in report:                     # a FIT on its own
        return fit_inspect.render(report["fit"], indent)
    lines = []
    e = report["elf"]
    machine = e["machine"] or f"machine {e['e_machine']}"
    lines.append(f"{indent}ELF{e['class']} {e['byte_order']}-endian {machine}, {e['type'] or e['e_type']}, "
                 f"entry {e['e_entry']:#x}")
    lines.append(f"{indent}segments:")
    lines.append(f"{indent}  {'#':>2} {'type':<16} {'flg':<3} {'offset':>10} {'VMA':>18} {'LMA':>18} "
                 f"{'filesz':>10} {'memsz':>10} {'align':>8}")
    for s in report["segments"]:
        kind = s["type"] or f"{s['p_type']:#x}"
        lines.append(f"{indent}  {s['index']:>2} {kind:<16} {s['flags']:<3} {s['p_offset']:>#10x} "
                     f"{s['p_vaddr']:>#18x} {s['p_paddr']:>#18x} {s['p_filesz']:>#10x} {s['p_memsz']:>#10x} "
                     f"{s['p_align']:>#8x}")
    images = report.get("images")
    if images:
        lines.append(f"{indent}images:")
        for img in images:
            lines.extend(render_image(img, indent + "  "))
    table = report["resource_table"]
    if table is None:
        lines.append(f"{indent}resource table: none")
    else:
        lines.extend(render_table(table, indent))
    for note in report.get("notes", []):
        lines.append(f"{indent}note: {note}")
    return lines


def render_image(img: dict, indent: str) -> list[str]:
    head = f"{indent}{img['stem']}: {img['flow']}"
    if img["placed"]:
        head += f" ({img['placed']})"
    lines = [head]
    if img["address"] is not None:
        where = f"{indent}  {img['address']:#x}, {img['size']} bytes"
        if img["lma"] is not None and img["lma"] != img["address"]:
            where += f", LMA {img['lma']:#x}"
        if img["section"]:
            where += f", section {img['section']}"
        if img["segment"] is not None:
            where += f", segment {img['segment']}"
        lines.append(where)
    if img["crc32"] is not None:
        lines.append(f"{indent}  crc32 {img['crc32']:#010x}, sha256 {img['sha256']}")
    d = img["descriptor"]
    if d is not None:
        lines.append(f"{indent}  descriptor at {d['address']:#x}: flags {d['flags']:#x}, crc32 {d['crc32']:#010x}, "
                     f"base {d['base']:#x}, size {d['size']}, start {d['start']:#x}, end {d['end']:#x}")
    else:
        lines.append(f"{indent}  no descriptor")
    sig = img.get("signature")
    if sig is not None:
        if sig["key_id"] is None:
            lines.append(f"{indent}  signed: {sig['state']}")
        else:
            lines.append(f"{indent}  signed by key id {sig['key_id']}, security counter {sig['security_counter']}, "
                         f"version {sig['version']} ({sig['size']}-byte manifest): {sig['state']}"
                         + (f" [{', '.join(sig['codes'])}]" if sig["codes"] else ""))
    if img["error"]:
        lines.append(f"{indent}  {img['error']}")
    if img["image"] is not None:
        lines.extend(render(img["image"], indent + "  "))
    if img.get("fit") is not None:
        lines.extend(fit_inspect.render(img["fit"], indent + "  "))
    return lines


def render_table(t: dict, indent: str) -> list[str]:
    h = t["header"]
    state = "valid" if t["valid"] else "INVALID"
    lines = [f"{indent}resource table: {t['section']} at {t['sh_addr']:#x}, {t['size']} bytes, {state}"]
    if h is not None:
        lines.append(f"{indent}  ver {h['ver']}, num {h['num']}, reserved {h['reserved'][0]:#x} "
                     f"{h['reserved'][1]:#x}, offsets {', '.join(f'{o:#x}' for o in h['offset']) or '-'}")
    for e in t["entries"]:
        lines.append(f"{indent}  [{e['index']}] +{e['offset']:#x} {render_entry(e)}")
        for v, ring in enumerate(e.get("vrings", [])):
            lines.append(f"{indent}      vring {v}: da {ring['da']:#x}, align {ring['align']:#x}, num {ring['num']}, "
                         f"notifyid {ring['notifyid']}, pa {ring['pa']:#x}")
    for p in t["problems"]:
        lines.append(f"{indent}  {p['severity']}: {p['message']} [{p['code']}]")
    return lines


def render_entry(e: dict) -> str:
    kind = e.get("kind")
    if kind is None:
        return "(outside the table)"
    if kind in ("carveout", "devmem", "trace"):
        text = f"{kind}: " + ", ".join(f"{f} {e[f]:#x}" for f in ("da", "pa", "len", "flags") if f in e)
        if "name" in e:
            text += f", name \"{e['name']}\""
        return text + (", truncated" if e.get("truncated") else "")
    if kind == "vdev":
        if "id" not in e:
            return "vdev, truncated"
        text = (f"vdev: id {e['id']}, notifyid {e['notifyid']}, dfeatures {e['dfeatures']:#x}, "
                f"gfeatures {e['gfeatures']:#x}, config_len {e['config_len']}, status {e['status']:#x}, "
                f"num_of_vrings {e['num_of_vrings']}")
        return text + (", truncated" if e.get("truncated") else "")
    if kind == "unknown":                       # as Linux prints it when it skips the entry
        kind = f"unsupported resource {e['type']} (Linux skips it)"
    else:
        kind = f"{kind} (type {e['type']})"
    return f"{kind}: {len(e['raw']) // 2} bytes {e['raw'][:64]}{'...' if len(e['raw']) > 64 else ''}"
