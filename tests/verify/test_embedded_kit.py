"""The kit's rules stated once: what ``verify`` says of each embedded ELF of a bundle is
what the kit profile (``verify REMOTE.elf --loader kit``) says of the same bytes, with
the bundle's host as the machine; ``--loader kit`` on a bundle states it once."""

from __future__ import annotations

import pytest

from bundler.checks import verify
from bundler.elf import spec
from bundler.elf.reader import parse_elf
from bundler.loaders import verify_firmware
from bundler.loaders.base import Host
from bundler.postlink import bundling as core
from bundler.records import replace
from tests.support.elf import HostSpec, build_host
from tests.support.rsc import build_remote_elf, sample_table

LE32 = spec.Layout(spec.ELFCLASS32, spec.ELFDATA2LSB)
REMOTE = build_remote_elf(sample_table())
KIT_LOAD_CODES = {"kit-enotelf", "kit-ebounds", "kit-esegment", "kit-eregion", "kit-enoload"}


def host(elfclass=spec.ELFCLASS32) -> bytes:
    machine = spec.EM_ARM if elfclass == spec.ELFCLASS32 else spec.EM_AARCH64
    return build_host(HostSpec(elfclass=elfclass, elfdata=spec.ELFDATA2LSB, machine=machine))


def bundled(remote: bytes, host_bytes: bytes) -> bytes:
    h = parse_elf(host_bytes)
    return core.bundle(h, [core.Remote(stem="remote_elf", data=remote, label="remote_elf")]).to_bytes()


def with_phdr0(remote: bytes, **fields) -> bytes:
    ehdr = LE32.ehdr.unpack(remote)
    ph = LE32.phdr.unpack(remote, ehdr.e_phoff)
    at = ehdr.e_phoff
    return remote[:at] + LE32.phdr.pack(replace(ph, **fields)) + remote[at + LE32.phdr.size:]


def with_ehdr(remote: bytes, **fields) -> bytes:
    return LE32.ehdr.pack(replace(LE32.ehdr.unpack(remote), **fields)) + remote[LE32.ehdr.size:]


PH0 = LE32.phdr.unpack(REMOTE, LE32.ehdr.unpack(REMOTE).e_phoff)
DAMAGED = {
    "segment-past-the-end": (with_phdr0(REMOTE, p_filesz=len(REMOTE)), "kit-ebounds"),
    "filesz-over-memsz": (with_phdr0(REMOTE, p_memsz=PH0.p_filesz - 1), "kit-esegment"),
    "phdrs-past-the-end": (with_ehdr(REMOTE, e_phoff=len(REMOTE) - 8), "kit-ebounds"),
    "unknown-class": (REMOTE[:spec.EI_CLASS] + b"\x07" + REMOTE[spec.EI_CLASS + 1:], "kit-enotelf"),
    "bad-phentsize": (with_ehdr(REMOTE, e_phentsize=LE32.phdr.size + 4), "kit-enotelf"),
    "no-program-headers": (with_ehdr(REMOTE, e_phnum=0), "kit-enoload"),
}


def kit_view(findings):
    return [(f.code, f.severity, f.message, f.address, f.size) for f in findings if f.code in KIT_LOAD_CODES]


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_bundle_reports_what_the_kit_profile_reports(case):
    remote, code = DAMAGED[case]
    report = verify(parse_elf(bundled(remote, host())))
    alone = verify_firmware(remote, "kit", host=Host("little", 32))
    in_bundle = kit_view(report.findings)
    assert [c for c, *_ in in_bundle] == [code], [str(f) for f in report.findings]
    assert in_bundle == kit_view(alone.findings)
    assert all(f.stem == "remote_elf" for f in report.findings if f.code in KIT_LOAD_CODES)
    assert f"remote_fw_load returns REMOTE_FW_{code[4:].upper()}" in in_bundle[0][2]


def test_the_host_word_size_bounds_the_remote():
    """A 64-bit remote linked above 4 GiB: a 32-bit host's remote_fw_load refuses it
    (REMOTE_FW_EREGION), a 64-bit host's loads it."""
    remote = build_remote_elf(sample_table(), elfclass=spec.ELFCLASS64, machine=spec.EM_AARCH64,
                              text_addr=0x1_0000_0000)
    le64 = spec.Layout(spec.ELFCLASS64, spec.ELFDATA2LSB)      # e_entry 0: only the segments are out of reach
    remote = le64.ehdr.pack(replace(le64.ehdr.unpack(remote), e_entry=0)) + remote[le64.ehdr.size:]
    on32 = verify(parse_elf(bundled(remote, host(spec.ELFCLASS32))))
    assert [c for c, *_ in kit_view(on32.findings)] == ["kit-eregion"]
    assert "not addressable by a 32-bit host" in kit_view(on32.findings)[0][2]
    on64 = verify(parse_elf(bundled(remote, host(spec.ELFCLASS64))))
    assert kit_view(on64.findings) == [], [str(f) for f in on64.findings]


def test_loader_kit_on_a_bundle_states_it_once():
    remote, _ = DAMAGED["segment-past-the-end"]
    data = bundled(remote, host())
    findings = verify(parse_elf(data), loader="kit").findings
    assert [f.code for f in findings if f.code in KIT_LOAD_CODES] == ["kit-ebounds"]
    # with --memory the kit's regions are judged too, by the same profile
    clean = verify(parse_elf(bundled(REMOTE, host())), loader="kit", memory=[(0x0, 0x1000)]).findings
    assert {f.code for f in clean if f.code in KIT_LOAD_CODES} == {"kit-eregion"}


def test_a_clean_remote_gets_no_kit_finding():
    report = verify(parse_elf(bundled(REMOTE, host())))
    assert report.findings == [], [str(f) for f in report.findings]
