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
from bundler.loaders import kit, linux, mdt, openamp, resources, uboot
from bundler.loaders.base import Context, Host, Rule, layout, read_phdrs, read_shdr
from bundler.checks.report import Report
from bundler.findings import Finding
from bundler.remoteproc.memory import MemoryMap, as_memory_map

PROFILES = {"linux": linux, "uboot": uboot, "openamp": openamp, "kit": kit}
DEFAULT_LOADER = "linux"
# The host each loader usually runs on; the Python API takes others (host=Host(...)).
DEFAULT_HOSTS = {"linux": Host("little", 64), "uboot": Host("little", 64),
                 "openamp": Host("little", 32), "kit": Host("little", 32)}


def rules(loader: str, kernel: str | None = None) -> list[Rule]:
    """The loader's rules (Linux: those of ``kernel``, default the newest modelled), then the
    memory rules every profile shares."""
    kernel = kernel_of(loader, kernel)
    return [r for r in PROFILES[loader].RULES if not r.kernels or kernel in r.kernels] + list(resources.RULES)


def kernel_of(loader: str, kernel: str | None) -> str | None:
    """The Linux version whose rules apply: ``kernel`` if modelled, the newest if None; None for
    the other loaders. ValueError for a version not modelled or a kernel given to another loader."""
    if loader != "linux":
        if kernel is not None:
            raise ValueError(f"a kernel version applies to the linux loader, not to {loader}")
        return None
    if kernel is None:
        return linux.DEFAULT_KERNEL
    if kernel not in linux.KERNELS:
        raise ValueError(f"Linux {kernel} is not modelled: one of {', '.join(linux.KERNELS)}")
    return kernel


def all_codes() -> dict[str, Rule]:
    out = {}
    for name in PROFILES:                   # every kernel's rules
        out.update({r.code: r for r in list(PROFILES[name].RULES) + list(resources.RULES)})
    return out


def check_firmware(data, loader: str = DEFAULT_LOADER, memory: MemoryMap | None = None, *,
                   stem: str | None = None, host: Host | None = None, kernel: str | None = None) -> list[Finding]:
    """Every finding of ``loader``'s rules (Linux: of ``kernel``) on the firmware bytes ``data``,
    in the loader's order."""
    memory = as_memory_map(memory)
    if loader not in PROFILES:
        raise ValueError(f"unknown loader {loader!r}: one of {', '.join(PROFILES)}")
    ctx = make_context(data, loader, memory, stem=stem, host=host, kernel=kernel)
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
                 host: Host | None = None, kernel: str | None = None) -> Context:
    kernel = kernel_of(loader, kernel)
    return Context(data=bytes(data), memory=memory, host=host or DEFAULT_HOSTS[loader], stem=stem, kernel=kernel,
                   rules={r.code: r for r in rules(loader, kernel)})


def _check_loads(ctx: Context, memory: MemoryMap) -> None:
    """mem-load: every PT_LOAD (p_paddr, p_memsz) inside the memory, unless the profile said so already."""
    data = ctx.data
    if len(data) < spec.EI_NIDENT or bytes(data[:4]) != spec.ELFMAG or \
            data[spec.EI_DATA] not in (spec.ELFDATA2LSB, spec.ELFDATA2MSB):
        return
    lay = layout(data[spec.EI_CLASS], data[spec.EI_DATA])
    if len(data) < lay.ehdr.size:
        return
    ehdr = lay.ehdr.unpack(data)
    said = {f.address for f in ctx.findings if f.address is not None}
    phnum = ehdr.e_phnum
    if phnum == 0xFFFF:                     # PN_XNUM: the count is section 0's sh_info
        sh0 = read_shdr(data, lay, ehdr.e_shoff) if ehdr.e_shoff else None
        phnum = sh0.sh_info if sh0 is not None else 0
    for i, p in read_phdrs(data, lay, ehdr.e_phoff, min(phnum, 4096)):
        if p is None:
            break
        if p.p_type != spec.PT_LOAD or p.p_memsz == 0 or p.p_paddr in said:
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
    kernel: str | None = None           # Linux: the version whose rules applied
    split: dict | None = None           # a .mdt split image: its parts (bundler.loaders.mdt.Split.to_dict)

    @property
    def title(self) -> str:
        title = mdt.TITLE if self.split is not None else PROFILES[self.loader].TITLE
        return f"{title}, Linux {self.kernel}" if self.kernel else title

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["loader"] = {"name": self.loader, "title": PROFILES[self.loader].TITLE, "kernel": self.kernel,
                         "memory": self.memory.to_dict() if self.memory is not None else None}
        if self.split is not None:
            out["split"] = self.split
        return out


def verify_split(path, memory: MemoryMap | None = None, *, kernel: str | None = None) -> FirmwareReport:
    """``bundle verify X.mdt``: a Qualcomm split image as Linux's mdt loader reads it (parts from the
    .mdt's directory; BadInputError naming a missing part), then the memory map."""
    memory = as_memory_map(memory)
    kernel = kernel_of("linux", kernel)
    split = mdt.join(path)
    report = FirmwareReport(loader="linux", memory=memory, kind=_kind(split.data), kernel=kernel,
                            split=split.to_dict())
    report.findings.extend(mdt.check(split, memory))
    return report


def verify_firmware(data, loader: str = DEFAULT_LOADER, memory: MemoryMap | None = None, *,
                    host: Host | None = None, kernel: str | None = None) -> FirmwareReport:
    """``bundle verify REMOTE.elf``: the report on a plain firmware image (any bytes: a file that
    is no ELF gets the loader's own refusal, Linux's "Image is corrupted (bad magic)")."""
    loader = loader or DEFAULT_LOADER
    memory = as_memory_map(memory)
    kernel = kernel_of(loader, kernel)
    report = FirmwareReport(loader=loader, memory=memory, kind=_kind(data), kernel=kernel)
    report.findings.extend(check_firmware(data, loader, memory, host=host, kernel=kernel))
    return report


def _kind(data) -> str | None:
    if len(data) < spec.EI_NIDENT or bytes(data[:4]) != spec.ELFMAG:
        return None
    bits = {spec.ELFCLASS32: "ELF32", spec.ELFCLASS64: "ELF64"}.get(data[spec.EI_CLASS], "ELF?")
    order = {spec.ELFDATA2LSB: "little-endian", spec.ELFDATA2MSB: "big-endian"}.get(data[spec.EI_DATA], "?-endian")
    return f"{bits} {order}"


def rules_markdown(loader: str) -> str:
    """The loader's rule table for docs/verify.md: code, severity, what the loader does, its words, the rule
    (and for Linux, the kernels it is of)."""
    linux_cols = loader == "linux"
    rows = ["| code | severity | loader | its words | rule |" + (" kernels |" if linux_cols else ""),
            "|---|---|---|---|---|" + ("---|" if linux_cols else "")]
    for r in PROFILES[loader].RULES:
        words = f"`{r.words}`" if r.words else ""
        row = f"| `{r.code}` | {r.severity} | {r.outcome} | {words} | {r.rule.replace('|', '/')} |"
        if linux_cols:
            row += f" {', '.join(r.kernels) if r.kernels else 'all'} |"
        rows.append(row)
    return "\n".join(rows)


__all__ = ["PROFILES", "DEFAULT_LOADER", "Host", "kernel_of", "check_firmware", "verify_firmware", "FirmwareReport", "rules",
           "all_codes"]
