"""The Python API: the command line's jobs as functions, for build scripts.

Each function takes paths or bytes, raises a :class:`bundler.BundleError`
subclass instead of exiting, and writes its outputs atomically, exactly as
the command line does (the CLI is parse, call one of these, render). Messages
name these functions' parameters (``replace=True``); the CLI names its flags.
docs/python-api.md is the reference.

Only light modules are imported here: the third-party libraries, each behind
its adapter in ``bundler/adapters/`` (LIEF and pyelftools, verify's two
independent readers; unicorn for ``emulate``; intelhex for ``hex --merge``),
load inside the functions that need them, so ``import bundler`` stays cheap
for a Makefile's ``bundle`` call.
"""

from __future__ import annotations

import os

from bundler.errors import BadInputError, BundleError, Notice, UsageError, option
from bundler.checksum import crc32
from bundler.fileio import read_input, refuse_overwriting_inputs, write_outputs
from bundler.records import Factory, Record
from bundler.stems import check_stem, stem_for

DEFAULT_SECTION_PREFIX = ".remote_fw."      # = bundler.postlink.bundling.DEFAULT_SECTION_PREFIX (a test pins it)
_BYTES = (bytes, bytearray, memoryview)


# ---- results ------------------------------------------------------------------

class BundleOutcome(Record):
    """What :func:`bundle` did: the images placed (stem, address, size, crc32, how,
    section, descriptor), the outputs written and their sizes, and the warnings."""

    images: list
    output: str | None
    size: int
    rule: str = ""                       # the placement rule that applied (bare-metal or hosted)
    warnings: list[str] = Factory(list)
    written: dict = Factory(dict)        # path -> bytes written (output, hex, depfile)
    flash: object = None                 # the FlashPlan of ``hex``, if one was written
    chunks: list = Factory(list)         # the output ELF as chunks (also when output is None)

    def to_bytes(self) -> bytes:
        """The output ELF in one buffer (a copy: large outputs are better read from the file)."""
        return b"".join(bytes(c) for c in self.chunks)


class ObjectOutcome(Record):
    """What :func:`make_object` wrote: the stem, section, alignment, target and sizes."""

    stem: str
    section: str
    align: int
    target: str
    image_size: int
    size: int
    output: str | None
    warnings: list[str] = Factory(list)
    chunks: list = Factory(list)

    def to_bytes(self) -> bytes:
        return b"".join(bytes(c) for c in self.chunks)


class FlashOutcome(Record):
    """What :func:`export_flash` wrote: the format, the memory image (runs, start), sizes."""

    format: str
    image: object                       # bundler.flash.image.FlashImage
    family: int | None
    size: int
    output: str | None
    notes: list[str] = Factory(list)
    merged: list = Factory(list)        # the FlashImage of each merged file, in order
    chunks: object = None

    def to_bytes(self) -> bytes:
        return b"".join(bytes(c) for c in self.chunks)


class Extracted(Record):
    """What :func:`extract` found: the stem and the image's bytes (a view into the ELF)."""

    stem: str
    data: object
    size: int
    output: str | None


# ---- inputs -------------------------------------------------------------------

def _label(source, default: str) -> str:
    return default if isinstance(source, _BYTES) else os.fspath(source)


def _read(source, what: str, *, large: bool = True):
    """The bytes of ``source``: bytes-like as given, else the file it names (mapped if large)."""
    if isinstance(source, _BYTES):
        return source
    if not isinstance(source, (str, os.PathLike)):
        raise UsageError(f"{what}: expected a path or bytes, got {type(source).__name__}")
    return read_input(source, what, allow_mmap=large)


def load_elf(source, what: str = "ELF file"):
    """Parse an ELF from a path or bytes (a large file is mapped, never copied);
    any error names the file."""
    from bundler.elf.reader import parse_elf
    label = _label(source, what)
    try:
        return parse_elf(_read(source, what), what=what)
    except BundleError as exc:
        raise exc.with_file(label) from None


def _paths(*items) -> list:
    return [i for i in items if i is not None and not isinstance(i, _BYTES)]


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike, *_BYTES)):
        return [value]
    return list(value)


def _region(region):
    if region is None:
        return None
    from bundler.postlink.placement import Region
    if isinstance(region, Region):
        return region
    try:
        start, size = region
    except (TypeError, ValueError):
        raise UsageError(f"{option('region')} {region!r} is not (start, size)", param="region",
                         hint="for example (0x100000, 0x40000)") from None
    if size <= 0:
        raise UsageError(f"{option('region')} {region!r} has size 0", param="region",
                         hint="give the region's size in bytes")
    return Region(start, size)


def _notify(callback, collected: list, text) -> None:
    text = text if isinstance(text, Notice) else Notice(text)
    collected.append(text)
    if callback is not None:
        callback(text)


# ---- bundle -------------------------------------------------------------------

THREADED_CRC = 1 << 20        # remotes this large in all get their CRC-32 on a thread of their own


def _start_checksums(datas):
    """Start the CRC-32 of each remote; returns a function that waits for the values. Large
    remotes are summed on a thread while the main one imports and parses (zlib releases the
    GIL, so the two really run at once); small ones here, without a thread's cost."""
    if sum(len(d) for d in datas) < THREADED_CRC:
        values = [crc32(d) for d in datas]
        return lambda: values
    import threading
    values = [None] * len(datas)

    def run():
        for i, data in enumerate(datas):
            values[i] = crc32(data)

    thread = threading.Thread(target=run, name="bundle-crc32", daemon=True)
    thread.start()

    def join():
        thread.join()
        return values
    return join


def bundle(host, remotes, output=None, *, names=None, addresses=None, align: int = 8, region=None,
           replace: bool = False, hex=None, flash_options=None,
           section_prefix: str = DEFAULT_SECTION_PREFIX, depfile=None, on_warning=None,
           sign=None, security_counter: int | None = None, version: str | None = None) -> BundleOutcome:
    """Post-link: put ``remotes`` into the linked ``host`` and write ``output``.

    ``host`` and each remote are a path or bytes; ``names`` gives one stem per
    remote (required for a remote given as bytes), ``addresses`` one load
    address (or None) per remote; ``region`` is ``(start, size)``. ``hex``
    also writes a flash file (options in ``flash_options``, a
    :class:`bundler.FlashOptions`), ``depfile`` a Make dependency file; all
    outputs are written together or not at all. ``output=None`` writes nothing
    and keeps the ELF in ``.chunks``. ``on_warning(text)`` hears each warning
    as it arises; they are also in the result's ``warnings``. ``sign`` (the path
    of an Ed25519 private key in PEM) signs each remote given, with
    ``security_counter`` (default 0) and ``version`` "X.Y.Z" (default 0.0.0)
    in its manifest (docs/kit.md "Authenticated remotes").
    """
    remotes = _as_list(remotes)
    signer = _signer(sign, security_counter, version)
    names = list(names) if names is not None else []
    addresses = list(addresses) if addresses is not None else []
    if names and len(names) != len(remotes):
        raise UsageError(f"{len(names)} {option('names')} for {len(remotes)} remotes", param="names",
                         hint=f"give one {option('names')} per remote, in the same order, or none")
    if addresses and len(addresses) != len(remotes):
        raise UsageError(f"{len(addresses)} {option('addresses')} for {len(remotes)} remotes",
                         param="addresses",
                         hint=f"give one {option('addresses')} per remote, in the same order, or none")
    if names:
        stems = [check_stem(n) for n in names]
    else:
        for i, r in enumerate(remotes):
            if isinstance(r, _BYTES):
                raise UsageError(f"remote {i} is bytes, so no stem can come from its file name",
                                 param="names", hint=f"pass {option('names')}, one stem per remote")
        stems = [stem_for(p) for p in remotes]
    addresses = addresses or [None] * len(remotes)
    region = _region(region)
    refuse_overwriting_inputs([output, hex, depfile], _paths(host, *remotes))

    datas = [_read(r, "remote image") for r in remotes]
    checksums = _start_checksums(datas)
    from bundler.postlink import bundling as core   # the heavy imports overlap the checksums
    host_label = _label(host, "host")
    host_elf = load_elf(host, "host ELF")
    items = [core.Remote(stem=stem, data=data, label=_label(r, f"remote {stem}"), address=addr, crc32=crc)
             for stem, data, r, addr, crc in zip(stems, datas, remotes, addresses, checksums())]
    try:
        result = core.bundle(host_elf, items, align=align, region=region, replace=replace,
                             section_prefix=section_prefix, host_name=host_label, sign=signer)
    except BundleError as exc:
        raise exc.with_file(host_label) from None
    warnings: list[str] = []
    for message in result.warnings:
        _notify(on_warning, warnings, message)

    outputs = []
    if output is not None:
        outputs.append((output, result.chunks, _mode_of(host)))
    flash = None
    if hex is not None:
        source = os.fspath(output) if output is not None else host_label
        flash = _flash_plan(result.chunks, hex, flash_options, source,
                            lambda note: _notify(on_warning, warnings, f"{source}: {note.raw}"))
        outputs.append((hex, flash.chunks, None))
    if depfile is not None:
        if output is None:
            raise UsageError("a depfile needs an output", param="output", hint="pass output too")
        prerequisites = [os.fspath(p) for p in _paths(host, *remotes)]
        outputs.append((depfile, [depfile_text(output, prerequisites, [hex] if hex else [])], None))
    sizes = write_outputs(outputs)
    return BundleOutcome(images=result.images, output=None if output is None else os.fspath(output),
                         size=result.edit.size, rule=result.rule, warnings=warnings,
                         written={os.fspath(p): n for (p, _, _), n in zip(outputs, sizes)},
                         flash=flash, chunks=result.chunks)


def _signer(sign, security_counter, version):
    """The post-link signer for ``sign=`` (None when not signing); a counter or version
    without a key is a usage error."""
    if sign is None:
        if security_counter is not None or version is not None:
            raise UsageError("a security counter or version without a signing key", param="sign",
                             hint=f"pass {option('sign')} with an Ed25519 private key (PEM)")
        return None
    from bundler.postlink.bundling import Signer
    from bundler.signing.keys import load_private
    from bundler.signing.manifest import check_counter, parse_version
    counter = check_counter(security_counter if security_counter is not None else 0)
    parsed = parse_version(version if version is not None else "0.0.0")
    return Signer(key=load_private(sign), security_counter=counter, version=parsed)


def _mode_of(host) -> int | None:
    """The output ELF gets the host's permission bits, as objcopy does."""
    if isinstance(host, _BYTES):
        return None
    try:
        return os.stat(host).st_mode & 0o777
    except OSError:
        return None


def depfile_text(target, prerequisites: list, extra_targets: list = ()) -> bytes:
    """A Make rule ``target extra: prerequisites`` with spaces and '$' escaped, plus phony rules."""
    def esc(p) -> str:
        return os.fspath(p).replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#")
    targets = " ".join(esc(t) for t in [target, *extra_targets])
    lines = [f"{targets}: {' '.join(esc(p) for p in prerequisites)}", ""]
    for p in prerequisites:           # like gcc -MP: a deleted prerequisite is no error
        lines += [f"{esc(p)}:", ""]
    return "\n".join(lines).encode()


# ---- flash --------------------------------------------------------------------

def _flash_plan(source, path, options, label: str, on_note):
    from bundler.flash.export import FlashOptions, find_format, plan
    options = options or FlashOptions()
    find_format(os.fspath(path), options)          # a usage error of its own, before the ELF's
    try:
        return plan(source, os.fspath(path), options, on_note=on_note)
    except BundleError as exc:
        raise exc.with_file(label) from None


def read_merge(source):
    """A file to merge into a flash file (Intel HEX), from a path or bytes."""
    from bundler.adapters.intelhex import read_ihex
    return read_ihex(_read(source, "merge file", large=False), name=_label(source, "merge file"))


def export_flash(elf, output=None, *, format: str | None = None, eol: str = "crlf",
                 srec_len: int | None = None, gap_fill: int | None = None, max_span: int | None = None,
                 family=None, start: bool = True, whole_segments: bool = False, merge=(),
                 options=None, on_warning=None) -> FlashOutcome:
    """Write ``elf``'s load image (PT_LOAD bytes at p_paddr) as a flash file.

    ``format`` is ihex, srec, bin or uf2 (default: from ``output``'s
    extension); bin needs ``gap_fill`` when the image has gaps, uf2 needs
    ``family`` (an id, a name such as "RP2040", or "none"). ``merge`` adds
    Intel HEX files (paths or bytes; an address they share is an error).
    ``options`` (a :class:`bundler.FlashOptions`) replaces the keywords.
    ``output=None`` writes nothing; the chunks are in the result.
    """
    from bundler.flash.binary import DEFAULT_MAX_SPAN
    from bundler.flash.export import FlashOptions
    from bundler.flash.srec import DEFAULT_LEN
    merged = [m if hasattr(m, "runs") else read_merge(m) for m in _as_list(merge)]
    if options is None:
        options = FlashOptions(format=format, eol=eol, srec_len=DEFAULT_LEN if srec_len is None else srec_len,
                               gap_fill=gap_fill, max_span=DEFAULT_MAX_SPAN if max_span is None else max_span,
                               family=family, start=start, whole_segments=whole_segments, merge=merged)
    name = os.fspath(output) if output is not None else f"flash.{options.format or 'hex'}"
    if output is not None:
        refuse_overwriting_inputs([output], _paths(elf, *_as_list(merge)))
    loaded = load_elf(elf, "ELF")
    notes: list[str] = []
    label = _label(elf, "ELF")
    flash = _flash_plan(loaded, name, options, label,
                        lambda note: _notify(on_warning, notes, f"{label}: {note.raw}"))
    size = write_outputs([(output, flash.chunks, None)])[0] if output is not None else 0
    return FlashOutcome(format=flash.format, image=flash.image, family=flash.family, size=size,
                        output=None if output is None else os.fspath(output), notes=notes,
                        merged=merged, chunks=flash.chunks)


# ---- verify, inspect, extract -------------------------------------------------------

def verify(elf, *, remotes=(), emulate: bool = False, loader: str | None = None, memory=None, driver=None,
           kernel: str | None = None, keys=()):
    """Every check on a bundled host, or on a FIT (docs/fit.md); returns the report (``.ok``, ``.findings``,
    ``.errors``, ``.warnings``, ``.images``, ``.to_dict()``: docs/json.md).

    ``remotes`` are the images the host must carry: paths (matched by stem,
    else by content), bytes (matched by content) or ``(stem, bytes)`` pairs.
    A remote's firmware (a file that carries no image) is checked as its
    ``loader`` will (``linux``, ``uboot``, ``openamp``, ``kit``; default linux),
    against ``memory`` (a bundler.remoteproc.memory.MemoryMap, or ``(start, size[, name])``
    ranges) when given; with ``loader`` or ``memory``, so is each image a bundle
    carries. ``driver`` (a Linux remoteproc module name, bundler.loaders.drivers) checks a
    firmware image as that driver's ops do; with ``memory`` from a device tree node
    (bundler.loaders.drivers.maps.board_memory) the node's compatible chooses it.
    ``kernel`` picks the Linux version whose rules apply (``"6.1"``, ``"6.12"``;
    default the newest modelled; it implies ``loader="linux"``). A path ending
    in ``.mdt`` is a Qualcomm split image, judged as Linux's mdt loader reads it
    (its ``.bNN`` parts from the same directory).
    Never raises for what it finds; raises BadInputError if ``elf`` is no ELF
    and no loader, kernel or memory was given (with one, a file that is no
    ELF is judged: Linux's "Image is corrupted (bad magic)"; a file that
    starts with \\x7fELF but cannot be read as a whole is always judged as
    firmware, its damage being what the loaders check). A FIT's pieces must
    all load inside ``memory``; with ``keys`` (RSA public keys:
    PEM paths or bytes), each of its configurations must carry a U-Boot
    signature that verifies with one of them (docs/kit.md, "Signed FITs").
    For an ELF, ``keys`` (Ed25519 public keys: PEM paths, or raw 32-byte
    keys) makes every image it carries need a manifest signed with one of
    them (``sig-*`` findings; docs/kit.md, "Authenticated remotes").
    """
    from bundler.checks import RemoteFile
    from bundler.checks import verify as run_checks
    from bundler.checks.fit import looks_like_fit, verify_fit
    from bundler.elf.reader import is_elf
    from bundler.loaders import kernel_of, mdt, verify_firmware, verify_split
    if kernel is not None:
        loader = loader or "linux"
        try:
            kernel_of(loader, kernel)
        except ValueError as exc:
            raise UsageError(str(exc), param="kernel",
                             hint=f"{option('kernel')} goes with {option('loader')} linux (the default)") from None
    if mdt.is_mdt(elf) and not (_as_list(remotes) or emulate):     # a Qualcomm split image
        if loader not in (None, "linux"):
            raise UsageError(f"{_label(elf, 'the input')} is a split image (.mdt): only Linux's mdt loader reads "
                             "those", param="loader", hint=f"drop {option('loader')}, or give it as linux")
        if driver is None:
            return verify_split(elf, memory, kernel=kernel)
        split = mdt.join(elf)                   # --driver: that driver's rules on the joined image
        report = verify_firmware(split.data, loader, memory, driver=driver, kernel=kernel, name=_file_name(elf))
        report.split = split.to_dict()
        report.findings.extend(f for f in mdt.check(split) if f.code == "mdt-part-truncated")
        return report
    if looks_like_fit(_read(elf, "input file")[:4]):        # a FIT on its own (issue 13)
        if _as_list(remotes) or emulate or loader:
            raise UsageError(f"{_label(elf, 'the input')} is a FIT: {option('remotes')}, {option('emulate')} and the "
                             "loader choice apply to an ELF", hint="verify the ELF that carries the FIT to use them")
        return verify_fit(_read(elf, "FIT"), memory=memory, keys=_rsa_keys(keys))
    trusted = _trusted_keys(keys)          # an ELF's images: Ed25519 (bundler.signing)
    try:
        host = load_elf(elf)
    except BadInputError:
        data = _read(elf, "ELF file")
        mba = driver is not None and getattr(_driver(driver), "load", None) == "mba"    # any file: q6v5_load
        judged = is_elf(data) or mba or loader is not None or memory is not None
        if not judged or _as_list(remotes) or emulate:
            raise
        return verify_firmware(data, loader, memory, driver=driver, kernel=kernel, name=_file_name(elf))
    files = []
    for i, r in enumerate(_as_list(remotes)):
        if isinstance(r, tuple):
            stem, data = r
            files.append(RemoteFile(label=f"remote {stem}", stem=check_stem(stem),
                                    data=_read(data, "remote image")))
        elif isinstance(r, _BYTES):
            files.append(RemoteFile(label=f"remote {i}", stem="", data=r))
        else:
            files.append(RemoteFile(label=os.fspath(r), stem=stem_for(r), data=_read(r, "remote image")))
    return run_checks(host, files, emulate=emulate, loader=loader, memory=memory, driver=driver, kernel=kernel,
                      name=_file_name(elf), keys=trusted)


def _file_name(source) -> str | None:
    """The base name of a path input (a driver may tell its files apart by name), None for bytes."""
    return None if isinstance(source, _BYTES) else os.path.basename(os.fspath(source))


def _trusted_keys(keys) -> list[bytes]:
    """verify(keys=): each a path of a PEM public key or raw 32 bytes; bad ones raise BadInputError."""
    out = []
    for k in _as_list(keys):
        if isinstance(k, _BYTES) and len(k) == 32:
            out.append(bytes(k))
        else:
            from bundler.signing.keys import load_public
            out.append(load_public(k))
    return out


def _driver(driver):
    from bundler.loaders.drivers import find_driver
    return find_driver(driver) if isinstance(driver, str) else driver


def _rsa_keys(keys) -> list:
    """PEM paths or bytes as bundler.adapters.crypto.RsaPublicKey, each labelled by its path."""
    from bundler.adapters.crypto import load_rsa_public_key
    out = []
    for i, k in enumerate(_as_list(keys)):
        label = f"key {i}" if isinstance(k, _BYTES) else os.fspath(k)
        out.append(load_rsa_public_key(_read(k, "public key"), label))
    return out


def inspect(elf) -> dict:
    """What an ELF (or a FIT: ``{"fit": ...}``) holds, as the document ``bundle inspect --json``
    prints (docs/json.md)."""
    from bundler.fit.model import looks_like_fit, parse_fit
    from bundler.inspection.report import inspect as report
    from bundler.loaders import mdt
    if mdt.is_mdt(elf):                         # a Qualcomm split image: joined from its .bNN parts
        from bundler.elf.reader import parse_elf
        split = mdt.join(elf)
        out = report(parse_elf(split.data, what=f"split image {_label(elf, 'mdt')}"))
        out["split"] = split.to_dict()
        out["notes"].append(f"split image: {len(split.parts)} part(s) read beside the .mdt: "
                            + (", ".join(f"segment {p.segment} from {os.path.basename(p.path)}" for p in split.parts)
                               or "none"))
        return out
    data = _read(elf, "input file")
    if looks_like_fit(data[:4]):                # a FIT on its own (issue 13); unreadable: BadInputError
        try:
            return {"fit": parse_fit(data).to_dict()}
        except BundleError as exc:
            raise exc.with_file(_label(elf, "FIT")) from None
    return report(load_elf(elf))


def extract(elf, stem: str | None = None, output=None) -> Extracted:
    """The image ``stem`` that ``elf`` carries (or its only image, if ``stem`` is None),
    byte for byte; written to ``output`` when given."""
    from bundler.postlink import images
    stem = check_stem(stem) if stem is not None else None
    if output is not None:
        refuse_overwriting_inputs([output], _paths(elf))
    loaded = load_elf(elf)
    try:
        stem, data = images.extract(loaded, stem)
    except BundleError as exc:
        raise exc.with_file(_label(elf, "ELF file")) from None
    if output is not None:
        write_outputs([(output, [data], None)])
    return Extracted(stem=stem, data=data, size=len(data), output=None if output is None else os.fspath(output))


# ---- pre-link object -----------------------------------------------------------------

def find_target(target=None, like=None):
    """The object target: a name (arm, riscv64, ...) or the header of ``like``
    (an object of the host's build, path or bytes)."""
    from bundler.prelink import object as core
    if (target is None) == (like is None):
        raise UsageError(f"give one of {option('target')} and {option('like')}", param="target",
                         hint="choose one of " + ", ".join(core.TARGETS))
    if target is not None:
        if isinstance(target, core.Target):
            return target
        found = core.find_target(target)
        if found is None:
            raise UsageError(f"unknown target {target!r}", param="target",
                             hint="choose one of " + ", ".join(core.TARGETS)
                                  + f", or pass {option('like')} with an object of the host's build")
        return found
    from bundler.elf.reader import parse_elf
    label = _label(like, "like object")
    obj = _read(like, "--like object", large=False)
    try:
        elf = parse_elf(obj, what="--like object")
    except BadInputError as exc:
        exc.hint = "pass a .o file that the host's compiler made, e.g. the host's main.o"
        raise exc.with_file(label) from None
    return core.target_like(elf, label)


def make_object(remote, output=None, *, target=None, like=None, name: str | None = None,
                section: str | None = None, align: int = 8, on_warning=None, sign=None,
                security_counter: int | None = None, version: str | None = None) -> ObjectOutcome:
    """Pre-link: ``remote``'s bytes (path or bytes) as a relocatable object for the host's link,
    with ``_binary_<name>_start/_end/_size`` as ``objcopy -I binary`` defines them.

    ``target`` is arm, armeb, aarch64, riscv32, riscv64, x86_64 or i386; or
    ``like`` is an object of the host's build to copy the header from.
    ``name`` (the stem) defaults to the file's base name, mangled as objcopy does.
    ``sign``, ``security_counter`` and ``version`` sign the image as :func:`bundle` does;
    the manifest follows it in the section, 8-aligned, after ``_binary_<name>_end``.
    """
    from bundler.prelink import object as core
    signer = _signer(sign, security_counter, version)
    if name is None and isinstance(remote, _BYTES):
        raise UsageError("the remote is bytes, so no stem can come from its file name", param="name",
                         hint=f"pass {option('name')}")
    stem = check_stem(name if name is not None else stem_for(remote))
    align = core.check_align(align)
    if section is not None:
        core.check_section_name(section)
    if output is not None:
        refuse_overwriting_inputs([output], _paths(remote, like))
    chosen = find_target(target, like)
    data = _read(remote, "remote image")
    label = _label(remote, "remote")
    try:
        trailer = b""
        if signer is not None:
            from bundler.signing.manifest import sign_image
            trailer = sign_image(stem, data, label, signer.key, signer.security_counter, signer.version)
        result = core.make_object(data, stem, chosen, section=section, align=align, trailer=trailer)
    except BundleError as exc:
        raise exc.with_file(label) from None
    warnings: list[str] = []
    for message in core.image_warnings(data, label):
        _notify(on_warning, warnings, message)
    if output is not None:
        write_outputs([(output, result.chunks, None)])
    return ObjectOutcome(stem=stem, section=result.section, align=result.align, target=chosen.name,
                         image_size=result.image_size, size=result.size,
                         output=None if output is None else os.fspath(output), warnings=warnings,
                         chunks=result.chunks)


def kit_dir():
    """The directory of the host-side C kit (remote_fw.h, remote_fw*.c, remote_fw.ld, ...)."""
    from bundler.kit_path import kit_dir as find
    return find()


# ---- the picture ---------------------------------------------------------------------

MAP_FORMATS = {".svg": "svg", ".html": "html", ".htm": "html"}


def _map_format(output, format: str | None) -> str:
    if format is not None:
        if format not in ("svg", "html"):
            raise UsageError(f"unknown map format {format!r}", param="format", hint="choose svg or html")
        return format
    if output is None:
        return "svg"
    ext = os.path.splitext(os.fspath(output))[1].lower()
    if ext not in MAP_FORMATS:
        raise UsageError(f"cannot tell the picture's format from {os.fspath(output)!r}", file=os.fspath(output),
                         hint="name the output FILE.svg or FILE.html")
    return MAP_FORMATS[ext]


def _map_memory(memory, dtb, node, loader=None, driver=None):
    """``memory`` ranges, then those of ``dtb``'s ``node`` as ``bundle verify`` reads them: in the
    remote's device addresses as its driver maps them (given, or chosen by the node's compatible)
    when the loader is Linux's, generically otherwise."""
    from bundler.loaders.drivers.maps import board_memory
    from bundler.remoteproc.memory import as_memory_map
    if (dtb is None) != (node is None):
        raise UsageError(f"{option('dtb')} and {option('node')} go together", param="dtb",
                         hint="give the device tree and the remoteproc node's path, e.g. /remoteproc@0")
    given = as_memory_map(memory)
    if dtb is None:
        return given
    linux = loader in (None, "linux")
    try:
        board = board_memory(_read(dtb, "device tree", large=False), node, driver if linux else None,
                             choose=linux)
    except BundleError as exc:
        raise exc.with_file(_label(dtb, "device tree")) from None
    if given is not None:
        board.ranges = list(given.ranges) + board.ranges
        board.source += " and --memory"
    return board


def draw_map(elf, output=None, *, format: str | None = None, loader: str | None = None, driver: str | None = None,
             memory=None, dtb=None, node: str | None = None) -> str:
    """The picture of ``elf``'s address space (a bundle, a remote's firmware or a FIT), as SVG or HTML text,
    written to ``output`` when given (docs/map.md). ``format`` is svg or html (default: from ``output``'s
    extension, else svg). ``loader`` (or ``driver``), ``memory`` and ``dtb``/``node`` are verify's: the
    findings they give are drawn where they are; none of them is raised."""
    return draw_map_views(elf, output, format=format, loader=loader, driver=driver, memory=memory, dtb=dtb,
                          node=node)


def draw_map_views(elf, output=None, *, format: str | None = None, loader: str | None = None,
                   driver: str | None = None, memory=None, dtb=None, node: str | None = None,
                   remote_view: bool = False) -> str:
    """:func:`draw_map`, and ``bundle map --remote-view``: with ``remote_view``, a bundle's picture
    leaves the host's column out (what the remote cores see: their device addresses and memory)."""
    from bundler import memmap
    if output is not None:
        refuse_overwriting_inputs([output], _paths(elf, dtb))
    chosen = _map_format(output, format)
    if driver is not None:                  # a wrong name is a usage error before any file is read
        _driver(driver)
    board = _map_memory(memory, dtb, node, loader, driver)
    try:
        report = inspect(elf)
    except BadInputError:               # a damaged firmware ELF: drawn as far as a loader reads it
        from bundler.memmap import lenient
        report = lenient.report(_read(elf, "ELF file"))
        if report is None:
            raise
    findings = verify(elf, loader=loader, memory=board, driver=driver).findings
    title = os.path.basename(os.fspath(elf)) if not isinstance(elf, _BYTES) else "input"
    text = memmap.draw(report, title, findings, board, chosen, remote_view)
    if output is not None:
        write_outputs([(output, [text.encode()], None)])
    return text
