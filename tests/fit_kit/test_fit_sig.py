"""remote_fw_fit_load_opts with RSA keys, on FITs signed by Debian's mkimage.

The kit built natively (fitkit) is given the bootstrap's keys (modulus and
exponent read from openssl's keys) and loads into the guarded region:
- each of rsa2048/rsa4096 x pkcs-1.5/pss is accepted, loads exactly what
  remote_fw_fit_load loads, and bundle verify --key agrees;
- a wrong key, an unsigned configuration (with keys), a flipped byte in each
  region the signature covers, in the signature value or in the kernel's
  data are refused before anything is written;
- each bypass layout of tests/fit_kit/sig_fits.py is refused with its own
  code, and bundle verify --key names the same refusal;
- with no keys, the same signed or tampered FITs load as remote_fw_fit_load
  loads them (the NULL-keys call is unchanged).
"""

from __future__ import annotations

import pytest

from bundler import api
from bundler.fit import signature
from bundler.fit.fdt import parse_fdt
from tests.fit_kit import fit_build as fb
from tests.fit_kit import sig_fits as sf
from tests.fit_kit.fit_native import E

pytestmark = pytest.mark.toolchain


@pytest.fixture(autouse=True)
def tools(need):
    need("mkimage", "dtc", "gcc", "openssl", "fdtput", "fdtget")


@pytest.fixture(scope="session")
def keys(tmp_path_factory):
    keydir = tmp_path_factory.mktemp("keys")
    return {bits: sf.make_key(keydir, f"dev{bits}", bits) for bits in (2048, 4096)} | \
        {"other": sf.make_key(keydir, "other", 2048)}


def untouched(region) -> bool:
    return region.read().count(0xA5) == region.size


def whole(region):
    return [(region.start, region.size)]


@pytest.mark.parametrize("bits,padding", sf.VARIANTS, ids=[f"rsa{b}-{p or 'default'}" for b, p in sf.VARIANTS])
def test_mkimage_signed_accepted(fitkit, region, tmp_path, keys, bits, padding):
    key = keys[bits]
    blob = sf.fit(tmp_path, region.start, key, padding)
    rc, boot = fitkit.load_signed(blob, [key.kit()], whole(region))
    assert rc == 0, fitkit.strerror(rc)
    loaded = region.read()
    region.fill(0xA5)
    rc0, boot0 = fitkit.load(blob, regions=whole(region))
    assert rc0 == 0 and region.read() == loaded
    assert (boot.entry, boot.fdt, boot.initrd_start, boot.initrd_end) == \
        (boot0.entry, boot0.fdt, boot0.initrd_start, boot0.initrd_end)
    # the key's name must match key-name-hint when given; any of several keys will do
    assert fitkit.load_signed(blob, [key.kit(key.name)], whole(region))[0] == 0
    assert fitkit.load_signed(blob, [keys["other"].kit(), key.kit()], whole(region))[0] == 0
    assert fitkit.load_signed(blob, [key.kit("someone-else")], whole(region))[0] == E["EFITSIG"]
    # REQUIRE_ALL: every key must have signed it
    assert fitkit.load_signed(blob, [keys["other"].kit(), key.kit()], whole(region),
                              require_all=True)[0] == E["EFITSIG"]
    assert fitkit.load_signed(blob, [key.kit()], whole(region), require_all=True)[0] == 0
    path = tmp_path / "signed.itb"
    path.write_bytes(blob)
    assert api.verify(path, keys=[key.pem]).ok


def test_wrong_key_and_unsigned_refused(fitkit, region, tmp_path, keys):
    blob = sf.fit(tmp_path, region.start, keys[2048], None)
    assert fitkit.load_signed(blob, [keys["other"].kit()], whole(region))[0] == E["EFITSIG"]
    assert fitkit.load_signed(blob, [keys[4096].kit()], whole(region))[0] == E["EFITSIG"]   # wrong size
    assert untouched(region)
    unsigned = sf.fit(tmp_path, region.start, keys[2048], None, sign=())
    assert fitkit.load_signed(unsigned, [keys[2048].kit()], whole(region))[0] == E["EFITUNSIGNED"]
    assert untouched(region)
    assert fitkit.load(unsigned, regions=whole(region))[0] == 0            # no keys: as before
    path = tmp_path / "unsigned.itb"
    path.write_bytes(unsigned)
    report = api.verify(path, keys=[keys[2048].pem])
    assert [f.code for f in report.errors] == ["fit-sig-unsigned"]


def test_every_signed_region_is_covered(fitkit, region, tmp_path, keys):
    """A byte flipped in the middle, at the start and at the end of each region the signature
    covers (as bundler.fit.signature computes them) is refused by the kit before it writes, and
    by bundle verify --key."""
    key = keys[2048]
    blob = sf.fit(tmp_path, region.start, key, None)
    fdt = parse_fdt(blob)
    conf = fdt.find_node("/configurations/conf-1")
    nodes = signature.signed_nodes(fdt, conf)
    strings = int(sf.fdtget(tmp_path, blob, "/configurations/conf-1/signature-1", "hashed-strings",
                            "x").split()[1], 16)
    regions = signature.covered_regions(blob, fdt, nodes, strings)
    assert len(regions) >= 8 and sum(b - a for a, b in regions) > 1000
    tried = 0
    for a, b in regions:
        for at in sorted({a, (a + b) // 2, b - 1}):
            bad = bytearray(blob)
            bad[at] ^= 0x01
            rc, _ = fitkit.load_signed(bytes(bad), [key.kit()], whole(region))
            assert rc < 0, f"flip at {at:#x} in [{a:#x}, {b:#x}) accepted"
            assert untouched(region), f"flip at {at:#x}: written before refusing"
            path = tmp_path / "flipped.itb"
            path.write_bytes(bytes(bad))
            try:
                ok = api.verify(path, keys=[key.pem]).ok
            except Exception:               # unreadable for the Python reader: refused too
                ok = False
            assert not ok, f"flip at {at:#x} passes bundle verify --key"
            tried += 1
    assert tried >= 3 * len(regions) - 2


def test_signature_value_and_image_data_flips(fitkit, region, tmp_path, keys):
    key = keys[4096]
    blob = sf.fit(tmp_path, region.start, key, "pss")
    voff, vlen = fb.prop_value_offset(blob, "signature-1", "value")
    for at in (voff, voff + vlen // 2, voff + vlen - 1):
        bad = bytearray(blob)
        bad[at] ^= 0x80
        assert fitkit.load_signed(bytes(bad), [key.kit()], whole(region))[0] == E["EFITSIG"]
    doff, dlen = fb.prop_value_offset(blob, "kernel-1", "data")
    bad = bytearray(blob)
    bad[doff + dlen // 2] ^= 0x01            # not in the signed regions: its sha256 hash catches it
    assert fitkit.load_signed(bytes(bad), [key.kit()], whole(region))[0] == E["EHASH"]
    assert untouched(region)


@pytest.mark.parametrize("name", list(sf.BYPASSES))
def test_bypass_layouts_refused(fitkit, region, tmp_path, keys, name):
    build, code, finding, config = sf.BYPASSES[name]
    key = keys[2048]
    blob = build(tmp_path, region.start, key)
    rc, _ = fitkit.load_signed(blob, [key.kit()], whole(region), config=config)
    assert rc == E[code], (fitkit.strerror(rc), code)
    assert untouched(region)
    path = tmp_path / "bypass.itb"
    path.write_bytes(blob)
    report = api.verify(path, keys=[key.pem])
    assert finding in {f.code for f in report.errors}, [str(f) for f in report.findings]


def test_signed_image_needs_sha256(fitkit, region, tmp_path, keys):
    """An image signed through a crc32 hash alone is refused: crc32 can be forged under the signature."""
    key = keys[2048]
    images = [fb.Image("kernel-1", fb.arm64_image(), "kernel", region.start, entry=region.start,
                       hashes=("crc32",))]
    f = fb.Fit(images, {"conf-1": {"kernel": "kernel-1"}},
               signatures={"conf-1": [(key.name, "sha256,rsa2048", None)]})
    blob = f.build(tmp_path, keydir=key.keydir)
    assert fitkit.load_signed(blob, [key.kit()], whole(region))[0] == E["EFITSIGHASH"]
    assert fitkit.load(blob, regions=whole(region))[0] == 0


def test_many_siblings_bounded(fitkit, region, tmp_path, keys):
    """257 image nodes: the kit's pairwise name check stops at 256 siblings (ELIMIT) instead of
    stalling on a hostile FIT. 200 more still boot: images the configuration does not reference
    are neither signed (U-Boot's regions leave them out) nor loaded."""
    blob = sf.fit(tmp_path, region.start, keys[2048], None)
    many = sf.fdtput(tmp_path, blob, "-c", *[f"/images/x{i}" for i in range(252)])
    assert fitkit.load_signed(many, [keys[2048].kit()], whole(region))[0] == E["ELIMIT"]
    assert untouched(region)
    fewer = sf.fdtput(tmp_path, blob, "-c", *[f"/images/x{i}" for i in range(200)])
    assert fitkit.load_signed(fewer, [keys[2048].kit()], whole(region))[0] == 0


def test_options_validated(fitkit, region, tmp_path, keys):
    blob = sf.fit(tmp_path, region.start, keys[2048], None)
    too_many = [keys[2048].kit()] * 33
    assert fitkit.load_signed(blob, too_many, whole(region))[0] == E["EINVAL"]
    bad_key = [(None, keys[2048].modulus[:-1] + bytes([keys[2048].modulus[-1] & 0xFE]), 65537)]   # even
    assert fitkit.load_signed(blob, bad_key, whole(region))[0] == E["EFITSIG"]
