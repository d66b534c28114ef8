"""The offline check of a signed image (``bundle verify --key``): find its
manifest where the kit does, then judge it in the kit's order and words, one
finding code per way it can fail (docs/json.md, ``sig-*``). The kit's codes are
named in each message: what linker/remote_fw_auth.c would return. The
signature is checked with ``cryptography`` (OpenSSL), which accepts
small-order R and A where the kit refuses them (docs/kit.md "The crypto
core"): bundle never signs so, and --key keys are the user's own.
"""

from __future__ import annotations

from typing import Iterator

from bundler.elf.model import ElfFile
from bundler.findings import Finding, finding
from bundler.postlink import descriptor as desc_mod
from bundler.signing import manifest as mf
from bundler.signing.keys import key_id

L = 2**252 + 27742317777372353535851937790883648493    # the order of Ed25519's base point


def find_manifest(elf: ElfFile, descriptor, address: int, size: int) -> bytes | None:
    """The manifest bytes after the image at ``address`` as the kit reads them (post-link the
    descriptor's REMOTE_FW_F_SIGNED, pre-link a manifest header after the image; from the
    PT_LOAD file bytes), or None when unsigned."""
    if descriptor is None:
        return None
    flagged = bool(descriptor.flags & desc_mod.F_SIGNED)
    if not flagged and not descriptor.is_linked:
        return None
    at = address + (-(address + size) % mf.ALIGN) + size
    head = _read(elf, at, mf.HEADER.size)
    if not flagged and (head is None or not mf.size_of(head)):
        return None
    if head is None:
        return b""
    total = mf.size_of(head) or mf.HEADER.size
    return _read(elf, at, total) or head


def _read(elf: ElfFile, vaddr: int, n: int) -> bytes | None:
    where = elf.find_load(vaddr, n)
    return None if where is None else bytes(elf.data[where[2]:where[2] + n])


def judge(stem: str, image: bytes, manifest: bytes | None, keys: list[bytes], address: int | None = None,
          size: int | None = None) -> Iterator[Finding]:
    """A finding for each way the signed image at ``address`` fails, or sig-ok (a note) when it
    passes; ``manifest`` None: unsigned."""
    at = (stem, address, size)
    if manifest is None:
        yield finding("sig-unsigned", "is not signed (no manifest; the kit returns REMOTE_FW_EUNSIGNED)", *at)
        return
    try:
        m = mf.decode(manifest)
    except mf.ManifestError as exc:
        unsigned = exc.unsigned
        yield finding("sig-unsigned-field" if unsigned else "sig-manifest",
                      f"manifest: {exc} (REMOTE_FW_EMANIFEST)", *at)
        return
    what = f"key id {m.key_id.hex()}, security counter {m.security_counter}, version {m.version_text}"
    if int.from_bytes(m.signature[32:], "little") >= L:
        yield finding("sig-noncanonical", f"signature S is not below the group order L ({what}; "
                                          "REMOTE_FW_ESIGNATURE)", *at)
        return
    named = [k for k in keys if key_id(k) == m.key_id]
    if not named:
        yield finding("sig-unknown-key", f"signed by {what}, which is none of the {len(keys)} trusted "
                                         f"key{'' if len(keys) == 1 else 's'} (REMOTE_FW_ESIGNATURE)", *at)
        return
    if not any(_verifies(k, m.signature, m.signed) for k in named):
        yield finding("sig-bad", f"signature does not verify under the trusted key {m.key_id.hex()} "
                                 "(REMOTE_FW_ESIGNATURE)", *at)
        return
    if m.stem != stem:
        yield finding("sig-stem", f"signed for image {m.stem!r}, carried as {stem!r} (REMOTE_FW_EMISMATCH)", *at)
        return
    loaded = [sg for sg in m.segments if sg.p_memsz]
    for i, a in enumerate(loaded):
        for b in loaded[i + 1:]:
            if a.p_paddr < b.p_paddr + b.p_memsz and b.p_paddr < a.p_paddr + a.p_memsz:
                yield finding("sig-overlap", f"signed PT_LOADs at {a.p_paddr:#x} and {b.p_paddr:#x} overlap "
                                             "(REMOTE_FW_EOVERLAP)", *at)
                return
    try:
        now = mf.describe(stem, image, stem, signing=False)
    except Exception as exc:                # noqa: BLE001 - any defect of the image is the finding
        yield finding("sig-segments", f"the image is no sound ELF ({getattr(exc, 'message', exc)}; "
                                      "REMOTE_FW_EMISMATCH)", *at)
        return
    found = list(_compare(m, now, at))
    yield from found
    if not found:
        yield finding("sig-ok", f"signed, {what}", *at)


def summary(stem: str, image: bytes, manifest: bytes | None) -> dict | None:
    """What ``bundle inspect`` shows of a signed image (None when unsigned): the manifest's
    key id, counter and version, and its state without a key: "malformed", "non-canonical
    signature", "does not match the image" (with the sig-* codes) or "well-formed, matches
    the image; signature not checked (bundle verify --key)"."""
    if manifest is None:
        return None
    out = {"size": len(manifest), "key_id": None, "security_counter": None, "version": None,
           "stem": None, "state": None, "codes": []}
    try:
        m = mf.decode(manifest)
    except mf.ManifestError as exc:
        out["state"] = f"malformed manifest: {exc}"
        out["codes"] = ["sig-unsigned-field" if exc.unsigned else "sig-manifest"]
        return out
    out.update(key_id=m.key_id.hex(), security_counter=m.security_counter, version=m.version_text, stem=m.stem)
    if int.from_bytes(m.signature[32:], "little") >= L:
        out.update(state="non-canonical signature (S >= L)", codes=["sig-noncanonical"])
        return out
    try:
        found = [f.code for f in _compare(m, mf.describe(stem, image, stem, signing=False), (stem, None, None))]
    except Exception:                       # noqa: BLE001 - an unreadable image does not match
        found = ["sig-segments"]
    if m.stem != stem:
        found.insert(0, "sig-stem")
    out["codes"] = found
    out["state"] = ("does not match the image" if found else
                    "well-formed, matches the image; signature not checked (bundle verify --key)")
    return out


def _compare(m: mf.Manifest, now: mf.Manifest, at: tuple) -> Iterator[Finding]:
    """How the image (``now``) differs from what ``m`` signed; ``at`` is (stem, address, size)."""
    if now.entry != m.entry:
        yield finding("sig-entry", f"e_entry {now.entry:#x}, signed {m.entry:#x} (REMOTE_FW_EMISMATCH)", *at)
    shape = [(s.p_paddr, s.p_filesz, s.p_memsz) for s in m.segments]
    have = [(s.p_paddr, s.p_filesz, s.p_memsz) for s in now.segments]
    if len(have) != len(shape):
        yield finding("sig-segments", f"{len(have)} PT_LOADs, signed {len(shape)}: a segment was "
                                      f"{'added' if len(have) > len(shape) else 'removed'} (REMOTE_FW_EMISMATCH)",
                      *at)
    elif sorted(have) == sorted(shape) and have != shape:
        yield finding("sig-segment-order", "the PT_LOADs are the signed ones in another order "
                                           "(REMOTE_FW_EMISMATCH)", *at)
    else:
        for i, (a, b) in enumerate(zip(have, shape)):
            if a != b:
                yield finding("sig-segment", f"PT_LOAD {i} at {a[0]:#x} ({a[1]} file, {a[2]} memory bytes), "
                                             f"signed at {b[0]:#x} ({b[1]}, {b[2]} bytes) (REMOTE_FW_EMISMATCH)", *at)
        for i, (a, b) in enumerate(zip(now.segments, m.segments)):
            if (a.p_paddr, a.p_filesz, a.p_memsz) == (b.p_paddr, b.p_filesz, b.p_memsz) and a.sha256 != b.sha256:
                yield finding("sig-digest", f"PT_LOAD {i} at {a.p_paddr:#x}: {a.p_filesz} bytes whose SHA-256 is "
                                            "not the signed one (REMOTE_FW_EDIGEST: the kit erases what it loaded)",
                              *at)
    if now.rsc_sha256 != m.rsc_sha256:
        why = "is gone" if now.rsc_sha256 is None else "was added" if m.rsc_sha256 is None else "changed"
        yield finding("sig-rsc", f"the resource table {why} since signing (REMOTE_FW_EMISMATCH)", *at)


def _verifies(public: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False
