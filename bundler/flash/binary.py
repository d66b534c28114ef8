"""Raw binary: the memory image from its lowest address to its highest, gaps filled.

Like ``objcopy -O binary --gap-fill B``, with two guards objcopy lacks: an
image with holes needs an explicit fill byte (0xFF matches erased NOR flash,
0x00 matches objcopy's default), and a span above ``max_span`` is refused
(a stray section at a far address would otherwise make a file of gigabytes).
The file says nothing about where it goes: the caller reports the base address.
"""

from __future__ import annotations

from bundler.errors import NoFitError, UsageError, option
from bundler.flash.image import FlashImage, Run

DEFAULT_MAX_SPAN = 256 << 20
FILL_CHUNK = 1 << 20


def iter_binary(image: FlashImage, *, fill: int | None = None, max_span: int = DEFAULT_MAX_SPAN):
    """Check the span and the fill (errors before any byte), then return an iterator of chunks."""
    if image.span > max_span:
        raise NoFitError(f"the image spans {image.span} bytes, from {image.lowest:#x} to {image.end:#x}, "
                         f"more than {option('max_span')} {max_span}", address=image.lowest, size=image.span,
                         param="max_span", hint=f"raise {option('max_span')} if that is meant, or write Intel HEX / S-records, "
                              "which skip the gaps")
    gaps = list(image.iter_gaps())
    if gaps and fill is None:
        at, size = max(gaps, key=lambda g: g[1])
        raise UsageError(f"the image has {len(gaps)} gap(s), {sum(g[1] for g in gaps)} bytes in all "
                         f"(the largest {size} bytes at {at:#x}), and raw binary must fill them",
                         address=at, size=size, param="gap_fill",
                         hint=f"pass {option('gap_fill')} 0xFF (erased flash) or {option('gap_fill')} 0 "
                              "(objcopy's default)")
    if fill is not None and not 0 <= fill <= 0xFF:
        raise UsageError(f"{option('gap_fill')} {fill:#x} is not a byte value", param="gap_fill",
                         hint="give 0..255, e.g. 0xFF")
    return _chunks(image, fill)


def encode_binary(image: FlashImage, *, fill: int | None = None,
                  max_span: int = DEFAULT_MAX_SPAN) -> bytes:
    return b"".join(iter_binary(image, fill=fill, max_span=max_span))


def _chunks(image: FlashImage, fill: int | None):
    at = image.lowest
    for run in image.runs:
        gap = run.address - at
        if gap:
            block = bytes((fill,)) * min(gap, FILL_CHUNK)
            while gap:
                yield block[:min(gap, FILL_CHUNK)]
                gap -= min(gap, FILL_CHUNK)
        data = memoryview(run.data)
        for start in range(0, len(data), FILL_CHUNK):      # windows, so a map's pages can be handed back
            yield data[start:start + FILL_CHUNK]
        at = run.end


def decode_binary(data: bytes, *, address: int = 0, name: str = "binary file") -> FlashImage:
    """A raw binary loaded at ``address``: one run, no start address."""
    return FlashImage.of([Run(address, bytes(data), name)])
