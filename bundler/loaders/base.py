"""What every loader profile shares: rules, the check context, lenient ELF reads.

A profile (one module per loader) declares its :class:`Rule` list (the finding
code, severity, what the loader does and its own words) and a ``check``
generator that walks an image the way that loader does, yielding findings.
Rules also make the tables in docs/verify.md (``python -m bundler.loaders``).

Reads here never raise on a damaged image: a loader profile must describe
images that :func:`bundler.elf.reader.parse_elf` refuses (a truncated
segment is exactly what "truncated fw" is about). Record layouts come from
:mod:`bundler.elf.spec`; a profile may read in a byte order other than
EI_DATA's (OpenAMP reads in the host's).
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.remoteproc.memory import MemoryMap
from bundler.records import Factory, Record
from bundler.findings import CODES, ERROR, WARNING, Finding, finding

# What the loader does when the rule is broken.
REFUSED = "refused"        # it returns an error and loads nothing (or stops the boot)
UNDEFINED = "undefined"    # it reads or writes outside the image or the memory: no answer is safe
ACCEPTED = "accepted"      # it loads, but something the firmware needs is lost or wrong
NOTE = "note"              # it goes on; worth knowing (also the severity "note": bundler.findings.NOTE)

FW_RSC_ADDR_ANY = 0xFFFFFFFF


class Rule(Record):
    """One rule of a loader: its finding code (severity and meaning in the one registry,
    bundler.findings.CODES), what the loader does when it is broken, and its own words."""

    code: str
    outcome: str
    words: str          # the loader's own message (its format string), "" if it prints none
    kernels: tuple = ()  # Linux: the modelled kernel versions the rule is of (empty: all of them)

    @property
    def severity(self) -> str:
        return CODES[self.code].severity

    @property
    def rule(self) -> str:
        """What is checked, one line (the registry's meaning, as docs/json.md says it)."""
        return CODES[self.code].meaning


class Host(Record):
    """The machine the loader runs on: byte order and word size; for Linux, whether the
    remote processor's driver attaches an IOMMU domain (omap_remoteproc does; most do not)."""

    byteorder: str = "little"
    bits: int = 64
    iommu: bool = False

    @property
    def elfdata(self) -> int:
        return spec.ELFDATA2MSB if self.byteorder == "big" else spec.ELFDATA2LSB


class Context(Record):
    """One run of one profile over one image."""

    data: bytes
    memory: MemoryMap | None = None
    host: Host = Factory(Host)
    stem: str | None = None
    kernel: str | None = None            # Linux: the kernel version whose rules apply
    rules: dict = Factory(dict)          # code -> Rule, of the profile
    findings: list = Factory(list)
    driver: object = None                # bundler.loaders.drivers.Driver (verify --driver), else None

    @property
    def size(self) -> int:
        return len(self.data)

    def finding(self, code: str, message: str, address: int | None = None, size: int | None = None,
                words: str | None = None):
        """Record a finding of rule ``code`` (registered in bundler.findings); ``words`` is the
        loader's message filled in, quoted after the message."""
        if code not in self.rules:
            raise KeyError(f"{code} is no rule of this profile")
        text = f'{message} ("{words}")' if words else message
        f = finding(code, text, self.stem, address, size)
        self.findings.append(f)
        return f

    def outcome_of(self, finding: Finding) -> str:
        rule = self.rules.get(finding.code)
        return rule.outcome if rule is not None else NOTE


def layout(elfclass: int, elfdata: int) -> spec.Layout:
    """A layout for class ELFCLASS32/64 (anything not 64 reads as 32, as the loaders do)."""
    return spec.Layout(spec.ELFCLASS64 if elfclass == spec.ELFCLASS64 else spec.ELFCLASS32, elfdata)


def within(limit: int, offset: int, length: int) -> bool:
    return offset <= limit and length <= limit - offset


def read_ehdr(data: bytes, lay: spec.Layout):
    return lay.ehdr.unpack(data, 0)


def read_phdrs(data: bytes, lay: spec.Layout, offset: int, count: int, stride: int | None = None):
    """(index, phdr or None) for each entry; None where the entry is not wholly in ``data``."""
    stride = stride or lay.phdr.size
    for i in range(count):
        at = offset + i * stride
        if within(len(data), at, lay.phdr.size):
            yield i, lay.phdr.unpack(data, at)
        else:
            yield i, None


def iter_loads(data: bytes):
    """(index, phdr) for each PT_LOAD with bytes (p_memsz > 0) whose entry is wholly in ``data``, read
    leniently (any class byte but 64 reads as 32; PN_XNUM's count from section 0); nothing when the
    ELF magic, EI_DATA or the header is not there. Where each segment goes, for the memory checks."""
    if len(data) < spec.EI_NIDENT or bytes(data[:4]) != spec.ELFMAG or \
            data[spec.EI_DATA] not in (spec.ELFDATA2LSB, spec.ELFDATA2MSB):
        return
    lay = layout(data[spec.EI_CLASS], data[spec.EI_DATA])
    if len(data) < lay.ehdr.size:
        return
    ehdr = lay.ehdr.unpack(data)
    phnum = ehdr.e_phnum
    if phnum == 0xFFFF:                     # PN_XNUM: the count is section 0's sh_info
        sh0 = read_shdr(data, lay, ehdr.e_shoff) if ehdr.e_shoff else None
        phnum = sh0.sh_info if sh0 is not None else 0
    for i, p in read_phdrs(data, lay, ehdr.e_phoff, min(phnum, 4096)):
        if p is None:
            return
        if p.p_type == spec.PT_LOAD and p.p_memsz:
            yield i, p


def read_shdr(data: bytes, lay: spec.Layout, offset: int):
    return lay.shdr.unpack(data, offset) if within(len(data), offset, lay.shdr.size) else None


def cstring_at(data: bytes, offset: int, limit: int | None = None) -> bytes | None:
    """The NUL-terminated bytes at ``offset``, ending before ``limit`` (default: the end of
    ``data``); None when no NUL comes first."""
    end = len(data) if limit is None else min(limit, len(data))
    if offset >= end:
        return None
    nul = bytes(data[offset:end]).find(b"\0")
    return None if nul < 0 else bytes(data[offset:offset + nul])


ERRNO = {"EINVAL": 22, "ENOMEM": 12, "EOVERFLOW": 75, "ENOSPC": 28, "EPROTONOSUPPORT": 93,
         "EILSEQ": 84, "ENOEXEC": 8, "EBADF": 9, "ENODATA": 61}

__all__ = ["ERROR", "WARNING", "REFUSED", "UNDEFINED", "ACCEPTED", "NOTE", "Rule", "Host", "Context",
           "layout", "within", "read_ehdr", "read_phdrs", "read_shdr", "cstring_at", "ERRNO",
           "FW_RSC_ADDR_ANY"]
