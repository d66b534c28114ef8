"""What every check reads: the ELF, the survey of its images, and what earlier
checks learnt (each image's agreed extent and bytes, the report's image list)."""

from __future__ import annotations

from collections import Counter

from bundler.postlink import images as images_mod
from bundler.remoteproc import rsc_table
from bundler.checks.report import RemoteFile, Report
from bundler.elf import spec
from bundler.elf.model import ElfFile
from bundler.postlink.images import EmbeddedImage, Inventory

RSC_SECTION = rsc_table.SECTION
MIN_ALIGN = 8       # below this, a host that reads the ELF header through a struct may fault


class Context:
    """One verify run's shared state; checks read it and record what later checks need."""

    def __init__(self, elf: ElfFile, remotes: list[RemoteFile] = (), emulate: bool = False, *,
                 loader: str | None = None, memory=None, driver=None, kernel: str | None = None):
        self.elf = elf
        self.remotes = list(remotes)
        self.emulate = emulate
        self.loader = loader            # --loader: check each embedded ELF as this loader will
        self.memory = memory            # --memory/--dtb: a bundler.remoteproc.memory.MemoryMap (or ranges)
        self.driver = driver            # --driver: a bundler.loaders.drivers.Driver, or None
        self.kernel = kernel            # --kernel: the Linux version whose rules apply (None: the newest)
        self.keys: list[bytes] = []     # --key: raw Ed25519 public keys every image must be signed by
        self.report = Report()
        self.inv: Inventory = images_mod.survey(elf)
        self.image_bytes: dict[str, memoryview] = {}
        self.extents: dict[str, tuple[int, int]] = {}

    @property
    def carries_images(self) -> bool:
        """True if the file carries at least one bundled or linked image."""
        return any(img.flow != images_mod.DECLARED for img in self.inv.images)

    def consensus(self, img: EmbeddedImage) -> tuple[int, int]:
        """(address, size) most sources agree on; ties go to section, record, symbols, descriptor."""
        votes = []
        sec = self.image_section(img)
        if sec is not None and img.record is not None:
            votes.append((sec.hdr.sh_addr, sec.hdr.sh_size))
        if img.record is not None:
            votes.append((img.record.address, img.record.size))
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

    def near(self, address: int) -> str:
        for i, p in enumerate(self.elf.segments):
            if p.p_type == spec.PT_LOAD and p.p_vaddr <= address < p.p_vaddr + max(p.p_memsz, 1):
                return (f"it starts in segment {i}, whose file bytes end at {p.p_vaddr + p.p_filesz:#x}"
                        f"{' (the rest is .bss)' if p.p_memsz > p.p_filesz else ''}")
        return "no PT_LOAD holds its start"
