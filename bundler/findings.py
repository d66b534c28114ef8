"""Findings: what ``bundle verify`` reports, and the one registry of their codes.

:data:`CODES` holds every code verify (and the resource-table decoder,
:mod:`bundler.remoteproc.rsc_table`) can report, with its one severity and a one-line
meaning; docs/json.md lists the same table and a test compares the two.
:func:`finding` is the only way checks make a :class:`Finding`: it takes the
severity from the registry, so an unregistered code fails at once.
"""

from __future__ import annotations

from bundler.records import FrozenRecord, Record

ERROR, WARNING, NOTE = "error", "warning", "note"
SEVERITIES = (ERROR, WARNING, NOTE)     # an error fails verify; a warning or a note never does


class Code(FrozenRecord):
    code: str
    severity: str
    meaning: str                # one line, as docs/json.md says it


_ALL = (
    Code('no-images', ERROR, 'no `_binary_*` symbol, descriptor or bundle record: nothing to verify'),
    Code('segment-overlap', ERROR, 'two PT_LOADs overlap by LMA (`p_paddr` .. `p_paddr + p_memsz`; one without file bytes loads nothing there), or in a hosted program by VMA (its OS ignores `p_paddr`)'),
    Code('segment-align', ERROR, "a PT_LOAD whose `p_align` is not a power of two, or a hosted program's whose `p_offset` and `p_vaddr` differ modulo `p_align` (a bare-metal loader does not mind)"),
    Code('segment-order', ERROR, "a hosted program's PT_LOADs are not in ascending `p_vaddr` order (empty ones not counted)"),
    Code('segment-order-bare-metal', WARNING, "a bare-metal host's PT_LOADs are not in ascending `p_vaddr` order (as some are linked)"),
    Code('phdr-mismatch', ERROR, '`PT_PHDR` does not describe the program header table at `e_phoff`, or not at the address its PT_LOAD maps it'),
    Code('phdr-not-loaded', ERROR, "`PT_PHDR` describes a table no PT_LOAD maps, or a hosted program's table is in no PT_LOAD"),
    Code('segment-page-align', ERROR, "a PT_LOAD bundling added to a hosted program has `p_align` below the host's page size"),
    Code('segment-shares-page', ERROR, 'a PT_LOAD bundling added to a hosted program shares a page with a host segment'),
    Code('lief-unreadable', ERROR, "LIEF cannot parse the file that bundle's reader parsed"),
    Code('lief-no-reading', WARNING, "LIEF reads no section or program header of a file that bundle's reader and pyelftools read alike: it takes the class or byte order from e_machine, not e_ident"),
    Code('parser-disagree', ERROR, "bundle's reader and LIEF read a section header, program header or `_binary_*` symbol differently"),
    Code('pyelftools-unreadable', ERROR, "pyelftools cannot parse the file that bundle's reader parsed"),
    Code('pyelftools-disagree', ERROR, "bundle's reader and pyelftools read a section header, a PT_LOAD, a `_binary_*` symbol or the descriptor section's bytes differently"),
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
    Code('sig-unsigned', ERROR, '(`--key`) the image has no signed manifest: its descriptor lacks `REMOTE_FW_F_SIGNED` (`REMOTE_FW_EUNSIGNED`)'),
    Code('sig-manifest', ERROR, '(`--key`) the manifest is malformed: header, field order, sizes or padding (`REMOTE_FW_EMANIFEST`)'),
    Code('sig-unsigned-field', ERROR, '(`--key`) a field outside the signed part besides the one signature (`REMOTE_FW_EMANIFEST`)'),
    Code('sig-noncanonical', ERROR, '(`--key`) the signature\'s S is not below the group order L (`REMOTE_FW_ESIGNATURE`)'),
    Code('sig-unknown-key', ERROR, '(`--key`) the key id the manifest names is none of the `--key` keys (`REMOTE_FW_ESIGNATURE`)'),
    Code('sig-bad', ERROR, '(`--key`) the Ed25519 signature does not verify under the key it names (`REMOTE_FW_ESIGNATURE`)'),
    Code('sig-stem', ERROR, '(`--key`) the manifest was signed for another stem: an image moved from elsewhere (`REMOTE_FW_EMISMATCH`)'),
    Code('sig-overlap', ERROR, '(`--key`) two signed PT_LOADs overlap: one would overwrite the other\'s checked bytes (`REMOTE_FW_EOVERLAP`)'),
    Code('sig-entry', ERROR, '(`--key`) the ELF\'s `e_entry` is not the signed one (`REMOTE_FW_EMISMATCH`)'),
    Code('sig-segments', ERROR, '(`--key`) a PT_LOAD was added or removed since signing (`REMOTE_FW_EMISMATCH`)'),
    Code('sig-segment-order', ERROR, '(`--key`) the PT_LOADs are the signed ones in another order (`REMOTE_FW_EMISMATCH`)'),
    Code('sig-segment', ERROR, '(`--key`) a PT_LOAD\'s `p_paddr`, `p_filesz` or `p_memsz` is not the signed one (`REMOTE_FW_EMISMATCH`)'),
    Code('sig-digest', ERROR, '(`--key`) a PT_LOAD\'s file bytes differ from the signed SHA-256 (`REMOTE_FW_EDIGEST`)'),
    Code('sig-rsc', ERROR, '(`--key`) the resource table changed, appeared or went since signing (`REMOTE_FW_EMISMATCH`)'),
    Code('sig-ok', NOTE, '(`--key`) the image is signed by a `--key` key and is the image signed: key id, counter and version'),
    Code('image-not-elf', WARNING, 'the image is no ELF file (fine for a blob the host reads itself)'),
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
    Code('rsc-vring', WARNING, 'a vring with `num` or `align` 0, or `num` not a power of two: Linux (6.1 and later) boots the remote without its virtio device'),
    Code('rsc-unknown-type', WARNING, 'an entry type neither 0..3 nor vendor 128..512: Linux says "unsupported resource %d" and skips it (the kit\'s remote_fw_rsc_table refuses the table: `--loader kit`)'),
    Code('rsc-notifyid-duplicate', NOTE, 'two vdev or vring notify ids are equal (0xFFFFFFFF, "any", excepted): Linux assigns its own (idr_alloc) and writes them back; OpenAMP hands a taken id another one'),
    Code('rsc-notifyid-range', WARNING, 'a notify id of 32 or more: OpenAMP keeps them in a 32-bit bitmap and refuses it (`--loader openamp`); Linux assigns its own'),
    Code('emulate-unavailable', ERROR, 'emulation could not start: big-endian or unsupported machine, no `remote_fw_find` symbol, no image with a descriptor, segments spanning more than 1 GiB'),
    Code('emulate-failed', ERROR, 'the emulated call faulted (unmapped access, undefined instruction) or did not return within 1,000,000 instructions'),
    Code('emulate-error', ERROR, '`remote_fw_find` returned a negative code (`rc_name` in the results)'),
    Code('emulate-mismatch', ERROR, "it returned a base, size or name other than the symbols'"),
    # Linux remoteproc (default ELF ops): bundler/loaders/linux.py (outcome and the loader's words there)
    Code('linux-too-small', ERROR, 'the file holds an ELF32 header (52 bytes)'),
    Code('linux-bad-magic', ERROR, 'e_ident starts with \\x7fELF'),
    Code('linux-class', ERROR, 'EI_CLASS is ELFCLASS32 or ELFCLASS64'),
    Code('linux-elf64-header', ERROR, 'an ELF64 file holds an ELF64 header (64 bytes)'),
    Code('linux-endianness', ERROR, "EI_DATA is the host's byte order"),
    Code('linux-shoff', ERROR, 'e_shoff + one section header <= file size'),
    Code('linux-shdr-table', ERROR, '6.12: e_shoff <= file size ("Section header table is out of bounds")'),
    Code('linux-shdr-count', ERROR, '6.12: e_shoff + e_shnum section headers <= file size ("Section headers are out of bounds")'),
    Code('linux-shstrndx', ERROR, '6.12: the section header at e_shstrndx lies inside the file ("Image is too small")'),
    Code('linux-phnum', ERROR, 'e_phnum > 0'),
    Code('linux-phoff', ERROR, 'e_phoff <= file size'),
    Code('linux-phdr-bounds', ERROR, 'not checked by Linux: the program header table (e_phnum entries of sizeof(Elf_Phdr), e_phentsize ignored) lies inside the file'),
    Code('linux-shdr-bounds', ERROR, "not checked by Linux 6.1 (6.12 checks the headers): the section headers find_table reads, e_shstrndx's and every name it compares lie inside the file (6.1 oopses on an e_shstrndx past it)"),
    Code('linux-rsc-missing', ERROR, 'a .resource_table section exists (find_table returns NULL silently: Boot failed: -22; vendor drivers that wrap rproc_elf_load_rsc_table may only warn)'),
    Code('linux-rsc-truncated', ERROR, 'sh_offset + sh_size <= file size, without wrapping'),
    Code('linux-rsc-headerless', ERROR, 'sh_size >= 16'),
    Code('linux-rsc-version', ERROR, 'ver == 1'),
    Code('linux-rsc-reserved', ERROR, 'reserved[0] == reserved[1] == 0'),
    Code('linux-rsc-incomplete', ERROR, '16 + 4 * num <= sh_size'),
    Code('linux-rsc-entry-truncated', ERROR, 'each offset[i] >= 16 and offset[i] + 4 <= sh_size (rsc_table_for_each_entry)'),
    Code('linux-rsc-vendor', WARNING, "a vendor entry (128..512) goes to the platform driver's handle_rsc; without one Linux skips it"),
    Code('linux-rsc-unknown', WARNING, 'entry type 0..3 (others are skipped)'),
    Code('linux-carveout-truncated', ERROR, 'the carveout fits in the table'),
    Code('linux-carveout-reserved', ERROR, 'carveout reserved == 0'),
    Code('linux-carveout-duplicate', ERROR, 'with --dtb: no two carveouts take the same registered memory-region (Boot failed: -12)'),
    Code('linux-carveout-fit', ERROR, 'with --dtb: a carveout (or vring, PAGE_ALIGN(vring_size)) named like a memory-region fits in it (rproc_check_carveout_da; also "Registered carveout doesn\'t fit da request"; Boot failed: -12)'),
    Code('linux-devmem-iommu', ERROR, 'a devmem entry needs an IOMMU domain: without one (most drivers; Host(iommu=True) for those that attach one) rproc_handle_devmem returns -EINVAL before reading it (Failed to process resources: -22; Boot failed: -22)'),
    Code('linux-carveout-alloc', ERROR, 'a table carveout that no memory-region takes has len > 0 (dma_alloc_coherent gives nothing for 0: "failed to allocate dma memory: len 0x0", "Failed to allocate associated carveouts: -12", Boot failed: -12)'),
    Code('linux-devmem-truncated', ERROR, 'the devmem entry fits in the table'),
    Code('linux-devmem-reserved', ERROR, 'devmem reserved == 0'),
    Code('linux-trace-truncated', ERROR, 'the trace entry fits in the table'),
    Code('linux-trace-reserved', ERROR, 'trace reserved == 0'),
    Code('linux-vdev-truncated', ERROR, '24 + 20 * num_of_vrings + config_len bytes of vdev fit in the table'),
    Code('linux-vdev-reserved', ERROR, 'vdev reserved[2] == 0'),
    Code('linux-vdev-vrings', ERROR, 'num_of_vrings <= 2'),
    Code('linux-vring-invalid', WARNING, 'vring num and align != 0 (else the rproc-virtio probe fails with -22: the remote boots without its virtio device)'),
    Code('linux-vring-fit', WARNING, 'with --dtb: a vring, PAGE_ALIGN(vring_size), fits its vdev<N>vring<M> memory-region (else the rproc-virtio probe fails with -12: the remote boots without its virtio device)'),
    Code('linux-notifyid', NOTE, "a vdev's notify ids (its own and its vrings') are unique (else nothing fails: Linux ignores predefined ids, assigns each vring one with idr_alloc and writes it back)"),
    Code('linux-vring-num', WARNING, 'vring num a power of two (the split ring indexes with num - 1 as a mask)'),
    Code('linux-segment-filesz', ERROR, 'p_filesz <= p_memsz'),
    Code('linux-segment-truncated', ERROR, 'p_offset + p_filesz <= file size'),
    Code('linux-segment-wrap', ERROR, 'not checked by Linux: p_offset + p_filesz does not wrap 64 bits (else the truncation check passes and Linux copies from outside the firmware)'),
    Code('linux-segment-size-t', ERROR, 'p_memsz fits size_t (32-bit hosts)'),
    Code('linux-segment-da', ERROR, 'with memory given: rproc_da_to_va maps p_paddr .. + p_memsz inside one memory range or one resource-table carveout'),
    Code('linux-no-load', ERROR, 'at least one PT_LOAD (else Linux loads nothing and starts the core)'),
    Code('linux-rsc-not-mapped', WARNING, "with memory given: the table's sh_addr .. + sh_size maps (rproc_find_loaded_rsc_table), or Linux never writes the vring addresses and notify ids where the remote reads them"),
    # Qualcomm split images (.mdt + .bNN) under Linux's mdt loader: bundler/loaders/mdt.py
    Code('mdt-metadata', ERROR, 'two or more program headers, the first not PT_LOAD, and a hash segment (qcom_mdt_read_metadata, -EINVAL; mdt_header_valid and the segments are driver-mdt-header and driver-mdt-segment)'),
    Code('mdt-part-truncated', ERROR, 'each .bNN part holds exactly its segment\'s p_filesz bytes ("failed to load segment %d from truncated file %s")'),
    # U-Boot rproc load (rproc-elf-loader.c): bundler/loaders/uboot.py (outcome and the loader's words there)
    Code('uboot-too-small', ERROR, 'the file holds the ELF header of its path (52 bytes ELF32, 64 ELF64); -ENOSPC'),
    Code('uboot-not-exec', ERROR, 'magic, e_type == ET_EXEC and the class of the path (anything but ELFCLASS64 takes the ELF32 path); -EPROTONOSUPPORT ("Not an executable ELF64 image" on the ELF64 path)'),
    Code('uboot-endianness', ERROR, "EI_DATA is the host's byte order; -EILSEQ"),
    Code('uboot-shoff', ERROR, 'e_shoff + one section header <= size; -ENOSPC'),
    Code('uboot-phnum', ERROR, 'e_phnum > 0; -ENOEXEC'),
    Code('uboot-phoff', ERROR, 'e_phoff <= size; -ENOSPC'),
    Code('uboot-phdr-bounds', ERROR, 'not checked by U-Boot: the program header table (e_phnum entries of sizeof(Elf_Phdr)) lies inside the image'),
    Code('uboot-shdr-bounds', ERROR, "not checked by U-Boot: the section headers, e_shstrndx's and every name it compares lie inside the image"),
    Code('uboot-rsc-missing', WARNING, 'a .resource_table section exists (-ENODATA: drivers such as stm32_copro load without one)'),
    Code('uboot-rsc-truncated', ERROR, 'sh_offset + sh_size <= size (in 32-bit arithmetic on the ELF32 path); -ENOSPC'),
    Code('uboot-rsc-headerless', ERROR, 'sh_size >= 16; -ENOSPC'),
    Code('uboot-rsc-version', ERROR, 'ver == 1; -EPROTONOSUPPORT'),
    Code('uboot-rsc-reserved', ERROR, 'reserved words 0; -EBADF'),
    Code('uboot-rsc-incomplete', ERROR, '16 + 4 * num <= sh_size; -ENOSPC'),
    Code('uboot-rsc-addr', ERROR, 'with memory given: the table is copied to sh_addr .. + sh_size, which lies inside the memory'),
    Code('uboot-segment-filesz', ERROR, 'not checked by U-Boot: p_filesz <= p_memsz (else memset(dst + filesz, 0, memsz - filesz) wraps)'),
    Code('uboot-segment-truncated', ERROR, 'not checked by U-Boot: p_offset + p_filesz <= size (else it copies bytes from past the image)'),
    Code('uboot-segment-da', ERROR, "with memory given: p_paddr .. + p_memsz inside the memory; the ELF64 path refuses (-EINVAL) when the driver's device_to_virt does, the ELF32 path writes there unchecked (undefined)"),
    Code('uboot-no-load', ERROR, 'at least one PT_LOAD (else U-Boot loads nothing)'),
    # OpenAMP remoteproc_load (elf_loader.c, rsc_table_parser.c): bundler/loaders/openamp.py (outcome and the loader's words there)
    Code('openamp-open', ERROR, 'the image store returns at least one byte'),
    Code('openamp-not-elf', ERROR, 'the image starts with \\x7fELF (the only identification check)'),
    Code('openamp-byteorder', WARNING, "EI_DATA is the host's byte order: OpenAMP reads every field in the host's order whatever EI_DATA says"),
    Code('openamp-header-bounds', ERROR, 'the ELF header (by EI_CLASS: 64 bytes for ELFCLASS64, else 52), program headers (e_phnum * e_phentsize at e_phoff), section headers and .shstrtab lie inside the image (the store refuses others)'),
    Code('openamp-shstrndx', ERROR, 'e_shstrndx < e_shnum'),
    Code('openamp-overflow', ERROR, 'not checked by OpenAMP, read out of bounds: e_phentsize/e_shentsize below sizeof(Elf_Phdr/Shdr), a section name not NUL-terminated inside .shstrtab, offsets that wrap, sizes of 2^31 and more, resource entries or vrings outside the table, a PT_LOAD past index 255 (the next segment is kept in 8 bits)'),
    Code('openamp-rsc-missing', WARNING, 'a .resource_table section (without one OpenAMP loads the image and has no table: fine unless the remote uses virtio)'),
    Code('openamp-rsc-read', ERROR, "the table's bytes (sh_offset, sh_size) lie inside the image; else the load succeeds with no table"),
    Code('openamp-rsc-truncated', ERROR, 'sh_size >= 16 and 16 + 4 * num <= sh_size (32-bit arithmetic); else no table'),
    Code('openamp-rsc-version', ERROR, 'ver == 1; else no table'),
    Code('openamp-rsc-reserved', ERROR, 'header and carveout reserved words 0; else no table'),
    Code('openamp-carveout-map', ERROR, "with memory given: a carveout's pa .. + len (da when pa is METAL_BAD_PHYS) inside one memory, len != 0; else no table"),
    Code('openamp-notifyid', ERROR, "vdev and vring notify ids below the bits of the host's unsigned long (or 0xFFFFFFFF, any); else no table"),
    Code('openamp-notifyid-duplicate', WARNING, 'notify ids unique (not refused: remoteproc_allocate_id wraps around its bitmap and hands a taken id another one, or the same one again)'),
    Code('openamp-segment-map', ERROR, 'each PT_LOAD has p_memsz != 0 and, with memory given, p_paddr .. + p_memsz inside one memory'),
    Code('openamp-segment-data', ERROR, "each PT_LOAD's file bytes lie inside the image and, copied to p_paddr, inside the memory"),
    Code('openamp-segment-filesz', ERROR, 'p_filesz <= p_memsz (not checked: OpenAMP writes p_filesz bytes, past the segment)'),
    Code('openamp-no-load', ERROR, 'at least one PT_LOAD (else remoteproc_load returns 0, nothing loaded)'),
    Code('openamp-rsc-update', ERROR, "with memory given: the table's sh_addr .. + sh_size maps; else rproc->rsc_table stays NULL"),
    # rproc-bundle kit (remote_fw_load, remote_fw_rsc_table): bundler/loaders/kit.py (outcome and the loader's words there);
    # the remote_fw_load codes are also what verify reports on each embedded ELF of a bundle (checks/embedded.py)
    Code('kit-enotelf', ERROR, "remote_fw_load: magic, EI_CLASS, EI_DATA, EI_VERSION and e_version known; the header inside the image; e_phentsize (and e_shentsize when sections are read) the class's"),
    Code('kit-ebounds', ERROR, "remote_fw_load: the program header table, each PT_LOAD's file bytes (and section 0 for PN_XNUM) inside the image"),
    Code('kit-esegment', ERROR, 'remote_fw_load: p_filesz <= p_memsz, no address overflow, e_entry fits uintptr_t'),
    Code('kit-eregion', ERROR, "remote_fw_load: every PT_LOAD with bytes addressable by the host's uintptr_t and, with memory given, wholly inside one allowed region"),
    Code('kit-enoload', ERROR, 'remote_fw_load: a PT_LOAD with p_memsz > 0'),
    Code('kit-rsc-missing', WARNING, 'remote_fw_rsc_table: a .resource_table section (a host that needs none does not call it)'),
    Code('kit-rsc-bounds', ERROR, "remote_fw_rsc_table: section headers, the name table and the table's bytes inside the image"),
    Code('kit-rsc', ERROR, 'remote_fw_rsc_table: the table as Linux checks it, types 0..3 or vendor 128..512, not SHT_NOBITS'),
    # the memory the remote core can reach, under every loader: bundler/loaders/resources.py
    # driver profiles (verify --driver): bundler/loaders/drivers/rules.py
    Code('driver-rsc-optional', WARNING, "no `.resource_table`, and the driver's own parse_fw goes on without one (stm32_rproc, imx_rproc, pru_rproc, xlnx_r5_remoteproc): no vdev, carveouts or trace"),
    Code('driver-rsc-ignored', WARNING, 'a `.resource_table` the driver never reads (mtk_scp, qcom_q6v5_pas, qcom_q6v5_mss): its entries do nothing'),
    Code('driver-pru-irq-map', ERROR, 'pru_rproc: the `.pru_irq_map` section runs past the file or is shorter than its 2-byte header'),
    Code('driver-scp-ipi', ERROR, "mtk_scp: the IPI buffer (`.ipi_buffer`'s address + two share objects) does not fit the SCP's SRAM"),
    Code('driver-scp-ipi-default', WARNING, 'mtk_scp: no `.ipi_buffer` section: only mt8183 and mt8186 have a default IPI buffer offset, elsewhere parse_fw fails (-ENOENT)'),
    Code('driver-mdt-header', ERROR, "qcom_q6v5_pas: the image fails the mdt loader's mdt_header_valid (ELF32 magic, e_phentsize, header tables inside the file)"),
    Code('driver-mdt-segment', ERROR, 'qcom_q6v5_pas, and a .mdt split image: a segment lands outside the memory-region (p_paddr - the relocation base; with memory given), or p_filesz > p_memsz'),
    Code('driver-mba-size', ERROR, 'qcom_q6v5_mss: the MBA image is bigger than 1 MiB or its mba region'),
    Code('mem-iommu-pool', ERROR, "behind an IOMMU: the resource table's carveouts (page-aligned) need more than the node's CMA pool (memory-region) holds"),
    Code('mem-load', ERROR, "a PT_LOAD (p_paddr, p_memsz) lies inside the memory the remote core can reach (where the loader's own rule did not say so already)"),
    Code('mem-carveout', ERROR, 'a carveout (da, len) lies inside the memory the remote core can reach'),
    Code('mem-devmem', ERROR, 'a devmem entry (da, len) lies inside the memory the remote core can reach'),
    Code('mem-trace', ERROR, 'a trace buffer (da, len) lies inside the memory the remote core can reach'),
    Code('mem-vring', ERROR, 'a vring (da, vring_size(num, align) bytes) lies inside the memory the remote core can reach'),
    Code('mem-carveout-name', WARNING, "with --dtb: a carveout's name is one of the node's memory-region names, which the platform driver registers as carveouts (else Linux allocates it from the DMA pool, away from its da)"),
    Code('mem-vring-name', WARNING, 'with --dtb: a vring at a fixed da has a memory-region named vdev<N>vring<M> (else Linux allocates the ring from the DMA pool, away from its da)'),
    # a FIT (Flat Image Tree), bundler/checks/fit.py
    Code('fit-corrupt', ERROR, 'the device tree is invalid (the message gives the offset and rule), or it has no `/images`'),
    Code('fit-property', WARNING, "a malformed property no loader acts on: a `description` that is no string, a `timestamp` that is no cell, or an image property its role does not use (a ramdisk's `os`, a device tree's `arch`, anything of an unused image)"),
    Code('fit-image-data', ERROR, "an image's data cannot be located (no `data`, `data-offset`/`data-position` without `data-size`, data past the end of the FIT, both `data` and external data) or its `load` is malformed; or an image a configuration uses is empty"),
    Code('fit-fdt-invalid', ERROR, "an uncompressed image used as a configuration's `fdt` is not a valid device tree (`REMOTE_FW_EFDT`)"),
    Code('fit-fdt-no-room', ERROR, 'a configuration with a ramdisk whose uncompressed `fdt` has neither `/chosen` `linux,initrd-start`/`-end` of the right size nor the free space after its strings block to add them, so the kit cannot tell Linux where the initramfs is (`REMOTE_FW_ENOROOM`; `dtc -p` leaves room)'),
    Code('fit-hash-mismatch', ERROR, "a hash node's value is not the hash of the data (`address`/`size`: the data's offset and size in the FIT)"),
    Code('fit-hash-unsupported', ERROR, "a hash node's `algo` is not one of crc32, md5, sha1, sha256, sha384, sha512"),
    Code('fit-hash-value', ERROR, 'a hash node without `algo` or `value`, or a value of the wrong length'),
    Code('fit-hash-none', ERROR, "an image a configuration uses has no hash node (the kit's `REMOTE_FW_ENOHASH`)"),
    Code('fit-hash-kit', WARNING, 'a hash node with an algorithm other than crc32 and sha256, the two `remote_fw_fit_load` must check: a kit without it refuses the image (`REMOTE_FW_EALGO`)'),
    Code('fit-compression-unknown', ERROR, "a piece's compression is one mkimage does not know, or malformed"),
    Code('fit-compression-unsupported', WARNING, '`bzip2`, `lzma`, `lzo`, `lz4`, `zstd`: the kit cannot decompress it, and its loaded size (so its range) is not checked'),
    Code('fit-compression-missing', WARNING, 'no `compression` property (taken as `none`)'),
    Code('fit-gzip-corrupt', ERROR, "the gzip stream does not inflate, ends early, or inflates to a size other than its trailer's"),
    Code('fit-type-unknown', WARNING, 'a `type` mkimage does not know'),
    Code('fit-arch-unknown', WARNING, 'an `arch` mkimage does not know, of a device tree or an unused image'),
    Code('fit-os-unknown', WARNING, 'an `os` mkimage does not know'),
    Code('fit-arch-mismatch', ERROR, "a piece other than the device tree whose `arch` is unknown (matches no core), malformed, or not the carrying ELF's machine, or a kernel without `arch` (`REMOTE_FW_EARCH`)"),
    Code('fit-kernel-os', ERROR, 'a kernel whose `os` is not `linux` (`remote_fw_fit_load` boots Linux: `REMOTE_FW_ETYPE`)'),
    Code('fit-config-none', ERROR, 'no `/configurations`, or no configuration in it'),
    Code('fit-config-default', ERROR, 'configurations but no `default`'),
    Code('fit-config-missing', ERROR, '`default` names a configuration that does not exist'),
    Code('fit-config-corrupt', ERROR, 'a configuration property is malformed, a configuration names more than one device tree or ramdisk (the kit places one of each), or `/configurations/default` is no string'),
    Code('fit-config-no-kernel', ERROR, 'a configuration with neither `kernel` nor `firmware`'),
    Code('fit-config-image-missing', ERROR, 'a configuration names an image that is not in `/images`'),
    Code('fit-config-type', ERROR, "a configuration's `kernel` is not of type `kernel`/`kernel_noload`, its `fdt` not `flat_dt`, or its `ramdisk` not `ramdisk` (or has no `type`)"),
    Code('fit-load-missing', ERROR, 'an image a configuration uses has no `load` (a `kernel_noload` excepted)'),
    Code('fit-load-outside', ERROR, "a piece's load range (`address`, `size`) is not inside the `--memory`/`--region` ranges; the message names the nearest, or the range wraps the address space"),
    Code('fit-overlap', ERROR, 'two pieces of one configuration overlap (`address`, `size`: the shared bytes)'),
    Code('fit-overlaps-fit', ERROR, 'a piece loads onto the FIT itself (a FIT carried in an ELF: at its LMA)'),
    Code('fit-overlaps-bootstrap', ERROR, 'a piece loads onto a PT_LOAD (by `p_paddr`) of the ELF that carries the FIT'),
    Code('fit-entry-outside', ERROR, "the kernel's `entry` is malformed or not inside the kernel's loaded bytes (`load` .. `load` + its data or uncompressed size)"),
    Code('fit-kernel-header', ERROR, 'an arm64 kernel without a readable Image header, or whose magic is not `ARM\\x64`'),
    Code('fit-kernel-align', ERROR, "an arm64 kernel's `load - text_offset` is not 2 MiB aligned (`text_offset` taken as 0x80000 when `image_size` is 0, as booting.rst says)"),
    Code('fit-kernel-image-size', ERROR, "an arm64 kernel's `image_size` is smaller than the Image itself"),
    Code('fit-kernel-image-size-unknown', WARNING, "an arm64 kernel's `image_size` is 0 (a kernel before 3.17): the memory it needs beyond its file size is unknown"),
    Code('fit-kernel-endian', WARNING, 'the Image header says a big-endian kernel'),
    Code('fit-sig-unsigned', ERROR, 'with `--key`: a configuration without a signature node (`REMOTE_FW_EFITUNSIGNED`)'),
    Code('fit-sig-invalid', ERROR, "with `--key`: no signature node of a configuration verifies with any `--key` (`REMOTE_FW_EFITSIG`)"),
    Code('fit-sig-algo', ERROR, 'with `--key`: no signature node of a configuration is sha256,rsa2048/3072/4096 with pkcs-1.5 or pss and a value of the key size (`REMOTE_FW_EFITSIGALGO`)'),
    Code('fit-sig-hash', ERROR, 'with `--key`: an image a signed configuration references has no sha256 hash node (`REMOTE_FW_EFITSIGHASH`)'),
    Code('fit-sig-config', ERROR, "with `--key`: a signature's hashed-nodes names another configuration (CVE-2020-10648, `REMOTE_FW_EFITSIGCONF`)"),
    Code('fit-sig-layout', ERROR, 'with `--key`: a tree layout a signature cannot cover: blocks overlap, bytes after FDT_END, hashed-strings not the strings block start (CVE-2021-27097, `REMOTE_FW_EFITLAYOUT`)'),
    Code('fit-sig-unit', ERROR, "with `--key`: '@' in a node name on the signed path (CVE-2021-27138, `REMOTE_FW_EFITUNIT`)"),
    Code('fit-sig-nodes', ERROR, "with `--key`: a signature's hashed-nodes is not the list rebuilt from the configuration (the 2026 issue, `REMOTE_FW_EFITNODES`)"),
    Code('fit-memory-unknown', WARNING, 'neither `--memory` nor `--region` was given: ranges not checked against memory'),
)

CODES: dict[str, Code] = {c.code: c for c in _ALL}


class Finding(Record):
    severity: str               # "error", "warning" or "note"
    code: str                   # stable identifier, see docs/json.md
    message: str
    stem: str | None = None     # the image it is about, if any
    address: int | None = None
    size: int | None = None
    device_address: int | None = None   # memory findings checked against a device tree or driver map:
    system_address: int | None = None   # the remote's address and, where known, the CPU's physical one

    def to_dict(self) -> dict:
        out = {"severity": self.severity, "code": self.code, "stem": self.stem,
               "address": self.address, "size": self.size, "message": self.message}
        if self.device_address is not None:
            out["device_address"] = self.device_address
            out["system_address"] = self.system_address
        return out

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
