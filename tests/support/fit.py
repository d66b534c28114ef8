"""Build FITs with the real mkimage and read them back with mkimage -l and dumpimage.

``FitSpec`` says what goes in (images with their data, hash algorithms,
addresses; configurations; the data layout) and ``build_fit`` writes the
.its and data files, runs ``mkimage`` and returns the .itb bytes. Builds are
cached by content in a directory the caller gives (one per pytest session),
so property tests that draw the same FIT twice build it once.
``mkimage_list`` parses ``mkimage -l`` into short names (the oracle for
inspect); ``dumpimage_data`` extracts image N's data as U-Boot does.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# mkimage -l's long names -> the .its short names
LONG_TYPES = {"Kernel Image": "kernel", "Flat Device Tree": "flat_dt", "RAMDisk Image": "ramdisk",
              "Firmware": "firmware", "Standalone Program": "standalone", "Kernel Image (no loading done)":
              "kernel_noload"}
LONG_COMP = {"uncompressed": "none", "gzip compressed": "gzip", "lzma compressed": "lzma",
             "bzip2 compressed": "bzip2", "lzo compressed": "lzo", "lz4 compressed": "lz4",
             "zstd compressed": "zstd"}
LONG_ARCH = {"AArch64": "arm64", "ARM": "arm", "RISC-V": "riscv", "Intel x86": "x86", "AMD x86_64": "x86_64"}
LONG_OS = {"Linux": "linux", "Firmware": "firmware"}

LAYOUTS = {"embedded": [], "E": ["-E"], "EB": ["-E", "-B", "0x1000"], "Ep": ["-E", "-p", "0x2000"]}
EPOCH = 1700000000          # SOURCE_DATE_EPOCH for mkimage: the FIT's timestamp, and the same bytes every build


def arm64_image(size: int, *, text_offset: int = 0, image_size: int | None = None, flags: int = 0xA,
                magic: int = 0x644D5241, seed: int = 0) -> bytes:
    """An arm64 kernel Image: the 64-byte header (booting.rst) then ``size - 64`` pseudo-random bytes."""
    size = max(size, 64)
    image_size = (size + 0xFFFF) & ~0xFFFF if image_size is None else image_size
    head = struct.pack("<IIQQQQQQII", 0x91005A4D, 0x14000000, text_offset, image_size, flags, 0, 0, 0, magic, 0)
    body = bytearray()
    block = hashlib.sha256(seed.to_bytes(8, "little")).digest()
    while len(body) < size - 64:
        block = hashlib.sha256(block).digest()
        body += block * 8          # compressible, like code
    return head + bytes(body[:size - 64])


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


@dataclass
class Img:
    name: str
    data: bytes
    type: str = "kernel"
    arch: str = "arm64"
    os: str | None = "linux"
    compression: str = "none"
    load: int | None = 0x48200000
    entry: int | None = None
    hashes: tuple = ("sha256", "crc32")
    description: str | None = None


@dataclass
class Conf:
    name: str
    kernel: str | None = None
    fdt: str | None = None
    ramdisk: str | None = None
    loadables: tuple = ()
    description: str | None = None


@dataclass
class FitSpec:
    images: list
    configs: list = field(default_factory=list)
    default: str | None = None
    description: str = "rproc-bundle test FIT"
    layout: str = "embedded"


def its_text(spec: FitSpec, files: dict[str, str]) -> str:
    out = ["/dts-v1/;", "/ {", f'  description = "{spec.description}";', "  #address-cells = <1>;", "  images {"]
    for img in spec.images:
        out.append(f"    {img.name} {{")
        if img.description:
            out.append(f'      description = "{img.description}";')
        out.append(f'      data = /incbin/("{files[img.name]}");')
        out.append(f'      type = "{img.type}";')
        out.append(f'      arch = "{img.arch}";')
        if img.os:
            out.append(f'      os = "{img.os}";')
        out.append(f'      compression = "{img.compression}";')
        if img.load is not None:
            out.append(f"      load = <{img.load:#x}>;")
        if img.entry is not None:
            out.append(f"      entry = <{img.entry:#x}>;")
        for i, algo in enumerate(img.hashes, 1):
            out.append(f'      hash-{i} {{ algo = "{algo}"; }};')
        out.append("    };")
    out.append("  };")
    if spec.configs or spec.default:
        out.append("  configurations {")
        if spec.default:
            out.append(f'    default = "{spec.default}";')
        for c in spec.configs:
            out.append(f"    {c.name} {{")
            if c.description:
                out.append(f'      description = "{c.description}";')
            for role in ("kernel", "fdt", "ramdisk"):
                if getattr(c, role):
                    out.append(f'      {role} = "{getattr(c, role)}";')
            if c.loadables:
                out.append("      loadables = " + ", ".join(f'"{n}"' for n in c.loadables) + ";")
            out.append("    };")
        out.append("  };")
    out.append("};")
    return "\n".join(out) + "\n"


def build_fit(spec: FitSpec, cache: Path) -> Path:
    """The .itb for ``spec`` (built once per content in ``cache``)."""
    files = {img.name: f"{img.name}-{hashlib.sha256(img.data).hexdigest()[:16]}.bin" for img in spec.images}
    text = its_text(spec, files)
    key = hashlib.sha256((text + spec.layout).encode()).hexdigest()[:20]
    out = cache / f"{key}.itb"
    if out.exists():
        return out
    for img in spec.images:
        p = cache / files[img.name]
        if not p.exists():
            p.write_bytes(img.data)
    its = cache / f"{key}.its"
    its.write_text(text)
    tmp = cache / f"{key}.tmp.itb"
    proc = subprocess.run(["mkimage", *LAYOUTS[spec.layout], "-f", its.name, tmp.name], cwd=cache,
                          capture_output=True, text=True, env=dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH)))
    if proc.returncode != 0:
        raise AssertionError(f"mkimage failed on {its}:\n{proc.stdout}\n{proc.stderr}")
    tmp.rename(out)
    return out


def mkimage_list(itb: Path) -> dict:
    """``mkimage -l`` as a dict: images (in order) and configurations, with short names."""
    text = subprocess.run(["mkimage", "-l", str(itb)], check=True, capture_output=True, text=True,
                          env=dict(os.environ, TZ="UTC")).stdout
    images, configs, default = [], [], None
    top: dict = {}
    cur = None
    last_key = None
    for line in text.splitlines():
        m = re.match(r"(FIT description|Created):\s+(.*)$", line)
        if m:
            top[m.group(1)] = m.group(2)
            continue
        m = re.match(r" Image (\d+) \((.*)\)$", line)
        if m:
            cur = {"name": m.group(2), "hashes": []}
            images.append(cur)
            continue
        m = re.match(r" Configuration (\d+) \((.*)\)$", line)
        if m:
            cur = {"name": m.group(2), "loadables": []}
            configs.append(cur)
            continue
        m = re.match(r" Default Configuration: '(.*)'$", line)
        if m:
            default = m.group(1)
            continue
        m = re.match(r"  ([A-Za-z ]+):\s+(.*)$", line)
        if m and cur is not None:
            key, value = m.group(1).strip(), m.group(2).strip()
            last_key = key
            if key == "Hash algo":
                cur["hashes"].append({"algo": value})
            elif key == "Hash value":
                cur["hashes"][-1]["value"] = value
            elif key == "Loadables":
                cur["loadables"].append(value)
            else:
                cur[key] = value
            continue
        m = re.match(r"\s{10,}(\S+)$", line)
        if m and cur is not None and last_key == "Loadables":
            cur["loadables"].append(m.group(1))
    for img in images:
        img["type"] = LONG_TYPES.get(img.get("Type"), img.get("Type"))
        img["compression"] = LONG_COMP.get(img.get("Compression"), img.get("Compression"))
        img["arch"] = LONG_ARCH.get(img.get("Architecture"), img.get("Architecture"))
        img["os"] = LONG_OS.get(img.get("OS"), img.get("OS"))
        img["data_size"] = int(img["Data Size"].split()[0]) if "Data Size" in img else None
        for k, field_name in (("Load Address", "load"), ("Entry Point", "entry")):
            v = img.get(k)
            img[field_name] = int(v, 16) if v and v.startswith("0x") else None
    return {"images": images, "configurations": configs, "default": default,
            "description": top.get("FIT description"), "created": top.get("Created")}


def dumpimage_data(itb: Path, index: int, out: Path) -> bytes:
    subprocess.run(["dumpimage", "-T", "flat_dt", "-p", str(index), "-o", str(out), str(itb)],
                   check=True, capture_output=True)
    return out.read_bytes()


def sample_spec(layout: str = "embedded", *, kernel: bytes | None = None, compression: str = "gzip",
                **kernel_kw) -> FitSpec:
    """Kernel (arm64 Image), device tree blob and ramdisk, one configuration, like the sample's FIT."""
    raw = kernel if kernel is not None else arm64_image(40000)
    kdata = gzipped(raw) if compression == "gzip" else raw
    dtb = tiny_dtb()
    kw = dict(load=0x48200000, entry=0x48200000, hashes=("sha256", "crc32"))
    kw.update(kernel_kw)
    return FitSpec(images=[Img("kernel-1", kdata, compression=compression, description="Linux", **kw),
                           Img("fdt-1", dtb, type="flat_dt", os=None, load=0x4A000000, hashes=("crc32",)),
                           Img("ramdisk-1", b"070701" + bytes(range(256)) * 8, type="ramdisk",
                               load=0x4B000000, hashes=("sha256",))],
                   configs=[Conf("conf-1", kernel="kernel-1", fdt="fdt-1", ramdisk="ramdisk-1",
                                 description="remote Linux")],
                   default="conf-1", layout=layout)


def tiny_dtb(initrd_props: bool = True) -> bytes:
    """The remote's device tree: /chosen with linux,initrd-start/-end for the bootstrap to patch
    (or without them, and no room to add them)."""
    from tests.support.fdt import build, cells, string
    chosen = [("bootargs", string("console=ttyAMA0"))]
    if initrd_props:
        chosen += [("linux,initrd-start", cells(0, 0)), ("linux,initrd-end", cells(0, 0))]
    return build(([("#address-cells", cells(2)), ("#size-cells", cells(2)), ("model", string("remote"))],
                  [("memory@48000000", ([("device_type", string("memory")),
                                         ("reg", cells(0, 0x48000000, 0, 0x8000000))], [])),
                   ("chosen", (chosen, []))]))[0]
