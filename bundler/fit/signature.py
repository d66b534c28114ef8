"""U-Boot FIT configuration signatures (doc/usage/fit/signature.rst): what each
signature node covers, and whether it verifies with a given RSA key.

Owns the signature rules, the same as the kit's remote_fw_fit_sig.c (docs/kit.md,
"Signed FITs"): the node list is rebuilt from the configuration's own image
references (root, the configuration, each image with its hash*, cipher and
dm-verity subnodes), never read from ``hashed-nodes``; the bytes hashed are
the regions U-Boot's ``fdt_find_regions`` picks from the structure block, then
the first ``hashed-strings`` bytes of the strings block. Each published bypass
layout is refused with its own reason (``refusal``), named as the kit's code:

    EFITSIGCONF  CVE-2020-10648: hashed-nodes names another configuration
    EFITLAYOUT   CVE-2021-27097: blocks overlap, bytes after FDT_END, a root
                 with a name, hashed-strings not the strings block's start
    EFITUNIT     CVE-2021-27138: '@' in a node name on the signed path
    EFITNODES    the 2026 issue: hashed-nodes differs from the rebuilt list

The tree is read with :mod:`bundler.fit.fdt` (which already refuses '/' in
names and duplicate siblings); the RSA check is the caller's (bundler.checks.fit passes
:mod:`bundler.adapters.crypto`'s), so this module stays in the formats layer.
"""

from __future__ import annotations

import hashlib
import struct

from bundler.fit.fdt import Fdt, FdtNode
from bundler.records import Factory, Record

ALGOS = {"sha256,rsa2048": 2048, "sha256,rsa3072": 3072, "sha256,rsa4096": 4096}
PADDINGS = {None: False, "pkcs-1.5": False, "pss": True}        # -> is PSS
NOT_IMAGE_REFS = ("description", "compatible", "default")
DATA_PROPS = ("data", "data-size", "data-position", "data-offset")

REASONS = {
    "EFITUNSIGNED": "the configuration has no signature node",
    "EFITSIG": "no signature of the configuration verifies with a given key",
    "EFITSIGALGO": "signature algo, padding or value not sha256,rsa2048/3072/4096 with pkcs-1.5 or pss",
    "EFITSIGHASH": "a signed image has no sha256 hash node (crc32 and sha1 can be forged)",
    "EFITSIGCONF": "the signature was made for another configuration (CVE-2020-10648)",
    "EFITLAYOUT": "a tree layout a signature cannot cover (CVE-2021-27097)",
    "EFITUNIT": "a unit address '@' in a node name on the signed path (CVE-2021-27138)",
    "EFITNODES": "hashed-nodes is not the configuration's node list (the 2026 hashed-nodes issue)",
}


class SigRefused(Exception):
    """A signature layout the kit refuses: ``code`` (the kit's REMOTE_FW_ name without the prefix) and why."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{REASONS[code]}: {detail}")
        self.code, self.detail = code, detail


class SignatureNode(Record):
    """One ``signature*`` node of a configuration, and what became of it."""

    config: str
    name: str
    algo: str | None
    padding: str | None
    key_name_hint: str | None
    hashed_nodes: list | None            # as the signer wrote it (never trusted)
    signed_nodes: list = Factory(list)   # the list rebuilt from the configuration
    refusal: str | None = None           # EFIT... code when the layout is refused
    refusal_text: str | None = None
    valid: bool | None = None            # None: not checked (no keys, or refused)
    key: str | None = None               # the key (its label) it verified with

    def to_dict(self) -> dict:
        return {"name": self.name, "algo": self.algo, "padding": self.padding,
                "key_name_hint": self.key_name_hint, "hashed_nodes": self.hashed_nodes,
                "signed_nodes": list(self.signed_nodes), "refusal": self.refusal,
                "refusal_text": self.refusal_text, "valid": self.valid, "key": self.key}


def _prop_str(node: FdtNode, name: str) -> str | None:
    p = node.find_property(name)
    return p.as_string() if p is not None and p.is_one_string() else None


# ---- layout (CVE-2021-27097) -----------------------------------------------------------

def _check_layout(data, fdt: Fdt) -> None:
    h = fdt.header
    blocks = [("header", 0, 40), ("memory reservation map", h.off_mem_rsvmap, 16 * (len(fdt.reserved) + 1)),
              ("structure block", h.off_dt_struct, h.size_dt_struct),
              ("strings block", h.off_dt_strings, h.size_dt_strings)]
    for i, (a, sa, na) in enumerate(blocks):
        for b, sb, nb in blocks[i + 1:]:
            if na and nb and sa < sb + nb and sb < sa + na:
                raise SigRefused("EFITLAYOUT", f"the {a} [{sa:#x}, {sa + na:#x}) overlaps the {b} "
                                               f"[{sb:#x}, {sb + nb:#x})")
    end = h.off_dt_struct + h.size_dt_struct
    if fdt.end_offset + 4 != end:
        raise SigRefused("EFITLAYOUT", f"{end - fdt.end_offset - 4} bytes after FDT_END at "
                                       f"{fdt.end_offset:#x} inside the structure block")
    if data[fdt.root.offset + 4] != 0:
        raise SigRefused("EFITLAYOUT", f"the root node at {fdt.root.offset:#x} has a name")


# ---- the node list, rebuilt (the 2026 fix) and checked for unit addresses ---------------

def _plain_children(node: FdtNode) -> None:
    for c in node.children:
        if "@" in c.name:
            raise SigRefused("EFITUNIT", f"node {c.path} at {c.offset:#x}")


def signed_nodes(fdt: Fdt, conf: FdtNode) -> list[FdtNode]:
    """The nodes a signature of ``conf`` covers, in the order U-Boot lists them."""
    root = fdt.root
    images, confs = root.find_child("images"), root.find_child("configurations")
    for n in (root, images, confs, conf):
        if n is not None:
            _plain_children(n)
    out = [root, conf]
    n_images = 0
    for prop in conf.iter_properties():
        if prop.name in NOT_IMAGE_REFS or not prop.value or prop.value[-1] != 0:
            continue
        for ref in prop.value[:-1].split(b"\0"):
            img = next((c for c in images.children if c.name.encode() == ref), None) if images else None
            if img is None:
                continue
            n_images += 1
            if img in out:
                continue
            _plain_children(img)
            out.append(img)
            strong = False
            for c in img.children:
                if c.name.startswith("hash"):
                    strong |= _prop_str(c, "algo") == "sha256"
                elif c.name not in ("cipher", "dm-verity"):
                    continue
                out.append(c)
            if not strong:
                raise SigRefused("EFITSIGHASH", f"image {img.path} at {img.offset:#x}")
    if not n_images:
        raise SigRefused("EFITNODES", f"configuration {conf.path} names no image")
    return out


def _check_hashed_nodes(sig: FdtNode, nodes: list[FdtNode]) -> list[str] | None:
    prop = sig.find_property("hashed-nodes")
    if prop is None:
        return None
    if not prop.value or prop.value[-1] != 0:
        raise SigRefused("EFITNODES", f"{sig.path}/hashed-nodes is no string list")
    declared = prop.value[:-1].decode(errors="replace").split("\0")
    paths = {n.path for n in nodes}
    conf_path = nodes[1].path
    for p in declared:
        if p not in paths:
            parts = p.split("/")
            if len(parts) == 3 and parts[1] == "configurations" and parts[2]:
                raise SigRefused("EFITSIGCONF", f"{sig.path} lists {p}, the configuration booted is {conf_path}")
            raise SigRefused("EFITNODES", f"{sig.path} lists {p}, which {conf_path} does not reference")
    if conf_path not in declared:
        raise SigRefused("EFITSIGCONF", f"{sig.path}'s hashed-nodes does not list {conf_path}")
    missing = [p for p in sorted(paths) if p not in declared]
    if missing:
        raise SigRefused("EFITNODES", f"{sig.path}'s hashed-nodes leaves out {', '.join(missing)}")
    return declared


# ---- the regions (fdt_find_regions' walk) ---------------------------------------------

def _tokens(data, fdt: Fdt):
    """(kind, node, start, end) of every structure token in blob order, NOPs included."""
    seq = []

    def walk(node: FdtNode):
        name_len = bytes(data[node.offset + 4:node.offset + 4 + 256]).index(0)   # the reader checked it
        seq.append(("begin", node, node.offset, node.offset + 4 + ((name_len + 1 + 3) & ~3)))
        for p in node.iter_properties():
            seq.append(("prop", p, p.offset - 12, (p.offset + len(p.value) + 3) & ~3))
        for c in node.children:
            walk(c)
        seq.append(("end", node, node.end_offset, node.end_offset + 4))

    walk(fdt.root)
    seq.append(("fdt_end", None, fdt.end_offset, fdt.end_offset + 4))
    pos = fdt.header.off_dt_struct
    for kind, obj, start, end in seq:
        while pos < start:              # the reader accepted only FDT_NOP tokens in between
            yield "nop", None, pos, pos + 4
            pos += 4
        yield kind, obj, start, end
        pos = end


def covered_bytes(data, fdt: Fdt, nodes: list[FdtNode], strings_size: int) -> bytes:
    """The bytes U-Boot hashes for a configuration signature over ``nodes``."""
    return b"".join(bytes(data[a:b]) for a, b in covered_regions(data, fdt, nodes, strings_size))


def covered_regions(data, fdt: Fdt, nodes: list[FdtNode], strings_size: int) -> list[tuple[int, int]]:
    """[start, end) blob offsets of what a configuration signature over ``nodes`` hashes, in order:
    the structure regions fdt_find_regions picks, then the signed strings."""
    h = fdt.header
    listed = {n.offset for n in nodes}
    regions, stack = [], []
    want, start, seen_root = 0, None, False
    for kind, obj, off, nxt in _tokens(data, fdt):
        stop = nxt
        if kind == "prop":
            include = want >= 2 and obj.name not in DATA_PROPS
            stop = off
            nameoff = struct.unpack_from(">I", data, off + 8)[0]
            if include and nameoff + len(obj.name.encode()) + 1 > strings_size:
                raise SigRefused("EFITLAYOUT", f"the name of {obj.node_path}/{obj.name} (nameoff {nameoff:#x}) "
                                               f"lies outside the {strings_size} signed bytes of strings")
        elif kind == "nop":
            if seen_root and not stack:
                raise SigRefused("EFITLAYOUT", f"an FDT_NOP at {off:#x} after the root node's end")
            include = want >= 2
            stop = off
        elif kind == "begin":
            seen_root = True
            stack.append(want)
            if want == 1:
                stop = off
            if obj.offset in listed:
                want = 2
            elif want:
                want -= 1
            else:
                stop = off
            include = want != 0
        elif kind == "end":
            include = want != 0
            want = stack.pop()
        else:
            include = True
        if include and start is None:
            start = off
        if not include and start is not None:
            regions.append((start, stop))
            start = None
    regions.append((start, fdt.end_offset + 4))
    return regions + [(h.off_dt_strings, h.off_dt_strings + strings_size)]


def _strings_size(fdt: Fdt, sig: FdtNode) -> int:
    p = sig.find_property("hashed-strings")
    if p is None or len(p.value) < 8:
        raise SigRefused("EFITLAYOUT", f"{sig.path} has no hashed-strings <0 size>")
    off, size = struct.unpack_from(">II", p.value)
    if off != 0 or size > fdt.header.size_dt_strings:
        raise SigRefused("EFITLAYOUT", f"{sig.path}/hashed-strings <{off:#x} {size:#x}> is not a start of the "
                                       f"{fdt.header.size_dt_strings}-byte strings block")
    return size


# ---- per configuration -----------------------------------------------------------------

def check_config(data, fdt: Fdt, conf: FdtNode, keys=(), verify=None) -> list[SignatureNode]:
    """Every signature node of ``conf``, each with its refusal or (with keys) its verdict.

    ``keys`` have ``bits`` and ``label``; ``verify(key, signature, digest, pss) -> bool`` is the RSA
    check (bundler.adapters.crypto.rsa_verify_sha256: the caller's layer brings it). Raises
    SigRefused for what refuses the configuration as a whole (layout, unit addresses, an image
    without sha256); an unsigned configuration gives [].
    """
    _check_layout(data, fdt)
    nodes = signed_nodes(fdt, conf)
    out = []
    for sig in conf.children:
        if not sig.name.startswith("signature"):
            continue
        hint_prop = sig.find_property("key-name-hint")
        sn = SignatureNode(conf.name, sig.name, _prop_str(sig, "algo"), _prop_str(sig, "padding"),
                           hint_prop.as_string() if hint_prop is not None and hint_prop.is_one_string() else None,
                           None, [n.path for n in nodes])
        out.append(sn)
        try:
            sn.hashed_nodes = _check_hashed_nodes(sig, nodes)
            strings_size = _strings_size(fdt, sig)
            value = sig.find_property("value")
            bits = ALGOS.get(sn.algo)
            if bits is None or sn.padding not in PADDINGS or value is None or len(value.value) != bits // 8:
                raise SigRefused("EFITSIGALGO", f"{sig.path}: algo {sn.algo}, padding {sn.padding}, value "
                                                f"{None if value is None else len(value.value)} bytes")
            digest = hashlib.sha256(covered_bytes(data, fdt, nodes, strings_size)).digest()
        except SigRefused as exc:
            sn.refusal, sn.refusal_text = exc.code, str(exc)
            if exc.code != "EFITSIGALGO":
                raise
            continue
        if keys:
            sn.valid = False
            for key in keys:
                if key.bits == bits and verify(key, value.value, digest, PADDINGS[sn.padding]):
                    sn.valid, sn.key = True, key.label
                    break
            if sn.valid:
                break           # as the kit (and U-Boot): the first node that verifies ends the check
    return out


def describe(data, fdt: Fdt, conf: FdtNode, keys=(), verify=None) -> tuple[list[SignatureNode], str | None,
                                                                          str | None]:
    """(signature nodes, refusal code, its text) of one configuration; never raises SigRefused."""
    try:
        sigs = check_config(data, fdt, conf, keys, verify)
    except SigRefused as exc:
        sigs = [SignatureNode(conf.name, s.name, _prop_str(s, "algo"), _prop_str(s, "padding"),
                              _prop_str(s, "key-name-hint"), None)
                for s in conf.children if s.name.startswith("signature")]
        return sigs, exc.code, str(exc)
    if not sigs:
        return sigs, "EFITUNSIGNED", REASONS["EFITUNSIGNED"]
    if keys and not any(s.valid for s in sigs):
        usable = [s for s in sigs if s.refusal is None]
        code = "EFITSIG" if usable else "EFITSIGALGO"
        return sigs, code, REASONS[code]
    return sigs, None, None

