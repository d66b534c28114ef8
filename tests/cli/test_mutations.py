"""Mutated host ELFs through every command: never an internal error or a
traceback, only a documented exit code; and whenever ``bundle`` succeeds,
``bundle verify`` passes on its output.

Mutations land where parsers trip: the ELF header, the program and section
header tables, the symbol and string tables, and the kit's descriptor.
Commands run in-process through ``bundler.cli.main`` (the same code path as
the console script) so that hypothesis can try hundreds of inputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.cli import EXIT_INTERNAL
from bundler.elf.reader import parse_elf
from bundler.elf import spec
from tests.support.cli import call_bundle
from tests.support.paths import SAMPLES
from tests.support.elf import ALL_KINDS, HostSpec, build_host, build_remote

DOCUMENTED = {0, 1, 2, 3, 4, 5}


def _regions(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of the bytes parsers read: headers, tables, descriptors."""
    elf = parse_elf(data)
    lay = elf.layout
    out = [(0, lay.ehdr.size),
           (elf.ehdr.e_phoff, elf.ehdr.e_phnum * lay.phdr.size),
           (elf.ehdr.e_shoff, len(elf.sections) * lay.shdr.size)]
    for sec in elf.sections:
        if sec.name in (".symtab", ".strtab", ".shstrtab", "remote_fw_desc") and sec.hdr.sh_size:
            out.append((sec.hdr.sh_offset, sec.hdr.sh_size))
    return [(o, n) for o, n in out if n]


def _hosts() -> dict[str, bytes]:
    hosts = {f"synthetic-{i}": build_host(HostSpec(elfclass=c, elfdata=d,
                                                   machine=spec.EM_ARM if c == 1 else spec.EM_RISCV))
             for i, (c, d) in enumerate(ALL_KINDS)}
    for sample in ("cortex-m3", "riscv64-amp"):
        path = SAMPLES / sample / "prebuilt" / "host.elf"
        if path.exists():
            hosts[sample] = path.read_bytes()
    return hosts


HOSTS = _hosts()
REGIONS = {name: _regions(data) for name, data in HOSTS.items()}


def run(*argv) -> tuple[int, str]:
    """Exit code and everything the command printed (stderr, then stdout)."""
    ran = call_bundle(*argv)
    return ran.returncode, ran.stderr + ran.stdout


def assert_documented(code: int, err: str, what: str):
    assert code != EXIT_INTERNAL, f"{what}: internal error: {err}"
    assert code in DOCUMENTED, f"{what}: exit {code}: {err}"
    assert "Traceback" not in err, f"{what}: {err}"


class Mutation:
    """A host and the edits made to it; its repr is short enough to read in a failure."""

    def __init__(self, name: str, edits: list[tuple[int, bytes]]):
        self.name, self.edits = name, edits

    def apply(self) -> bytes:
        data = bytearray(HOSTS[self.name])
        for pos, new in self.edits:
            data[pos:pos + len(new)] = new
        return bytes(data)

    def __repr__(self) -> str:
        return f"Mutation({self.name!r}, {[(hex(p), b.hex()) for p, b in self.edits]})"


@st.composite
def mutated(draw) -> Mutation:
    name = draw(st.sampled_from(sorted(HOSTS)))
    size = len(HOSTS[name])
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        offset, length = draw(st.sampled_from(REGIONS[name]))
        pos = offset + draw(st.integers(0, length - 1))
        width = min(draw(st.sampled_from([1, 2, 4, 8])), size - pos)   # a byte, or a whole count/offset
        edits.append((pos, draw(st.binary(min_size=width, max_size=width))))
    return Mutation(name, edits)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("mutations")
    (d / "remote.elf").write_bytes(build_remote(paddr=0x20200000))
    return d


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_hosts_never_crash_and_bundles_verify(workdir, case):
    name, data = case.name, case.apply()
    host, out = workdir / "host.elf", workdir / "out.elf"
    host.write_bytes(data)
    out.unlink(missing_ok=True)
    code, err = run(host, workdir / "remote.elf", "-o", out)
    assert_documented(code, err, f"bundle ({name})")
    assert out.exists() == (code == 0)
    if code == 0:
        vcode, verr = run("verify", out, "--remote", workdir / "remote.elf")
        assert vcode == 0, f"bundle succeeded ({name}) but verify failed:\n{verr}"
    for argv in (["inspect", host], ["inspect", host, "--json"], ["verify", host],
                 ["hex", host, "-o", workdir / "out.hex"], ["map", host, "-o", workdir / "out.svg"]):
        c, e = run(*argv)
        assert_documented(c, e, f"{argv[0]} ({name})")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_bundled_outputs_never_crash(workdir, case):
    """verify, inspect, extract, hex and map on a mutated *bundled* file."""
    name, data = case.name, case.apply()
    host = workdir / "h.elf"
    host.write_bytes(HOSTS[name])
    bundled = workdir / "b.elf"
    bundled.unlink(missing_ok=True)
    code, err = run(host, workdir / "remote.elf", "-o", bundled, "--name", "remote_elf")
    assert code == 0, err
    out = bytearray(bundled.read_bytes())
    # mutate the same relative places of the bundled file (its prefix is the host)
    for i in range(min(len(data), len(out))):
        if data[i] != HOSTS[name][i]:
            out[i] = data[i]
    bundled.write_bytes(bytes(out))
    for argv in (["verify", bundled], ["inspect", bundled, "--json"],
                 ["extract", bundled, "--name", "remote_elf", "-o", workdir / "x.bin"],
                 ["hex", bundled, "-o", workdir / "b.hex"], ["map", bundled, "-o", workdir / "b.html"]):
        c, e = run(*argv)
        assert_documented(c, e, f"{argv[0]} ({name}, bundled)")
