"""Unicorn adapter: one emulated CPU with flat memory, able to call a function.

The only module that imports unicorn; every unicorn error and every fault of
the emulated code becomes an :class:`EmulatorError` here. Knows each
architecture's calling convention (argument and return registers, how the
return address is passed); knows nothing of ELF or of the kit.
"""

from __future__ import annotations

import unicorn as uc
from unicorn import arm64_const as a64
from unicorn import arm_const as arm
from unicorn import riscv_const as rv
from unicorn import x86_const as x86

PAGE = 0x1000

ARCHS = ("arm", "arm-m", "aarch64", "riscv32", "riscv64", "x86_64", "i386")

_CPU_MODELS = {
    "cortex-m0": arm.UC_CPU_ARM_CORTEX_M0, "cortex-m3": arm.UC_CPU_ARM_CORTEX_M3,
    "cortex-m4": arm.UC_CPU_ARM_CORTEX_M4, "cortex-m7": arm.UC_CPU_ARM_CORTEX_M7,
    "cortex-m33": arm.UC_CPU_ARM_CORTEX_M33, "cortex-r5": arm.UC_CPU_ARM_CORTEX_R5,
    "cortex-a7": arm.UC_CPU_ARM_CORTEX_A7, "cortex-a15": arm.UC_CPU_ARM_CORTEX_A15,
    "arm-max": arm.UC_CPU_ARM_MAX, "aarch64-max": a64.UC_CPU_ARM64_MAX,
}

_ACCESS = {uc.UC_MEM_READ_UNMAPPED: "read of", uc.UC_MEM_WRITE_UNMAPPED: "write to",
           uc.UC_MEM_FETCH_UNMAPPED: "instruction fetch from", uc.UC_MEM_READ_PROT: "read of",
           uc.UC_MEM_WRITE_PROT: "write to", uc.UC_MEM_FETCH_PROT: "instruction fetch from"}


class EmulatorError(Exception):
    """The emulated code faulted, ran away, or the emulator refused the setup. What that
    means for the user (a finding, an exit code) is for the caller to decide
    (bundler.checks.emulation makes it an ``emulate-failed`` finding)."""

    @property
    def message(self) -> str:
        return str(self)


class Machine:
    """A CPU of architecture ``arch`` (one of ARCHS), little-endian, with no memory yet."""

    def __init__(self, arch: str, cpu: str | None = None):
        if arch not in ARCHS:
            raise EmulatorError(f"no emulation for architecture {arch}")
        self.arch = arch
        try:
            if arch == "arm-m":
                self.uc = uc.Uc(uc.UC_ARCH_ARM, uc.UC_MODE_THUMB | uc.UC_MODE_MCLASS)
            elif arch == "arm":
                self.uc = uc.Uc(uc.UC_ARCH_ARM, uc.UC_MODE_ARM)
            elif arch == "aarch64":
                self.uc = uc.Uc(uc.UC_ARCH_ARM64, uc.UC_MODE_ARM)
            elif arch == "riscv32":
                self.uc = uc.Uc(uc.UC_ARCH_RISCV, uc.UC_MODE_RISCV32)
            elif arch == "riscv64":
                self.uc = uc.Uc(uc.UC_ARCH_RISCV, uc.UC_MODE_RISCV64)
            elif arch == "x86_64":
                self.uc = uc.Uc(uc.UC_ARCH_X86, uc.UC_MODE_64)
            else:
                self.uc = uc.Uc(uc.UC_ARCH_X86, uc.UC_MODE_32)
            if cpu is not None:
                self.uc.ctl_set_cpu_model(_CPU_MODELS[cpu])
        except (uc.UcError, KeyError) as exc:
            raise EmulatorError(f"the emulator cannot set up {arch} ({cpu or 'default CPU'}): {exc}") from exc
        self.fault: str | None = None
        self.uc.hook_add(uc.UC_HOOK_MEM_INVALID, self._on_invalid)

    def _on_invalid(self, _uc, access, address, size, _value, _data) -> bool:
        self.fault = f"{_ACCESS.get(access, 'access to')} {size} bytes at {address:#x}, which is not mapped"
        return False

    # ---- memory ------------------------------------------------------------
    def map(self, start: int, size: int) -> None:
        """Map [start, start + size), both multiples of PAGE, readable, writable and executable."""
        try:
            self.uc.mem_map(start, size, uc.UC_PROT_ALL)
        except uc.UcError as exc:
            raise EmulatorError(f"cannot map {size} bytes at {start:#x} in the emulator: {exc}") from exc

    def write(self, address: int, data) -> None:
        try:
            self.uc.mem_write(address, bytes(data))
        except uc.UcError as exc:
            raise EmulatorError(f"cannot write {len(data)} bytes at {address:#x} in the emulator: {exc}") from exc

    def read(self, address: int, size: int) -> bytes | None:
        """``size`` bytes at ``address``, or None where they are not mapped."""
        try:
            return bytes(self.uc.mem_read(address, size))
        except uc.UcError:
            return None

    # ---- calling -------------------------------------------------------------
    def call(self, function: int, args: list[int], *, stack_top: int, return_address: int,
             registers: dict[str, int] | None = None, max_instructions: int = 1_000_000) -> int:
        """Call ``function(*args)`` (up to two integer or pointer arguments); return its return register.

        ``return_address`` must be mapped and executable: the call ends when
        execution reaches it. ``registers`` sets extra registers by name
        (``gp`` on RISC-V, ``fs_base`` on x86-64).
        """
        u = self.uc
        self.fault = None
        try:
            start, pc_reg, ret_reg = self._setup(function, args, stack_top, return_address, registers or {})
            u.emu_start(start, return_address, count=max_instructions)
            pc = u.reg_read(pc_reg)
        except uc.UcError as exc:
            where = self._pc()
            detail = self.fault or str(exc)
            raise EmulatorError(f"the emulated call of the function at {function:#x} stopped at pc "
                                f"{where:#x}: {detail}") from exc
        if pc != return_address:
            raise EmulatorError(f"the function at {function:#x} did not return within {max_instructions} "
                                f"instructions (pc {pc:#x})")
        return u.reg_read(ret_reg)

    def _pc(self) -> int:
        reg = {"arm": arm.UC_ARM_REG_PC, "arm-m": arm.UC_ARM_REG_PC, "aarch64": a64.UC_ARM64_REG_PC,
               "riscv32": rv.UC_RISCV_REG_PC, "riscv64": rv.UC_RISCV_REG_PC,
               "x86_64": x86.UC_X86_REG_RIP, "i386": x86.UC_X86_REG_EIP}[self.arch]
        try:
            return self.uc.reg_read(reg)
        except uc.UcError:
            return 0

    def _setup(self, function, args, stack_top, ret, registers):
        u = self.uc
        if len(args) > 2:
            raise EmulatorError("at most two arguments are passed")
        if self.arch in ("arm", "arm-m"):
            thumb = self.arch == "arm-m" or function & 1
            for reg, value in zip((arm.UC_ARM_REG_R0, arm.UC_ARM_REG_R1), args):
                u.reg_write(reg, value)
            u.reg_write(arm.UC_ARM_REG_SP, stack_top & ~7)
            # bit 0 of lr selects the state `bx lr` returns in; M-profile is always Thumb
            u.reg_write(arm.UC_ARM_REG_LR, ret | (1 if thumb else 0))
            return function | (1 if thumb else 0), arm.UC_ARM_REG_PC, arm.UC_ARM_REG_R0
        if self.arch == "aarch64":
            for reg, value in zip((a64.UC_ARM64_REG_X0, a64.UC_ARM64_REG_X1), args):
                u.reg_write(reg, value)
            u.reg_write(a64.UC_ARM64_REG_SP, stack_top & ~15)
            u.reg_write(a64.UC_ARM64_REG_X30, ret)
            return function, a64.UC_ARM64_REG_PC, a64.UC_ARM64_REG_X0
        if self.arch in ("riscv32", "riscv64"):
            for reg, value in zip((rv.UC_RISCV_REG_A0, rv.UC_RISCV_REG_A1), args):
                u.reg_write(reg, value)
            u.reg_write(rv.UC_RISCV_REG_SP, stack_top & ~15)
            u.reg_write(rv.UC_RISCV_REG_RA, ret)
            if "gp" in registers:
                u.reg_write(rv.UC_RISCV_REG_GP, registers["gp"])
            return function, rv.UC_RISCV_REG_PC, rv.UC_RISCV_REG_A0
        if self.arch == "x86_64":
            for reg, value in zip((x86.UC_X86_REG_RDI, x86.UC_X86_REG_RSI), args):
                u.reg_write(reg, value)
            # after `call`: the return address on top, rsp + 8 a multiple of 16
            sp = (stack_top & ~15) - 8
            u.mem_write(sp, ret.to_bytes(8, "little"))
            u.reg_write(x86.UC_X86_REG_RSP, sp)
            if "fs_base" in registers:
                u.reg_write(x86.UC_X86_REG_FS_BASE, registers["fs_base"])
            return function, x86.UC_X86_REG_RIP, x86.UC_X86_REG_RAX
        # i386 cdecl: arguments on the stack above the return address, 16-aligned
        sp = (stack_top & ~15) - 16 - 4
        words = [ret, *args]
        u.mem_write(sp, b"".join(w.to_bytes(4, "little") for w in words))
        u.reg_write(x86.UC_X86_REG_ESP, sp)
        return function, x86.UC_X86_REG_EIP, x86.UC_X86_REG_EAX
