"""``bundle inspect`` of a FIT: the report dict (docs/json.md, "fit") and its text rendering.

``describe(data)`` never raises: a FIT that cannot be read gives a dict with
``error`` set and nothing else. ``render(fit_dict, indent)`` gives the text
lines ``bundle inspect`` prints, for a FIT file on its own or for a FIT
embedded in a bundle (at any depth).
"""

from __future__ import annotations

import time

from bundler.fit import model as fit_mod
from bundler.errors import BadInputError


looks_like_fit = fit_mod.looks_like_fit


def describe(data) -> dict:
    """The "fit" report of the FIT at the start of ``data``."""
    try:
        fit = fit_mod.parse_fit(data)
    except BadInputError as exc:
        return {"description": None, "timestamp": None, "totalsize": None, "size": None, "default": None,
                "images": [], "configurations": [], "error": exc.message, "notes": []}
    return fit.to_dict()


def _num(v) -> str:
    return "-" if v is None else f"{v:#x}"


def render(f: dict, indent: str = "") -> list[str]:
    if f["totalsize"] is None:
        return [f"{indent}FIT: unreadable: {f['error']}"]
    created = ""
    if f["timestamp"] is not None:
        created = ", created " + time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(f["timestamp"]))
    lines = [f"{indent}FIT: {f['description'] or '(no description)'}, tree {f['totalsize']} bytes, "
             f"{f['size']} bytes with external data, {len(f['images'])} image"
             f"{'' if len(f['images']) == 1 else 's'}{created}"]
    if f["error"]:
        lines.append(f"{indent}  error: {f['error']}")
    for note in f["notes"]:
        lines.append(f"{indent}  note: {note}")
    for img in f["images"]:
        lines.extend(_render_image(img, indent + "  "))
    lines.append(f"{indent}  default configuration: {f['default'] or '-'}")
    for c in f["configurations"]:
        parts = [f"{role} {c[role]}" for role in ("kernel", "firmware", "ramdisk") if c[role]]
        parts += [f"fdt {', '.join(c['fdt'])}"] if c["fdt"] else []
        parts += [f"loadables {', '.join(c['loadables'])}"] if c["loadables"] else []
        desc = f" ({c['description']})" if c["description"] else ""
        lines.append(f"{indent}  configuration {c['name']}{desc}: {'; '.join(parts) or 'empty'}")
        if c["error"]:
            lines.append(f"{indent}    error: {c['error']}")
        lines.extend(render_signatures(c, indent + "    "))
    return lines


def render_signatures(c: dict, indent: str) -> list[str]:
    """A configuration's signature nodes: algo, key-name-hint, the nodes signed, the verdict."""
    lines = []
    for s in c["signatures"]:
        if s["valid"] is None:
            verdict = "not checked (bundle verify --key PUB.pem checks it)"
        else:
            verdict = f"VALID (key {s['key']})" if s["valid"] else "INVALID with every --key"
        if s["refusal"]:
            verdict = f"REFUSED: {s['refusal_text']} (REMOTE_FW_{s['refusal']})"
        lines.append(f"{indent}{s['name']}: {s['algo'] or '-'}, padding {s['padding'] or 'pkcs-1.5'}, "
                     f"key-name-hint {s['key_name_hint'] or '-'}: {verdict}")
        if s["signed_nodes"]:
            lines.append(f"{indent}  signs: {' '.join(s['signed_nodes'])}")
    if not c["signatures"]:
        lines.append(f"{indent}signature: none (unsigned: refused by a kit given keys)")
    elif c["signature_refusal"] and c["signature_refusal"] not in ("EFITSIG", "EFITSIGALGO"):
        lines.append(f"{indent}signature REFUSED: {c['signature_refusal_text']} "
                     f"(REMOTE_FW_{c['signature_refusal']})")
    return lines


def _render_image(img: dict, indent: str) -> list[str]:
    lines = []
    lines.append(f"{indent}image {img['name']}: {img['type'] or '-'}, arch {img['arch'] or '-'}, "
                 f"os {img['os'] or '-'}, compression {img['compression'] or '-'}")
    if img["description"]:
        lines.append(f"{indent}  description: {img['description']}")
    d = img["data"]
    if d["offset"] is not None:
        loaded = f", {img['load_size']} bytes loaded" if img["load_size"] is not None else ""
        lines.append(f"{indent}  data: {d['size']} bytes at FIT offset {d['offset']:#x} ({d['layout']})"
                     f"{loaded}; load {_num(img['load'])}, entry {_num(img['entry'])}")
    else:
        lines.append(f"{indent}  load {_num(img['load'])}, entry {_num(img['entry'])}")
    for h in img["hashes"]:
        if h["ok"] is None:
            state = f"NOT CHECKED ({h['error']})"
        else:
            state = "ok" if h["ok"] else f"MISMATCH (computed {h['computed']})"
        lines.append(f"{indent}  {h['name']}: {h['algo'] or '-'} {h['value'] or '-'} {state}")
    for s in img["signatures"]:
        lines.append(f"{indent}  {s}: signature (not checked)")
    k = img["kernel_header"]
    if k is not None:
        page = f"{k['page_size'] // 1024} KiB pages" if k["page_size"] else "page size unspecified"
        lines.append(f"{indent}  arm64 Image: magic {k['magic']:#010x} ({'ok' if k['magic_ok'] else 'BAD'}), "
                     f"text_offset {k['text_offset']:#x}, image_size {k['image_size']:#x}, flags "
                     f"{k['flags']:#x} ({'big' if k['big_endian'] else 'little'}-endian, {page}, "
                     f"{'anywhere' if k['phys_base_anywhere'] else 'near DRAM start'})")
    elif img["kernel_header_error"]:
        lines.append(f"{indent}  arm64 Image header: {img['kernel_header_error']}")
    if img["error"]:
        lines.append(f"{indent}  error: {img['error']}")
    for name, why in img["property_errors"].items():
        lines.append(f"{indent}  malformed {name}: {why}")
    return lines
