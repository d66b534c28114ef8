"""What the tests share, in one place: paths (:mod:`.paths`), the toolchain guard
(:mod:`.tools`), the command-line runners (:mod:`.cli`), the ELF builders
(:mod:`.elf` for hosts and remotes like a linker makes them, :mod:`.segments`
for arbitrary PT_LOAD/section layouts, :mod:`.kit_elf` for the kit's parser
tests, down to extended numbering), resource tables (:mod:`.rsc`), and the
wheel built once per session (:mod:`.wheel`). Tests import from here, never
from each other's directories, and never edit ``sys.path``.
"""
