"""The Flat Image Tree (U-Boot's FIT) and the device tree format it is written in.

    fdt.py            a flattened device tree (``.dtb``): the whole blob validated, then a model
    model.py          what a FIT means: images, hashes, configurations, kernel header
    report.py         ``bundle inspect`` of a FIT: the report dict and its text

Layer 1 of docs/design.md: imports only the shared modules (and ``bundler.elf``).
"""
