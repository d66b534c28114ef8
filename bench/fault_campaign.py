"""Fault campaign: single instruction skips over the authenticated load (Cortex-M3, unicorn).

    .venv/bin/python bench/fault_campaign.py [--classes A,B] [--jobs 2] [--sample N] [--json FILE]

bench/fault/fault_driver.c (a host: remote_fw_find, remote_fw_load_authenticated,
then fault_boot(entry) only on success, fault_refused(rc) otherwise) is built with the kit's authenticated
load (KIT_SOURCES + AUTH_SOURCES) for Cortex-M3 at -O2, as bench/bench_auth.py
builds it, and run in unicorn on tampered signed images (tests/support/signed.py):

    signature-byte   a byte of the signature flipped             (ESIGNATURE)
    segment-byte     a byte of a PT_LOAD flipped: caught after the write (EDIGEST)
    lower-counter    a genuine image whose counter is below the host's floor (EROLLBACK)
    unknown-key      signed by a key the host does not trust; two keys trusted (ESIGNATURE)

For each class a reference run records every executed instruction (one code
hook on everything, once). Then:

  static  one run per instruction address the reference executed: a hook on
          that one address skips its first execution (unicorn runs everything
          else translated, at full speed);
  tail    one run per dynamic instance of every instruction of the decision
          tail, from the end of the signature arithmetic (the call of
          fe_tobytes that encodes [S]B - [k]A, each time it is made) to the
          end of the run: the encode and compare, the key loop, the counter
          check, the ELF checks, the copy, the read-back compare, the erase,
          the return into the caller and the caller's test. The SHA-256 and
          SHA-512 rounds inside it are left to the static runs (a skip there
          only changes a digest).

A skip moves the PC past the instruction (Thumb bit kept). IT blocks: a
skipped IT instruction leaves its block unconditional (the hardware's
behaviour when the IT is not executed); an instruction inside an IT block is
skipped by putting a NOP of its size in its place for that one execution
(a NOP inside an IT block advances the block's state as a skipped instruction
would), restored when the block's IT instruction runs again. A hook on a
conditional instruction fires only when its condition passes, so a skip is
always of an instruction that would have executed.

Each run starts from a snapshot of the reference (registers and every
writable byte) taken before the first instruction the fault can touch; code
and the image are mapped read-only, so a stray write is a crash and no run
can change the next. Outcomes:

  accepted   remote_fw_load_authenticated returned 0, or fault_boot was
             reached, or the run returned a refusal and the destination
             holds every PT_LOAD of the tampered image;
  refused    the expected code, or another nonzero one (counted apart);
  crash      the emulator faulted (unmapped or read-only access, bad
             instruction); timeout: no return within the limit. Both are
             refusals: nothing started; reported apart, with how many of
             them stopped while the destination held the whole image
             (`in place`: between the copy and the read-back's verdict);
  residue    a refusal that left bytes in the destination other than the fill
             and the zeros of an erase.

Exit 1 when any run accepted (or the harness check failed). At most --jobs
processes (default 2), each at nice 10.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from array import array
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bundler.elf.reader import parse_elf  # noqa: E402
from tests.support.paths import AUTH_SOURCES, KIT, KIT_SOURCES  # noqa: E402

HERE = Path(__file__).resolve().parent / "fault"
HOST = HERE / "fault_host.c"            # the start hook and the refusal stop, for both
DRIVER = HERE / "fault_driver.c"
TOY = HERE / "toy_check.c"
CC = ["arm-none-eabi-gcc", "-std=c99", "-O2", "-mcpu=cortex-m3", "-mthumb", "-mno-unaligned-access",
      "-ffreestanding", "-nostdlib", "-Wall", "-Wextra", "-Werror"]
# Code at 0x8000, data apart from it (code pages read-only, data pages writable).
LINK = ["-Wl,-e,fault_run", "-Wl,-Ttext=0x8000", "-Wl,-Tdata=0x40000000", "-Wl,-Tbss=0x40000400"]
INPUT, DEST, STACK, DATA = 0x20000000, 0x60000000, 0x30000000, 0x40000000
INPUT_SIZE, DEST_SIZE, STACK_SIZE, DATA_SIZE = 0x10000, 0x8000, 0x4000, 0x1000
ARGS = STACK + STACK_SIZE               # struct fault_args, then the return address
RET = ARGS + 0x800
KEYS = INPUT + INPUT_SIZE - 0x400       # trusted keys, after the image
FILL = 0xA5
CLASSES = ("signature-byte", "segment-byte", "lower-counter", "unknown-key")
HASH = re.compile(r"sha256|sha512")     # left out of the tail's dynamic runs
IT = re.compile(r"^it[te]{0,3}$")
NOP = {2: b"\x00\xbf", 4: b"\xaf\xf3\x00\x80"}


def build(out: Path, source: Path = DRIVER, units=None, extra=()) -> Path:
    """The driver (and the kit units) for Cortex-M3 at -O2; the ELF's path."""
    units = [*KIT_SOURCES, *AUTH_SOURCES] if units is None else units
    elf = out / (source.stem + ".elf")
    cmd = [*CC, *extra, f"-I{KIT}", *LINK, str(source), str(HOST), *map(str, units), "-o", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}:\n{proc.stderr}")
    return elf


@dataclass
class Insn:
    size: int
    text: str
    it: int | None = None       # inside an IT block: the IT instruction's address


@dataclass
class Code:
    """The driver's instructions (objdump) and functions (nm)."""
    insns: dict[int, Insn]
    funcs: list[tuple[int, int, str]]           # (start, end, name), sorted
    symbols: dict[str, int]

    @classmethod
    def of(cls, elf: Path) -> Code:
        dis = subprocess.run(["arm-none-eabi-objdump", "-d", str(elf)], capture_output=True, text=True,
                             check=True).stdout
        insns: dict[int, Insn] = {}
        pending: list[int] = []                 # the IT block being read: its IT address, count left
        for line in dis.splitlines():
            m = re.match(r"^\s*([0-9a-f]+):\t([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s*\t(\S+)\s*(.*)$", line)
            if not m or m.group(4).startswith("."):
                continue
            addr, mnem = int(m.group(1), 16), m.group(4)
            insn = Insn(4 if m.group(3) else 2, f"{mnem} {m.group(5)}".strip())
            if pending:
                insn.it = pending[0]
                pending[1] -= 1
                if pending[1] == 0:
                    pending = []
            if IT.match(mnem):
                pending = [addr, len(mnem) - 1]
            insns[addr] = insn
        nm = subprocess.run(["arm-none-eabi-nm", "-S", "--defined-only", str(elf)], capture_output=True,
                            text=True, check=True).stdout
        funcs, symbols = [], {}
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[2] in "tTwW":
                start = int(parts[0], 16) & ~1
                funcs.append((start, start + int(parts[1], 16), parts[3]))
            if len(parts) >= 3:
                symbols[parts[-1]] = int(parts[0], 16) & ~1
        funcs.sort()
        return cls(insns, funcs, symbols)

    def func(self, addr: int) -> str:
        i = bisect.bisect_right(self.funcs, (addr, 1 << 40)) - 1
        if i >= 0 and self.funcs[i][0] <= addr < self.funcs[i][1]:
            return self.funcs[i][2]
        return "?"

    def where(self, addr: int) -> str:
        i = bisect.bisect_right(self.funcs, (addr, 1 << 40)) - 1
        start, _, name = self.funcs[i]
        return f"{name}+{addr - start:#x} ({addr:#x}: {self.insns[addr].text})"

    def call_return(self, caller: str, callee: str) -> int:
        """The address after caller's call of callee."""
        target = f"<{callee}>"
        start, end = next((s, e) for s, e, n in self.funcs if n == caller)
        for a in sorted(x for x in self.insns if start <= x < end):
            if self.insns[a].text.startswith("bl") and target in self.insns[a].text:
                return a + self.insns[a].size
        raise SystemExit(f"{caller} does not call {callee}")


@dataclass
class Case:
    """One tampered image: what the driver is given and what it must say."""
    name: str
    image: bytes
    manifest: bytes | None
    keys: list[bytes]
    minimum: int
    expect: int                 # the refusal code; 0 for an image that must load


def cases(names=CLASSES) -> dict[str, Case]:
    from bundler.signing.keys import raw_public
    from tests.kit.kit_native import E
    from tests.support.signed import KEY, remote, sign, tamper_classes

    classes = tamper_classes(DEST)
    out = {}
    img = remote(DEST)
    out["untampered"] = Case("untampered", img.data, sign(img.data), [raw_public(KEY)], 5, 0)
    for name in names:
        (image, manifest), kw, code, _ = classes[name]
        out[name] = Case(name, image, manifest, [raw_public(k) for k in kw.get("keys", (KEY,))],
                         kw.get("minimum", 0), E[code])
    return out


def segments(image: bytes) -> list[tuple[int, bytes]]:
    """(p_paddr, file bytes) of each PT_LOAD with file bytes."""
    elf = parse_elf(image)
    return [(p.p_paddr, image[p.p_offset:p.p_offset + p.p_filesz]) for p in elf.iter_loads() if p.p_filesz]


@dataclass
class Outcome:
    kind: str                   # accepted, refused, other, crash, timeout
    rc: int | None = None
    kit_rc: int | None = None
    booted: bool = False
    holds: bool = False
    residue: bool = False
    skipped: bool = False
    detail: str = ""


def signed(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - ((v & 0x80000000) << 1)


class Emu:
    """The driver in an emulated Cortex-M3, one case loaded; runs from snapshots."""

    def __init__(self, elf: Path, code: Code | None = None):
        import unicorn as uc
        from unicorn import arm_const as A

        self.uc_mod, self.A = uc, A
        self.code = code or Code.of(elf)
        e = parse_elf(elf.read_bytes())
        self.u = u = uc.Uc(uc.UC_ARCH_ARM, uc.UC_MODE_THUMB | uc.UC_MODE_MCLASS)
        u.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M3)
        rx, rw = uc.UC_PROT_READ | uc.UC_PROT_EXEC, uc.UC_PROT_READ | uc.UC_PROT_WRITE
        for p in e.iter_loads():
            if p.p_memsz and p.p_vaddr < DATA:
                lo, hi = p.p_vaddr & ~0xFFF, (p.p_vaddr + p.p_memsz + 0xFFF) & ~0xFFF
                u.mem_map(lo, hi - lo, rx)
                u.mem_write(p.p_vaddr, e.data[p.p_offset:p.p_offset + p.p_filesz])
            elif p.p_memsz and p.p_vaddr + p.p_memsz > DATA + DATA_SIZE:
                raise SystemExit(f"{elf}: data beyond {DATA + DATA_SIZE:#x}")
        u.mem_map(DATA, DATA_SIZE, rw)
        for p in e.iter_loads():
            if p.p_filesz and p.p_vaddr >= DATA:
                u.mem_write(p.p_vaddr, e.data[p.p_offset:p.p_offset + p.p_filesz])
        u.mem_map(INPUT, INPUT_SIZE, uc.UC_PROT_READ)
        u.mem_map(DEST, DEST_SIZE, rw)
        u.mem_map(STACK, STACK_SIZE + 0x1000, rw)
        self.data0 = bytes(u.mem_read(DATA, DATA_SIZE))
        self.writable = [(DATA, DATA_SIZE), (DEST, DEST_SIZE), (STACK, STACK_SIZE + 0x1000)]
        sym = self.code.symbols
        self.entry = sym["fault_run"]
        self.booted = False
        self.kit_rc: int | None = None
        u.hook_add(uc.UC_HOOK_CODE, self._on_boot, begin=sym["fault_boot"], end=sym["fault_boot"])
        self.refused_at = sym["fault_refused"]
        u.hook_add(uc.UC_HOOK_CODE, self._on_refused, begin=self.refused_at, end=self.refused_at)
        self.kit_ret = self.code.call_return("fault_run", "remote_fw_load_authenticated") \
            if "remote_fw_load_authenticated" in sym else self.code.call_return("fault_run", "toy_check")
        u.hook_add(uc.UC_HOOK_CODE, self._on_kit_return, begin=self.kit_ret, end=self.kit_ret)
        self.case: Case | None = None
        self.snaps: dict[int, tuple] = {}
        self.timeout_us = 2_000_000

    def _on_boot(self, *_):
        self.booted = True

    def _on_refused(self, u, *_):
        u.emu_stop()                    # the host halts; the refusal code is in r0

    def _on_kit_return(self, u, *_):
        if self.kit_rc is None:
            self.kit_rc = signed(u.reg_read(self.A.UC_ARM_REG_R0))

    # ---- one case ---------------------------------------------------------------
    def load(self, case: Case) -> None:
        """Image, manifest after it (8-aligned), keys, descriptor, arguments."""
        u = self.u
        self.case = case
        u.mem_write(INPUT, bytes(INPUT_SIZE))
        u.mem_write(INPUT, case.image)
        at = INPUT + len(case.image)
        at += -at % 8
        if case.manifest:
            u.mem_write(at, case.manifest)
        u.mem_write(KEYS, b"".join(case.keys))
        desc = self.code.symbols["remote_fw_desc_alpha"]
        flags = 0x3 | (0x4 if case.manifest else 0)     # BUNDLED | CRC32 | SIGNED
        u.mem_write(desc + 8, struct.pack("<IIQQQ", flags, zlib.crc32(case.image), INPUT, len(case.image), desc))
        self.segs = segments(case.image)
        self.snaps = {}
        self.booted, self.kit_rc = False, None
        # the start: registers, the fill, the arguments
        u.mem_write(DATA, self.data0)
        u.mem_write(DEST, bytes([FILL]) * DEST_SIZE)
        u.mem_write(STACK, bytes([0x5A]) * (STACK_SIZE + 0x1000))
        u.mem_write(ARGS, struct.pack("<6I", KEYS, len(case.keys), case.minimum, DEST, DEST_SIZE, 0))
        A = self.A
        for r in range(13):
            u.reg_write(getattr(A, f"UC_ARM_REG_R{r}"), 0x5A5A0000 + r)
        u.reg_write(A.UC_ARM_REG_R0, ARGS)
        u.reg_write(A.UC_ARM_REG_SP, STACK + STACK_SIZE)
        u.reg_write(A.UC_ARM_REG_LR, RET | 1)
        u.reg_write(A.UC_ARM_REG_PC, self.entry | 1)
        self.snaps[0] = self._save()

    def _save(self) -> tuple:
        return (self.u.context_save(), [bytes(self.u.mem_read(a, n)) for a, n in self.writable],
                self.booted, self.kit_rc)

    def _restore(self, snap: tuple) -> None:
        ctx, mem, self.booted, self.kit_rc = snap
        for (a, _), b in zip(self.writable, mem):
            self.u.mem_write(a, b)
        self.u.context_restore(ctx)

    def trace(self) -> tuple[array, Outcome]:
        """The reference: every executed instruction address in order."""
        t = array("I")
        h = self.u.hook_add(self.uc_mod.UC_HOOK_CODE, lambda _u, a, _s, _d: t.append(a))
        self.u.ctl_flush_tb()
        saved, self.timeout_us = self.timeout_us, 0
        try:
            out = self.run(0)
        finally:
            self.timeout_us = saved
            self.u.hook_del(h)
            self.u.ctl_flush_tb()
        return t, out

    def snapshot(self, index: int, addr: int, occurrence: int) -> None:
        """The state before the occurrence-th execution of addr (the reference's index)."""
        seen = [0]

        def stop(u, *_):
            seen[0] += 1
            if seen[0] == occurrence:
                u.emu_stop()
        self._restore(self.snaps[0])
        h = self.u.hook_add(self.uc_mod.UC_HOOK_CODE, stop, begin=addr, end=addr)
        self.u.ctl_remove_cache(addr, addr + 4)
        try:
            self.u.emu_start(self.entry | 1, RET)
        finally:
            self.u.hook_del(h)
            self.u.ctl_remove_cache(addr, addr + 4)
        pc = self.u.reg_read(self.A.UC_ARM_REG_PC)
        if pc != addr:
            raise SystemExit(f"snapshot {index}: stopped at {pc:#x}, not {addr:#x}")
        self.snaps[index] = self._save()

    # ---- one run --------------------------------------------------------------------
    def run(self, snap: int, skip: int | None = None, nth: int = 1) -> Outcome:
        """From snapshot `snap`, skipping the nth execution (counted from the
        snapshot) of the instruction at `skip`."""
        self._restore(self.snaps[snap])
        state = {"n": 0, "skipped": False, "patched": False}
        disarm = self._arm(skip, nth, state) if skip is not None else (lambda: None)
        try:
            out = self._execute()
        finally:
            disarm()
        out.skipped = state["skipped"]
        return self._judge(out)

    def _arm(self, skip: int, nth: int, state: dict):
        """Hooks that skip the nth execution of the instruction at skip; returns their undoing."""
        uc, u, A = self.uc_mod, self.u, self.A
        insn = self.code.insns[skip]
        hooks = []
        if insn.it is None:             # the PC moved past it
            def on_insn(uu, a, size, _d):
                state["n"] += 1
                if state["n"] == nth:
                    state["skipped"] = True
                    uu.reg_write(A.UC_ARM_REG_PC, (a + size) | 1)
            hooks.append(u.hook_add(uc.UC_HOOK_CODE, on_insn, begin=skip, end=skip))
        else:                           # inside an IT block: a NOP in its place for that execution
            orig = bytes(u.mem_read(skip, insn.size))

            def patch(on: bool) -> None:
                u.mem_write(skip, NOP[insn.size] if on else orig)
                u.ctl_remove_cache(skip, skip + insn.size)
                state["patched"] = on

            def on_cond(_uu, _a, _s, _d):      # fires when its condition passes
                state["n"] += 1
                if state["patched"]:
                    state["skipped"] = True

            def on_it(uu, a, _s, _d):
                want = not state["skipped"] and state["n"] == nth - 1
                if want != state["patched"]:
                    patch(want)
                    uu.reg_write(A.UC_ARM_REG_PC, a | 1)        # translate the block again
            if nth == 1:
                patch(True)
            hooks.append(u.hook_add(uc.UC_HOOK_CODE, on_cond, begin=skip, end=skip))
            hooks.append(u.hook_add(uc.UC_HOOK_CODE, on_it, begin=insn.it, end=insn.it))
        spans = [(skip, skip + insn.size)] + ([(insn.it, insn.it + 2)] if insn.it is not None else [])
        for lo, hi in spans:
            u.ctl_remove_cache(lo, hi)

        def disarm() -> None:
            for h in hooks:
                u.hook_del(h)
            if state["patched"]:
                u.mem_write(skip, orig)
            for lo, hi in spans:
                u.ctl_remove_cache(lo, hi)
        return disarm

    def _execute(self) -> Outcome:
        uc, u, A = self.uc_mod, self.u, self.A
        out = Outcome("refused")
        try:
            u.emu_start(u.reg_read(A.UC_ARM_REG_PC) | 1, RET, timeout=self.timeout_us)
            pc = u.reg_read(A.UC_ARM_REG_PC)
            if pc not in (RET, self.refused_at):
                out.kind, out.detail = "timeout", f"pc {pc:#x}"
            else:
                out.rc = signed(u.reg_read(A.UC_ARM_REG_R0))
        except uc.UcError as exc:
            out.kind, out.detail = "crash", f"{exc} at pc {u.reg_read(A.UC_ARM_REG_PC):#x}"
        return out

    def _judge(self, out: Outcome) -> Outcome:
        out.booted, out.kit_rc = self.booted, self.kit_rc
        dest = bytes(self.u.mem_read(DEST, DEST_SIZE))
        out.holds = all(dest[a - DEST:a - DEST + len(b)] == b for a, b in self.segs)
        if out.booted or out.kit_rc == 0 or (out.holds and out.kind == "refused"):
            out.kind = "accepted"
        elif out.kind == "refused" and (out.kit_rc if out.kit_rc is not None else out.rc) != self.case.expect:
            out.kind = "other"
        if out.kind != "accepted":
            out.residue = any(b not in (0, FILL) for b in dest)
        return out


# ---- the plan ---------------------------------------------------------------------------

@dataclass
class Plan:
    """Every fault of one case: (snapshot index, address, nth from the snapshot, kind)."""
    checkpoints: list[tuple[int, int, int]] = field(default_factory=list)   # (index, addr, occurrence)
    faults: list[tuple[int, int, int, str]] = field(default_factory=list)
    tail_windows: list[tuple[int, int]] = field(default_factory=list)
    dynamic: int = 0
    static: int = 0


def tail_windows(code: Code, trace: array, out: list) -> list[int]:
    """Append the decision tail's windows to out: from each call of fe_tobytes
    made by double_scalarmult (the encoding of [S]B - [k]A; the second, fe_is_odd's,
    falls in the same window) to the next verification's entry or the end.
    Returns the trace indices of every verification's entry."""
    sym = code.symbols
    enc, dsm, ver = sym.get("fe_tobytes"), sym.get("double_scalarmult"), sym.get("remote_fw_ed25519_verify")
    dsm_end = next((e for s, e, n in code.funcs if n == "double_scalarmult"), 0)
    starts = [i for i in range(1, len(trace)) if trace[i] == enc and dsm is not None
              and dsm <= trace[i - 1] < dsm_end]
    if enc is None:                         # the toy: its whole run is the tail
        starts = [0]
    verifies = [i for i, a in enumerate(trace) if a == ver]
    for s in starts:
        if out and s < out[-1][1]:
            continue
        out.append((s, next((v for v in verifies if v > s), len(trace))))
    return verifies


def plan(code: Code, trace: array, sample: int = 0, tail_cap: int = 0) -> Plan:
    """Static faults for every executed address, tail faults for every dynamic
    instance in the tail windows (hash rounds left out). For the test's
    representative campaign: sample > 1 keeps every sample-th static address;
    tail_cap > 0 keeps, of an address the tail executes more often, its
    first and last tail_cap // 2 instances (a loop's entry and exit)."""
    p = Plan(dynamic=len(trace))
    verifies = tail_windows(code, trace, p.tail_windows)
    cps = sorted({0, *verifies, *(s for s, _ in p.tail_windows)})
    # occurrences before each checkpoint, and each tail instance's number
    counts: dict[int, int] = {}
    before: dict[int, dict[int, int]] = {}
    first: dict[int, int] = {}
    in_tail = bytearray(len(trace))
    for s, e in p.tail_windows:
        in_tail[s:e] = b"\x01" * (e - s)
    hashy = {a: bool(HASH.search(code.func(a))) for a in set(trace)}
    tail: list[tuple[int, int]] = []
    cp_set = set(cps)
    for i, a in enumerate(trace):
        if i in cp_set:
            before[i] = dict(counts)
        n = counts.get(a, 0) + 1
        counts[a] = n
        if a not in first:
            first[a] = i
        if in_tail[i] and not hashy[a]:
            tail.append((i, a))
    for i in cps:
        a = trace[i]
        p.checkpoints.append((i, a, before[i].get(a, 0) + 1))
    addrs = sorted(first, key=first.get)
    if sample > 1:
        addrs = addrs[::sample]
    for a in addrs:
        c = cps[bisect.bisect_right(cps, first[a]) - 1]
        p.faults.append((c, a, 1, "static"))
    p.static = len(addrs)
    total: dict[int, int] = {}
    for _, a in tail:
        total[a] = total.get(a, 0) + 1
    seen: dict[int, int] = {}
    counts = {}
    ti = 0
    for i, a in enumerate(trace):
        counts[a] = counts.get(a, 0) + 1
        if ti < len(tail) and tail[ti][0] == i:
            ti += 1
            k = seen[a] = seen.get(a, 0) + 1
            if tail_cap and total[a] > tail_cap and tail_cap // 2 < k <= total[a] - tail_cap // 2:
                continue
            c = cps[bisect.bisect_right(cps, i) - 1]
            p.faults.append((c, a, counts[a] - before[c].get(a, 0), "tail"))
    return p


# ---- running --------------------------------------------------------------------------

_worker: dict = {}


def _init(elf: str, nice: int) -> None:
    if nice:
        os.nice(nice)
    _worker["emu"] = Emu(Path(elf))
    _worker["case"] = None


def _run_chunk(args) -> list[tuple]:
    case, checkpoints, faults, timeout_us = args
    emu: Emu = _worker["emu"]
    emu.timeout_us = timeout_us
    if _worker["case"] != case.name:
        emu.load(case)
        for i, a, occ in checkpoints:
            if i:
                emu.snapshot(i, a, occ)
        _worker["case"] = case.name
    out = []
    for c, a, nth, kind in faults:
        o = emu.run(c, a, nth)
        out.append((a, nth, kind, o))
    return out


@dataclass
class Report:
    case: str
    runs: int = 0
    static: int = 0
    tail: int = 0
    skipped: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    residue: int = 0
    in_place: int = 0
    accepted: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    reference: str = ""
    trace: int = 0

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("case", "runs", "static", "tail", "skipped", "kinds", "residue", "in_place",
                                              "accepted", "seconds", "reference", "trace")}


def toy_cases() -> dict[str, Case]:
    """For toy_check.c: an image whose first 32 bytes are the trusted key, and one where they are not."""
    from bundler.signing.keys import raw_public
    from tests.kit.kit_native import E
    from tests.support.signed import KEY, remote

    img = remote(DEST).data
    return {"untampered": Case("untampered", img, None, [img[:32]], 0, 0),
            "toy-mismatch": Case("toy-mismatch", img, None, [raw_public(KEY)], 0, E["ESIGNATURE"])}


def campaign(elf: Path, all_cases: dict[str, Case], jobs: int = 2, sample: int = 0, nice: int = 10,
             tail: bool = True, tail_cap: int = 0, log=print) -> tuple[list[Report], dict]:
    """Run the campaign over every case but "untampered"; every case's report,
    and the harness checks (untampered accepted, each case refused without a skip)."""
    code = Code.of(elf)
    emu = Emu(elf, code)
    names = [n for n in all_cases if n != "untampered"]
    checks: dict[str, str] = {}
    emu.load(all_cases["untampered"])
    o = emu.run(0)
    checks["untampered"] = o.kind
    reports = []
    ctx = get_context("fork")
    with ctx.Pool(jobs, _init, (str(elf), nice)) as pool:
        for name in names:
            case = all_cases[name]
            t0 = time.time()
            emu.load(case)
            start = time.time()
            ref = emu.run(0)
            took = time.time() - start
            timeout_us = int(max(1.0, 30 * took) * 1e6)
            trace, traced = emu.trace()
            checks[name] = ref.kind if ref.kind != "refused" else "refused"
            if ref.kind != "refused" or traced.rc != ref.rc:
                raise SystemExit(f"{name}: the reference run is not refused with {case.expect} ({ref})")
            p = plan(code, trace, sample, tail_cap)
            if not tail:
                p.faults = [f for f in p.faults if f[3] == "static"]
            r = Report(name, reference=f"{ref.rc}", trace=len(trace))
            r.static = sum(1 for f in p.faults if f[3] == "static")
            r.tail = len(p.faults) - r.static
            # chunks by snapshot, so that each worker loads a case once and reuses snapshots
            size = max(1, len(p.faults) // (jobs * 8) + 1)
            chunks = [(case, p.checkpoints, p.faults[i:i + size], timeout_us)
                      for i in range(0, len(p.faults), size)]
            for res in pool.imap_unordered(_run_chunk, chunks):
                for a, nth, kind, o in res:
                    r.runs += 1
                    r.skipped += o.skipped
                    r.kinds[o.kind] = r.kinds.get(o.kind, 0) + 1
                    r.residue += o.residue
                    r.in_place += o.holds and o.kind in ("crash", "timeout")
                    what = f"{kind} skip #{nth} of {code.where(a)}"
                    if o.kind == "accepted":
                        r.accepted.append(f"{what}: rc {o.rc}, kit {o.kit_rc}, booted {o.booted}, "
                                          f"holds {o.holds}")
                    elif o.kind in ("crash", "timeout") and len(r.crashes) < 5:
                        r.crashes.append(f"{what}: {o.kind} {o.detail}")
            r.seconds = time.time() - t0
            log(f"{name}: {r.runs} runs ({r.static} static, {r.tail} tail), {len(r.accepted)} accepted, "
                f"{r.seconds:.1f} s" + "".join(f"\n  ACCEPTED {a}" for a in r.accepted))
            reports.append(r)
    return reports, checks


def table(reports: list[Report]) -> str:
    lines = [f"  {'class':<16} {'static':>7} {'tail':>7} {'skipped':>8} {'accepted':>9} {'refused':>8} "
             f"{'other':>6} {'crash':>6} {'timeout':>8} {'in place':>9} {'residue':>8} {'seconds':>8}"]
    for r in reports:
        k = r.kinds
        lines.append(f"  {r.case:<16} {r.static:>7} {r.tail:>7} {r.skipped:>8} {len(r.accepted):>9} "
                     f"{k.get('refused', 0):>8} {k.get('other', 0):>6} {k.get('crash', 0):>6} "
                     f"{k.get('timeout', 0):>8} {r.in_place:>9} {r.residue:>8} {r.seconds:>8.1f}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--classes", default=",".join(CLASSES))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=0, help="keep every N-th static address (default: all)")
    ap.add_argument("--tail-cap", type=int, default=0,
                    help="at most N instances of one address in the tail (its first and last N/2; default: all)")
    ap.add_argument("--no-tail", action="store_true", help="static runs only")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="fault-") as tmp:
        elf = build(Path(tmp))
        reports, checks = campaign(elf, cases(args.classes.split(",")), min(args.jobs, 2), args.sample,
                                   tail=not args.no_tail, tail_cap=args.tail_cap)
    total = time.time() - t0
    print("\nCortex-M3 -O2, unicorn: one instruction skipped per run, remote_fw_load_authenticated")
    print(table(reports))
    print(f"  harness: untampered image {checks['untampered']} without a skip; "
          + ", ".join(f"{n} {checks[n]}" for n in args.classes.split(",")))
    print(f"  {sum(r.runs for r in reports)} runs in {total:.0f} s")
    bad = [a for r in reports for a in r.accepted]
    for r in reports:
        for c in r.crashes:
            print(f"  ({r.case}: {c})")
    if args.json:
        Path(args.json).write_text(json.dumps({"reports": [r.to_dict() for r in reports], "checks": checks,
                                               "seconds": total}, indent=1))
    ok = checks["untampered"] == "accepted" and not bad
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
