"""The signed manifest (format version 1; docs/kit.md "The manifest").

Owns the format: :func:`describe` reads what an ELF image's manifest must say,
:func:`encode` writes and signs one, :func:`decode` reads one as strictly as
linker/remote_fw_auth.c does. All little-endian::

    header  u32 magic "RFWS"  u16 version 1  u16 header size 16
            u32 signed_size (header + signed TLVs)  u32 total_size
    TLV     u16 type  u16 length  value, zero-padded to a multiple of 4
    signed  STEM (1) KEY_ID (2, 8 bytes) SECURITY_COUNTER (3, u32)
            VERSION (4: u8 major, u8 minor, u16 revision) ENTRY (5, u64)
            RSC_TABLE (6: SHA-256, or empty: no .resource_table)
            SEGMENT (7, one per PT_LOAD in table order: u64 p_paddr,
            u64 p_filesz, u64 p_memsz, SHA-256 of its file bytes)
    then    SIGNATURE (0x80, 64 bytes: Ed25519 over bytes [0, signed_size))
"""

from __future__ import annotations

import hashlib
import struct

from bundler.elf import spec
from bundler.elf.reader import parse_elf
from bundler.errors import BadInputError, UsageError
from bundler.records import Factory, Record

MAGIC = 0x53574652          # "RFWS" read little-endian
VERSION = 1
HEADER = struct.Struct("<IHHII")
TLV = struct.Struct("<HH")
T_STEM, T_KEY_ID, T_COUNTER, T_VERSION, T_ENTRY, T_RSC_TABLE, T_SEGMENT = range(1, 8)
T_SIGNATURE = 0x80
SEGMENT = struct.Struct("<QQQ32s")
SIG_SIZE = 64
MAX_SIZE = 65536
ALIGN = 8                   # the manifest starts at the first 8-aligned address after the image
RSC_SECTION = ".resource_table"


class Segment(Record):
    p_paddr: int
    p_filesz: int
    p_memsz: int
    sha256: bytes


class Manifest(Record):
    """What a manifest says (or, from :func:`describe`, what it must say)."""

    stem: str
    entry: int
    rsc_sha256: bytes | None
    segments: list[Segment] = Factory(list)
    key_id: bytes = b""
    security_counter: int = 0
    version: tuple[int, int, int] = (0, 0, 0)
    signature: bytes = b""
    signed: bytes = b""         # the bytes the signature covers

    @property
    def version_text(self) -> str:
        return "%d.%d.%d" % self.version


def parse_version(text: str) -> tuple[int, int, int]:
    """X.Y.Z with X, Y below 256 and Z below 65536 (MCUboot's major, minor, revision)."""
    parts = str(text).split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        x, y, z = (int(p) for p in parts)
        if x < 256 and y < 256 and z < 65536:
            return x, y, z
    raise UsageError(f"version {text!r} is not X.Y.Z (X and Y 0-255, Z 0-65535)", param="version",
                     hint="for example 1.4.2")


def check_counter(n: int) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 0xFFFFFFFF:
        raise UsageError(f"security counter {n!r} is not a 32-bit unsigned number", param="security_counter",
                         hint="pass 0 to 4294967295")
    return n


def describe(stem: str, image: bytes, label: str, *, signing: bool = True) -> Manifest:
    """What the manifest of this ELF image must say (no key, counter or version yet).
    ``signing`` refuses what must not be signed (overlapping PT_LOADs); a check of an
    image against its manifest passes False and compares instead."""
    elf = parse_elf(image, what=f"remote ELF {label}")
    segments = []
    for p in elf.iter_loads():
        if p.p_offset + p.p_filesz > len(image):
            raise BadInputError(f"PT_LOAD at {p.p_paddr:#x} reaches past the end of the file "
                                f"({p.p_filesz} bytes at offset {p.p_offset:#x})", file=label, address=p.p_paddr,
                                size=p.p_filesz, hint="only a sound ELF image can be signed")
        segments.append(Segment(p_paddr=p.p_paddr, p_filesz=p.p_filesz, p_memsz=p.p_memsz,
                                sha256=hashlib.sha256(image[p.p_offset:p.p_offset + p.p_filesz]).digest()))
    if not any(s.p_memsz for s in segments):
        raise BadInputError("has no PT_LOAD segment with bytes: nothing to sign", file=label,
                            hint="sign the remote's linked ELF")
    loaded = [s for s in segments if s.p_memsz] if signing else []
    for i, a in enumerate(loaded):
        for b in loaded[i + 1:]:
            if a.p_paddr < b.p_paddr + b.p_memsz and b.p_paddr < a.p_paddr + a.p_memsz:
                raise BadInputError(f"PT_LOADs at {a.p_paddr:#x} and {b.p_paddr:#x} overlap: the kit refuses "
                                    "to load it signed", file=label, address=b.p_paddr, size=b.p_memsz,
                                    hint="relink the remote so that its segments do not overlap")
    sec = elf.find_section(RSC_SECTION)
    rsc = None
    if sec is not None and sec.hdr.sh_type != spec.SHT_NOBITS:
        rsc = hashlib.sha256(bytes(elf.section_bytes(sec))).digest()
    return Manifest(stem=stem, entry=elf.ehdr.e_entry, rsc_sha256=rsc, segments=segments)


def _tlv(kind: int, value: bytes) -> bytes:
    return TLV.pack(kind, len(value)) + value + bytes(-len(value) % 4)


def encode(m: Manifest, private_key) -> bytes:
    """The manifest's bytes, signed with ``private_key`` (a cryptography Ed25519 key)."""
    from bundler.signing.keys import key_id, raw_public
    m.key_id = key_id(raw_public(private_key))
    body = b"".join([
        _tlv(T_STEM, m.stem.encode()),
        _tlv(T_KEY_ID, m.key_id),
        _tlv(T_COUNTER, struct.pack("<I", m.security_counter)),
        _tlv(T_VERSION, struct.pack("<BBH", *m.version)),
        _tlv(T_ENTRY, struct.pack("<Q", m.entry)),
        _tlv(T_RSC_TABLE, m.rsc_sha256 or b""),
        *(_tlv(T_SEGMENT, SEGMENT.pack(s.p_paddr, s.p_filesz, s.p_memsz, s.sha256)) for s in m.segments)])
    signed_size = HEADER.size + len(body)
    total = signed_size + TLV.size + SIG_SIZE
    if total > MAX_SIZE:
        raise BadInputError(f"the manifest would be {total} bytes; the limit is {MAX_SIZE}",
                            size=total, hint="an image with fewer PT_LOADs")
    m.signed = HEADER.pack(MAGIC, VERSION, HEADER.size, signed_size, total) + body
    m.signature = private_key.sign(m.signed)
    return m.signed + _tlv(T_SIGNATURE, m.signature)


class ManifestError(ValueError):
    """The manifest is malformed; ``unsigned`` when the defect is a field outside the signature."""

    def __init__(self, message: str, unsigned: bool = False):
        super().__init__(message)
        self.unsigned = unsigned


def decode(data: bytes) -> Manifest:
    """Read a manifest as the kit does; ManifestError on any defect."""
    if len(data) < HEADER.size:
        raise ManifestError(f"{len(data)} bytes, shorter than the {HEADER.size}-byte header")
    magic, version, hsize, signed_size, total = HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION or hsize != HEADER.size:
        raise ManifestError(f"header magic {magic:#x}, version {version}, size {hsize} "
                            f"(expected {MAGIC:#x}, {VERSION}, {HEADER.size})")
    if signed_size < HEADER.size or signed_size % 4 or signed_size > MAX_SIZE - TLV.size - SIG_SIZE:
        raise ManifestError(f"signed size {signed_size} out of range")
    if total != signed_size + TLV.size + SIG_SIZE:
        raise ManifestError(f"total size {total}: {total - signed_size} bytes after the signed part, where "
                            f"only the {TLV.size + SIG_SIZE}-byte signature may be", unsigned=True)
    if len(data) < total:
        raise ManifestError(f"{len(data)} bytes, shorter than its total size {total}")
    kind, length = TLV.unpack_from(data, signed_size)
    if kind != T_SIGNATURE or length != SIG_SIZE:
        raise ManifestError(f"field {kind:#x} ({length} bytes) outside the signed part", unsigned=True)
    fields: dict[int, bytes] = {}
    segments: list[Segment] = []
    off, want = HEADER.size, T_STEM
    while off < signed_size:
        if signed_size - off < TLV.size:
            raise ManifestError(f"truncated field at offset {off}")
        kind, length = TLV.unpack_from(data, off)
        padded = (length + 3) & ~3
        if padded > signed_size - off - TLV.size:
            raise ManifestError(f"field {kind:#x} at offset {off} ({length} bytes) runs past the signed part")
        value = data[off + TLV.size:off + TLV.size + length]
        if any(data[off + TLV.size + length:off + TLV.size + padded]):
            raise ManifestError(f"field {kind:#x} at offset {off} has non-zero padding")
        if kind != min(want, T_SEGMENT):           # STEM..SEGMENT in order, then SEGMENTs only
            raise ManifestError(f"field {kind:#x} at offset {off} where field {want:#x} belongs")
        sizes = {T_KEY_ID: (8,), T_COUNTER: (4,), T_VERSION: (4,), T_ENTRY: (8,), T_RSC_TABLE: (0, 32),
                 T_SEGMENT: (SEGMENT.size,)}
        if kind in sizes and length not in sizes[kind] or kind == T_STEM and not 0 < length < 256:
            raise ManifestError(f"field {kind:#x} at offset {off} has {length} bytes")
        if kind == T_SEGMENT:
            segments.append(Segment(**dict(zip(("p_paddr", "p_filesz", "p_memsz", "sha256"),
                                                SEGMENT.unpack(value)))))
        else:
            fields[kind] = value
        off += TLV.size + padded
        want = min(want + 1, T_SEGMENT + 1)
    if not segments:
        raise ManifestError("no SEGMENT field")
    return Manifest(stem=fields[T_STEM].decode("latin-1"), entry=struct.unpack("<Q", fields[T_ENTRY])[0],
                    rsc_sha256=fields[T_RSC_TABLE] or None, segments=segments, key_id=fields[T_KEY_ID],
                    security_counter=struct.unpack("<I", fields[T_COUNTER])[0],
                    version=struct.unpack("<BBH", fields[T_VERSION]), signature=data[signed_size + TLV.size:total],
                    signed=bytes(data[:signed_size]))


def size_of(data: bytes) -> int:
    """The total size a manifest's header gives (0 when the header is not a manifest's)."""
    if len(data) < HEADER.size:
        return 0
    magic, version, hsize, _, total = HEADER.unpack_from(data)
    return total if (magic, version, hsize) == (MAGIC, VERSION, HEADER.size) and total <= MAX_SIZE else 0


def sign_image(stem: str, image: bytes, label: str, private_key, security_counter: int = 0,
               version: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    """The signed manifest of one ELF image."""
    m = describe(stem, image, label)
    m.security_counter = security_counter
    m.version = version
    return encode(m, private_key)
