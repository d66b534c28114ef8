"""The picture's model: named address ranges, one view (column) each, built from the readers.

Nothing here parses an ELF, a resource table or a FIT: :func:`build` takes
the document ``bundle inspect`` makes (:mod:`bundler.inspection`,
:mod:`bundler.fit_inspect`), the findings ``bundle verify`` made and the
memory map (:mod:`bundler.memory`), and turns them into :class:`Range`
records. The views:

- ``host``: a bundle's host, its PT_LOADs and the images it carries, at their
  load addresses (``p_paddr``);
- ``remote:<stem>``: each embedded remote's PT_LOADs at ``p_paddr`` (the
  device address Linux's ELF loader uses), its resource table section, and
  its carveouts, devmem, trace buffers and vrings at ``da``;
- ``fit:<stem>``: a FIT's kernel, ramdisk, device tree and loadables at their
  ``load`` addresses;
- ``memory``: the memory the remote core can reach (``--memory``,
  ``--dtb/--node``), at the system addresses the device addresses translate
  to (one to one: no driver's map applies here yet).

A finding with an address is drawn where it is: on the range it names
(same view, address and size), else as a range of its own. A resource at
``FW_RSC_ADDR_ANY`` has no address until the host allocates it: it goes to
``unplaced``.
"""

from __future__ import annotations

from bundler.records import Factory, FrozenRecord, Record

FW_RSC_ADDR_ANY = 0xFFFFFFFF

# kinds, in the legend's order
KINDS = ("segment", "image", "rsc_table", "carveout", "devmem", "trace", "vring", "kernel", "ramdisk",
         "fdt", "loadable", "memory", "finding")
KIND_TITLES = {"segment": "PT_LOAD segment", "image": "embedded image", "rsc_table": "resource table",
               "carveout": "carveout", "devmem": "devmem", "trace": "trace buffer", "vring": "vring",
               "kernel": "kernel", "ramdisk": "ramdisk", "fdt": "device tree", "loadable": "FIT loadable",
               "memory": "memory the core can reach", "finding": "finding (error red, warning amber)"}
FIT_KINDS = {"kernel": "kernel", "kernel_noload": "kernel", "ramdisk": "ramdisk", "flat_dt": "fdt"}

# Codes whose address lies in the drawn address spaces (load or device addresses): drawn where they are.
# Other findings with an address (a descriptor at its VMA, a section offset) are listed, not placed.
LOCATED_CODES = ("segment-overlap", "remote-load-overlap", "image-not-in-load")
HOST_CODES = ("segment-overlap", "image-not-in-load")      # at the host's load addresses, whatever the stem
LOCATED_PREFIXES = ("mem-", "linux-", "uboot-", "openamp-", "kit-", "fit-")


class View(FrozenRecord):
    key: str
    title: str
    subtitle: str = ""


class Range(FrozenRecord):
    """One drawn range. ``finding`` holds the words of the findings drawn on it (None if none);
    ``severity`` is the worst of them; ``details`` are (label, text) pairs for the tip and table."""

    view: str
    name: str
    address: int | None
    size: int
    kind: str
    finding: str | None = None
    severity: str | None = None
    details: tuple = ()

    @property
    def end(self) -> int:
        return (self.address or 0) + self.size


class MapModel(Record):
    title: str
    views: list = Factory(list)
    ranges: list = Factory(list)          # placed ranges
    unplaced: list = Factory(list)        # ranges at FW_RSC_ADDR_ANY (address None)
    notes: list = Factory(list)           # findings drawn nowhere: their words

    def view_titles(self) -> dict:
        return {v.key: v for v in self.views}


def _machine(part: dict) -> str:
    """``ELF32 ARM``: the class and machine of an ELF, as inspect reports them."""
    e = part.get("elf") or {}
    if "class" not in e:
        return "ELF"
    return f"ELF{e['class']} {e.get('machine') or 'machine ' + str(e.get('e_machine'))}"


def _flags(s: dict) -> str:
    return s.get("flags") or ""


def _segments(view: str, segments: list, owner: str) -> list[Range]:
    out = []
    for s in segments:
        if s["type"] != "LOAD":
            continue
        name = f"segment {s['index']} {_flags(s)}".strip()
        details = (("owner", owner), ("p_paddr", f"{s['p_paddr']:#x}"), ("p_vaddr", f"{s['p_vaddr']:#x}"),
                   ("p_filesz", f"{s['p_filesz']:#x}"), ("p_memsz", f"{s['p_memsz']:#x}"),
                   ("p_offset", f"{s['p_offset']:#x}"), ("p_flags", _flags(s)))
        out.append(Range(view, name, s["p_paddr"], s["p_memsz"], "segment", details=details))
    return out


def _resources(view: str, part: dict, owner: str) -> tuple[list[Range], list[Range]]:
    """The resource table's section and every entry that names memory: (placed, unplaced)."""
    from bundler.loaders.resources import iter_regions
    table = part.get("resource_table")
    if table is None:
        return [], []
    placed = [Range(view, table["section"], table["sh_addr"], table["size"], "rsc_table",
                    details=(("owner", owner), ("sh_addr", f"{table['sh_addr']:#x}"),
                             ("valid", "yes" if table["valid"] else "NO")))]
    unplaced = []
    for kind, label, da, size, entry in iter_regions(table["entries"]):
        name = entry.get("name") or label
        if kind == "vring":                  # "vdev 0 (entry 2) vring 1": vdev0vring1, as Linux names it
            words = label.split()
            name = f"vdev{words[1]}vring{words[-1]}"
            details = (("owner", owner), ("entry", label), ("da", f"{da:#x}"), ("num", str(entry["num"])),
                       ("align", f"{entry['align']:#x}"), ("notifyid", str(entry["notifyid"])))
        else:
            details = (("owner", owner), ("entry", label), ("da", f"{da:#x}"),
                       ("pa", f"{entry['pa']:#x}" if "pa" in entry else "-"), ("len", f"{size:#x}"))
        if da == FW_RSC_ADDR_ANY:
            unplaced.append(Range(view, name, None, size, kind, details=details))
        else:
            placed.append(Range(view, name, da, size, kind, details=details))
    return placed, unplaced


def _fit_ranges(view: str, fit: dict, owner: str) -> list[Range]:
    out = []
    for img in fit.get("images", []):
        if img.get("load") is None:
            continue
        size = img.get("load_size")
        if size is None:
            size = img["data"]["size"] or 0
        kind = FIT_KINDS.get(img.get("type") or "", "loadable")
        details = (("owner", owner), ("type", img.get("type") or "-"), ("load", f"{img['load']:#x}"),
                   ("entry", f"{img['entry']:#x}" if img.get("entry") is not None else "-"),
                   ("compression", img.get("compression") or "-"), ("bytes loaded", str(size)))
        out.append(Range(view, img["name"], img["load"], size, kind, details=details))
    return out


class _Builder:
    def __init__(self, title: str):
        self.model = MapModel(title=title)
        self.stems: dict[str | None, str] = {}        # finding stem -> view key

    def view(self, key: str, title: str, subtitle: str = "") -> str:
        self.model.views.append(View(key, title, subtitle))
        return key

    def add(self, ranges) -> None:
        self.model.ranges.extend(ranges)

    def elf_part(self, key: str, part: dict, owner: str) -> None:
        """A remote (or any ELF): its PT_LOADs and resource table in view ``key``."""
        self.add(_segments(key, part["segments"], owner))
        placed, unplaced = _resources(key, part, owner)
        self.add(placed)
        self.model.unplaced.extend(unplaced)

    def images(self, images: list, prefix: str = "") -> None:
        for img in images:
            stem = prefix + img["stem"]
            if img.get("image") is not None:
                key = self.view(f"remote:{stem}", f"{stem} \u00b7 {_machine(img['image'])}",
                                "device addresses (p_paddr, da)")
                self.stems[img["stem"]] = key
                self.elf_part(key, img["image"], stem)
                self.images(img["image"].get("images", []), stem + "/")
            elif img.get("fit") is not None:
                key = self.view(f"fit:{stem}", f"{stem} (FIT)", "load addresses")
                self.stems.setdefault(img["stem"], key)
                self.add(_fit_ranges(key, img["fit"], stem))


def _host_images(view: str, images: list) -> list[Range]:
    """The images a host carries, at their load addresses (one only declared is verify's finding)."""
    out = []
    for img in images:
        if img["address"] is None:
            continue
        at = img["lma"] if img["lma"] is not None else img["address"]
        details = (("flow", img["flow"]), ("address", f"{img['address']:#x}"),
                   ("LMA", f"{at:#x}"), ("section", img["section"] or "-"),
                   ("crc32", f"{img['crc32']:#010x}" if img["crc32"] is not None else "-"))
        out.append(Range(view, img["stem"], at, img["size"], "image", details=details))
    return out


def build(report: dict, title: str, findings=(), memory=None, remote_view: bool = False) -> MapModel:
    """The model of one input: ``report`` is ``bundle inspect``'s document for it, ``findings``
    are verify's, ``memory`` the MemoryMap given (or None). ``remote_view`` leaves a bundle's host
    column out: only what the remote cores see (their device addresses, memory, system)."""
    b = _Builder(title)
    if "elf" not in report:                                   # a FIT on its own
        key = b.view("fit", "FIT", "load addresses")
        b.stems[None] = key
        b.add(_fit_ranges(key, report["fit"], title))
    elif report.get("images"):                                # a host carrying (or declaring) images
        key = b.view("host", f"host \u00b7 {_machine(report)}", "load addresses (p_paddr)")
        b.stems[None] = key
        b.add(_segments(key, report["segments"], "host"))
        b.add(_host_images(key, report["images"]))
        b.images(report["images"])
        if remote_view and len(b.model.views) > 1:
            b.model.views = b.model.views[1:]
            b.model.ranges = [r for r in b.model.ranges if r.view != key]
            b.stems[None] = None                  # the host's findings: listed, not drawn
    else:                                                     # a remote's firmware, or any ELF
        has_table = report.get("resource_table") is not None
        key = b.view("elf", f"{'firmware' if has_table else 'ELF'} \u00b7 {_machine(report)}",
                     "device addresses (p_paddr, da)" if has_table else "load addresses (p_paddr)")
        b.stems[None] = key
        b.elf_part(key, report, "firmware")
    if memory is not None:
        _memory(b, memory)
    _findings(b, findings)
    return b.model


def _system_of(r) -> int | None:
    """The system (CPU physical) address of a memory range, where its map knows one (a device
    tree's dma-ranges, a driver's table: ``MemoryRange.system``), else None."""
    return getattr(r, "system", None)


def _memory_titles(memory, translates: bool) -> tuple[str, str]:
    """The memory column's title and subtitle: where the ranges came from, whose map, which addresses."""
    source = memory.source
    if source.startswith("device tree node "):
        title = "memory " + source[len("device tree node "):].split(",", 1)[0].split(" and ", 1)[0]
    else:
        title = "memory" if source == "memory=" else f"memory ({source})"    # the API's ranges: no flag to name
    driver = getattr(memory, "driver", None)
    if not translates:
        return title, "system addresses (= device)"
    return title, f"device addresses ({driver})" if driver else "device addresses"


def _memory(b: _Builder, memory) -> None:
    """The memory column; and, when the map translates device addresses (some range's system
    address differs from its device address), a system column with every range whose system
    address is known and every remote range inside one, at the addresses they translate to."""
    known = [r for r in memory.ranges if _system_of(r) is not None]
    translates = any(_system_of(r) != r.start for r in known)
    title, subtitle = _memory_titles(memory, translates)
    key = b.view("memory", title, subtitle)
    for r in memory.ranges:
        system = _system_of(r)
        b.add([Range(key, r.name or "memory", r.start, r.size, "memory",
                     details=(("source", memory.source), ("start", f"{r.start:#x}"), ("size", str(r.size)),
                              ("system address", "unknown" if system is None and translates else
                               f"{system if system is not None else r.start:#x}")))])
    if not translates:
        return
    sys_key = b.view("system", "system", "CPU physical addresses")
    for r in known:
        b.add([Range(sys_key, r.name or "memory", _system_of(r), r.size, "memory",
                     details=(("device address", f"{r.start:#x}"), ("source", memory.source)))])
    for remote in [x for x in b.model.ranges if x.view.startswith("remote:") or x.view == "elf"]:
        holder = next((m for m in known if m.holds(remote.address, remote.size)), None)
        if holder is None:
            continue
        at = _system_of(holder) + (remote.address - holder.start)
        owner = remote.view.split(":", 1)[-1]
        b.add([Range(sys_key, remote.name if owner == "elf" else f"{owner}: {remote.name}", at, remote.size,
                     remote.kind, details=(("device address", f"{remote.address:#x}"),) + remote.details)])


def _named_in(r: Range, message: str) -> bool:
    """Whether the finding's words name this range: "segment 3 (" for segment 3, else its name."""
    if r.kind == "segment":
        return f"{' '.join(r.name.split()[:2])} (" in message
    return r.name in message


def is_located(f) -> bool:
    return f.address is not None and (f.code in LOCATED_CODES or f.code.startswith(LOCATED_PREFIXES))


def _findings(b: _Builder, findings) -> None:
    ranges = b.model.ranges
    for f in findings:
        words = str(f)
        view = b.stems.get(None) if f.code in HOST_CODES else b.stems.get(f.stem, b.stems.get(None))
        if not is_located(f) or view is None:
            b.model.notes.append(words)
            continue
        size = f.size or 0
        # the range it names: at its address, of its size (a loader's "truncated fw" gives none),
        # preferring the image or segment its words name ("segment 23 (PT_LOAD ...")
        hits = [i for i, r in enumerate(ranges) if r.view == view and r.address == f.address and
                (r.size == size or not f.size) and r.kind != "finding"]
        hit = min(hits, key=lambda i: (ranges[i].name != f.stem, not _named_in(ranges[i], f.message),
                                       ranges[i].size != size, i), default=None)
        if hit is not None:
            r = ranges[hit]
            text = words if r.finding is None else f"{r.finding}\n{words}"
            worst = "error" if "error" in (r.severity, f.severity) else f.severity
            ranges[hit] = Range(r.view, r.name, r.address, r.size, r.kind, text, worst, r.details)
        else:
            ranges.append(Range(view, f.code, f.address, size, "finding", words, f.severity,
                                details=(("code", f.code), ("severity", f.severity))))


__all__ = ["KINDS", "KIND_TITLES", "View", "Range", "MapModel", "build", "is_located"]
