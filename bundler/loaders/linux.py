"""Linux remoteproc's default ELF ops, rule by rule, per kernel version.

Read from Debian's kernel sources (linux-source-6.1 6.1.192-3 and
linux-source-6.12 6.12.118-1~deb12u1, the kernels the real-kernel harness
boots): drivers/remoteproc/remoteproc_elf_loader.c (rproc_elf_sanity_check,
rproc_elf_load_rsc_table and its find_table, rproc_elf_load_segments,
rproc_elf_find_loaded_rsc_table) and remoteproc_core.c (rproc_fw_boot,
rproc_handle_resources and the rproc_handle_carveout/devmem/trace/vdev
handlers, rproc_check_carveout_da, rproc_da_to_va), include/linux/rsc_table.h
(rsc_table_for_each_entry) and remoteproc_virtio.c (rproc_virtio_probe:
rproc_parse_vring, rproc_alloc_vring). The boot runs: sanity check, resource
table, resource handlers, segments, loaded table; a refusal stops it with
"Boot failed: -22" (-12 for a carveout that does not fit), which the sysfs
``state`` write prints. This profile still reports what the later stages
would say.

What differs between the modelled kernels (:data:`KERNELS`): 6.12 bounds the
section header table in rproc_elf_sanity_check ("Section header table is out
of bounds", "Section headers are out of bounds", and the header at
e_shstrndx: "Image is too small"); 6.1 checks only e_shoff + one header and
find_table reads the rest wherever it is (an e_shstrndx past the file oopses
6.1 in find_table). In both, a vdev is its own rproc-virtio platform device:
a bad vring fails that device's probe, not the boot (the remote runs
without its virtio device), and notify ids are Linux's to assign.

Where Linux reads without checking (the program header table's end, the
section header table, section names), an image that goes past the file is an
``undefined`` finding: Linux reads whatever follows the firmware buffer.
The host is little-endian and 64-bit unless told otherwise (:class:`Host`).
"""

from __future__ import annotations

from bundler.remoteproc import rsc_table
from bundler.elf import spec
from bundler.loaders import resources
from bundler.loaders.drivers import rules as driver_rules
from bundler.loaders.base import (ACCEPTED, ERRNO, FW_RSC_ADDR_ANY, NOTE, REFUSED, UNDEFINED, Context, Rule, layout, read_phdrs, read_shdr, within)

NAME = "linux"
TITLE = "Linux remoteproc (default ELF ops)"

KERNELS = ("6.1", "6.12")          # the modelled versions, oldest first
DEFAULT_KERNEL = KERNELS[-1]
SOURCES = {"6.1": "Debian linux-source-6.1 6.1.192-3",
           "6.12": "Debian linux-source-6.12 6.12.118-1~deb12u1"}
BOUNDS_SHDRS = ("6.12",)           # "remoteproc: elf_loader: Bound the section header table"
# the driver core's line for a failed probe (drivers/base/dd.c: 6.1 pr_warn, 6.12 dev_err)
PROBE_FAILED = {"6.1": "probe of rproc-virtio.N.auto failed with error -{}",
                "6.12": "probe with driver rproc-virtio failed with error -{}"}

E32_EHDR, E64_EHDR = 52, 64
RSC_HDR = 16                       # struct resource_table without offset[]
FW_RSC_HDR = 4                     # struct fw_rsc_hdr: u32 type
CARVEOUT_BODY = 52                 # struct fw_rsc_carveout (after the type)
TRACE_BODY = 44                    # struct fw_rsc_trace
VDEV_BODY = 24                     # struct fw_rsc_vdev without vrings and config
VRING_SIZE = 20                    # struct fw_rsc_vdev_vring
MAX_VRINGS = 2                     # ARRAY_SIZE(rvdev->vring)
RSC_LAST = 4
RSC_VENDOR_START, RSC_VENDOR_END = 128, 512

RULES = [
    Rule("linux-too-small", REFUSED, "Image is too small"),
    Rule("linux-bad-magic", REFUSED, "Image is corrupted (bad magic)"),
    Rule("linux-class", REFUSED, "Unsupported class: %d"),
    Rule("linux-elf64-header", REFUSED, "elf64 header is too small"),
    Rule("linux-endianness", REFUSED, "Unsupported firmware endianness"),
    Rule("linux-shoff", REFUSED, "Image is too small"),
    Rule("linux-shdr-table", REFUSED, "Section header table is out of bounds", BOUNDS_SHDRS),
    Rule("linux-shdr-count", REFUSED, "Section headers are out of bounds", BOUNDS_SHDRS),
    Rule("linux-shstrndx", REFUSED, "Image is too small", BOUNDS_SHDRS),
    Rule("linux-phnum", REFUSED, "No loadable segments"),
    Rule("linux-phoff", REFUSED, "Firmware size is too small"),
    Rule("linux-phdr-bounds", UNDEFINED, ""),
    Rule("linux-shdr-bounds", UNDEFINED, ""),
    Rule("linux-rsc-missing", REFUSED, ""),
    Rule("linux-rsc-truncated", REFUSED, "resource table truncated"),
    Rule("linux-rsc-headerless", REFUSED, "header-less resource table"),
    Rule("linux-rsc-version", REFUSED, "unsupported fw ver: %d"),
    Rule("linux-rsc-reserved", REFUSED, "non zero reserved bytes"),
    Rule("linux-rsc-incomplete", REFUSED, "resource table incomplete"),
    Rule("linux-rsc-entry-truncated", REFUSED, "rsc table is truncated"),
    Rule("linux-rsc-vendor", NOTE, "unsupported vendor resource %d"),
    Rule("linux-rsc-unknown", NOTE, "unsupported resource %d"),
    Rule("linux-carveout-truncated", REFUSED, "carveout rsc is truncated"),
    Rule("linux-carveout-reserved", REFUSED, "carveout rsc has non zero reserved bytes"),
    Rule("linux-carveout-duplicate", REFUSED, "Carveout already associated to resource table"),
    Rule("linux-carveout-fit", REFUSED, "Registered carveout doesn't fit len request"),
    Rule("linux-carveout-alloc", REFUSED, "failed to allocate dma memory: len 0x%zx"),
    Rule("linux-devmem-iommu", REFUSED, ""),
    Rule("linux-devmem-truncated", REFUSED, "devmem rsc is truncated"),
    Rule("linux-devmem-reserved", REFUSED, "devmem rsc has non zero reserved bytes"),
    Rule("linux-trace-truncated", REFUSED, "trace rsc is truncated"),
    Rule("linux-trace-reserved", REFUSED, "trace rsc has non zero reserved bytes"),
    Rule("linux-vdev-truncated", REFUSED, "vdev rsc is truncated"),
    Rule("linux-vdev-reserved", REFUSED, "vdev rsc has non zero reserved bytes"),
    Rule("linux-vdev-vrings", REFUSED, "too many vrings: %d"),
    Rule("linux-vring-invalid", ACCEPTED, "invalid qsz (%d) or alignment (%d)"),
    Rule("linux-vring-fit", ACCEPTED, "Registered carveout doesn't fit len request"),
    Rule("linux-notifyid", NOTE, ""),
    Rule("linux-vring-num", NOTE, ""),
    Rule("linux-segment-filesz", REFUSED, "bad phdr filesz 0x%llx memsz 0x%llx"),
    Rule("linux-segment-truncated", REFUSED, "truncated fw: need 0x%llx avail 0x%zx"),
    Rule("linux-segment-wrap", UNDEFINED, ""),
    Rule("linux-segment-size-t", REFUSED, "size (%llx) does not fit in size_t type"),
    Rule("linux-segment-da", REFUSED, "bad phdr da 0x%llx mem 0x%llx"),
    Rule("linux-no-load", ACCEPTED, ""),
    Rule("linux-rsc-not-mapped", ACCEPTED, ""),
]


def boot_failed(errno: str = "EINVAL") -> str:
    return f"Boot failed: -{ERRNO[errno]}"


# the stage of rproc_fw_boot a refusal stops, and the line it prints (remoteproc_core.c)
RESOURCE_STAGE = "Failed to process resources: -{}"
SEGMENT_STAGE = "Failed to load program segments: -{}"
STAGES = {**dict.fromkeys(("linux-rsc-entry-truncated", "linux-carveout-truncated", "linux-carveout-reserved",
                           "linux-carveout-duplicate", "linux-carveout-fit", "linux-devmem-iommu",
                           "linux-devmem-truncated", "linux-devmem-reserved", "linux-trace-truncated",
                           "linux-trace-reserved", "linux-vdev-truncated", "linux-vdev-reserved",
                           "linux-vdev-vrings"), RESOURCE_STAGE),
          **dict.fromkeys(("linux-segment-filesz", "linux-segment-truncated", "linux-segment-size-t",
                           "linux-segment-da"), SEGMENT_STAGE)}


def _boot_finding(code: str, ctx: Context, what: str, words: str, errno: str = "EINVAL", address=None,
                  size=None):
    """A refusal: Linux's words, the line of the boot stage it stops ("Failed to process
    resources: -22"), then what the boot ends with ("Boot failed: -22")."""
    outcome = ctx.rules[code].outcome
    said = [words] if words else []
    if outcome == REFUSED:
        if code in STAGES:
            said.append(STAGES[code].format(ERRNO[errno]))
        said.append(boot_failed(errno))
    return ctx.finding(code, what, address, size, words="; ".join(said) or None)


def check(ctx: Context) -> None:
    data, size = ctx.data, ctx.size
    if size == 0:                           # the firmware loader refuses an empty file before remoteproc
        return _boot_finding("linux-too-small", ctx, "the image is empty: request_firmware refuses it",
                             "request_firmware failed: -22", size=0)
    if size < E32_EHDR:
        return _boot_finding("linux-too-small", ctx, f"the image is {size} bytes, shorter than an ELF32 header "
                                             f"({E32_EHDR} bytes)", "Image is too small", size=size)
    if bytes(data[:4]) != spec.ELFMAG:
        return _boot_finding("linux-bad-magic", ctx, f"the image starts with {bytes(data[:4]).hex()}, not 7f454c46",
                     "Image is corrupted (bad magic)")
    elfclass = data[spec.EI_CLASS]
    if elfclass not in (spec.ELFCLASS32, spec.ELFCLASS64):
        return _boot_finding("linux-class", ctx, f"EI_CLASS is {elfclass}", f"Unsupported class: {elfclass}")
    if elfclass == spec.ELFCLASS64 and size < E64_EHDR:
        return _boot_finding("linux-elf64-header", ctx, f"the ELF64 image is {size} bytes, shorter than its header "
                                                f"({E64_EHDR} bytes)", "elf64 header is too small", size=size)
    if data[spec.EI_DATA] != ctx.host.elfdata:
        return _boot_finding("linux-endianness", ctx, f"EI_DATA is {data[spec.EI_DATA]}, the {ctx.host.byteorder}-endian "
                                              "host loads only its own byte order", "Unsupported firmware endianness")
    lay = layout(elfclass, ctx.host.elfdata)
    ehdr = lay.ehdr.unpack(data)
    if not _section_headers_sane(ctx, lay, ehdr):
        return None
    if ehdr.e_phnum == 0:
        return _boot_finding("linux-phnum", ctx, "e_phnum is 0", "No loadable segments")
    if ehdr.e_phoff > size:
        return _boot_finding("linux-phoff", ctx, f"e_phoff {ehdr.e_phoff:#x} is past the end of the {size}-byte image",
                     "Firmware size is too small", address=ehdr.e_phoff)

    drv = ctx.driver                        # verify --driver: bundler.loaders.drivers.rules where it differs
    if drv is not None and drv.table == "ignored":
        driver_rules.table_ignored(ctx)
        entries, carveouts, table_sec, handled = [], [], None, None
    else:
        entries, carveouts, table_sec, handled = check_resource_table(ctx, lay, ehdr)
    if handled:
        _allocate_carveouts(ctx, handled)
    if drv is not None and drv.load == "elf-filesz":
        driver_rules.own_segments(ctx, lay, ehdr)
        driver_rules.own_sections(ctx, lay, ehdr)
    else:
        check_segments(ctx, lay, ehdr, carveouts)
    if table_sec is not None and ctx.memory is not None:
        sh_addr, sh_size = table_sec
        if not _maps(ctx, carveouts, sh_addr, sh_size):
            ctx.finding("linux-rsc-not-mapped", f"{rsc_table.SECTION} at sh_addr {sh_addr:#x}, {sh_size} bytes, is "
                                            f"{ctx.memory.describe_miss(sh_addr, sh_size)}: rproc_find_loaded_rsc_"
                                            "table finds no loaded table, so the remote never sees what Linux "
                                            "writes into it", sh_addr, sh_size)
    return entries


def _section_headers_sane(ctx: Context, lay, ehdr) -> bool:
    """rproc_elf_sanity_check's section header bounds, as the kernel checks them."""
    size, shsize, shoff = ctx.size, lay.shdr.size, ehdr.e_shoff
    if ctx.kernel not in BOUNDS_SHDRS:
        if size < (shoff + shsize) % (1 << 64):          # u64: an e_shoff near 2^64 wraps past the check
            _boot_finding("linux-shoff", ctx, f"e_shoff {shoff:#x} + one section header ({shsize} bytes) is past "
                                              f"the end of the {size}-byte image", "Image is too small", address=shoff)
            return False
        return True
    if shoff > size:
        _boot_finding("linux-shdr-table", ctx, f"e_shoff {shoff:#x} is past the end of the {size}-byte image",
                      "Section header table is out of bounds", address=shoff)
        return False
    if ehdr.e_shnum and shoff + ehdr.e_shnum * shsize > size:
        _boot_finding("linux-shdr-count", ctx, f"{ehdr.e_shnum} section headers of {shsize} bytes at {shoff:#x} run "
                                               f"past the end of the {size}-byte image",
                      "Section headers are out of bounds", address=shoff, size=ehdr.e_shnum * shsize)
        return False
    end = shoff + (ehdr.e_shstrndx + 1) * shsize
    if end > size:
        named = ehdr.e_shstrndx
        _boot_finding("linux-shstrndx" if named else "linux-shoff", ctx, f"the section header at e_shstrndx {ehdr.e_shstrndx} ({shoff:#x} + "
                                 f"{ehdr.e_shstrndx} * {shsize}) ends at {end:#x}, past the end of the {size}-byte "
                                 "image", "Image is too small", address=shoff)
        return False
    return True


def _strcmp_oob(data: bytes, at: int, want: bytes) -> tuple[bool, bool]:
    """(equal, read past the file) for strcmp(data + at, want) as C runs it."""
    for k, c in enumerate(want + b"\0"):
        if at + k >= len(data):
            return False, True
        if data[at + k] != c:
            return False, False
    return True, False


def find_table(ctx: Context, lay, ehdr):
    """find_table(): the .resource_table section header, reading as Linux does; None if none."""
    data, size = ctx.data, ctx.size
    shnum, shstrndx = ehdr.e_shnum, ehdr.e_shstrndx
    names = read_shdr(data, lay, ehdr.e_shoff + shstrndx * lay.shdr.size)
    if names is None:
        ctx.finding("linux-shdr-bounds", f"the section header at e_shstrndx {shstrndx} (e_shoff {ehdr.e_shoff:#x} + "
                                         f"{shstrndx} * {lay.shdr.size}) lies past the end of the {size}-byte image: "
                                         "find_table reads its sh_offset from past the firmware "
                                         f"and strcmp()s at that wild address; Linux {ctx.kernel} oopses in find_table "
                                         "(and the remoteproc lock stays held until a reboot)",
                    ehdr.e_shoff + shstrndx * lay.shdr.size, lay.shdr.size)
        return None
    want = rsc_table.SECTION.encode()
    for i in range(shnum):
        sh = read_shdr(data, lay, ehdr.e_shoff + i * lay.shdr.size)
        if sh is None:
            ctx.finding("linux-shdr-bounds", f"section header {i} of e_shnum {shnum} (at {ehdr.e_shoff:#x}) lies past "
                                             f"the end of the {size}-byte image and no {rsc_table.SECTION} came "
                                             "before it: find_table reads past the firmware",
                        ehdr.e_shoff + i * lay.shdr.size, lay.shdr.size)
            return None
        equal, oob = _strcmp_oob(data, names.sh_offset + sh.sh_name, want)
        if oob:
            ctx.finding("linux-shdr-bounds", f"section {i}'s name (sh_name {sh.sh_name:#x} in the name table at "
                                         f"{names.sh_offset:#x}) runs past the end of the image: find_table's "
                                         "strcmp reads past the firmware", names.sh_offset + sh.sh_name)
            return None
        if equal:
            return sh
    return None


def load_rsc_table(ctx: Context, lay, ehdr):
    """rproc_elf_load_rsc_table (find_table's checks): (section header, table bytes), or None."""
    sh = find_table(ctx, lay, ehdr)
    if sh is None:
        if not any(f.code == "linux-shdr-bounds" for f in ctx.findings) and not driver_rules.no_table(ctx):
            _boot_finding("linux-rsc-missing", ctx, f"no {rsc_table.SECTION} section: rproc_elf_load_rsc_table "
                                                    "returns -EINVAL (platform drivers that wrap it may only warn)", "")
        return None
    size = ctx.size
    off, tsize = sh.sh_offset, sh.sh_size
    if off + tsize > size or off + tsize > lay.addr_max:
        _boot_finding("linux-rsc-truncated", ctx, f"{rsc_table.SECTION} at file offset {off:#x}, {tsize} bytes, runs "
                                                  f"past the end of the {size}-byte image", "resource table truncated",
                      address=off, size=tsize)
        return None
    table = bytes(ctx.data[off:off + tsize])
    if tsize < RSC_HDR:
        _boot_finding("linux-rsc-headerless", ctx, f"{rsc_table.SECTION} is {tsize} bytes, shorter than its 16-byte "
                                                   "header", "header-less resource table", size=tsize)
        return None
    ver, num, r0, r1 = (lay.u32.unpack_from(table, 4 * i)[0] for i in range(4))
    if ver != 1:
        _boot_finding("linux-rsc-version", ctx, f"the resource table's ver is {ver}", f"unsupported fw ver: {ver}")
        return None
    if r0 or r1:
        _boot_finding("linux-rsc-reserved", ctx, f"the resource table's reserved words are {r0:#x}, {r1:#x}",
                      "non zero reserved bytes")
        return None
    if RSC_HDR + 4 * num > tsize:
        _boot_finding("linux-rsc-incomplete", ctx, f"num is {num}: the offset array needs {RSC_HDR + 4 * num} bytes, "
                                                   f"the table has {tsize}", "resource table incomplete")
        return None
    return sh, table


class _Handling:
    """rproc_handle_resources' state: the carveouts Linux's da_to_va maps, the memory-regions
    table carveouts took, the vdev count (rvdev->index)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.carveouts: list[tuple[int, int]] = []
        self.registered: dict[str, int] = {}
        self.vdev_index = 0
        self.notifyids: set[int] = set()     # rproc->notifyids: what idr_alloc handed out
        self.dma_carveouts: list[tuple[int, dict]] = []     # table carveouts rproc_alloc_carveout allocates

    @property
    def regions(self):
        m = self.ctx.memory
        return m if m is not None and m.carveout_names is not None else None


def check_resource_table(ctx: Context, lay, ehdr):
    """rproc_elf_load_rsc_table, then rproc_handle_resources. Returns (entries, carveouts, (sh_addr, sh_size))."""
    mark = len(ctx.findings)
    found = load_rsc_table(ctx, lay, ehdr)
    if found is None:
        driver_rules.table_refused(ctx, mark)
        return [], [], None, None
    sh, table = found
    tsize = len(table)
    num = lay.u32.unpack_from(table, 4)[0]
    entries = rsc_table.decode(table, lay.byteorder).entries
    state = _Handling(ctx)
    for i in range(num):
        (offset,) = lay.u32.unpack_from(table, RSC_HDR + 4 * i)
        if offset < RSC_HDR or offset >= tsize or tsize - offset < FW_RSC_HDR:     # rsc_table_for_each_entry
            where = "inside the table's header" if offset < RSC_HDR else f"outside the {tsize}-byte table"
            _boot_finding("linux-rsc-entry-truncated", ctx, f"entry {i} at offset {offset:#x} lies {where}",
                          "rsc table is truncated")
            break
        avail = tsize - offset - FW_RSC_HDR
        if not _handle(state, entries[i], i, offset, avail):
            break
    else:
        return entries, state.carveouts, (sh.sh_addr, tsize), state
    return entries, state.carveouts, (sh.sh_addr, tsize), None


def _handle(state: _Handling, e: dict, i: int, offset: int, avail: int) -> bool:
    """One entry, as rproc_handle_resources dispatches it; False where Linux stops the boot."""
    ctx, rtype = state.ctx, e["type"]
    if RSC_VENDOR_START <= rtype <= RSC_VENDOR_END:
        ctx.finding("linux-rsc-vendor", f"entry {i} is vendor resource {rtype}: only a platform driver with "
                                        "handle_rsc uses it", words=f"unsupported vendor resource {rtype}")
        return True
    if rtype >= RSC_LAST:
        ctx.finding("linux-rsc-unknown", f"entry {i} has type {rtype}: skipped", words=f"unsupported resource {rtype}")
        return True
    handler = {rsc_table.RSC_CARVEOUT: _handle_carveout, rsc_table.RSC_DEVMEM: _handle_devmem,
               rsc_table.RSC_TRACE: _handle_trace, rsc_table.RSC_VDEV: _handle_vdev}[rtype]
    return handler(state, e, i, offset, avail)


def _handle_carveout(state: _Handling, e: dict, i: int, offset: int, avail: int) -> bool:
    ctx = state.ctx
    if CARVEOUT_BODY > avail:
        _boot_finding("linux-carveout-truncated", ctx, f"carveout entry {i} at offset {offset:#x} needs "
                                                       f"{CARVEOUT_BODY + 4} bytes, {avail + 4} are left",
                      "carveout rsc is truncated")
        return False
    if e["reserved"]:
        _boot_finding("linux-carveout-reserved", ctx, f"carveout entry {i} has reserved {e['reserved']:#x}",
                      "carveout rsc has non zero reserved bytes")
        return False
    region = state.regions.find_named(e["name"]) if state.regions is not None else None
    if region is not None:
        if e["name"] in state.registered:
            _boot_finding("linux-carveout-duplicate", ctx, f"carveout entry {i} ({e['name']!r}) takes the "
                                                           f"memory-region entry {state.registered[e['name']]} took",
                          "Carveout already associated to resource table", "ENOMEM")
            return False
        state.registered[e["name"]] = i
        misfit = _carveout_misfit(region, e["da"], e["len"], f"carveout entry {i} ({e['name']!r})")
        if misfit is not None:
            what, words = misfit
            _boot_finding("linux-carveout-fit", ctx, what, words, "ENOMEM", e["da"], e["len"])
            return False
    if region is None:
        state.dma_carveouts.append((i, e))
    if e["da"] != FW_RSC_ADDR_ANY:
        state.carveouts.append((e["da"], e["len"]))
    return True


def _allocate_carveouts(ctx: Context, state: _Handling) -> None:
    """rproc_alloc_registered_carveouts, after the handlers: a table carveout no memory-region took
    is allocated with dma_alloc_coherent, which gives nothing for len 0 (the boot fails, -12)."""
    for i, e in state.dma_carveouts:
        if e["len"] == 0:
            name = e["name"]
            _boot_finding("linux-carveout-alloc", ctx, f"carveout entry {i} ({name!r}) has len 0 and no memory-region "
                                                       "takes it: dma_alloc_coherent allocates nothing",
                          f"failed to allocate dma memory: len 0x0; Unable to allocate carveout {name}: -12; "
                          "Failed to allocate associated carveouts: -12", "ENOMEM", e["da"], 0)
            return


def _handle_devmem(state: _Handling, e: dict, i: int, offset: int, avail: int) -> bool:
    ctx = state.ctx
    if not (ctx.host.iommu or ctx.driver is not None and ctx.driver.iommu):
        # "no point in handling this resource without a valid iommu domain"; a driver with has_iommu maps it
        _boot_finding("linux-devmem-iommu", ctx, f"devmem entry {i} (da {e.get('da', 0):#x}): rproc_handle_devmem "
                                                 "returns -EINVAL, silently, when the remote processor has no IOMMU "
                                                 "domain (only drivers such as omap_remoteproc attach one)", "")
        return False
    if CARVEOUT_BODY > avail:
        _boot_finding("linux-devmem-truncated", ctx, f"devmem entry {i} at offset {offset:#x} needs "
                                                     f"{CARVEOUT_BODY + 4} bytes, {avail + 4} are left",
                      "devmem rsc is truncated")
        return False
    if e["reserved"]:
        _boot_finding("linux-devmem-reserved", ctx, f"devmem entry {i} has reserved {e['reserved']:#x}",
                      "devmem rsc has non zero reserved bytes")
        return False
    return True


def _handle_trace(state: _Handling, e: dict, i: int, offset: int, avail: int) -> bool:
    ctx = state.ctx
    if TRACE_BODY > avail:
        _boot_finding("linux-trace-truncated", ctx, f"trace entry {i} at offset {offset:#x} needs {TRACE_BODY + 4} "
                                                    f"bytes, {avail + 4} are left", "trace rsc is truncated")
        return False
    if e["reserved"]:
        _boot_finding("linux-trace-reserved", ctx, f"trace entry {i} has reserved {e['reserved']:#x}",
                      "trace rsc has non zero reserved bytes")
        return False
    return True


def _handle_vdev(state: _Handling, e: dict, i: int, offset: int, avail: int) -> bool:
    ctx = state.ctx
    if avail < VDEV_BODY:
        _boot_finding("linux-vdev-truncated", ctx, f"vdev entry {i} at offset {offset:#x} needs {VDEV_BODY + 4} "
                                                   f"bytes, {avail + 4} are left", "vdev rsc is truncated")
        return False
    nvrings, config_len = e["num_of_vrings"], e["config_len"]
    if VDEV_BODY + nvrings * VRING_SIZE + config_len > avail:
        _boot_finding("linux-vdev-truncated", ctx, f"vdev entry {i} with {nvrings} vrings and {config_len} bytes of "
                                                   f"config needs {VDEV_BODY + 4 + nvrings * VRING_SIZE + config_len} "
                                                   f"bytes, {avail + 4} are left", "vdev rsc is truncated")
        return False
    if any(e["reserved"]):
        _boot_finding("linux-vdev-reserved", ctx, f"vdev entry {i} has reserved bytes {e['reserved'][0]:#x}, "
                                                  f"{e['reserved'][1]:#x}", "vdev rsc has non zero reserved bytes")
        return False
    if nvrings > MAX_VRINGS:
        _boot_finding("linux-vdev-vrings", ctx, f"vdev entry {i} has {nvrings} vrings, Linux takes at most "
                                                f"{MAX_VRINGS}", f"too many vrings: {nvrings}")
        return False
    index = state.vdev_index                # rvdev_data.index = rproc->nb_vdev++, whatever the probe does
    state.vdev_index += 1
    _probe_virtio(state, e, i, index)
    return True


def _virtio_finding(code: str, ctx: Context, what: str, words: str, errno: str, address=None, size=None) -> None:
    """A failed rproc_virtio_probe: the boot goes on, the remote runs without its virtio device."""
    ctx.finding(code, f"{what}: the rproc-virtio device's probe fails, and the remote boots without its virtio "
                      f"device (no rpmsg)", address, size,
                words=f"{words}; {PROBE_FAILED[ctx.kernel].format(ERRNO[errno])}")


def _probe_virtio(state: _Handling, e: dict, i: int, index: int) -> None:
    """rproc_virtio_probe: rproc_parse_vring for every vring, then rproc_alloc_vring for each."""
    ctx = state.ctx
    for v, ring in enumerate(e["vrings"]):
        if not ring["num"] or not ring["align"]:
            _virtio_finding("linux-vring-invalid", ctx, f"vdev entry {i} vring {v} has num {ring['num']} and align "
                                                     f"{ring['align']}",
                         f"invalid qsz ({ring['num']}) or alignment ({ring['align']})", "EINVAL")
            return
        if ring["num"] & (ring["num"] - 1):
            ctx.finding("linux-vring-num", f"vdev entry {i} vring {v} has num {ring['num']}, not a power of "
                                           "two: the split ring's index arithmetic breaks")
    assigned = []
    for v, ring in enumerate(e["vrings"]):
        region = state.regions.find_named(f"vdev{index}vring{v}") if state.regions is not None else None
        size = resources.page_align(resources.vring_size(ring["num"], ring["align"]))
        misfit = _carveout_misfit(region, ring["da"], size, f"vdev {index} vring {v}") if region else None
        if misfit is not None:
            what, words = misfit
            for nid in assigned:                # unwind_vring_allocations
                state.notifyids.discard(nid)
            _virtio_finding("linux-vring-fit", ctx, what, words, "ENOMEM", ring["da"], size)
            return
        nid = next(n for n in range(len(state.notifyids) + 1) if n not in state.notifyids)     # idr_alloc(.., 0, 0)
        state.notifyids.add(nid)
        assigned.append(nid)
    _note_notify_ids(ctx, e, i, assigned)


def _note_notify_ids(ctx: Context, e: dict, i: int, assigned: list[int]) -> None:
    """rproc_alloc_vring ignores the table's notify ids ("TODO: support predefined notifyids") and
    writes the one idr_alloc gave back; the vdev's own id is never used. A note where the table
    repeats an id (what OpenAMP-minded checks call an error: ST's template does it on purpose)."""
    asked = [r["notifyid"] for r in e["vrings"]]
    fixed = [n for n in [e["notifyid"]] + asked if n != FW_RSC_ADDR_ANY]
    if len(set(fixed)) == len(fixed):
        return
    table = ", ".join([f"vdev {e['notifyid']:#x}" if e["notifyid"] == FW_RSC_ADDR_ANY else f"vdev {e['notifyid']}"]
                      + [f"vring {v} {n}" for v, n in enumerate(asked)])
    ctx.finding("linux-notifyid", f"vdev entry {i} asks for notify ids {table}: Linux ignores predefined ids, "
                                  "gives each vring its own with idr_alloc "
                                  f"({', '.join(f'vring {v} {n}' for v, n in enumerate(assigned)) or 'none'}) and "
                                  "writes them back into the loaded table; the vdev's id is not used")


def _carveout_misfit(region, da: int, length: int, what: str):
    """rproc_check_carveout_da: None when the registered memory-region (da == its reg) holds
    (da, len), else (what is wrong, Linux's words)."""
    if length > region.size:
        return f"{what} wants {length} bytes, memory-region {region} has {region.size}", \
            "Registered carveout doesn't fit len request"
    if da != FW_RSC_ADDR_ANY:
        if da < region.start:
            return f"{what} wants da {da:#x}, below memory-region {region}", \
                "Registered carveout doesn't fit da request"
        if da + length > region.end:
            return f"{what} wants {da:#x}-{da + length:#x}, past the end of memory-region {region}", \
                "Registered carveout doesn't fit len request"
    return None


def _maps(ctx: Context, carveouts, da: int, length: int) -> bool:
    """rproc_da_to_va: the platform's memories, or a carveout the table declared."""
    if ctx.memory.find_holding(da, length) is not None:
        return True
    return any(start <= da and da + length <= start + size for start, size in carveouts)


def check_segments(ctx: Context, lay, ehdr, carveouts) -> None:
    """rproc_elf_load_segments: e_phnum entries of sizeof(Elf_Phdr) from e_phoff."""
    size = ctx.size
    count = ehdr.e_phnum
    if not within(size, ehdr.e_phoff, count * lay.phdr.size):
        ctx.finding("linux-phdr-bounds", f"the program header table at {ehdr.e_phoff:#x} ({count} entries of "
                                     f"{lay.phdr.size} bytes) runs past the end of the {size}-byte image: Linux "
                                     "checks only e_phoff and reads past the firmware", ehdr.e_phoff,
                count * lay.phdr.size)
    loads = 0
    size_max = (1 << ctx.host.bits) - 1
    for i, p in read_phdrs(ctx.data, lay, ehdr.e_phoff, count):
        if p is None:
            break
        if p.p_type != spec.PT_LOAD:
            continue
        loads += 1
        where = f"segment {i} (PT_LOAD at p_paddr {p.p_paddr:#x})"
        if p.p_filesz > p.p_memsz:
            _boot_finding("linux-segment-filesz", ctx, f"{where} has p_filesz {p.p_filesz} > p_memsz {p.p_memsz}",
                  f"bad phdr filesz {p.p_filesz:#x} memsz {p.p_memsz:#x}", address=p.p_paddr, size=p.p_memsz)
        elif p.p_offset + p.p_filesz >= 1 << 64:
            ctx.finding("linux-segment-wrap", f"{where}: p_offset {p.p_offset:#x} + p_filesz {p.p_filesz:#x} wraps 64 bits: "
                                          "the \"truncated fw\" check passes and Linux copies from outside the "
                                          "firmware", p.p_paddr, p.p_filesz)
        elif p.p_offset + p.p_filesz > size:
            _boot_finding("linux-segment-truncated", ctx, f"{where}: file bytes {p.p_offset:#x} + {p.p_filesz} run past the "
                                                  f"end of the {size}-byte image",
                  f"truncated fw: need {p.p_offset + p.p_filesz:#x} avail {size:#x}", address=p.p_paddr,
                  size=p.p_filesz)
        elif p.p_memsz > size_max:
            _boot_finding("linux-segment-size-t", ctx, f"{where}: p_memsz {p.p_memsz:#x} does not fit a "
                                               f"{ctx.host.bits}-bit size_t", f"size ({p.p_memsz:x}) does not fit "
                                               "in size_t type", "EOVERFLOW", address=p.p_paddr, size=p.p_memsz)
        elif ctx.memory is not None and not _maps(ctx, carveouts, p.p_paddr, p.p_memsz):
            _boot_finding("linux-segment-da", ctx, f"{where}, {p.p_memsz} bytes, is "
                                           f"{ctx.memory.describe_miss(p.p_paddr, p.p_memsz)}",
                  f"bad phdr da {p.p_paddr:#x} mem {p.p_memsz:#x}", address=p.p_paddr, size=p.p_memsz)
    if loads == 0:
        ctx.finding("linux-no-load", f"none of the {count} program headers is PT_LOAD: Linux loads nothing and starts "
                                 f"the core at e_entry {ehdr.e_entry:#x}")
