"""OpenAMP and libmetal for the tests (tests/openamp, tests/fuzz, tests/e2e):
where the pinned sources are, one CMake build of each per configuration,
cached on disk, and the kit's error codes as remote_fw.h defines them.

Sources: OPENAMP_SRC and LIBMETAL_SRC (a tarball or a source directory), else
the pinned tarballs in <repo>/../shared/third_party/ (open-amp-*.tar.gz,
libmetal-*.tar.gz). Absent: the test is skipped with the reason, and fails
under CI=true (as for a missing toolchain).

Builds go to <repo>/build/openamp/<key>/ (git-ignored), key = the sources'
identity and the flags, so a session builds each configuration once and later
sessions reuse it; sources are never written to (tarballs are unpacked beside
the build, directories are built out of tree).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from tests.support.paths import KIT, ROOT
from tests.support.tools import in_ci, need_tool

THIRD_PARTY = ROOT.parent / "shared" / "third_party"
CACHE = ROOT / "build" / "openamp"

# stem -> sample whose prebuilt/remote.elf tests/openamp/c/openamp_host.c embeds
# (REMOTE_FW_DECLARE(stem) there; `bundle object --target x86_64 --name stem`)
STEMS = {"aarch64_amp_remote": "aarch64-amp", "cortex_m3_remote": "cortex-m3",
         "riscv64_amp_remote": "riscv64-amp"}


def error_codes() -> dict[str, int]:
    """{"OK": 0, "EINVAL": -1, ...} from linker/remote_fw.h itself."""
    text = (KIT / "remote_fw.h").read_text()
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"#define REMOTE_FW_(E[A-Z]+|OK)\s+(-?\d+)", text)}

SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer",
       "-g", "-O1"]
# libmetal's CMake adds -Werror; clang 14 warns on its ATOMIC_VAR_INIT
NATIVE_CFLAGS = SAN + ["-Wno-deprecated-pragma"]

# seconds spent building, for the report (conftest prints it at the end)
BUILD_SECONDS: dict[str, float] = {}


def _pick(env: str, pattern: str) -> Path | None:
    if os.environ.get(env):
        p = Path(os.environ[env])
        return p if p.exists() else None
    found = sorted(THIRD_PARTY.glob(pattern)) if THIRD_PARTY.is_dir() else []
    return found[-1] if found else None


def sources() -> tuple[Path | None, Path | None]:
    return _pick("OPENAMP_SRC", "open-amp-*.tar.gz"), _pick("LIBMETAL_SRC", "libmetal-*.tar.gz")


def need_sources() -> tuple[Path, Path]:
    """The OpenAMP and libmetal sources, or skip (fail under CI=true) saying why."""
    openamp, libmetal = sources()
    if openamp and libmetal:
        return openamp, libmetal
    missing = [n for n, p in (("OPENAMP_SRC", openamp), ("LIBMETAL_SRC", libmetal)) if not p]
    msg = (f"OpenAMP sources absent: set {' and '.join(missing)} (tarball or directory) or put the "
           f"pinned tarballs in {THIRD_PARTY}")
    if in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


PICOLIBC = Path("/usr/lib/picolibc/aarch64-linux-gnu/lib/libc.a")


def need_picolibc() -> None:
    """Debian's picolibc for AArch64 (the samples' OpenAMP programs), or skip
    (fail under CI=true) saying what to install."""
    if not PICOLIBC.exists():
        msg = f"{PICOLIBC} missing: install picolibc-aarch64-linux-gnu (./scripts/setup test)"
        if in_ci():
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


def _identity(src: Path) -> str:
    if src.is_file():
        h = hashlib.sha256(src.read_bytes()).hexdigest()
    else:  # a directory: its files' names, sizes and times
        h = hashlib.sha256()
        for p in sorted(src.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(src)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        h = h.hexdigest()
    return h


def _source_dir(src: Path, work: Path) -> Path:
    """A source directory: src itself, or the tarball unpacked under work."""
    if src.is_dir():
        return src
    dest = work / "src" / src.name.split(".tar")[0]
    if not (dest / "CMakeLists.txt").exists():
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with tarfile.open(src) as tar:
            tar.extractall(tmp, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(tmp)
        (top,) = [p for p in tmp.iterdir() if p.is_dir()]
        shutil.rmtree(dest, ignore_errors=True)
        top.rename(dest)
        shutil.rmtree(tmp)
    return dest


def _run(cmd: list, log: Path) -> None:
    with open(log, "a") as f:
        f.write("$ " + " ".join(map(str, cmd)) + "\n")
        f.flush()
        proc = subprocess.run(["nice", *map(str, cmd)], stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise AssertionError(f"{cmd[0]} failed ({proc.returncode}); log: {log}\n"
                             + "\n".join(log.read_text().splitlines()[-30:]))


def build_libs(cc: str = "clang", cflags: list[str] = NATIVE_CFLAGS,
               processor: str = "x86_64") -> Path:
    """libmetal (generic system, template machine) and open-amp, static, built
    with cc and cflags; returns the install prefix (include/, lib/)."""
    openamp, libmetal = need_sources()
    need_tool("cmake", "ninja", cc)
    key = hashlib.sha256("\n".join([_identity(openamp), _identity(libmetal), cc, processor,
                                    *cflags]).encode()).hexdigest()[:16]
    work = CACHE / key
    prefix = work / "inst"
    if (prefix / "lib" / "libopen_amp.a").exists() and (prefix / "lib" / "libmetal.a").exists():
        return prefix
    t0 = time.monotonic()
    work.mkdir(parents=True, exist_ok=True)
    log = work / "build.log"
    log.write_text("")
    common = ["-G", "Ninja", "-DCMAKE_SYSTEM_NAME=Generic", f"-DCMAKE_SYSTEM_PROCESSOR={processor}",
              "-DMACHINE=template", f"-DCMAKE_C_COMPILER={cc}",
              "-DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY", "-DCMAKE_BUILD_TYPE=None",
              f"-DCMAKE_INSTALL_PREFIX={prefix}", "-DWITH_DOC=OFF"]
    flags = " ".join(cflags)
    lm_build, oa_build = work / "libmetal-build", work / "open-amp-build"
    for d in (lm_build, oa_build, prefix):
        shutil.rmtree(d, ignore_errors=True)
    _run(["cmake", "-S", _source_dir(libmetal, work), "-B", lm_build, *common,
          f"-DCMAKE_C_FLAGS={flags}", "-DWITH_TESTS=OFF"], log)
    _run(["ninja", "-C", lm_build, "install"], log)
    _run(["cmake", "-S", _source_dir(openamp, work), "-B", oa_build, *common,
          f"-DCMAKE_C_FLAGS={flags} -I{prefix / 'include'}",
          f"-DLIBMETAL_INCLUDE_DIR={prefix / 'include'}",
          f"-DLIBMETAL_LIB={prefix / 'lib' / 'libmetal.a'}", "-DWITH_PROXY=OFF"], log)
    _run(["ninja", "-C", oa_build, "install"], log)
    BUILD_SECONDS[key] = time.monotonic() - t0
    return prefix


def compile_c(out: Path, sources: list, prefix: Path | None, cflags: list[str],
              libs: bool = True) -> Path:
    """Compile and link a test program with clang against the kit (and OpenAMP)."""
    cmd = ["clang", "-std=gnu99", "-Wall", "-Wextra", "-Werror", *cflags, f"-I{KIT}"]
    if prefix is not None:
        cmd.append(f"-I{prefix / 'include'}")
    cmd += [str(s) for s in sources]
    if prefix is not None and libs:
        cmd += [str(prefix / "lib" / "libopen_amp.a"), str(prefix / "lib" / "libmetal.a")]
    cmd += ["-o", str(out)]
    proc = subprocess.run(["nice", *cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return out


def main() -> int:
    """`python -m tests.support.openamp`: build (or find) the native
    ASan+UBSan libraries and print their install prefix (tests/fuzz/run.sh)."""
    import sys
    try:
        print(build_libs())
    except (pytest.skip.Exception, pytest.fail.Exception) as e:
        print(f"tests.support.openamp: {e.msg}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
