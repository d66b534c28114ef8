"""The pre-link object: any file's bytes as a relocatable ELF object (``bundle object``).

    object.py         the writer, its targets (``TARGETS``) and their ABIs

Layer 2 of docs/design.md: imports the shared modules and ``bundler.elf``, nothing above.
"""
