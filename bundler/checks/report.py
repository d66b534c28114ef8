"""What verify returns: the :class:`Report` (findings, image summaries, emulation)
and what it is given (:class:`RemoteFile`)."""

from __future__ import annotations

from bundler.findings import ERROR, NOTE, WARNING, Finding
from bundler.records import Factory, Record

__all__ = ["Emulation", "Finding", "ImageSummary", "RemoteFile", "Report"]


class RemoteFile(Record):
    """A ``--remote`` file: what the user says an image must be."""

    label: str                  # the path as given, for messages
    stem: str                   # its stem by the usual rule (mangled base name)
    data: bytes


class ImageSummary(Record):
    stem: str
    flow: str
    address: int | None
    size: int | None
    lma: int | None
    crc32: int | None
    sha256: str | None

    def to_dict(self) -> dict:
        return {"stem": self.stem, "flow": self.flow, "address": self.address, "size": self.size,
                "lma": self.lma, "crc32": self.crc32, "sha256": self.sha256}


class Emulation(Record):
    """The --emulate outcome: the CPU emulated and what remote_fw_find returned for each stem."""

    target: str | None
    results: list = Factory(list)     # bundler.inspection.emulate.FindResult

    def to_dict(self) -> dict:
        return {"target": self.target, "results": [r.to_dict() for r in self.results]}


class Report(Record):
    findings: list[Finding] = Factory(list)
    images: list[ImageSummary] = Factory(list)
    emulation: Emulation | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == NOTE]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self, severity: str | None = None) -> set[str]:
        return {f.code for f in self.findings if severity is None or f.severity == severity}

    def to_dict(self) -> dict:
        return {"ok": self.ok, "errors": len(self.errors), "warnings": len(self.warnings),
                "images": [i.to_dict() for i in self.images],
                "findings": [f.to_dict() for f in self.findings],
                "emulation": self.emulation.to_dict() if self.emulation else None}
