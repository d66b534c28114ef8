"""End to end, pre-link: samples/cortex-m3's host linked with `bundle object`'s
output (the Makefile's `object` target; --target arm, or --like the host's
main.o through OBJECT_LIKE) boots in QEMU mps2-an385, prints the base and size
the linker gave the symbols, and starts the remote. The same host source,
post-link bundled instead, boots too and carries the same image.
"""

from __future__ import annotations

import shutil

import pytest

from tests.support.tools import need_tool
from tests.e2e.conftest import (BUNDLE_CMD, RE_IMAGE, REMOTE_OK, bundle, check_image_lines,
                                elf_symbols, make_sample, qemu_boot)
from tests.object.toolchains import check_linked

pytestmark = [pytest.mark.toolchain, pytest.mark.slow]

SAMPLE = "cortex-m3"


def boot(elf):
    return qemu_boot(["qemu-system-arm", "-M", "mps2-an385", "-nographic", "-semihosting",
                      "-kernel", str(elf)])


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    need_tool("make", "arm-none-eabi-gcc", "qemu-system-arm")
    out = tmp_path_factory.mktemp("m3-object") / "build"
    make_sample(SAMPLE, out, "all")
    return out


@pytest.mark.parametrize("how", ["target", "like"])
def test_prelink_object_boots(build, tmp_path, how):
    shutil.rmtree(build / "object", ignore_errors=True)
    (build / "host-object.elf").unlink(missing_ok=True)
    extra = {"OBJECT_LIKE": str(build / "host" / "main.o")} if how == "like" else {}
    proc = make_sample(SAMPLE, build, "object", BUNDLE=BUNDLE_CMD, **extra)
    assert ("--like" in proc.stdout) == (how == "like"), proc.stdout
    elf = build / "host-object.elf"
    remote = build / "remote.elf"

    # the linker filled the descriptor from the object's symbols
    check_linked(elf, "remote_elf", remote.read_bytes())

    b = boot(elf)
    assert not b.timed_out, b
    base, size = check_image_lines(b, elf, remote)          # printed == symbols == file
    syms = elf_symbols(elf)
    assert (base, size) == (syms["_binary_remote_elf_start"], syms["_binary_remote_elf_size"])
    assert base % 8 == 0
    assert b.has("host: checksum none: no checksum recorded"), b
    assert b.has(REMOTE_OK) and b.lines.index(REMOTE_OK) > b.lines.index("host: starting remote"), b
    assert b.returncode == 0, b

    # the same host source, post-link: bundled into host.elf instead
    combined = bundle(build / "host.elf", remote, tmp_path / "combined.elf")
    post = boot(combined)
    assert not post.timed_out and post.returncode == 0, post
    assert int(post.find(RE_IMAGE)["size"], 16) == size
    assert post.has("host: checksum ok") and post.has(REMOTE_OK), post
