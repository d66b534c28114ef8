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
from bundler.loaders.base import Context, Host, Rule, iter_loads
from bundler.checks.report import Report
from bundler.findings import Finding
from bundler.loaders.drivers import IGNORED, find_driver
from bundler.loaders.drivers import rules as driver_rules
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
    out.update({r.code: r for r in driver_rules.RULES})
    return out


def check_firmware(data, loader: str = DEFAULT_LOADER, memory: MemoryMap | None = None, *,
                   stem: str | None = None, host: Host | None = None, driver=None,
                   kernel: str | None = None, name: str | None = None) -> list[Finding]:
    """Every finding of ``loader``'s rules (Linux: of ``kernel``, default the newest modelled) on the
    firmware bytes ``data``, in the loader's order; ``driver`` (a name or
    bundler.loaders.drivers.Driver) applies that Linux driver's ops instead of the default ones
    (loader must then be linux). ``name`` is the firmware file's name, for a driver that loads
    two files and tells them apart by name (qcom_q6v5_mss)."""
    memory = as_memory_map(memory)
    if loader not in PROFILES:
        raise ValueError(f"unknown loader {loader!r}: one of {', '.join(PROFILES)}")
    if isinstance(driver, str):
        driver = find_driver(driver)
    ctx = make_context(data, loader, memory, stem=stem, host=host, driver=driver, kernel=kernel)
    if driver is not None and driver.load in ("mdt", "mba"):       # Qualcomm: no ELF ops at all
        if driver.load == "mba" and driver_rules.is_mpss_image(name):
            driver_rules.check_mdt(ctx, region_index=1)             # q6v5_mss's second file: q6v5_mpss_load
        else:
            (driver_rules.check_mdt if driver.load == "mdt" else driver_rules.check_mba)(ctx)
        _annotate(ctx.findings, memory)
        return ctx.findings
    if driver is not None and driver.iommu and memory is not None and memory.iommu is None:
        memory = MemoryMap(ranges=list(memory.ranges), source=memory.source, carveout_names=memory.carveout_names,
                           windows=memory.windows, iommu=f"{driver.name} sets has_iommu: the IOMMU maps the "
                                                         "resource table's carveouts, vrings and devmem",
                           driver=memory.driver)
    if memory is not None and memory.iommu is not None:     # the device address space is what the IOMMU maps
        memory = ctx.memory = driver_rules.iommu_space(ctx, _lenient_entries(ctx.data), memory)
    entries = PROFILES[loader].check(ctx)
    if not isinstance(entries, list) or not entries:
        entries = _lenient_entries(ctx.data) if driver is None or driver.table != IGNORED else []
    if memory is not None and (driver is None or driver.load == "elf"):
        _check_loads(ctx, memory)
    if memory is not None:
        resources.check_memory(ctx, entries, memory)
        if memory.carveout_names is not None and loader == "linux" and memory.iommu is None:
            resources.check_names(ctx, entries, memory)
    _annotate(ctx.findings, memory)
    return ctx.findings


MEMORY_CODES = frozenset({"mem-load", "mem-carveout", "mem-devmem", "mem-trace", "mem-vring", "mem-carveout-name",
                          "mem-vring-name", "linux-segment-da", "linux-rsc-not-mapped", "linux-carveout-fit",
                          "driver-mdt-segment", "mem-iommu-pool"})


def _annotate(findings: list[Finding], memory: MemoryMap | None) -> None:
    """Memory findings against a board's map carry the device address and, where the map knows it,
    the system (CPU physical) address, in the JSON fields and the text."""
    if memory is None or not (memory.windows or memory.iommu or any(r.system is not None for r in memory.ranges)):
        return
    for f in findings:
        if f.code not in MEMORY_CODES or f.address is None:
            continue
        f.device_address = f.address
        f.system_address = memory.pool.start if f.code == "mem-iommu-pool" and memory.pool else \
            memory.to_system(f.address)
        if f.system_address is not None:
            f.message += f" [device address {f.address:#x}, system address {f.system_address:#x}]"
        elif memory.iommu is not None:
            f.message += f" [device address {f.address:#x}; no fixed system address: behind the IOMMU]"
        else:
            f.message += f" [device address {f.address:#x}; no window of the board's map gives its system address]"


def make_context(data, loader: str, memory: MemoryMap | None = None, *, stem: str | None = None,
                 host: Host | None = None, driver=None, kernel: str | None = None) -> Context:
    kernel = kernel_of(loader, kernel)
    extra = list(driver_rules.RULES) if driver is not None else []
    return Context(data=bytes(data), memory=memory, host=host or DEFAULT_HOSTS[loader], stem=stem, kernel=kernel,
                   rules={r.code: r for r in rules(loader, kernel) + extra}, driver=driver)


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
    driver: object = None                   # bundler.loaders.drivers.Driver, or None
    kernel: str | None = None               # Linux: the version whose rules applied
    split: dict | None = None               # a .mdt split image: its parts (bundler.loaders.mdt.Split.to_dict)

    @property
    def title(self) -> str:
        title = mdt.TITLE if self.split is not None else PROFILES[self.loader].TITLE
        return f"{title}, Linux {self.kernel}" if self.kernel else title

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["loader"] = {"name": self.loader, "title": PROFILES[self.loader].TITLE, "kernel": self.kernel,
                         "memory": self.memory.to_dict() if self.memory is not None else None,
                         "driver": driver_dict(self.driver)}
        if self.split is not None:
            out["split"] = self.split
        return out


def driver_dict(driver) -> dict | None:
    if driver is None:
        return None
    return {"name": driver.name, "source": driver.source, "kernel": driver.kernel, "ops": driver.ops,
            "resource_table": driver.table}


def resolve_driver(loader: str | None, driver, memory: MemoryMap | None):
    """The driver to apply: the one given (a name or Driver), else the one a device tree node's
    compatible chose (``memory.driver``); UsageError when a loader other than linux is given with one."""
    from bundler.errors import UsageError, option
    chosen = driver if driver is not None else (getattr(memory, "driver", None) if loader in (None, "linux")
                                                else None)
    if chosen is None:
        return None
    if loader not in (None, "linux"):
        raise UsageError(f"{option('driver')} {getattr(chosen, 'name', chosen)} is a Linux remoteproc driver: it "
                         f"cannot go with {option('loader')} {loader}",
                         hint=f"drop {option('loader')}, or give {option('loader')} linux")
    return find_driver(chosen) if isinstance(chosen, str) else chosen


def verify_firmware(data, loader: str = DEFAULT_LOADER, memory: MemoryMap | None = None, *,
                    host: Host | None = None, driver=None, kernel: str | None = None,
                    name: str | None = None) -> FirmwareReport:
    """``bundle verify REMOTE.elf``: the report on a plain firmware image (any bytes: a file that
    is no ELF gets the loader's own refusal, Linux's "Image is corrupted (bad magic)"); ``name``
    is its file name where it has one (check_firmware)."""
    memory = as_memory_map(memory)
    driver = resolve_driver(loader, driver, memory)
    loader = loader or DEFAULT_LOADER
    kernel = kernel_of(loader, kernel)
    report = FirmwareReport(loader=loader, memory=memory, kind=_kind(data), driver=driver, kernel=kernel)
    report.findings.extend(check_firmware(data, loader, memory, host=host, driver=driver, kernel=kernel,
                                          name=name))
    return report


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


__all__ = ["PROFILES", "DEFAULT_LOADER", "Host", "kernel_of", "verify_split", "check_firmware", "verify_firmware", "FirmwareReport", "rules",
           "all_codes"]
