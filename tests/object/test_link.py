"""`bundle object`'s output linked into a tiny host by the real linkers.

For every target: GNU ld (through the target's gcc) and ld.lld where it
handles the target, plain, with --gc-sections, and with a host script that
INCLUDEs the kit's remote_fw.ld. The object goes FIRST on the link line (where
objcopy's ARM object makes GNU ld fail). Every link must succeed with an empty
stderr, and afterwards the symbols, the image bytes and the kit's descriptor
must agree (tests/object/toolchains.py: check_linked).
"""

from __future__ import annotations

import random

import pytest

from tests.support.tools import need_tool

from tests.support.cli import run_bundle
from tests.object.toolchains import TOOLCHAINS, check_linked, compile_host, link_gnu, link_lld

pytestmark = pytest.mark.toolchain

STEM = "remote_elf"
IMAGE = random.Random(1).randbytes(1001)     # odd size: _end is not aligned

VARIANTS = {          # name -> (linker, --gc-sections, host script with remote_fw.ld)
    "gnu": ("gnu", False, False),
    "gnu-gc": ("gnu", True, False),
    "gnu-script-gc": ("gnu", True, True),
    "lld": ("lld", False, False),
    # ld.lld 14 drops the kit's descriptor section under --gc-sections unless
    # the host script KEEPs it (remote_fw.ld does): lld treats __start_/__stop_
    # references as no reason to keep a section (-z start-stop-gc).
    "lld-script-gc": ("lld", True, True),
}


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """Per target: the host's objects, compiled once."""
    cache = {}

    def get(target: str):
        if target not in cache:
            tc = TOOLCHAINS[target]
            need_tool(tc.tool)
            cache[target] = compile_host(tc, tmp_path_factory.mktemp(f"host-{target}"), STEM)
        return cache[target]
    return get


@pytest.fixture(scope="module")
def objects(tmp_path_factory, hosts):
    """Per (target, how): the object `bundle object` wrote, through the real CLI."""
    cache = {}

    def get(target: str, how: str):
        if (target, how) not in cache:
            d = tmp_path_factory.mktemp(f"obj-{target}-{how}")
            remote = d / "remote.elf"
            remote.write_bytes(IMAGE)
            out = d / "remote.o"
            mode = ["--target", target] if how == "target" else ["--like", hosts(target)[0]]
            proc = run_bundle("object", remote, "-o", out, *mode)
            assert proc.returncode == 0 and proc.stderr == "", proc.stderr
            cache[target, how] = out
        return cache[target, how]
    return get


def cases(variants):
    """(target, variant) pairs, without ld.lld where it cannot link the target (armeb)."""
    return [(t, v) for t in TOOLCHAINS for v in variants
            if VARIANTS[v][0] == "gnu" or TOOLCHAINS[t].lld]


def _link(target, objs, out, variant):
    linker, gc, script = VARIANTS[variant]
    tc = TOOLCHAINS[target]
    if linker == "lld":
        need_tool("ld.lld")
        return link_lld(objs, out, gc=gc, script=script)
    return link_gnu(tc, objs, out, gc=gc, script=script)


@pytest.mark.parametrize("target, variant", cases(VARIANTS))
def test_links_clean_and_fills_descriptor(hosts, objects, tmp_path, target, variant):
    host_objs = hosts(target)
    obj = objects(target, "target")
    out = tmp_path / "host.elf"
    proc = _link(target, [obj, *host_objs], out, variant)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", f"the linker warned:\n{proc.stderr}"
    check_linked(out, STEM, IMAGE)


@pytest.mark.parametrize("target, variant", cases(["gnu", "gnu-gc", "lld"]))
def test_like_host_object_links_clean(hosts, objects, tmp_path, target, variant):
    """--like the host's own main object: the same result, header copied from it."""
    host_objs = hosts(target)
    obj = objects(target, "like")
    out = tmp_path / "host.elf"
    proc = _link(target, [obj, *host_objs], out, variant)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    check_linked(out, STEM, IMAGE)


@pytest.mark.parametrize("target", ["arm", "riscv64", "x86_64"])
def test_object_last_on_the_line_too(hosts, objects, tmp_path, target):
    """Order does not matter (objcopy's ARM object only links when it comes last)."""
    out = tmp_path / "host.elf"
    proc = _link(target, [*hosts(target), objects(target, "target")], out, "gnu-gc")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    check_linked(out, STEM, IMAGE)
