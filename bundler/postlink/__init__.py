"""The post-link bundle: remote images added to a linked host ELF, and read back from one.

    bundling.py       a linked host plus remotes in, a new ELF out (``bundle``)
    placement.py      where an image goes in the host's address space; what it may not overlap
    descriptor.py     the kit's REMOTE_FW_DECLARE descriptor: find it, encode its fill
    bundle_record.py  the ``.rproc_bundle`` record: encode, read, unbundle
    images.py         the images a file carries, by symbols, descriptors and record
                      (discovery for verify, inspect and extract)

Layer 2 of docs/design.md: imports the shared modules, ``bundler.elf``,
``bundler.remoteproc`` and ``bundler.fit``, nothing above.
"""
