"""The hostile corpus for the OpenAMP image store: real sample remotes with
one thing broken each, and the REMOTE_FW_E... reason the store must give.

The cases named in issue 12 (what OpenAMP's loader trusts), plus truncations
inside every header, table and segment, and the store's further rules. Each
case is (name, image bytes, expected code name from remote_fw.h).

Record layouts come from tests.support.kit_elf (one owner of the field
offsets); the samples are little-endian, as the native host is.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from tests.support.kit_elf import EHDR, EHSIZE, PHDR, PHENTSIZE, PT_LOAD, SHDR, SHENTSIZE
from tests.support.paths import SAMPLES

BASES = {"elf64": SAMPLES / "aarch64-amp" / "prebuilt" / "remote.elf",
         "elf32": SAMPLES / "cortex-m3" / "prebuilt" / "remote.elf"}

# struct resource_table / fw_rsc_* field offsets (remoteproc.h)
RSC_NUM, RSC_OFFSET0 = 4, 16
RSC_CARVEOUT, RSC_VDEV = 0, 3
CARVEOUT_DA, CARVEOUT_LEN = 4, 12
VDEV_NUM_OF_VRINGS = 25
RSC_VENDOR = 128
EI_DATA, ELFDATA2MSB = 5, 2


@dataclass
class Elf:
    """A little-endian ELF image to read and patch by spec field names."""
    data: bytes

    @property
    def bits(self) -> int:
        return 64 if self.data[4] == 2 else 32

    def _where(self, table: str, name: str, index: int) -> tuple[int, str]:
        layouts = {"ehdr": EHDR, "phdr": PHDR, "shdr": SHDR}
        off, code = layouts[table][self.bits][name]
        base = {"ehdr": 0,
                "phdr": self.get("ehdr", "e_phoff") + index * PHENTSIZE[self.bits] if table == "phdr" else 0,
                "shdr": self.get("ehdr", "e_shoff") + index * SHENTSIZE[self.bits] if table == "shdr" else 0,
                }[table]
        return base + off, "<" + code

    def get(self, table: str, name: str, index: int = 0) -> int:
        off, code = self._where(table, name, index)
        return struct.unpack_from(code, self.data, off)[0]

    def set(self, table: str, name: str, value: int, index: int = 0) -> bytes:
        off, code = self._where(table, name, index)
        return patch(self.data, off, code, value)

    def loads(self) -> list[int]:
        return [i for i in range(self.get("ehdr", "e_phnum")) if self.get("phdr", "p_type", i) == PT_LOAD]

    def section_names(self) -> list[str]:
        strtab = self.get("ehdr", "e_shstrndx")
        base = self.get("shdr", "sh_offset", strtab)
        names = []
        for i in range(self.get("ehdr", "e_shnum")):
            off = base + self.get("shdr", "sh_name", i)
            names.append(self.data[off:self.data.index(b"\0", off)].decode())
        return names

    def section(self, name: str) -> int:
        return self.section_names().index(name)

    def rsc(self) -> tuple[int, int]:
        i = self.section(".resource_table")
        return self.get("shdr", "sh_offset", i), self.get("shdr", "sh_size", i)

    def rsc_entries(self) -> list[tuple[int, int]]:
        """(file offset, type) of each resource-table entry."""
        off, _ = self.rsc()
        num = struct.unpack_from("<I", self.data, off + RSC_NUM)[0]
        out = []
        for k in range(num):
            e = off + struct.unpack_from("<I", self.data, off + RSC_OFFSET0 + 4 * k)[0]
            out.append((e, struct.unpack_from("<I", self.data, e)[0]))
        return out


def patch(data: bytes, off: int, code: str, value: int) -> bytes:
    b = bytearray(data)
    struct.pack_into(code, b, off, value)
    return bytes(b)


def window(data: bytes) -> tuple[int, int]:
    """The remote's memory a host maps for it: every PT_LOAD and carveout, 4 KiB pages."""
    e = Elf(data)
    spans = [(e.get("phdr", "p_paddr", i), e.get("phdr", "p_memsz", i)) for i in e.loads()]
    for off, rtype in e.rsc_entries():
        if rtype == RSC_CARVEOUT:
            spans.append(struct.unpack_from("<I", data, off + CARVEOUT_DA)[0:1]
                         + struct.unpack_from("<I", data, off + CARVEOUT_LEN))
    start = min(a for a, _ in spans) & ~0xFFF
    end = (max(a + n for a, n in spans) + 0xFFF) & ~0xFFF
    return start, end - start


def cases_for(base: str) -> list[tuple[str, bytes, str]]:
    data = BASES[base].read_bytes()
    e = Elf(data)
    bits = e.bits
    loads = e.loads()
    last = loads[-1]
    strndx = e.get("ehdr", "e_shstrndx")
    rsc_off, rsc_size = e.rsc()
    entries = e.rsc_entries()
    vdev = next(off for off, t in entries if t == RSC_VDEV)
    shstr_off, shstr_size = e.get("shdr", "sh_offset", strndx), e.get("shdr", "sh_size", strndx)
    out: list[tuple[str, bytes, str]] = []

    def add(name: str, img: bytes, code: str) -> None:
        out.append((f"{base}-{name}", img, code))

    # ---- the cases of issue 12 / REMOTEPROC.md "What each loader checks"
    add("e_phoff-wraps", e.set("ehdr", "e_phoff", (1 << bits) - 8), "EBOUNDS")
    add("e_phentsize-8", e.set("ehdr", "e_phentsize", 8), "ENOTELF")
    add("rsc-entry-outside-table",
        patch(data, rsc_off + RSC_OFFSET0, "<I", rsc_size + 0x100), "ERSC")
    add("vdev-200-vrings", patch(data, vdev + VDEV_NUM_OF_VRINGS, "<B", 200), "ERSC")
    add("sh_name-outside-shstrtab", e.set("shdr", "sh_name", 0x10000, 1), "ESECTION")
    add("shstrtab-2GiB", e.set("shdr", "sh_size", 0x80000000, strndx), "ELIMIT")
    add("p_filesz-gt-p_memsz",
        e.set("phdr", "p_memsz", e.get("phdr", "p_filesz", last) - 1, last), "ESEGMENT")
    add("rsc-table-outside-file",
        e.set("shdr", "sh_offset", len(data), e.section(".resource_table")), "EBOUNDS")
    add("p_memsz-0", Elf(e.set("phdr", "p_filesz", 0, last)).set("phdr", "p_memsz", 0, last),
        "EEMPTY")

    # ---- truncations inside every header, table and segment
    cuts = {"empty": 0, "e_ident": 10, "ehdr": EHSIZE[bits] - 1}
    phoff, phent = e.get("ehdr", "e_phoff"), PHENTSIZE[bits]
    for i in range(e.get("ehdr", "e_phnum")):
        cuts[f"phdr{i}"] = phoff + i * phent + phent // 2
    for i in loads:
        cuts[f"segment{i}"] = e.get("phdr", "p_offset", i) + e.get("phdr", "p_filesz", i) // 2
    cuts["resource_table"] = rsc_off + rsc_size // 2
    cuts["shstrtab"] = shstr_off + shstr_size // 2
    shoff, shent = e.get("ehdr", "e_shoff"), SHENTSIZE[bits]
    for i in range(e.get("ehdr", "e_shnum")):
        cuts[f"shdr{i}"] = shoff + i * shent + shent // 2
    cuts["last-byte"] = len(data) - 1
    for name, cut in cuts.items():
        add(f"truncated-{name}", data[:cut], "ENOTELF" if cut < EHSIZE[bits] else "EBOUNDS")

    # ---- the store's further rules (what else OpenAMP trusts)
    # a well-formed header in the other byte order (OpenAMP would read it in the host's)
    add("big-endian", patch(patch(data, EI_DATA, "<B", ELFDATA2MSB), EHDR[bits]["e_version"][0], ">I", 1),
        "EENDIAN")
    add("e_phnum-PN_XNUM", e.set("ehdr", "e_phnum", 0xFFFF), "ELIMIT")
    add("e_shentsize-8", e.set("ehdr", "e_shentsize", 8), "ENOTELF")
    add("e_shstrndx-0", e.set("ehdr", "e_shstrndx", 0), "ESECTION")
    add("e_shstrndx-past-table", e.set("ehdr", "e_shstrndx", e.get("ehdr", "e_shnum")), "ESECTION")
    add("shstrtab-unterminated", patch(data, shstr_off + shstr_size - 1, "<B", ord("x")), "ESECTION")
    add("shdr-table-past-end", e.set("ehdr", "e_shnum", e.get("ehdr", "e_shnum") + 40), "EBOUNDS")
    add("rsc-num-2^30", patch(data, rsc_off + RSC_NUM, "<I", 1 << 30), "ERSC")
    add("rsc-entry-misaligned",
        patch(data, rsc_off + RSC_OFFSET0, "<I",
              struct.unpack_from("<I", data, rsc_off + RSC_OFFSET0)[0] + 1), "ERSC")
    add("rsc-vendor-len-past-table",
        patch(patch(data, vdev, "<I", RSC_VENDOR), vdev + 4, "<I", 0x10000), "ERSC")
    add("p_offset-past-end", e.set("phdr", "p_offset", len(data), last), "EBOUNDS")
    add("p_memsz-2GiB", e.set("phdr", "p_memsz", 0x80000000, last), "ELIMIT")
    add("p_paddr-wraps", e.set("phdr", "p_paddr", (1 << bits) - 16, last),
        "ESEGMENT" if bits == 64 else "EREGION")
    return out


def all_cases() -> list[tuple[str, bytes, str]]:
    return cases_for("elf64") + cases_for("elf32")


# the cases issue 12 names, for the table of what OpenAMP alone does
ISSUE_CASES = ("e_phoff-wraps", "e_phentsize-8", "rsc-entry-outside-table", "vdev-200-vrings",
               "sh_name-outside-shstrtab", "shstrtab-2GiB", "p_filesz-gt-p_memsz",
               "rsc-table-outside-file", "p_memsz-0")
