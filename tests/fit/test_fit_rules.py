"""FIT rules on trees built in memory (no mkimage): the shapes mkimage will not
write (unknown hash algorithms, missing values, 64-bit addresses, wrong types,
a corrupt gzip stream with a matching hash), every finding code documented,
and --memory parsing."""

from __future__ import annotations

import gzip
import hashlib
import re
import struct
import zlib
from pathlib import Path

import pytest

from bundler.checks.fit import Occupant, check_fit
from bundler.elf import spec
from bundler.fit.model import parse_fit
from bundler.remoteproc.memory import MemoryMap, MemoryRange
from tests.support.fdt import build, cells, string
from tests.support.fit import arm64_image
from tests.support.paths import ROOT

RAM = [MemoryRange(0x48000000, 128 << 20, "ram")]


def hash_node(name, algo, data, *, value=None):
    if value is None:
        value = {"crc32": struct.pack(">I", zlib.crc32(data)), "md5": hashlib.md5(data).digest(),
                 "sha384": hashlib.sha384(data).digest()}.get(algo) or hashlib.new(algo, data).digest()
    props = [("algo", string(algo))] + ([("value", value)] if value is not False else [])
    return (name, (props, []))


def image(name, data, *, type="kernel", arch="arm64", compression="none", load=0x48200000, entry=None,
          hashes=("sha256",), extra=()):
    props = [("data", data), ("type", string(type)), ("arch", string(arch)), ("os", string("linux")),
             ("compression", string(compression))]
    if load is not None:
        props.append(("load", load if isinstance(load, bytes) else cells(load)))
    if entry is not None:
        props.append(("entry", cells(entry)))
    props.extend(extra)
    return (name, (props, [hash_node(f"hash-{i}", a, data) for i, a in enumerate(hashes, 1)]))


def fit_blob(images, configs=None, default="conf-1"):
    if configs is None:
        configs = [("conf-1", ([("kernel", string(images[0][0]))], []))]
    conf_props = [("default", string(default))] if default else []
    return build(([("description", string("unit")), ("#address-cells", cells(1))],
                  [("images", ([], images)), ("configurations", (conf_props, configs))]))[0]


def codes(findings):
    return {f.code for f in findings}


KERNEL = arm64_image(5000)


def test_more_hash_algorithms_and_64bit_load():
    blob = fit_blob([image("k", KERNEL, load=cells(0, 0x48200000), hashes=("md5", "sha384", "sha512", "sha1"))])
    fit = parse_fit(blob)
    k = fit.find_image("k")
    assert k.load == 0x48200000 and [h.ok for h in k.hashes] == [True] * 4
    found = check_fit(blob, memory=RAM)                  # the kit need only check crc32 and sha256
    assert [(f.severity, f.code) for f in found] == [("warning", "fit-hash-kit")] * 4
    blob = fit_blob([image("k", KERNEL, load=cells(0, 0x48200000), hashes=("sha256", "crc32"))])
    assert check_fit(blob, memory=RAM) == []

    assert check_fit(blob, memory=MemoryMap(ranges=RAM)) == []           # --dtb/--node's map, or tuples
    assert check_fit(blob, memory=[(0x48000000, 128 << 20)]) == []
    assert [f.code for f in check_fit(blob, memory=None)] == ["fit-memory-unknown"]


@pytest.mark.parametrize("hashes,code", [
    ([hash_node("hash-1", "sha3", KERNEL, value=b"\0" * 32)], "fit-hash-unsupported"),
    ([hash_node("hash-1", "sha256", KERNEL, value=False)], "fit-hash-value"),
    ([hash_node("hash-1", "sha256", KERNEL, value=b"\0" * 20)], "fit-hash-value"),
    ([hash_node("hash-1", "crc32", KERNEL, value=b"\0\0\0\0")], "fit-hash-mismatch"),
])
def test_hash_node_faults(hashes, code):
    name, (props, _) = image("k", KERNEL, hashes=())
    blob = fit_blob([(name, (props, hashes))])
    assert code in codes(check_fit(blob, memory=RAM))


def test_gzip_stream_corrupt_behind_a_good_hash():
    good = gzip.compress(KERNEL, mtime=0)
    for bad in (good[:len(good) // 2] + good[-8:],                        # cut in the middle, trailer kept
                good[:-4] + struct.pack("<I", len(KERNEL) + 1)):           # wrong ISIZE
        blob = fit_blob([image("k", bad, compression="gzip")])
        found = check_fit(blob, memory=RAM)
        assert "fit-gzip-corrupt" in codes(found) and "fit-hash-mismatch" not in codes(found)


def test_compressions_types_arch_and_roles():
    blob = fit_blob([image("k", KERNEL, compression="lzma"), image("r", b"x" * 64, type="firmware",
                                                                    load=0x4B000000)],
                    configs=[("conf-1", ([("kernel", string("k")), ("ramdisk", string("r"))], []))])
    found = codes(check_fit(blob, memory=RAM, machine=spec.EM_ARM))
    assert {"fit-compression-unsupported", "fit-config-type", "fit-arch-mismatch"} <= found
    blob = fit_blob([image("k", KERNEL, type="weird", arch="pdp11")])
    assert {"fit-type-unknown", "fit-arch-mismatch", "fit-config-type"} <= codes(check_fit(blob, memory=RAM))
    # the device tree's arch is not checked by loaders: an unknown one is only a warning
    blob = fit_blob([image("k", KERNEL), image("f", build(([], []))[0], type="flat_dt", arch="pdp11",
                                               load=0x4A000000, hashes=("crc32",))],
                    configs=[("conf-1", ([("kernel", string("k")), ("fdt", string("f"))], []))])
    found = check_fit(blob, memory=RAM)
    assert [(f.severity, f.code) for f in found] == [("warning", "fit-arch-unknown")]


def test_external_data_without_size_and_config_without_kernel():
    name, (props, subs) = image("k", KERNEL)
    props = [p for p in props if p[0] != "data"] + [("data-offset", cells(0))]
    blob = fit_blob([(name, (props, subs))],
                    configs=[("conf-1", ([("fdt", string("k"))], []))])
    found = check_fit(blob + KERNEL, memory=RAM)
    assert {"fit-image-data", "fit-config-no-kernel"} <= codes(found)
    assert any("has data-offset but no data-size" in f.message for f in found)


def test_data_position_and_offset_resolve_like_uboot():
    data = b"\xAA" * 100
    name, (props, subs) = image("r", data, type="ramdisk", hashes=("crc32",))
    ext = [p for p in props if p[0] != "data"]
    blob_off = fit_blob([(name, (ext + [("data-offset", cells(8)), ("data-size", cells(100))], subs))],
                        configs=[("conf-1", ([("kernel", string("r"))], []))])
    pad = (-len(blob_off)) % 4
    fit = parse_fit(blob_off + b"\0" * (pad + 8) + data)
    r = fit.find_image("r")
    assert r.data_start == len(blob_off) + pad + 8 and r.hashes[0].ok and fit.size == r.data_end
    blob_pos = fit_blob([(name, (ext + [("data-position", cells(0x400)), ("data-size", cells(100))], subs))])
    whole = blob_pos + b"\0" * (0x400 - len(blob_pos)) + data
    r = parse_fit(whole).find_image("r")
    assert r.data_layout == "data-position" and r.data_start == 0x400 and r.hashes[0].ok


def test_ranges_memory_bootstrap_and_fit():
    k = image("k", KERNEL, load=0x48200000, entry=0x48200000)
    blob = fit_blob([k])
    # a piece may span two touching ranges
    assert check_fit(blob, memory=[MemoryRange(0x48000000, 0x201000), MemoryRange(0x48201000, 1 << 20)]) == []
    found = check_fit(blob, memory=[MemoryRange(0x48000000, 0x201000), MemoryRange(0x48202000, 1 << 20, "b")])
    (f,) = [f for f in found if f.code == "fit-load-outside"]
    assert f.address == 0x48200000 and f.size == 0x10000 and "nearest: 0x48000000-0x48201000" in f.message
    occ = [Occupant(0x48208000, 0x48209000, "segment 1 of bootstrap b")]
    found = check_fit(blob, memory=RAM, occupants=occ, fit_address=0x4820F000)
    assert {"fit-overlaps-bootstrap", "fit-overlaps-fit"} <= codes(found)
    top = fit_blob([image("k", KERNEL, load=cells(0xFFFFFFFF, 0xFFFFF000), entry=None)])
    assert any("wraps" in f.message for f in check_fit(top, memory=RAM) if f.code == "fit-load-outside")


def test_old_kernel_header_and_big_endian():
    # image_size 0 (before Linux 3.17): text_offset is taken as 0x80000, so the base is load - 0x80000
    blob = fit_blob([image("k", arm64_image(5000, image_size=0, flags=1), load=0x48280000)])
    found = check_fit(blob, memory=RAM)
    assert codes(found) == {"fit-kernel-image-size-unknown", "fit-kernel-endian"}
    assert all(f.severity == "warning" for f in found)
    blob = fit_blob([image("k", arm64_image(5000, image_size=0), load=0x48200000)])
    assert "fit-kernel-align" in codes(check_fit(blob, memory=RAM))
    short = fit_blob([image("k", b"\0" * 32)])
    assert "fit-kernel-header" in codes(check_fit(short, memory=RAM))


def test_kernel_os_arch_empty_data_and_fdt_content():
    name, (props, subs) = image("k", KERNEL)
    props = [(n, v) if n != "os" else (n, string("vxworks")) for n, v in props if n != "arch"]
    found = codes(check_fit(fit_blob([(name, (props, subs))]), memory=RAM))
    assert {"fit-kernel-os", "fit-arch-mismatch"} <= found
    bad_dtb = b"\xd0\x0d\xfe\xed" + b"\0" * 60
    good_dtb = build(([("model", string("remote"))], []))[0]
    for dtb, expect in ((bad_dtb, True), (good_dtb, False)):
        blob = fit_blob([image("k", KERNEL), image("f", dtb, type="flat_dt", load=0x4A000000, hashes=("crc32",)),
                         image("r", b"", type="ramdisk", load=0x4B000000, hashes=("crc32",))],
                        configs=[("conf-1", ([("kernel", string("k")), ("fdt", string("f")),
                                              ("ramdisk", string("r"))], []))])
        found = check_fit(blob, memory=RAM)
        assert ("fit-fdt-invalid" in codes(found)) == expect
        assert any(f.code == "fit-image-data" and "image r: its data is empty" in f.message for f in found)


def test_not_a_fit_and_root_faults():
    plain = build(([("model", string("board"))], []))[0]
    (f,) = check_fit(plain)
    assert f.code == "fit-corrupt" and "no /images node" in f.message
    blob = build(([("description", cells(1, 2))], [("images", ([], [image("k", KERNEL)])),
                                                   ("configurations", ([("default", b"c")], []))]))[0]
    found = check_fit(blob)
    assert {"fit-property", "fit-config-corrupt", "fit-config-none"} <= codes(found)
    assert [f.severity for f in found if f.code == "fit-property"] == ["warning"]      # a description


def test_every_code_is_documented():
    source = (ROOT / "bundler" / "checks" / "fit.py").read_text()
    emitted = set(re.findall(r'"(fit-[a-z0-9-]+)"', source))
    json_md = (ROOT / "docs" / "json.md").read_text()
    documented = set(re.findall(r"`(fit-[a-z0-9-]+)`", json_md))
    assert emitted and emitted == documented, (emitted - documented, documented - emitted)
    assert Path(ROOT / "docs" / "fit.md").is_file()


def test_overlaps_found_in_one_sweep():
    imgs = [image("k", KERNEL, load=0x48200000),                            # 0x48200000-0x48210000
            image("a", b"a" * 0x100, type="ramdisk", load=0x48208000),       # inside k
            image("b", b"b" * 0x100000, type="ramdisk", load=0x4820F000),    # from k's end into beyond
            image("c", b"c" * 0x100, type="ramdisk", load=0x48300000)]       # inside b
    conf = ("conf-1", ([("kernel", string("k")), ("loadables", string("a", "b", "c"))], []))
    found = [f for f in check_fit(fit_blob(imgs, configs=[conf]), memory=RAM) if f.code == "fit-overlap"]
    pairs = {tuple(re.findall(r"image (\w)", f.message)) for f in found}
    assert pairs == {("k", "a"), ("k", "b"), ("b", "c")}
    assert {(f.address, f.size) for f in found} == {(0x48208000, 0x100), (0x4820F000, 0x1000), (0x48300000, 0x100)}


def test_many_pieces_at_one_address_stay_linear():
    n = 3000
    imgs = [image("k", KERNEL)] + [image(f"l{i}", b"x" * 16, type="ramdisk", load=0x49000000, hashes=())
                                  for i in range(n)]
    conf = ("conf-1", ([("kernel", string("k")), ("loadables", string(*[f"l{i}" for i in range(n)]))], []))
    found = check_fit(fit_blob(imgs, configs=[conf]), memory=RAM)
    assert sum(f.code == "fit-overlap" for f in found) == n - 1


GOLDEN = Path(__file__).resolve().parent / "golden"


def test_inspect_json_golden(tmp_path, capsys, update_golden):
    """The inspect --json shape of a FIT (docs/json.md "FIT reports"), pinned byte for byte
    (regenerate with pytest --update-golden). Built in memory, so no tool version moves it."""
    from bundler.cli import main
    z = zlib.compressobj(0, zlib.DEFLATED, 31)    # stored blocks: the same bytes from every zlib version
    kernel = z.compress(KERNEL) + z.flush()
    blob = fit_blob([image("kernel-1", kernel, compression="gzip", entry=0x48200000, hashes=("sha256", "crc32")),
                     image("fdt-1", b"\xd0\x0d\xfe\xed" + b"\0" * 60, type="flat_dt", load=0x4A000000,
                           hashes=("crc32",)),
                     image("ramdisk-1", bytes(range(256)), type="ramdisk", load=0x4B000000,
                           hashes=("md5",), extra=[("description", string("initramfs"))])],
                    configs=[("conf-1", ([("description", string("remote Linux")), ("kernel", string("kernel-1")),
                                          ("fdt", string("fdt-1")), ("ramdisk", string("ramdisk-1"))], [])),
                             ("conf-2", ([("kernel", string("kernel-1")),
                                          ("loadables", string("ramdisk-1", "fdt-1"))], []))])
    path = tmp_path / "sample.itb"
    path.write_bytes(blob)
    assert main(["inspect", str(path), "--json"]) == 0
    text = capsys.readouterr().out
    golden = GOLDEN / "fit-inspect.json"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text)
    assert golden.is_file(), f"{golden} is missing: run pytest --update-golden"
    assert text == golden.read_text(), "inspect --json of a FIT changed (if intended: pytest --update-golden)"


def test_chosen_room_as_the_kit_patches_it():
    """linux,initrd-start/-end: patched in place when present, else added into the free space after the
    strings block (what dtc -p leaves); not at all when the blocks are out of the usual order."""
    from tests.support.fit import tiny_dtb

    def verdict(dtb):
        blob = fit_blob([image("k", KERNEL), image("f", dtb, type="flat_dt", load=0x4A000000, hashes=("crc32",)),
                         image("r", b"r" * 100, type="ramdisk", load=0x4B000000, hashes=("crc32",))],
                        configs=[("conf-1", ([("kernel", string("k")), ("fdt", string("f")),
                                              ("ramdisk", string("r"))], []))])
        return [f for f in check_fit(blob, memory=RAM) if f.code == "fit-fdt-no-room"]

    def padded(dtb, n):
        return dtb[:4] + struct.pack(">I", len(dtb) + n) + dtb[8:] + b"\0" * n

    assert verdict(tiny_dtb()) == []
    bare = tiny_dtb(initrd_props=False)
    (f,) = verdict(bare)
    # 2 properties of 12 + 8 bytes (root #address-cells 2), 2 new names of 19 and 17 bytes
    assert "has 0 bytes free to add them (76 needed)" in f.message
    assert len(verdict(padded(bare, 75))) == 1 and verdict(padded(bare, 76)) == []
    no_chosen = build(([("#address-cells", cells(1))], []))[0]
    (f,) = verdict(no_chosen)
    assert "(84 needed)" in f.message           # /chosen 16, 2 * (12 + 4) (#address-cells 1), names 36
    assert verdict(padded(no_chosen, 84)) == []


def test_properties_read_as_loaders_read_them():
    """Strings up to the first NUL (as C reads them); a malformed property matters only where the
    image's role makes a loader read it; a configuration's kernel is exactly one name."""
    def with_prop(img, name, value):
        n, (props, subs) = img
        return (n, ([(k, value if k == name else v) for k, v in props], subs))

    k = with_prop(image("k", KERNEL), "compression", b"none\0\0\0")          # trailing NULs: still "none"
    r = with_prop(image("r", b"r" * 64, type="ramdisk", load=0x4B000000), "os", b"lin")   # no NUL
    conf = [("conf-1", ([("kernel", string("k")), ("ramdisk", string("r"))], []))]
    found = check_fit(fit_blob([k, r], configs=conf), memory=RAM)
    assert [(f.severity, f.code) for f in found] == [("warning", "fit-property")]
    assert parse_fit(fit_blob([k, r], configs=conf)).find_image("r").property_errors.keys() == {"os"}
    k_bad_os = with_prop(image("k", KERNEL), "os", b"lin")
    assert "fit-kernel-os" in codes(check_fit(fit_blob([k_bad_os]), memory=RAM))
    two = [("conf-1", ([("kernel", string("k", "r"))], []))]
    found = check_fit(fit_blob([image("k", KERNEL), r], configs=two), memory=RAM)
    assert any(f.code == "fit-config-corrupt" and "is not one image name" in f.message for f in found)


def test_images_node_by_exact_name():
    blob = build(([], [("images@0", ([], [image("k", KERNEL)]))]))[0]
    (f,) = check_fit(blob)
    assert f.code == "fit-corrupt" and "no /images node" in f.message


def test_one_device_tree_and_one_ramdisk_per_configuration():
    imgs = [image("k", KERNEL), image("r", b"r" * 64, type="ramdisk", load=0x4B000000)]
    for prop in (("ramdisk", string("r", "")), ("ramdisk", string("r", "r")), ("fdt", string("a", "b"))):
        conf = [("conf-1", ([("kernel", string("k")), prop], []))]
        found = [f for f in check_fit(fit_blob(imgs, configs=conf), memory=RAM) if f.code == "fit-config-corrupt"]
        assert len(found) == 1 and "remote_fw_fit_load takes one" in found[0].message
