"""bundle verify FIT --key and bundle inspect on FITs signed by Debian's mkimage.

The Python side of the signature rules (bundler/fit/signature.py): the CLI's
text, exit codes and refusals. The kit's side, and the bypass layouts on
both, are in tests/fit_kit/test_fit_sig.py; bundler.fit.signature's digest is
proven there too (the kit accepts exactly what it computes).
"""

from __future__ import annotations

import hashlib

import pytest

from bundler.fit import signature
from bundler.fit.fdt import parse_fdt
from tests.fit_kit import sig_fits as sf

pytestmark = pytest.mark.toolchain
BASE = 0x48000000


@pytest.fixture(autouse=True)
def tools(need):
    need("mkimage", "dtc", "openssl", "fdtput", "fdtget")


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    keydir = tmp_path_factory.mktemp("keys")
    return {"dev": sf.make_key(keydir, "dev", 2048), "other": sf.make_key(keydir, "other", 2048)}


@pytest.fixture(scope="module")
def signed(tmp_path_factory, keys):
    tmp = tmp_path_factory.mktemp("signed")
    path = tmp / "linux.itb"
    path.write_bytes(sf.fit(tmp, BASE, keys["dev"], "pss"))
    return path


def test_verify_key_ok_and_wrong(bundle_cli, signed, keys):
    ok = bundle_cli("verify", signed, "--key", keys["dev"].pem)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "signature-1: sha256,rsa2048, padding pss, key-name-hint dev: VALID (key " in ok.stdout
    assert ("signs: / /configurations/conf-1 /images/kernel-1 /images/kernel-1/hash-1 /images/kernel-1/hash-2 "
            "/images/fdt-1") in ok.stdout
    both = bundle_cli("verify", signed, "--key", keys["other"].pem, "--key", keys["dev"].pem)
    assert both.returncode == 0
    bad = bundle_cli("verify", signed, "--key", keys["other"].pem)
    assert bad.returncode == 1
    assert "INVALID with every --key" in bad.stdout and "[fit-sig-invalid]" in bad.stdout


def test_inspect_lists_signature_nodes(bundle_cli, signed):
    out = bundle_cli("inspect", signed, check=True).stdout
    assert "signature-1: sha256,rsa2048, padding pss, key-name-hint dev: not checked" in out
    assert "signs: / /configurations/conf-1 /images/kernel-1" in out


def test_digest_is_the_covered_bytes(signed, keys):
    """The digest bundle verify checks is SHA-256 over the regions; hashed-nodes as mkimage wrote it
    equals the rebuilt list."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    data = signed.read_bytes()
    fdt = parse_fdt(data)
    conf = fdt.find_node("/configurations/conf-1")
    sig = fdt.find_node("/configurations/conf-1/signature-1")
    nodes = signature.signed_nodes(fdt, conf)
    assert sorted(n.path for n in nodes) == sorted(sig.find_strings("hashed-nodes"))
    size = sig.find_property("hashed-strings").value
    covered = signature.covered_bytes(data, fdt, nodes, int.from_bytes(size[4:8], "big"))
    pub = load_pem_public_key(keys["dev"].pem.read_bytes())
    pub.verify(sig.find_property("value").value, covered,
               padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO), hashes.SHA256())
    assert hashlib.sha256(covered).digest() != hashlib.sha256(covered + b"x").digest()


def test_bad_keys_and_inputs(bundle_cli, signed, keys, tmp_path):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n")
    r = bundle_cli("verify", signed, "--key", garbage)
    assert r.returncode == 3 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2 and "garbage.pem" in r.stderr
    ed = tmp_path / "ed.pem"
    sf.fb.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", tmp_path / "ed.key"])
    sf.fb.run(["openssl", "pkey", "-in", tmp_path / "ed.key", "-pubout", "-out", ed])
    r = bundle_cli("verify", signed, "--key", ed)
    assert r.returncode == 3 and "not RSA" in r.stderr
    r = bundle_cli("verify", keys["dev"].pem, "--key", keys["dev"].pem)
    assert r.returncode in (2, 3) and "Traceback" not in r.stderr
