"""Where things are: the checkout, the kit, the samples, the test data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "linker"
SAMPLES = ROOT / "samples"
DATA = ROOT / "tests" / "data"

# The kit's C units (linker/), as bundle.mk and RemoteFw.cmake list them
# (tests/buildsys/test_kit_sources.py holds the three lists together).
# KIT_SOURCES: remote_fw_find/_verify/_check/_load/_rsc_table/_crc32/_strerror.
KIT_SOURCES = [KIT / n for n in ("remote_fw.c", "remote_fw_crc32.c", "remote_fw_elf.c",
                                 "remote_fw_rsc.c")]
# AUTH_SOURCES: remote_fw_load_authenticated (with KIT_SOURCES).
AUTH_SOURCES = [KIT / n for n in ("remote_fw_auth.c", "remote_fw_ed25519.c", "remote_fw_sha512.c",
                                  "remote_fw_sha256.c")]
# FIT_SOURCES: remote_fw_fit_load/_load_opts/_enter, _sha256, _inflate, _gunzip, the
# signature check and RSA (with KIT_SOURCES).
FIT_SOURCES = [KIT / n for n in ("remote_fw_fit.c", "remote_fw_fdt.c", "remote_fw_inflate.c",
                                 "remote_fw_inffast.c", "remote_fw_sha256.c", "remote_fw_sha1.c",
                                 "remote_fw_boot.c", "remote_fw_fit_sig.c", "remote_fw_rsa.c")]
