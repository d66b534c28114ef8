"""Signed remotes offline (issue 19): ``bundle --sign``, ``bundle verify --key``,
``bundle inspect`` on the Cortex-M3 sample's committed ELFs (built by the real
toolchain), and every tamper class of tests/support/signed.py judged by the
offline check with its own finding code. The kit's side of the same classes is
tests/kit/test_kit_auth.py.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from bundler import api
from bundler.elf.reader import parse_elf
from bundler.signing import manifest as mf
from bundler.signing.check import judge
from bundler.signing.keys import raw_public
from tests.support.cli import call_bundle
from tests.support.paths import ROOT
from tests.support.signed import KEY, OTHER, THIRD, tamper_classes
from tests.support.tools import need_tool

PREBUILT = ROOT / "samples" / "cortex-m3" / "prebuilt"
HOST, REMOTE = PREBUILT / "host.elf", PREBUILT / "remote.elf"


def _pem(tmp_path, name: str, key) -> tuple:
    priv = tmp_path / f"{name}.pem"
    pub = tmp_path / f"{name}.pub.pem"
    priv.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    return priv, pub


@pytest.fixture
def keys(tmp_path):
    return _pem(tmp_path, "key", KEY), _pem(tmp_path, "other", OTHER)


@pytest.fixture
def signed(tmp_path, keys):
    (priv, _), _ = keys
    out = tmp_path / "signed.elf"
    r = call_bundle(HOST, REMOTE, "-o", out, "--sign", priv, "--security-counter", "3", "--version", "1.2.3")
    assert r.returncode == 0, r.stderr
    return out


def codes(stdout: str) -> list[str]:
    return [f["code"] for f in json.loads(stdout)["findings"] if f["code"].startswith("sig-")]


def test_openssl_keys_sign_and_verify(tmp_path):
    need_tool("openssl")
    key, pub = tmp_path / "k.pem", tmp_path / "pub.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True)
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True)
    out = tmp_path / "o.elf"
    assert call_bundle(HOST, REMOTE, "-o", out, "--sign", key, "--version", "2.0.1").returncode == 0
    r = call_bundle("verify", out, "--key", pub)
    assert r.returncode == 0, r.stdout
    assert "[sig-ok]" in r.stdout and "version 2.0.1" in r.stdout and "security counter 0" in r.stdout


def test_verify_with_the_right_key_passes(signed, keys):
    (_, pub), _ = keys
    r = call_bundle("verify", signed, "--key", pub, "--json")
    assert r.returncode == 0
    assert codes(r.stdout) == ["sig-ok"]


def test_verify_with_another_key_fails(signed, keys):
    _, (_, other_pub) = keys
    r = call_bundle("verify", signed, "--key", other_pub)
    assert r.returncode == 1
    assert "[sig-unknown-key]" in r.stdout


def test_repeated_keys_any_one_suffices(signed, keys):
    (_, pub), (_, other_pub) = keys
    assert call_bundle("verify", signed, "--key", other_pub, "--key", pub).returncode == 0


def test_an_unsigned_image_fails_verify_with_a_key(tmp_path, keys):
    (_, pub), _ = keys
    out = tmp_path / "plain.elf"
    assert call_bundle(HOST, REMOTE, "-o", out).returncode == 0
    r = call_bundle("verify", out, "--key", pub, "--json")
    assert r.returncode == 1 and codes(r.stdout) == ["sig-unsigned"]
    assert call_bundle("verify", out).returncode == 0          # without --key: not asked for


def test_a_flipped_byte_in_the_bundled_image_is_a_digest_finding(tmp_path, signed, keys):
    (_, pub), _ = keys
    elf = parse_elf(signed.read_bytes())
    sec = elf.find_section(".remote_fw.remote_elf")
    inner = parse_elf(bytes(elf.section_bytes(sec)))
    seg = next(inner.iter_loads())
    data = bytearray(signed.read_bytes())
    data[sec.hdr.sh_offset + seg.p_offset + 8] ^= 0x40
    bad = tmp_path / "bad.elf"
    bad.write_bytes(data)
    r = call_bundle("verify", bad, "--key", pub, "--json")
    assert r.returncode == 1
    assert "sig-digest" in codes(r.stdout)


def test_resign_and_rebundle_are_byte_exact(tmp_path, signed, keys):
    (priv, _), _ = keys
    again = tmp_path / "again.elf"
    r = call_bundle(signed, REMOTE, "--replace", "-o", again, "--sign", priv, "--security-counter", "3",
                    "--version", "1.2.3")
    assert r.returncode == 0, r.stderr
    assert again.read_bytes() == signed.read_bytes()
    # another image added later keeps the signed one's manifest byte for byte
    more = tmp_path / "more.elf"
    assert call_bundle(signed, PREBUILT / "remote-bad.elf", "--name", "extra", "-o", more).returncode == 0
    back = tmp_path / "back.elf"
    assert call_bundle(more, PREBUILT / "remote-bad.elf", "--name", "extra", "--replace", "-o", back,
                       ).returncode == 0
    m1 = parse_elf(signed.read_bytes())
    m2 = parse_elf(back.read_bytes())
    s1, s2 = (m.find_section(".remote_fw_sig.remote_elf") for m in (m1, m2))
    assert bytes(m1.section_bytes(s1)) == bytes(m2.section_bytes(s2))


def test_inspect_shows_the_signature(signed):
    r = call_bundle("inspect", signed)
    assert r.returncode == 0
    assert "security counter 3, version 1.2.3" in r.stdout
    assert f"key id {__import__('hashlib').sha256(raw_public(KEY)).hexdigest()[:16]}" in r.stdout
    sig = json.loads(call_bundle("inspect", signed, "--json").stdout)["images"][0]["signature"]
    assert sig["codes"] == [] and sig["version"] == "1.2.3" and sig["security_counter"] == 3


def test_python_api_signs(tmp_path, keys):
    (priv, pub), _ = keys
    outcome = api.bundle(HOST, [REMOTE], tmp_path / "api.elf", sign=priv, security_counter=9, version="0.9.1")
    assert outcome.images[0].sig_section == ".remote_fw_sig.remote_elf"
    report = api.verify(tmp_path / "api.elf", keys=[pub])
    assert report.ok and "security counter 9, version 0.9.1" in report.findings[-1].message


@pytest.mark.parametrize("argv, what", [
    (["--sign", "{pub}"], "is a public key, not the private key"),
    (["--sign", "{host}"], "is no PEM private key"),
    (["--security-counter", "3"], "without a signing key"),
])
def test_bad_keys_and_options_write_nothing(tmp_path, keys, argv, what):
    (_, pub), _ = keys
    out = tmp_path / "never.elf"
    argv = [a.format(pub=pub, host=HOST) for a in argv]
    r = call_bundle(HOST, REMOTE, "-o", out, *argv)
    assert r.returncode in (2, 3) and what in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_key_of_another_type_is_exit_3(tmp_path):
    need_tool("openssl")
    rsa = tmp_path / "rsa.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa],
                   check=True, capture_output=True)
    r = call_bundle(HOST, REMOTE, "-o", tmp_path / "x.elf", "--sign", rsa)
    assert r.returncode == 3 and "holds an RSA key, not an Ed25519 private key" in r.stderr
    assert call_bundle("verify", HOST, "--key", rsa).returncode == 3


CLASSES = tamper_classes(0x10000000)


@pytest.mark.parametrize("name", [n for n, c in CLASSES.items() if c[3] is not None])
def test_tamper_class_has_its_finding(name):
    (image, manifest), kw, _, code = CLASSES[name]
    trusted = [raw_public(k) for k in kw.get("keys", (KEY,))]
    found = [f.code for f in judge("alpha", image, manifest, trusted)]
    assert found and found[0] == code, found
    assert "sig-ok" not in found


def test_tamper_findings_are_distinct_enough():
    found = {c[3] for c in CLASSES.values() if c[3] is not None}
    assert len(found) >= 13
    trusted = [raw_public(k) for k in (KEY, THIRD)]
    (image, manifest), _, _, _ = CLASSES["unknown-key"]
    assert [f.code for f in judge("alpha", image, manifest, trusted)] == ["sig-ok"]


def test_bundle_object_sign_puts_the_manifest_after_the_image(tmp_path, keys):
    (priv, _), _ = keys
    obj = tmp_path / "remote.o"
    r = call_bundle("object", REMOTE, "-o", obj, "--target", "arm", "--sign", priv, "--version", "1.0.0")
    assert r.returncode == 0, r.stderr
    elf = parse_elf(obj.read_bytes())
    sec = elf.find_section(".rodata.remote_fw.remote_elf")
    image = REMOTE.read_bytes()
    assert elf.find_symbol("_binary_remote_elf_end").st_value == len(image)
    assert elf.find_symbol("_binary_remote_elf_size").st_value == len(image)
    data = bytes(elf.section_bytes(sec))
    at = len(image) + (-len(image) % 8)
    assert data[:len(image)] == image and not any(data[len(image):at])
    m = mf.decode(data[at:])
    assert (m.stem, m.version_text, len(data)) == ("remote_elf", "1.0.0", at + mf.size_of(data[at:]))
    assert [f.code for f in judge("remote_elf", image, data[at:], [raw_public(KEY)])] == ["sig-ok"]


def test_bundle_object_sign_needs_8_byte_alignment(tmp_path, keys):
    (priv, _), _ = keys
    r = call_bundle("object", REMOTE, "-o", tmp_path / "r.o", "--target", "arm", "--sign", priv, "--align", "4")
    assert r.returncode == 2 and "needs 8-byte alignment" in r.stderr
    assert not (tmp_path / "r.o").exists()
