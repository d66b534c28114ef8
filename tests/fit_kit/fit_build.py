"""Build the inputs of the FIT kit tests with the real tools: arm64 Image-like
kernels (a valid booting.rst header over deterministic bytes), device trees
compiled by dtc, and FITs made by mkimage from a generated .its (embedded
data, or external with -E and -B).

Also the FDT arithmetic the hostile-input tests need: the header fields and
where each image's bytes sit inside a FIT.
"""

from __future__ import annotations

import gzip
import os
import random
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ARM64_MAGIC = b"ARM\x64"
MIB = 1 << 20


def run(cmd, cwd=None, input=None) -> bytes:
    # SOURCE_DATE_EPOCH: mkimage's /timestamp is fixed, so FITs are reproducible
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, input=input, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                             f"{proc.stdout.decode(errors='replace')}"
                             f"{proc.stderr.decode(errors='replace')}")
    return proc.stdout


def payload(size: int, seed: int) -> bytes:
    """Deterministic bytes that compress like code: words from a small vocabulary plus noise."""
    rnd = random.Random(seed)
    vocab = [rnd.randbytes(rnd.randint(2, 12)) for _ in range(300)]
    out = bytearray()
    while len(out) < size:
        out += rnd.choice(vocab) if rnd.random() < 0.85 else rnd.randbytes(rnd.randint(1, 8))
    return bytes(out[:size])


def arm64_image(size: int = 96 * 1024, *, image_size: int | None = None, text_offset: int = 0,
                magic: bytes = ARM64_MAGIC, seed: int = 1) -> bytes:
    """An arm64 Image: booting.rst's 64-byte header, then deterministic bytes."""
    if image_size is None:
        image_size = size + 64 * 1024          # .bss after the file bytes
    hdr = struct.pack("<II QQQ QQQ 4sI", 0x14000010, 0, text_offset, image_size, 0xA,
                      0, 0, 0, magic, 0)
    assert len(hdr) == 64
    return hdr + payload(size - 64, seed)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


DTS_TEMPLATE = """/dts-v1/;
/ {{
    #address-cells = <{cells}>;
    #size-cells = <{cells}>;
    compatible = "linux,dummy-virt";
    model = "rproc-bundle remote";
    cpus {{
        #address-cells = <1>;
        #size-cells = <0>;
        cpu@1 {{ device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <1>; enable-method = "psci"; }};
    }};
    memory@48000000 {{ device_type = "memory"; reg = <{mem}>; }};
{chosen}}};
"""


def dtb(tmp: Path, *, chosen: str = "plain", pad: int = 512, cells: int = 2, name: str = "remote") -> bytes:
    """A remote device tree compiled by dtc.

    chosen: "plain" (bootargs only), "props" (initrd properties present, 0),
    "props32" (present, one cell each), "none" (no /chosen node).
    pad: free bytes inside totalsize (dtc -p).
    """
    mem = "0x0 0x48000000 0x0 0x8000000" if cells == 2 else "0x48000000 0x8000000"
    body = {"plain": '    chosen { bootargs = "console=ttyAMA0 earlycon rdinit=/init"; };\n',
            "props": '    chosen { bootargs = "console=ttyAMA0"; linux,initrd-start = /bits/ 64 <0>; '
                     'linux,initrd-end = /bits/ 64 <0>; };\n',
            "props32": '    chosen { bootargs = "console=ttyAMA0"; linux,initrd-start = <0>; '
                       'linux,initrd-end = <0>; };\n',
            "none": ""}[chosen]
    src = tmp / f"{name}.dts"
    src.write_text(DTS_TEMPLATE.format(cells=cells, mem=mem, chosen=body))
    out = tmp / f"{name}.dtb"
    run(["dtc", "-I", "dts", "-O", "dtb", "-p", str(pad), "-o", out, src])
    return out.read_bytes()


def dts_of(blob: bytes, tmp: Path, name: str = "loaded") -> str:
    """`dtc -I dtb -O dts` of a blob: the independent reader of a loaded tree."""
    path = tmp / f"{name}.dtb"
    path.write_bytes(blob)
    return run(["dtc", "-I", "dtb", "-O", "dts", path]).decode()


@dataclass
class Image:
    """One /images node."""
    name: str
    data: bytes
    type: str
    load: int | None
    arch: str | None = "arm64"
    os: str | None = "linux"
    compression: str | None = "none"
    entry: int | None = None
    hashes: tuple[str, ...] = ("sha256", "crc32")
    extra: str = ""             # more properties, verbatim


@dataclass
class Fit:
    images: list[Image]
    configs: dict[str, dict[str, str | list[str]]]
    default: str | None = "conf-1"
    cells: int = 1              # how load/entry are written (1 or 2 cells)
    files: dict[str, Path] = field(default_factory=dict)
    # configuration -> its signature nodes, each (key-name-hint, algo, padding or None);
    # each signs every image the configuration names (sign-images lists them all)
    signatures: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    sign_images: list[str] | None = None    # instead of every image property (mkimage's default: none given)

    def its(self, tmp: Path) -> str:
        def addr(v: int) -> str:
            return f"<{v:#x}>" if self.cells == 1 else f"<{v >> 32:#x} {v & 0xFFFFFFFF:#x}>"

        lines = ["/dts-v1/;", "/ {", '    description = "rproc-bundle FIT kit test";',
                 f"    #address-cells = <{self.cells}>;", "    images {"]
        for img in self.images:
            path = tmp / f"{img.name}.bin"
            path.write_bytes(img.data)
            lines.append(f"        {img.name} {{")
            lines.append(f'            description = "{img.name}";')
            lines.append(f'            data = /incbin/("{path}");')
            lines.append(f'            type = "{img.type}";')
            for prop in ("arch", "os", "compression"):
                if getattr(img, prop) is not None:
                    lines.append(f'            {prop} = "{getattr(img, prop)}";')
            if img.load is not None:
                lines.append(f"            load = {addr(img.load)};")
            if img.entry is not None:
                lines.append(f"            entry = {addr(img.entry)};")
            if img.extra:
                lines.append("            " + img.extra)
            for i, algo in enumerate(img.hashes, 1):
                lines.append(f'            hash-{i} {{ algo = "{algo}"; }};')
            lines.append("        };")
        lines += ["    };", "    configurations {"]
        if self.default is not None:
            lines.append(f'        default = "{self.default}";')
        for name, props in self.configs.items():
            lines.append(f"        {name} {{")
            for k, v in props.items():
                vals = [v] if isinstance(v, str) else v
                lines.append(f"            {k} = " + ", ".join(f'"{x}"' for x in vals) + ";")
            roles = [k for k in props if k not in ("description", "compatible")]
            signed = ", ".join(f'"{k}"' for k in (roles if self.sign_images is None else self.sign_images))
            for i, (hint, algo, padding) in enumerate(self.signatures.get(name, ()), 1):
                lines.append(f"            signature-{i} {{")
                lines.append(f'                algo = "{algo}";')
                lines.append(f'                key-name-hint = "{hint}";')
                if signed:
                    lines.append(f"                sign-images = {signed};")
                if padding is not None:
                    lines.append(f'                padding = "{padding}";')
                lines.append("            };")
            lines.append("        };")
        lines += ["    };", "};", ""]
        return "\n".join(lines)

    def build(self, tmp: Path, *, external: bool = False, align: int | None = None,
              position: int | None = None, name: str = "fit", keydir: Path | None = None) -> bytes:
        """mkimage -f; external: -E (data-offset); align: -B; position: -p (data-position);
        keydir: -k KEYDIR -r (sign the signature nodes with KEYDIR/<key-name-hint>.key)."""
        its = tmp / f"{name}.its"
        its.write_text(self.its(tmp))
        out = tmp / f"{name}.itb"
        cmd = ["mkimage", "-f", its]
        if external:
            cmd.append("-E")
        if align is not None:
            cmd += ["-B", f"{align:x}"]
        if position is not None:
            cmd += ["-p", f"{position:#x}"]
        if keydir is not None:
            cmd += ["-k", keydir, "-r"]
        run(cmd + [out])
        return out.read_bytes()


def rsa_key(keydir: Path, name: str, bits: int) -> Path:
    """KEYDIR/NAME.key (and .crt), an RSA key as openssl writes it, for mkimage -k."""
    keydir.mkdir(parents=True, exist_ok=True)
    key = keydir / f"{name}.key"
    if not key.exists():
        run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}",
             "-out", key])
        run(["openssl", "req", "-batch", "-new", "-x509", "-days", "1", "-subj", f"/CN={name}",
             "-key", key, "-out", keydir / f"{name}.crt"])
    return key


# ---- reading a built FIT (for the hostile-input tests) -------------------------

FDT_HEADER = struct.Struct(">10I")
HEADER_FIELDS = ("magic", "totalsize", "off_dt_struct", "off_dt_strings", "off_mem_rsvmap",
                 "version", "last_comp_version", "boot_cpuid_phys", "size_dt_strings",
                 "size_dt_struct")


def header(blob: bytes) -> dict[str, int]:
    return dict(zip(HEADER_FIELDS, FDT_HEADER.unpack_from(blob)))


def set_header(blob: bytes, **fields) -> bytes:
    h = header(blob)
    h.update(fields)
    return FDT_HEADER.pack(*(h[k] for k in HEADER_FIELDS)) + blob[FDT_HEADER.size:]


def tokens(blob: bytes):
    """(offset in blob, token, name, value offset, value length) of each structure token."""
    h = header(blob)
    s, strings = h["off_dt_struct"], h["off_dt_strings"]
    off = s
    while True:
        tok = struct.unpack_from(">I", blob, off)[0]
        if tok == 1:
            end = blob.index(b"\0", off + 4)
            yield off, tok, blob[off + 4:end].decode(), None, None
            off = (end + 1 + 3) & ~3
        elif tok == 3:
            length, nameoff = struct.unpack_from(">II", blob, off + 4)
            nend = blob.index(b"\0", strings + nameoff)
            yield off, tok, blob[strings + nameoff:nend].decode(), off + 12, length
            off = (off + 12 + length + 3) & ~3
        elif tok in (2, 4):
            yield off, tok, None, None, None
            off += 4
        elif tok == 9:
            yield off, tok, None, None, None
            return
        else:
            raise ValueError(f"token {tok:#x} at {off:#x}")


def prop_value_offset(blob: bytes, node: str, prop: str) -> tuple[int, int]:
    """(offset, length) of property `prop` of the node named `node` (first match)."""
    current = []
    for _off, tok, name, voff, vlen in tokens(blob):
        if tok == 1:
            current.append(name)
        elif tok == 2:
            current.pop()
        elif tok == 3 and current and current[-1] == node and name == prop:
            return voff, vlen
    raise KeyError(f"{node}/{prop}")
