"""Where things are: the checkout, the kit, the samples, the test data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "linker"
SAMPLES = ROOT / "samples"
DATA = ROOT / "tests" / "data"
