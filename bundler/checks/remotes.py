"""The ``--remote`` files: each matches an image, byte for byte (SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Iterator

from bundler.checks.context import Context
from bundler.findings import Finding, finding


def check_remotes(ctx: Context) -> Iterator[Finding]:
    carried = ctx.image_bytes
    for r in ctx.remotes:
        digest = hashlib.sha256(r.data).hexdigest()
        if r.stem in carried:
            stem = r.stem
        elif len(carried) == 1:
            stem = next(iter(carried))
        else:
            stem = next((s for s, d in carried.items() if hashlib.sha256(d).hexdigest() == digest), None)
            if stem is None:
                yield finding("remote-unmatched", f"--remote {r.label} (SHA-256 {digest}) matches no "
                                                  f"image: the file carries "
                                                  f"{', '.join(sorted(carried)) or 'none readable'}")
                continue
        image_digest = hashlib.sha256(carried[stem]).hexdigest()
        if image_digest != digest:
            yield finding("remote-mismatch", f"differs from --remote {r.label}: SHA-256 {image_digest} "
                                             f"({len(carried[stem])} bytes) against {digest} "
                                             f"({len(r.data)} bytes)", stem)
