"""The picture of a firmware image that ``bundle inspect`` cannot read as a whole.

A firmware ELF with a segment cut short, a header field out of range or a
section table past its end is what a loader refuses ("truncated fw", "bad
phdr"), and the picture is most wanted exactly then. :func:`report` gives the
parts of inspect's document the model draws (header, PT_LOADs, resource
table) from the loaders' lenient reads (:mod:`bundler.loaders.base`,
:mod:`bundler.loaders.resources`), which bound every read and never raise; what
cannot be read is left out, and verify's findings say why.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.loaders.base import layout, read_phdrs, read_shdr
from bundler.loaders.resources import find_table_section
from bundler.remoteproc import rsc_table

MAX_PHDRS = 4096          # as the loaders' memory check reads them


def report(data) -> dict | None:
    """``{"elf", "segments", "resource_table", "images": []}`` for bytes that start with the ELF
    magic (empty parts where even the header cannot be read: the findings say why); None for
    anything else."""
    data = bytes(data)
    if data[:4] != spec.ELFMAG:
        return None
    nothing = {"elf": {}, "segments": [], "resource_table": None, "images": []}
    if len(data) < spec.EI_NIDENT or data[spec.EI_DATA] not in (spec.ELFDATA2LSB, spec.ELFDATA2MSB):
        return nothing                  # judged all the same (Linux: "Image is too small", "Unsupported ...")
    lay = layout(data[spec.EI_CLASS], data[spec.EI_DATA])
    if len(data) < lay.ehdr.size:
        return nothing
    ehdr = lay.ehdr.unpack(data)
    phnum = ehdr.e_phnum
    if phnum == 0xFFFF and ehdr.e_shoff:           # PN_XNUM: the count is section 0's sh_info
        sh0 = read_shdr(data, lay, ehdr.e_shoff)
        phnum = sh0.sh_info if sh0 is not None else 0
    segments = []
    for i, p in read_phdrs(data, lay, ehdr.e_phoff, min(phnum, MAX_PHDRS)):
        if p is None:
            break
        segments.append({"index": i, "type": "LOAD" if p.p_type == spec.PT_LOAD else None,
                         "flags": "".join(c if p.p_flags & bit else "-"
                                          for c, bit in (("R", spec.PF_R), ("W", spec.PF_W), ("X", spec.PF_X))),
                         "p_paddr": p.p_paddr, "p_vaddr": p.p_vaddr, "p_filesz": p.p_filesz,
                         "p_memsz": p.p_memsz, "p_offset": p.p_offset})
    table = None
    where = find_table_section(data)
    if where is not None:
        off, size, sh_addr = where
        order = "big" if data[spec.EI_DATA] == spec.ELFDATA2MSB else "little"
        table = {"section": rsc_table.SECTION, "sh_addr": sh_addr, "sh_offset": off}
        table.update(rsc_table.decode(data[off:off + size], order).to_dict())
    return {"elf": {"class": 64 if lay.is64 else 32, "machine": spec.MACHINE_NAMES.get(ehdr.e_machine),
                    "e_machine": ehdr.e_machine},
            "segments": segments, "resource_table": table, "images": []}
