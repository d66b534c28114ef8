"""Flat Image Tree (FIT, ``mkimage -f``) model: images, hashes, configurations, kernel header.

Owns what a FIT means on top of :mod:`bundler.fit.fdt` (which owns the blob's
validity): ``parse_fit(data)`` reads ``/images`` and ``/configurations`` of
the FIT at the start of ``data`` and returns a :class:`Fit`. Each image's data
is located as U-Boot does (``fit_image_get_data_and_size``): ``data-position``
(from the FIT's start), else ``data-offset`` (from the 4-aligned end of the
tree, as ``mkimage -E`` writes it), else the embedded ``data`` property; each
hash node is computed and compared; a gzip image's loaded size is taken from
its trailer (ISIZE); an arm64 kernel's Image header is decoded.

Never raises for a problem inside one image or configuration: the problem is
kept on the model (``error``, ``FitHash.ok``) for ``inspect`` to show and
:mod:`bundler.checks.fit` to turn into findings. Raises ``BadInputError`` only
when the blob is no valid device tree or has no ``/images`` node.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

from bundler.errors import BadInputError
from bundler.fit import signature
from bundler.fit.fdt import Fdt, FdtNode, is_fdt, parse_fdt
from bundler.records import Factory, Record

IMAGES, CONFIGURATIONS = "images", "configurations"     # children of the root, by exact name (as the kit)

# U-Boot's names (boot/image.c uimage_* tables, short names): what mkimage accepts
KNOWN_TYPES = frozenset((
    "aisimage", "atmelimage", "copro", "filesystem", "firmware", "firmware_ivt", "flat_dt", "fpga", "gpimage",
    "imx8image", "imx8mimage", "imximage", "kernel", "kernel_noload", "kwbimage", "lpc32xximage", "multi",
    "mtk_image", "mxsimage", "omapimage", "pblimage", "pmmc", "ramdisk", "rkimage", "rksd", "rkspi", "script",
    "socfpgaimage", "socfpgaimage_v1", "standalone", "stm32image", "sunxi_egon", "sunxi_toc0", "tee",
    "ublimage", "vybridimage", "x86_setup", "zynqimage", "zynqmpbif", "zynqmpimage", "loadable", "invalid"))
KNOWN_ARCHES = frozenset((
    "alpha", "arc", "arm", "arm64", "avr32", "blackfin", "ia64", "invalid", "m68k", "microblaze", "mips",
    "mips64", "nds32", "nios2", "or1k", "powerpc", "ppc", "riscv", "s390", "sandbox", "sh", "sparc", "sparc64",
    "x86", "x86_64", "xtensa"))
KNOWN_OS = frozenset((
    "4_4bsd", "arm-trusted-firmware", "artos", "dell", "efi", "esix", "freebsd", "integrity", "irix", "linux",
    "lynxos", "ncr", "netbsd", "openbsd", "openrtos", "opensbi", "ose", "plan9", "psos", "qnx", "rtems", "sco",
    "solaris", "svr4", "tee", "u-boot", "vxworks", "elf", "invalid"))
COMPRESSIONS = ("none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd")
DECOMPRESSED_BY_KIT = ("none", "gzip")        # what remote_fw_fit_load must handle (the kit contract)

# algo -> (digest size, function of bytes -> digest bytes)
HASH_ALGOS = {
    "crc32": (4, lambda b: struct.pack(">I", zlib.crc32(b) & 0xFFFFFFFF)),
    "md5": (16, lambda b: hashlib.md5(b).digest()),
    "sha1": (20, lambda b: hashlib.sha1(b).digest()),
    "sha256": (32, lambda b: hashlib.sha256(b).digest()),
    "sha384": (48, lambda b: hashlib.sha384(b).digest()),
    "sha512": (64, lambda b: hashlib.sha512(b).digest()),
}

EMBEDDED, DATA_OFFSET, DATA_POSITION = "embedded", "data-offset", "data-position"

# Linux Documentation/arch/arm64/booting.rst: the 64-byte Image header, little-endian
ARM64_HEADER = struct.Struct("<IIQQQQQQII")
ARM64_MAGIC = 0x644D5241               # "ARM\x64"
ARM64_ALIGN = 2 << 20                  # the Image's base (load - text_offset) is 2 MiB aligned
ARM64_OLD_TEXT_OFFSET = 0x80000        # text_offset to assume when image_size is 0 (kernels before 3.17)
ARM64_PAGE_SIZES = {0: None, 1: 4 << 10, 2: 16 << 10, 3: 64 << 10}
GZIP_MAGIC = b"\x1f\x8b\x08"


class ArmImageHeader(Record):
    """The arm64 kernel Image header, spec field names, plus the decoded ``flags``."""

    code0: int
    code1: int
    text_offset: int
    image_size: int
    flags: int
    res2: int
    res3: int
    res4: int
    magic: int
    res5: int

    @property
    def magic_ok(self) -> bool:
        return self.magic == ARM64_MAGIC

    @property
    def big_endian(self) -> bool:
        return bool(self.flags & 1)

    @property
    def page_size(self) -> int | None:
        """Kernel page size from flags bits 1-2 (None: unspecified)."""
        return ARM64_PAGE_SIZES[(self.flags >> 1) & 3]

    @property
    def phys_base_anywhere(self) -> bool:
        """flags bit 3: the 2 MiB-aligned base may be anywhere in memory (else near the start of DRAM)."""
        return bool(self.flags & 8)

    def to_dict(self) -> dict:
        return {"text_offset": self.text_offset, "image_size": self.image_size, "flags": self.flags,
                "magic": self.magic, "magic_ok": self.magic_ok, "big_endian": self.big_endian,
                "page_size": self.page_size, "phys_base_anywhere": self.phys_base_anywhere}


class FitHash(Record):
    """One ``hash*`` subnode of an image: what it says and what the data gives."""

    name: str
    algo: str | None
    value: bytes | None            # the node's ``value``
    computed: bytes | None = None  # None when the algorithm is unknown or the data unreachable
    error: str | None = None       # why it cannot be checked, if it cannot

    @property
    def ok(self) -> bool | None:
        """True/False once checked; None when it could not be checked."""
        if self.computed is None or self.value is None or self.error is not None:
            return None
        return self.computed == self.value

    def to_dict(self) -> dict:
        return {"name": self.name, "algo": self.algo, "value": self.value.hex() if self.value is not None else None,
                "computed": self.computed.hex() if self.computed is not None else None, "ok": self.ok,
                "error": self.error}


class FitImage(Record):
    """One ``/images`` subnode."""

    name: str
    description: str | None = None
    type: str | None = None
    arch: str | None = None
    os: str | None = None
    compression: str | None = None
    load: int | None = None
    entry: int | None = None
    data_layout: str | None = None        # EMBEDDED, DATA_OFFSET or DATA_POSITION
    data_start: int | None = None         # offset of the data's first byte in the FIT buffer
    data_size: int | None = None          # bytes as stored (compressed)
    load_size: int | None = None          # bytes once loaded: data_size for none, ISIZE for gzip, else None
    hashes: list = Factory(list)          # FitHash
    signatures: list = Factory(list)      # names of signature* subnodes (not checked)
    kernel_header: ArmImageHeader | None = None
    kernel_header_error: str | None = None
    error: str | None = None              # the image's data cannot be located, or load is malformed
    property_errors: dict = Factory(dict)  # type/arch/os/compression/entry -> why it is malformed (then None)

    @property
    def data_end(self) -> int | None:
        return None if self.data_start is None else self.data_start + self.data_size

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "type": self.type, "arch": self.arch,
                "os": self.os, "compression": self.compression, "load": self.load, "entry": self.entry,
                "data": {"layout": self.data_layout, "offset": self.data_start, "size": self.data_size},
                "load_size": self.load_size, "hashes": [h.to_dict() for h in self.hashes],
                "signatures": list(self.signatures),
                "kernel_header": self.kernel_header.to_dict() if self.kernel_header is not None else None,
                "kernel_header_error": self.kernel_header_error, "error": self.error,
                "property_errors": dict(self.property_errors)}


class FitConfig(Record):
    """One ``/configurations`` subnode: the images it names (not yet resolved)."""

    name: str
    description: str | None = None
    kernel: str | None = None
    fdt: list = Factory(list)
    ramdisk: str | None = None
    loadables: list = Factory(list)
    firmware: str | None = None
    compatible: list = Factory(list)
    error: str | None = None
    signatures: list = Factory(list)          # bundler.fit.signature.SignatureNode, not verified
    signature_refusal: str | None = None      # the kit's EFIT... code refusing it with keys, if any
    signature_refusal_text: str | None = None

    def iter_pieces(self):
        """(role, image name) for everything this configuration loads, kernel first."""
        if self.kernel is not None:
            yield "kernel", self.kernel
        if self.firmware is not None:
            yield "firmware", self.firmware
        for name in self.fdt:
            yield "fdt", name
        if self.ramdisk is not None:
            yield "ramdisk", self.ramdisk
        for name in self.loadables:
            yield "loadables", name

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "kernel": self.kernel, "fdt": list(self.fdt),
                "ramdisk": self.ramdisk, "loadables": list(self.loadables), "firmware": self.firmware,
                "compatible": list(self.compatible), "error": self.error,
                "signatures": [s.to_dict() for s in self.signatures],
                "signature_refusal": self.signature_refusal,
                "signature_refusal_text": self.signature_refusal_text}


class Fit(Record):
    fdt: Fdt
    description: str | None
    timestamp: int | None
    images: list                     # FitImage, in blob order
    configurations: list             # FitConfig, in blob order
    default: str | None
    has_configurations: bool
    size: int                        # bytes the FIT spans: the tree plus any external data after it
    error: str | None = None         # a malformed property that matters (configurations' default)
    notes: list = Factory(list)      # malformed informational properties (descriptions, timestamp)

    def __repr__(self) -> str:
        return f"Fit({len(self.images)} images, {len(self.configurations)} configurations, {self.size} bytes)"

    @property
    def totalsize(self) -> int:
        return self.fdt.totalsize

    def find_image(self, name: str) -> FitImage | None:
        index = self.__dict__.get("_image_index")
        if index is None:                    # node names are unique among siblings (bundler.fit.fdt checks)
            index = self.__dict__["_image_index"] = {i.name: i for i in self.images}
        return index.get(name)

    def find_config(self, name: str) -> FitConfig | None:
        return next((c for c in self.configurations if c.name == name), None)

    def to_dict(self) -> dict:
        return {"description": self.description, "timestamp": self.timestamp, "totalsize": self.totalsize,
                "size": self.size, "default": self.default, "images": [i.to_dict() for i in self.images],
                "configurations": [c.to_dict() for c in self.configurations], "error": self.error,
                "notes": list(self.notes)}


def looks_like_fit(data) -> bool:
    """Cheap test: an FDT blob (the full check is :func:`parse_fit`)."""
    return is_fdt(data)


def parse_fit(data) -> Fit:
    """The FIT at the start of ``data`` (which includes any external data after the tree)."""
    fdt = parse_fdt(data)
    images_node = _exact_child(fdt.root, IMAGES)
    if images_node is None:
        raise BadInputError("FIT: the device tree has no /images node, so it is not a FIT",
                            hint="build the FIT with mkimage -f FILE.its")
    ext_base = (fdt.totalsize + 3) & ~3
    notes: list[str] = []
    images = [_image(data, node, ext_base, notes) for node in images_node.iter_children()]
    size = max([fdt.totalsize] + [i.data_end for i in images if i.data_layout not in (None, EMBEDDED)
                                  and i.data_end is not None and i.error is None])
    error = default = None
    description = _informational(fdt.root, "description", notes)
    timestamp = _informational(fdt.root, "timestamp", notes, "find_u32")
    configs = []
    conf_node = _exact_child(fdt.root, CONFIGURATIONS)
    if conf_node is not None:
        try:
            default = conf_node.find_string("default")
        except BadInputError as exc:
            error = exc.message
        configs = [_config(node, notes) for node in conf_node.iter_children()]
        for cfg, node in zip(configs, conf_node.iter_children()):
            cfg.signatures, cfg.signature_refusal, cfg.signature_refusal_text = \
                signature.describe(data, fdt, node)
    return Fit(fdt, description, timestamp, images, configs, default, conf_node is not None, size, error,
               notes)


def _exact_child(node: FdtNode, name: str) -> FdtNode | None:
    """A child named exactly ``name`` (not ``name@unit``: the kit and mkimage use the plain names)."""
    return next((c for c in node.children if c.name == name), None)


def _informational(node: FdtNode, name: str, notes: list, how: str = "find_string"):
    """A property no loader acts on (description, timestamp): None and a note when malformed."""
    try:
        return getattr(node, how)(name)
    except BadInputError as exc:
        notes.append(exc.message.removeprefix("FDT: "))
        return None


def _image(data, node: FdtNode, ext_base: int, notes: list) -> FitImage:
    img = FitImage(node.name)
    img.description = _informational(node, "description", notes)
    # each is kept apart: whether a malformed one matters depends on the image's role (bundler.checks.fit)
    for name, how in (("type", "find_string"), ("arch", "find_string"), ("os", "find_string"),
                      ("compression", "find_string"), ("entry", "find_int")):
        try:
            setattr(img, name, getattr(node, how)(name))
        except BadInputError as exc:
            img.property_errors[name] = exc.message.removeprefix("FDT: ")
    try:
        img.load = node.find_int("load")
        _locate(data, node, img, ext_base)
    except BadInputError as exc:
        img.error = exc.message.removeprefix("FDT: ")
    for child in node.iter_children():
        if child.name.startswith("hash"):
            img.hashes.append(_hash(child))
        elif child.name.startswith("signature"):
            img.signatures.append(child.name)
    if img.error is not None:
        for h in img.hashes:
            h.error = h.error or "the image's data cannot be read"
        return img
    payload = memoryview(data)[img.data_start:img.data_end]
    try:
        for h in img.hashes:
            if h.error is None:
                h.computed = HASH_ALGOS[h.algo][1](payload)
        _decode_payload(img, payload)
    finally:
        payload.release()
    return img


def _locate(data, node: FdtNode, img: FitImage, ext_base: int) -> None:
    """Where the image's data is: data-position, else data-offset, else the data property."""
    position = node.find_u32("data-position")
    offset = node.find_u32("data-offset")
    if (position is not None or offset is not None) and node.has_property("data"):
        raise BadInputError(f"/images/{node.name} has both data and "
                            f"{'data-position' if position is not None else 'data-offset'}: U-Boot reads the "
                            "external data, other readers (the kit) the embedded one")
    if position is not None or offset is not None:
        img.data_layout = DATA_POSITION if position is not None else DATA_OFFSET
        start = position if position is not None else ext_base + offset
        size = node.find_u32("data-size")
        if size is None:
            raise BadInputError(f"/images/{node.name} has {img.data_layout} but no data-size")
        if start + size > len(data):
            raise BadInputError(f"/images/{node.name} data at {start:#x}, {size} bytes ({img.data_layout}), runs "
                                f"past the end of the FIT ({len(data)} bytes; {start + size - len(data)} "
                                "bytes missing)")
        img.data_start, img.data_size = start, size
        return
    prop = node.find_property("data")
    if prop is None:
        raise BadInputError(f"/images/{node.name} has no data, data-offset or data-position")
    img.data_layout, img.data_start, img.data_size = EMBEDDED, prop.offset, len(prop.value)


def _hash(node: FdtNode) -> FitHash:
    h = FitHash(node.name, None, None)
    try:
        h.algo = node.find_string("algo")
        prop = node.find_property("value")
        h.value = bytes(prop.value) if prop is not None else None
    except BadInputError as exc:
        h.error = exc.message.removeprefix("FDT: ")
        return h
    if h.algo is None:
        h.error = "no algo property"
    elif h.algo not in HASH_ALGOS:
        h.error = f"algo {h.algo!r} is not supported (known: {', '.join(HASH_ALGOS)})"
    elif h.value is None:
        h.error = "no value property (the FIT was not finished by mkimage)"
    elif len(h.value) != HASH_ALGOS[h.algo][0]:
        h.error = f"value is {len(h.value)} bytes, {h.algo} gives {HASH_ALGOS[h.algo][0]}"
    return h


def _decode_payload(img: FitImage, payload: memoryview) -> None:
    """load_size and, for an arm64 kernel, the Image header."""
    head = b""
    if img.compression in (None, "none"):
        img.load_size = img.data_size
        head = bytes(payload[:ARM64_HEADER.size])
    elif img.compression == "gzip":
        info = gzip_info(payload)
        img.load_size = info.isize
        head = info.head
        if info.error is not None:
            img.kernel_header_error = info.error
    if img.type in ("kernel", "kernel_noload") and img.arch == "arm64":
        if img.compression not in (None, "none", "gzip"):
            img.kernel_header_error = f"cannot read the Image header through {img.compression} compression"
        elif len(head) < ARM64_HEADER.size:
            img.kernel_header_error = img.kernel_header_error or \
                f"{len(head)} bytes, shorter than the 64-byte arm64 Image header"
        else:
            img.kernel_header = ArmImageHeader(*ARM64_HEADER.unpack(head))


class GzipInfo(Record):
    isize: int | None               # the trailer's ISIZE (uncompressed size mod 2**32)
    head: bytes                     # the first 64 uncompressed bytes (fewer if the stream is short/broken)
    error: str | None = None


def gzip_info(payload) -> GzipInfo:
    """A gzip member's trailer size and first bytes; never reads more than the payload."""
    n = len(payload)
    if n < 18 or bytes(payload[:3]) != GZIP_MAGIC:
        return GzipInfo(None, b"", f"not a gzip stream ({n} bytes, starts {bytes(payload[:3]).hex() or 'empty'})")
    isize = struct.unpack("<I", bytes(payload[n - 4:n]))[0]
    d = zlib.decompressobj(wbits=31)
    try:
        head = d.decompress(bytes(payload[:min(n, 1 << 16)]), ARM64_HEADER.size)
    except zlib.error as exc:
        return GzipInfo(isize, b"", f"the gzip stream is corrupt: {exc}")
    return GzipInfo(isize, head)


def gzip_check(payload, isize: int | None) -> str | None:
    """Inflate the whole stream (bounded by ISIZE + 1 bytes of output): None if sound, else why not."""
    d = zlib.decompressobj(wbits=31)
    total = 0
    limit = (isize or 0) + 1
    view = memoryview(payload)
    try:
        for pos in range(0, len(view), 1 << 20):
            chunk = view[pos:pos + (1 << 20)]
            while chunk:
                out = d.decompress(chunk, 1 << 20)
                total += len(out)
                if total > limit:
                    return f"inflates to more than the {isize} bytes its trailer (ISIZE) says"
                chunk = d.unconsumed_tail
                if d.eof:
                    break
            if d.eof:
                break
        while not d.eof:                                # output still held back by the length limit
            out = d.decompress(b"", 1 << 20)
            if not out:
                break
            total += len(out)
            if total > limit:
                return f"inflates to more than the {isize} bytes its trailer (ISIZE) says"
    except zlib.error as exc:
        return f"the gzip stream is corrupt at or before byte {total} of output: {exc}"
    if not d.eof:
        return "the gzip stream ends early (truncated)"
    if total % (1 << 32) != isize:
        return f"inflates to {total} bytes, its trailer (ISIZE) says {isize}"
    return None


def _config(node: FdtNode, notes: list) -> FitConfig:
    c = FitConfig(node.name)
    c.description = _informational(node, "description", notes)
    try:
        kernel = node.find_property("kernel")
        if kernel is not None and not kernel.is_one_string():
            raise BadInputError(f"property {node.path}/kernel at {kernel.offset:#x} is not one image name "
                                "(one NUL-terminated string)")
        c.kernel = _first(node, "kernel")
        c.fdt = node.find_strings("fdt") or []
        ramdisks = node.find_strings("ramdisk") or []
        c.ramdisk = ramdisks[0] if ramdisks else None
        for what, names in (("device trees", c.fdt), ("ramdisks", ramdisks)):
            if len(names) > 1:         # the kit places one of each (U-Boot applies further fdts as overlays)
                raise BadInputError(f"{node.path} names {len(names)} {what} "
                                    f"({', '.join(repr(n) for n in names)}): remote_fw_fit_load takes one")
        c.loadables = node.find_strings("loadables") or []
        c.firmware = _first(node, "firmware")
        c.compatible = node.find_strings("compatible") or []
    except BadInputError as exc:
        c.error = exc.message.removeprefix("FDT: ")
    return c


def _first(node: FdtNode, name: str) -> str | None:
    names = node.find_strings(name)
    return names[0] if names else None
