"""Post-link bundling: a linked host ELF plus remote images in, a new ELF out.

For each remote: place it (:mod:`bundler.postlink.placement`), fill the host's
descriptor (:mod:`bundler.postlink.descriptor`), and add the section, PT_LOAD and
objcopy-style symbols (:mod:`bundler.elf.editor`). A small non-allocated
record section (``.rproc_bundle``, :mod:`bundler.postlink.bundle_record`) remembers the original host bytes the
edit overwrote and the images it added, so a bundled host can be bundled
again: the result is always "original host + images", and ``--replace``
gives exactly the bytes of a fresh bundle. A signed image (``sign``) is
followed, 8-aligned, by its manifest (:mod:`bundler.signing.manifest`) in its
own section ``.remote_fw_sig.<stem>`` and PT_LOAD; the descriptor says
REMOTE_FW_F_SIGNED and the record names the section, so the manifest is kept
byte for byte on re-bundling.
"""

from __future__ import annotations

from bundler.postlink.bundle_record import (RECORD_SECTION, RecordEntry, encode_record, read_record,  # noqa: F401
                                   unbundle_bytes)
from bundler.postlink import descriptor as desc_mod
from bundler.postlink import placement
from bundler.align import check_align
from bundler.checksum import crc32
from bundler.elf.reader import is_elf, parse_elf
from bundler.elf import spec
from bundler.elf.editor import EditResult, NewImage, NewNote, add_images, planned_prefix_ranges
from bundler.elf.model import ElfFile
from bundler.errors import BadInputError, NoFitError, UsageError, option
from bundler.postlink.placement import Region
from bundler.records import Factory, Record
from bundler.stems import is_valid_stem, symbol_names

MAX_IMAGES = 1024               # images in one output: a documented limit (docs/limits.md)
DEFAULT_SECTION_PREFIX = ".remote_fw."
SIG_SECTION_PREFIX = ".remote_fw_sig."     # a signed image's manifest: .remote_fw_sig.<stem>
SIG_ALIGN = 8                               # the manifest starts 8-aligned after its image


class Remote(Record):
    """One image to bundle: its stem, bytes, and where it came from (for messages)."""

    stem: str
    data: bytes
    label: str
    address: int | None = None
    how: str | None = None      # for an image kept from an earlier bundle: how it was placed then
    align: int | None = None    # likewise its alignment
    crc32: int | None = None    # the CRC-32 of data, if the caller computed it already
    manifest: bytes | None = None   # its signed manifest (kept from an earlier bundle, or just made)


class Signer(Record):
    """How to sign the images given: a cryptography Ed25519 private key, counter, version."""

    key: object
    security_counter: int = 0
    version: tuple[int, int, int] = (0, 0, 0)


class PlacedImage(Record):
    stem: str
    section: str
    address: int
    size: int
    align: int
    crc32: int
    how: str
    file_offset: int = 0
    descriptor: desc_mod.Descriptor | None = None
    sig_section: str = ""       # the manifest's section when signed
    manifest: bytes = b""


class BundleResult(Record):
    edit: EditResult
    images: list[PlacedImage]
    warnings: list[str] = Factory(list)
    rule: str = ""              # the placement rule that applied (placement.AddressSpace.rule)

    @property
    def chunks(self):
        return self.edit.chunks

    def to_bytes(self) -> bytes:
        return self.edit.to_bytes()


def bundle(host: ElfFile, remotes: list[Remote], *, align: int = 8, region: Region | None = None,
           replace: bool = False, section_prefix: str = DEFAULT_SECTION_PREFIX,
           host_name: str = "host", sign: Signer | None = None) -> BundleResult:
    """Bundle ``remotes`` into ``host``; raises a BundleError subclass on any problem.
    With ``sign`` each of ``remotes`` gets a signed manifest."""
    check_align(align)
    seen = _check_request(host, remotes, host_name)
    base, kept = _original_and_kept(host, seen, replace, host_name)
    if len(kept) + len(remotes) > MAX_IMAGES:
        raise UsageError(f"the output would carry {len(kept) + len(remotes)} images; the limit is {MAX_IMAGES}",
                         file=host_name, hint="bundle fewer images into this host")

    descriptors = list(desc_mod.iter_descriptors(base))
    check_host(base, descriptors, host_name)
    by_stem: dict[str, desc_mod.Descriptor] = {}
    for d in descriptors:
        by_stem.setdefault(d.stem, d)       # the first declaration, as remote_fw_find sees it
    for r in remotes:
        _refuse_prelinked(base, r.stem, host_name)
    if sign is not None:
        from bundler.signing.manifest import sign_image
        for r in remotes:
            r.manifest = sign_image(r.stem, r.data, r.label, sign.key, sign.security_counter, sign.version)

    warnings: list[str] = []
    space = placement.AddressSpace(base, region, host_name)
    images: list[NewImage] = []
    placed: list[PlacedImage] = []
    patches: list[tuple[int, bytes]] = []
    for r, is_new in [(r, False) for r in kept] + [(r, True) for r in remotes]:
        label = f"image {r.stem} from {r.label}"
        r_align = r.align or (align if r.address is not None else space.image_align(align))
        sig_at = -len(r.data) % SIG_ALIGN + len(r.data)
        address, how = space.place(sig_at + len(r.manifest) if r.manifest else len(r.data), label=label,
                                   align=r_align, address=r.address, what=f"image {r.stem}")
        how = r.how or how
        section = f"{section_prefix}{r.stem}"
        crc = r.crc32 if r.crc32 is not None else crc32(r.data)
        start, end, size = symbol_names(r.stem)
        images.append(NewImage(section=section, address=address, data=r.data, align=r_align,
                               symbols=[(start, "start"), (end, "end"), (size, "size")]))
        sig_section = ""
        if r.manifest:
            sig_section = f"{SIG_SECTION_PREFIX}{r.stem}"
            images.append(NewImage(section=sig_section, address=address + sig_at, data=r.manifest,
                                   align=SIG_ALIGN))
        desc = by_stem.get(r.stem)
        if desc is None:
            warnings.append(f"{host_name} declares no descriptor for {r.stem} "
                            f"(REMOTE_FW_DECLARE({r.stem})): remote_fw_find will not see it")
        else:
            patches.append((desc.offset + desc_mod.PATCH_START,
                            desc_mod.encode_fill(base, desc, base=address, size=len(r.data), crc32=crc,
                                                 signed=bool(r.manifest))))
        placed.append(PlacedImage(stem=r.stem, section=section, address=address, size=len(r.data),
                                  align=r_align, crc32=crc, how=how, descriptor=desc, sig_section=sig_section,
                                  manifest=r.manifest or b""))
        if is_new:
            warnings.extend(_remote_warnings(space, r, host_name))

    ranges = planned_prefix_ranges(base, len(images), patches)
    note = encode_record(base.data, ranges, [RecordEntry(stem=p.stem, section=p.section, address=p.address,
                                                         size=p.size, align=p.align, crc32=p.crc32, placed=p.how,
                                                         sig_section=p.sig_section)
                                             for p in placed])
    edit = add_images(base, images, patches=patches, notes=[NewNote(RECORD_SECTION, note)])
    offsets = {i.section: offset for i, offset in zip(images, edit.image_offsets)}
    for img in placed:
        img.file_offset = offsets[img.section]
    return BundleResult(edit=edit, images=placed, warnings=warnings + edit.warnings, rule=space.rule)


def _check_request(host: ElfFile, remotes: list[Remote], host_name: str) -> set[str]:
    """Refuse what no bundling can do: a host that is not linked, no remote or too many,
    a stem given twice, an empty image. The stems asked for."""
    if host.ehdr.e_type not in (spec.ET_EXEC, spec.ET_DYN):
        raise BadInputError(f"is not a linked executable (e_type {host.ehdr.e_type})",
                            file=host_name, hint="post-link bundling takes a linked host ELF; "
                                                 "for a relocatable object use 'bundle object' before linking")
    if not remotes:
        raise UsageError("no remote image given", hint="usage: bundle HOST REMOTE... -o OUT")
    if len(remotes) > MAX_IMAGES:
        raise UsageError(f"{len(remotes)} remote images given; the limit is {MAX_IMAGES} per host",
                         hint="split them across hosts, or pack them into one container image")
    seen = set()
    for r in remotes:
        if r.stem in seen:
            raise UsageError(f"stem {r.stem} is given twice",
                             param="names", hint=f"give each remote its own {option('names')}")
        seen.add(r.stem)
        if not r.data:
            raise BadInputError("is empty (0 bytes)", file=r.label, size=0,
                                hint="pass the remote firmware image, not an empty file")
    return seen


def _original_and_kept(host: ElfFile, seen: set[str], replace: bool,
                       host_name: str) -> tuple[ElfFile, list[Remote]]:
    """The original host (a bundled one unbundled) and the images it keeps: those of its
    bundle record not asked for again (asked for again without ``replace``: an error)."""
    record = read_record(host, host_name)
    kept: list[Remote] = []
    if record is not None:
        for img in record.images:
            if img.stem in seen:
                if not replace:
                    raise BadInputError(
                        f"already carries {img.stem} at {img.address:#x} ({img.size} bytes)",
                        file=host_name, address=img.address, size=img.size,
                        param="replace", hint=f"pass {option('replace')} to bundle it again, or "
                                             f"{option('names')} to bundle under another stem")
                continue
            sec = host.find_section(img.section)
            if sec is None:
                raise BadInputError(f"bundle record names section {img.section}, which is missing",
                                    file=host_name, hint="the bundled file was edited by another tool; "
                                                         "bundle the original host instead")
            manifest = None
            if img.sig_section:
                sig = host.find_section(img.sig_section)
                if sig is None:
                    raise BadInputError(f"bundle record names section {img.sig_section}, which is missing",
                                        file=host_name, hint="the bundled file was edited by another tool; "
                                                             "bundle the original host instead")
                manifest = bytes(host.section_bytes(sig))
            kept.append(Remote(stem=img.stem, data=bytes(host.section_bytes(sec)),
                               label=f"{host_name}:{img.section}", address=img.address,
                               how=img.placed, align=img.align, manifest=manifest))
        return parse_elf(unbundle_bytes(host, record), what="host ELF"), kept
    return host, kept


def check_host(base: ElfFile, descriptors: list[desc_mod.Descriptor], host_name: str) -> None:
    """Refuse a host whose own structure ``bundle verify`` would reject in the output:
    a hosted program's PT_LOADs whose p_offset and p_vaddr disagree modulo p_align or that
    are out of p_vaddr order, PT_LOADs whose load ranges overlap (by LMA, a hosted program's by
    VMA), and descriptors that are misaligned, nameless or not loaded
    (the values bundle writes would never reach the host)."""
    for i, p in base.iter_misaligned_loads():
        why = f"p_align {p.p_align:#x}, not a power of two" if p.p_align & (p.p_align - 1) else \
            f"p_offset {p.p_offset:#x} and p_vaddr {p.p_vaddr:#x}, not congruent modulo p_align {p.p_align:#x}"
        raise BadInputError(f"segment {i} (PT_LOAD at {p.p_vaddr:#x}) has {why}",
                            file=host_name, address=p.p_vaddr, hint="the host's program headers are corrupt")
    if base.hosted_by:
        for i, p, prev in base.iter_unsorted_loads():
            raise BadInputError(f"segment {i} (PT_LOAD at {p.p_vaddr:#x}) follows a PT_LOAD at {prev.p_vaddr:#x}: "
                                f"this hosted program's ({base.hosted_by}) PT_LOADs are not in ascending p_vaddr "
                                "order, so its operating system maps it wrongly", file=host_name,
                                address=p.p_vaddr, hint="the host's program headers are corrupt; relink it")
    for i, _, j, _, lo, _ in base.iter_overlapping_loads():
        raise BadInputError(f"segments {i} and {j} overlap by {base.load_basis} at {lo:#x}: a loader writes one "
                            "over the other", file=host_name, address=lo,
                            hint="the host's program headers are corrupt")
    for d in descriptors:
        if d.address % 8:
            raise BadInputError(f"descriptor at {d.address:#x} is not 8-byte aligned", file=host_name,
                                address=d.address, size=d.size, hint="rebuild the host with linker/remote_fw.h")
        if d.stem is None or not is_valid_stem(d.stem):
            what = "to no string in the file" if d.stem is None else f"to {d.stem!r}, which is no stem"
            raise BadInputError(f"descriptor at {d.address:#x} has a name pointer {d.name_ptr:#x} that leads "
                                f"{what}", file=host_name, address=d.address, size=d.size,
                                hint="the host is corrupt; rebuild it")
        if d.is_linked and base.find_load(d.start, d.end - d.start) is None:
            raise BadInputError(f"descriptor {d.stem} at {d.address:#x} says the linker placed its image at "
                                f"{d.start:#x} ({d.end - d.start} bytes), which no PT_LOAD holds",
                                file=host_name, address=d.start, size=d.end - d.start,
                                hint="the host is corrupt; rebuild it")
        where = base.find_load(d.address, d.size)
        if where is None or where[2] != d.offset:
            raise BadInputError(f"descriptor {d.stem} at {d.address:#x} ({d.size} bytes) is in no PT_LOAD's "
                                "file bytes: the values bundle writes would never reach the host",
                                file=host_name, address=d.address, size=d.size,
                                hint="keep section remote_fw_desc in a loadable, initialised output section")


def _refuse_prelinked(base: ElfFile, stem: str, host_name: str) -> None:
    for name in symbol_names(stem):
        sym = base.find_symbol(name)
        if sym is not None and sym.is_defined:
            raise BadInputError(f"already links {stem}: {sym.name} is defined at {sym.st_value:#x} "
                                "(pre-link flow)", file=host_name, address=sym.st_value,
                                hint="bundle a host built without the 'bundle object' output, "
                                     f"or choose another {option('names')}")


def _remote_warnings(space: placement.AddressSpace, r: Remote, host_name: str) -> list[str]:
    """What will make the image hard to load: not ELF, no PT_LOAD. A PT_LOAD that
    would land on the host or on an image is an error (NoFitError)."""
    if not is_elf(r.data):
        return [f"{r.label} is not an ELF image: remote_fw_load will refuse it "
                "(fine for a blob the host reads itself)"]
    try:
        remote = parse_elf(r.data, what="remote ELF")
    except BadInputError as exc:
        return [f"{r.label}: {exc.message}: remote_fw_load will refuse it"]
    loads = [p for p in remote.iter_loads() if p.p_memsz]
    if not loads:
        return [f"{r.label} has no PT_LOAD segment: remote_fw_load has nothing to load"]
    for i, p in enumerate(remote.segments):
        if p.p_type != spec.PT_LOAD or not p.p_memsz:
            continue
        hit = space.overlapping(p.p_paddr, p.p_paddr + p.p_memsz)
        if hit:
            raise NoFitError(f"segment {i} loads at {p.p_paddr:#x} ({p.p_memsz} bytes), onto {hit[0].what} "
                             f"of {host_name}: loading it would overwrite the host", file=r.label,
                             address=p.p_paddr, size=p.p_memsz,
                             hint="link the remote for memory the host does not use")
    return []
