"""Looking into a finished file beyond its checks: ``inspect``'s report and the host's own code run.

    report.py         ``bundle inspect``: what an ELF file (or a FIT) holds, as a report dict
    emulate.py        ``verify --emulate``: the host's ``remote_fw_find`` run in a CPU emulator

Layer 3 of docs/design.md, beside ``bundler.checks`` and ``bundler.loaders``.
"""
