"""Checking a remote firmware image as its loader will (``bundle verify REMOTE.elf --loader L``).

One module per loader (:mod:`.linux`, :mod:`.uboot`, :mod:`.openamp`,
:mod:`.kit`), each a list of rules (finding code, severity, what the loader
does, its own words) and a ``check(ctx)`` that walks the image the way that
loader does; :mod:`.resources` checks resource-table entries against the
memory map. :func:`check_firmware` runs one profile on the bytes of one image
and returns findings (:class:`bundler.findings.Finding`); :func:`verify_firmware`
wraps them in a report. Nothing here raises on a damaged image.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.loaders import kit, linux, openamp, resources, uboot
from bundler.loaders.base import Context, Host, Rule, iter_loads
from bundler.checks.report import Report
from bundler.findings import Finding
from bundler.remoteproc.memory import MemoryMap, as_memory_map

PROFILES = {"linux": linux, "uboot": uboot, "openamp": openamp, "kit": kit}
DEFAULT_LOADER = "linux"
# The host each loader usually runs on; the Python API takes others (host=Host(...)).
DEFAULT_HOSTS = {"linux": Host("little", 64), "uboot": Host("little", 64),
                 "openamp": Host("little", 32), "kit": Host("little", 32)}


def rules(loader: str) -> list[Rule]:
    """The loader's rules, then the memory rules every profile shares."""
    return list(PROFILES[loader].RULES) + list(resources.RULES)


def all_codes() -> dict[str, Rule]:
    out = {}
    for name in PROFILES:
        out.update({r.code: r for r in rules(name)})
    return out


def check_firmware(data, loader: str = DEFAULT_LOADER, memory: MemoryMap | None = None, *,
                   stem: str | None = None, host: Host | None = None) -> list[Finding]:
    """Every finding of ``loader``'s rules on the firmware bytes ``data``, in the loader's order."""
    memory = as_memory_map(memory)
    if loader not in PROFILES:
        raise ValueError(f"unknown loader {loader!r}: one of {', '.join(PROFILES)}")
    ctx = make_context(data, loader, memory, stem=stem, host=host)
    entries = PROFILES[loader].check(ctx)
    if not isinstance(entries, list) or not entries:
        entries = _lenient_entries(ctx.data)
    if memory is not None:
        _check_loads(ctx, memory)
        resources.check_memory(ctx, entries, memory)
        if memory.carveout_names is not None and loader == "linux":
            resources.check_names(ctx, entries, memory)
    return ctx.findings


def make_context(data, loader: str, memory: MemoryMap | None = None, *, stem: str | None = None,
                 host: Host | None = None) -> Context:
    return Context(data=bytes(data), memory=memory, host=host or DEFAULT_HOSTS[loader], stem=stem,
                   rules={r.code: r for r in rules(loader)})


def _check_loads(ctx: Context, memory: MemoryMap) -> None:
    """mem-load: every PT_LOAD (p_paddr, p_memsz) inside the memory, unless the profile said so already."""
    said = {f.address for f in ctx.findings if f.address is not None}
    for i, p in iter_loads(ctx.data):
        if p.p_paddr in said:
            continue
        if memory.find_holding(p.p_paddr, p.p_memsz) is None:
            ctx.finding("mem-load", f"segment {i} (PT_LOAD at p_paddr {p.p_paddr:#x}), {p.p_memsz} bytes, is "
                                f"{memory.describe_miss(p.p_paddr, p.p_memsz)}", p.p_paddr, p.p_memsz)


def _lenient_entries(data: bytes) -> list[dict]:
    """The table's entries in the image's byte order, for the memory checks when the profile read none."""
    from bundler.remoteproc import rsc_table
    where = resources.find_table_section(data)
    if where is None:
        return []
    off, size, _ = where
    order = "big" if data[spec.EI_DATA] == spec.ELFDATA2MSB else "little"
    return rsc_table.decode(data[off:off + size], order).entries


class FirmwareReport(Report):
    """A report on one firmware image checked as ``loader`` will (no bundle, no images)."""

    loader: str = DEFAULT_LOADER
    memory: MemoryMap | None = None
    kind: str | None = None

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["loader"] = {"name": self.loader, "title": PROFILES[self.loader].TITLE,
                         "memory": self.memory.to_dict() if self.memory is not None else None}
        return out


def verify_firmware(data, loader: str = DEFAULT_LOADER, memory: MemoryMap | None = None, *,
                    host: Host | None = None) -> FirmwareReport:
    """``bundle verify REMOTE.elf``: the report on a plain firmware image."""
    loader = loader or DEFAULT_LOADER
    memory = as_memory_map(memory)
    report = FirmwareReport(loader=loader, memory=memory, kind=_kind(data))
    report.findings.extend(check_firmware(data, loader, memory, host=host))
    return report


def _kind(data) -> str | None:
    if len(data) < spec.EI_NIDENT or bytes(data[:4]) != spec.ELFMAG:
        return None
    bits = {spec.ELFCLASS32: "ELF32", spec.ELFCLASS64: "ELF64"}.get(data[spec.EI_CLASS], "ELF?")
    order = {spec.ELFDATA2LSB: "little-endian", spec.ELFDATA2MSB: "big-endian"}.get(data[spec.EI_DATA], "?-endian")
    return f"{bits} {order}"


def rules_markdown(loader: str) -> str:
    """The loader's rule table for docs/verify.md: code, severity, what the loader does, its words, the rule."""
    rows = ["| code | severity | loader | its words | rule |", "|---|---|---|---|---|"]
    for r in PROFILES[loader].RULES:
        words = f"`{r.words}`" if r.words else ""
        rows.append(f"| `{r.code}` | {r.severity} | {r.outcome} | {words} | {r.rule.replace('|', '/')} |")
    return "\n".join(rows)


__all__ = ["PROFILES", "DEFAULT_LOADER", "Host", "check_firmware", "verify_firmware", "FirmwareReport", "rules",
           "all_codes"]
