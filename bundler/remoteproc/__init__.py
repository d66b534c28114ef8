"""Remoteproc's vocabulary: the resource table and the memory a remote core can reach.

    rsc_table.py      the resource table: decode it, check it the way Linux does
    memory.py         named address ranges, from ``--memory`` or a device tree
    addressing.py     a device tree's physical addresses as the remote sees them (ranges, dma-ranges)

Layer 1 of docs/design.md: imports only the shared modules, ``bundler.elf`` and
``bundler.fit`` (the device tree reader).
"""
