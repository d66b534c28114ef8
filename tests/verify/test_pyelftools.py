"""pyelftools in verify: a third independent reading of every output, beside LIEF's.
The readers agree on clean bundles; a disagreement injected at the adapter's
boundary becomes a ``pyelftools-disagree`` finding naming what differs; a file
where the readers really diverge is reported; pyelftools' failures are findings,
never tracebacks."""

from __future__ import annotations

import pytest

from bundler.adapters import pyelftools as elftools_adapter
from bundler.checks import verify
from bundler.elf import spec
from bundler.elf.reader import parse_elf
from bundler.errors import BadInputError
from bundler.postlink import bundling as core
from bundler.records import replace
from tests.support.cli import run_bundle
from tests.support.elf import ALL_KINDS, HostSpec, build_host, kind_id
from tests.support.paths import SAMPLES
from tests.support.patch import patch
from tests.support.rsc import build_remote_elf, sample_table

SHF_COMPRESSED = 0x800


def host_for(kind) -> bytes:
    machine = spec.EM_ARM if kind[0] == spec.ELFCLASS32 else spec.EM_AARCH64
    return build_host(HostSpec(elfclass=kind[0], elfdata=kind[1], machine=machine))


def bundled(kind=ALL_KINDS[0]) -> bytes:
    remote = build_remote_elf(sample_table(e=spec.Layout(*kind).endian), elfclass=kind[0], elfdata=kind[1])
    h = parse_elf(host_for(kind))
    return core.bundle(h, [core.Remote(stem="remote_elf", data=remote, label="remote_elf")]).to_bytes()


CLEAN = bundled()


def elftools_findings(report):
    return [f for f in report.findings if f.code.startswith("pyelftools-")]


@pytest.mark.parametrize("kind", ALL_KINDS, ids=kind_id)
def test_the_readers_agree_on_a_clean_bundle(kind):
    data = bundled(kind)
    elf, theirs = parse_elf(data), elftools_adapter.read(data)
    assert elftools_adapter.differences(elf, theirs) == []
    # what it read is what matters: the image's section, its PT_LOAD, the symbols, the descriptor
    assert ".remote_fw.remote_elf" in [s.name for s in theirs.sections]
    assert len(theirs.loads) == sum(1 for p in elf.segments if p.p_type == spec.PT_LOAD) >= 2
    assert {s.name for s in theirs.symbols} >= {"_binary_remote_elf_start", "_binary_remote_elf_end",
                                                "_binary_remote_elf_size"}
    assert theirs.descriptors is not None and theirs.descriptors[:4] in (b"RFWD", b"DWFR")


def test_the_prebuilt_samples_read_alike():
    for path in sorted(SAMPLES.glob("*/prebuilt/*.elf")):
        data = path.read_bytes()
        assert elftools_adapter.differences(parse_elf(data), elftools_adapter.read(data)) == [], path


def _injected(monkeypatch, change):
    """verify of CLEAN with pyelftools' reading changed by ``change`` at the adapter's boundary."""
    real = elftools_adapter.read
    monkeypatch.setattr(elftools_adapter, "read", lambda data, **kw: change(real(data, **kw)))
    return verify(parse_elf(CLEAN))


def test_a_section_read_differently_is_reported(monkeypatch):
    def change(theirs):
        i = next(s.index for s in theirs.sections if s.name == ".remote_fw.remote_elf")
        sections = [replace(s, sh_addr=s.sh_addr + 8) if s.index == i else s for s in theirs.sections]
        return replace(theirs, sections=sections)
    (f,) = elftools_findings(_injected(monkeypatch, change))
    assert f.code == "pyelftools-disagree" and f.severity == "error"
    assert "(.remote_fw.remote_elf), bundle / pyelftools: sh_addr" in f.message


def test_a_pt_load_read_differently_is_reported(monkeypatch):
    def change(theirs):
        last = theirs.loads[-1]
        return replace(theirs, loads=[*theirs.loads[:-1], replace(last, p_filesz=last.p_filesz - 1)])
    (f,) = elftools_findings(_injected(monkeypatch, change))
    last = sum(1 for p in parse_elf(CLEAN).segments if p.p_type == spec.PT_LOAD) - 1
    assert f.message.startswith(f"PT_LOAD {last}, bundle / pyelftools: p_filesz"), f.message


def test_a_binary_symbol_read_differently_is_reported(monkeypatch):
    def change(theirs):
        return replace(theirs, symbols=[replace(s, st_value=s.st_value + 1) if s.name == "_binary_remote_elf_end"
                                        else s for s in theirs.symbols])
    (f,) = elftools_findings(_injected(monkeypatch, change))
    assert "_binary_ symbols differ" in f.message and "_binary_remote_elf_end" in f.message


def test_descriptor_bytes_read_differently_are_reported(monkeypatch):
    def change(theirs):
        return replace(theirs, descriptors=theirs.descriptors[:-1] + bytes([theirs.descriptors[-1] ^ 1]))
    (f,) = elftools_findings(_injected(monkeypatch, change))
    assert "remote_fw_desc section's bytes differ" in f.message


def test_a_file_the_readers_really_read_differently():
    """SHF_COMPRESSED on the descriptor section: bundle reads the section's bytes as they
    are (the kit reads them so, at their address), pyelftools takes them for a compression
    header and cannot read them: a finding, not a traceback."""
    elf = parse_elf(CLEAN)
    sec = elf.find_section("remote_fw_desc")
    at = elf.ehdr.e_shoff + sec.index * elf.layout.shdr.size
    flags = replace(sec.hdr, sh_flags=sec.hdr.sh_flags | SHF_COMPRESSED)
    bad = patch(CLEAN, at, elf.layout.shdr.pack(flags))
    with pytest.raises(BadInputError, match="pyelftools cannot read this ELF file"):
        elftools_adapter.read(bad)
    report = verify(parse_elf(bad))
    (f,) = elftools_findings(report)
    assert f.code == "pyelftools-unreadable" and not report.ok
    assert "parser-disagree" not in report.codes("error")       # LIEF reads the flag as bundle does


def test_unreadable_file_on_the_command_line(tmp_path):
    elf = parse_elf(CLEAN)
    sec = elf.find_section("remote_fw_desc")
    at = elf.ehdr.e_shoff + sec.index * elf.layout.shdr.size
    bad = tmp_path / "bad.elf"
    bad.write_bytes(patch(CLEAN, at, elf.layout.shdr.pack(replace(sec.hdr, sh_flags=sec.hdr.sh_flags
                                                                  | SHF_COMPRESSED))))
    proc = run_bundle("verify", bad)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "[pyelftools-unreadable]" in proc.stdout + proc.stderr


@pytest.mark.parametrize("machine", [62, 3], ids=["EM_X86_64", "EM_386"])
def test_a_big_endian_file_of_a_little_endian_machine_is_read_by_pyelftools_where_lief_reads_nothing(tmp_path, machine):
    """LIEF takes the byte order from e_machine where it knows the machine: a big-endian
    host whose e_machine says x86 reads as nothing to it. That is LIEF's limit, not the
    file's (readelf, pyelftools and the loaders go by e_ident): a warning, and pyelftools
    still checks the bundle (found by tests/cli/test_mutations.py)."""
    import bundler
    from tests.support.elf import build_remote
    host = bytearray(build_host(HostSpec(elfclass=spec.ELFCLASS32, elfdata=spec.ELFDATA2MSB, machine=spec.EM_ARM)))
    host[0x12:0x14] = machine.to_bytes(2, "big")
    (tmp_path / "host.elf").write_bytes(host)
    (tmp_path / "remote.elf").write_bytes(build_remote())
    assert run_bundle(tmp_path / "host.elf", tmp_path / "remote.elf", "-o", tmp_path / "out.elf").returncode == 0
    report = bundler.verify(tmp_path / "out.elf", remotes=[tmp_path / "remote.elf"])
    codes = {f.code: f.severity for f in report.findings}
    assert codes.get("lief-no-reading") == "warning", codes
    assert "parser-disagree" not in codes and "pyelftools-disagree" not in codes
    assert report.ok
