"""Debian packages for the real-kernel judge, fetched through a private apt state and
cached by exact version under ``~/.cache/rproc-bundle/linuxjudge`` (``$XDG_CACHE_HOME``
is honoured; ``JUDGE_CACHE`` overrides the directory).

What it owns: resolving which package versions the archive carries today (the
kernels' ABIs are never pinned: ``linux-image-arm64``'s dependency for 6.1, the
newest ``linux-image-6.12.N+deb12-arm64-unsigned`` for 6.12), downloading them
with ``apt-get download`` (apt checks each .deb against the signed Release
files), and unpacking them once into a directory named by package and version.

The apt state (lists, archives) is the cache's own: dpkg's architectures and the
machine's lists are never touched. One process at a time holds the cache's lock
(``flock``) while it resolves and unpacks; every unpacked tree is written under a
temporary name and renamed into place, so a reader never sees half a tree and two
processes (another engineer's test, a parallel run) never unpack into one place.
The lists are refreshed when older than six hours; without the network a warm
cache is used as it is.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bundler.records import Record

SUITES = ("http://deb.debian.org/debian bookworm", "http://deb.debian.org/debian bookworm-updates",
          "http://deb.debian.org/debian-security bookworm-security")
COMPONENTS = "main non-free-firmware"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
LISTS_MAX_AGE = 6 * 3600
SERIES = ("6.1", "6.12")


class FetchError(Exception):
    """The archive could not give what the judge needs (one line: what, and what to do)."""


def cache_root() -> Path:
    if os.environ.get("JUDGE_CACHE"):
        return Path(os.environ["JUDGE_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rproc-bundle" / "linuxjudge"


@contextlib.contextmanager
def locked(root: Path | None = None):
    """The cache's lock, held for the duration (other processes wait)."""
    root = root or cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as fd:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield root
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def publish(tmp: Path, dest: Path) -> Path:
    """Rename the finished tree ``tmp`` to ``dest`` (the caller holds the lock)."""
    if dest.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        os.rename(tmp, dest)
    return dest


def scratch(root: Path, stem: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{stem}.", dir=root))


class Apt:
    """apt-get and apt-cache on the cache's own state: arm64 first, the build machine's architecture beside it
    (the kbuild tools run here)."""

    def __init__(self, root: Path):
        self.root = root / "apt"
        self.debs = root / "debs"

    def args(self) -> list[str]:
        return ["-q", "-o", "APT::Architecture=arm64", "-o", "APT::Architectures::=arm64",
                "-o", f"APT::Architectures::={host_arch()}", "-o", f"Dir::State::Lists={self.root}/lists",
                "-o", f"Dir::Cache={self.root}/cache", "-o", "Dir::Cache::pkgcache=pkgcache.bin",
                "-o", "Dir::Cache::srcpkgcache=srcpkgcache.bin", "-o", "Dir::State::status=/dev/null",
                "-o", f"Dir::Etc::SourceList={self.root}/sources.list", "-o", "Dir::Etc::SourceParts=/nonexistent",
                "-o", f"APT::Sandbox::User={_user()}"]

    def update(self, max_age: float = LISTS_MAX_AGE) -> bool:
        """Refresh the lists when older than ``max_age``; False when the archive could not be reached."""
        (self.root / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (self.root / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        sources = "".join(f"deb [arch=arm64,{host_arch()} signed-by={KEYRING}] {s} {COMPONENTS}\n" for s in SUITES)
        (self.root / "sources.list").write_text(sources)
        stamp = self.root / "updated"
        if stamp.exists() and time.time() - stamp.stat().st_mtime < max_age:
            return True
        proc = subprocess.run(["apt-get", *self.args(), "update"], capture_output=True, text=True)
        if proc.returncode != 0 or "Failed to fetch" in proc.stdout + proc.stderr:
            return False
        stamp.touch()
        return True

    def cache(self, *words: str) -> str:
        proc = subprocess.run(["apt-cache", *self.args(), *words], capture_output=True, text=True)
        if proc.returncode != 0:
            raise FetchError(f"apt-cache {' '.join(words)}: {proc.stderr.strip()}")
        return proc.stdout

    def depends(self, pkg: str) -> list[str]:
        return re.findall(r"^\s*\|?Depends: (\S+)$", self.cache("depends", pkg), re.M)

    def candidate(self, pkg: str) -> str | None:
        m = re.search(r"^\s*Candidate: (\S+)$", self.cache("policy", pkg), re.M)
        return None if m is None or m.group(1) == "(none)" else m.group(1)

    def has(self, pkg: str, version: str) -> bool:
        return re.search(rf"^\s*(\*\*\* )?{re.escape(version)} ", self.cache("policy", pkg), re.M) is not None

    def names(self, prefix: str) -> list[str]:
        return self.cache("pkgnames", prefix).split()

    def download(self, pkg: str, version: str, arch: str | None = None) -> Path:
        """The .deb of ``pkg`` at ``version`` (``arch`` for a foreign one), kept in the cache."""
        self.debs.mkdir(parents=True, exist_ok=True)
        quoted = version.replace(":", "%3a")
        for found in self.debs.glob(f"{pkg}_{quoted}_*.deb"):
            return found
        spec = f"{pkg}:{arch}={version}" if arch else f"{pkg}={version}"
        with tempfile.TemporaryDirectory(dir=self.debs) as tmp:
            proc = subprocess.run(["apt-get", *self.args(), "download", spec], cwd=tmp, capture_output=True,
                                  text=True)
            got = list(Path(tmp).glob("*.deb"))
            if proc.returncode != 0 or len(got) != 1:
                raise FetchError(f"apt-get download {spec} failed: {(proc.stderr or proc.stdout).strip()[-300:]}")
            dest = self.debs / got[0].name
            os.replace(got[0], dest)
        return dest


def host_arch() -> str:
    """dpkg's name for this machine's architecture (amd64 here): the kbuild tools' package is built for it."""
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def _user() -> str:
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def unpack(deb: Path, into: Path) -> None:
    subprocess.run(["dpkg-deb", "-x", str(deb), str(into)], check=True)


def version_key(version: str) -> list:
    """A sort key for the numbers in a Debian version (enough for 6.12.N+deb12 ABIs)."""
    return [int(n) for n in re.findall(r"\d+", version)]


class Kernel(Record):
    """One Debian arm64 kernel with its headers and kbuild tools, unpacked in the cache."""

    series: str          # "6.1" or "6.12"
    package: str         # linux-image-6.1.0-57-arm64
    version: str         # the package version, 6.1.192-3
    release: str         # uname -r: 6.1.0-57-arm64
    root: Path           # the unpacked tree

    @property
    def image(self) -> Path:
        return self.root / "Image"

    @property
    def headers(self) -> Path:
        return self.root / "usr" / "src" / f"linux-headers-{self.release}"

    @property
    def upstream(self) -> str:
        """The kernel version the package builds (6.1.192, 6.12.118)."""
        return self.version.split("-")[0].split("+")[0]

    def __str__(self) -> str:
        return f"{self.package} {self.version}"


def _image_package(apt: Apt, series: str) -> str:
    if series == "6.1":
        deps = [d for d in apt.depends("linux-image-arm64") if re.fullmatch(r"linux-image-6\.1\.\d+-\d+-arm64", d)]
        if not deps:
            raise FetchError("linux-image-arm64 depends on no linux-image-6.1.0-N-arm64: is the list for bookworm "
                             "readable?")
        return deps[0]
    names = [n for n in apt.names("linux-image-6.12.") if re.fullmatch(r"linux-image-6\.12\.\d+\+deb12-arm64-unsigned", n)]
    for name in sorted(names, key=version_key, reverse=True):
        if apt.candidate(name):
            return name
    raise FetchError("the archive has no linux-image-6.12.N+deb12-arm64-unsigned")


def kernel(series: str) -> Kernel:
    """Debian's newest arm64 kernel of ``series`` (CONFIG_REMOTEPROC=y) with what an out-of-tree
    module needs: ``linux-headers-<abi>-arm64`` (arm64), ``-common`` and ``linux-kbuild-*`` (for this machine)."""
    if series not in SERIES:
        raise ValueError(f"series {series!r}: one of {', '.join(SERIES)}")
    with locked() as root:
        apt = Apt(root)
        if not apt.update():
            cached = _newest_cached(root, series)
            if cached is not None:
                return cached
            raise FetchError("the Debian archive cannot be reached and no kernel is cached: connect, or set "
                             "JUDGE_CACHE to a warm cache")
        package = _image_package(apt, series)
        version = apt.candidate(package)
        release = package.removeprefix("linux-image-").removesuffix("-unsigned")
        dest = root / f"kernel-{release}_{version}"
        found = Kernel(series=series, package=package, version=version, release=release, root=dest)
        if dest.exists():
            return found
        headers = f"linux-headers-{release}"
        common = next(d for d in apt.depends(headers) if d.endswith("-common"))
        kbuild = next(d for d in apt.depends(headers) if d.startswith("linux-kbuild-"))
        debs = [apt.download(package, version, "arm64"), apt.download(headers, version, "arm64"),
                apt.download(common, apt.candidate(common)), apt.download(kbuild, apt.candidate(kbuild), host_arch())]
        tmp = scratch(root, dest.name)
        for deb in debs[1:]:
            unpack(deb, tmp)
        with tempfile.TemporaryDirectory(dir=root) as img:
            unpack(debs[0], Path(img))
            vmlinuz = next(Path(img, "boot").glob("vmlinuz-*"))
            if vmlinuz.read_bytes()[56:60] != b"ARM\x64":
                raise FetchError(f"{vmlinuz.name} of {package} {version} is not a raw arm64 Image (no ARM\\x64 at 56)")
            shutil.copyfile(vmlinuz, tmp / "Image")
            for config in Path(img, "boot").glob("config-*"):
                shutil.copyfile(config, tmp / "config")
        # the headers' Makefile includes the -common tree by its absolute /usr/src path
        makefile = tmp / "usr" / "src" / headers / "Makefile"
        makefile.write_text(makefile.read_text().replace("/usr/src/", f"{dest}/usr/src/"))
        publish(tmp, dest)
        for deb in debs:             # the unpacked tree is the cache; the packages are no use any more
            deb.unlink(missing_ok=True)
        return found


def _newest_cached(root: Path, series: str) -> Kernel | None:
    pattern = "kernel-6.1.0-*" if series == "6.1" else "kernel-6.12.*"
    trees = sorted(root.glob(pattern), key=lambda p: version_key(p.name))
    if not trees:
        return None
    release, version = trees[-1].name.removeprefix("kernel-").split("_", 1)
    package = f"linux-image-{release}" + ("-unsigned" if series == "6.12" else "")
    return Kernel(series=series, package=package, version=version, release=release, root=trees[-1])


def package_tree(pkg: str, version: str | None = None, arch: str | None = None) -> tuple[str, Path]:
    """(version, unpacked tree) of ``pkg``: ``version`` when the archive still has it, else its candidate."""
    with locked() as root:
        apt = Apt(root)
        online = apt.update()
        if online:
            if version is None or not apt.has(pkg, version):
                version = apt.candidate(pkg)
            if version is None:
                raise FetchError(f"the archive has no package {pkg}")
        else:
            trees = sorted(root.glob(f"pkg-{pkg}_*"), key=lambda p: version_key(p.name))
            if version is None or not (root / f"pkg-{pkg}_{version}").exists():
                if not trees:
                    raise FetchError(f"the Debian archive cannot be reached and {pkg} is not cached")
                version = trees[-1].name.split("_", 1)[1]
        dest = root / f"pkg-{pkg}_{version}"
        if not dest.exists():
            tmp = scratch(root, dest.name)
            deb = apt.download(pkg, version, arch)
            unpack(deb, tmp)
            publish(tmp, dest)
            deb.unlink(missing_ok=True)
        return version, dest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
