"""Findings: what ``bundle verify`` reports, and the one registry of their codes.

:data:`CODES` holds every code verify (and the resource-table decoder,
:mod:`bundler.rsc_table`) can report, with its one severity and a one-line
meaning; docs/json.md lists the same table and a test compares the two.
:func:`finding` is the only way checks make a :class:`Finding`: it takes the
severity from the registry, so an unregistered code fails at once.
"""

from __future__ import annotations

from bundler.records import FrozenRecord, Record

ERROR, WARNING = "error", "warning"


class Code(FrozenRecord):
    code: str
    severity: str
    meaning: str                # one line, as docs/json.md says it


_ALL = (
    Code('no-images', ERROR, 'no `_binary_*` symbol, descriptor or bundle record: nothing to verify'),
    Code('segment-overlap', ERROR, 'two PT_LOADs overlap by LMA (`p_paddr` .. `p_paddr + p_memsz`)'),
    Code('segment-align', ERROR, 'a PT_LOAD whose `p_offset` and `p_vaddr` differ modulo `p_align` (one with no file bytes only in a hosted program)'),
    Code('segment-order', ERROR, "a hosted program's PT_LOADs are not in ascending `p_vaddr` order (empty ones not counted)"),
    Code('segment-order-bare-metal', WARNING, "a bare-metal host's PT_LOADs are not in ascending `p_vaddr` order (as some are linked)"),
    Code('phdr-mismatch', ERROR, '`PT_PHDR` does not describe the program header table at `e_phoff`, or not at the address its PT_LOAD maps it'),
    Code('phdr-not-loaded', ERROR, "`PT_PHDR` describes a table no PT_LOAD maps, or a hosted program's table is in no PT_LOAD"),
    Code('segment-page-align', ERROR, "a PT_LOAD bundling added to a hosted program has `p_align` below the host's page size"),
    Code('segment-shares-page', ERROR, 'a PT_LOAD bundling added to a hosted program shares a page with a host segment'),
    Code('lief-unreadable', ERROR, "LIEF cannot parse the file that bundle's reader parsed"),
    Code('parser-disagree', ERROR, "bundle's reader and LIEF read a section header, program header or `_binary_*` symbol differently"),
    Code('record-corrupt', ERROR, 'the `.rproc_bundle` record is unreadable, or does not restore a readable host'),
    Code('host-changed', ERROR, 'a segment, section or symbol of the original host (restored from the record) changed, or a byte inside its PT_LOADs other than a descriptor field'),
    Code('descriptor-corrupt', ERROR, "bad magic, version or size (the kit's `REMOTE_FW_EDESC`), or a name pointer to nowhere"),
    Code('descriptor-align', ERROR, 'a descriptor not 8-byte aligned (`REMOTE_FW_EDESC`)'),
    Code('descriptor-not-loaded', ERROR, "the descriptor's file bytes are not what a PT_LOAD puts at its address"),
    Code('descriptor-missing', WARNING, 'an image without a descriptor: `remote_fw_find` will not see it'),
    Code('descriptor-mismatch', ERROR, 'base, size or link_addr (post-link), or start/end (pre-link), differ from the image; or the descriptor was never filled'),
    Code('descriptor-crc', ERROR, "the recorded CRC-32 is not the image's (`REMOTE_FW_ECSUM`)"),
    Code('descriptor-no-checksum', WARNING, 'no CRC-32 recorded (pre-link flow: `REMOTE_FW_ENOCSUM`)'),
    Code('image-not-bundled', ERROR, 'declared, but neither bundled nor linked, and the file carries no image at all (`REMOTE_FW_ENOTBUNDLED`)'),
    Code('image-declared-only', WARNING, 'declared but not bundled while other images are carried: a staged bundle (`bundle` one stem now, another later) or an optional image; the host gets `REMOTE_FW_ENOTBUNDLED` for it, and `--emulate` checks exactly that'),
    Code('symbol-missing', ERROR, '`_binary_<stem>_start`, `_end` or `_size` is not defined'),
    Code('symbol-mismatch', ERROR, 'a symbol disagrees with the image (address, end, size, or start and end in different sections)'),
    Code('symbol-kind', WARNING, 'a symbol is not GLOBAL NOTYPE, or `_size` is not SHN_ABS'),
    Code('section-mismatch', ERROR, "the image's section is missing, not SHF_ALLOC PROGBITS, or not exactly the image (post-link) / does not contain it (pre-link)"),
    Code('record-mismatch', ERROR, "the bundle record's address, size or CRC-32 differ from the image"),
    Code('image-not-in-load', ERROR, 'the image is not wholly inside the file bytes (not the .bss part) of one PT_LOAD'),
    Code('image-align', ERROR, 'the image is not aligned as the record says (`--align`)'),
    Code('image-align-low', WARNING, 'the image is not 8-byte aligned'),
    Code('remote-mismatch', ERROR, 'the image differs from a `--remote` file (SHA-256)'),
    Code('remote-unmatched', ERROR, 'a `--remote` file matches no image (several images, no stem or content match)'),
    Code('image-not-elf', WARNING, 'the image is no ELF file (fine for a blob the host reads itself)'),
    Code('remote-elf-header', ERROR, 'unknown class, byte order or version, header cut short, wrong `e_phentsize`'),
    Code('remote-elf-bounds', ERROR, "the program header table or a PT_LOAD's file bytes run past the image"),
    Code('remote-elf-segment', ERROR, 'a PT_LOAD with `p_filesz > p_memsz`, or one that wraps the address space'),
    Code('remote-elf-noload', ERROR, 'no PT_LOAD with bytes'),
    Code('remote-elf-sections', ERROR, 'the section headers are unreadable, so its resource table cannot be found'),
    Code('remote-elf-byteorder', WARNING, "its byte order differs from the host's (Linux refuses it; the kit does not)"),
    Code('remote-load-overlap', ERROR, 'a PT_LOAD of the image loads (by `p_paddr`) onto a segment or section of the host, or onto an image'),
    Code('rsc-missing', WARNING, 'no `.resource_table` section'),
    Code('rsc-not-in-file', ERROR, '`.resource_table` is SHT_NOBITS'),
    Code('rsc-not-loaded', WARNING, "`.resource_table` is not inside a PT_LOAD's file bytes, so Linux finds no loaded table to update"),
    Code('rsc-truncated', ERROR, "the table is shorter than its header, its `offset[]` array, or an entry (with a vdev's vrings and config space)"),
    Code('rsc-version', ERROR, '`ver` is not 1'),
    Code('rsc-reserved', ERROR, 'a reserved field (header, carveout, devmem, trace, vdev) is not 0'),
    Code('rsc-vdev-vrings', ERROR, 'a vdev with more than 2 vrings'),
    Code('rsc-vring', ERROR, 'a vring with `num` or `align` 0, or `num` not a power of two'),
    Code('rsc-unknown-type', ERROR, 'an entry type neither 0..3 nor vendor 128..512 (Linux skips it with a warning; the kit refuses the table)'),
    Code('rsc-notifyid-duplicate', ERROR, 'two vdev or vring notify ids are equal (0xFFFFFFFF, "any", excepted)'),
    Code('rsc-notifyid-range', ERROR, 'a notify id of 32 or more: OpenAMP keeps them in a 32-bit bitmap'),
    Code('emulate-unavailable', ERROR, 'emulation could not start: big-endian or unsupported machine, no `remote_fw_find` symbol, no image with a descriptor, segments spanning more than 1 GiB'),
    Code('emulate-failed', ERROR, 'the emulated call faulted (unmapped access, undefined instruction) or did not return within 1,000,000 instructions'),
    Code('emulate-error', ERROR, '`remote_fw_find` returned a negative code (`rc_name` in the results)'),
    Code('emulate-mismatch', ERROR, "it returned a base, size or name other than the symbols'"),
)

CODES: dict[str, Code] = {c.code: c for c in _ALL}


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


def severity_of(code: str) -> str:
    """The severity of a registered code; KeyError for one that is not registered."""
    return CODES[code].severity


def finding(code: str, message: str, stem: str | None = None, address: int | None = None,
            size: int | None = None) -> Finding:
    """A finding of a registered code, with the code's severity."""
    return Finding(severity_of(code), code, message, stem, address, size)
