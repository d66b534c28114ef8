"""``bundle verify`` of a FIT: every check, as a list of findings with stable codes.

Owns the rules a FIT must follow for the kit's ``remote_fw_fit_load`` (its
contract, "Remote Linux from a FIT") and for U-Boot alike: every hash node verifies;
each configuration names images that exist, with a kernel; each piece has a
known compression (``none``/``gzip`` for the kit) and a load address; every
piece's load range (for gzip the trailer's uncompressed size; for an arm64
kernel at least the header's ``image_size``) lies inside the memory given and
overlaps neither another piece of the same configuration, the FIT itself,
nor the PT_LOADs of the ELF that carries it (the bootstrap); an arm64 kernel's
Image header is sane. docs/verify.md explains each code, docs/json.md lists them.

:func:`check_fit` takes bytes and returns findings (codes from the one
registry, :data:`bundler.findings.CODES`); it never raises for anything wrong
with the FIT. :func:`check_fit_image` and :func:`check_nested_fits` are the
hooks of the images area (a FIT bundled into the ELF verified, and one inside
an embedded ELF); :func:`verify_fit` verifies a FIT file on its own.
"""

from __future__ import annotations

from bundler.fit import fdt as fdt_mod
from bundler.fit import model as fit_mod
from bundler.elf import spec
from bundler.errors import BadInputError
from bundler.fit.model import Fit, FitImage
from bundler.findings import Finding, finding
from bundler.remoteproc.memory import MemoryRange, as_memory_map
from bundler.records import FrozenRecord


# e_machine of the ELF that carries the FIT -> the FIT ``arch`` its kernel must have
ARCH_OF_MACHINE = {spec.EM_AARCH64: "arm64", spec.EM_ARM: "arm", spec.EM_RISCV: "riscv",
                   spec.EM_X86_64: "x86_64", spec.EM_386: "x86"}
# a malformed property of an image: the finding code when its role makes a loader read it
PROPERTY_CODES = {"type": "fit-config-type", "arch": "fit-arch-mismatch", "os": "fit-kernel-os",
                  "compression": "fit-compression-unknown", "entry": "fit-entry-outside"}


def _matters(name: str, roles: set[str]) -> bool:
    """Whether loaders read this image property, given the roles the image is used in."""
    if name in ("type", "compression"):
        return bool(roles)
    if name == "arch":
        return bool(roles - {"fdt"})
    return "kernel" in roles                   # os, entry


KIT_HASHES = ("crc32", "sha256")           # what the kit contract requires remote_fw_fit_load to check
ROLE_TYPES = {"kernel": ("kernel", "kernel_noload"), "fdt": ("flat_dt",), "ramdisk": ("ramdisk",)}


class Occupant(FrozenRecord):
    """A range that no FIT piece may be loaded onto, and what holds it."""

    start: int
    end: int
    what: str


def check_fit(data, *, memory=(), fit_address: int | None = None, occupants=(),
              machine: int | None = None, stem: str | None = None) -> list[Finding]:
    """Every FIT check on the FIT at the start of ``data``.

    ``memory``: the ranges every piece must lie in (a bundler.remoteproc.memory.MemoryMap,
    MemoryRange records or ``(start, size[, name])`` tuples); None or empty means
    not checked (one warning).
    ``fit_address``: where the FIT sits in the remote's memory, if known.
    ``occupants``: ranges of the carrying ELF (its PT_LOADs), as :class:`Occupant`.
    ``machine``: the carrying ELF's e_machine, which the kernel's ``arch`` must match.
    ``stem``: the image the findings are about (None for a FIT file on its own).
    """
    memory = as_memory_map(memory)           # a MemoryMap, ranges or (start, size[, name]) tuples, or None
    c = _Checker(list(memory.ranges) if memory else [], fit_address, list(occupants), ARCH_OF_MACHINE.get(machine), stem)
    try:
        fit = fit_mod.parse_fit(data)
    except BadInputError as exc:
        c.problem("fit-corrupt", f"{exc.message}: the FIT is no valid device tree and cannot be trusted")
        return c.findings
    c.run(fit, data)
    return c.findings


looks_like_fit = fit_mod.looks_like_fit


def container_occupants(elf, label: str = "the bootstrap") -> list[Occupant]:
    """The PT_LOAD ranges (by p_paddr) of the ELF that carries a FIT."""
    return [Occupant(p.p_paddr, p.p_paddr + p.p_memsz,
                     f"segment {i} (PT_LOAD {p.p_paddr:#x}-{p.p_paddr + p.p_memsz:#x}) of {label}")
            for i, p in enumerate(elf.segments) if p.p_type == spec.PT_LOAD and p.p_memsz]


def iter_fits(elf):
    """(stem, LMA, bytes) of every image an ELF carries whose bytes are a FIT (device tree) blob."""
    from bundler.postlink import images as images_mod
    for img in images_mod.survey(elf).images:
        ext = img.extent
        if ext is None:
            continue
        where = images_mod.find_placement(elf, *ext)
        if where is None:
            continue
        data = memoryview(elf.data)[where.offset:where.offset + ext[1]]
        if looks_like_fit(data):
            yield img.stem, where.lma, data


def _span(start: int, end: int) -> str:
    return f"{start:#x}-{end:#x} ({end - start} bytes)"


class _Checker:
    def __init__(self, memory, fit_address, occupants, arch, stem):
        self.stem = stem
        self.memory = memory
        self.fit_address = fit_address
        self.occupants = occupants
        self.arch = arch
        self.findings: list[Finding] = []

    def problem(self, code, message, address=None, size=None):
        """A finding of a registered code (its severity from the registry), about ``self.stem``."""
        self.findings.append(finding(code, message, self.stem, address, size))

    def run(self, fit: Fit, data) -> None:
        if fit.error is not None:
            self.problem("fit-config-corrupt", f"/configurations: {fit.error}")
        for note in fit.notes:
            self.problem("fit-property", f"{note} (no loader acts on it)")
        used = self.check_configurations(fit)
        for img in fit.images:
            self.check_image(img, data, used.get(img.name, set()))
        self.check_ranges(fit, used)
        self.check_chosen_room(fit, data)
        if not self.memory:
            self.problem("fit-memory-unknown", "no --memory or --region given: the load ranges of the FIT's "
                                                    "pieces were not checked against the remote's memory")

    # ---- configurations -----------------------------------------------------------------------
    def check_configurations(self, fit: Fit) -> dict[str, set[str]]:
        """The roles in which configurations use each image name."""
        used: dict[str, set[str]] = {}
        if not fit.configurations:
            where = "has no /configurations node" if not fit.has_configurations else \
                "has an empty /configurations node"
            self.problem("fit-config-none", f"the FIT {where}: remote_fw_fit_load and U-Boot's bootm need a "
                                               "configuration to pick the kernel")
        elif fit.default is None:
            self.problem("fit-config-default", "/configurations has no default: remote_fw_fit_load(..., NULL, "
                                                  "...) has no configuration to pick (name one, or add "
                                                  "default = \"conf-1\")")
        elif fit.find_config(fit.default) is None:
            self.problem("fit-config-missing", f"the default configuration {fit.default!r} does not exist "
                                                  f"(there are: {', '.join(c.name for c in fit.configurations)})")
        for conf in fit.configurations:
            if conf.error is not None:
                self.problem("fit-config-corrupt", f"configuration {conf.name}: {conf.error}")
                continue
            if conf.kernel is None and conf.firmware is None:
                self.problem("fit-config-no-kernel", f"configuration {conf.name} names no kernel: "
                                                        "remote_fw_fit_load requires one")
            for role, name in conf.iter_pieces():
                img = fit.find_image(name)
                if img is None:
                    self.problem("fit-config-image-missing", f"configuration {conf.name}: its {role} "
                                                                f"{name!r} is not in /images")
                    continue
                used.setdefault(name, set()).add(role)
                want = ROLE_TYPES.get(role)
                if want and img.error is None and "type" not in img.property_errors and img.type not in want:
                    what = "no type" if img.type is None else f"type {img.type!r}"
                    self.problem("fit-config-type", f"configuration {conf.name}: its {role} {name} has {what}, "
                                                       f"expected {' or '.join(want)} (REMOTE_FW_ETYPE)")
        if not fit.configurations:            # nothing says what is loaded: check every image
            for img in fit.images:
                used.setdefault(img.name, set()).add("kernel" if img.type in ROLE_TYPES["kernel"] else "image")
        return used

    # ---- one image ----------------------------------------------------------------------------
    def check_image(self, img: FitImage, data, roles: set[str]) -> None:
        who = f"image {img.name}"
        if img.error is not None:
            self.problem("fit-image-data", f"{who}: {img.error}")
        elif roles and img.data_size == 0:
            self.problem("fit-image-data", f"{who}: its data is empty")
        for name, problem in img.property_errors.items():
            if _matters(name, roles):
                self.problem(PROPERTY_CODES[name], f"{who}: {problem}")
            else:
                self.problem("fit-property", f"{who}: {problem} (not used in its role)")
        self.check_hashes(img, who, roles)
        self.check_names(img, who, roles)
        self.check_compression(img, who, roles, data)
        if "kernel" in roles and img.error is None:
            self.check_kernel(img)
        if "fdt" in roles and img.error is None and img.compression in (None, "none") and img.data_size:
            self.check_fdt_content(img, who, data)

    def check_hashes(self, img: FitImage, who: str, roles: set[str]) -> None:
        for h in img.hashes:
            if h.error is not None and img.error is None:
                unsupported = h.algo is not None and h.algo not in fit_mod.HASH_ALGOS
                self.problem("fit-hash-unsupported" if unsupported else "fit-hash-value",
                             f"{who} {h.name}: {h.error}")
            elif h.ok is False:
                self.problem("fit-hash-mismatch",
                             f"{who} {h.name}: {h.algo} of the data ({img.data_size} bytes at FIT offset "
                             f"{img.data_start:#x}) is {h.computed.hex()}, the node says {h.value.hex()}: the "
                             "image is corrupt and every loader refuses it", img.data_start, img.data_size)
            if roles and h.algo in fit_mod.HASH_ALGOS and h.algo not in KIT_HASHES:
                self.problem("fit-hash-kit", f"{who} {h.name}: {h.algo} is not one remote_fw_fit_load must "
                                             f"check ({' and '.join(KIT_HASHES)}): a kit without it refuses "
                                             "the image (REMOTE_FW_EALGO)")
        if not img.hashes and roles:
            self.problem("fit-hash-none", f"{who} has no hash node: nothing proves its data is intact, and "
                                          "remote_fw_fit_load refuses it (REMOTE_FW_ENOHASH)")

    def check_names(self, img: FitImage, who: str, roles: set[str]) -> None:
        """type, os and arch: known to mkimage, and arch the carrying ELF's machine."""
        if img.type is not None and img.type not in fit_mod.KNOWN_TYPES:
            self.problem("fit-type-unknown", f"{who}: type {img.type!r} is not one mkimage knows")
        if img.os is not None and img.os not in fit_mod.KNOWN_OS:
            self.problem("fit-os-unknown", f"{who}: os {img.os!r} is not one mkimage knows")
        checked = roles - {"fdt"}         # loaders check the arch of every piece but the device tree
        if img.arch is not None and img.arch not in fit_mod.KNOWN_ARCHES:
            if checked:
                self.problem("fit-arch-mismatch", f"{who}: arch {img.arch!r} is no architecture mkimage knows, "
                                                  "so no core matches it (REMOTE_FW_EARCH)")
            else:
                self.problem("fit-arch-unknown", f"{who}: arch {img.arch!r} is not one mkimage knows")
        elif self.arch and img.arch and img.arch != self.arch and checked:
            self.problem("fit-arch-mismatch", f"{who}: arch {img.arch!r}, but the bootstrap that carries the "
                                              f"FIT runs on {self.arch}: remote_fw_fit_load refuses it "
                                              "(REMOTE_FW_EARCH)")

    def check_compression(self, img: FitImage, who: str, roles: set[str], data) -> None:
        comp = img.compression
        if comp is None:
            if roles and "compression" not in img.property_errors:
                self.problem("fit-compression-missing", f"{who} has no compression property (taken as none)")
        elif comp not in fit_mod.COMPRESSIONS:
            self.problem("fit-compression-unknown", f"{who}: compression {comp!r} is unknown (known: "
                                                    f"{', '.join(fit_mod.COMPRESSIONS)}): no loader can "
                                                    "unpack it")
        elif comp not in fit_mod.DECOMPRESSED_BY_KIT:
            self.problem("fit-compression-unsupported", f"{who}: compression {comp!r}: remote_fw_fit_load "
                                                        "handles none and gzip only, and its loaded size "
                                                        "is unknown here, so its range is not checked")
        elif comp == "gzip" and img.error is None:
            payload = memoryview(data)[img.data_start:img.data_end]
            try:
                problem = fit_mod.gzip_check(payload, img.load_size)
            finally:
                payload.release()
            if problem is not None:
                self.problem("fit-gzip-corrupt", f"{who}: {problem}", img.data_start, img.data_size)

    def check_fdt_content(self, img: FitImage, who: str, data) -> None:
        payload = memoryview(data)[img.data_start:img.data_end]
        try:
            fdt_mod.parse_fdt(payload)
        except BadInputError as exc:
            self.problem("fit-fdt-invalid", f"{who}: the device tree it carries is invalid: {exc.message}; "
                                            "remote_fw_fit_load refuses it (REMOTE_FW_EFDT) and Linux "
                                            "could not boot with it", img.data_start, img.data_size)
        finally:
            payload.release()

    def check_kernel(self, img: FitImage) -> None:
        who = f"kernel {img.name}"
        if img.load is not None and img.entry is not None and img.load_size is not None:
            end = img.load + img.load_size
            if not img.load <= img.entry < end:
                self.problem("fit-entry-outside", f"{who}: entry {img.entry:#x} is outside the loaded kernel "
                                                     f"{_span(img.load, end)} (REMOTE_FW_EENTRY)", img.entry)
        if img.type == "kernel" and img.os != "linux" and "os" not in img.property_errors:
            self.problem("fit-kernel-os", f"{who}: os is {img.os!r}, not \"linux\": remote_fw_fit_load boots "
                                             "Linux only (REMOTE_FW_ETYPE)")
        if img.arch is None and "arch" not in img.property_errors:
            self.problem("fit-arch-mismatch", f"{who} has no arch property: remote_fw_fit_load refuses it "
                                                 "(REMOTE_FW_EARCH)")
        if img.arch != "arm64" or img.type != "kernel":
            return
        h = img.kernel_header
        if h is None:
            if img.kernel_header_error and img.compression in (None, "none", "gzip"):
                self.problem("fit-kernel-header", f"{who}: no arm64 Image header: {img.kernel_header_error}")
            return
        if not h.magic_ok:
            self.problem("fit-kernel-header", f"{who}: the arm64 Image header magic is {h.magic:#010x}, not "
                                                 f"{fit_mod.ARM64_MAGIC:#010x} (\"ARM\\x64\"): not a Linux arm64 "
                                                 "Image (a vmlinux ELF or a zImage?)")
            return
        if img.load is not None:
            # booting.rst: with image_size 0 (before 3.17) text_offset is taken as 0x80000
            text_offset = h.text_offset if h.image_size else fit_mod.ARM64_OLD_TEXT_OFFSET
            base = img.load - text_offset
            if text_offset > img.load or base % fit_mod.ARM64_ALIGN:
                self.problem("fit-kernel-align", f"{who}: load {img.load:#x} - text_offset {text_offset:#x} "
                                                    f"= {base:#x} is not 2 MiB aligned, as the arm64 boot "
                                                    "protocol requires (booting.rst)", img.load)
        if h.image_size == 0:
            self.problem("fit-kernel-image-size-unknown", f"{who}: image_size is 0 (a kernel older than 3.17): the "
                                                       "memory it needs beyond its file size is unknown")
        elif img.load_size is not None and h.image_size < img.load_size:
            self.problem("fit-kernel-image-size", f"{who}: image_size {h.image_size} is smaller than the "
                                                     f"Image itself ({img.load_size} bytes): the header is corrupt")
        if h.big_endian:
            self.problem("fit-kernel-endian", f"{who}: the Image header says a big-endian kernel")

    @staticmethod
    def kernel_reserve(img: FitImage) -> int | None:
        """Bytes an arm64 kernel needs from its load address: image_size (which includes .bss)."""
        h = img.kernel_header
        if h is not None and h.magic_ok and h.image_size:
            return h.image_size
        return None

    # ---- /chosen in the loaded device tree -----------------------------------------------------
    def check_chosen_room(self, fit: Fit, data) -> None:
        """A configuration with a ramdisk and an uncompressed fdt: can linux,initrd-start/-end be written?

        The kit patches them into /chosen of the loaded tree in place: an existing property of the
        right size is overwritten, else the property (and /chosen, and the names) must fit in the
        free space after the strings block, with the blocks in the usual order (dtc -p gives room).
        """
        done = set()
        for conf in fit.configurations:
            if conf.error is not None or not conf.fdt or conf.ramdisk is None:
                continue
            dt, rd = fit.find_image(conf.fdt[0]), fit.find_image(conf.ramdisk)
            if dt is None or rd is None or dt.name in done or dt.error is not None or \
                    dt.compression not in (None, "none") or rd.load is None or rd.load_size is None:
                continue
            done.add(dt.name)
            payload = memoryview(data)[dt.data_start:dt.data_end]
            try:
                need, free = _chosen_need(fdt_mod.parse_fdt(payload), bytes(payload), rd.load,
                                          rd.load + rd.load_size)
            except BadInputError:
                continue                  # an invalid tree: fit-fdt-invalid says so
            finally:
                payload.release()
            if need > free:
                self.problem("fit-fdt-no-room",
                         f"configuration {conf.name}: device tree {dt.name} lacks /chosen linux,initrd-start/-end "
                         f"and has {max(free, 0)} bytes free to add them ({need} needed): remote_fw_fit_load cannot "
                         "tell Linux where the initramfs is (REMOTE_FW_ENOROOM); add the properties or build "
                         "it with dtc -p 512")

    # ---- load ranges ---------------------------------------------------------------------------
    def piece_range(self, img: FitImage) -> tuple[int, int] | None:
        if img.error is not None or img.load is None or img.load_size is None:
            return None
        size = img.load_size
        reserve = self.kernel_reserve(img)
        if reserve is not None:
            size = max(size, reserve)
        return img.load, img.load + size

    def check_ranges(self, fit: Fit, used: dict[str, set[str]]) -> None:
        ranges: dict[str, tuple[int, int]] = {}
        for img in fit.images:
            roles = used.get(img.name)
            if not roles:
                continue
            if img.load is None and img.error is None:
                if img.type != "kernel_noload":
                    self.problem("fit-load-missing", f"image {img.name} ({'/'.join(sorted(roles))}) has no load "
                                                     "address: remote_fw_fit_load does not know where to put it")
                continue
            r = self.piece_range(img)
            if r is not None:
                ranges[img.name] = r
                self.check_range(fit, img, *r)
        reported: set = set()
        for conf in fit.configurations:
            self.check_overlaps(conf, ranges, reported)

    def check_range(self, fit: Fit, img: FitImage, start: int, end: int) -> None:
        """One piece: inside the memory, off the FIT and off the carrying ELF's PT_LOADs."""
        what = f"image {img.name} loads at {_span(start, end)}"
        if end > 1 << 64:
            self.problem("fit-load-outside", f"{what}: it wraps around the address space", start, end - start)
            return
        if self.memory and not any(lo <= start and end <= hi for lo, hi in self.merged_memory()):
            self.problem("fit-load-outside", f"{what}, not inside the memory given; nearest: "
                                             f"{self.nearest(start, end)}", start, end - start)
        if self.fit_address is not None:
            lo, hi = max(start, self.fit_address), min(end, self.fit_address + fit.size)
            if lo < hi:
                self.problem("fit-overlaps-fit", f"{what}, onto the FIT itself "
                                                 f"({_span(self.fit_address, self.fit_address + fit.size)}): "
                                                 "loading it overwrites the data still to be read", lo, hi - lo)
        for occ in self.occupants:
            lo, hi = max(start, occ.start), min(end, occ.end)
            if lo < hi:
                self.problem("fit-overlaps-bootstrap", f"{what}, onto {occ.what}: loading it overwrites "
                                                       "the program that loads it", lo, hi - lo)

    def check_overlaps(self, conf, ranges: dict[str, tuple[int, int]], reported: set) -> None:
        """The pieces of one configuration, by start address, each against the one reaching furthest
        before it: every overlapping piece is found in n log n, never with n*n findings."""
        names = sorted(dict.fromkeys(n for _, n in conf.iter_pieces() if n in ranges), key=lambda n: ranges[n])
        reach = None
        for b in names:
            if reach is not None:
                a = reach
                (a0, a1), (b0, b1) = ranges[a], ranges[b]
                lo, hi = b0, min(a1, b1)
                if lo < hi and (a, b) not in reported:
                    reported.add((a, b))
                    self.problem("fit-overlap", f"configuration {conf.name}: image {a} ({_span(a0, a1)}) "
                                                f"and image {b} ({_span(b0, b1)}) share {hi - lo} bytes at "
                                                f"{lo:#x}: one is loaded over the other", lo, hi - lo)
            if reach is None or ranges[b][1] > ranges[reach][1]:
                reach = b

    def merged_memory(self) -> list[tuple[int, int]]:
        """The memory ranges with touching or overlapping ones joined (a piece may span two)."""
        out: list[list[int]] = []
        for m in sorted(self.memory, key=lambda m: m.start):
            if out and m.start <= out[-1][1]:
                out[-1][1] = max(out[-1][1], m.start + m.size)
            else:
                out.append([m.start, m.start + m.size])
        return [(a, b) for a, b in out]

    def nearest(self, start: int, end: int) -> str:
        def distance(m):
            if end <= m.start:
                return m.start - end
            if start >= m.start + m.size:
                return start - (m.start + m.size)
            return 0
        best = min(self.memory, key=distance)
        return str(MemoryRange(best.start, best.size, getattr(best, "name", None)))


def _chosen_need(tree, blob: bytes, start: int, end: int) -> tuple[int, int]:
    """(bytes the kit must add to the tree for /chosen's initrd properties, bytes free for them).

    Free is -1 when the blocks are not in the usual order (memory map, structure, strings), where
    the kit adds nothing.
    """
    root = tree.root
    try:
        cells = root.find_int("#address-cells")
    except BadInputError:
        cells = None
    wide = cells != 1                          # as wide as the root's #address-cells (2 when absent)
    chosen = next((c for c in root.children if c.name == "chosen"), None)
    need = 0 if chosen is not None else 16     # BEGIN_NODE "chosen\0" (8 bytes) END_NODE
    h = tree.header
    strings = blob[h.off_dt_strings:h.off_dt_strings + h.size_dt_strings]
    for name, value in (("linux,initrd-start", start), ("linux,initrd-end", end)):
        prop = chosen.find_property(name) if chosen is not None else None
        if prop is not None and (len(prop.value) == 8 or (len(prop.value) == 4 and value <= 0xFFFFFFFF)):
            continue                           # patched in place
        need += 12 + (8 if wide or value > 0xFFFFFFFF else 4)
        if name.encode() + b"\0" not in strings:
            need += len(name) + 1
    growable = h.off_mem_rsvmap <= h.off_dt_struct and h.off_dt_struct + h.size_dt_struct <= h.off_dt_strings
    free = h.totalsize - (h.off_dt_strings + h.size_dt_strings) if growable else -1
    return need, free


# ---- the hooks of the verify areas (bundler.checks) ------------------------------------------

def check_fit_image(ctx, stem: str, data, lma: int):
    """A FIT the verified ELF carries: its pieces may land neither on the FIT (at ``lma``) nor on the
    ELF's own PT_LOADs (the program that loads it)."""
    return check_fit(data, memory=ctx.memory, fit_address=lma, machine=ctx.elf.ehdr.e_machine, stem=stem,
                     occupants=container_occupants(ctx.elf, "the ELF that carries it"))


def check_nested_fits(ctx, stem: str, remote):
    """Each FIT an embedded ELF (a bootstrap) carries: host -> bootstrap ELF -> FIT."""
    for inner, lma, data in iter_fits(remote):
        yield from check_fit(data, memory=ctx.memory, fit_address=lma, machine=remote.ehdr.e_machine,
                             stem=f"{stem}/{inner}", occupants=container_occupants(remote, f"bootstrap {stem}"))


def _signature_finding(code: str, message: str, stem: str | None) -> Finding:
    """The finding for the kit's REMOTE_FW_``code`` refusal of a signed configuration."""
    if code == "EFITUNSIGNED":
        return finding("fit-sig-unsigned", message, stem)
    if code == "EFITSIG":
        return finding("fit-sig-invalid", message, stem)
    if code == "EFITSIGALGO":
        return finding("fit-sig-algo", message, stem)
    if code == "EFITSIGHASH":
        return finding("fit-sig-hash", message, stem)
    if code == "EFITSIGCONF":
        return finding("fit-sig-config", message, stem)
    if code == "EFITLAYOUT":
        return finding("fit-sig-layout", message, stem)
    if code == "EFITUNIT":
        return finding("fit-sig-unit", message, stem)
    return finding("fit-sig-nodes", message, stem)


def check_signatures(data, keys, stem: str | None = None, nodes: dict | None = None) -> list[Finding]:
    """With RSA ``keys`` (bundler.adapters.crypto.RsaPublicKey): every configuration must carry a
    signature node that verifies with one of them, as remote_fw_fit_load_opts demands. ``nodes``
    (when given) receives each configuration's signature nodes with their verdicts."""
    from bundler.adapters.crypto import rsa_verify_sha256
    from bundler.fit import signature
    from bundler.fit.fdt import parse_fdt
    try:
        fdt = parse_fdt(data)
    except BadInputError:
        return []                       # check_fit reports it (fit-corrupt)
    confs = fdt.root.find_child("configurations")
    found = []
    for conf in confs.children if confs is not None else ():
        sigs, code, text = signature.describe(data, fdt, conf, keys, rsa_verify_sha256)
        if nodes is not None:
            nodes[conf.name] = sigs
        if code is not None:
            found.append(_signature_finding(code, f"configuration {conf.name}: {text} "
                                                  f"(the kit refuses it: REMOTE_FW_{code})", stem))
    return found


def verify_fit(data, *, memory=(), keys=()):
    """Every check on a FIT file on its own: a verify report with no images; with ``keys``, its
    configuration signatures too (and the report's ``signatures``: per configuration, its nodes)."""
    from bundler.checks.report import Report
    found, nodes = check_fit(data, memory=memory), {}
    if keys:
        found += check_signatures(data, keys, nodes=nodes)
    report = Report(findings=found)
    report.subject = "FIT"              # for the text report's first line (not in to_dict)
    report.signatures = nodes           # configuration -> SignatureNode list (text report; not in to_dict)
    return report
