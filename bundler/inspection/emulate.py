"""``verify --emulate``: run the host's own ``remote_fw_find`` in a CPU emulator.

The host's memory is built from its PT_LOADs: each at p_vaddr with its file
bytes and zeros up to p_memsz (so .data sits at its VMA with the bytes that
startup code copies from the LMA, .bss is zero), and the file bytes at
p_paddr too where that differs. A stack, a scratch page (the stem string,
the ``struct remote_fw_image`` to fill) and a return page go in free address
space. ``remote_fw_find(stem, &img)`` is called with the architecture's
calling convention (:mod:`bundler.adapters.unicorn`) until it returns, and
the struct is read back with the host's pointer size and byte order.
"""

from __future__ import annotations

from bundler.elf import spec
from bundler.elf.arm_attributes import TAG_CPU_ARCH, TAG_CPU_ARCH_PROFILE, arm_attributes
from bundler.elf.model import ElfFile
from bundler.records import FrozenRecord, Record

PAGE = 0x1000
FIND_FUNCTION = "remote_fw_find"
MAX_INSTRUCTIONS = 1_000_000
MAX_MAPPED = 1 << 30            # refuse to emulate a host whose segments span more than 1 GiB
STACK_SIZE = 0x10000
SCRATCH_SIZE = 2 * PAGE         # page 0: name, struct, TLS block; page 1: the return address
IMG_OFFSET = 0x100              # the struct remote_fw_image in the scratch page
TLS_OFFSET = 0x800              # x86-64 %fs base: the stack protector reads %fs:0x28
STRUCT_FILL = 0xA5              # the struct starts out as this pattern: a field never written shows

# every code of linker/remote_fw.h (tests/verify/test_emulate.py holds the two together)
KIT_ERRORS = {0: "REMOTE_FW_OK", -1: "REMOTE_FW_EINVAL", -2: "REMOTE_FW_ENOENT",
              -3: "REMOTE_FW_ENOTBUNDLED", -4: "REMOTE_FW_ENOCSUM", -5: "REMOTE_FW_ECSUM",
              -6: "REMOTE_FW_ENOTELF", -7: "REMOTE_FW_EBOUNDS", -8: "REMOTE_FW_ESEGMENT",
              -9: "REMOTE_FW_EREGION", -10: "REMOTE_FW_EOVERLAP", -11: "REMOTE_FW_ENORSC",
              -12: "REMOTE_FW_ERSC", -13: "REMOTE_FW_ENOLOAD", -14: "REMOTE_FW_EDESC",
              -15: "REMOTE_FW_ESECTION", -16: "REMOTE_FW_ELIMIT", -17: "REMOTE_FW_EENDIAN",
              -18: "REMOTE_FW_EEMPTY", -19: "REMOTE_FW_EIO", -20: "REMOTE_FW_EFDT", -21: "REMOTE_FW_EFIT",
              -22: "REMOTE_FW_ENOCONF", -23: "REMOTE_FW_ENOIMAGE", -24: "REMOTE_FW_EHASH",
              -25: "REMOTE_FW_EALGO", -26: "REMOTE_FW_ENOHASH", -27: "REMOTE_FW_ETYPE",
              -28: "REMOTE_FW_EARCH", -29: "REMOTE_FW_ECOMP", -30: "REMOTE_FW_EINFLATE",
              -31: "REMOTE_FW_EKERNEL", -32: "REMOTE_FW_ENOROOM", -33: "REMOTE_FW_EENTRY",
              -34: "REMOTE_FW_EPIECES", -35: "REMOTE_FW_EFITUNSIGNED", -36: "REMOTE_FW_EFITSIG",
              -37: "REMOTE_FW_EFITSIGALGO", -38: "REMOTE_FW_EFITSIGHASH", -39: "REMOTE_FW_EFITSIGCONF",
              -40: "REMOTE_FW_EFITLAYOUT", -41: "REMOTE_FW_EFITUNIT", -42: "REMOTE_FW_EFITNODES",
              -43: "REMOTE_FW_EUNSIGNED", -44: "REMOTE_FW_ESIGNATURE", -45: "REMOTE_FW_EROLLBACK",
              -46: "REMOTE_FW_EDIGEST", -47: "REMOTE_FW_EMANIFEST", -48: "REMOTE_FW_EMISMATCH"}

_ARM_M_CPUS = {11: "cortex-m0", 12: "cortex-m0", 10: "cortex-m3", 13: "cortex-m4",
               16: "cortex-m33", 17: "cortex-m33", 21: "cortex-m33"}
_ARM_M_ONLY = {11, 12, 13, 16, 17, 21}       # Tag_CPU_arch values that are M-profile by themselves
_ARM_M_NAMES = {"cortex-m0": "Cortex-M0 (v6-M)", "cortex-m3": "Cortex-M3 (v7-M)",
                "cortex-m4": "Cortex-M4 (v7E-M)", "cortex-m33": "Cortex-M33 (v8-M)"}


class EmulationUnavailable(Exception):
    """This host cannot be emulated (architecture, missing function, size); the reason is the message."""


class Cpu(FrozenRecord):
    """The CPU the host's code runs on in the emulator (an object file's format is bundler.prelink.object.Target)."""

    arch: str                   # an arch of bundler.adapters.unicorn
    cpu: str | None             # CPU model, where it matters
    description: str
    windows: tuple[tuple[int, int], ...]    # where the stack and scratch may go: [start, end)


class FindResult(Record):
    """What ``remote_fw_find(stem, &img)`` returned, as the host saw it."""

    stem: str
    rc: int
    base: int | None            # the struct's fields, None unless rc == 0
    size: int | None
    name_ptr: int | None
    name: str | None            # the string at name_ptr, if readable

    @property
    def rc_name(self) -> str:
        return KIT_ERRORS.get(self.rc, f"unknown code {self.rc}")

    def to_dict(self) -> dict:
        return {"stem": self.stem, "rc": self.rc, "rc_name": self.rc_name, "base": self.base,
                "size": self.size, "name": self.name}


def cpu_of(elf: ElfFile) -> Cpu:
    """The architecture to emulate for this host, or EmulationUnavailable."""
    m, lay = elf.ehdr.e_machine, elf.layout
    if lay.big_endian:
        raise EmulationUnavailable(f"big-endian hosts ({elf.kind}) are not emulated")
    low4g = ((PAGE, 1 << 32),)
    if m == spec.EM_ARM and not lay.is64:
        attrs = arm_attributes(elf)
        arch, profile = attrs.get(TAG_CPU_ARCH), attrs.get(TAG_CPU_ARCH_PROFILE)
        if profile == ord("M") or arch in _ARM_M_ONLY:
            cpu = _ARM_M_CPUS.get(arch, "cortex-m33")
            # the default memory map makes 0x40000000-0x5fffffff and 0xa0000000 up execute-never
            return Cpu("arm-m", cpu, f"ARM {_ARM_M_NAMES[cpu]}, Thumb",
                          ((PAGE, 0x40000000), (0x60000000, 0xA0000000)))
        if profile == ord("R"):
            return Cpu("arm", "cortex-r5", "ARM Cortex-R5 (v7-R)", low4g)
        return Cpu("arm", "arm-max", "ARM A-profile (AArch32)", low4g)
    if m == spec.EM_AARCH64 and lay.is64:
        return Cpu("aarch64", "aarch64-max", "AArch64", low4g + ((1 << 32, 1 << 47),))
    if m == spec.EM_RISCV:
        if lay.is64:
            return Cpu("riscv64", None, "RISC-V RV64", low4g + ((1 << 32, 1 << 38),))
        return Cpu("riscv32", None, "RISC-V RV32", low4g)
    if m == spec.EM_X86_64 and lay.is64:
        return Cpu("x86_64", None, "x86-64", low4g + ((1 << 32, 1 << 47),))
    if m == spec.EM_386 and not lay.is64:
        return Cpu("i386", None, "i386", low4g)
    raise EmulationUnavailable(f"no emulation for {elf.kind}")


def memory_spans(elf: ElfFile) -> list[tuple[int, int]]:
    """The page-aligned [start, end) ranges the host's PT_LOADs occupy (VMA, and LMA where different)."""
    ranges = []
    for p in elf.iter_loads():
        if p.p_memsz:
            ranges.append((p.p_vaddr, p.p_vaddr + p.p_memsz))
        if p.p_filesz and p.p_paddr != p.p_vaddr:
            ranges.append((p.p_paddr, p.p_paddr + p.p_filesz))
    merged: list[list[int]] = []
    for start, end in sorted((s // PAGE * PAGE, -(-e // PAGE) * PAGE) for s, e in ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def free_area(spans: list[tuple[int, int]], size: int, windows) -> int:
    """The lowest page-aligned address of ``size`` free bytes inside one of ``windows``."""
    for lo, hi in windows:
        cursor = lo
        for start, end in spans:
            if end <= cursor:
                continue
            if start >= cursor + size:
                break
            cursor = end
        if cursor + size <= hi:
            return cursor
    raise EmulationUnavailable(f"no {size} bytes of free address space for the emulator's stack")


def find_images(elf: ElfFile, stems: list[str], *,
                max_instructions: int = MAX_INSTRUCTIONS) -> tuple[Cpu, list[FindResult]]:
    """Call the host's ``remote_fw_find`` for each stem. Raises EmulationUnavailable, or
    :class:`bundler.adapters.unicorn.EmulatorError` when the emulated code faults."""
    target = cpu_of(elf)
    func = elf.find_symbol(FIND_FUNCTION)
    if func is None or not func.is_defined or func.type != spec.STT_FUNC:
        raise EmulationUnavailable(f"the host defines no function {FIND_FUNCTION} (is linker/remote_fw.c "
                                   "linked in, and the symbol table kept?)")
    spans = memory_spans(elf)
    if sum(e - s for s, e in spans) > MAX_MAPPED:
        raise EmulationUnavailable(f"the host's segments span more than {MAX_MAPPED >> 20} MiB")

    from bundler.adapters.unicorn import Machine   # unicorn is loaded only when emulating

    cpu = Machine(target.arch, target.cpu)
    for start, end in spans:
        cpu.map(start, end - start)
    for p in elf.iter_loads():          # LMA copies first: a VMA image wins where they meet
        if p.p_filesz and p.p_paddr != p.p_vaddr:
            cpu.write(p.p_paddr, elf.data[p.p_offset:p.p_offset + p.p_filesz])
    for p in elf.iter_loads():
        if p.p_memsz:
            cpu.write(p.p_vaddr, elf.data[p.p_offset:p.p_offset + p.p_filesz] + bytes(p.p_memsz - p.p_filesz))

    area = free_area(spans, STACK_SIZE + SCRATCH_SIZE, target.windows)
    cpu.map(area, STACK_SIZE + SCRATCH_SIZE)
    stack_top = area + STACK_SIZE
    scratch = stack_top
    img_at = scratch + IMG_OFFSET
    return_address = scratch + PAGE
    registers = {}
    gp = elf.find_symbol("__global_pointer$")
    if target.arch.startswith("riscv") and gp is not None and gp.is_defined:
        registers["gp"] = gp.st_value
    if target.arch == "x86_64":
        registers["fs_base"] = scratch + TLS_OFFSET

    lay = elf.layout
    ptr = lay.addr_size
    results = []
    for stem in stems:
        name = stem.encode() + b"\0"
        if len(name) > IMG_OFFSET:
            raise EmulationUnavailable(f"stem {stem} is longer than {IMG_OFFSET - 1} bytes")
        cpu.write(scratch, name)
        cpu.write(img_at, bytes([STRUCT_FILL]) * (3 * ptr))
        raw_rc = cpu.call(func.st_value, [scratch, img_at], stack_top=stack_top,
                          return_address=return_address, registers=registers,
                          max_instructions=max_instructions)
        rc = (raw_rc & 0xFFFFFFFF) - ((raw_rc & 0x80000000) << 1)     # C int: low 32 bits, signed
        if rc != 0:
            results.append(FindResult(stem=stem, rc=rc, base=None, size=None, name_ptr=None, name=None))
            continue
        raw = cpu.read(img_at, 3 * ptr)
        base, size, name_ptr = (int.from_bytes(raw[i * ptr:(i + 1) * ptr], lay.byteorder) for i in range(3))
        results.append(FindResult(stem=stem, rc=rc, base=base, size=size, name_ptr=name_ptr,
                                  name=_read_cstring(cpu, name_ptr)))
    return target, results


def _read_cstring(cpu, address: int, limit: int = 256) -> str | None:
    out = bytearray()
    while len(out) < limit:
        chunk = cpu.read(address + len(out), 1)
        if chunk is None:
            return None
        if chunk == b"\0":
            return out.decode("ascii", errors="backslashreplace")
        out += chunk
    return None
