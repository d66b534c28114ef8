"""``bundle verify``: check that a host will find, trust and load the images it carries.

:func:`verify` runs every check, collects a :class:`Finding` for each problem
and returns a :class:`Report`; it never prints and raises only where the file
is no readable ELF at all. Each finding has a stable ``code`` (docs/json.md
lists them all, docs/verify.md says why each matters).
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter

from bundler import postlink as bundle_mod
from bundler import descriptor as desc_mod
from bundler import images as images_mod
from bundler import placement
from bundler import rsc_table
from bundler.elf.reader import is_elf, parse_elf
from bundler.elf import spec
from bundler.elf.model import ElfImage
from bundler.errors import BadInputError
from bundler.images import EmbeddedImage, Inventory
from bundler.records import Factory, Record
from bundler.stems import symbol_names

ERROR, WARNING = "error", "warning"
RSC_SECTION = rsc_table.SECTION
MIN_ALIGN = 8       # below this, a host that reads the ELF header through a struct may fault


class Finding(Record):
    severity: str               # "error" or "warning"
    code: str                   # stable identifier, see docs/json.md
    message: str
    stem: str | None = None     # the image it is about, if any
    address: int | None = None
    size: int | None = None

    def to_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "stem": self.stem,
                "address": self.address, "size": self.size, "message": self.message}

    def __str__(self) -> str:
        who = f"{self.stem}: " if self.stem else ""
        return f"{self.severity}: {who}{self.message} [{self.code}]"


class RemoteFile(Record):
    """A ``--remote`` file: what the user says an image must be."""

    label: str                  # the path as given, for messages
    stem: str                   # its stem by the usual rule (mangled base name)
    data: bytes


class ImageSummary(Record):
    stem: str
    flow: str
    address: int | None
    size: int | None
    lma: int | None
    crc32: int | None
    sha256: str | None

    def to_dict(self) -> dict:
        return {"stem": self.stem, "flow": self.flow, "address": self.address, "size": self.size,
                "lma": self.lma, "crc32": self.crc32, "sha256": self.sha256}


class Emulation(Record):
    """The --emulate outcome: the CPU emulated and what remote_fw_find returned for each stem."""

    target: str | None
    results: list = Factory(list)     # bundler.emulate.FindResult

    def to_dict(self) -> dict:
        return {"target": self.target, "results": [r.to_dict() for r in self.results]}


class Report(Record):
    findings: list[Finding] = Factory(list)
    images: list[ImageSummary] = Factory(list)
    emulation: Emulation | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self, severity: str | None = None) -> set[str]:
        return {f.code for f in self.findings if severity is None or f.severity == severity}

    def to_dict(self) -> dict:
        return {"ok": self.ok, "errors": len(self.errors), "warnings": len(self.warnings),
                "images": [i.to_dict() for i in self.images],
                "findings": [f.to_dict() for f in self.findings],
                "emulation": self.emulation.to_dict() if self.emulation else None}


def verify(elf: ElfImage, remotes: list[RemoteFile] = (), *, emulate: bool = False) -> Report:
    """Every check on ``elf`` (a bundled host), with ``remotes`` as the expected images."""
    v = _Verifier(elf)
    v.run(list(remotes), emulate)
    return v.report


class _Verifier:
    def __init__(self, elf: ElfImage):
        self.elf = elf
        self.report = Report()
        self.inv: Inventory | None = None
        self.image_bytes: dict[str, memoryview] = {}
        self.extents: dict[str, tuple[int, int]] = {}

    def add(self, severity: str, code: str, message: str, stem: str | None = None,
            address: int | None = None, size: int | None = None) -> None:
        self.report.findings.append(Finding(severity, code, message, stem, address, size))

    def run(self, remotes: list[RemoteFile], emulate: bool) -> None:
        self.inv = inv = images_mod.survey(self.elf)
        if inv.record_error is not None:
            self.add(ERROR, "record-corrupt", inv.record_error.message)
        if inv.descriptor_error is not None:
            e = inv.descriptor_error
            self.add(ERROR, "descriptor-corrupt", f"{e.message}: remote_fw_find returns REMOTE_FW_EDESC "
                                                  "for every image", address=e.address, size=e.size)
        self.check_segments()
        self.check_descriptors()
        if not inv.images:
            self.add(ERROR, "no-images", "carries no embedded image and declares none "
                                         "(no _binary_*_start symbol, descriptor or bundle record)")
        for img in inv.images:
            self.check_image(img)
        self.check_host_unchanged()
        self.check_remotes(remotes)
        self.check_second_parser()
        if emulate:
            self.emulate()

    # ---- the whole file ----------------------------------------------------
    def check_segments(self) -> None:
        for i, p in self.elf.iter_misaligned_loads():
            self.add(ERROR, "segment-align", f"segment {i} (PT_LOAD at {p.p_vaddr:#x}) has p_offset "
                                             f"{p.p_offset:#x} and p_vaddr {p.p_vaddr:#x}, not congruent "
                                             f"modulo p_align {p.p_align:#x}", address=p.p_vaddr)
        for i, p, j, q, lo, hi in self.elf.iter_overlapping_loads():
            self.add(ERROR, "segment-overlap",
                     f"segments {i} and {j} overlap by LMA: {p.p_paddr:#x}-{p.p_paddr + p.p_memsz:#x} "
                     f"and {q.p_paddr:#x}-{q.p_paddr + q.p_memsz:#x} share {hi - lo} bytes at {lo:#x}: "
                     "a loader writes one over the other", address=lo, size=hi - lo)
        hosted = self.elf.hosted_by
        for i, p, prev in self.elf.iter_unsorted_loads():
            # an OS loader depends on the order; a bare-metal loader loads each PT_LOAD at p_paddr
            why = f"Linux sizes the mapping of this hosted program ({hosted}) from the first and the last" \
                if hosted else "a bare-metal loader does not mind"
            self.add(ERROR if hosted else WARNING, "segment-order" if hosted else "segment-order-bare-metal",
                     f"segment {i} (PT_LOAD at {p.p_vaddr:#x}) follows a PT_LOAD at {prev.p_vaddr:#x}: the "
                     f"gABI wants PT_LOADs in ascending p_vaddr order; {why}", address=p.p_vaddr)
        self.check_phdr_table()

    def check_phdr_table(self) -> None:
        """PT_PHDR describes the table e_phoff points at, and a loaded one; a hosted program's
        table is loaded (ld.so and static glibc read it in memory through AT_PHDR)."""
        elf, lay = self.elf, self.elf.layout
        size = elf.ehdr.e_phnum * lay.phdr.size
        holder = elf.find_phdr_load()
        for i, p in enumerate(elf.segments):
            if p.p_type != spec.PT_PHDR:
                continue
            if (p.p_offset, p.p_filesz) != (elf.ehdr.e_phoff, size):
                self.add(ERROR, "phdr-mismatch", f"PT_PHDR (segment {i}) describes {p.p_filesz} bytes at file "
                                                 f"offset {p.p_offset:#x}, the program header table is {size} "
                                                 f"bytes at e_phoff {elf.ehdr.e_phoff:#x}: ld.so computes the "
                                                 "load bias from it", address=p.p_vaddr, size=p.p_filesz)
            elif holder is None:
                self.add(ERROR, "phdr-not-loaded", f"PT_PHDR (segment {i}) describes a table that no PT_LOAD "
                                                   "maps", address=p.p_vaddr, size=p.p_filesz)
            elif p.p_vaddr != holder.p_vaddr + p.p_offset - holder.p_offset:
                self.add(ERROR, "phdr-mismatch", f"PT_PHDR (segment {i}) says the table is at {p.p_vaddr:#x}, "
                                                 "the PT_LOAD that holds it maps it at "
                                                 f"{holder.p_vaddr + p.p_offset - holder.p_offset:#x}",
                         address=p.p_vaddr, size=p.p_filesz)
        if elf.hosted_by and holder is None and not any(p.p_type == spec.PT_PHDR for p in elf.segments):
            self.add(ERROR, "phdr-not-loaded", f"the program header table ({size} bytes at e_phoff "
                                               f"{elf.ehdr.e_phoff:#x}) is in no PT_LOAD of this hosted program "
                                               f"({elf.hosted_by}): AT_PHDR points at unmapped memory",
                     size=size)

    def check_descriptors(self) -> None:
        for d in self.inv.descriptors:
            if d.address % 8:
                self.add(ERROR, "descriptor-align", f"descriptor at {d.address:#x} is not 8-byte aligned: "
                                                    "remote_fw_find returns REMOTE_FW_EDESC", d.stem, d.address)
            where = images_mod.find_placement(self.elf, d.address, d.size)
            if where is None or where.offset != d.offset:
                self.add(ERROR, "descriptor-not-loaded", f"descriptor at {d.address:#x}: its bytes (file offset "
                                                         f"{d.offset:#x}) are not what a PT_LOAD puts there: the "
                                                         "values bundle wrote never reach the host",
                         d.stem, d.address, d.size)
            if d.stem is None:
                self.add(ERROR, "descriptor-corrupt", f"descriptor at {d.address:#x} has a name pointer "
                                                      f"{d.name_ptr:#x} that leads to no string in the file",
                         None, d.address, d.size)

    @property
    def carries_images(self) -> bool:
        """True if the file carries at least one bundled or linked image."""
        return any(img.flow != images_mod.DECLARED for img in self.inv.images)

    # ---- one image -----------------------------------------------------------
    def check_image(self, img: EmbeddedImage) -> None:
        stem, d = img.stem, img.descriptor
        if img.flow == images_mod.DECLARED:
            if self.carries_images:     # a staged bundle, or an optional image: the host gets a clean code
                self.add(WARNING, "image-declared-only", "is declared (REMOTE_FW_DECLARE) but not bundled, "
                                                         "while other images are: remote_fw_find returns "
                                                         "REMOTE_FW_ENOTBUNDLED for it", stem,
                         d.address if d else None)
            else:
                self.add(ERROR, "image-not-bundled", "is declared (REMOTE_FW_DECLARE) but no image was "
                                                     "bundled or linked: remote_fw_find returns "
                                                     "REMOTE_FW_ENOTBUNDLED", stem, d.address if d else None)
            self.report.images.append(ImageSummary(stem, img.flow, None, None, None, None, None))
            return
        extent = self.extents[stem] = self.consensus(img)
        self.check_symbols(img, extent)
        self.check_section(img, extent)
        self.check_record(img, extent)
        self.check_descriptor(img, extent)
        address, size = extent
        summary = ImageSummary(stem, img.flow, address, size, None, None, None)
        self.report.images.append(summary)
        where = images_mod.find_placement(self.elf, address, size)
        if where is None:
            self.add(ERROR, "image-not-in-load", f"{address:#x}-{address + size:#x} ({size} bytes) is not "
                                                 f"wholly inside the file bytes of one PT_LOAD ({self.near(address)}): "
                                                 "no loader puts the image where the host reads it",
                     stem, address, size)
            return
        data = memoryview(self.elf.data)[where.offset:where.offset + size]
        self.image_bytes[stem] = data
        crc = zlib.crc32(data) & 0xFFFFFFFF
        summary.lma, summary.crc32, summary.sha256 = where.lma, crc, hashlib.sha256(data).hexdigest()
        self.check_checksums(img, crc, address, size)
        self.check_alignment(img, address)
        self.check_embedded_elf(stem, data)

    def consensus(self, img: EmbeddedImage) -> tuple[int, int]:
        """(address, size) most sources agree on; ties go to section, record, symbols, descriptor."""
        votes = []
        sec = self.image_section(img)
        if sec is not None and img.record is not None:
            votes.append((sec.hdr.sh_addr, sec.hdr.sh_size))
        if img.record is not None:
            votes.append((img.record["address"], img.record["size"]))
        if img.start is not None and img.end is not None:
            votes.append((img.start.st_value, img.end.st_value - img.start.st_value))
        elif img.start is not None and img.size_symbol is not None:
            votes.append((img.start.st_value, img.size_symbol.st_value))
        d = img.descriptor
        if d is not None and d.is_bundled:
            votes.append((d.base, d.size_field))
        elif d is not None and d.is_linked:
            votes.append((d.start, d.end - d.start))
        if not votes:
            return img.extent or (0, 0)
        counts = Counter(votes)
        best = max(counts.values())
        return next(v for v in votes if counts[v] == best)

    def image_section(self, img: EmbeddedImage):
        return images_mod.image_section(self.elf, img)

    def check_symbols(self, img: EmbeddedImage, extent: tuple[int, int]) -> None:
        stem = img.stem
        address, size = extent
        names = symbol_names(stem)
        missing = [n for n, s in zip(names, img.symbols) if s is None]
        if missing:
            self.add(ERROR, "symbol-missing", f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                                            "not defined (bundle defines all three, as objcopy does)", stem)
        start, end, size_sym = img.symbols
        wrong = []
        if start is not None and start.st_value != address:
            wrong.append(f"{start.name} is {start.st_value:#x}, the image starts at {address:#x}")
        if end is not None and end.st_value != address + size:
            wrong.append(f"{end.name} is {end.st_value:#x}, the image ends at {address + size:#x}")
        if size_sym is not None and size_sym.st_value != size:
            wrong.append(f"{size_sym.name} is {size_sym.st_value}, the image is {size} bytes")
        if start is not None and end is not None and start.st_shndx != end.st_shndx:
            wrong.append(f"{start.name} and {end.name} are in different sections "
                         f"({start.st_shndx} and {end.st_shndx})")
        if wrong:
            self.add(ERROR, "symbol-mismatch", "; ".join(wrong), stem, address, size)
        odd = []
        for sym in (start, end, size_sym):
            if sym is not None and (sym.bind != spec.STB_GLOBAL or sym.type != spec.STT_NOTYPE):
                odd.append(f"{sym.name} is not GLOBAL NOTYPE")
        if size_sym is not None and size_sym.st_shndx != spec.SHN_ABS:
            odd.append(f"{size_sym.name} is not absolute (SHN_ABS)")
        if odd:
            self.add(WARNING, "symbol-kind", "; ".join(odd) + " (objcopy -I binary makes them so)", stem)

    def check_section(self, img: EmbeddedImage, extent: tuple[int, int]) -> None:
        stem = img.stem
        address, size = extent
        sec = self.image_section(img)
        if sec is None:
            what = f"section {img.record['section']} named by the bundle record" if img.record else \
                "section of its _start symbol"
            self.add(ERROR, "section-mismatch", f"the {what} does not exist", stem, address, size)
            return
        h = sec.hdr
        problems = []
        if not sec.is_alloc or h.sh_type != spec.SHT_PROGBITS:
            problems.append(f"section {sec.name} is not SHF_ALLOC PROGBITS")
        if img.record is not None:
            if (h.sh_addr, h.sh_size) != (address, size):
                problems.append(f"section {sec.name} is {h.sh_addr:#x}-{h.sh_addr + h.sh_size:#x}, the image "
                                f"{address:#x}-{address + size:#x}")
            for sym in (img.start, img.end):
                if sym is not None and sym.st_shndx != sec.index:
                    problems.append(f"{sym.name} is in section {sym.st_shndx}, not {sec.index} ({sec.name})")
        elif not (h.sh_addr <= address and address + size <= h.sh_addr + h.sh_size):
            problems.append(f"the image {address:#x}-{address + size:#x} is not inside section {sec.name} "
                            f"({h.sh_addr:#x}-{h.sh_addr + h.sh_size:#x})")
        if problems:
            self.add(ERROR, "section-mismatch", "; ".join(problems), stem, address, size)

    def check_record(self, img: EmbeddedImage, extent: tuple[int, int]) -> None:
        r = img.record
        if r is None:
            return
        address, size = extent
        if (r["address"], r["size"]) != (address, size):
            self.add(ERROR, "record-mismatch", f"the bundle record says {r['address']:#x} ({r['size']} bytes), "
                                               f"the image is at {address:#x} ({size} bytes)",
                     img.stem, address, size)

    def check_descriptor(self, img: EmbeddedImage, extent: tuple[int, int]) -> None:
        stem, d = img.stem, img.descriptor
        address, size = extent
        if d is None:
            self.add(WARNING, "descriptor-missing", f"the host declares no descriptor for it "
                                                    f"(REMOTE_FW_DECLARE({stem})): remote_fw_find will not "
                                                    "see it", stem, address, size)
            return
        wrong = []
        if d.is_bundled:
            if d.base != address:
                wrong.append(f"base is {d.base:#x}, the image starts at {address:#x}")
            if d.size_field != size:
                wrong.append(f"size is {d.size_field}, the image is {size} bytes")
            if d.link_addr != d.address:
                wrong.append(f"link_addr is {d.link_addr:#x}, the descriptor is at {d.address:#x} "
                             "(remote_fw_find would add the difference to base)")
        elif d.is_linked:
            if (d.start, d.end) != (address, address + size):
                wrong.append(f"start/end are {d.start:#x}/{d.end:#x}, the image is "
                             f"{address:#x}-{address + size:#x}")
        else:
            wrong.append("is neither filled in by bundle nor linked: remote_fw_find returns "
                         "REMOTE_FW_ENOTBUNDLED")
        if wrong:
            self.add(ERROR, "descriptor-mismatch", f"descriptor at {d.address:#x}: " + "; ".join(wrong),
                     stem, d.address)

    def check_checksums(self, img: EmbeddedImage, crc: int, address: int, size: int) -> None:
        stem, d = img.stem, img.descriptor
        if d is not None and (d.is_bundled or d.is_linked):
            if d.flags & desc_mod.F_CRC32:
                if d.crc32 != crc:
                    self.add(ERROR, "descriptor-crc", f"the descriptor records CRC-32 {d.crc32:#010x}, the "
                                                      f"image bytes give {crc:#010x}: remote_fw_verify returns "
                                                      "REMOTE_FW_ECSUM", stem, address, size)
            else:
                self.add(WARNING, "descriptor-no-checksum", "the descriptor records no checksum (pre-link "
                                                            "flow): remote_fw_verify returns REMOTE_FW_ENOCSUM",
                         stem, address, size)
        if img.record is not None and img.record["crc32"] != crc:
            self.add(ERROR, "record-mismatch", f"the bundle record says CRC-32 {img.record['crc32']:#010x}, the "
                                               f"image bytes give {crc:#010x}", stem, address, size)

    def check_alignment(self, img: EmbeddedImage, address: int) -> None:
        if img.record is not None:
            align = img.record["align"]
            if align > 0 and address % align:
                self.add(ERROR, "image-align", f"starts at {address:#x}, not a multiple of its alignment "
                                               f"{align} (bundle --align)", img.stem, address)
                return
        if address % MIN_ALIGN:
            self.add(WARNING, "image-align-low", f"starts at {address:#x}, not {MIN_ALIGN}-byte aligned: a host "
                                                 "that reads the ELF header through a struct may fault",
                     img.stem, address)

    def near(self, address: int) -> str:
        for i, p in enumerate(self.elf.segments):
            if p.p_type == spec.PT_LOAD and p.p_vaddr <= address < p.p_vaddr + max(p.p_memsz, 1):
                return (f"it starts in segment {i}, whose file bytes end at {p.p_vaddr + p.p_filesz:#x}"
                        f"{' (the rest is .bss)' if p.p_memsz > p.p_filesz else ''}")
        return "no PT_LOAD holds its start"

    # ---- the host around the images ------------------------------------------------
    def check_host_unchanged(self) -> None:
        """Against the original host the bundle record restores: every segment, section and
        symbol of it is still there, and no byte a loader writes changed but the descriptors'."""
        record = self.inv.record
        if record is None:
            return
        try:
            original = parse_elf(bundle_mod.unbundle_bytes(self.elf, record), what="original host")
        except BadInputError as exc:
            self.add(ERROR, "record-corrupt", f"the bundle record does not restore a readable host: {exc.message}")
            return
        out = self.elf
        changed = self.host_segments_changed(original)
        for sec in original.sections:
            o = out.sections[sec.index] if sec.index < len(out.sections) else None
            h = sec.hdr
            same = o is not None and o.name == sec.name and \
                (o.hdr.sh_type, o.hdr.sh_flags, o.hdr.sh_addr) == (h.sh_type, h.sh_flags, h.sh_addr) and \
                (not sec.is_alloc or (o.hdr.sh_offset, o.hdr.sh_size) == (h.sh_offset, h.sh_size))
            if not same:
                changed.append(f"section {sec.index} ({sec.name}) changed or is gone")
        for sym in original.symbols:
            o = out.symbols[sym.index] if sym.index < len(out.symbols) else None
            if o is None or o.name != sym.name:
                changed.append(f"symbol {sym.index} ({sym.name}) is gone")
            elif (o.st_value, o.st_size, o.st_info, o.st_shndx) != (sym.st_value, sym.st_size, sym.st_info,
                                                                    sym.st_shndx) \
                    and not (sym.st_shndx == spec.SHN_UNDEF and sym.name.startswith("_binary_")):
                changed.append(f"symbol {sym.name} changed")
        allowed = [(0, original.layout.ehdr.size)]
        if out.ehdr.e_phoff == original.ehdr.e_phoff:       # the table, rewritten in place
            allowed.append((out.ehdr.e_phoff, out.ehdr.e_phoff + out.ehdr.e_phnum * out.layout.phdr.size))
        for d in self.inv.descriptors:
            allowed.append((d.offset + desc_mod.PATCH_START, d.offset + desc_mod.PATCH_END))
        loads = [(p.p_offset, p.p_offset + p.p_filesz) for p in original.iter_loads() if p.p_filesz]
        for offset, data in record.restore:
            for at in range(offset, offset + len(data)):
                if any(a <= at < b for a, b in allowed):
                    continue
                if any(a <= at < b for a, b in loads) and out.data[at] != data[at - offset]:
                    changed.append(f"file byte {at:#x}, inside a PT_LOAD, changed")
                    break
        for what in changed:
            self.add(ERROR, "host-changed", f"{what}: bundling must leave the host as it was")

    def host_segments_changed(self, original: ElfImage) -> list[str]:
        """The original's program headers must all be in the output, in the same relative
        order and unchanged (PT_PHDR may follow the table); on a hosted host, every new
        PT_LOAD must be page-aligned and share no page with a host segment."""
        out, changed = self.elf.segments, []
        at = 0
        for i, p in enumerate(original.segments):
            j = next((j for j in range(at, len(out)) if _same_segment(out[j], p)), None)
            if j is None:
                changed.append(f"segment {i} (p_type {p.p_type:#x} at {p.p_vaddr:#x}) changed or is gone")
                continue
            at = j + 1
        if original.hosted_by is None:
            return changed
        host_loads = list(original.iter_loads())
        page = original.page_size
        host = [(placement.align_down(p.p_vaddr, page), placement.align_up(p.p_vaddr + p.p_memsz, page))
                for p in original.iter_loads() if p.p_memsz]
        for j, q in enumerate(out):
            if q.p_type != spec.PT_LOAD or not q.p_memsz or q in host_loads:
                continue
            if q.p_align < page:
                self.add(ERROR, "segment-page-align", f"segment {j} (PT_LOAD at {q.p_vaddr:#x}) has p_align "
                                                      f"{q.p_align:#x}, below the host's page size {page:#x}: "
                                                      f"{original.hosted_by} makes this a hosted program, whose "
                                                      "loader maps whole pages", address=q.p_vaddr)
            lo, hi = placement.align_down(q.p_vaddr, page), placement.align_up(q.p_vaddr + q.p_memsz, page)
            shared = next(((a, b) for a, b in host if a < hi and lo < b), None)
            if shared is not None:
                self.add(ERROR, "segment-shares-page", f"segment {j} (PT_LOAD at {q.p_vaddr:#x}, {q.p_memsz} "
                                                       f"bytes) shares a {page:#x}-byte page with the host's "
                                                       f"segment at {shared[0]:#x}-{shared[1]:#x}: mapping one "
                                                       "replaces the other's page", address=q.p_vaddr,
                         size=q.p_memsz)
        return changed

    # ---- the embedded ELF -------------------------------------------------------
    def check_embedded_elf(self, stem: str, data: memoryview) -> None:
        if not is_elf(data):
            self.add(WARNING, "image-not-elf", "is not an ELF image: remote_fw_load refuses it (fine for a "
                                               "blob the host reads itself)", stem)
            return
        ident = data[:spec.EI_NIDENT]
        if ident[spec.EI_CLASS] not in (spec.ELFCLASS32, spec.ELFCLASS64) or \
                ident[spec.EI_DATA] not in (spec.ELFDATA2LSB, spec.ELFDATA2MSB) or \
                ident[spec.EI_VERSION] != spec.EV_CURRENT:
            self.add(ERROR, "remote-elf-header", f"unknown ELF class {ident[spec.EI_CLASS]}, data encoding "
                                                 f"{ident[spec.EI_DATA]} or version {ident[spec.EI_VERSION]}: "
                                                 "remote_fw_load returns REMOTE_FW_ENOTELF", stem)
            return
        lay = spec.Layout.of(data)
        if len(data) < lay.ehdr.size:
            self.add(ERROR, "remote-elf-header", f"{len(data)} bytes, shorter than the ELF header "
                                                 f"({lay.ehdr.size} bytes)", stem)
            return
        ehdr = lay.ehdr.unpack(data)
        if lay.elfdata != self.elf.layout.elfdata:
            self.add(WARNING, "remote-elf-byteorder", f"is {'big' if lay.big_endian else 'little'}-endian, the "
                                                      "host is not: Linux's remoteproc refuses it (the kit "
                                                      "loads it)", stem)
        phnum = ehdr.e_phnum
        if phnum == 0xFFFF:             # PN_XNUM: the count is in section 0's sh_info
            phnum = lay.shdr.unpack(data, ehdr.e_shoff).sh_info \
                if ehdr.e_shoff and ehdr.e_shoff + lay.shdr.size <= len(data) else 0
        if phnum and ehdr.e_phentsize != lay.phdr.size:
            self.add(ERROR, "remote-elf-header", f"e_phentsize is {ehdr.e_phentsize}, expected "
                                                 f"{lay.phdr.size}: remote_fw_load returns REMOTE_FW_ENOTELF", stem)
            return
        if ehdr.e_phoff + phnum * lay.phdr.size > len(data):
            self.add(ERROR, "remote-elf-bounds", f"the program header table at {ehdr.e_phoff:#x} ({phnum} "
                                                 f"entries) runs past the end of the image ({len(data)} bytes)",
                     stem)
            return
        phdrs = list(lay.phdr.iter_unpack(data, ehdr.e_phoff, phnum))
        sound, loads = True, []
        for i, p in enumerate(phdrs):
            if p.p_type != spec.PT_LOAD:
                continue
            if p.p_offset + p.p_filesz > len(data):
                sound = False
                self.add(ERROR, "remote-elf-bounds", f"segment {i} (PT_LOAD at {p.p_paddr:#x}): file bytes "
                                                     f"{p.p_offset:#x}+{p.p_filesz} run past the end of the "
                                                     f"image ({len(data)} bytes)", stem, p.p_paddr, p.p_filesz)
            if p.p_filesz > p.p_memsz:
                sound = False
                self.add(ERROR, "remote-elf-segment", f"segment {i} (PT_LOAD at {p.p_paddr:#x}) has p_filesz "
                                                      f"{p.p_filesz} > p_memsz {p.p_memsz}", stem, p.p_paddr)
            if p.p_paddr + p.p_memsz > lay.addr_max + 1:
                sound = False
                self.add(ERROR, "remote-elf-segment", f"segment {i} (PT_LOAD at {p.p_paddr:#x}, {p.p_memsz} "
                                                      "bytes) wraps around the address space", stem, p.p_paddr)
            if p.p_memsz:
                loads.append((i, p))
        if not loads:
            self.add(ERROR, "remote-elf-noload", "has no PT_LOAD with bytes: remote_fw_load returns "
                                                 "REMOTE_FW_ENOLOAD", stem)
        occupied = placement.occupied_ranges(self.elf)
        for i, p in loads:
            hit = placement.overlaps(occupied, p.p_paddr, p.p_paddr + p.p_memsz)
            if hit:
                self.add(ERROR, "remote-load-overlap", f"segment {i} loads at {p.p_paddr:#x}-"
                                                       f"{p.p_paddr + p.p_memsz:#x}, onto {hit[0].what} of "
                                                       "the host: loading it overwrites the host",
                         stem, p.p_paddr, p.p_memsz)
        if not sound:
            return
        try:
            remote = parse_elf(data, what=f"embedded image {stem}")
        except BadInputError as exc:
            self.add(ERROR, "remote-elf-sections", f"{exc.message}: remote_fw_rsc_table cannot read it", stem)
            return
        self.check_resource_table(stem, remote)

    def check_resource_table(self, stem: str, remote: ElfImage) -> None:
        sec, table = rsc_table.find_table(remote)
        if sec is None:
            self.add(WARNING, "rsc-missing", f"has no {RSC_SECTION} section: fine for OpenAMP, fatal for "
                                             "Linux's default ELF loader; remote_fw_rsc_table returns "
                                             "REMOTE_FW_ENORSC", stem)
            return
        for p in table.problems:
            where = f"{RSC_SECTION}+{p.offset:#x}: " if p.offset is not None else f"{RSC_SECTION}: "
            self.add(p.severity, p.code, where + p.message, stem)
        if not sec.has_file_bytes:
            return
        h = sec.hdr
        if sec.is_alloc and not any(
                p.p_vaddr <= h.sh_addr and h.sh_addr + h.sh_size <= p.p_vaddr + p.p_filesz
                for p in remote.iter_loads()):
            self.add(WARNING, "rsc-not-loaded", f"{RSC_SECTION} at {h.sh_addr:#x} is not in the file bytes of "
                                                "a PT_LOAD: Linux finds no loaded table to update", stem)

    # ---- --remote files ------------------------------------------------------
    def check_remotes(self, remotes: list[RemoteFile]) -> None:
        carried = self.image_bytes
        for r in remotes:
            digest = hashlib.sha256(r.data).hexdigest()
            if r.stem in carried:
                stem = r.stem
            elif len(carried) == 1:
                stem = next(iter(carried))
            else:
                stem = next((s for s, d in carried.items() if hashlib.sha256(d).hexdigest() == digest), None)
                if stem is None:
                    self.add(ERROR, "remote-unmatched", f"--remote {r.label} (SHA-256 {digest}) matches no "
                                                        f"image: the file carries "
                                                        f"{', '.join(sorted(carried)) or 'none readable'}")
                    continue
            image_digest = hashlib.sha256(carried[stem]).hexdigest()
            if image_digest != digest:
                self.add(ERROR, "remote-mismatch", f"differs from --remote {r.label}: SHA-256 {image_digest} "
                                                   f"({len(carried[stem])} bytes) against {digest} "
                                                   f"({len(r.data)} bytes)", stem)

    # ---- bundle's reader against LIEF ---------------------------------------------
    def check_second_parser(self) -> None:
        from bundler.adapters import lief as lief_adapter    # loaded only for verify

        try:
            other = lief_adapter.read(self.elf.data)
        except BadInputError as exc:
            self.add(ERROR, "lief-unreadable", exc.message)
            return
        for problem in compare_parsers(self.elf, other):
            self.add(ERROR, "parser-disagree", problem)

    # ---- --emulate ------------------------------------------------------------------
    def emulate(self) -> None:
        from bundler import emulate as emu
        from bundler.adapters.unicorn import EmulatorError

        self.report.emulation = Emulation(target=None)
        wanted = [img for img in self.inv.images if img.descriptor is not None]
        if not wanted:
            self.add(ERROR, "emulate-unavailable", "--emulate: no image has a descriptor, so remote_fw_find "
                                                   "can find none")
            return
        try:
            target, results = emu.find_images(self.elf, [img.stem for img in wanted])
        except emu.EmulationUnavailable as exc:
            self.add(ERROR, "emulate-unavailable", f"--emulate: {exc}")
            return
        except EmulatorError as exc:
            self.add(ERROR, "emulate-failed", f"--emulate: {exc.message}")
            return
        self.report.emulation = Emulation(target=target.description, results=results)
        for img, res in zip(wanted, results):
            if res.rc != 0 and img.flow == images_mod.DECLARED and self.carries_images \
                    and res.rc_name == "REMOTE_FW_ENOTBUNDLED":
                continue                # what the image-declared-only warning says
            if res.rc != 0:
                self.add(ERROR, "emulate-error", f"remote_fw_find(\"{img.stem}\") returned {res.rc} "
                                                 f"({res.rc_name})", img.stem)
                continue
            # what the symbols say; without them, what the other sources agree on
            want = self.symbol_extent(img) or self.extents.get(img.stem)
            wrong = []
            if want is not None and (res.base, res.size) != want:
                wrong.append(f"base {res.base:#x} size {res.size:#x}, the symbols say base {want[0]:#x} "
                             f"size {want[1]:#x}")
            if res.name != img.stem:
                wrong.append(f"name {res.name!r}")
            if wrong:
                self.add(ERROR, "emulate-mismatch", f"remote_fw_find(\"{img.stem}\") returned " + "; ".join(wrong),
                         img.stem, res.base, res.size)

    @staticmethod
    def symbol_extent(img: EmbeddedImage) -> tuple[int, int] | None:
        if img.start is None:
            return None
        if img.end is not None:
            return img.start.st_value, img.end.st_value - img.start.st_value
        if img.size_symbol is not None:
            return img.start.st_value, img.size_symbol.st_value
        return None


def _same_segment(out: spec.Phdr, original: spec.Phdr) -> bool:
    """The output's program header is the original's (PT_PHDR may follow a moved or grown table)."""
    if original.p_type == spec.PT_PHDR:
        return (out.p_type, out.p_flags, out.p_align) == (original.p_type, original.p_flags, original.p_align)
    return out == original


SECTION_FIELDS = ("sh_type", "sh_flags", "sh_addr", "sh_offset", "sh_size", "sh_link", "sh_info",
                  "sh_addralign", "sh_entsize")
SEGMENT_FIELDS = ("p_type", "p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_align")


def compare_parsers(elf: ElfImage, other) -> list[str]:
    """Every difference between bundle's reading (bundler.elf.reader) and LIEF's (bundler.adapters.lief.LiefElf):
    each section, each segment, and each ``_binary_*`` symbol."""
    from bundler.adapters.lief import P_FLAGS_MODELLED, unmodelled_type
    out = []
    if len(other.sections) != len(elf.sections):
        out.append(f"bundle reads {len(elf.sections)} sections, LIEF {len(other.sections)}")
    for sec, theirs in zip(elf.sections, other.sections):
        diffs = [f"{f} {getattr(sec.hdr, f):#x} / {getattr(theirs, f):#x}" for f in SECTION_FIELDS
                 if getattr(sec.hdr, f) != getattr(theirs, f)
                 and not (f == "sh_type" and unmodelled_type(sec.hdr.sh_type, theirs.sh_type))]
        if sec.name != theirs.name:
            diffs.insert(0, f"name {sec.name!r} / {theirs.name!r}")
        if diffs:
            out.append(f"section {sec.index} ({sec.name or 'null'}), bundle / LIEF: " + ", ".join(diffs))
    if len(other.segments) != len(elf.segments):
        out.append(f"bundle reads {len(elf.segments)} program headers, LIEF {len(other.segments)}")
    for i, (p, theirs) in enumerate(zip(elf.segments, other.segments)):
        mine = {f: getattr(p, f) for f in SEGMENT_FIELDS}
        mine["p_flags"] &= P_FLAGS_MODELLED      # all that LIEF can tell us
        diffs = [f"{f} {mine[f]:#x} / {getattr(theirs, f):#x}" for f in SEGMENT_FIELDS
                 if mine[f] != getattr(theirs, f)
                 and not (f == "p_type" and unmodelled_type(mine[f], theirs.p_type))]
        if diffs:
            out.append(f"segment {i}, bundle / LIEF: " + ", ".join(diffs))
    ours = sorted((s.name, s.st_value, s.st_size, s.bind, s.type, s.st_shndx)
                  for s in elf.symbols if s.name.startswith("_binary_"))
    theirs = sorted((s.name, s.st_value, s.st_size, s.bind, s.type, s.st_shndx)
                    for s in other.symbols if s.name.startswith("_binary_"))
    if ours != theirs:
        only_ours = [s for s in ours if s not in theirs]
        only_theirs = [s for s in theirs if s not in ours]
        out.append("_binary_ symbols differ: bundle only " + _symbols_text(only_ours)
                   + "; LIEF only " + _symbols_text(only_theirs))
    return out


def _symbols_text(symbols) -> str:
    if not symbols:
        return "none"
    return ", ".join(f"{name}={value:#x} size {size} bind {bind} type {typ} shndx {shndx}"
                     for name, value, size, bind, typ, shndx in symbols)
