"""rproc-bundle: carry remote-core ELF images inside a host ELF image.

Core modules work on bytes and models (never paths); ``bundler.cli`` is the
only place that touches the file system, through ``bundler.fileio``.
"""

__version__ = "0.1.0"
