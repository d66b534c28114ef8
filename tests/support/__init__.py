"""What the tests share, in one place: paths (:mod:`.paths`), the toolchain guard
(:mod:`.tools`), the command-line runners (:mod:`.cli`), the ELF builder
(:mod:`.elf`: string tables, ``assemble`` that writes every file, and hosts
and remotes like a linker makes them; :mod:`.segments` lays out arbitrary
PT_LOAD/section mixes and :mod:`.rsc` remotes with a resource table, both
through ``elf.assemble``), resource-table entries (:mod:`.rsc`), ELF patchers
(:mod:`.patch`), the wheel built once per session (:mod:`.wheel`), device
trees built in memory (:mod:`.fdt`), FITs built with mkimage and read back
with mkimage -l and dumpimage (:mod:`.fit`), and for the OpenAMP tests the
pinned OpenAMP/libmetal build (:mod:`.openamp`) and the hostile corpus for the
kit's image store (:mod:`.openamp_corpus`).

:mod:`.kit_elf` is the one builder that does not use ``bundler.elf.spec``: the
kit's C parser is tested against layouts written down a second time,
independently of the Python package (a shared mistake would otherwise pass
both), and it builds what the spec-based builders cannot (extended numbering,
absurd counts, truncations). Tests import from here, never
from each other's directories, and never edit ``sys.path``.
"""
