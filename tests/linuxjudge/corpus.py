"""The production corpus (tests/data/linuxjudge/corpus.json): remoteproc firmware that
Debian bookworm ships in its non-free-firmware component, fetched at test time by
package, version and sha256, never committed (their licences allow redistribution
of the packages, not of copies in this repository).

What it owns: fetching the files (:func:`fetch`: the pinned package version while
the archive has it, else the current one; every file must still have its
sha256), the per-driver checks that hold each file against the reason the table
quotes from its driver's source (:data:`CHECKS`), and the table rendered for
docs/verify.md (:func:`markdown`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bundler.elf import spec
from tests.linuxjudge import debian
from tests.support.paths import DATA

TABLE = DATA / "linuxjudge" / "corpus.json"
PF_HASH_MASK, PF_HASH = 0x7 << 24, 0x2 << 24      # QCOM_MDT_TYPE_MASK, QCOM_MDT_TYPE_HASH (mdt_loader.c)
SZ_1M = 1 << 20


def table() -> dict:
    return json.loads(TABLE.read_text())


def fetch() -> dict[str, Path]:
    """{path in the table: the cached file}, each checked against its sha256."""
    doc = table()
    root = debian.cache_root() / "firmware"
    root.mkdir(parents=True, exist_ok=True)
    out, trees = {}, {}
    for row in doc["images"]:
        dest = root / row["sha256"]
        if not dest.exists():
            pkg = row["package"]
            if pkg not in trees:
                trees[pkg] = debian.package_tree(pkg, doc["packages"][pkg])[1]
            src = trees[pkg] / row["path"]
            if not src.is_file():
                raise debian.FetchError(f"{pkg} no longer ships {row['path']}: update {TABLE}")
            got = debian.sha256(src)
            if got != row["sha256"]:
                raise debian.FetchError(f"{pkg}'s {row['path']} has sha256 {got}, the table pins {row['sha256']}: "
                                        f"update {TABLE} after reading the new file's driver verdict again")
            tmp = dest.with_name(dest.name + ".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(dest)
        out[row["path"]] = dest
    return out


def _elf32_phdrs(data: bytes):
    lay = spec.Layout(spec.ELFCLASS32, spec.ELFDATA2LSB)
    h = lay.ehdr.unpack(data)
    return h, [lay.phdr.unpack(data, h.e_phoff + i * lay.phdr.size) for i in range(h.e_phnum)]


def _sections(data: bytes) -> dict[str, object]:
    lay = spec.Layout(spec.ELFCLASS32, spec.ELFDATA2LSB)
    h = lay.ehdr.unpack(data)
    if not h.e_shnum:
        return {}
    shdrs = [lay.shdr.unpack(data, h.e_shoff + i * lay.shdr.size) for i in range(h.e_shnum)]
    names = shdrs[h.e_shstrndx]
    out = {}
    for sh in shdrs:
        at = names.sh_offset + sh.sh_name
        out[data[at:data.index(b"\0", at)].decode()] = sh
    return out


def check_mdt(data: bytes) -> list[str]:
    """qcom_mdt_read_metadata's refusals, and mdt_phdr_valid's loadable segments."""
    problems = []
    if data[:4] != spec.ELFMAG or data[spec.EI_CLASS] != spec.ELFCLASS32:
        return ["not an ELF32 image (the mdt loader reads struct elf32_hdr)"]
    h, phdrs = _elf32_phdrs(data)
    if h.e_phnum < 2:
        problems.append(f"e_phnum {h.e_phnum} < 2")
    elif phdrs[0].p_type == spec.PT_LOAD:
        problems.append("phdrs[0] is PT_LOAD")
    if not any(p.p_flags & PF_HASH_MASK == PF_HASH for p in phdrs[1:]):
        problems.append("no QCOM_MDT_TYPE_HASH segment")
    if not any(p.p_type == spec.PT_LOAD and p.p_flags & PF_HASH_MASK != PF_HASH and p.p_memsz for p in phdrs):
        problems.append("no valid PT_LOAD (mdt_phdr_valid)")
    for p in phdrs:
        if p.p_type == spec.PT_LOAD and p.p_filesz and p.p_offset + p.p_filesz > len(data):
            problems.append(f"segment at {p.p_paddr:#x} has bytes past the file and no .bNN beside it")
    return problems


def check_mba(data: bytes) -> list[str]:
    return [f"{len(data)} bytes, more than SZ_1M"] if len(data) > SZ_1M else []


def check_mtk_scp(data: bytes) -> list[str]:
    """scp_elf_load_segments (ELF32 phdrs: filesz <= memsz, bytes inside the file) and scp_ipi_init (the
    .ipi_buffer section, or the SoC's default offset for mt8183/mt8186)."""
    if data[:4] != spec.ELFMAG or data[spec.EI_CLASS] != spec.ELFCLASS32 or data[spec.EI_DATA] != spec.ELFDATA2LSB:
        return ["not a little-endian ELF32 image (rproc_elf_sanity_check, scp_elf_load_segments)"]
    problems = []
    for p in _elf32_phdrs(data)[1]:
        if p.p_type != spec.PT_LOAD:
            continue
        if p.p_filesz > p.p_memsz:
            problems.append(f"bad phdr filesz {p.p_filesz:#x} memsz {p.p_memsz:#x}")
        if p.p_offset + p.p_filesz > len(data):
            problems.append(f"truncated fw: need {p.p_offset + p.p_filesz:#x} avail {len(data):#x}")
    if ".ipi_buffer" not in _sections(data):
        problems.append("no .ipi_buffer section")
    return problems


CHECKS = {"pas": check_mdt, "mpss": check_mdt, "mba": check_mba, "mtk-scp": check_mtk_scp}


def markdown(doc: dict | None = None) -> str:
    """The corpus tables for docs/verify.md: one row per image, then each load path's reason."""
    doc = doc or table()
    rows = ["| image (Debian package) | bytes | sha256 | driver (compatible) | its driver | `verify --driver` | "
            "Linux's default ELF ops |", "|---|---|---|---|---|---|---|"]
    for r in doc["images"]:
        rows.append(f"| `{r['path'].removeprefix('lib/firmware/')}` ({r['package']} {doc['packages'][r['package']]}) "
                    f"| {r['size']} | `{r['sha256'][:12]}` | `{r['driver']}` (`{r['compatible']}`) | {r['verdict']} "
                    f"({r['check']}) | {'ok' if r['verify_driver'] else 'not modelled'} | {r['default_ops']} |")
    rows += ["", "| load path | driver | why, from its source | source |", "|---|---|---|---|"]
    for name, path in doc["load_paths"].items():
        gap = f" Not modelled: {path['gap']}." if path.get("gap") else ""
        rows.append(f"| {name} | `{path['driver']}` | {path['reason'].replace('|', '/')}.{gap} | {path['source']} |")
    return "\n".join(rows)
